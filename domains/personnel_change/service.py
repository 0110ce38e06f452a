"""Use-cases of 人员增减员: look a person up, save an application (未确认), list, confirm, delete, and the approval
that writes the 参保登记 records (through domains.social_insurance.service) in the transition's transaction.

Every applicant query is built from principal.employer_id; staff reach the applications only through the workflow
(division jurisdiction, permission pc.review).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from domains.person import service as person_service
from domains.personnel_change import forms, rules
from domains.personnel_change.tables import PcChange
from domains.social_insurance import service as si
from portal.auth.principal import Principal
from portal.dataservices.keyset import Cursor, KeysetPage, PageRequest, keyset_page
from portal.db import bulk_insert, write_transaction
from portal.db import fetch as _fetch
from portal.forms import Field
from portal.refusal import Refused
from portal.validators import id_birth_date, id_gender
from portal.workflow import engine as workflow
from portal.workflow.creation import create_matters
from portal.workflow.errors import NotAllowed, StaleMatter, WorkflowError
from portal.workflow.kinds import EffectContext
from portal.workflow.transitions import consume_token

ENROL_KIND = "pc_enrol"
WITHDRAW_KIND = "pc_withdraw"
KIND_OF = {"enrol": ENROL_KIND, "withdraw": WITHDRAW_KIND}
REVIEW_PERMISSION = "pc.review"
LOOKUP_CHUNK = 500
# What the employer entered about the person (kept in the 办件's payload; the person record holds only the ID data).
PERSON_KEYS = ("ethnicity", "hukou", "address", "phone", "employment_form", "work_start")


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    # Plain dicts on both engines (asyncpg's Records are read-only).
    return [dict(r) for r in await _fetch(sql, *args)]


def now() -> datetime:
    return datetime.now(UTC)


def _in(values: list[Any]) -> str:
    return ", ".join("{}" for _ in values)


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    values = sorted(set(values))
    for i in range(0, len(values), LOOKUP_CHUNK):
        yield values[i:i + LOOKUP_CHUNK]


# ---- lookups (whole-file friendly: IN (…) of at most 500 values) --------------------------------------------

async def pending_by_id_number(employer_id: int, id_numbers: Iterable[str],
                               exclude_matter: int | None = None) -> dict[str, list[dict]]:
    """This employer's pending changes (not approved, not deleted) of these persons, with their 办件 number."""
    found: dict[str, list[dict]] = {}
    for chunk in _chunks(id_numbers):
        rows = await fetch(
            f"SELECT c.id_number, c.insurance, c.matter_id, m.number FROM pc_change c JOIN matter m ON m.id = c.matter_id"
            f" WHERE c.employer = {{}} AND c.settled_at IS NULL AND c.id_number IN ({_in(chunk)})", employer_id, *chunk)
        for row in rows:
            if row["matter_id"] != exclude_matter:
                found.setdefault(row["id_number"], []).append(row)
    return found


async def context(employer_id: int) -> dict[str, Any]:
    """The employer-wide facts every check needs once: first 结算期, closed 结算期, the base limits."""
    return {"first_period": await si.employer_first_period(employer_id), "closed": await si.closed_periods(),
            "limits": await si.all_limits(employer_id)}


def base_reason(ctx: dict[str, Any], base: int | None, period: int | None) -> str | None:
    if base is None or period is None:
        return None
    # picked once per 结算期 of a check (an upload of 10,000 rows has one or two)
    picked = ctx.setdefault("_limits_by_period", {})
    if period not in picked:
        picked[period] = si.limits_in_force(ctx["limits"], period)
    limits = picked[period]
    if limits is None:
        return f"{si.period_label(period)}没有缴费基数上下限，不能申报"
    return si.base_outside(base, limits)


