"""Use-cases of 工伤: 工伤快报 (save, 修改, 删除, 确认提交), the staff queue and the 工伤保险单位证明 facts.

Every read is scoped: an employer by principal.employer_id, staff by their division scopes, a person by
principal.person_id; anything else is 404. Whether a person was insured for 工伤 at the employer on the
accident date comes from domains.social_insurance.service (its records are the source)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from litestar.exceptions import NotFoundException, PermissionDeniedException

from domains.employer import service as employers
from domains.person import service as persons
from domains.social_insurance import service as insurance
from domains.work_injury import matters, rules
from domains.work_injury.flags import as_date
from domains.work_injury.rules import ReportRefused
from domains.work_injury.tables import WiAccident, WiInjured
from portal import audit, validators
from portal.auth.principal import Principal
from portal.core import dictionary
from portal.db import fetch, write_transaction
from portal.refusal import Refused
from portal.workflow import engine
from portal.workflow.deadlines import SHANGHAI, local_date

ACCIDENT_FIELDS = ("occurred_at", "place", "category", "description", "reporter", "reporter_phone", "hospital")


def local_now() -> datetime:
    return datetime.now(SHANGHAI).replace(tzinfo=None, second=0, microsecond=0)


# ---- 增加工伤人员: look a person up by 身份证号 and check the 工伤 cover -----------------------------------------

async def lookup(employer_id: int, id_numbers: list[tuple[str, str]], on: date | None) -> dict[str, dict]:
    """(row key, normalised 身份证号) → {key: {"person": row or None, "refusal": reason or None}}.

    `on` is the accident date; without it (not typed yet) only the person is looked up."""
    found = {key: {"person": await persons.get_by_id_number(id_number), "refusal": None}
             for key, id_number in id_numbers if id_number}
    ids = [f["person"]["id"] for f in found.values() if f["person"]]
    records = await insurance.injury_records(employer_id, ids) if ids else {}
    for entry in found.values():
        if entry["person"] is None:
            entry["refusal"] = "系统中没有该身份证号的人员，请核对身份证号"
        elif on is not None:
            entry["refusal"] = rules.cover_refusal(records.get(entry["person"]["id"], []), on)
    return found


async def check_report(employer_id: int, accident: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, dict]:
    """Every rule of a report at once (X-11): raises ReportRefused {field: reason}; returns the lookups."""
    errors: dict[str, str] = {}
    occurred = accident.get("occurred_at")
    if occurred is not None and (reason := rules.future_refusal(occurred, local_now())):
        errors["occurred_at"] = reason
    if not rows:
        errors[""] = rules.NO_PERSON
    if len(rows) > rules.MAX_PERSONS:
        errors[""] = f"一份工伤快报最多上报{rules.MAX_PERSONS}名工伤人员"
    pairs = [(r["key"], r["id_number"]) for r in rows]
    for key, reason in rules.duplicate_refusals(pairs).items():
        errors[f"p{key}_id_number"] = reason
    found = await lookup(employer_id, pairs, occurred.date() if occurred else None)
    for key, entry in found.items():
        if entry["refusal"]:
            errors.setdefault(f"p{key}_id_number", entry["refusal"])
    if errors:
        raise ReportRefused(errors)
    return found


async def _payload(accident: dict[str, Any], rows: list[dict[str, Any]], found: dict[str, dict]) -> dict[str, Any]:
    """What the reviewer's modal shows (a snapshot, masked: X-9)."""
    categories = await dictionary.labels("wi_accident_category")
    severities = await dictionary.labels("wi_injury_severity")
    occurred = accident["occurred_at"]
    return {
        "occurred": f"{occurred:%Y-%m-%d %H:%M}", "place": accident["place"],
        "category_label": categories.get(accident["category"], accident["category"]),
        "description": accident["description"], "reporter": accident["reporter"],
        "reporter_phone_masked": validators.mask_phone(accident["reporter_phone"]), "hospital": accident["hospital"],
        "deadline_on": rules.deadline_for(occurred.date()).isoformat(),
        "persons": "、".join(found[r["key"]]["person"]["name"] for r in rows),
        "injured": [{
            "name": found[r["key"]]["person"]["name"], "id_number_masked": validators.mask_id_number(r["id_number"]),
            "body_part": r["body_part"], "severity_label": severities.get(r["severity"], r["severity"]),
            "diagnosis": r["diagnosis"], "hospitalised": "是" if r["hospitalised"] else "否",
            "occupation": r["occupation"],
        } for r in rows],
    }


