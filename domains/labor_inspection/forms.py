"""① 用工情况自查 as a form: one field per question of rules.QUESTIONS."""

from __future__ import annotations

from typing import Any

from domains.labor_inspection import rules
from portal.forms import ChoiceField, Field, Form, IntField, MoneyField
from portal.values import yuan


def _field(q: rules.Question) -> Field:
    if q.kind == "count":
        return IntField(q.code, q.label, required=q.required, help=q.hint, min_value=0, max_value=1_000_000)
    if q.kind == "money":
        return MoneyField(q.code, q.label, required=q.required, help=q.hint)
    return ChoiceField(q.code, q.label, required=q.required, help=q.hint, choices=rules.YES_NO)


def questionnaire(data: Any) -> Form:
    # The cross-field rules run even when some answers failed (X-11: one answer lists every problem).
    return Form([_field(q) for q in rules.QUESTIONS], data, checks=(rules.answer_errors,))


def saved_values(answers: dict[str, Any]) -> dict[str, str]:
    """The saved answers as the form shows them (money back in 元)."""
    out = {}
    for q in rules.QUESTIONS:
        value = answers.get(q.code)
        if value is None:
            continue
        out[q.code] = yuan(value, grouping=False) if q.kind == "money" else str(value)
    return out