async def lookup(principal: Principal, id_number: str, direction: str, exclude_matter: int | None = None, *,
                 name: str = "") -> dict[str, Any]:
    """PC-1/PC-4 查询: what each insurance would be. 增员 asks for 身份证号 + 姓名: a person the hall knows is found only
    when the name typed is the name on record (Refused(NAME_MISMATCH, "name") otherwise, before anything is read
    of their insurance); another employer is never named — a 调入 says only that the person is insured elsewhere."""
    employer_id = principal.employer_id
    person = await person_service.get_by_id_number(id_number)
    if direction == "enrol" and (reason := person_service.name_refusal(person, name)):
        raise Refused(reason, "name")
    records = (await si.records_by_id_number({id_number})).get(id_number, [])
    pending = (await pending_by_id_number(employer_id, [id_number], exclude_matter)).get(id_number, [])
    if direction == "enrol":
        plans = [rules.enrol_plan(records, employer_id, i) for i in rules.INSURANCES]
    else:
        plans = [rules.withdraw_plan(records, employer_id, i, "terminate") for i in rules.INSURANCES]
    pending_of = {p["insurance"]: p for p in pending}
    own = [r for r in records if r["employer"] == employer_id and r["status"] != "terminated"]
    # 减员 is of this employer's own workers: nothing about anyone else (not even the name) is shown
    shown = person is not None and (direction == "enrol" or bool(own))
    return {
        "id_number": id_number, "known": shown,
        "name": person["name"] if shown else "", "gender": id_gender(id_number),
        "birth_date": id_birth_date(id_number),
        "plans": [{"insurance": p.insurance, "label": rules.insurance_label(p.insurance), "kind": p.kind,
                   "kind_label": rules.KIND_LABELS.get(p.kind, ""), "refusal": p.refusal,
                   "pending": rules.pending_refusal([pending_of[p.insurance]]) if p.insurance in pending_of else None}
                  for p in plans],
        # 减员 shows only this employer's own records, never another employer's
        "own_records": own,
    }


# ---- saving an application (未确认) -----------------------------------------------------------------------

def _insurances(cleaned: dict[str, Any]) -> list[str]:
    return [i for i in rules.INSURANCES if cleaned.get(f"ins_{i}")]


def check_with(direction: str, employer_id: int, cleaned: dict[str, Any], ctx: dict[str, Any],
               records: list[dict], pending: list[dict]) -> tuple[dict[str, str], list[rules.Plan]]:
    """Every rule of one application given what was read (context(), the person's records and pending changes):
    the single forms, 确认 of many and every uploaded row run this."""
    id_number = cleaned["id_number"]
    common = {"employer_id": employer_id, "birth": id_birth_date(id_number), "insurances": _insurances(cleaned),
              "period": cleaned.get("period"), "records": records, "pending": pending,
              "first_period": ctx["first_period"], "closed": ctx["closed"]}
    if direction == "enrol":
        return rules.check_enrol(**common, base_reason=base_reason(ctx, cleaned.get("base"), cleaned.get("period")))
    return rules.check_withdraw(**common, gender=id_gender(id_number), kind=cleaned.get("kind") or "",
                                retire_class=cleaned.get("retire_class") or "", reason=cleaned.get("reason") or "")


async def check(principal: Principal, direction: str, cleaned: dict[str, Any], *,
                exclude_matter: int | None = None) -> tuple[dict[str, str], list[rules.Plan]]:
    """Every rule of one application on the server (field → reason); the plans say what each insurance does."""
    employer_id = principal.employer_id
    id_number = cleaned.get("id_number")
    if not id_number:
        return {}, []
    records = (await si.records_by_id_number({id_number})).get(id_number, [])
    pending = (await pending_by_id_number(employer_id, [id_number], exclude_matter)).get(id_number, [])
    errors, plans = check_with(direction, employer_id, cleaned, await context(employer_id), records, pending)
    if direction == "enrol" and (reason := person_service.name_refusal(
            await person_service.get_by_id_number(id_number), cleaned.get("name") or "")):
        errors = {"name": reason, **errors}
    return errors, plans


async def _person_name(direction: str, cleaned: dict[str, Any]) -> str:
    """增员: the name typed, which check() matched to a known person's record; 减员 types none: the record's."""
    typed = (cleaned.get("name") or "").strip()
    if direction == "enrol":
        return typed
    person = await person_service.get_by_id_number(cleaned["id_number"])
    return person["name"] if person else typed


