"""年度报告 (HRA-1, HRA-9) and 现场招聘会 (HRA-1, HRA-10): the agency submits, staff of its division 查阅: 通过, or
退回重填 — also after 通过, as the manual allows; 导出公示信息 lists the passed reports of the staff member's region."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from domains.hr_agency import effects
from domains.hr_agency.service import Refused, agency_of
from domains.hr_agency.tables import AnnualReport, JobFair
from portal import audit
from portal.auth.principal import Principal, division_clause
from portal.db import write_transaction
from portal.forms import DateField, Form, IntField, MoneyField, TextField

REPORT_KEYS = ("service_count", "revenue_fen", "employment_helped", "fairs_held")
STATUS_LABELS = {"submitted": "待查阅", "passed": "通过", "returned": "退回重填"}


def report_form(data: Any) -> Form:
    last = effects.today().year - 1
    return Form([
        IntField("year", "报告年度", min_value=2000, max_value=last, help=f"填报上一年度（{last}年）的经营情况"),
        IntField("service_count", "服务人次", min_value=0, max_value=100_000_000),
        MoneyField("revenue_fen", "营业收入（元）"),
        IntField("employment_helped", "帮助就业人数", min_value=0, max_value=100_000_000),
        IntField("fairs_held", "举办招聘会场次", min_value=0, max_value=100_000),
    ], data)


def fair_form(data: Any) -> Form:
    return Form([
        TextField("name", "招聘会名称", max_len=200), DateField("held_on", "举办时间"),
        TextField("place", "举办地点", max_len=200), TextField("scale", "规模（展位数等）", max_len=40),
        IntField("employer_count", "参会单位数", min_value=0, max_value=100_000),
        IntField("post_count", "岗位数", min_value=0, max_value=10_000_000),
    ], data)


async def _own_agency(principal: Principal) -> dict:
    agency = await agency_of(principal.employer_id)
    if agency is None:
        raise Refused("本单位尚未申请人力资源服务许可或业务备案，不能填报")
    return agency


async def submit_report(principal: Principal, cleaned: dict[str, Any]) -> dict:
    """New report, or the returned one of that year corrected; a submitted or passed report cannot be re-filed."""
    agency = await _own_agency(principal)
    at = datetime.now(UTC)
    values = {k: cleaned[k] for k in REPORT_KEYS}
    async with write_transaction():
        row = await AnnualReport.select().where(
            (AnnualReport.agency == agency["id"]) & (AnnualReport.year == cleaned["year"])).first()
        if row is not None and row["status"] != "returned":
            raise Refused(f"{cleaned['year']}年度报告已提交（{STATUS_LABELS[row['status']]}），不能重复填报", "year")
        if row is None:
            await AnnualReport(agency=agency["id"], year=cleaned["year"], division_code=agency["division_code"],
                               status="submitted", created_at=at, updated_at=at, **values).save()
        else:
            await AnnualReport.update({**values, "status": "submitted", "updated_at": at}).where(
                AnnualReport.id == row["id"])
    return {"year": cleaned["year"]}


async def reports_of(principal: Principal) -> list[dict]:
    agency = await agency_of(principal.employer_id)
    if agency is None:
        return []
    rows = await AnnualReport.select().where(AnnualReport.agency == agency["id"]).order_by(AnnualReport.year,
                                                                                          ascending=False)
    return [{**r, "status_label": STATUS_LABELS[r["status"]]} for r in rows]


async def add_fair(principal: Principal, cleaned: dict[str, Any]) -> None:
    agency = await _own_agency(principal)
    async with write_transaction():
        await JobFair(agency=agency["id"], division_code=agency["division_code"], created_at=datetime.now(UTC),
                      **cleaned).save()


async def fairs_of(principal: Principal) -> list[dict]:
    agency = await agency_of(principal.employer_id)
    if agency is None:
        return []
    return await JobFair.select().where(JobFair.agency == agency["id"]).order_by(JobFair.held_on, ascending=False)


async def review_report(principal: Principal, report_id: int, action: str, opinion: str, *, ip: str = "") -> str:
    """查阅: 通过 (待查阅 → 通过) or 退回重填 (待查阅 or 通过 → 退回重填, with a reason); one conditional UPDATE."""
    clause = division_clause(principal, AnnualReport.division_code)
    if clause is None or not principal.can("hra.manage"):
        raise NotFoundException()
    row = await AnnualReport.select().where((AnnualReport.id == report_id) & clause).first()
    if row is None:
        raise NotFoundException()
    opinion = opinion.strip()
    if action == "pass":
        allowed, target = ("submitted",), "passed"
    elif action == "return":
        allowed, target = ("submitted", "passed"), "returned"
        if not opinion:
            raise Refused("请填写退回原因", "opinion")
    else:
        raise Refused("请选择查阅结果")
    if len(opinion) > 500:
        raise Refused("意见不超过500字", "opinion")
    async with write_transaction():
        done = await AnnualReport.update({AnnualReport.status: target, AnnualReport.opinion: opinion,
                                          AnnualReport.updated_at: datetime.now(UTC)}).where(
            (AnnualReport.id == report_id) & AnnualReport.status.is_in(list(allowed))).returning(AnnualReport.id)
    if not done:
        raise Refused("该年度报告的状态已变化，请刷新后再试")
    await audit.record(category="hr_agency", action=f"annual_report.{action}", actor=principal, ip=ip,
                       object_type="annual_report", object_id=report_id)
    return target


async def publicity_rows(principal: Principal) -> list[dict]:
    """导出公示信息: passed reports of the staff member's region; agency facts only, nothing personal."""
    clause = division_clause(principal, AnnualReport.division_code)
    if clause is None:
        return []
    return await AnnualReport.select(
        AnnualReport.agency.name.as_alias("name"), AnnualReport.agency.uscc.as_alias("uscc"), AnnualReport.year,
        AnnualReport.service_count, AnnualReport.revenue_fen, AnnualReport.employment_helped, AnnualReport.fairs_held,
    ).where(clause & (AnnualReport.status == "passed")).order_by(AnnualReport.year, ascending=False).order_by(
        AnnualReport.agency.name)



def publicity_workbook(rows: list[dict]) -> bytes:
    import tempfile
    from pathlib import Path

    from portal.dataservices.export import neutralise
    from portal.dataservices.xlsxstream import HEADER, MONEY, NUMBER, TEXT, SheetStream

    header = ["机构名称", "统一社会信用代码", "报告年度", "服务人次", "营业收入（元）", "帮助就业人数", "举办招聘会场次"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "publicity.xlsx"
        sheet = SheetStream(path, "年度报告公示信息", [36, 22, 10, 12, 16, 14, 14])
        sheet.rows([[(h, HEADER) for h in header]])
        sheet.rows([[(neutralise(r["name"]), TEXT), (r["uscc"], TEXT), (r["year"], NUMBER), (r["service_count"], NUMBER),
                     (r["revenue_fen"] / 100, MONEY), (r["employment_helped"], NUMBER), (r["fairs_held"], NUMBER)]
                    for r in rows])
        sheet.close()
        return path.read_bytes()
