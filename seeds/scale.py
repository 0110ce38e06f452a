"""Province-sized deterministic data (python -m seeds scale): employers, persons, contracts, matters, bulk-loaded."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from portal.validators import id_check_digit, org_check_digit, uscc_check_digit
from seeds import names

TODAY = date(2026, 11, 23)  # fixed, so a seed gives the same data whichever day it runs
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

# County-level codes of Hainan with a rough weight by employment; used when the division dictionary is empty.
FALLBACK_DIVISIONS: dict[str, int] = {
    "460105": 12,
    "460106": 16,
    "460107": 12,
    "460108": 14,
    "460202": 5,
    "460203": 6,
    "460204": 5,
    "460205": 4,
    "460400": 8,
    "469001": 1,
    "469002": 4,
    "469005": 4,
    "469006": 3,
    "469007": 3,
    "469021": 2,
    "469022": 1,
    "469023": 4,
    "469024": 2,
    "469025": 1,
    "469026": 1,
    "469027": 2,
    "469028": 2,
    "469029": 1,
    "469030": 1,
}
# Birthplaces outside Hainan for the migrant share of the workforce (湖南, 广东, 广西, 四川, 河南, 湖北).
OTHER_BIRTHPLACES = (
    "430104",
    "430524",
    "440106",
    "441302",
    "450103",
    "450521",
    "510107",
    "511321",
    "410105",
    "411323",
    "420106",
    "421182",
)

# 登记管理部门码 + 机构类别码 → (单位性质, 单位经济类型, weight)
REGISTRATION_KINDS = (
    ("91", "10", "170", 70),
    ("91", "10", "150", 12),
    ("91", "10", "160", 3),
    ("91", "10", "110", 2),
    ("91", "10", "300", 1),
    ("12", "51", "900", 4),
    ("12", "53", "900", 2),
    ("11", "30", "900", 2),
    ("52", "80", "900", 2),
    ("51", "70", "900", 1),
    ("93", "99", "120", 1),
)


# --- divisions -------------------------------------------------------------------------------------------


async def load_divisions() -> dict[str, int]:
    """County-level division codes with weights: from the `division` dictionary, else the fallback list."""
    from portal.core.tables import DictEntry

    rows = await DictEntry.select(DictEntry.code, DictEntry.parent_code).where(
        DictEntry.category == "division"
    )
    codes = {r["code"] for r in rows}
    parents = {r["parent_code"] for r in rows}
    # County level: six digits, and either a district (not …00) or a city without districts (儋州 460400).
    county = sorted(
        c for c in codes if len(c) == 6 and c[2:] != "0000" and (c[4:] != "00" or c not in parents)
    )
    if not county:
        return dict(FALLBACK_DIVISIONS)
    return {c: FALLBACK_DIVISIONS.get(c, 2) for c in county}


async def load_agencies() -> set[str]:
    """送审机构 codes (dictionary review_agency); empty when the dictionary has none."""
    from portal.core.tables import DictEntry

    rows = await DictEntry.select(DictEntry.code).where(DictEntry.category == "review_agency")
    return {r["code"] for r in rows}


def agency_for(division: str, agencies: set[str] | frozenset[str]) -> str:
    """The nearest 送审机构: the county's own bureau, else the city's, else the province's."""
    for code in (division, division[:4] + "00", division[:2] + "0000"):
        if code in agencies:
            return code
    return division


def _picker(weights: dict[str, int]):
    codes = sorted(weights)
    cum, total = [], 0
    for c in codes:
        total += weights[c]
        cum.append(total)
    return lambda rng: rng.choices(codes, cum_weights=cum)[0]


# --- pure generators: deterministic for (seed, count, divisions) ---------------------------------------------


def make_uscc(kind: str, division: str, serial: int) -> str:
    """A valid 统一社会信用代码; `serial` (< 10^8) makes the 组织机构代码 part unique."""
    # Multiplying by a number coprime to 10^8 scatters consecutive serials while staying one-to-one.
    org8 = f"{(serial * 7_919_641 + 12_345_679) % 100_000_000:08d}"
    first17 = f"{kind}{division}{org8}{org_check_digit(org8)}"
    return first17 + uscc_check_digit(first17)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10)}{rng.randrange(100_000_000):08d}"