def payload_of(direction: str, cleaned: dict[str, Any], name: str, plans: list[rules.Plan]) -> dict[str, Any]:
    id_number = cleaned["id_number"]
    payload: dict[str, Any] = {
        "direction": direction, "id_number": id_number, "name": name, "gender": id_gender(id_number),
        "birth_date": id_birth_date(id_number).isoformat(), "period": rules.period_text(cleaned["period"]),
        "insurances_label": "、".join(rules.insurance_label(p.insurance) for p in plans),
        "kinds_label": "、".join(sorted({rules.KIND_LABELS[p.kind] for p in plans})),
        "outcomes": [rules.outcome(p.kind, p.insurance, cleaned["period"]) for p in plans],
    }
    if direction == "enrol":
        payload.update({k: (cleaned.get(k).isoformat() if isinstance(cleaned.get(k), date) else cleaned.get(k) or "")
                        for k in PERSON_KEYS})
        payload.update({"identity": cleaned["identity"], "base": cleaned["base"]})
    else:
        payload.update({"kind": cleaned["kind"], "reason": cleaned["reason"],
                        "retire_class": cleaned.get("retire_class") or ""})
    return payload


def _rows(employer_id: int, matter_id: int, direction: str, payload: dict[str, Any], cleaned: dict[str, Any],
          plans: list[rules.Plan], at: datetime) -> list[dict[str, Any]]:
    return [{
        "employer": employer_id, "matter_id": matter_id, "direction": direction, "kind": p.kind,
        "id_number": payload["id_number"], "name": payload["name"], "insurance": p.insurance,
        "identity": cleaned.get("identity") or "", "base": cleaned.get("base") or 0, "period": cleaned["period"],
        "reason": cleaned.get("reason") or "", "from_enrolment": (p.record or {}).get("id"),
        "from_employer": (p.record or {}).get("employer") if p.kind == "transfer" else None, "created_at": at,
    } for p in plans]


async def insert_rows(items: list[tuple[int, dict, dict, list[rules.Plan]]], employer_id: int,
                      direction: str) -> None:
    """Applications' rows (matter id, payload, cleaned, plans) with one executemany, inside the caller's
    transaction (Piccolo's objects cost ~0.3 ms a row: 3 s of a 1,000-person upload)."""
    at = now()
    await bulk_insert(PcChange, [r for matter_id, payload, cleaned, plans in items
                                 for r in _rows(employer_id, matter_id, direction, payload, cleaned, plans, at)])


def title_of(direction: str, payload: dict[str, Any]) -> str:
    return f"{'增员' if direction == 'enrol' else '减员'}：{payload['name']}（{payload['kinds_label']}）"


async def save(principal: Principal, direction: str, cleaned: dict[str, Any], *, ip: str = "",
               form_token: str | None = None) -> dict[str, Any]:
    """保存: the rows and their 办件 (未确认) in one transaction; Refused(reason, field) for the first rule broken."""
    await workflow.ensure_unused_token(form_token)
    try:
        async with write_transaction():
            await consume_token(form_token, principal)
            errors, plans = await check(principal, direction, cleaned)
            if errors:
                field, reason = next(iter(errors.items()))
                raise Refused(reason, field)
            payload = payload_of(direction, cleaned, await _person_name(direction, cleaned), plans)
            matters = await create_matters(principal, KIND_OF[direction],
                                           [{"payload": payload, "title": title_of(direction, payload)}],
                                           submit=False, ip=ip)
            await insert_rows([(matters[0]["id"], payload, cleaned, plans)], principal.employer_id, direction)
    except Exception as exc:
        # Two saves of the same person at once (two tabs, PostgreSQL): the partial unique index lets one through.
        if type(exc).__name__ in {"UniqueViolationError", "IntegrityError"}:
            raise Refused("该人员已有未办结的异动申报，请先在增员确认或减员确认中处理", "insurances") from exc
        raise
    return matters[0]


