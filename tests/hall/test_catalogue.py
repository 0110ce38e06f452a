"""The hall's catalogue rules: grouping, search, the default tab, and the declarations' checks."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from portal.areas import Area, Service, service_catalogue
from portal.hall import catalogue

LICENCE = SimpleNamespace(name="人力资源服务许可（行政许可）", guide_text="从事职业中介活动须取得许可",
                          materials=(SimpleNamespace(label="营业执照"),))
SERVICES = [
    Service("p_cert", "参保证明打印", "r1", "person", "社会保险", summary="开具参保证明", order=1),
    Service("e_new", "劳动合同新订备案", "r2", "employer", "劳动关系", summary="新签备案", keywords="新签", order=2),
    Service("e_lic", "人力资源服务许可", "r3", "employer", "人力资源服务", kind="lic", order=3),
    Service("p_mine", "我的办件", "r4", "person", "办件服务", guide="查看全部办件，补正材料", order=4),
    Service("e_mine", "我的办件", "r4", "employer", "办件服务", order=5),
    Service("e_excel", "批量备案", "r5", "employer", "劳动关系", keywords="Excel 导入", order=6),
]


def kinds(code: str):
    return LICENCE if code == "lic" else None


@pytest.mark.parametrize(("query", "expected"), [
    ("参保证明", ["p_cert"]),
    ("我的办件", ["p_mine", "e_mine"]),             # both audiences: 个人 first
    ("新签", ["e_new"]),                            # keyword
    ("营业执照", ["e_lic"]),                        # only in the matter kind's materials (the guide)
    ("职业中介", ["e_lic"]),                        # only in the kind's guide text
    ("补正", ["p_mine"]),                           # the service's own guide
    ("ｅｘｃｅｌ", ["e_excel"]),                     # full-width letters and case fold
    ("劳动 新订", ["e_new"]),                       # every word must match
    ("劳动 证明", []),
    ("   ", []),
    ("社会保险", ["p_cert"]),                       # the theme
])
def test_search_finds_services_by_name_keywords_and_guides(query, expected):
    assert [h.service.code for h in catalogue.search(SERVICES, query, kinds)] == expected


def test_search_lists_name_matches_before_guide_matches():
    services = [Service("a", "材料补正说明", "r", "employer", "t", guide="", order=9),
                Service("b", "我的办件", "r", "person", "t", guide="补正", order=1)]
    hits = catalogue.search(services, "补正", kinds)
    assert [(h.service.code, h.in_name) for h in hits] == [("a", True), ("b", False)]


def test_by_theme_keeps_the_declared_order_per_audience():
    themes = catalogue.by_theme(SERVICES, "employer")
    assert [(t.name, [s.code for s in t.services]) for t in themes] == [
        ("劳动关系", ["e_new", "e_excel"]), ("人力资源服务", ["e_lic"]), ("办件服务", ["e_mine"])]


@pytest.mark.parametrize(("principal", "asked", "expected"), [
    (None, "", "person"), (None, "employer", "employer"), (None, "staff", "person"),
    (SimpleNamespace(kind="employer"), "", "employer"), (SimpleNamespace(kind="employer"), "person", "person"),
    (SimpleNamespace(kind="staff"), "", "person"),
])
def test_default_tab(principal, asked, expected):
    assert catalogue.default_audience(principal, asked) == expected


def test_service_codes_must_not_repeat_and_audiences_must_be_known():
    a = Area(name="a", services=[SERVICES[0]])
    assert [s.code for s in service_catalogue([a, Area(name="b", services=[SERVICES[1]])])] == ["p_cert", "e_new"]
    with pytest.raises(ValueError, match="repeat"):
        service_catalogue([a, Area(name="c", services=[SERVICES[0]])])
    with pytest.raises(ValueError, match="audience"):
        service_catalogue([Area(name="d", services=[Service("x", "x", "r", "staff", "t")])])
