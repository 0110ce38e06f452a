"""The workbench's 单位名称/申请人 search: through the trigram index or not, it finds exactly what a literal,
scoped substring test finds — on SQLite and on PostgreSQL — and the index follows every write to matter."""

from __future__ import annotations

import pytest

from portal.dataservices.keyset import PageRequest
from portal.db import current_engine, fetch, is_sqlite, write_transaction
from portal.workflow import engine, workbench
from portal.workflow.tables import Matter, MatterEvent, Message
from portal.workflow.workbench import queue_page
from tests.workflow.support import employer_with_principal, staff_principal

BLANK = {"kind": "", "state": "", "flag": "", "q": ""}
# Names with LIKE wildcards, the escape character, quotes, FTS5 query syntax, ASCII case and repeats.
NAMES = (
    "海口恒海文化传媒有限公司",
    "海口恒海贸易有限公司",
    "三亚恒通物流有限公司",
    "百分之50%_折扣商贸有限公司",
    "百分之50折扣商贸有限公司",
    "下划线_公司",
    'O\'Brien "双引号" 咨询有限公司',
    "反斜杠\\路径科技有限公司",
    "NEAR(星号*) AND 海口 OR 测试",
    "Alpha 软件开发有限公司",
    "ALPHA 软件开发有限公司",
    "恒恒恒恒恒服务中心",
    "海",
)
NEEDLES = (
    "恒", "海", "%", "_", "'", '"', "\\", "*", "(",                    # one character
    "恒海", "恒通", "50", "%_", "_公", "O'", "\\路", "ph",             # two
    "恒海文化", "有限公司", "50%_折", "0%_", "%_折扣", '"双引号"', "Brien \"",
    "NEAR(星", "AND 海口", "alpha 软件", "ALPHA", "恒恒恒", "恒恒恒恒恒恒",  # three and more
    "反斜杠\\路", "不存在的名称", "司",
)
STAFF = ["test.accept"]


