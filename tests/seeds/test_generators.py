"""The scale generators: valid 统一社会信用代码 and 身份证号, plausible values, deterministic for a seed."""

from __future__ import annotations

import re
from datetime import date

from portal.validators import id_birth_date, id_gender, id_number_error, uscc_error, uscc_org_code
from seeds import names
from seeds.scale import FALLBACK_DIVISIONS, TODAY, generate_employers, generate_persons

_HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def test_employers_have_valid_unique_codes_and_plausible_fields():
    rows = list(generate_employers(3000, seed=7, divisions=FALLBACK_DIVISIONS))
    usccs = [r["uscc"] for r in rows]
    assert len(set(usccs)) == len(usccs)
    for r in rows:
        assert uscc_error(r["uscc"]) is None, r["uscc"]
        assert r["org_code"] == uscc_org_code(r["uscc"])
        assert r["uscc"][2:8] == r["division_code"] and r["division_code"] in FALLBACK_DIVISIONS
        assert id_number_error(r["legal_rep_id_number"], today=TODAY) is None
        assert id_number_error(r["agent_id_number"], today=TODAY) is None
        assert _HAN_NAME.match(r["legal_rep"]) and _HAN_NAME.match(r["agent_name"])
        assert r["name"].startswith(names.city_of(r["division_code"]))
        assert re.fullmatch(r"1[3-9]\d{9}", r["contact_phone"])
    # Spread over the divisions, weighted: every county appears, Haikou's districts more than 五指山.
    per_division = {d: sum(r["division_code"] == d for r in rows) for d in FALLBACK_DIVISIONS}
    assert min(per_division.values()) > 0
    assert per_division["460106"] > 5 * per_division["469001"]
    kinds = {r["uscc"][:2] for r in rows}
    assert {"91", "12", "11", "52"} <= kinds


def test_persons_have_valid_unique_ids_consistent_with_birth_and_gender():
    rows = list(generate_persons(20_000, seed=7, divisions=FALLBACK_DIVISIONS))
    ids = [r["id_number"] for r in rows]
    assert len(set(ids)) == len(ids)
    for r in rows:
        assert id_number_error(r["id_number"], today=TODAY) is None, r["id_number"]
        assert id_birth_date(r["id_number"]) == r["birth_date"]
        assert id_gender(r["id_number"]) == r["gender"]
        age = (TODAY - r["birth_date"]).days / 365.25
        assert 18 <= age < 64, r
        assert _HAN_NAME.match(r["name"]), r["name"]
    # Most were born in Hainan, some elsewhere (migrant workers); both genders are present.
    hainan = sum(i.startswith("46") for i in ids) / len(ids)
    assert 0.7 < hainan < 0.95
    assert 0.4 < sum(r["gender"] == "男" for r in rows) / len(rows) < 0.65


def test_surnames_follow_the_weighted_list():
    rows = list(generate_persons(20_000, seed=3, divisions=FALLBACK_DIVISIONS))
    first = [r["name"][0] for r in rows]
    chen, shangguan = first.count("陈"), sum(r["name"].startswith("上官") for r in rows)
    assert chen > 1000 and shangguan < 20  # 陈 leads in Hainan; compound surnames are rare


def test_generators_are_deterministic_for_a_seed_and_differ_between_seeds():
    a = list(generate_persons(500, seed=11, divisions=FALLBACK_DIVISIONS))
    b = list(generate_persons(500, seed=11, divisions=FALLBACK_DIVISIONS))
    c = list(generate_persons(500, seed=12, divisions=FALLBACK_DIVISIONS))
    assert a == b and a != c
    e1 = list(generate_employers(300, seed=11, divisions=FALLBACK_DIVISIONS))
    e2 = list(generate_employers(300, seed=11, divisions=FALLBACK_DIVISIONS))
    e3 = list(generate_employers(300, seed=12, divisions=FALLBACK_DIVISIONS))
    assert e1 == e2
    assert not {e["uscc"] for e in e1} & {e["uscc"] for e in e3}  # two seeds can share one database


def test_birth_dates_are_in_the_past_and_plausible():
    rows = list(generate_persons(2000, seed=5, divisions={"460105": 1}))
    assert all(date(1960, 1, 1) < r["birth_date"] < date(2009, 1, 1) for r in rows)
    assert {r["division_code"] for r in rows} == {"460105"}