async def modify(principal: Principal, direction: str, matter_id: int, cleaned: dict[str, Any], *,
                 ip: str = "") -> dict[str, Any]:
    """修改 (未确认 or 审核不通过): the rows are replaced and the 办件's payload rewritten, under its version."""
    matter = await own_matter(principal, matter_id, direction)
    async with write_transaction():
        errors, plans = await check(principal, direction, cleaned, exclude_matter=matter_id)
        if errors:
            field, reason = next(iter(errors.items()))
            raise Refused(reason, field)
        payload = payload_of(direction, cleaned, await _person_name(direction, cleaned), plans)
        await workflow.update_payload(principal, matter_id, expected_version=matter["version"], payload=payload,
                                      title=title_of(direction, payload))
        await PcChange.delete().where((PcChange.matter_id == matter_id) & (PcChange.employer == principal.employer_id))
        await insert_rows([(matter_id, payload, cleaned, plans)], principal.employer_id, direction)
    return matter


# ---- the applicant's lists -------------------------------------------------------------------------------

async def own_matter(principal: Principal, matter_id: int, direction: str) -> dict[str, Any]:
    """The employer's own application of this direction (404 otherwise, audited by the workflow)."""
    matter = await workflow.get_matter_for(principal, matter_id)
    if matter["kind"] != KIND_OF[direction] or matter["employer"] != principal.employer_id:
        raise NotFoundException("办件不存在")
    return matter


async def changes_of(matter_ids: list[int], employer_id: int | None = None) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for chunk in _chunks(matter_ids):
        sql = f"SELECT * FROM pc_change WHERE matter_id IN ({_in(chunk)})"
        args: list[Any] = list(chunk)
        if employer_id is not None:
            # `+ 0`: the matter_id index must drive; on the scale set's statistics SQLite chose the employer index
            # (12 rows on average) and read every row of the biggest employer, ~1,000, for one page
            sql += " AND employer + 0 = {}"
            args.append(employer_id)
        for row in await fetch(sql + " ORDER BY id", *args):
            found.setdefault(row["matter_id"], []).append(row)
    return found


PAGE_SIZE = 50
STATE_FILTERS = {"draft": ("draft",), "submitted": ("submitted",), "rejected": ("rejected",),
                 "approved": ("approved",), "": ("draft", "submitted", "rejected", "approved")}


async def confirm_list(principal: Principal, direction: str, state: str = "", *, name: str = "",
                       id_number: str = "", kind: str = "", paging: PageRequest = PageRequest()) -> KeysetPage:
    """增员确认 / 减员确认: one page of the employer's applications (newest first, by key: page 100 costs what page
    1 costs), each with its insurances."""
    states = STATE_FILTERS.get(state, STATE_FILTERS[""])
    sql = (f"SELECT m.id, m.number, m.state, m.version, m.title, m.created_at FROM matter m"
           f" WHERE m.employer = {{}} AND m.kind = {{}} AND m.state IN ({_in(list(states))})")
    args: list[Any] = [principal.employer_id, KIND_OF[direction], *states]
    for column, value in (("id_number", id_number), ("name", name), ("kind", kind)):  # fixed column names
        if value:
            sql += f" AND EXISTS (SELECT 1 FROM pc_change c WHERE c.matter_id = m.id AND c.{column} = {{}})"
            args.append(value)

    async def walk(cursor: Cursor | None, forward: bool, limit: int) -> list[dict[str, Any]]:
        # forward = toward older applications (the list's order is id descending)
        where, extra = ("", []) if cursor is None else (f" AND m.id {'<' if forward else '>'} {{}}", [cursor.id])
        order = "DESC" if forward else "ASC"
        return await fetch(f"{sql}{where} ORDER BY m.id {order} LIMIT {int(limit)}", *args, *extra)

    page = await keyset_page(walk, paging, PAGE_SIZE, lambda row: Cursor(None, row["id"]))
    changes = await changes_of([r["id"] for r in page.rows], principal.employer_id)
    labels = rules.KIND_LABELS if direction == "enrol" else rules.RESULT_LABELS
    for row in page.rows:
        row["changes"] = changes.get(row["id"], [])
        # 减员确认 names what results, as the manual's list does: 暂时停保, 永久停保, 退休或离休
        row["kinds_label"] = "、".join(dict.fromkeys(labels.get(c["kind"], "") for c in row["changes"]))
        row["insurances_label"] = "、".join(rules.insurance_label(c["insurance"]) for c in row["changes"])
    return page


