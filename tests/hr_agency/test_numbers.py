"""许可证编号 / 文号 / 备案编号: formats from reference data; one gap-free sequence per kind, division and year."""

from __future__ import annotations

import asyncio

import pytest

from domains.hr_agency.numbers import issue_number
from portal.db import write_transaction


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
