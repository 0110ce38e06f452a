"""Demo data of the agency domain (idempotent: runs once, while no agency exists).

- The demo agency (seeds.demo_identities.AGENCY, a legal person of the sandbox network): a licence granted through
  the real two-stage workflow (受理 by 受理岗, 准予许可 by 审核岗), a 业务备案 and a 事项变更 waiting for 受理, a
  returned 年度报告 and a 现场招聘会.
- Two staff accounts of the manual's two posts: hra_accept / Accept@2026!, hra_approve / Approve@2026!.
- Agencies across the province's regions with licences and filings issued 2022–2026, some deregistered, so the
  lists and the 名录 have shape."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from domains.employer.tables import Employer
from domains.hr_agency import effects, numbers, rules, service
from domains.hr_agency.matters import ACCEPT, APPROVE, BRANCH, CHANGE, FILING, LICENCE, MANAGE
from domains.hr_agency.tables import Agency, AnnualReport, JobFair, Licence, ServiceFiling
from portal.auth.passwords import Passwords
from portal.auth.principal import Principal
from portal.auth.tables import Role, StaffRole, StaffScope, StaffUser
from portal.db import write_transaction
from portal.settings import Settings
from portal.validators import org_check_digit, uscc_check_digit, uscc_org_code
from portal.workflow import engine as workflow
from portal.workflow.materials import upload_material
from seeds.demo_identities import AGENCY

STAFF = (("hra_accept", "Accept@2026!", "受理岗（演示）", [ACCEPT, MANAGE]),
         ("hra_approve", "Approve@2026!", "审核岗（演示）", [APPROVE, MANAGE]))


def _pdf() -> bytes:
    """A blank one-page PDF (the material checks open every upload with pypdf)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

FORM = {"name": AGENCY.name, "legal_rep": AGENCY.legal_rep, "agency_type": "1", "division_code": "460105",
        "address": "海口市秀英区长滨路88号", "contact_name": "吴联系", "contact_phone": "13876000004"}
# (name, division, year issued, services, licensed?, deregistered?)
REGIONAL = (
    ("海口才聚人力资源有限公司", "460106", 2022, ["L01", "L02"], True, False),
    ("海口琼州人才服务有限公司", "460107", 2023, ["L04", "L05"], True, False),
    ("海口美兰劳务派遣服务有限公司", "460108", 2024, ["F06"], False, False),
    ("三亚鹿城人力资源有限公司", "460202", 2022, ["L01", "L04"], True, True),
    ("三亚天涯职业指导中心", "460204", 2025, ["F02", "F05"], False, False),
    ("儋州洋浦人力资源有限公司", "460400", 2023, ["L02", "L03"], True, False),
    ("琼海博鳌人才服务有限公司", "469002", 2024, ["L06"], True, False),
    ("文昌航天人力资源测评有限公司", "469005", 2025, ["F04", "F03"], False, False),
    ("万宁兴隆人力资源有限公司", "469006", 2026, ["L01"], True, False),
    ("东方职业培训学校", "469007", 2026, ["F05"], False, True),
)


async def _staff(passwords: Passwords) -> list[Principal]:
    principals = []
    for username, password, display, permissions in STAFF:
        row = await StaffUser.select(StaffUser.id).where(StaffUser.username == username).first()
        if row is None:
            at = datetime.now(UTC)
            async with write_transaction():
                user = StaffUser(username=username, display_name=display, password_hash=await passwords.hash(password),
                                 password_changed_at=at, created_at=at)
                await user.save()
                role = Role(code=f"demo_{username}", name=display, permissions=json.dumps(permissions))
                await role.save()
                await StaffRole(staff=user.id, role=role.id).save()
                await StaffScope(staff=user.id, kind="division", code="460000").save()
            row = {"id": user.id}
        principals.append(Principal(kind="staff", account_id=row["id"], display_name=display,
                                    permissions=frozenset(permissions), scopes={"division": ("460000",)}))
    return principals


async def _agency_employer() -> Principal:
    row = await Employer.select().where(Employer.uscc == AGENCY.uscc).first()
    if row is None:
        at = datetime.now(UTC)
        employer = Employer(
            uscc=AGENCY.uscc, name=AGENCY.name, org_code=uscc_org_code(AGENCY.uscc), legal_rep=AGENCY.legal_rep,
            legal_rep_id_number=AGENCY.legal_rep_id_number, division_code=AGENCY.division_code, nature="10",
            affiliation="50", economic_type="170", industry="L", address=FORM["address"], contact_name="吴联系",
            contact_phone=AGENCY.legal_rep_mobile, review_agency="460105", profile_complete=True,
            filing_approved=False, created_at=at, updated_at=at,
        )
        await employer.save()
        row = await Employer.select().where(Employer.id == employer.id).first()
    return Principal(kind="employer", account_id=0, display_name=row["name"], employer_id=row["id"],
                     employer_name=row["name"], acting_name=AGENCY.legal_rep, acting_role="legal_rep")


