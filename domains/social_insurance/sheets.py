"""到账 import (staff, si.assess): a payments workbook marks contributions 已到账; the rest stay 欠缴."""

from __future__ import annotations

from typing import Any

from domains.social_insurance import rules, service
from domains.social_insurance.rules import Refused
from portal.auth.principal import Principal
from portal.dataservices.imports import Importer, ImportSteps, WholeFile
from portal.dataservices.spreadsheets import RowResult, SheetColumn, SheetSpec

CHUNK = 500

PAYMENTS = SheetSpec(
    name="si_payments",
    title="社保费到账批量导入模板",
    columns=(
        SheetColumn("period", "结算期", max_len=10, width=12, help="年月，如 2026-10", example="2026-10"),
        SheetColumn("uscc", "统一社会信用代码", "uscc", width=22, example="91460100MA5T00010J"),
        SheetColumn("id_number", "身份证号", "id_number", width=22, help="18位居民身份证号码，请设为文本格式",
                    example="460100199009090033"),
        SheetColumn("paid_on", "到账日期", "date", width=14, example="2026-10-25"),
        SheetColumn("amount", "到账金额（元）", "money", width=14, help="须等于该人员该结算期的应缴合计"),
    ),
    instructions=(
        "每行填写一名人员一个结算期的到账信息；到账金额须等于应缴合计（单位和个人部分之和）。",
        "结算期须已核定；单位和人员须在您的管辖范围内有该结算期的应缴记录。",
        "失败原因：不需填写，由系统在失败数据中给出。",
    ),
    unique=(("period", "uscc", "id_number"),),
)


def payment_reasons(data: dict[str, Any], period: int | None, employer: dict | None, person: dict | None,
                    contribution: dict | None) -> list[str]:
    """The rules for one 到账 row, given what the lookups found (None: not found or not in the staff's scope)."""
    if period is None:
        return ["结算期未核定或格式不正确"]
    reasons = []
    if employer is None:
        reasons.append("未找到该单位（统一社会信用代码未登记或不在您的管辖范围）")
    if person is None:
        reasons.append("未找到该人员（身份证号未登记）")
    if reasons:
        return reasons
    if contribution is None:
        return ["该人员在该结算期没有本单位的应缴记录"]
    if contribution["paid_state"] == "paid":
        return ["该记录已到账，不能重复导入"]
    if data["amount"] != contribution["total"]:
        return [f"到账金额与应缴合计 {contribution['total'] / 100:,.2f} 元不一致"]
    return []


def payments_check(principal: Principal) -> WholeFile:
    """Whole-file: employers, persons and contributions looked up in chunks of 500, never one query per row."""

    async def check(rows: list[RowResult]) -> None:
        assessed = {p["period"] for p in await service.periods()}
        periods: dict[str, int | None] = {}
        for row in rows:
            text = row.data["period"]
            if text not in periods:
                try:
                    periods[text] = rules.parse_period(text)
                except Refused:
                    periods[text] = None
                if periods[text] not in assessed:
                    periods[text] = None
        employers = await service.employers_in_scope(principal, {r.data["uscc"] for r in rows})
        persons = await service.persons_by_id_number({r.data["id_number"] for r in rows})
        contributions = await service.contributions_of([p["id"] for p in persons.values()])
        for row in rows:
            period = periods[row.data["period"]]
            employer = employers.get(row.data["uscc"])
            person = persons.get(row.data["id_number"])
            found = (contributions.get((period, employer["id"], person["id"]))
                     if period and employer and person else None)
            row.reasons.extend(payment_reasons(row.data, period, employer, person, found))
            if found:
                row.data["_contribution"] = found

    return WholeFile(check)


async def write_payments(rows: list[RowResult]) -> None:
    await service.record_payments([(r.data["_contribution"], r.data["paid_on"]) for r in rows])


# SI payments (到账) as a job: a worker rebuilds the check for the uploading staff member.
PAYMENTS_IMPORT = Importer("si_payments", PAYMENTS, lambda principal, ip: ImportSteps(
    write_payments, row_check=payments_check(principal)))
