"""Use-cases of 网上书审 (INS-1, INS-2, INS-6), scoped by the Principal; the only module other domains may import.

The review row keeps the four steps; 完成申报 creates its 办件 (kind `ins_review`, routed to the chosen squad), and
the squad approves it or returns it for 整改 (the workflow's reject). While returned, the employer changes steps ①
and ② and resubmits; the squad chosen in step ③ stays (it is the squad that returned it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from domains.employer import service as employer_service
from domains.labor_contract import service as lc
from domains.labor_inspection import rules
from domains.labor_inspection.grade_rules import GRADE_LABELS
from domains.labor_inspection.tables import InsGradeHistory, InsReview, InsReviewStaff
from domains.social_insurance import service as si
from portal import audit
from portal.auth.principal import Principal
from portal.core import dictionary
from portal.db import write_transaction
from portal.refusal import Refused
from portal.workflow import engine as workflow
from portal.workflow.deadlines import local_date
from portal.workflow.kinds import EffectContext

REVIEW_PERMISSION = "ins.review"
REVIEW_KIND = "ins_review"
GRADE_PERMISSION = "ins.grade"  # its own right: grading and appeals are decisions, not the 书审's document check
GRADE_KIND = "ins_grade"
PERMISSIONS = {REVIEW_PERMISSION: "劳动保障监察书面审查（本中队辖区单位的网上书审）",
               GRADE_PERMISSION: "劳动保障守法诚信等级评定及申诉处理（本中队辖区单位）"}
EDITABLE_STATES = {"rejected"}  # besides "not yet submitted"


def now() -> datetime:
    return datetime.now(UTC)


def this_year() -> int:
    return local_date(now()).year


def _answers(row: dict[str, Any]) -> dict[str, Any]:
    raw = row.get("answers")
    return json.loads(raw) if isinstance(raw, str) else dict(raw or {})


def _require_employer(principal: Principal) -> int:
    # Legal persons only: the area's employer_guard already refuses a natural-person account; a service called
    # from elsewhere must not act for nobody.
    if not principal.is_employer or not principal.employer_id:
        raise NotFoundException()
    return principal.employer_id


async def review_of(principal: Principal, year: int) -> dict[str, Any] | None:
    """This employer's review of the year with its 办件 (None before step ① is first saved)."""
    employer_id = _require_employer(principal)
    row = await InsReview.select().where((InsReview.employer == employer_id) & (InsReview.year == year)).first()
    if row is None:
        return None
    row["answers"] = _answers(row)
    row["matter"] = await workflow.get_matter_for(principal, row["matter_id"]) if row["matter_id"] else None
    row["editable"] = row["matter"] is None or row["matter"]["state"] in EDITABLE_STATES
    return row


async def _editable_review(principal: Principal, year: int, *, create: bool = False) -> dict[str, Any]:
    review = await review_of(principal, year)
    if review is None:
        if not create:
            raise Refused("请先完成第一步“用工情况自查”")
        async with write_transaction():
            # ON CONFLICT DO NOTHING: a second tab starting the same year's review meets the unique index quietly.
            await InsReview.raw(
                "INSERT INTO ins_review (employer, year, answers, staff_count, division_code, squad_code,"
                " created_at, updated_at) VALUES ({}, {}, {}, 0, '', '', {}, {})"
                " ON CONFLICT (employer, year) DO NOTHING",
                principal.employer_id, year, "{}", now(), now())
        review = await review_of(principal, year)
        assert review is not None
    if not review["editable"]:
        raise Refused(f"{year}年度网上书审已申报，办理中或已办结的申报不能修改")
    return review


async def save_answers(principal: Principal, year: int, answers: dict[str, Any], *, ip: str = "") -> dict[str, Any]:
    """Step ①: the questionnaire, refused when its answers contradict each other."""
    for field, message in rules.answer_errors(answers).items():
        raise Refused(message, field)
    review = await _editable_review(principal, year, create=True)
    async with write_transaction():
        await InsReview.update({InsReview.answers: json.dumps(answers, ensure_ascii=False),
                                InsReview.answered_at: now(), InsReview.updated_at: now()}
                               ).where(InsReview.id == review["id"])
        await audit.record(category="labor_inspection", action="review.answers", actor=principal, ip=ip,
                           object_type="ins_review", object_id=review["id"])
    return review


