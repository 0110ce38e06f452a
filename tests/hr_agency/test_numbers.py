"""许可证编号 / 文号 / 备案编号: formats from reference data; one gap-free sequence per kind, division and year."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from domains.hr_agency.numbers import issue_number
from domains.hr_agency.tables import Licence, ServiceFiling
from portal.db import write_transaction
from tests.hr_agency.factories import make_agency


async def test_ten_concurrent_approvals_get_ten_consecutive_numbers(app):
    async def one(division: str) -> str:
        async with write_transaction():
            return await issue_number("licence", division, 2026)

    numbers = await asyncio.gather(*(one("460105") for _ in range(10)), *(one("460200") for _ in range(3)))
    haikou, sanya = numbers[:10], numbers[10:]
    assert sorted(haikou) == [f"（琼）人服证字〔2026〕第460105{n:04d}号" for n in range(1, 11)]
    # Another issuing division (and another year) counts on its own.
    assert sorted(sanya) == [f"（琼）人服证字〔2026〕第460200{n:04d}号" for n in range(1, 4)]
    async with write_transaction():
        assert await issue_number("licence", "460105", 2027) == "（琼）人服证字〔2027〕第4601050001号"
        assert await issue_number("filing", "460105", 2026) == "琼人服备〔2026〕4601050001号"


async def test_a_rolled_back_approval_leaves_no_gap(app):
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with write_transaction():
            assert (await issue_number("licence_doc", "460100", 2026)).endswith("-1号")
            raise Boom
    async with write_transaction():
        assert await issue_number("licence_doc", "460100", 2026) == "琼人社许〔2026〕460100-1号"


async def test_a_number_already_in_the_tables_is_skipped(app):
    """A number that came in without its counter (an import from before counters were moved, SQL by hand) is not
    issued again: the approval takes the next free one instead of failing on the unique index."""
    agency = await make_agency(division="460105")
    await Licence.update({Licence.licence_no: "（琼）人服证字〔2026〕第4601050001号",
                          Licence.doc_no: "琼人社许〔2026〕460105-2号"}).where(Licence.id == agency["licence_id"])
    await ServiceFiling(agency=agency["id"], filing_no="琼人服备〔2026〕4601050001号", division_code="460105",
                        services='["F02"]', filed_on=date(2026, 1, 5), created_at=datetime.now(UTC)).save()
    async with write_transaction():
        assert await issue_number("licence", "460105", 2026) == "（琼）人服证字〔2026〕第4601050002号"
        assert await issue_number("licence_doc", "460105", 2026) == "琼人社许〔2026〕460105-1号"
        assert await issue_number("licence_doc", "460105", 2026) == "琼人社许〔2026〕460105-3号"
        assert await issue_number("filing", "460105", 2026) == "琼人服备〔2026〕4601050002号"
