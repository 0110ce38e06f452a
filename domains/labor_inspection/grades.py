"""Use-cases of 信用等级 (INS-3, INS-4, INS-6 for grades and appeals), scoped by the Principal.

A declaration (`InsGrade`, one per employer and year) becomes a 办件 of kind `ins_grade` — the platform's appeal
shape (portal.workflow.kinds.appeal_flow) routed to the squad of the operating address. The squad grades it A/B/C
with reasons; the employer accepts or appeals within 15 working days; another staff member upholds or changes
the grade. Every grade given is a row of `InsGradeHistory`; `service.latest_grades` reads them for other domains.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from litestar.exceptions import NotFoundException

from domains.employer import service as employer_service
from domains.labor_inspection import grade_rules, rules, service
from domains.labor_inspection.tables import InsGrade, InsGradeHistory
from portal import audit, validators
from portal.auth.principal import Principal
from portal.core import dictionary
from portal.db import write_transaction
from portal.refusal import Refused
from portal.workflow import engine as workflow
from portal.workflow import transitions
from portal.workflow.deadlines import local_date
from portal.workflow.kinds import EffectContext, get_kind
from portal.workflow.materials import upload_material

APPEAL_DAYS = 15
APPEAL_MATERIAL = "appeal_evidence"
REDECLARABLE = {"withdrawn"}  # a withdrawn declaration's year may be declared again
APPEALED_STATES = ("appealed", "upheld", "changed")


def year_choices(today: date | None = None) -> list[tuple[str, str]]:
    """The years an employer may declare: the last one (the usual assessment) and the current one."""
    year = (today or local_date(service.now())).year
    return [(str(year - 1), f"{year - 1}年度"), (str(year), f"{year}年度")]


def _json(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


async def division_choices(principal: Principal) -> list[tuple[str, str]]:
    """Where the operating address may be: the 书审's 街道(乡镇) inside the registered division; where the dictionary
    has none there (三亚's and 三沙's districts have no 乡级 rows), its districts, else the division itself — their
    中队 is the district's (dictionary.squad_for)."""
    streets = await service.division_choices(principal)
    if streets:
        return streets
    employer = await employer_service.get_employer(service._require_employer(principal))
    code = (employer or {}).get("division_code", "")
    prefix = rules.division_prefix(code)
    entries = await dictionary.entries("division")
    names = {e.code: e.label for e in entries}
    districts = [(e.code, f"{names.get(e.parent_code, '')}{e.label}") for e in entries
                 if len(e.code) == 6 and e.code.startswith(prefix) and not e.code.endswith("00")]
    return districts or ([(code, names.get(code, code))] if prefix else [])


