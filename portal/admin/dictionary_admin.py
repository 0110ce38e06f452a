"""字典管理: the rules an entry must satisfy and the audited writes (controllers stay thin)."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from portal import audit
from portal.core import dictionary, versions
from portal.core.tables import DictEntry
from portal.db import current_engine, is_sqlite, write_transaction
from portal.forms import Field, Form, IntField, TextField

CATEGORY_NAMES = {
    "division": "行政区划",
    "squad": "劳动保障监察中队",
    "review_agency": "送审机构/审核机构",
    "industry": "国民经济行业分类（GB/T 4754-2017）",
    "employer_nature": "单位性质",
    "economic_type": "单位经济类型",
    "affiliation": "隶属关系",
    "employment_form": "用工形式",
    "contract_type": "合同类别",
    "termination_reason": "解除/终止原因",
    "insured_identity": "参保身份",
    "insurance_type": "险种",
    "work_hours_system": "工时制度",
    "hra_service": "人力资源服务事项",
    "hra_agency_type": "人力资源服务机构类型",
    "hra_number_format": "许可证/备案编号格式",
    "wi_accident_category": "工伤事故类别",
    "wi_injury_severity": "伤害程度",
}
PAGE_SIZE = 50


def category_name(category: str) -> str:
    return CATEGORY_NAMES.get(category, category)


def entry_fields(*, creating: bool) -> list[Field]:
    fields: list[Field] = [
        TextField("label", "名称", max_len=200),
        TextField("parent_code", "上级代码", required=False, max_len=40, help="树形字典（如行政区划）填写上级条目的代码"),
        IntField("sort_order", "排序号", required=False, min_value=0, max_value=99999),
        TextField("extra", "扩展属性", required=False, max_len=4000),
    ]
    if creating:
        # The code is what business rows store, so it is fixed once created (disable instead of renaming).
        fields.insert(
            0,
            TextField(
                "code", "代码", max_len=40, pattern=r"[0-9A-Za-z_.\-]+",
                pattern_message="代码只能包含字母、数字、下划线、点和短横线",
            ),
        )
    return fields


async def categories() -> list[dict[str, Any]]:
    """Every category in the database (and every known one), with entry counts."""
    counts: dict[str, list[int]] = {c: [0, 0] for c in CATEGORY_NAMES}
    for row in await DictEntry.select(DictEntry.category, DictEntry.enabled):
        total = counts.setdefault(row["category"], [0, 0])
        total[0] += 1
        total[1] += 1 if row["enabled"] else 0
    return [
        {"code": c, "name": category_name(c), "total": t, "enabled": e}
        for c, (t, e) in sorted(counts.items(), key=lambda kv: (kv[0] not in CATEGORY_NAMES, kv[0]))
    ]


async def category_exists(category: str) -> bool:
    return category in CATEGORY_NAMES or await DictEntry.exists().where(DictEntry.category == category)


async def search(category: str, q: str, status: str, page: int, *, per_page: int = 0) -> tuple[list[dict[str, Any]], int]:
    """One page of entries matching `q` (code or name) and `status` (enabled / disabled / all), and the total."""
    where = DictEntry.category == category
    if q:
        pattern = f"%{_escape_like(q)}%"
        # SQLite's LIKE is already case-insensitive for ASCII (Piccolo warns on ilike there).
        op = "like" if is_sqlite(current_engine()) else "ilike"
        where &= getattr(DictEntry.code, op)(pattern) | getattr(DictEntry.label, op)(pattern)
    if status == "enabled":
        where &= DictEntry.enabled.eq(True)
    elif status == "disabled":
        where &= DictEntry.enabled.eq(False)
    total = await DictEntry.count().where(where)
    rows = (
        await DictEntry.select()
        .where(where)
        .order_by(DictEntry.sort_order)
        .order_by(DictEntry.code)
        .limit(per_page or PAGE_SIZE)
        .offset((page - 1) * (per_page or PAGE_SIZE))
    )
    labels = {
        r["code"]: r["label"]
        for r in await DictEntry.select(DictEntry.code, DictEntry.label).where(DictEntry.category == category)
    }
    for r in rows:
        r["parent_label"] = labels.get(r["parent_code"], "")
    return rows, total


def _escape_like(text: str) -> str:
    # Piccolo passes the pattern as a parameter; only the LIKE wildcards need neutralising.
    return text.replace("%", "").replace("_", "")


async def get_entry(category: str, entry_id: int) -> dict[str, Any] | None:
    return await DictEntry.select().where((DictEntry.id == entry_id) & (DictEntry.category == category)).first()


def entry_form_data(entry: dict[str, Any]) -> dict[str, str]:
    extra = entry["extra"] if isinstance(entry["extra"], str) else json.dumps(entry["extra"], ensure_ascii=False)
    return {
        "code": entry["code"],
        "label": entry["label"],
        "parent_code": entry["parent_code"],
        "sort_order": str(entry["sort_order"]),
        "extra": "" if extra in ("", "{}") else extra,
    }


async def validate(form: Form, category: str, entry: dict[str, Any] | None = None) -> bool:
    """Field rules, then the rules that need the dictionary itself: unique code, real parent, no cycle, extras."""
    await form.validate()  # then the dictionary rules for every field that is clean: all problems at once
    cleaned = form.cleaned
    code = entry["code"] if entry else cleaned.get("code") or ""
    if entry is None and code:
        if category == "division" and not re.fullmatch(r"\d{6}|\d{9}|\d{12}", code):
            form.add_error("code", "行政区划代码应为6位（县级及以上）或9位（乡镇/街道）数字")
        elif await DictEntry.exists().where((DictEntry.category == category) & (DictEntry.code == code)):
            form.add_error("code", f"代码{code}已存在，同一字典内代码不能重复")
    parent = cleaned.get("parent_code") or ""
    if parent:
        if parent == code:
            form.add_error("parent_code", "上级代码不能是本条目自己")
        elif not await DictEntry.exists().where((DictEntry.category == category) & (DictEntry.code == parent)):
            form.add_error("parent_code", f"上级代码{parent}在本字典中不存在")
        elif entry is not None and await _is_descendant(category, parent, code):
            form.add_error("parent_code", "上级代码不能是本条目的下级（会形成循环）")
    if "extra" not in form.errors:
        cleaned["extra"] = await _clean_extra(form, category, cleaned.get("extra") or "")
    cleaned["sort_order"] = cleaned.get("sort_order") or 0
    cleaned["parent_code"] = parent
    return not form.errors


async def _is_descendant(category: str, candidate: str, ancestor: str) -> bool:
    parents = {
        r["code"]: r["parent_code"]
        for r in await DictEntry.select(DictEntry.code, DictEntry.parent_code).where(DictEntry.category == category)
    }
    seen: set[str] = set()
    node = candidate
    while node and node not in seen:
        if node == ancestor:
            return True
        seen.add(node)
        node = parents.get(node, "")
    return False


async def _clean_extra(form: Form, category: str, raw: str) -> str:
    if not raw:
        value: Any = {}
    else:
        try:
            value = json.loads(raw)
        except ValueError:
            form.add_error("extra", "扩展属性应为JSON对象，例如 {\"divisions\": [\"460105001\"]}")
            return raw
        if not isinstance(value, dict):
            form.add_error("extra", "扩展属性应为JSON对象（以 { 开头）")
            return raw
    divisions = {
        r["code"] for r in await DictEntry.select(DictEntry.code).where(DictEntry.category == "division")
    }
    if category == "squad":
        listed = value.get("divisions")
        if not isinstance(listed, list) or not listed or not all(isinstance(c, str) for c in listed):
            form.add_error("extra", "监察中队须在扩展属性中列出管辖的行政区划：{\"divisions\": [\"代码\", …]}")
        elif unknown := [c for c in listed if c not in divisions]:
            form.add_error("extra", f"管辖的行政区划代码不存在：{'、'.join(unknown[:5])}")
    elif category == "review_agency":
        division = value.get("division")
        if not isinstance(division, str) or division not in divisions:
            form.add_error("extra", "审核机构须在扩展属性中填写所在的行政区划：{\"division\": \"代码\"}")
    return json.dumps(value, ensure_ascii=False)


async def create(category: str, cleaned: dict[str, Any], actor: Any, ip: str) -> int | None:
    """Insert the entry; None when a concurrent request took the code first (the unique index decides)."""
    row = DictEntry(
        category=category,
        code=cleaned["code"],
        label=cleaned["label"],
        parent_code=cleaned["parent_code"],
        sort_order=cleaned["sort_order"],
        extra=cleaned["extra"],
        enabled=True,
    )
    try:
        async with write_transaction():
            await row.save()
            await versions.bump(versions.DICTIONARY)
            await audit.record(
                category="admin", action="dictionary_create", actor=actor, ip=ip, object_type="dict_entry",
                object_id=row.id, detail={"category": category, "after": _public(cleaned)},
            )
    except Exception as exc:
        if is_unique_violation(exc):
            return None
        raise
    dictionary.invalidate()
    return row.id


async def update(entry: dict[str, Any], cleaned: dict[str, Any], actor: Any, ip: str) -> None:
    changes = {k: cleaned[k] for k in ("label", "parent_code", "sort_order", "extra")}
    before = {k: entry[k] for k in changes}
    async with write_transaction():
        await DictEntry.update(changes).where(DictEntry.id == entry["id"])
        await versions.bump(versions.DICTIONARY)
        await audit.record(
            category="admin", action="dictionary_update", actor=actor, ip=ip, object_type="dict_entry",
            object_id=entry["id"],
            detail={"category": entry["category"], "code": entry["code"], "before": before, "after": changes},
        )
    dictionary.invalidate()


async def set_enabled(entry: dict[str, Any], enabled: bool, actor: Any, ip: str) -> None:
    """Disabling hides the entry from every drop-down; rows that already store the code keep showing it."""
    async with write_transaction():
        await DictEntry.update({DictEntry.enabled: enabled}).where(DictEntry.id == entry["id"])
        await versions.bump(versions.DICTIONARY)
        await audit.record(
            category="admin", action="dictionary_enable" if enabled else "dictionary_disable", actor=actor, ip=ip,
            object_type="dict_entry", object_id=entry["id"],
            detail={"category": entry["category"], "code": entry["code"]},
        )
    dictionary.invalidate()


def _public(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {k: cleaned.get(k) for k in ("code", "label", "parent_code", "sort_order", "extra")}


def is_unique_violation(exc: Exception) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc)
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(exc, asyncpg.UniqueViolationError)
