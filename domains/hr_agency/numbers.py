"""许可证编号, 文号 and 备案编号: formats from the reference dictionary (category hra_number_format), one counter
per number kind, issuing division and year. The counter is the workflow's atomic upsert, taken inside the
approval's transaction: a rolled-back approval rolls its number back too, so there are no gaps and no duplicates.
Numbers that came in without the counter (历史数据采集) move it past themselves (history.py); an approval still
skips any number already in the tables, so one that came in some other way (an import before counters were moved,
SQL by hand) cannot fail the approval on the unique index."""

from __future__ import annotations

import json
import string

from domains.hr_agency.tables import Licence, ServiceFiling
from portal.core import dictionary
from portal.refusal import Refused
from portal.workflow.numbers import next_sequence

CATEGORY = "hra_number_format"
# The column each kind of number is unique in.
UNIQUE_IN = {"licence": (Licence, Licence.licence_no), "licence_doc": (Licence, Licence.doc_no),
             "filing": (ServiceFiling, ServiceFiling.filing_no)}
FIELDS = frozenset({"year", "division", "seq"})


class NumberFormatMissing(Refused):
    """The format is missing or unusable: an administrator's dictionary edit, so the approval is refused with a
    message naming the entry (and rolled back with its number) instead of failing as 系统繁忙."""


def format_problem(fmt: str) -> str | None:
    """Why `fmt` cannot number anything, or None. Only {year}, {division} and {seq} (with format specs) may appear."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(fmt) if name is not None}
        if unknown := names - FIELDS:
            return f"含有未知的占位符 {{{sorted(unknown)[0]}}}（只可使用 {{year}}、{{division}}、{{seq}}）"
        if "seq" not in names:
            return "缺少序号占位符 {seq}"
        fmt.format(year=2026, division="460100", seq=1)
    except (ValueError, IndexError, KeyError):
        return "大括号不成对或格式说明有误"
    return None


async def number_format(code: str) -> str:
    for entry in await dictionary.entries(CATEGORY):
        if entry.code == code:
            fmt = json.loads(entry.extra or "{}").get("format", "")
            if fmt and (problem := format_problem(fmt)):
                raise NumberFormatMissing(f"编号格式“{entry.label}”配置有误：{problem}。请联系系统管理员在字典中修正后再办理。")
            if fmt:
                return fmt
    raise NumberFormatMissing(f"字典中缺少编号格式 {code}，请联系系统管理员补充后再办理。")


def sequence_prefix(code: str, division: str, year: int) -> str:
    return f"hra:{code}:{division}:{year}"


async def issue_number(code: str, division: str, year: int) -> str:
    """The next number of `code` for the issuing `division` (6-digit county code) and `year`.
    Call it inside the caller's write_transaction."""
    fmt = await number_format(code)
    prefix = sequence_prefix(code, division, year)
    while True:
        number = fmt.format(year=year, division=division, seq=await next_sequence(prefix))
        table, column = UNIQUE_IN[code]
        if not await table.exists().where(column == number):
            return number
