"""Demo labour-contract data (idempotent): the demo employers with filings in every state and saved rosters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domains.employer.tables import Employer
from domains.labor_contract import rosters, service
from domains.labor_contract.matters import REVIEW_PERMISSION
from domains.labor_contract.tables import Contract
from portal.auth.principal import Principal
from portal.auth.tables import StaffUser
from portal.validators import id_check_digit, uscc_org_code
from portal.workflow import engine as workflow
from seeds.demo_identities import EMPLOYERS, PERSONS

# (name, division, birth date, serial): deterministic, valid 身份证号 for the demo workers.
WORKERS = (
    ("陈小燕", "460105", date(1991, 4, 12), 102), ("符海峰", "460106", date(1987, 9, 3), 211),
    ("吴丽娜", "460107", date(1995, 1, 27), 322), ("王建国", "460108", date(1979, 11, 8), 431),
    ("黎晓东", "460105", date(1993, 6, 30), 543), ("邢美玲", "460200", date(1998, 2, 14), 652),
    ("云志强", "460400", date(1985, 12, 1), 761), ("羊春花", "469001", date(1990, 8, 19), 872),
    ("韩文博", "460106", date(1996, 3, 5), 981), ("蔡佳怡", "460107", date(2000, 7, 21), 190),
)
PROFILE = {
    "nature": "10", "affiliation": "50", "economic_type": "170", "industry": "I", "address": "海口市秀英区长滨路1号",
    "contact_name": "李联系", "contact_phone": "13876001001", "agent_name": "黄经办", "agent_phone": "13976000003",
    "agent_id_number": "460100198808080064",
}


def worker_id(division: str, born: date, serial: int) -> str:
    first17 = f"{division}{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_digit(first17)


def _values(name: str, id_number: str, **kw: Any) -> dict[str, Any]:
    values = {
        "worker_name": name, "id_number": id_number, "employment_form": "01", "contract_type": "1",
        "contract_template": "own", "contract_number": "", "start_date": date(2025, 3, 1),
        "end_date": date(2028, 2, 29), "probation_months": 2, "post": "客户服务专员", "workplace": "海口市秀英区",
        "monthly_wage": 520000, "pay_day": 10, "work_hours_system": "1",
    }
    values.update(kw)
    return values


async def _employer(index: int, *, approved: bool, agency: str) -> dict[str, Any]:
    demo = EMPLOYERS[index]
    row = await Employer.select().where(Employer.uscc == demo.uscc).first()
    if row is None:
        now = datetime.now(UTC)
        employer = Employer(
            uscc=demo.uscc, name=demo.name, org_code=uscc_org_code(demo.uscc), legal_rep=demo.legal_rep,
            legal_rep_id_number=demo.legal_rep_id_number, division_code=demo.division_code, review_agency=agency,
            profile_complete=True, filing_approved=approved, created_at=now, updated_at=now, **PROFILE,
        )
        await employer.save()
        row = await Employer.select().where(Employer.id == employer.id).first()
    elif approved and not row["filing_approved"]:
        await Employer.update({Employer.filing_approved: True, Employer.review_agency: row["review_agency"] or agency,
                               Employer.profile_complete: True}).where(Employer.id == row["id"])
        row = await Employer.select().where(Employer.id == row["id"]).first()
    return row


def _applicant(employer: dict[str, Any]) -> Principal:
    return Principal(kind="employer", account_id=0, display_name=employer["name"], employer_id=employer["id"],
                     employer_name=employer["name"], acting_name=employer["legal_rep"], acting_role="legal_rep")


async def _reviewer(agency: str) -> Principal:
    staff = await StaffUser.select(StaffUser.id, StaffUser.display_name).where(StaffUser.username == "reviewer").first()
    return Principal(kind="staff", account_id=staff["id"] if staff else 0,
                     display_name=staff["display_name"] if staff else "审核员（演示）",
                     permissions=frozenset({REVIEW_PERMISSION}), scopes={"agency": (agency,)})


async def _review(reviewer: Principal, filed: dict[str, Any], transition: str = "approve", opinion: str = "") -> None:
    matter = await workflow.get_matter_for(reviewer, filed["matter_id"])
    await workflow.fire(reviewer, matter["id"], transition, expected_version=matter["version"], opinion=opinion)


async def load() -> dict[str, int]:
    """Employer 1 has contracts in every state and saved rosters; employer 2 a few pending; employer 3 is not yet
    filed (its contract pages show the LC-1 gate). Runs once: an employer that already has filings is kept."""
    first = await _employer(0, approved=True, agency="460100")
    second = await _employer(1, approved=True, agency="460105")
    await _employer(2, approved=False, agency="460200")
    if await Contract.exists().where(Contract.employer.is_in([first["id"], second["id"]])):
        return {"contracts": 0}
    ids = [worker_id(d, b, s) for _, d, b, s in WORKERS]
    names = [n for n, *_ in WORKERS]
    one, reviewer = _applicant(first), await _reviewer("460100")

    # Completed 新订 filings on a saved 新签备案名册.
    done = []
    for i in range(4):
        filed = await service.file_new(one, _values(names[i], ids[i]))
        await _review(reviewer, filed, opinion="材料齐全，准予备案")
        done.append(filed)
    await rosters.save(one, "new_roster", [f["id"] for f in done])
    # The people's own demo accounts see a contract too (SI-7).
    for person in PERSONS:
        filed = await service.file_new(one, _values(person.name, person.id_number, post="行政专员"))
        await _review(reviewer, filed)
    # 续订 pending, 续订 approved (not yet in a roster), 解除 approved with its certificate and roster.
    await service.file_renew(one, done[0]["id"], _values(names[0], ids[0], start_date=date(2028, 3, 1),
                                                         end_date=date(2031, 2, 28)))
    renewed = await service.file_renew(one, done[1]["id"], _values(names[1], ids[1], start_date=date(2028, 3, 1),
                                                                   end_date=None, contract_type="2", probation_months=0))
    await _review(reviewer, renewed)
    ended = await service.file_terminate(one, done[2]["id"], {
        "termination_date": date(2026, 6, 30), "termination_reason": "02", "compensation": 1560000})
    await _review(reviewer, ended)
    await rosters.save(one, "termination_certificate", [ended["id"]])
    await rosters.save(one, "termination_roster", [ended["id"]])
    # 未审核, 审核不通过 (with the opinion), 作废.
    await service.file_new(one, _values(names[4], ids[4], contract_template="model", contract_number="HT-2025-0005"))
    rejected = await service.file_new(one, _values(names[5], ids[5], post="厨师"))
    await _review(reviewer, rejected, "reject", "劳动合同编号与合同文本不一致，请核对后修改")
    voided = await service.file_new(one, _values(names[6], ids[6]))
    await service.void(one, [voided["id"]])
    # The second employer: two filings waiting for review at its agency, one approved without a roster.
    two = _applicant(second)
    await service.file_new(two, _values(names[7], ids[7], workplace="海口市秀英区蓝湾酒店", post="前厅接待"))
    await service.file_new(two, _values(names[8], ids[8], workplace="海口市秀英区蓝湾酒店", post="客房服务员",
                                        employment_form="02", probation_months=0))
    approved = await service.file_new(two, _values(names[9], ids[9], workplace="海口市秀英区蓝湾酒店"))
    await _review(await _reviewer("460105"), approved)
    return {"contracts": await Contract.count()}