def _accident_values(accident: dict[str, Any], division_code: str) -> dict[str, Any]:
    occurred = accident["occurred_at"]
    return {
        "occurred_at": occurred.replace(tzinfo=SHANGHAI).astimezone(UTC), "occurred_on": occurred.date(),
        "deadline_on": rules.deadline_for(occurred.date()), "place": accident["place"],
        "category": accident["category"], "description": accident["description"], "reporter": accident["reporter"],
        "reporter_phone": accident["reporter_phone"], "hospital": accident["hospital"],
        "division_code": division_code,
    }


async def _write_persons(accident_id: int, rows: list[dict[str, Any]], found: dict[str, dict]) -> str:
    await WiInjured.delete().where(WiInjured.accident == accident_id)
    await WiInjured.insert(*[WiInjured(
        accident=accident_id, person=found[r["key"]]["person"]["id"], id_number=r["id_number"],
        name=found[r["key"]]["person"]["name"], body_part=r["body_part"], severity=r["severity"],
        diagnosis=r["diagnosis"], hospitalised=bool(r["hospitalised"]), occupation=r["occupation"], position=n,
    ) for n, r in enumerate(rows)])
    return "、".join(found[r["key"]]["person"]["name"] for r in rows)[:200]


def _title(accident: dict[str, Any], names: str) -> str:
    return f"工伤快报 {accident['occurred_at']:%Y-%m-%d} {names}"


async def save_report(principal: Principal, accident: dict[str, Any], rows: list[dict[str, Any]], *,
                      accident_id: int | None = None, form_token: str | None = None, ip: str = "") -> int:
    """保存 a new report (未确认) or 修改 one that is 未确认 / 退回; the rules run here, whatever the page did.

    `accident` is the cleaned accident form (occurred_at a naive local datetime); `rows` the injured persons
    (key, id_number, body_part, severity, diagnosis, hospitalised, occupation). Returns the accident id."""
    employer = await employers.get_employer(principal.employer_id)
    if employer is None:
        raise NotFoundException()
    found = await check_report(employer["id"], accident, rows)
    payload = await _payload(accident, rows, found)
    now = datetime.now(UTC)
    values = _accident_values(accident, employer["division_code"])
    async with write_transaction():
        if accident_id is None:
            row = WiAccident(employer=employer["id"], created_at=now, updated_at=now, **values)
            await row.save()
            names = await _write_persons(row.id, rows, found)
            matter = await engine.create_matter(
                principal, matters.QUICK_REPORT, payload=payload, title=_title(accident, names),
                division_code=employer["division_code"], form_token=form_token, ip=ip)
            await WiAccident.update({WiAccident.matter_id: matter["id"], WiAccident.persons_label: names}).where(
                WiAccident.id == row.id)
            return row.id
        current = await get_report(principal, accident_id)
        if not current["editable"]:
            raise Refused(f"该工伤快报当前状态为“{current['state_label']}”，不能修改")
        names = await _write_persons(accident_id, rows, found)
        await WiAccident.update({**{getattr(WiAccident, k): v for k, v in values.items()},
                                 WiAccident.persons_label: names, WiAccident.updated_at: now}).where(
            WiAccident.id == accident_id)
        await engine.update_payload(principal, current["matter_id"], expected_version=current["version"],
                                    payload=payload, title=_title(accident, names))
        return accident_id


# ---- reading a report ------------------------------------------------------------------------------------------

_REPORT_SQL = (
    "SELECT a.*, m.state, m.version, m.number, m.submitted_at FROM wi_accident a JOIN matter m ON m.id = a.matter_id"
    " WHERE a.id = {} AND m.state <> 'voided' AND "
)


async def _with_persons(row: dict[str, Any]) -> dict[str, Any]:
    row["persons"] = await WiInjured.select().where(WiInjured.accident == row["id"]).order_by(WiInjured.position)
    state = matters.QUICK_REPORT.state(row["state"])
    row["state_label"], row["state_tone"], row["editable"] = state.label, state.tone, state.editable
    occurred = row["occurred_at"]
    if isinstance(occurred, str):
        occurred = datetime.fromisoformat(occurred)
    row["occurred_local"] = occurred.astimezone(SHANGHAI).replace(tzinfo=None)
    row.update(deadline(row))
    return row


