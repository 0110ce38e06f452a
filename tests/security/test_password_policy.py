"""SECURITY 5: the password policy is a setting — 等保 (complexity, periodic change) or ASVS (length, breached list)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from portal.auth.login import password_expired
from portal.auth.passwords import password_problems
from portal.auth.staff import temporary_password
from portal.settings import SecuritySettings


def test_dengbao_needs_eight_characters_of_three_kinds():
    assert password_problems("Ab1#", "dengbao") == ["密码长度至少8位"]
    assert "密码须包含大写字母、小写字母、数字、特殊字符中的至少3类" in password_problems("abcdefgh1", "dengbao")
    assert password_problems("abcdefg1#", "dengbao") == []
    assert password_problems("ABCDEFG1a", "dengbao") == []


def test_asvs_needs_twelve_characters_and_refuses_breached_ones():
    assert password_problems("Ab1#Ab1#", "asvs") == ["密码长度至少12位"]
    assert password_problems("correct horse battery", "asvs") == []  # no composition rule under ASVS
    assert any("泄露" in p for p in password_problems("Password123", "asvs"))
    assert password_problems("x" * 129, "asvs") == ["密码长度不能超过128位"]


def test_username_inside_the_password_is_refused_by_both():
    for policy in ("dengbao", "asvs"):
        assert "密码不能包含用户名" in password_problems("Zhangsan#2026-x", policy, username="zhangsan")


def test_periodic_change_only_under_dengbao():
    settings = SecuritySettings(secret_key="k", password_policy="dengbao", password_max_age_days=90)
    old = {"password_changed_at": datetime.now(UTC) - timedelta(days=91)}
    fresh = {"password_changed_at": datetime.now(UTC) - timedelta(days=89)}
    assert password_expired(old, settings) and not password_expired(fresh, settings)
    assert password_expired({"password_changed_at": None}, settings)
    asvs = SecuritySettings(secret_key="k", password_policy="asvs")
    assert not password_expired(old, asvs)


@given(st.integers(min_value=0, max_value=10))
def test_temporary_passwords_satisfy_both_policies(_):
    pw = temporary_password()
    assert password_problems(pw, "dengbao") == [] and password_problems(pw, "asvs") == []
