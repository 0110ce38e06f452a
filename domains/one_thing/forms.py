"""The two forms of 一件事一次办, composed from the domains' own fields (through their services): the person typed
once, then what each domain needs. Names shared by both (身份证号, 姓名, 用工形式) appear once."""

from __future__ import annotations

from typing import Any

from domains.labor_contract import service as lc
from domains.personnel_change import service as pc
from portal.forms import Field, Form, IdNumberField, TextField

# 增员's 姓名 is the contract's worker_name; its 身份证号 and 用工形式 are the contract's too.
_SHARED = {"id_number", "name", "employment_form"}


def hire_form(data: Any) -> Form:
    """劳动者 + 合同信息 (劳动合同新订备案) + 人员基本信息, 险种, 参保身份, 缴费基数, 结算期 (增员)."""
    fields = [*lc.new_filing_fields(), *[f for f in pc.form_fields("enrol") if f.name not in _SHARED]]
    return Form(fields, data, checks=[lc.contract_checks])


async def leave_form(data: Any, contract: dict[str, Any]) -> Form:
    """解除(终止)时间, 原因, 经济补偿金 (of this contract) + 减员类型, 险种, 减员原因, 减员结算期."""
    form = await lc.termination_form(data, contract)
    form.fields = [*form.fields, *[f for f in pc.form_fields("withdraw") if f.name not in _SHARED]]
    return form


def pc_values(cleaned: dict[str, Any]) -> dict[str, Any]:
    """What the 增员 / 减员 service reads, from the one form's values."""
    return {**cleaned, "name": cleaned.get("worker_name") or cleaned.get("name") or ""}


def lookup_form(kind: str, data: Any, *, name_required: bool = True) -> Form:
    """查询: the worker's 身份证号 (check digit checked) before the form; a hire also the 姓名, which the server only
    confirms for a person it knows (a leave is of the employer's own worker)."""
    fields: list[Field] = [IdNumberField("id_number", "身份证号")]
    if kind == "hire":
        fields.append(TextField("worker_name", "姓名", max_len=40, required=name_required))
    return Form(fields, data)
