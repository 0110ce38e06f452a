"""Demo 网上书审 (idempotent, after the labour-contract and social-insurance demos), this year's review of the three
demo employers: the first 退回整改 (the squad's 责令整改 listing its problems), the second 待审核, the third in
progress (step ① saved only). Each employer's street is the first its registered division offers. Then last year's
信用等级 of the same three (load_grades)."""

from __future__ import annotations

from domains.employer import service as employers
from domains.labor_inspection import service
from domains.labor_inspection.tables import InsReview
from portal.auth.principal import Principal
from portal.db import write_transaction
from portal.workflow import engine as workflow
from seeds.demo_identities import EMPLOYERS

ANSWERS = {"total_staff": 12, "contract_signed": 11, "wage_paid": "是", "wage_arrears": None, "lowest_wage": 230000,
           "below_minimum": "否", "overtime_hours": 40, "insured_count": 12, "female_protected": "是",
           "child_labour": "否", "dispatch_count": 1, "rules_published": "是"}


def _employer(row: dict) -> Principal:
    return Principal(kind="employer", account_id=0, display_name=row["name"], employer_id=row["id"],
                     employer_name=row["name"], acting_name="经办人（演示）", acting_role="agent")


async def _through_step3(principal: Principal, year: int) -> bool:
    await service.save_answers(principal, year, ANSWERS)
    rows = await service.prefill_rows(principal)
    async with write_transaction():
        await service.replace_staff(principal, year, rows)
    for division, _ in await service.division_choices(principal):
        squads = await service.squads_for(division)
        if squads:
            await service.choose_squad(principal, year, division, squads[0][0])
            return True
    return False


async def load() -> dict[str, int]:
    found = [await employers.get_by_uscc(e.uscc) for e in EMPLOYERS]
    if any(e is None for e in found) or await InsReview.exists().where(InsReview.employer == found[0]["id"]):
        return {"reviews": 0}
    year = service.this_year()
    first, second, third = (_employer(e) for e in found)
    if await _through_step3(first, year):
        matter = await service.submit(first, year)
        squad = Principal(kind="staff", account_id=0, display_name="监察中队（演示）",
                          permissions=frozenset({service.REVIEW_PERMISSION}), scopes={"squad": (matter["squad_code"],)})
        await workflow.fire(squad, matter["id"], "reject", expected_version=matter["version"],
                            opinion="请于30日内完成加班时间整改，并补签劳动合同")
    if await _through_step3(second, year):
        await service.submit(second, year)
    await service.save_answers(third, year, ANSWERS)
    return {"reviews": await InsReview.count()}


async def load_grades() -> dict[str, int]:
    """Demo 信用等级 (idempotent) of last year: the first employer graded A and accepted, the second graded C and
    appealing (for the demo reviewer, who did not grade it, to decide), the third waiting for its grade."""
    from domains.labor_inspection import grade_rules, grades
    from domains.labor_inspection.tables import InsGrade

    found = [await employers.get_by_uscc(e.uscc) for e in EMPLOYERS]
    if any(e is None for e in found) or await InsGrade.exists().where(InsGrade.employer == found[0]["id"]):
        return {"grades": 0}
    year = grades.year_choices()[0][0]
    kept = {code: grade_rules.KEPT for code, _ in grade_rules.CRITERIA}
    outcomes = (("A", "A", "未发现劳动保障违法行为", None), ("B", "C", "年度内因拖欠工资被查处三次",
                "其中两次已由复议决定撤销，附行政复议决定书"), ("B", None, "", None))
    for row, (proposed, grade, reasons, appeal) in zip(found, outcomes, strict=True):
        employer = _employer(row)
        division = next((code for code, _ in await grades.division_choices(employer)), "")
        values = {**kept, "year": year, "opinion": "本单位依法用工，按时足额支付工资并参加社会保险。",
                  "proposed_grade": proposed, "division_code": division, "contact_name": row["contact_name"] or "联系人",
                  "contact_phone": row["contact_phone"] or "13800000000"}
        if proposed == "B":
            values.update(wages=grade_rules.BREACHED, wages_note="个别月份工资延期发放，已全部补发")
        matter = await grades.declare(employer, values)
        if grade is None:
            continue
        squad = Principal(kind="staff", account_id=0, display_name="监察中队评定员（演示）",
                          permissions=frozenset({service.GRADE_PERMISSION}), scopes={"squad": (matter["squad_code"],)})
        matter = await workflow.fire(squad, matter["id"], "decide", expected_version=matter["version"],
                                     opinion=reasons, values={"grade": grade})
        if appeal:
            await workflow.fire(employer, matter["id"], "appeal", expected_version=matter["version"], opinion=appeal)
        else:
            await workflow.fire(employer, matter["id"], "accept_decision", expected_version=matter["version"])
    return {"grades": await InsGrade.count()}


async def load_compliance() -> dict[str, int]:
    """Demo 劳动用工合规证明 (idempotent), this year's up to last month: the first employer's waits for the squad
    (its 书审 was returned for 整改: the reviewer sees the warnings), the second's was issued after the squad noted
    its 核实意见, the third's was refused with a reason."""
    from domains.labor_inspection import compliance
    from domains.labor_inspection.tables import InsCompliance

    found = [await employers.get_by_uscc(e.uscc) for e in EMPLOYERS]
    if any(e is None for e in found) or await InsCompliance.exists().where(InsCompliance.employer == found[0]["id"]):
        return {"compliance": 0}
    month = compliance.this_month()
    start = (month // 100) * 100 + 1
    end = month - 1 if month % 100 > 1 else month
    decisions = (None, ("approve", "已核对本中队监察记录，期间内无立案查处记录；书审待审核事项不影响本证明"),
                 ("reject", "该单位本年度网上书审尚未完成，请完成书审后再申请"))
    for row, purpose, decision in zip(found, ("listing", "bidding", "financing"), decisions, strict=True):
        employer = _employer(row)
        matter = await compliance.apply(employer, {
            "purpose": purpose, "purpose_other": "", "start_month": start, "end_month": end,
            "contact_name": row["contact_name"] or "联系人", "contact_phone": row["contact_phone"] or "13800000000"})
        if decision is not None:
            squad = Principal(kind="staff", account_id=0, display_name="监察中队（演示）",
                              permissions=frozenset({service.REVIEW_PERMISSION}),
                              scopes={"squad": (matter["squad_code"],)})
            await workflow.fire(squad, matter["id"], decision[0], expected_version=matter["version"],
                                opinion=decision[1])
    return {"compliance": await InsCompliance.count()}
