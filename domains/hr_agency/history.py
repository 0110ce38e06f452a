"""历史数据采集 (HRA-12): agencies that existed before the portal, with their licence and filing, imported from a
template in the manual's three steps: ① 文件检查 (the platform's upload checks), ② 数据检查 (the per-cell checks, then
the whole-file check below), ③ 确认导入 (portal.dataservices.imports.confirm_import: checked again, then written all
or none). Imported agencies carry source "history" and are then listed, edited and deleted in 机构管理."""

from __future__ import annotations

import asyncio
import json
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from domains.hr_agency import numbers, register, rules, service
from domains.hr_agency.effects import today
from domains.hr_agency.tables import Agency, Licence, ServiceFiling
from portal import audit
from portal.auth.principal import Principal
from portal.core import dictionary
from portal.dataservices.imports import Importer, ImportSteps
from portal.dataservices.spreadsheets import RowResult, SheetColumn, SheetSpec
from portal.db import bulk_insert, current_engine, fetch, reserve_ids
from portal.workflow.numbers import advance_sequences

ACTIVE, ENDED = "正常", "已注销"
SEPARATORS = re.compile(r"[、,，;；\s]+")

HISTORY = SheetSpec(
    name="hra_history",
    title="人力资源服务机构历史数据导入模板",
    columns=(
        SheetColumn("name", "机构名称", max_len=200, width=28, example="海南某某人力资源服务有限公司"),
        SheetColumn("uscc", "统一社会信用代码", "uscc", width=22, example="91460105MA5T00011X"),
        SheetColumn("legal_rep", "法定代表人", max_len=40, width=12, example="张三"),
        SheetColumn("division_code", "所在地区", "choice", category="division", width=16,
                    help="从下拉列表选择，也可填写行政区划代码", example="秀英区"),
        SheetColumn("address", "办公地址", max_len=200, width=28, example="海口市秀英区某某路1号"),
        SheetColumn("agency_type", "机构类型", "choice", category="hra_agency_type", width=18,
                    example="经营性人力资源服务机构"),
        SheetColumn("contact_name", "联系人", max_len=40, required=False, width=12, example="李四"),
        SheetColumn("contact_phone", "联系电话", "phone", required=False, width=16, example="0898-66668888"),
        SheetColumn("licence_no", "许可证编号", max_len=60, required=False, width=30,
                    help="取得人力资源服务许可的填写，格式如（琼）人服证字〔2019〕第4601050001号",
                    example="（琼）人服证字〔2019〕第4601050001号"),
        SheetColumn("licence_on", "发证日期", "date", required=False, width=14, example="2019-03-01"),
        SheetColumn("valid_until", "许可有效期至", "date", required=False, width=14,
                    help="留空按发证日期起5年计", example="2024-02-29"),
        SheetColumn("licence_services", "许可事项", max_len=400, required=False, width=30,
                    help="职业中介活动事项，多项用“、”分隔", example="为劳动者介绍用人单位、为用人单位推荐劳动者"),
        SheetColumn("filing_no", "备案编号", max_len=60, required=False, width=28,
                    help="办理业务备案的填写，格式如琼人服备〔2020〕4601050001号", example=""),
        SheetColumn("filed_on", "备案日期", "date", required=False, width=14, example=""),
        SheetColumn("filing_services", "备案事项", max_len=400, required=False, width=30,
                    help="职业中介以外的服务事项，多项用“、”分隔", example=""),
        SheetColumn("status", "机构状态", "choice", choices=(ACTIVE, ENDED), width=10, example=ACTIVE),
        SheetColumn("ended_on", "注销日期", "date", required=False, width=14, help="机构状态为已注销的必填",
                    example=""),
    ),
    instructions=(
        "每行填写一个已存在的人力资源服务机构；许可证编号和备案编号至少填写一项，填写了哪一项就要填写它的日期和事项。",
        "许可事项、备案事项按字典中的名称填写，多项用“、”分隔：许可事项只能是职业中介活动事项，其余事项办理备案。",
        "已在系统中的机构（统一社会信用代码相同）、已被使用的许可证编号或备案编号不能重复导入；只能导入本辖区的机构。",
        "上传后先检查数据，核对检查结果后再点击“确认导入”；未通过的行不导入，可下载失败数据修改后另行上传。",
    ),
    unique=(("uscc",), ("licence_no",), ("filing_no",)),
)