def generate_employers(
    n: int, seed: int, divisions: dict[str, int], first_id: int = 1, agencies: set[str] = frozenset()
) -> Iterator[dict[str, Any]]:
    rng = random.Random(f"{seed}:employers")
    pick_division = _picker(divisions)
    kinds = [k[:3] for k in REGISTRATION_KINDS]
    kind_weights = [k[3] for k in REGISTRATION_KINDS]
    for i in range(n):
        division = pick_division(rng)
        kind, nature, economic = rng.choices(kinds, weights=kind_weights)[0]
        uscc = make_uscc(kind, division, (i + seed * 1_000_003) % 100_000_000)
        name, industry = names.employer_name(rng, division)
        if nature != "10":  # 机关、事业单位、社会组织 do not carry 有限公司 names
            trade = rng.choice(names.TRADE_CHARS) + rng.choice(names.TRADE_CHARS)
            name = f"{names.city_of(division)}{trade}{rng.choice(('服务中心', '协会', '研究院', '管理所', '学校'))}"
            industry = rng.choice("PQRS")
        rep_male = rng.random() < 0.7
        created = NOW - timedelta(days=rng.randrange(30, 3650), seconds=rng.randrange(86400))
        yield {
            "id": first_id + i,
            "uscc": uscc,
            "name": name,
            "org_code": f"{uscc[8:16]}-{uscc[16]}",
            "nature": nature,
            "affiliation": "50" if rng.random() < 0.8 else rng.choice(("20", "40", "60")),
            "economic_type": economic,
            "industry": industry,
            "division_code": division,
            "address": f"{names.city_of(division)}{rng.choice(names.TRADE_CHARS)}{rng.choice('东西南北中')}路{rng.randrange(1, 400)}号",
            "legal_rep": names.person_name(rng, rep_male),
            "legal_rep_id_number": make_id_number(rng, division, _birth(rng, 30, 62), male=rep_male),
            "contact_name": names.person_name(rng, rng.random() < 0.5),
            "contact_phone": mobile(rng),
            "agent_name": names.person_name(rng, rng.random() < 0.4),
            "agent_id_number": make_id_number(rng, division, _birth(rng, 22, 55), male=rng.random() < 0.4),
            "agent_phone": mobile(rng),
            "review_agency": agency_for(division, agencies),
            "profile_complete": True,
            "filing_approved": rng.random() < 0.97,
            "created_at": created,
            "updated_at": created,
        }


def _birth(rng: random.Random, min_age: int, max_age: int) -> date:
    age = rng.triangular(min_age, max_age, min_age + (max_age - min_age) * 0.35)
    return TODAY - timedelta(days=int(age * 365.25) + rng.randrange(365))


def make_id_number(
    rng: random.Random, division: str, born: date, *, male: bool, used: set[int] | None = None
) -> str:
    """A valid 身份证号; with `used`, redraws the 顺序码 until the number is new (gender parity kept)."""
    head = f"{division}{born:%Y%m%d}"
    for _ in range(500):
        seq = rng.randrange(100) * 10 + rng.randrange(5) * 2 + (1 if male else 0)
        first17 = f"{head}{seq:03d}"
        if used is None:
            break
        key = int(first17)
        if key not in used:
            used.add(key)
            break
    else:
        raise RuntimeError(f"no free 顺序码 left for {head}")
    return first17 + id_check_digit(first17)


def generate_persons(
    n: int, seed: int, divisions: dict[str, int], first_id: int = 1
) -> Iterator[dict[str, Any]]:
    rng = random.Random(f"{seed}:persons")
    pick_division = _picker(divisions)
    used: set[int] = set()
    for i in range(n):
        residence = pick_division(rng)
        birthplace = residence if rng.random() < 0.82 else rng.choice(OTHER_BIRTHPLACES)
        male = rng.random() < 0.53
        born = _birth(rng, 18, 62)
        id_number = make_id_number(rng, birthplace, born, male=male, used=used)
        yield {
            "id": first_id + i,
            "id_number": id_number,
            "name": names.person_name(rng, male),
            "gender": "男" if male else "女",
            "birth_date": born,
            "mobile": mobile(rng),
            "division_code": residence,
            "created_at": NOW - timedelta(days=rng.randrange(1, 2000)),
        }