def deadline(row: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """Days left to apply for 工伤认定, shown once the report is confirmed (已提交 / 审核通过) until the employer
    records the application."""
    left = rules.days_left(as_date(row["deadline_on"]), today or local_date())
    shown = row["state"] in ("submitted", "approved") and row.get("applied_on") is None
    return {"days_left": left, "deadline_flag": rules.deadline_flag(left) if shown else "",
            "deadline_text": rules.deadline_text(left) if shown else "", "deadline_shown": shown,
            "can_record_application": row["state"] == "approved"}


async def record_application(principal: Principal, accident_id: int, applied_on: date, *, ip: str = "") -> None:
    """已申请工伤认定: the employer records the date it applied (an accepted report only); ends the 30-day flag.
    Recording again corrects the date."""
    report = await get_report(principal, accident_id)
    if report["state"] != "approved":
        raise Refused(f"工伤快报审核通过后才能登记工伤认定申请，当前状态为“{report['state_label']}”", "applied_on")
    if reason := rules.application_refusal(applied_on, as_date(report["occurred_on"]), local_date()):
        raise Refused(reason, "applied_on")
    async with write_transaction():
        await WiAccident.update({WiAccident.applied_on: applied_on, WiAccident.updated_at: datetime.now(UTC)}).where(
            (WiAccident.id == accident_id) & (WiAccident.employer == principal.employer_id))
        await audit.record(category="work_injury", action="accident.applied", actor=principal, ip=ip,
                           object_type="wi_accident", object_id=accident_id, detail={"applied_on": str(applied_on)})


async def get_report(principal: Principal, accident_id: int) -> dict[str, Any]:
    """The employer's own report (404 for any other, and for a deleted one)."""
    rows = await fetch(_REPORT_SQL + "a.employer = {}", accident_id, principal.employer_id)
    if not rows:
        raise NotFoundException()
    return await _with_persons(dict(rows[0]))


def form_values(report: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """A saved report as the form's raw values (修改), and its row keys."""
    data = {"occurred_at": f"{report['occurred_local']:%Y-%m-%dT%H:%M}",
            **{k: str(report[k]) for k in ACCIDENT_FIELDS if k != "occurred_at"}}
    keys = []
    for n, p in enumerate(report["persons"]):
        keys.append(str(n))
        data.update({f"p{n}_id_number": p["id_number"], f"p{n}_body_part": p["body_part"],
                     f"p{n}_severity": p["severity"], f"p{n}_diagnosis": p["diagnosis"],
                     f"p{n}_hospitalised": "1" if p["hospitalised"] else "0", f"p{n}_occupation": p["occupation"]})
    return data, keys


# ---- 快报确认 -----------------------------------------------------------------------------------------------

async def _matters_of(principal: Principal, accident_ids: list[int]) -> dict[int, dict]:
    if not accident_ids:
        return {}
    marks = ", ".join("{}" for _ in accident_ids)
    rows = await fetch(f"SELECT a.id, a.matter_id, m.version, m.state FROM wi_accident a JOIN matter m ON"
                       f" m.id = a.matter_id WHERE a.employer = {{}} AND a.id IN ({marks})",
                       principal.employer_id, *accident_ids)
    return {r["id"]: r for r in rows}


async def confirm(principal: Principal, accident_ids: list[int], *, ip: str = "") -> dict[int, str]:
    """确认提交 many at once: accident id → '' (submitted) or the reason it was not."""
    if not accident_ids:
        raise Refused("请先勾选要确认提交的工伤快报")
    own = await _matters_of(principal, accident_ids)
    results = {a: "工伤快报不存在" for a in accident_ids if a not in own}
    done = await engine.fire_many(principal, [(r["matter_id"], r["version"]) for r in own.values()], "confirm", ip=ip)
    by_matter = {r["matter_id"]: a for a, r in own.items()}
    results.update({by_matter[m]: error for m, error in done.items()})
    return results


async def delete(principal: Principal, accident_id: int, *, ip: str = "") -> None:
    """删除 a report that is 未确认 or 退回 (its 办件 becomes 已删除; the row stays, listed nowhere)."""
    report = await get_report(principal, accident_id)
    if not report["editable"]:
        raise Refused(f"该工伤快报当前状态为“{report['state_label']}”，不能删除")
    await engine.fire(principal, report["matter_id"], "void", expected_version=report["version"], ip=ip)


async def recall(principal: Principal, accident_id: int, version: int, *, form_token: str | None = None,
                 ip: str = "") -> dict[str, Any]:
    """撤回: an 已提交 report no reviewer has decided yet goes back to 未确认 through its kind's own step (to be
    corrected and confirmed again, or deleted); it leaves the reviewers' queue. `version` is the one the
    confirmation showed. Of a 撤回 and a reviewer's decision at the same moment the step's conditional UPDATE lets
    exactly one through; the loser here gets Refused with the reason."""
    report = await get_report(principal, accident_id)
    try:
        await engine.fire(principal, report["matter_id"], "withdraw", expected_version=version,
                          form_token=form_token, ip=ip)
    except engine.StaleMatter as exc:
        raise Refused(rules.recall_refusal(exc.state) or "该工伤快报已有变化，请刷新页面后重试") from None
    except engine.NotAllowed:
        # the version shown is current but the state is not 已提交 (a stale link, a crafted post)
        state = (await get_report(principal, accident_id))["state"]
        raise Refused(rules.recall_refusal(state) or "该工伤快报当前不能撤回") from None
    return await get_report(principal, accident_id)


# ---- staff --------------------------------------------------------------------------------------------------

def require(principal: Principal, permission: str) -> None:
    if principal is None or not principal.is_staff or not principal.can(permission):
        raise PermissionDeniedException("没有办理该业务的权限")


# ---- 工伤保险单位证明 (WI-3) -----------------------------------------------------------------------------------

async def proof(person: dict[str, Any], employer: dict[str, Any]) -> dict[str, Any] | None:
    """The certificate's content: 工伤 参保 periods at the employer, months paid, accidents reported there
    (confirmed or reviewed reports naming the person). None when the person was never insured there for 工伤."""
    records = (await insurance.injury_records(employer["id"], [person["id"]])).get(person["id"], [])
    if not records:
        return None
    accidents = await fetch(
        "SELECT a.occurred_on, a.category, a.place, i.severity, m.state FROM wi_injured i"
        " JOIN wi_accident a ON a.id = i.accident JOIN matter m ON m.id = a.matter_id"
        " WHERE i.person = {} AND a.employer = {} AND m.state IN ('submitted', 'approved')"
        " ORDER BY a.occurred_on, a.id", person["id"], employer["id"])
    categories = await dictionary.labels("wi_accident_category")
    severities = await dictionary.labels("wi_injury_severity")
    return {
        "person": person, "employer": employer,
        "periods": [{"start": rules.period_label(r["start_period"]),
                     "end": rules.period_label(r["end_period"]) if r["end_period"] else "至今",
                     "status": {"active": "参保缴费", "suspended": "暂停缴费", "terminated": "终止参保"}.get(
                         r["status"], r["status"])} for r in records],
        "paid_months": await insurance.injury_paid_months(person["id"], employer["id"]),
        "accidents": [{"occurred_on": str(a["occurred_on"])[:10], "category": categories.get(a["category"], a["category"]),
                       "place": a["place"], "severity": severities.get(a["severity"], a["severity"]),
                       "state": matters.QUICK_REPORT.state_label(a["state"])} for a in accidents],
    }


async def find_subject(principal: Principal, id_number: str, name: str, employer_id: int | None) -> tuple[dict, dict]:
    """(person, employer) the asker may see a 单位证明 of, or Refused naming the field.

    Employer: only itself, and only persons it insured for 工伤. Staff (wi.query): an employer in their divisions.
    Person: only themself."""
    person = await persons.get_by_id_number(id_number)
    if person is None or person["name"] != name:
        raise Refused("身份证号与姓名不一致，或系统中没有该人员", "id_number")
    if principal.is_person and person["id"] != principal.person_id:
        raise Refused("只能打印本人的工伤保险证明", "id_number")
    if principal.is_employer:
        employer_id = principal.employer_id
    if employer_id is None:
        raise Refused("请选择工伤单位", "employer_id")
    if principal.is_staff:
        require(principal, matters.QUERY)
        rows = await fetch("SELECT employer.id FROM employer WHERE employer.id = {} AND {}", employer_id,
                           employers.staff_scope_sql(principal))
        if not rows:
            raise Refused("该单位不在您的辖区内", "employer_id")
    employer = await employers.get_employer(employer_id)
    if employer is None:
        raise Refused("请选择工伤单位", "employer_id")
    if not (await insurance.injury_records(employer["id"], [person["id"]])).get(person["id"]):
        raise Refused(f"该人员未在{employer['name']}参加工伤保险", "employer_id" if not principal.is_employer
                      else "id_number")
    return person, employer


async def employer_choices(principal: Principal, id_number: str) -> list[tuple[str, str]]:
    """工伤单位 offered to a person (their own 工伤 employers) or staff (the person's 工伤 employers in scope)."""
    if principal.is_person:
        return [(str(e["id"]), e["name"]) for e in await insurance.injury_employers(principal.person_id)]
    if principal.is_staff and id_number:
        person = await persons.get_by_id_number(id_number)
        if person is None:
            return []
        return [(str(e["id"]), e["name"]) for e in await insurance.injury_employers(person["id"])
                if principal.covers_division(e["division_code"] or "")]
    return []


async def accident_of_matter(principal: Principal, matter_id: int) -> int:
    rows = await fetch("SELECT id FROM wi_accident WHERE matter_id = {} AND employer = {}", matter_id,
                       principal.employer_id)
    if not rows:
        raise NotFoundException()
    return rows[0]["id"]