# -- the pure rules (tested from a table in tests/hr_agency/test_history_rules.py) ---------------------------


@lru_cache(maxsize=16)
def number_pattern(fmt: str) -> re.Pattern[str]:
    """A number format of the dictionary (`（琼）人服证字〔{year}〕第{division}{seq:04d}号`) as a regex whose
    groups are the year, the division and the sequence."""
    parts = []
    for literal, name, spec, _ in string.Formatter().parse(fmt):
        parts.append(re.escape(literal))
        if name == "year":
            parts.append(r"(?P<year>\d{4})")
        elif name == "division":
            parts.append(r"(?P<division>\d{6})")
        elif name == "seq":
            width = re.search(r"\d+", spec or "")
            parts.append(rf"(?P<seq>\d{{{int(width.group()) if width else 1},}})")
    return re.compile("".join(parts) + r"\Z")


def number_example(fmt: str) -> str:
    return fmt.format(year=2019, division="460105", seq=1)


@dataclass(frozen=True)
class Context:
    """What the row rules need from the dictionary: service labels (and codes) → (code, licensed), number formats."""

    services: dict[str, tuple[str, bool]]
    licence_format: str
    filing_format: str
    today: date
    # A file repeats a few service combinations: each is parsed once (a tenth of the check of 10,000 rows).
    parsed: dict[tuple[str, bool], tuple[list[str], str | None]] = field(default_factory=dict, compare=False)


def parse_services(text: str | None, ctx: Context, *, licensed: bool, label: str) -> tuple[list[str], str | None]:
    """Codes of a 许可事项/备案事项 cell, or the reason it is refused."""
    key = (text or "", licensed)
    if key not in ctx.parsed:
        ctx.parsed[key] = _parse_services(text, ctx, licensed=licensed, label=label)
    codes, reason = ctx.parsed[key]
    return list(codes), reason


def _parse_services(text: str | None, ctx: Context, *, licensed: bool, label: str) -> tuple[list[str], str | None]:
    names = [n for n in SEPARATORS.split(text or "") if n]
    unknown = [n for n in names if n not in ctx.services]
    if unknown:
        return [], f"{label}“{unknown[0]}”不在服务事项字典中"
    codes = list(dict.fromkeys(ctx.services[n][0] for n in names))
    if licensed and any(not ctx.services[n][1] for n in names):
        return [], "许可事项只能填写职业中介活动事项，其他事项请填写在备案事项中"
    if not licensed and any(ctx.services[n][1] for n in names):
        return [], "职业中介活动事项须取得许可，不能填写在备案事项中"
    return codes, None


def _number_reason(number: str, day: date | None, fmt: str, label: str, day_label: str) -> str | None:
    found = number_pattern(fmt).match(number)
    if not found:
        return f"{label}格式不正确，应如{number_example(fmt)}"
    if "year" in found.groupdict() and day and int(found["year"]) != day.year:
        return f"{label}中的年份（{found['year']}）与{day_label}（{day.year}年）不一致"
    return None


def row_reasons(d: dict[str, Any], ctx: Context) -> list[str]:
    """The rules of one row once its cells passed the per-cell checks; leaves the services' codes in
    `d["_licence_services"]` / `d["_filing_services"]` for the writer."""
    reasons: list[str] = []
    has_licence, has_filing = bool(d.get("licence_no")), bool(d.get("filing_no"))
    if not has_licence and not has_filing:
        reasons.append("许可证编号和备案编号至少填写一项")
    for present, number_key, day_key, services_key, label, day_label, fmt, licensed in (
        (has_licence, "licence_no", "licence_on", "licence_services", "许可证编号", "发证日期", ctx.licence_format, True),
        (has_filing, "filing_no", "filed_on", "filing_services", "备案编号", "备案日期", ctx.filing_format, False),
    ):
        services_label = "许可事项" if licensed else "备案事项"
        if not present:
            if d.get(day_key) or d.get(services_key) or (licensed and d.get("valid_until")):
                reasons.append(f"填写了{day_label}或{services_label}的，应填写{label}")
            continue
        day = d.get(day_key)
        if not day:
            reasons.append(f"填写了{label}的，{day_label}不能为空")
        elif day > ctx.today:
            reasons.append(f"{day_label}不能晚于今天")
        if reason := _number_reason(d[number_key], day, fmt, label, day_label):
            reasons.append(reason)
        if not d.get(services_key):
            reasons.append(f"填写了{label}的，{services_label}不能为空")
        else:
            codes, reason = parse_services(d[services_key], ctx, licensed=licensed, label=services_label)
            if reason:
                reasons.append(reason)
            d[f"_{services_key}"] = codes
    if has_licence and d.get("valid_until") and d.get("licence_on") and d["valid_until"] <= d["licence_on"]:
        reasons.append("许可有效期至应晚于发证日期")
    ended = d.get("ended_on")
    if d.get("status") == ENDED:
        if not ended:
            reasons.append("机构状态为已注销的，注销日期不能为空")
        elif ended > ctx.today:
            reasons.append("注销日期不能晚于今天")
        elif any(d.get(k) and ended < d[k] for k in ("licence_on", "filed_on")):
            reasons.append("注销日期不能早于发证日期或备案日期")
    elif ended:
        reasons.append("机构状态为正常的，注销日期应留空")
    return reasons


