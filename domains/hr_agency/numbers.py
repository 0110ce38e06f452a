"""许可证编号, 文号 and 备案编号: formats from the reference dictionary (category hra_number_format), one counter
per number kind, issuing division and year. The counter is the workflow's atomic upsert, taken inside the
approval's transaction: a rolled-back approval rolls its number back too, so there are no gaps and no duplicates."""

from __future__ import annotations

import json

from portal.core import dictionary
from portal.workflow.numbers import next_sequence

CATEGORY = "hra_number_format"


class NumberFormatMissing(LookupError):
    pass


async def number_format(code: str) -> str:
    for entry in await dictionary.entries(CATEGORY):
        if entry.code == code:
            fmt = json.loads(entry.extra or "{}").get("format", "")
            if fmt:
                return fmt
    raise NumberFormatMissing(f"字典 {CATEGORY} 缺少编号格式 {code}")


def sequence_prefix(code: str, division: str, year: int) -> str:
    return f"hra:{code}:{division}:{year}"


async def issue_number(code: str, division: str, year: int) -> str:
    """The next number of `code` for the issuing `division` (6-digit county code) and `year`.
    Call it inside the caller's write_transaction."""
    fmt = await number_format(code)
    seq = await next_sequence(sequence_prefix(code, division, year))
    return fmt.format(year=year, division=division, seq=seq)
