"""Rules of 信用等级申报 (INS-3): the evaluation content of 《企业劳动保障守法诚信等级评价办法》 (人社部规〔2016〕1号)
第六条 as a form, and what a declaration may claim. Pure functions, table-driven tests in test_grade_rules.py."""

from __future__ import annotations

from typing import Any

KEPT = "遵守"
BREACHED = "存在问题"
STATES = ((KEPT, KEPT), (BREACHED, BREACHED))

# 第六条 (一)–(八); (九) 其他 is free text (`other`).
CRITERIA: tuple[tuple[str, str], ...] = (
    ("rules", "制定内部劳动保障规章制度的情况"),
    ("contracts", "与劳动者订立劳动合同的情况"),
    ("dispatch", "遵守劳务派遣规定的情况"),
    ("child_labour", "遵守禁止使用童工规定的情况"),
    ("special_protection", "遵守女职工和未成年工特殊劳动保护规定的情况"),
    ("working_time", "遵守工作时间和休息休假规定的情况"),
    ("wages", "支付劳动者工资和执行最低工资标准的情况"),
    ("social_insurance", "参加各项社会保险和缴纳社会保险费的情况"),
)
OTHER_LABEL = "其他遵守劳动保障法律、法规和规章的情况"
CRITERION_LABELS = dict(CRITERIA)

# 第七条: the three grades.
GRADES = (("A", "A级（守法诚信）"), ("B", "B级（基本守法诚信）"), ("C", "C级（不守法诚信）"))
GRADE_LABELS = dict(GRADES)
NOTE_MAX = 300


def note_field(code: str) -> str:
    return f"{code}_note"


def declaration_errors(values: dict[str, Any]) -> dict[str, str]:
    """Field → Chinese message for a declaration whose parts contradict each other (the form checks each field)."""
    errors: dict[str, str] = {}
    breached = [code for code, _ in CRITERIA if values.get(code) == BREACHED]
    for code in breached:
        if not (values.get(note_field(code)) or "").strip():
            errors[note_field(code)] = f"“{CRITERION_LABELS[code]}”选择了存在问题，请说明具体情况"
    if values.get("proposed_grade") == "A" and breached:
        errors["proposed_grade"] = "评价内容中有“存在问题”的项目，不能申报A级（守法诚信）"
    return errors


def criteria_value(values: dict[str, Any]) -> dict[str, Any]:
    """The stored evaluation content: each criterion's state and note, and the 其他 text."""
    out: dict[str, Any] = {code: {"state": values.get(code) or "", "note": (values.get(note_field(code)) or "").strip()}
                           for code, _ in CRITERIA}
    out["other"] = (values.get("other") or "").strip()
    return out


def criteria_rows(criteria: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) of a stored declaration for the review panel and the employer's pages."""
    rows = []
    for code, label in CRITERIA:
        item = criteria.get(code) or {}
        text = item.get("state", "")
        if item.get("note"):
            text += f"：{item['note']}"
        rows.append((label, text))
    if criteria.get("other"):
        rows.append((OTHER_LABEL, criteria["other"]))
    return rows


def form_values(criteria: dict[str, Any]) -> dict[str, str]:
    """A stored declaration as the form shows it (to declare again after a withdrawal)."""
    out = {"other": criteria.get("other", "")}
    for code, _ in CRITERIA:
        item = criteria.get(code) or {}
        out[code] = item.get("state", "")
        out[note_field(code)] = item.get("note", "")
    return out