def used_sequences(rows: Iterable[dict[str, Any]], ctx: Context) -> dict[str, int]:
    """The counters (numbers.sequence_prefix) the rows' 许可证编号 and 备案编号 belong to, each with the highest
    sequence the rows use: the writer moves the counters there, so an approval goes on after them. A format without
    {year} or {division} takes the date's year and the agency's issuing county, as an approval would."""
    top: dict[str, int] = {}
    for d in rows:
        for code, key, day_key, fmt in (("licence", "licence_no", "licence_on", ctx.licence_format),
                                        ("filing", "filing_no", "filed_on", ctx.filing_format)):
            found = number_pattern(fmt).match(d.get(key) or "")
            groups = found.groupdict() if found else {}
            if not found or not (groups.get("year") or d.get(day_key)):
                continue  # a number row_reasons refuses
            year = int(groups["year"]) if groups.get("year") else d[day_key].year
            division = groups.get("division") or rules.issuing_division(d.get("division_code") or "")
            prefix = numbers.sequence_prefix(code, division, year)
            top[prefix] = max(top.get(prefix, 0), int(groups["seq"]))
    return top


# -- the whole-file check and the writer ----------------------------------------------------------------------

CHUNK = 500


async def context() -> Context:
    services: dict[str, tuple[str, bool]] = {}
    for e in await dictionary.entries("hra_service"):
        value = (e.code, bool(json.loads(e.extra or "{}").get("licensed")))
        services[e.label] = services[e.code] = value
    return Context(services=services, licence_format=await numbers.number_format("licence"),
                   filing_format=await numbers.number_format("filing"), today=today())


async def _taken(sql: str, values: list[str]) -> set[str]:
    """Which of `values` the statement finds, asked IN chunks of CHUNK (one query per chunk, not per row)."""
    found: set[str] = set()
    for start in range(0, len(values), CHUNK):
        part = values[start:start + CHUNK]
        marks = ", ".join("{}" for _ in part)
        found.update(r["v"] for r in await fetch(sql.format(marks=marks), *part))
        await asyncio.sleep(0)  # other requests run between chunks of a big file
    return found


def checker(principal: Principal):
    async def check(rows: list[RowResult]) -> None:
        confirming = current_engine().transaction_exists()
        if confirming:
            # ③ 确认导入 (confirm_import's transaction): a second confirm or 机构管理 add naming one of these codes or
            # numbers waits here until this one has written, then finds them taken (row reasons, not a duplicate)
            await service.lock_identifiers([v for r in rows for k in ("uscc", "licence_no", "filing_no")
                                            if (v := r.data.get(k))])
        ctx = await context()
        if confirming:
            # Lock the counters of these numbers: an approval drawing one of them now is waited for, so the check
            # below sees its number (a row reason, not a unique violation); one starting later waits for this
            # import and continues after its numbers.
            await advance_sequences(dict.fromkeys(used_sequences((r.data for r in rows), ctx), 0))
        covered: dict[str, bool] = {}
        for row in rows:
            row.reasons.extend(row_reasons(row.data, ctx))
            division = row.data["division_code"]
            if division not in covered:
                covered[division] = principal.covers_division(division)
            if not covered[division]:
                row.reasons.append("所在地区不在您的管辖范围内，只能导入本辖区的机构")
        live = await _taken("SELECT uscc AS v FROM hra_agency WHERE status <> 'deleted' AND uscc IN ({marks})",
                            [r.data["uscc"] for r in rows])
        licences = await _taken("SELECT licence_no AS v FROM hra_licence WHERE licence_no IN ({marks})",
                                [r.data["licence_no"] for r in rows if r.data.get("licence_no")])
        filings = await _taken("SELECT filing_no AS v FROM hra_filing WHERE filing_no IN ({marks})",
                               [r.data["filing_no"] for r in rows if r.data.get("filing_no")])
        for row in rows:
            d = row.data
            if d["uscc"] in live:
                row.reasons.append("该统一社会信用代码的机构已在系统中（可在机构管理中查看）")
            if d.get("licence_no") in licences:
                row.reasons.append("许可证编号已被系统中的其他许可使用")
            if d.get("filing_no") in filings:
                row.reasons.append("备案编号已被系统中的其他备案使用")

    return check