# --- the command -------------------------------------------------------------------------------------------


async def load_scale(
    employers: int,
    persons: int,
    seed: int = 20261123,
    *,
    chunk: int = 50_000,
    quiet: bool = False,
    with_contracts: bool = True,
    with_changes: bool | None = None,
    si_periods: int | None = None,
) -> dict[str, Any]:
    """Load the data set; returns row counts and seconds per phase. Skips what this seed already loaded: the
    employers and persons (with their contracts and 人员增减员 applications), then the social-insurance records
    (seeds.scale_si), which are added to a data set loaded before them. `si_periods`: assessed 结算期 (default 12; 0
    loads no SI data). `with_changes` (人员增减员 applications; default: as `with_contracts`)."""
    from domains.employer.tables import Employer, EmployerFiling
    from domains.labor_contract.tables import Contract
    from domains.labor_inspection.tables import InsReview
    from domains.person.tables import Person
    from domains.personnel_change.tables import PcChange
    from portal.workflow.tables import Matter, MatterEvent
    from seeds.bulk import BulkLoader, vacuum
    from seeds.scale_changes import ChangeFactory
    from seeds.scale_changes import events as change_events
    from seeds.scale_contracts import ContractFactory, employer_filing, matter_events
    from seeds.scale_ins import ins_reviews, squad_map

    say = (lambda *a: None) if quiet else print
    divisions = await load_divisions()
    agencies = await load_agencies()
    stats: dict[str, Any] = {"seed": seed, "divisions": len(divisions)}
    started, cpu_started = time.perf_counter(), time.process_time()
    async with BulkLoader() as bulk:
        first_uscc = next(generate_employers(1, seed, divisions))["uscc"]
        if await bulk.scalar(f"SELECT COUNT(*) FROM employer WHERE uscc = '{first_uscc}'"):
            say("scale: data for this seed is already loaded")
            first_person = next(generate_persons(1, seed, divisions))["id_number"]
            e0 = await bulk.scalar(f"SELECT id FROM employer WHERE uscc = '{first_uscc}'")
            p0 = await bulk.scalar(f"SELECT id FROM person WHERE id_number = '{first_person}'")
            si_stats = await _social_insurance(
                bulk, seed, (p0, p0 + persons - 1), (e0, e0 + employers - 1), si_periods, say
            )
            if si_stats.get("si_enrolments"):
                await bulk.analyze()
            return {**stats, "skipped": True, **si_stats}
        loaded = (Employer, Person, Contract, EmployerFiling, Matter, MatterEvent, InsReview, PcChange)
        ids = {t: await bulk.next_id(t) for t in loaded}
        await bulk.defer_indexes(loaded)
        t = time.perf_counter()
        kept: list[tuple[int, str, str, str, str]] = []
        filings, filing_matters = [], []
        rng = random.Random(f"{seed}:filings")
        for n, e in enumerate(
            generate_employers(employers, seed, divisions, ids[Employer], agencies), start=1
        ):
            if e["filing_approved"]:
                kept.append((e["id"], e["name"], e["division_code"], e["address"], e["review_agency"]))
            f, m = employer_filing(rng, e, ids[EmployerFiling] + len(filings), ids[Matter] + len(filings))
            filings.append(f)
            filing_matters.append(m)
            bulk.buffer(Employer, e)
            if n % chunk == 0:
                await bulk.flush()
        await bulk.flush()
        await bulk.insert_dicts(Matter, filing_matters)
        await bulk.insert_dicts(EmployerFiling, filings)
        events = matter_events(filing_matters, ids[MatterEvent])
        ids[MatterEvent] += await bulk.insert_dicts(MatterEvent, events)
        reviews, review_matters = ins_reviews(
            random.Random(f"{seed}:ins"), kept, await squad_map(k[2] for k in kept), ids[InsReview],
            ids[Matter] + len(filing_matters), TODAY.year, NOW)
        await bulk.insert_dicts(Matter, review_matters)
        await bulk.insert_dicts(InsReview, reviews)
        stats["employers"] = bulk.counts["employer"]
        stats["employers_s"] = round(time.perf_counter() - t, 2)
        say(f"scale: {stats['employers']} employers with their filings in {stats['employers_s']} s")

        factory = (
            ContractFactory(seed, kept, ids[Contract], ids[Matter] + len(filing_matters) + len(review_matters))
            if kept
            else None
        )
        changes = ChangeFactory(seed, kept, ids[PcChange], ids[Matter] + len(filing_matters) + len(review_matters)) \
            if kept and (with_contracts if with_changes is None else with_changes) else None
        t = time.perf_counter()
        people = generate_persons(persons, seed, divisions, ids[Person])
        person_gen_s = 0.0
        for n in range(1, persons + 1):
            t0 = time.perf_counter()
            p = next(people)
            person_gen_s += time.perf_counter() - t0
            bulk.buffer(Person, p)
            if with_contracts and factory is not None:
                contracts, matters = factory.for_person(p)
                for c in contracts:
                    bulk.buffer(Contract, c)
                for m in matters:
                    bulk.buffer(Matter, m)
                for ev in matter_events(matters, ids[MatterEvent]):
                    bulk.buffer(MatterEvent, ev)
                    ids[MatterEvent] += 1
            if changes is not None:
                if factory is not None and with_contracts:  # one sequence of matter ids for both
                    changes.next_matter = max(changes.next_matter, factory.next_matter)
                rows, matters = changes.for_person(p)
                if factory is not None and with_contracts:
                    factory.next_matter = changes.next_matter
                for row in rows:
                    bulk.buffer(PcChange, row)
                for m in matters:
                    bulk.buffer(Matter, m)
                for ev in change_events(matters, ids[MatterEvent]):
                    bulk.buffer(MatterEvent, ev)
                    ids[MatterEvent] += 1
            if n % chunk == 0:
                await bulk.flush()
        await bulk.flush()
        stats["persons"] = bulk.counts.get("person", 0)
        # The persons' own share: generating them plus their INSERT/COPY time (the issue's 3-minute target).
        stats["persons_only_s"] = round(person_gen_s + bulk.seconds.get("person", 0.0), 2)
        stats["persons_contracts_s"] = round(time.perf_counter() - t, 2)
        for table in loaded:
            await bulk.fix_sequence(table)
        t = time.perf_counter()
        await bulk.restore_indexes()
        stats["indexes_s"] = round(time.perf_counter() - t, 2)
        stats.update(
            await _social_insurance(
                bulk,
                seed,
                (ids[Person], ids[Person] + persons - 1),
                (ids[Employer], ids[Employer] + employers - 1),
                si_periods,
                say,
            )
        )
        t = time.perf_counter()
        await bulk.analyze()
        stats["analyze_s"] = round(time.perf_counter() - t, 2)
        for name in ("contract", "matter", "matter_event", "employer_filing", "ins_review", "pc_change"):
            stats[name + "s"] = bulk.counts.get(name, 0)
    t = time.perf_counter()
    await vacuum((*loaded, *_si_tables()))
    stats["vacuum_s"] = round(time.perf_counter() - t, 2)
    stats["total_s"] = round(time.perf_counter() - started, 2)
    # CPU seconds of this process: on a busy machine the wall time says more about the neighbours.
    stats["cpu_s"] = round(time.process_time() - cpu_started, 2)
    say(
        f"scale: {stats['persons']} persons, {stats['contracts']} contracts, {stats['matters']} matters, "
        f"{stats['matter_events']} events in {stats['persons_contracts_s']} s; total {stats['total_s']} s"
    )
    return stats


async def _social_insurance(
    bulk, seed: int, persons: tuple[int, int], employers: tuple[int, int], periods: int | None, say
) -> dict[str, Any]:
    from seeds.scale_si import DEFAULT_PERIODS, load_si

    periods = DEFAULT_PERIODS if periods is None else periods
    if periods <= 0:
        return {}
    t = time.perf_counter()
    found = await load_si(bulk, seed, persons, employers, periods=periods, say=say)
    found["si_s"] = round(time.perf_counter() - t, 2)
    return found


def _si_tables() -> tuple:
    from domains.social_insurance.tables import (
        SiBenefit,
        SiContribution,
        SiEmployerPeriod,
        SiEnrolment,
        SiPensionAccount,
        SiPeriod,
        SiYearEnd,
    )

    return (SiEnrolment, SiContribution, SiEmployerPeriod, SiBenefit, SiPensionAccount, SiPeriod, SiYearEnd)
