"""Form definitions of the contract pages: fields with their Chinese labels and the cross-field rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from domains.labor_contract import rules
from portal.forms import (
    ChoiceField,
    DateField,
    Field,
    Form,
    IdNumberField,
    IntField,
    MoneyField,
    TextField,
)

TEMPLATE_CHOICES = tuple(rules.TEMPLATE_LABELS.items())


def person_fields() -> list[Field]:
    return [
        TextField("worker_name", "姓名", max_len=40),
        IdNumberField("id_number", "身份证号"),
    ]


def contract_fields() -> list[Field]:
    """The 新订/续订 fields of the guide (红色*号 = required)."""
    return [
        ChoiceField("employment_form", "用工形式", category="employment_form"),
        ChoiceField("contract_type", "合同类别", category="contract_type"),
        ChoiceField("contract_template", "使用合同模板", choices=TEMPLATE_CHOICES),
        TextField("contract_number", "劳动合同编号", required=False, max_len=60),
        DateField("start_date", "合同起始日期"),
        DateField("end_date", "合同结束日期", required=False, help="无固定期限劳动合同不填"),
        IntField("probation_months", "试用期（月）", required=False, min_value=0, max_value=6),
        TextField("post", "工作岗位", max_len=60),
        TextField("workplace", "工作地点", max_len=200),
        MoneyField("monthly_wage", "月工资（元）"),
        IntField("pay_day", "发工资日期", help="填写每月的几号，例如每月4号填写4"),
        ChoiceField("work_hours_system", "工时制度", category="work_hours_system"),
    ]


def _contract_checks(cleaned: dict[str, Any]) -> dict[str, str]:
    return rules.contract_field_errors(cleaned)


def new_contract_form(data: Any) -> Form:
    return Form([*person_fields(), *contract_fields()], data, checks=[_contract_checks])


def renew_form(data: Any, id_number: str, previous_start: date | None = None, previous_end: date | None = None) -> Form:
    """续订: the person comes from the renewed contract; the rules still need the ID number (age check) and the
    renewed contract's dates (a renewal starts after it)."""

    def checks(cleaned: dict[str, Any]) -> dict[str, str]:
        errors = rules.contract_field_errors({**cleaned, "id_number": id_number})
        if reason := rules.renewal_start_error(previous_start, previous_end, cleaned.get("start_date")):
            errors.setdefault("start_date", reason)
        return errors

    return Form(contract_fields(), data, checks=[checks])


def terminate_form(data: Any, earliest: date | None, today: date) -> Form:
    """`earliest`: service.termination_earliest of the contract ended."""

    def checks(cleaned: dict[str, Any]) -> dict[str, str]:
        if cleaned.get("termination_date") is None:
            return {}
        reason = rules.termination_date_refusal(earliest, cleaned["termination_date"], today)
        return {"termination_date": reason} if reason else {}

    return Form(
        [
            DateField("termination_date", "解除(终止)时间"),
            ChoiceField("termination_reason", "解除(终止)原因", category="termination_reason"),
            # guide 1.6: Arabic numerals, at most two decimals — the one money rule (portal.values)
            MoneyField("compensation", "支付经济补偿金（元）", required=False,
                       help="阿拉伯数字，可以填至小数点后两位，不可填写汉字"),
        ],
        data,
        checks=[checks],
    )