async def transfers_out(principal: Principal) -> list[dict[str, Any]]:
    """人员险种调出单位: the other side of other employers' approved 调入 (read-only; the new employer not named)."""
    rows = await fetch(
        "SELECT c.id, c.name, c.id_number, c.insurance, c.period, c.approved_at FROM pc_change c"
        " WHERE c.from_employer = {} AND c.kind = 'transfer' AND c.approved_at IS NOT NULL AND c.employer <> {}"
        " ORDER BY c.approved_at DESC, c.id DESC LIMIT 200", principal.employer_id, principal.employer_id)
    for row in rows:
        row["end_text"] = rules.period_text(rules.add_months(row["period"], -1))
    return rows


async def drafts_among(principal: Principal, direction: str, matter_ids: list[int]) -> list[dict[str, Any]]:
    """The employer's own 未确认 applications among the selected ids (any number of them), in list order."""
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(matter_ids):
        rows += await fetch(
            f"SELECT m.id, m.number, m.version, m.payload FROM matter m WHERE m.employer = {{}} AND m.kind = {{}}"
            f" AND m.state = 'draft' AND m.id IN ({_in(chunk)})", principal.employer_id, KIND_OF[direction], *chunk)
    for row in rows:
        payload = workflow_payload(row)
        row.update(name=payload.get("name", ""), id_number=payload.get("id_number", ""),
                   outcomes=payload.get("outcomes", []))
    return sorted(rows, key=lambda r: r["id"], reverse=True)


async def preview(principal: Principal, direction: str, matter_ids: list[int]) -> list[dict[str, Any]]:
    """The check-answers step of 确认通过: what will happen to each person (only 未确认 ones can be confirmed)."""
    return await drafts_among(principal, direction, matter_ids)


def workflow_payload(row: dict[str, Any]) -> dict[str, Any]:
    return row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"] or "{}")


async def confirm(principal: Principal, direction: str, items: list[tuple[int, int]], *,
                  ip: str = "") -> dict[int, str]:
    """确认通过 of many: each goes to 已确认（待审核） (its rules checked again by the kind's guard); id → '' when
    done, else the reason, naming the application."""
    own = {r["id"]: r for r in await drafts_among(principal, direction, [m for m, _ in items])}
    results = {mid: "所选申报不存在或已不是未确认状态" for mid, _ in items if mid not in own}
    done = await workflow.fire_many(principal, [(m, v) for m, v in items if m in own], "confirm", ip=ip)
    for mid, reason in done.items():
        # the guard's reasons already name the person
        results[mid] = reason if not reason or own[mid]["name"] in reason else f"{own[mid]['name']}：{reason}"
    return results


async def delete(principal: Principal, direction: str, matter_id: int, version: int, *, ip: str = "") -> None:
    await own_matter(principal, matter_id, direction)
    await workflow.fire(principal, matter_id, "void", expected_version=version, ip=ip)


async def recall(principal: Principal, direction: str, matter_id: int, version: int, *,
                 form_token: str | None = None, ip: str = "") -> dict[str, Any]:
    """撤回 (X-1a): a confirmed application no reviewer has decided yet goes back to 未确认 through its kind's own
    step (its rows stay pending: the employer corrects and re-confirms it, or deletes it). The state is checked by
    the step's conditional UPDATE inside its transaction, so of a 撤回 and a reviewer's decision at the same moment
    exactly one wins; the loser gets Refused with the reason."""
    await own_matter(principal, matter_id, direction)
    try:
        return await workflow.fire(principal, matter_id, "withdraw", expected_version=version,
                                   form_token=form_token, ip=ip)
    except StaleMatter as exc:
        raise Refused(rules.recall_refusal(exc.state) or "该申报已有变化，请刷新页面后重试") from None
    except NotAllowed:
        # the version the page showed is current, but the state is not 待审核 (a stale link, a crafted post)
        state = (await own_matter(principal, matter_id, direction))["state"]
        raise Refused(rules.recall_refusal(state) or "该申报当前不能撤回") from None