async def _labels() -> dict[str, str]:
    return {e.code: e.label for e in await dictionary.entries("hra_service", include_disabled=True)}


def plan(rows: list[RowResult], ids: list[int], labels: dict[str, str], at: datetime) -> dict[str, list[dict]]:
    """The rows to insert: one agency per row with its licence and filing (revoked when the agency is 已注销)."""
    order = {code: i for i, code in enumerate(labels)}
    agencies, licences, filings = [], [], []
    for row, agency_id in zip(rows, ids, strict=True):
        d = row.data
        ended = d.get("status") == ENDED
        status = "revoked" if ended else "valid"
        revoked = {"revoked_on": d.get("ended_on") if ended else None,
                   "revoke_reason": "历史数据：机构已注销" if ended else ""}
        codes: set[str] = set()
        if d.get("licence_no"):
            issued = d["licence_on"]
            licences.append({
                "agency": agency_id, "licence_no": d["licence_no"], "doc_no": f"历史数据-{d['licence_no']}"[:60],
                "division_code": d["division_code"], "services": json.dumps(d["_licence_services"]),
                "issued_on": issued, "valid_until": d.get("valid_until") or rules.licence_valid_until(issued),
                "status": status, "created_at": at, **revoked})
            codes.update(d["_licence_services"])
        if d.get("filing_no"):
            filings.append({
                "agency": agency_id, "filing_no": d["filing_no"], "division_code": d["division_code"],
                "services": json.dumps(d["_filing_services"]), "filed_on": d["filed_on"], "status": status,
                "created_at": at, **revoked})
            codes.update(d["_filing_services"])
        shown = [] if ended else sorted(codes, key=lambda c: order.get(c, len(order)))
        agencies.append({
            "id": agency_id, "employer": None, "name": d["name"], "uscc": d["uscc"], "legal_rep": d["legal_rep"],
            "address": d["address"], "division_code": d["division_code"], "agency_type": d["agency_type"],
            "contact_name": d.get("contact_name") or "", "contact_phone": d.get("contact_phone") or "",
            "services": json.dumps(shown), "services_label": "、".join(labels.get(c, c) for c in shown),
            "source": "history", "status": "deregistered" if ended else "active", "created_at": at, "updated_at": at})
    return {"agencies": agencies, "licences": licences, "filings": filings}


def writer(principal: Principal, ip: str):
    """Inside confirm_import()'s transaction: ids reserved, three multi-row inserts, the 名录 rows, one audit row."""
    async def write(rows: list[RowResult]) -> None:
        at = datetime.now(UTC)
        planned = plan(rows, await reserve_ids(Agency, len(rows)), await _labels(), at)
        await bulk_insert(Agency, planned["agencies"])
        # licence ids are not referred to: the database numbers them
        await bulk_insert(Licence, planned["licences"])
        await bulk_insert(ServiceFiling, planned["filings"])
        # the numbers' counters past them, in this transaction: the next approval does not issue one again
        await advance_sequences(used_sequences((r.data for r in rows), await context()))
        await register.refresh(a["id"] for a in planned["agencies"])
        await audit.record(category="hr_agency", action="history.import", actor=principal, ip=ip,
                           object_type="agency", detail={"agencies": len(rows), "licences": len(planned["licences"]),
                                                         "filings": len(planned["filings"])})

    return write


HISTORY_IMPORT = Importer("hra_history", HISTORY, lambda principal, ip: ImportSteps(
    writer(principal, ip), batch_check=checker(principal)), confirm=True)
