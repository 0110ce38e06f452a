"""The 工伤快报 form: the accident's fields, then one group of fields per injured person (增加工伤人员).

Person rows are named p<key>_<field> and listed by hidden `rows` inputs, so a row keeps its key (and what was
typed in it) when another row is removed; 增加/删除 work as plain submit buttons without JS and as htmx swaps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.forms import (
    ChoiceField,
    DateTimeField,
    Field,
    Form,
    IdNumberField,
    MobileField,
    TextField,
)

HOSPITALISED = (("1", "是"), ("0", "否"))

ACCIDENT = (
    DateTimeField("occurred_at", "事故发生时间"),
    TextField("place", "事故发生地点", max_len=200),
    ChoiceField("category", "事故类别", category="wi_accident_category"),
    TextField("description", "事故经过", max_len=2000),
    TextField("reporter", "报告人", max_len=40),
    MobileField("reporter_phone", "报告人联系电话", landline_ok=True),
    TextField("hospital", "就诊医疗机构", max_len=100),
)


def person_fields(key: str, n: int) -> list[Field]:
    """The fields of the n-th injured person (1-based in labels, so the error summary says which person)."""
    who = f"（工伤人员{n}）"
    return [
        IdNumberField(f"p{key}_id_number", f"身份证号{who}"),
        TextField(f"p{key}_body_part", f"受伤部位{who}", max_len=100),
        ChoiceField(f"p{key}_severity", f"伤害程度{who}", category="wi_injury_severity"),
        TextField(f"p{key}_diagnosis", f"诊断结果{who}", max_len=200),
        ChoiceField(f"p{key}_hospitalised", f"是否住院{who}", choices=HOSPITALISED),
        TextField(f"p{key}_occupation", f"职业/岗位{who}", max_len=60),
    ]


def row_keys(data: Mapping[str, Any]) -> list[str]:
    """The person rows posted, in order; keys are short digit strings (anything else is dropped)."""
    raw = data.getall("rows", []) if hasattr(data, "getall") else data.get("rows", [])
    if isinstance(raw, str):
        raw = [raw]
    keys = []
    for key in raw:
        key = str(key).strip()
        if key.isdigit() and len(key) <= 3 and key not in keys:
            keys.append(key)
    return keys[:40]


def apply_op(keys: list[str], op: str) -> list[str]:
    """增加工伤人员 (op 'add') or 删除 (op 'remove-<key>') on the row keys."""
    if op == "add":
        return [*keys, str(max((int(k) for k in keys), default=-1) + 1)]
    if op.startswith("remove-"):
        return [k for k in keys if k != op.removeprefix("remove-")]
    return keys


def report_form(data: Mapping[str, Any], keys: list[str]) -> Form:
    fields: list[Field] = list(ACCIDENT)
    for n, key in enumerate(keys, 1):
        fields += person_fields(key, n)
    return Form(fields, data)


def rows_of(form: Form, keys: list[str]) -> list[dict[str, Any]]:
    """The cleaned injured persons, in form order."""
    c = form.cleaned
    return [{"key": k, "id_number": c[f"p{k}_id_number"], "body_part": c[f"p{k}_body_part"],
             "severity": c[f"p{k}_severity"], "diagnosis": c[f"p{k}_diagnosis"],
             "hospitalised": c[f"p{k}_hospitalised"] == "1", "occupation": c[f"p{k}_occupation"]} for k in keys]


def accident_of(form: Form) -> dict[str, Any]:
    return {f.name: form.cleaned[f.name] for f in ACCIDENT}


# 生成报表 of the 工伤保险单位证明 (WI-3); 工伤单位 is a choice for staff and persons, fixed for an employer.
def proof_form(data: Mapping[str, Any], employer_choices: list[tuple[str, str]] | None) -> Form:
    fields: list[Field] = [IdNumberField("id_number", "身份证号码"), TextField("name", "姓名", max_len=40)]
    if employer_choices is not None:
        fields.append(ChoiceField("employer_id", "工伤单位", choices=employer_choices))
    return Form(fields, data)

