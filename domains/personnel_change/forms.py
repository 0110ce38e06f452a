"""Form definitions of 增员 and 减员: fields with their Chinese labels (rules across fields live in the service)."""

from __future__ import annotations

from typing import Any

from domains.personnel_change import rules
from portal.forms import (
    BoolField,
    ChoiceField,
    DateField,
    Field,
    Form,
    IdNumberField,
    MobileField,
    MoneyField,
    MonthField,
    TextField,
)


def insurance_fields() -> list[Field]:
    # The group's own key carries the group's message ("至少选择一个", a rule per insurance) beside the checkboxes.
    return [Field("insurances", "参保险种", required=False),
            *[BoolField(f"ins_{code}", label) for code, label in rules.INSURANCE_LABELS.items()]]


def enrol_form(data: Any) -> Form:
    """PC-1: the person (an unknown one entered in full), the insurances, 参保身份, 缴费基数, the starting 结算期."""
    return Form([
        IdNumberField("id_number", "身份证号"),
        TextField("name", "姓名", max_len=40),
        ChoiceField("ethnicity", "民族", category="pc_ethnicity"),
        ChoiceField("hukou", "户口性质", category="pc_hukou"),
        TextField("address", "户籍地址", max_len=200),
        MobileField("phone", "联系电话", landline_ok=True),
        ChoiceField("employment_form", "用工形式", category="employment_form"),
        DateField("work_start", "参加工作日期"),
        *insurance_fields(),
        ChoiceField("identity", "参保身份", category="insured_identity"),
        MoneyField("base", "缴费基数（元）"),
        MonthField("period", "参保开始结算期"),
    ], data)


WITHDRAW_KIND_CHOICES = tuple(rules.WITHDRAW_KINDS.items())


def withdraw_form(data: Any) -> Form:
    """PC-4: 暂停参保 / 终止参保 / 在职转退休 of the insurances chosen, with 减员原因 and the 结算期."""
    return Form([
        IdNumberField("id_number", "身份证号"),
        ChoiceField("kind", "减员类型", choices=WITHDRAW_KIND_CHOICES),
        *insurance_fields(),
        ChoiceField("reason", "减员原因", category="pc_withdraw_reason"),
        MonthField("period", "减员结算期"),
        ChoiceField("retire_class", "女职工原法定退休年龄", choices=rules.RETIRE_CLASSES[1:], required=False),
    ], data)


def lookup_form(direction: str, data: Any) -> Form:
    """查询: 增员 asks for the 姓名 with the 身份证号 (the server only confirms the pair); 减员 is of the employer's own
    workers, whose names it already has."""
    fields: list[Field] = [IdNumberField("id_number", "身份证号")]
    if direction == "enrol":
        fields.append(TextField("name", "姓名", max_len=40))
    return Form(fields, data)