# ---- the 办件's guard and effects (inside the transition's transaction) ------------------------------------

async def confirm_guard(matter: dict[str, Any], principal: Principal) -> str | None:
    return (await confirm_guard_many([matter], principal)).get(matter["id"])


async def confirm_guard_many(matters: list[dict[str, Any]], principal: Principal) -> dict[int, str]:
    """确认 again checks what may have changed since saving (closed 结算期, the person's records, limits) — for
    many applications with the whole-file reads of a batch upload: matter id → refusal naming the person."""
    rows_of = await changes_of([m["id"] for m in matters])
    refusals: dict[int, str] = {}
    by_employer: dict[int, list[dict[str, Any]]] = {}
    for matter in matters:
        by_employer.setdefault(matter["employer"], []).append(matter)
    for employer_id, group in by_employer.items():
        ids = {rows_of[m["id"]][0]["id_number"] for m in group if rows_of.get(m["id"])}
        ctx = await context(employer_id)
        records = await si.records_by_id_number(ids)
        pending = await pending_by_id_number(employer_id, ids)
        for matter in group:
            rows = rows_of.get(matter["id"], [])
            if not rows:
                refusals[matter["id"]] = "该申报没有险种明细，请修改后再确认"
                continue
            first = rows[0]
            cleaned = {"id_number": first["id_number"], "period": first["period"], "base": first["base"] or None,
                       "kind": first["kind"], "reason": first["reason"],
                       "retire_class": (matter["payload"] or {}).get("retire_class", ""),
                       **{f"ins_{r['insurance']}": True for r in rows}}
            others = [p for p in pending.get(first["id_number"], []) if p["matter_id"] != matter["id"]]
            errors, plans = check_with(first["direction"], employer_id, cleaned, ctx,
                                       records.get(first["id_number"], []), others)
            if errors:
                refusals[matter["id"]] = f"{first['name']}：{next(iter(errors.values()))}"
                continue
            planned = {(r["insurance"], r["kind"], r["from_enrolment"]) for r in rows}
            if planned != {(p.insurance, p.kind, (p.record or {}).get("id")) for p in plans}:
                refusals[matter["id"]] = f"{first['name']}：参保情况已发生变化，请修改后重新确认"
    return refusals


CHANGED = "该人员的参保关系已发生变化（可能已被其他单位调入或已减员），请核实后重新申报"


async def approve_effect(ctx: EffectContext) -> None:
    """审核通过 of one application: approve_many() of one; its refusal refuses the transition."""
    refusal = (await approve_many([ctx])).get(ctx.matter["id"])
    if isinstance(refusal, str):
        raise WorkflowError(refusal)