async def importable_review(principal: Principal, year: int) -> dict[str, Any]:
    """Step ② may start: step ① saved and the review still editable (checked before the upload is read)."""
    return await _editable_review(principal, year)


async def replace_staff(principal: Principal, year: int, rows: list[dict[str, Any]]) -> None:
    """Step ②, inside the import's transaction: the imported list replaces the previous one."""
    review_id = (await _editable_review(principal, year))["id"]
    await InsReviewStaff.delete().where(InsReviewStaff.review == review_id)
    for start in range(0, len(rows), 400):
        await InsReviewStaff.insert(*[InsReviewStaff(review=review_id, **r) for r in rows[start:start + 400]])
    await InsReview.update({InsReview.staff_count: len(rows), InsReview.imported_at: now(),
                            InsReview.updated_at: now()}).where(InsReview.id == review_id)
    await audit.record(category="labor_inspection", action="review.staff_import", actor=principal,
                       object_type="ins_review", object_id=review_id, detail={"rows": len(rows)})


async def prefill_rows(principal: Principal) -> list[dict[str, Any]]:
    """Step ② on request: the employer's 在职 contracts, marked insured from its own 参保 records."""
    employer_id = _require_employer(principal)
    insured = await si.insured_id_numbers(employer_id)
    return [{"name": r["worker_name"], "id_number": r["id_number"], "post": r["post"], "hired_on": r["start_date"],
             "contract_signed": rules.YES, "contract_end": r["end_date"],
             "insured": rules.YES if r["id_number"] in insured else rules.NO, "monthly_wage": r["monthly_wage"]}
            for r in await lc.employed_roster(employer_id)]


async def division_choices(principal: Principal) -> list[tuple[str, str]]:
    """Step ③: the 街道(乡镇) inside the employer's registered division (a city's employer: every street of the
    city), labelled with their district; the operating address is one of them."""
    employer_id = _require_employer(principal)
    employer = await employer_service.get_employer(employer_id)
    prefix = rules.division_prefix((employer or {}).get("division_code", ""))
    if not prefix:
        return []
    entries = await dictionary.entries("division")
    names = {e.code: e.label for e in entries}
    return [(e.code, f"{names.get(e.parent_code, '')}{e.label}") for e in entries
            if len(e.code) > 6 and e.code.startswith(prefix)]


async def squads_for(division_code: str) -> list[tuple[str, str]]:
    """The 监察中队 whose `extra.divisions` cover the division (any size of the squad dictionary). Only the most
    specific level is offered: the street's 中队, not the 大队 or 支队 above it — unless no 中队 covers it."""
    found: list[tuple[int, str, str]] = []
    for e in await dictionary.entries("squad"):
        try:
            divisions = json.loads(e.extra or "{}").get("divisions") or []
        except ValueError:
            continue
        depth = rules.squad_depth(divisions, division_code)
        if depth:
            found.append((depth, e.code, e.label))
    best = max((d for d, _, _ in found), default=0)
    return [(code, label) for d, code, label in found if d == best]


async def choose_squad(principal: Principal, year: int, division_code: str, squad_code: str, *, ip: str = "") -> None:
    """Step ③: the operating address's 街道(乡镇) and a squad covering it."""
    review = await _editable_review(principal, year)
    if review["matter"] is not None:
        raise Refused("退回整改的申报仍由原监察中队审查，不能更换", "squad_code")
    if division_code not in {c for c, _ in await division_choices(principal)}:
        raise Refused("请从列表中选择实际经营地所在街道（乡镇）", "division_code")
    if squad_code not in {c for c, _ in await squads_for(division_code)}:
        raise Refused("请选择管辖实际经营地的监察中队", "squad_code")
    async with write_transaction():
        await InsReview.update({InsReview.division_code: division_code, InsReview.squad_code: squad_code,
                                InsReview.updated_at: now()}).where(InsReview.id == review["id"])
        await audit.record(category="labor_inspection", action="review.squad", actor=principal, ip=ip,
                           object_type="ins_review", object_id=review["id"], detail={"squad": squad_code})


