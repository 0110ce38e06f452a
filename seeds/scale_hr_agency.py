"""The hr_agency part of `python -m seeds scale`: 20,000 人力资源服务机构 over the ten years to seeds.scale.TODAY
across the province's county-level divisions, with their licences (许可证编号 and 文号 in the dictionary's formats),
业务备案, 注销, annual reports and 分支机构 (about one agency in ten reported one, a few two). Deterministic for
(seed, count); bulk-loaded like the rest of the scale set, and the number counters moved past the generated numbers
so approvals made afterwards never repeat one."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from seeds import names
from seeds.scale import TODAY, _picker, load_divisions, make_uscc, mobile

YEARS = 10
LICENSED = ("L01", "L02", "L03", "L04", "L05", "L06")
FILED = ("F01", "F02", "F03", "F04", "F05", "F06")
AGENCY_WORDS = ("人力资源服务", "人力资源", "人才服务", "劳务派遣", "职业介绍", "人才咨询", "猎头服务")
# The issuing bureaus' formats (seeds/reference/hra_number_format.csv); the dictionary's own are read at load.
FORMATS = {"licence": "（琼）人服证字〔{year}〕第{division}{seq:04d}号", "licence_doc": "琼人社许〔{year}〕{division}-{seq}号",
           "filing": "琼人服备〔{year}〕{division}{seq:04d}号"}


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max(1, (end - start).days)))


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28) - timedelta(days=1)


class AgencyFactory:
    """Pure generation: agencies with their licence, filing and reports as dicts for the bulk loader. Numbers
    count per (kind, issuing county, year) as numbers.issue_number does; `counters` holds the last of each."""

    def __init__(self, seed: int, divisions: dict[str, int], formats: dict[str, str], first_ids: dict[str, int]):
        self.rng = random.Random(f"{seed}:hr_agency")
        self.pick = _picker(divisions)
        self.formats = formats
        self.ids = dict(first_ids)
        self.counters: dict[tuple[str, str, int], int] = {}
        self.seed = seed
        self.first_day = date(TODAY.year - YEARS + 1, 1, 1)
        # Growth: more agencies founded in recent years (weight 1 … 10).
        self.years = list(range(self.first_day.year, TODAY.year + 1))
        # Branches draw from a stream of their own: the agencies, licences and reports stay what they were.
        self.branch_rng = random.Random(f"{seed}:hr_agency:branches")

    def _number(self, kind: str, division: str, day: date) -> str:
        key = (kind, division[:6], day.year)
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.formats[kind].format(year=day.year, division=division[:6], seq=self.counters[key])

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table] - 1

    def agency(self, i: int) -> dict[str, list[dict[str, Any]]]:
        rng = self.rng
        division = self.pick(rng)
        year = rng.choices(self.years, weights=range(1, len(self.years) + 1))[0]
        founded = _day(rng, date(year, 1, 1), min(date(year, 12, 31), TODAY))
        licensed = rng.random() < 0.45
        filed = not licensed or rng.random() < 0.5
        ended_on = _day(rng, founded + timedelta(days=60), TODAY) if rng.random() < 0.12 and \
            (TODAY - founded).days > 90 else None
        status = "revoked" if ended_on else "valid"
        at = datetime.combine(founded, datetime.min.time(), UTC) + timedelta(hours=9)
        agency_id = self._next("agency")
        out: dict[str, list[dict[str, Any]]] = {"hra_licence": [], "hra_filing": [], "hra_annual_report": []}
        codes: list[str] = []
        revoked = {"revoked_on": ended_on, "revoke_reason": "机构申请注销" if ended_on else ""}
        if licensed:
            services = sorted(rng.sample(LICENSED, rng.randint(1, 4)))
            codes += services
            out["hra_licence"].append({
                "id": self._next("licence"), "agency": agency_id, "matter_id": None,
                "licence_no": self._number("licence", division, founded),
                "doc_no": self._number("licence_doc", division, founded), "division_code": division,
                "services": json.dumps(services), "issued_on": founded, "valid_until": _years_later(founded, 5),
                "status": status, "certificate_code": "", "created_at": at, **revoked})
        if filed:
            filed_on = founded if not licensed else _day(rng, founded, min(TODAY, founded + timedelta(days=400)))
            services = sorted(rng.sample(FILED, rng.randint(1, 3)))
            codes += services
            out["hra_filing"].append({
                "id": self._next("filing"), "agency": agency_id, "matter_id": None,
                "filing_no": self._number("filing", division, filed_on), "division_code": division,
                "services": json.dumps(services), "filed_on": filed_on, "status": status, "certificate_code": "",
                "created_at": at, **revoked})
        last_year = (ended_on.year - 1) if ended_on else TODAY.year - 1
        for report_year in range(founded.year, last_year + 1):
            made = datetime(report_year + 1, 3, 1, 9, tzinfo=UTC) + timedelta(days=rng.randrange(90))
            out["hra_annual_report"].append({
                "id": self._next("report"), "agency": agency_id, "year": report_year, "division_code": division,
                "service_count": rng.randrange(50, 20_000), "revenue_fen": rng.randrange(10_000, 500_000_000),
                "employment_helped": rng.randrange(5, 3_000), "fairs_held": rng.randrange(0, 12),
                "status": "passed" if rng.random() < 0.9 else rng.choice(("submitted", "returned")), "opinion": "",
                "created_at": made, "updated_at": made})
        shown = [] if ended_on else codes
        word = rng.choice(AGENCY_WORDS)
        trade = rng.choice(names.TRADE_CHARS) + rng.choice(names.TRADE_CHARS)
        out["hra_agency"] = [{
            "id": agency_id, "employer": None, "name": f"{names.city_of(division)}{trade}{word}有限公司",
            "uscc": make_uscc("91", division, (i + self.seed * 7 + 40_000_000) % 100_000_000),
            "legal_rep": names.person_name(rng, rng.random() < 0.6),
            "address": f"{names.city_of(division)}{rng.choice(names.TRADE_CHARS)}{rng.choice('东西南北中')}路{rng.randrange(1, 400)}号",
            "division_code": division, "agency_type": rng.choices(("1", "2", "3"), weights=(85, 10, 5))[0],
            "contact_name": names.person_name(rng, rng.random() < 0.5), "contact_phone": mobile(rng),
            "services": json.dumps(shown), "services_label": "",  # labels filled from the dictionary by the loader
            "source": rng.choices(("online", "staff", "history"), weights=(60, 10, 30))[0],
            "status": "deregistered" if ended_on else "active", "delete_reason": "", "created_at": at,
            "updated_at": at}]
        out["hra_branch"] = self.branches(agency_id, out["hra_agency"][0]["name"], founded)
        return out

    def branches(self, agency_id: int, name: str, founded: date) -> list[dict[str, Any]]:
        """设立分支机构 reported by about one agency in ten, in any county of the province (a 注销 agency keeps its
        branches' rows; the 名录 leaves them out with it)."""
        rng = self.branch_rng
        roll = rng.random()
        out = []
        for k in range(2 if roll < 0.02 else 1 if roll < 0.10 else 0):
            division = self.pick(rng)
            city = names.city_of(division)
            opened = _day(rng, founded, TODAY)
            out.append({
                "id": self._next("branch"), "agency": agency_id, "matter_id": None,
                "name": f"{name.removesuffix('有限公司')}{city}{'第二' if k else ''}分公司",
                "address": f"{city}{rng.choice(names.TRADE_CHARS)}{rng.choice('东西南北中')}路{rng.randrange(1, 400)}号",
                "division_code": division, "leader": names.person_name(rng, rng.random() < 0.5), "status": "active",
                "created_at": datetime.combine(opened, datetime.min.time(), UTC) + timedelta(hours=10)})
        return out

    def all(self, n: int) -> Iterator[dict[str, list[dict[str, Any]]]]:
        for i in range(n):
            yield self.agency(i)


async def _formats() -> dict[str, str]:
    from portal.core.tables import DictEntry

    rows = await DictEntry.select(DictEntry.code, DictEntry.extra).where(DictEntry.category == "hra_number_format")
    found = {r["code"]: json.loads(r["extra"] or "{}").get("format", "") for r in rows}
    return {k: found.get(k) or v for k, v in FORMATS.items()}


async def _labels() -> dict[str, str]:
    from portal.core.tables import DictEntry

    rows = await DictEntry.select(DictEntry.code, DictEntry.label).where(DictEntry.category == "hra_service")
    return {r["code"]: r["label"] for r in rows}


async def _counters(bulk: Any) -> dict[tuple[str, str, int], int]:
    sql = "SELECT prefix, last FROM number_sequence WHERE prefix LIKE 'hra:%'"
    rows = bulk.conn.execute(sql).fetchall() if bulk.sqlite else await bulk.conn.fetch(sql)
    counters = {}
    for prefix, last in rows:
        _, kind, division, year = prefix.split(":")
        counters[(kind, division, int(year))] = int(last)
    return counters


async def load_hr_agencies(count: int = 20_000, seed: int = 20261123, *, quiet: bool = False) -> dict[str, Any]:
    """Load `count` agencies; skipped when this seed's first agency is already there. Returns counts and seconds."""
    from domains.hr_agency import register
    from domains.hr_agency.numbers import sequence_prefix
    from domains.hr_agency.tables import Agency, AnnualReport, Branch, Licence, RegisterEntry, ServiceFiling
    from portal.workflow.tables import NumberSequence
    from seeds.bulk import BulkLoader, vacuum

    say = (lambda *a: None) if quiet else print
    started, cpu_started = time.perf_counter(), time.process_time()
    tables = (Agency, Licence, ServiceFiling, AnnualReport, Branch)
    labels = await _labels()
    async with BulkLoader() as bulk:
        ids = {"agency": await bulk.next_id(Agency), "licence": await bulk.next_id(Licence),
               "filing": await bulk.next_id(ServiceFiling), "report": await bulk.next_id(AnnualReport),
               "branch": await bulk.next_id(Branch)}
        divisions, formats = await load_divisions(), await _formats()
        first = AgencyFactory(seed, divisions, formats, ids).agency(0)["hra_agency"][0]["uscc"]
        factory = AgencyFactory(seed, divisions, formats, ids)
        if await bulk.scalar(f"SELECT COUNT(*) FROM hra_agency WHERE uscc = '{first}'"):
            say("scale: hr_agency data for this seed is already loaded")
            return {"skipped": True}
        # Numbers already issued here (approvals, an earlier seed): the generated ones continue after them.
        factory.counters = await _counters(bulk)
        await bulk.defer_indexes(tables)
        for n, parts in enumerate(factory.all(count), start=1):
            agency = parts["hra_agency"][0]
            agency["services_label"] = "、".join(labels.get(c, c) for c in json.loads(agency["services"]))
            for table, name in ((Agency, "hra_agency"), (Licence, "hra_licence"), (ServiceFiling, "hra_filing"),
                                (AnnualReport, "hra_annual_report"), (Branch, "hra_branch")):
                for row in parts[name]:
                    bulk.buffer(table, row)
            if n % 5_000 == 0:
                await bulk.flush()
        await bulk.flush()
        # The counters numbers.issue_number() draws from: past every generated number.
        await bulk.execute("DELETE FROM number_sequence WHERE prefix LIKE 'hra:%'")
        await bulk.insert(NumberSequence, ("prefix", "last"), [
            (sequence_prefix(kind, division, year), last) for (kind, division, year), last in sorted(factory.counters.items())])
        for table in tables:
            await bulk.fix_sequence(table)
        await bulk.restore_indexes()
        # The 名录's listing, derived from every record (an earlier load's too); it reads the agency indexes.
        for sql in register.rebuild_statements():
            await bulk.execute(sql)
        await bulk.analyze()
        stats = {name: bulk.counts.get(name, 0) for name in ("hra_agency", "hra_licence", "hra_filing",
                                                              "hra_annual_report", "hra_branch")}
    await vacuum((*tables, RegisterEntry))
    stats["seconds"] = round(time.perf_counter() - started, 2)
    stats["cpu_s"] = round(time.process_time() - cpu_started, 2)
    say(f"scale: {stats['hra_agency']} agencies, {stats['hra_licence']} licences, {stats['hra_filing']} filings, "
        f"{stats['hra_annual_report']} annual reports, {stats['hra_branch']} branches in {stats['seconds']} s")
    return stats