async def approve_many(contexts: list[EffectContext]) -> dict[int, str | dict[str, Any]]:
    """审核通过 of many: each application's insurances take effect on the 参保登记 records, all or none per
    application. The persons' records are read (locked on PostgreSQL) once and every application is decided in
    order against them as fire() one by one would: a 调入 / 续保 of a suspended record ends the old record with the
    previous 结算期 (a suspended one keeps the month its payments stopped) before the new one starts; a 减员 ends
    or suspends its record; a record someone (or an earlier application of the batch) already ended or suspended,
    or a second live record, refuses the application. Then the writes, set-wise: conditional UPDATEs of the
    records that must end (they must all match), the unknown persons, the new records, the rows settled."""
    matters = [c.matter for c in contexts]
    rows_of = await changes_of([m["id"] for m in matters])
    records = await si.records_for_update({r["id_number"] for rows in rows_of.values() for r in rows})
    limits: dict[int, dict[str, Any]] = {}  # employer → its division's floor/ceiling rows (one read each)
    for employer_id in sorted({m["employer"] for m in matters}):
        limits[employer_id] = {"limits": await si.all_limits(employer_id)}
    status = {r["id"]: r["status"] for r in records}
    owner = {r["id"]: r["employer"] for r in records}
    key_of = {r["id"]: (r["id_number"], r["insurance"]) for r in records}
    live = Counter(key_of[r["id"]] for r in records if r["status"] != "terminated")
    outcome: dict[int, str | dict[str, Any]] = {}
    ends: list[tuple[int, int, int, str, tuple[str, ...]]] = []
    starts: list[dict[str, Any]] = []
    approved: list[int] = []
    for matter in matters:
        rows = rows_of.get(matter["id"], [])
        trial: dict[int, str] = {}  # this application's changes, kept only when all its insurances pass
        delta: Counter = Counter()
        my_ends, my_starts, refusal = [], [], None
        for row in rows:
            before = rules.add_months(row["period"], -1)
            if row["direction"] == "enrol":
                to, employer, allowed = "terminated", row["from_employer"] or row["employer"], ("active", "suspended")
            else:
                suspend = row["kind"] == "suspend"
                to, employer = ("suspended" if suspend else "terminated"), row["employer"]
                allowed = ("active",) if suspend else ("active", "suspended")
            record_id = row["from_enrolment"]
            if record_id:
                if owner.get(record_id) != employer or trial.get(record_id, status.get(record_id)) not in allowed:
                    refusal = CHANGED
                    break
                if to == "terminated":
                    delta[key_of[record_id]] -= 1
                trial[record_id] = to
                my_ends.append((record_id, employer, before, to, allowed))
            if row["direction"] == "enrol":
                key = (row["id_number"], row["insurance"])
                if live[key] + delta[key] > 0:
                    refusal = f"该人员{rules.insurance_label(row['insurance'])}已有有效的参保登记，请核实后重新申报"
                    break
                if refusal := base_reason(limits[matter["employer"]], row["base"], row["period"]):
                    break
                delta[key] += 1
                my_starts.append(row)
        if refusal:
            outcome[matter["id"]] = f"{matter['payload'].get('name', '')}：{refusal}"
            continue
        status.update(trial)
        live.update(delta)
        ends += my_ends
        starts += [{**row, "phone": matter["payload"].get("phone", "")} for row in my_starts]
        approved.append(matter["id"])
    if ends and await si.end_records(ends) != {e[0] for e in ends}:
        raise WorkflowError("参保关系已发生变化，请刷新后重新审核")  # cannot happen under the lock: never half-done
    persons = await person_service.ensure_persons([(r["id_number"], r["name"], r["phone"]) for r in starts])
    await si.start_records([{"person": persons[r["id_number"]], "employer": r["employer"], "insurance": r["insurance"],
                             "base": r["base"], "start_period": r["period"], "identity": r["identity"] or "11"}
                            for r in starts])
    at = now()
    for chunk in _chunks(approved):
        await PcChange.update({PcChange.settled_at: at, PcChange.approved_at: at}).where(
            PcChange.matter_id.is_in(chunk))
    return outcome


async def void_effect(ctx: EffectContext) -> None:
    """删除: the rows stop being pending (the one-pending-change rule frees the person)."""
    await PcChange.update({PcChange.settled_at: now()}).where(PcChange.matter_id == ctx.matter["id"])


# ---- for 一件事一次办 (domains.one_thing): the 增员 / 减员 forms, so their fields and rules stay this domain's ---------

WITHDRAW_KIND_CHOICES = forms.WITHDRAW_KIND_CHOICES
RETIRE_CLASS_CHOICES = rules.RETIRE_CLASSES[1:]


def form_fields(direction: str) -> list[Field]:
    """The fields of the 增员 (enrol) or 减员 (withdraw) form, for a form that files it with other business."""
    return list((forms.enrol_form if direction == "enrol" else forms.withdraw_form)({}).fields)


def outcomes(direction: str, cleaned: dict[str, Any], plans: list[rules.Plan]) -> list[str]:
    """The check-answers sentences of one application (what approval will do to each insurance)."""
    return payload_of(direction, cleaned, cleaned.get("name") or "", plans)["outcomes"]
