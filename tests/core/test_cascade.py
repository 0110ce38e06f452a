"""Tree categories of the dictionary chosen level by level (issue 14 §18): the chain rule, the levels shown, the
dictionary API behind the htmx cascade, and the GB/T 4754-2017 seed."""

from __future__ import annotations

from collections import Counter

import pytest

from portal.core import dictionary
from portal.forms import FieldError, TreeChoiceField
from seeds.reference import REFERENCE_DIR, read_category
from tests.support.factories import make_employer

DIVISION = TreeChoiceField("division_code", "行政区划", category="division", min_depth=3)
INDUSTRY = TreeChoiceField("industry", "所属行业", category="industry")


@pytest.mark.parametrize(("category", "path", "chain"), [
    ("division", ["460105"], ["460000", "460100", "460105"]),  # a stored value brings its ancestors
    ("division", ["460000", "460100", "460105"], ["460000", "460100", "460105"]),
    ("division", ["460000", "460200", "460105"], ["460000", "460200"]),  # 秀英区 is not under 三亚: stale, dropped
    ("division", ["460000", "", "460105"], ["460000"]),  # empty selects are skipped; 460105 is no child of 460000
    ("division", ["nope"], []),
    ("division", [], []),
    ("industry", ["I6513"], ["I", "I65", "I651", "I6513"]),
])
async def test_chain(category, path, chain):
    assert await dictionary.chain(category, path) == chain


@pytest.mark.parametrize(("field", "raw", "result"), [
    (DIVISION, "460000|460100|460105", "460105"),
    (DIVISION, "460105", "460105"),
    (DIVISION, "460100", "请继续选择行政区划的县（市、区）"),
    (DIVISION, "460000|460200|460105", "请继续选择行政区划的县（市、区）"),
    (DIVISION, "999999", "请从列表中选择行政区划"),
    (INDUSTRY, "C", "C"),  # any level of GB/T 4754 is a valid 所属行业
    (INDUSTRY, "C|C13", "C13"),
    (INDUSTRY, "C|C13|C131|C1311", "C1311"),
    (INDUSTRY, "C|I65", "C"),
    (INDUSTRY, "<script>", "请从列表中选择所属行业"),
])
async def test_clean(field, raw, result):
    try:
        assert await field.clean(raw) == result
    except FieldError as exc:
        assert str(exc) == result


async def test_levels_show_every_choice_and_the_next_one():
    levels = await DIVISION.levels("")
    assert [lv.label for lv in levels] == ["省", "市"]  # the one province is chosen for the user
    assert levels[0].selected == "460000" and levels[1].selected == ""
    levels = await DIVISION.levels("460105")
    assert [lv.selected for lv in levels][:3] == ["460000", "460100", "460105"]
    industry = await INDUSTRY.levels("C|C13")
    assert [lv.label for lv in industry] == ["门类", "大类", "中类"]
    assert len(industry[0].options) == 20 and ("C131", "谷物磨制") in industry[2].options
    assert [lv.label for lv in await INDUSTRY.levels("C|C13|C131|C1311")] == ["门类", "大类", "中类", "小类"]


async def test_the_dictionary_api_answers_the_levels(client):
    employer = await make_employer()
    assert (await client.get("/dictionary/industry/cascade?_field=industry&industry=C")).status_code in (303, 401)
    await client.sign_in("employer", employer_id=employer["id"], acting_role="legal_rep")
    page = await client.page("/dictionary/industry/cascade?_field=industry&industry=C&industry=C13", htmx=True)
    selects = page.select("select[name=industry]")
    assert [s["id"] for s in selects] == ["f-industry-1", "f-industry-2", "f-industry-3"]
    assert selects[1].find("option", selected=True)["value"] == "C13"
    assert (await client.get("/dictionary/squad/cascade?_field=x")).status_code == 404
    assert (await client.get("/dictionary/industry/cascade?_field=a%22b")).status_code == 400


def test_the_industry_seed_is_gb_t_4754_2017():
    rows = read_category(REFERENCE_DIR / "industry.csv")
    codes = {r["code"]: r for r in rows}
    assert Counter(len(c) for c in codes) == {1: 20, 3: 97, 4: 473, 5: 1381}
    assert all(not r["parent_code"] or r["parent_code"] in codes for r in rows)
    assert all(r["code"].startswith(r["parent_code"]) for r in rows)
    assert codes["C3741"]["label"] == "飞机制造" and codes["I6513"]["label"] == "应用软件开发"
    with (REFERENCE_DIR / "industry.csv").open(encoding="utf-8") as fh:
        assert fh.readline().startswith("# 国民经济行业分类 GB/T 4754-2017")  # the source is cited