async def _rows_with_matters(principal: Principal, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        r["criteria"] = _json(r["criteria"])
        r["matter"] = await workflow.get_matter_for(principal, r["matter_id"]) if r["matter_id"] else None
    return rows


def open_years(rows: list[dict[str, Any]]) -> list[str]:
    """The declarable years (year_choices) that `declarations` rows do not already take."""
    taken = {str(r["year"]) for r in rows if r["matter"] and r["matter"]["state"] not in REDECLARABLE}
    return [y for y, _ in year_choices() if y not in taken]


async def declarations(principal: Principal) -> list[dict[str, Any]]:
    """信用等级申报办件进度查询: this employer's declarations, newest year first, each with its 办件, its state as
    shown (an 已评定 grade not appealed in time reads 已生效), its standing grade and, while the grade is open to
    appeal, the last day to appeal."""
    employer_id = service._require_employer(principal)
    rows = await _rows_with_matters(principal, await InsGrade.select().where(
        InsGrade.employer == employer_id).order_by(InsGrade.year, ascending=False))
    grades = await service.latest_grades(employer_id, [r["year"] for r in rows])
    kind = get_kind(service.GRADE_KIND)
    appeal = kind.transition("appeal")
    for r in rows:
        r["state"] = await transitions.shown_state(kind, r["matter"]) if r["matter"] else None
        r["grade"] = grades.get(r["year"])
        r["appeal_last_day"] = await transitions.time_limit_last_day(appeal, r["matter"]) if r["matter"] else None
        r["appeal_open"] = r["appeal_last_day"] is not None and not transitions.past(r["appeal_last_day"])
    return rows


async def declare(principal: Principal, values: dict[str, Any], *, form_token: str | None = None,
                  ip: str = "") -> dict[str, Any]:
    """信用等级申报: the evaluation content, 申报意见 and the squad of the operating address → a submitted 办件."""
    employer_id = service._require_employer(principal)
    await workflow.ensure_unused_token(form_token)
    for field, message in grade_rules.declaration_errors(values).items():
        raise Refused(message, field)
    year = int(values["year"])
    if str(year) not in {code for code, _ in year_choices()}:
        raise Refused("请从列表中选择评价年度", "year")
    if values["division_code"] not in {code for code, _ in await division_choices(principal)}:
        raise Refused("请从列表中选择实际经营地所在街道（乡镇）", "division_code")
    squad = await dictionary.squad_for(values["division_code"])
    if squad is None:
        raise Refused("该街道（乡镇）暂无劳动保障监察中队，请联系当地人社部门", "division_code")
    criteria = grade_rules.criteria_value(values)
    payload = {"year": year, "criteria": criteria, "opinion": values["opinion"],
               "proposed_grade": values["proposed_grade"], "contact_name": values["contact_name"],
               "contact_phone": validators.mask_phone(values["contact_phone"]),
               "division_code": values["division_code"], "squad_code": squad.code}
    row = {InsGrade.criteria: json.dumps(criteria, ensure_ascii=False), InsGrade.opinion: values["opinion"],
           InsGrade.proposed_grade: values["proposed_grade"], InsGrade.contact_name: values["contact_name"],
           InsGrade.contact_phone: values["contact_phone"], InsGrade.division_code: values["division_code"],
           InsGrade.squad_code: squad.code, InsGrade.updated_at: service.now()}
    try:
        async with write_transaction():
            # Read inside the write transaction (serialised on SQLite); the unique (employer, year) index catches a
            # second tab racing this one on PostgreSQL.
            existing = await InsGrade.select().where(
                (InsGrade.employer == employer_id) & (InsGrade.year == year)).first()
            if existing and existing["matter_id"]:
                earlier = await workflow.get_matter_for(principal, existing["matter_id"])
                if earlier["state"] not in REDECLARABLE:
                    raise Refused(f"{year}年度信用等级已申报（办件编号{earlier['number']}），每个单位每年度申报一次",
                                  "year")
            if existing is None:
                grade = InsGrade(employer=employer_id, year=year, created_at=service.now(),
                                 **{col._meta.name: value for col, value in row.items()})
                await grade.save()
                grade_id = grade.id
            else:
                grade_id = existing["id"]
                await InsGrade.update(row).where(InsGrade.id == grade_id)
            matter = await workflow.create_matter(
                principal, service.GRADE_KIND, payload={**payload, "grade_id": grade_id},
                title=f"{year}年度信用等级申报", squad_code=squad.code, division_code=values["division_code"],
                submit=True, form_token=form_token, ip=ip)
            await InsGrade.update({InsGrade.matter_id: matter["id"]}).where(InsGrade.id == grade_id)
            await audit.record(category="labor_inspection", action="grade.declare", actor=principal, ip=ip,
                               object_type="ins_grade", object_id=grade_id, detail={"year": year, "squad": squad.code})
    except Exception as exc:
        if type(exc).__name__ in {"UniqueViolationError", "IntegrityError"}:
            raise Refused(f"{year}年度信用等级已申报，每个单位每年度申报一次", "year") from exc
        raise
    return matter


async def last_declaration(principal: Principal) -> dict[str, Any] | None:
    """The newest declaration, to pre-fill the next one (street, contact)."""
    employer_id = service._require_employer(principal)
    return await InsGrade.select().where(InsGrade.employer == employer_id).order_by(
        InsGrade.id, ascending=False).first()


# ---- 申诉 (INS-4) ----------------------------------------------------------------------------------------------

async def own_grade_matter(principal: Principal, matter_id: int) -> dict[str, Any]:
    """A 信用等级 办件 of this employer (404 otherwise; get_matter_for audits a foreign id)."""
    service._require_employer(principal)
    matter = await workflow.get_matter_for(principal, matter_id)
    if matter["kind"] != service.GRADE_KIND:
        raise NotFoundException()
    return matter


async def appeal_window(matter: dict[str, Any]) -> dict[str, Any]:
    """The decision under appeal: the grade, its reasons, the last day to appeal and whether that day has passed."""
    appeal = get_kind(service.GRADE_KIND).transition("appeal")
    last = await transitions.time_limit_last_day(appeal, matter)
    decided = next((e for e in reversed(await workflow.timeline(matter["id"])) if e["action"] == "decide"), None)
    return {"last_day": last, "open": last is not None and not transitions.past(last),
            "grade": matter["result"].get("grade", ""), "reasons": decided["opinion"] if decided else "",
            "decided_at": decided["at"] if decided else None}


async def appeal(principal: Principal, matter_id: int, *, reasons: str, file: tuple[str, bytes] | None,
                 expected_version: int, storage_dir: Path, form_token: str | None = None,
                 ip: str = "") -> dict[str, Any]:
    """信用等级申诉: reasons and an optional material, within 15 working days of the decision. The limit is the
    engine's (the transition's time_limit_days); it is checked here first too, so a late appeal stores no file."""
    matter = await own_grade_matter(principal, matter_id)
    await workflow.ensure_unused_token(form_token)
    kind = get_kind(service.GRADE_KIND)
    t = kind.transition("appeal")
    transitions.check_state(kind, t, matter["state"])
    await transitions.check_time_limit(kind, t, matter)
    if not reasons.strip():
        raise Refused("请填写申诉理由", "reasons")
    if file is not None:
        try:
            await upload_material(principal, matter_id, APPEAL_MATERIAL, file[0], file[1], storage_dir=storage_dir,
                                  ip=ip)
        except workflow.WorkflowError as exc:
            raise Refused(exc.message, "file") from None
    return await workflow.fire(principal, matter_id, "appeal", expected_version=expected_version, opinion=reasons,
                               form_token=form_token, ip=ip)


async def appeal_results(principal: Principal) -> list[dict[str, Any]]:
    """信用等级申诉结果查询: each appealed declaration with the appeal and its decision (from the timeline)."""
    rows = [r for r in await declarations(principal) if r["matter"] and r["matter"]["state"] in APPEALED_STATES]
    for r in rows:
        events = await workflow.timeline(r["matter"]["id"])
        r["appeal_event"] = next((e for e in reversed(events) if e["action"] == "appeal"), None)
        r["decision_event"] = next((e for e in reversed(events) if e["action"] in ("uphold", "change")), None)
        r["original"] = next((h for h in await _history_rows(r["employer"], r["year"]) if h["source"] == "decide"), None)
    return rows


# ---- history and the squad's side (INS-6) ----------------------------------------------------------------------

async def _history_rows(employer_id: int, year: int | None = None) -> list[dict[str, Any]]:
    where = InsGradeHistory.employer == employer_id
    if year is not None:
        where = where & (InsGradeHistory.year == year)
    rows = await InsGradeHistory.select().where(where).order_by(InsGradeHistory.id, ascending=False)
    for r in rows:
        r["label"] = grade_rules.GRADE_LABELS.get(r["grade"], r["grade"])
        r["source_label"] = "申诉变更" if r["source"] == "appeal_change" else "评定"
    return rows


async def history(principal: Principal) -> list[dict[str, Any]]:
    """The employer's own grade history, newest first."""
    return await _history_rows(service._require_employer(principal))


async def detail_context(principal: Principal, matter: dict[str, Any]) -> dict[str, Any]:
    """What the review panel and the employer's matter page show beside the declaration: the employer's grade
    history and the appeal window. Called only for a matter get_matter_for allowed."""
    window = await appeal_window(matter) if matter["state"] == "decided" else {}
    return {"history": await _history_rows(matter["employer"]), "window": window,
            "criteria_rows": grade_rules.criteria_rows(matter["payload"].get("criteria") or {}),
            "proposed_label": grade_rules.GRADE_LABELS.get(matter["payload"].get("proposed_grade", ""), "")}


async def _record(ctx: EffectContext, grade: str, source: str) -> dict[str, Any]:
    await InsGradeHistory.insert(InsGradeHistory(
        employer=ctx.matter["employer"], year=int(ctx.matter["payload"]["year"]), grade=grade, reasons=ctx.opinion,
        decided_by=ctx.principal.display_name[:100], decided_by_id=ctx.principal.account_id,
        decided_at=transitions.now(), source=source, matter_id=ctx.matter["id"]))
    return {"grade": grade_rules.GRADE_LABELS[grade]}


async def decide_effect(ctx: EffectContext) -> dict[str, Any]:
    """评定: the grade and its reasons join the history (the matter's result shows the standing grade)."""
    return await _record(ctx, ctx.values["grade"], "decide")


async def change_effect(ctx: EffectContext) -> dict[str, Any]:
    """申诉成立，变更评定: a new history row; the same grade again is 维持, not 变更."""
    current = (await service.latest_grades(ctx.matter["employer"], [int(ctx.matter["payload"]["year"])])).get(
        int(ctx.matter["payload"]["year"]))
    if current and current["grade"] == ctx.values["new_grade"]:
        message = f"变更后的等级与原评定相同（{current['label']}），请选择“维持原评定”或选择其他等级"
        raise workflow.WorkflowError(message, errors={"new_grade": message})
    return await _record(ctx, ctx.values["new_grade"], "appeal_change")
