"""The hr_agency part of the scale seed: valid, unique numbers in the dictionary's formats over ten years, 注销
and annual reports, branches; approvals after the load continue the numbers; a second load of the seed is skipped."""

from __future__ import annotations

import json

from domains.hr_agency import history, register
from domains.hr_agency.numbers import issue_number, number_format
from domains.hr_agency.tables import Agency, AnnualReport, Branch, Licence, RegisterEntry, ServiceFiling
from portal.db import write_transaction
from portal.validators import uscc_error
from seeds.scale import TODAY
from seeds.scale_hr_agency import load_hr_agencies


async def test_agencies_over_ten_years_with_numbers_in_the_formats():
    stats = await load_hr_agencies(400, seed=7, quiet=True)
    assert stats["hra_agency"] == 400 == await Agency.count()
    licences = await Licence.select()
    filings = await ServiceFiling.select()
    assert len(licences) == stats["hra_licence"] > 100 and len(filings) == stats["hra_filing"] > 100
    pattern = history.number_pattern(await number_format("licence"))
    assert all(pattern.match(r["licence_no"]) for r in licences)
    filing_pattern = history.number_pattern(await number_format("filing"))
    assert all(filing_pattern.match(r["filing_no"]) for r in filings)
    assert len({r["licence_no"] for r in licences}) == len(licences)
    years = {r["issued_on"].year for r in licences} | {r["filed_on"].year for r in filings}
    assert min(years) == TODAY.year - 9 and max(years) == TODAY.year
    agencies = await Agency.select()
    assert all(uscc_error(a["uscc"]) is None for a in agencies)
    ended = [a for a in agencies if a["status"] == "deregistered"]
    assert ended and all(json.loads(a["services"]) == [] for a in ended)
    assert all(r["status"] == "revoked" and r["revoked_on"] for r in licences if r["agency"] in {a["id"] for a in ended})
    assert all(a["services_label"] for a in agencies if a["status"] == "active")
    assert await AnnualReport.count() > 400
    branches = await Branch.select()
    assert len(branches) == stats["hra_branch"] > 10 and {b["agency"] for b in branches} <= {a["id"] for a in agencies}
    assert await register.stale() == [] and await RegisterEntry.count() > 300  # the 名录's listing, derived
    # The next approval of the busiest county and year continues after the generated numbers.
    top = max(licences, key=lambda r: r["licence_no"])
    async with write_transaction():
        number = await issue_number("licence", top["division_code"][:6], top["issued_on"].year)
    assert number not in {r["licence_no"] for r in licences}
    again = await load_hr_agencies(400, seed=7, quiet=True)
    assert again == {"skipped": True} and await Agency.count() == 400
    other = await load_hr_agencies(50, seed=8, quiet=True)
    assert other["hra_agency"] == 50
    assert await register.stale() == []  # a second load derives the listing of both
    numbers = [r["licence_no"] for r in await Licence.select(Licence.licence_no)]
    assert len(numbers) == len(set(numbers))