async def _submit(applicant: Principal, matter: dict, storage: str) -> dict:
    kind = {k.code: k for k in (LICENCE, FILING, CHANGE, BRANCH)}[matter["kind"]]
    for m in kind.materials:
        await upload_material(applicant, matter["id"], m.code, f"{m.label}.pdf", _pdf(), storage_dir=storage)
    matter = await workflow.get_matter_for(applicant, matter["id"])
    return await workflow.fire(applicant, matter["id"], "submit", expected_version=matter["version"])


async def _regional(index: int, name: str, division: str, year: int, services: list[str], licensed: bool,
                    deregistered: bool) -> None:
    """An agency that never applied online (as 机构管理 or 历史数据采集 would add it), with its licence or filing."""
    first8 = f"MA5U{index:04d}"
    first17 = f"91{division}{first8}{org_check_digit(first8)}"
    uscc = first17 + uscc_check_digit(first17)
    at = datetime.now(UTC)
    status = "revoked" if deregistered else "valid"
    async with write_transaction():
        agency = Agency(name=name, uscc=uscc, legal_rep="（演示）", address=f"{name[:2]}市演示路{index + 1}号",
                        division_code=division, agency_type="1", source="staff", created_at=at, updated_at=at,
                        status="deregistered" if deregistered else "active")
        await agency.save()
        issued = date(year, 1 + index % 12, 1 + index)
        issuer = rules.issuing_division(division)
        if licensed:
            await Licence(agency=agency.id, licence_no=await numbers.issue_number("licence", issuer, year),
                          doc_no=await numbers.issue_number("licence_doc", issuer, year), division_code=division,
                          services=json.dumps(services), issued_on=issued, valid_until=rules.licence_valid_until(issued),
                          status=status, revoked_on=date(2026, 6, 1) if deregistered else None,
                          revoke_reason="机构申请注销" if deregistered else "", created_at=at).save()
        else:
            await ServiceFiling(agency=agency.id, filing_no=await numbers.issue_number("filing", issuer, year),
                                division_code=division, services=json.dumps(services), filed_on=issued, status=status,
                                revoked_on=date(2026, 6, 1) if deregistered else None, created_at=at).save()
        await effects.refresh_services(agency.id)


async def load() -> dict[str, int]:
    if await Agency.exists():
        return {"agencies": 0}
    settings = Settings.from_env()
    acceptor, approver = await _staff(Passwords(settings.security))
    applicant = await _agency_employer()
    storage = settings.storage_dir

    licence = await service.apply(applicant, LICENCE.code, FORM, ["L01", "L02", "L04"])
    licence = await _submit(applicant, licence, storage)
    licence = await workflow.fire(acceptor, licence["id"], "accept", expected_version=licence["version"])
    await workflow.fire(approver, licence["id"], "approve", expected_version=licence["version"])
    filing = await service.apply(applicant, FILING.code, FORM, ["F02", "F05"])
    await _submit(applicant, filing, storage)  # waits for 受理
    change = await service.apply_change(applicant, {**FORM, "address": "海口市龙华区滨海大道99号",
                                                    "reason": "办公场所搬迁"})
    await _submit(applicant, change, storage)  # a pending 事项变更
    # An approved branch in Sanya (it carries the licence), and a second report returned for correction.
    branch = await service.report_branch(applicant, {"name": f"{AGENCY.name}三亚分公司",
                                                     "division_code": "460202", "address": "三亚市吉阳区迎宾路88号",
                                                     "leader": "林分管"})
    branch = await _submit(applicant, branch, storage)
    branch = await workflow.fire(acceptor, branch["id"], "accept", expected_version=branch["version"])
    await workflow.fire(approver, branch["id"], "approve", expected_version=branch["version"])
    returned = await service.report_branch(applicant, {"name": f"{AGENCY.name}儋州分公司",
                                                       "division_code": "460400", "address": "儋州市那大镇中兴大街1号",
                                                       "leader": "吴分管"})
    returned = await _submit(applicant, returned, storage)
    await workflow.fire(acceptor, returned["id"], "return", expected_version=returned["version"],
                        opinion="分支机构营业执照地址与报告地址不一致，请核实后修改")

    agency = await service.agency_of(applicant.employer_id)
    at = datetime.now(UTC)
    async with write_transaction():
        await AnnualReport(agency=agency["id"], year=2025, division_code="460105", service_count=1860,
                           revenue_fen=386_500_00, employment_helped=412, fairs_held=3, status="returned",
                           opinion="营业收入与财务报表不一致，请核实后重新填报", created_at=at, updated_at=at).save()
        await JobFair(agency=agency["id"], name="2026年春季海口秀英区专场招聘会", held_on=date(2026, 3, 15),
                      place="海口市秀英区人力资源市场一楼", scale="展位60个", employer_count=58, post_count=1320,
                      division_code="460105", created_at=at).save()
    for i, spec in enumerate(REGIONAL):
        await _regional(i, *spec)
    return {"agencies": 1 + len(REGIONAL)}
