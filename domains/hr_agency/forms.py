"""Form of the agency's applications (行政许可 / 业务备案): the agency record plus the chosen services."""

from __future__ import annotations

from typing import Any

from portal.forms import ChoiceField, Field, Form, TextField

PHONE_PATTERN = r"1\d{10}|0\d{2,3}-?\d{7,8}"


def application_fields() -> list[Field]:
    return [
        TextField("name", "机构名称", max_len=200),
        TextField("legal_rep", "法定代表人", max_len=40),
        ChoiceField("agency_type", "机构类型", category="hra_agency_type"),
        ChoiceField("division_code", "所在地区", category="division"),
        TextField("address", "办公地址", max_len=200),
        TextField("contact_name", "联系人", max_len=40),
        TextField("contact_phone", "联系电话", max_len=20, pattern=PHONE_PATTERN,
                  pattern_message="联系电话应为11位手机号或带区号的固定电话"),
    ]


def application_form(data: Any) -> Form:
    # 统一社会信用代码 is the signed-in account's: shown on the page, never read from the post (the service takes
    # the account's). The field gives a refusal about it a place beside it and a name in the error summary.
    return Form([Field("uscc", "统一社会信用代码", required=False), *application_fields()], data)


def posted_services(data: Any, name: str = "services") -> list[str]:
    """The ticked 服务事项 checkboxes (a multi-valued field), de-duplicated in order."""
    values = data.getall(name, []) if hasattr(data, "getall") else data.get(name, [])
    if isinstance(values, str):
        values = [values]
    return list(dict.fromkeys(str(v) for v in values if v))


def service_record_keys() -> tuple[str, ...]:
    return tuple(f.name for f in application_fields())


def change_form(data: Any) -> Form:
    """事项变更: the record as it should read after the change, and why."""
    return Form([*application_fields(), TextField("reason", "变更原因", max_len=500)], data)


def branch_form(data: Any) -> Form:
    return Form([
        TextField("name", "分支机构名称", max_len=200), ChoiceField("division_code", "所在地区", category="division"),
        TextField("address", "分支机构地址", max_len=200), TextField("leader", "负责人", max_len=40),
    ], data)


def posted_registration_services(data: Any) -> dict[str, list[str]]:
    """事项变更 其他: the ticked services of each registration the page showed (hidden `registrations` inputs name
    them, so a registration with every box cleared is told apart from one the form did not show)."""
    return {t: posted_services(data, f"services-{t}") for t in posted_services(data, "registrations")}