def _ascii_lower(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def _reference(matters: list[dict], needle: str) -> set[int]:
    """The literal substring test (ASCII case folded, as both LIKE on SQLite and ILIKE on these names do)."""
    return {m["id"] for m in matters
            if _ascii_lower(needle) in _ascii_lower(m["applicant_name"]) or m["number"] == needle}


async def _all_ids(principal, needle: str) -> tuple[set[int], int]:
    page = await queue_page(principal, {**BLANK, "q": needle})
    ids = [r["id"] for r in page.rows]
    while page.next is not None:
        page = await queue_page(principal, {**BLANK, "q": needle}, PageRequest(after=page.next, number=page.number + 1))
        ids += [r["id"] for r in page.rows]
    assert len(ids) == len(set(ids)), f"{needle!r}: a row on two pages"
    return set(ids), page.total


@pytest.fixture
async def named_matters():
    """One waiting matter per name in 海口秀英 (460105), and the same names in 三亚 (460200)."""
    own, other = [], []
    for name in NAMES:
        for division, out in (("460105", own), ("460200", other)):
            _, applicant = await employer_with_principal(name=name, division_code=division)
            out.append(await engine.create_matter(applicant, "t_licence", payload={}, title="查询", submit=True))
    return own, other


@pytest.mark.parametrize("drive_limit, keys_limit", [(5000, 1000), (0, 1000), (5000, 0), (0, 0)],
                         ids=["trigram+keys", "like+keys", "trigram+walk", "like+walk"])
async def test_every_search_path_finds_exactly_the_literal_substring_in_scope(
        named_matters, monkeypatch, drive_limit, keys_limit):
    own, other = named_matters
    # Small pages, so the keyset walk and the count are exercised across page boundaries too.
    monkeypatch.setattr(workbench, "PAGE_SIZE", 2)
    monkeypatch.setattr(workbench, "FTS_DRIVE_LIMIT", drive_limit)
    monkeypatch.setattr(workbench, "KEYS_LIMIT", keys_limit)
    reviewer = staff_principal(1, STAFF, "460105")
    foreign = {m["id"] for m in other}
    for needle in NEEDLES:
        found, total = await _all_ids(reviewer, needle)
        assert found == _reference(own, needle), needle
        assert total == len(found), needle
        assert not found & foreign, needle


async def test_the_trigram_index_is_what_sqlite_uses_for_three_characters(named_matters, monkeypatch):
    if not is_sqlite(current_engine()):
        pytest.skip("the FTS5 table exists on SQLite only")
    statements: list[str] = []
    original = current_engine().run_querystring

    async def spy(querystring, *args, **kwargs):
        statements.append(str(querystring))
        return await original(querystring, *args, **kwargs)

    monkeypatch.setattr(current_engine(), "run_querystring", spy)
    reviewer = staff_principal(1, STAFF, "460105")
    await queue_page(reviewer, {**BLANK, "q": "恒海文化"})
    assert any("CROSS JOIN" in s and "MATCH" in s for s in statements)
    statements.clear()
    await queue_page(reviewer, {**BLANK, "q": "恒海"})
    assert not any("MATCH" in s for s in statements)


async def test_matter_number_finds_its_matter_only_inside_the_scope(named_matters):
    own, other = named_matters
    reviewer = staff_principal(1, STAFF, "460105")
    assert (await _all_ids(reviewer, own[3]["number"]))[0] == {own[3]["id"]}
    assert (await _all_ids(reviewer, other[3]["number"]))[0] == set()


async def test_scope_and_other_filters_stay_in_the_same_query(named_matters):
    own, other = named_matters
    province = staff_principal(1, STAFF, "460000")
    found, _ = await _all_ids(province, "恒海文化")
    assert found == {own[0]["id"], other[0]["id"]}
    # Another kind, another state: the name alone does not let a row through.
    page = await queue_page(province, {**BLANK, "q": "恒海文化", "kind": "t_review"})
    assert page.rows == [] and page.total == 0
    page = await queue_page(province, {**BLANK, "q": "恒海文化", "state": "approved"})
    assert page.rows == [] and page.total == 0
    nobody = staff_principal(1, ["test.review"], "460105")  # a permission for other kinds only
    assert (await queue_page(nobody, {**BLANK, "q": "恒海文化"})).rows == []


async def test_the_index_follows_inserts_renames_and_deletes(named_matters):
    own, _ = named_matters
    reviewer = staff_principal(1, STAFF, "460105")
    async with write_transaction():
        await Matter.update({Matter.applicant_name: "琼中新名字农业合作社"}).where(Matter.id == own[0]["id"])
    assert (await _all_ids(reviewer, "新名字农业"))[0] == {own[0]["id"]}
    assert own[0]["id"] not in (await _all_ids(reviewer, "恒海文化"))[0]
    async with write_transaction():
        await MatterEvent.delete().where(MatterEvent.matter == own[1]["id"])
        await Message.delete().where(Message.matter == own[1]["id"])
        await Matter.delete().where(Matter.id == own[1]["id"])
    assert (await _all_ids(reviewer, "恒海贸易"))[0] == set()
    if is_sqlite(current_engine()):
        # An external-content FTS5 table checks its index against matter itself.
        await fetch("INSERT INTO matter_name_fts(matter_name_fts) VALUES ('integrity-check')")
        rows = await fetch("SELECT COUNT(*) AS n FROM matter_name_fts WHERE matter_name_fts MATCH '\"新名字\"'")
        assert rows[0]["n"] == 1


@pytest.mark.parametrize("q", ['"', '""', "*", "NEAR(", "^", "-", ":", "a\"b", "(((", "\\", "%%%", "   x", "😀😀😀"])
async def test_any_typed_text_is_a_search_never_an_error(named_matters, q):
    reviewer = staff_principal(1, STAFF, "460105")
    page = await queue_page(reviewer, {**BLANK, "q": q})
    assert {r["id"] for r in page.rows} == _reference(named_matters[0], q)