async def cross_check(principal: Principal, review: dict[str, Any]) -> dict[str, Any]:
    """Findings of the answers and their differences from the employer's own records (before 完成申报)."""
    employer_id = _require_employer(principal)
    answers = review["answers"]
    return {
        "findings": rules.findings(answers) if review.get("answered_at") else [],
        "differences": rules.differences(
            answers, contracts=await lc.employed_count(employer_id),
            insured=len(await si.insured_id_numbers(employer_id)),
            imported=review["staff_count"] if review.get("imported_at") else None,
        ) if review.get("answered_at") else [],
        "missing": rules.steps_missing(review),
    }


async def submit(principal: Principal, year: int, *, form_token: str | None = None, ip: str = "") -> dict[str, Any]:
    """Step ④ 完成申报: the 办件 to the chosen squad, or the resubmission after 整改."""
    review = await _editable_review(principal, year)
    check = await cross_check(principal, review)
    if check["missing"]:
        raise Refused("；".join(check["missing"]))
    payload = {"year": year, "answers": review["answers"], "answer_rows": rules.answer_rows(review["answers"]), "findings": check["findings"],
               "differences": check["differences"], "staff_count": review["staff_count"],
               "division_code": review["division_code"], "squad_code": review["squad_code"],
               "review_id": review["id"]}
    title = f"{year}年度网上书审"
    if review["matter"] is None:
        async with write_transaction():
            matter = await workflow.create_matter(
                principal, REVIEW_KIND, payload=payload, title=title, squad_code=review["squad_code"],
                division_code=review["division_code"], submit=True, form_token=form_token, ip=ip)
            await InsReview.update({InsReview.matter_id: matter["id"], InsReview.updated_at: now()}
                                   ).where(InsReview.id == review["id"])
        return matter
    matter = await workflow.update_payload(principal, review["matter"]["id"],
                                           expected_version=review["matter"]["version"], payload=payload)
    return await workflow.fire(principal, matter["id"], "resubmit", expected_version=matter["version"],
                               form_token=form_token, ip=ip)


async def matters_of(principal: Principal) -> list[dict[str, Any]]:
    """INS-2 网上书审办事进度查询: every year's review of this employer, newest first."""
    employer_id = _require_employer(principal)
    rows = await InsReview.select().where(InsReview.employer == employer_id).order_by(InsReview.year, ascending=False)
    for r in rows:
        r["matter"] = await workflow.get_matter_for(principal, r["matter_id"]) if r["matter_id"] else None
    return rows


# ---- staff (INS-6) ------------------------------------------------------------------------------------------

async def staff_review(principal: Principal, matter_id: int) -> dict[str, Any]:
    """The 书审 behind a 办件 the staff member's squads cover (404 otherwise: get_matter_for audits it)."""
    if not principal.can(REVIEW_PERMISSION):
        raise NotFoundException()
    matter = await workflow.get_matter_for(principal, matter_id)
    if matter["kind"] != REVIEW_KIND:
        raise NotFoundException()
    return matter


async def return_effect(ctx: EffectContext) -> dict[str, Any]:
    """责令整改: every problem at once — the answers' findings, the differences and the inspector's opinion."""
    p = ctx.matter["payload"]
    problems = [*p.get("findings", []), *p.get("differences", [])]
    return {"problems": problems, "rectify_opinion": ctx.opinion}


# ---- 信用等级, read by other domains (合规证明 warns of a C grade in the period) ------------------------------------

async def latest_grades(employer_id: int, years: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The employer's standing grade of each of `years` that has one: year → {grade, label, reasons, decided_at,
    source ("decide" or "appeal_change"), matter_id}. A grade under appeal stands until the appeal changes it."""
    wanted = sorted({int(y) for y in years})
    if not wanted:
        return {}
    rows = await InsGradeHistory.select().where(
        (InsGradeHistory.employer == employer_id) & InsGradeHistory.year.is_in(wanted)
    ).order_by(InsGradeHistory.id)
    latest = {r["year"]: r for r in rows}  # ascending ids: the last row of a year wins
    return {year: {"grade": r["grade"], "label": GRADE_LABELS.get(r["grade"], r["grade"]), "reasons": r["reasons"],
                   "decided_at": r["decided_at"], "source": r["source"], "matter_id": r["matter_id"]}
            for year, r in latest.items()}
