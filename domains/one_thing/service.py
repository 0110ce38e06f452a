"""Use-cases of 一件事一次办: look the worker up, check both domains' rules at once, file both 办件 in ONE transaction
(either refusal rolls back both), and the progress of an application. Each domain's rules and rows stay its own:
this module reaches them only through domains.labor_contract.service and domains.personnel_change.service.

Every query is built from principal.employer_id; the two 办件 are reviewed by their own staff in their own queues.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from domains.employer import service as employer_service
from domains.labor_contract import service as lc
from domains.one_thing import forms, rules
from domains.one_thing.tables import OneThing
from domains.personnel_change import service as pc
from portal import audit
from portal.auth.principal import Principal
from portal.db import write_transaction
from portal.forms import FORM_ERROR
from portal.refusal import Refused
from portal.workflow import engine as workflow
from portal.workflow.deadlines import local_date
from portal.workflow.kinds import get_kind
from portal.workflow.numbers import matter_prefix, next_sequence
from portal.workflow.scope import scope_where
from portal.workflow.tables import Matter

LIST_LIMIT = 200
DIRECTION = {"hire": "enrol", "leave": "withdraw"}


def _first(errors: dict[str, str]) -> Refused:
    field, reason = next(iter(errors.items()))
    return Refused(reason, field or None)


# ---- 员工录用一件事: 劳动合同新订备案 + 增员 -------------------------------------------------------------------


async def hire_lookup(principal: Principal, id_number: str, name: str) -> dict[str, Any]:
    """查询 of 身份证号 + 姓名: what the 增员 would be per insurance (the server decides; Refused on 姓名 when a known
    person's name is not the one typed), and whether a 新订 may be filed for them here (the labour-contract person
    rules)."""
    try:
        found = await pc.lookup(principal, id_number, "enrol", name=name)
    except Refused as exc:
        raise Refused(exc.message, "worker_name") from None
    found["refusal"] = await lc.person_refusal(principal.employer_id, id_number, "new")
    return found


async def check_hire(principal: Principal, cleaned: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Both domains' rules on the server, and this one's (field → reason); the 增员's check-answers sentences."""
    errors: dict[str, str] = {}
    id_number = cleaned.get("id_number")
    if not id_number:
        return errors, []
    if reason := await lc.person_refusal(principal.employer_id, id_number, "new"):
        errors["id_number"] = reason
    period_reason = (
        rules.hire_period_refusal(cleaned["period"], cleaned["start_date"])
        if cleaned.get("period") and cleaned.get("start_date")
        else None
    )
    return await _with_change(principal, "enrol", forms.pc_values(cleaned), errors, period_reason)


async def _with_change(
    principal: Principal,
    direction: str,
    values: dict[str, Any],
    errors: dict[str, str],
    period_reason: str | None,
) -> tuple[dict[str, str], list[str]]:
    """The 增员 / 减员's own rules (pc.check) and this domain's 结算期 rule after the contract's; the check-answers
    sentences once nothing is wrong."""
    pc_errors, plans = await pc.check(principal, direction, values)
    for key, reason in pc_errors.items():
        # the 增员's 姓名 (a known person's must be the name on record) is this form's worker_name
        errors.setdefault("worker_name" if key == "name" else key, reason)
    if period_reason:
        errors.setdefault("period", period_reason)
    return errors, (pc.outcomes(direction, values, plans) if not errors and values.get("period") else [])


async def hire(
    principal: Principal, cleaned: dict[str, Any], *, ip: str = "", form_token: str | None = None
) -> dict[str, Any]:
    """提交: the 新订 filing (未审核) and the 增员 (已确认（待审核）) with one 一件事编号, all or nothing."""
    async with write_transaction():
        errors, _ = await check_hire(principal, cleaned)
        if errors:
            raise _first(errors)
        bundle = await _bundle(principal, "hire")
        filing = await lc.file_new(
            principal, cleaned, ip=ip, form_token=form_token, extra_payload={"bundle": bundle}
        )
        change = await _file_change(principal, "enrol", forms.pc_values(cleaned), bundle, ip)
        return await _record(
            principal, "hire", bundle, cleaned["id_number"], cleaned["worker_name"], filing, change, ip
        )


# ---- 员工离职一件事: 解除(终止)备案 + 减员 (+ 解除(终止)证明书) ------------------------------------------------------


async def leave_contract(principal: Principal, id_number: str) -> dict[str, Any] | None:
    """The worker's current (在职) contract with this employer: the one the 解除(终止) ends."""
    return await lc.current_contract(principal.employer_id, id_number)


async def leave_lookup(principal: Principal, id_number: str) -> dict[str, Any]:
    """查询: the contract to end (or why none can be), and what the 减员 can do per insurance."""
    found = await pc.lookup(principal, id_number, "withdraw")
    contract = await leave_contract(principal, id_number)
    found["contract"] = contract
    found["refusal"] = await _leave_refusal(principal, id_number, contract)
    if contract:
        found["known"], found["name"] = True, contract["worker_name"]
    return found


async def _leave_refusal(principal: Principal, id_number: str, contract: dict[str, Any] | None) -> str | None:
    if contract is None:
        return "此人在本单位没有在职的劳动合同（新订或续订审核通过），不能办理员工离职一件事"
    return lc.termination_refusal(contract) or await lc.person_refusal(
        principal.employer_id, id_number, "terminate"
    )


async def check_leave(
    principal: Principal, id_number: str, cleaned: dict[str, Any]
) -> tuple[dict[str, str], list[str]]:
    """The 解除(终止)'s rules (LC-5, one unreviewed filing; the date rule is the form's), the 减员's, and this
    domain's 结算期 rule (field → reason; a contract-side reason heads the form); the check-answers sentences."""
    errors: dict[str, str] = {}
    contract = await leave_contract(principal, id_number)
    if reason := await _leave_refusal(principal, id_number, contract):
        errors[FORM_ERROR] = reason
    values = {
        **forms.pc_values(cleaned),
        "id_number": id_number,
        "name": contract["worker_name"] if contract else "",
    }
    period_reason = (
        rules.leave_period_refusal(cleaned["period"], cleaned["termination_date"])
        if cleaned.get("period") and cleaned.get("termination_date")
        else None
    )
    return await _with_change(principal, "withdraw", values, errors, period_reason)


async def leave(
    principal: Principal,
    id_number: str,
    cleaned: dict[str, Any],
    *,
    ip: str = "",
    form_token: str | None = None,
) -> dict[str, Any]:
    """提交: the 解除(终止) filing (未审核) and the 减员 (已确认（待审核）) with one 一件事编号, all or nothing. The
    解除(终止)证明书 follows from the progress page once the filing is approved."""
    async with write_transaction():
        errors, _ = await check_leave(principal, id_number, cleaned)
        if errors:
            raise _first(errors)
        contract = await leave_contract(principal, id_number)
        bundle = await _bundle(principal, "leave")
        filing = await lc.file_terminate(
            principal, contract["id"], cleaned, ip=ip, form_token=form_token, extra_payload={"bundle": bundle}
        )
        values = {**forms.pc_values(cleaned), "id_number": id_number, "name": contract["worker_name"]}
        change = await _file_change(principal, "withdraw", values, bundle, ip)
        return await _record(
            principal, "leave", bundle, id_number, contract["worker_name"], filing, change, ip
        )


# ---- shared steps of both ---------------------------------------------------------------------------------


async def _bundle(principal: Principal, kind: str) -> dict[str, str]:
    """The 一件事编号 (行政区划 + date + code + sequence, as 办件 numbers), kept in both 办件' payloads."""
    employer = await employer_service.get_employer(principal.employer_id)
    prefix = matter_prefix(
        employer["division_code"] if employer else "", rules.NUMBER_CODES[kind], local_date()
    )
    return {"name": rules.KINDS[kind], "number": f"{prefix}-{await next_sequence(prefix):04d}"}


async def _file_change(
    principal: Principal, direction: str, values: dict[str, Any], bundle: dict[str, str], ip: str
) -> dict[str, Any]:
    """The 增员 / 减员 saved and confirmed at once: the one form was the employer's check-answers step."""
    matter = await pc.save(principal, direction, values, ip=ip)
    matter = await workflow.update_payload(
        principal, matter["id"], expected_version=matter["version"], payload={"bundle": bundle}
    )
    return await workflow.fire(principal, matter["id"], "confirm", expected_version=matter["version"], ip=ip)


async def _record(
    principal: Principal,
    kind: str,
    bundle: dict[str, str],
    id_number: str,
    name: str,
    filing: dict[str, Any],
    change: dict[str, Any],
    ip: str,
) -> dict[str, Any]:
    row = OneThing(
        employer=principal.employer_id,
        kind=kind,
        number=bundle["number"],
        id_number=id_number,
        name=name,
        contract_id=filing["id"],
        lc_matter_id=filing["matter_id"],
        pc_matter_id=change["id"],
        acting_name=(principal.acting_name or "")[:40],
        created_at=datetime.now(UTC),
    )
    await row.save()
    await audit.record(
        category="workflow",
        action="one_thing.create",
        actor=principal,
        ip=ip,
        object_type="one_thing",
        object_id=row.id,
        detail={"number": bundle["number"], "kind": kind, "matters": [filing["matter_id"], change["id"]]},
    )
    return row.to_dict()


# ---- 整件撤回 ------------------------------------------------------------------------------------------------


def _steps_out(matter: dict[str, Any]) -> tuple[str, ...]:
    """The part's own applicant steps that end it unapproved from where it is: the first of rules.WITHDRAW_PATHS
    its kind allows, step after step (an 增员 待审核: 撤回, then 删除); () when none does."""
    kind = get_kind(matter["kind"])
    for path in rules.WITHDRAW_PATHS:
        state = matter["state"]
        for name in path:
            t = kind.transition(name)
            if t is None or t.actor != "applicant" or state not in t.from_states:
                break
            state = t.to_state
        else:
            return path
    return ()


def _withdrawal(row: dict[str, Any], matters: list[dict[str, Any]]) -> tuple[list[int], str | None]:
    parts = []
    for label, matter in zip(rules.PART_LABELS[row["kind"]], matters, strict=True):
        kind = get_kind(matter["kind"])
        parts.append((label, matter["state"], kind.state_label(matter["state"]), bool(_steps_out(matter))))
    return rules.withdrawal(parts)


async def withdraw(principal: Principal, one_id: int, *, versions: list[int] | None = None,
                   form_token: str | None = None, ip: str = "") -> dict[str, Any]:
    """整件撤回: every part not yet withdrawn ends through its own workflow's steps (LC 申报作废; the 增员/减员's 删除,
    after its 撤回 when it waits for review: their guards and effects run), all in ONE transaction — Refused, and
    nothing withdrawn, when a part is approved or cannot be withdrawn now (rules.withdrawal), when a part changed
    since the confirmation page showed it (`versions`, the parts' in order: rules.stale_refusal), or when its own
    step refuses (a reviewer's decision that came first included: each step's conditional UPDATE sees it).
    `form_token`: the confirmation's one-time form id (posted twice, it acts once)."""
    row = await get_one(principal, one_id)
    labels = rules.PART_LABELS[row["kind"]]
    async with write_transaction():
        # both rows locked before the first step audits anything: a reviewer's decision at the same moment then
        # either comes first (and is read below) or waits for this one (and finds the part withdrawn)
        await workflow.lock_matters([row["lc_matter_id"], row["pc_matter_id"]])
        await workflow.ensure_unused_token(form_token)
        matters = [await workflow.get_matter_for(principal, m) for m in (row["lc_matter_id"], row["pc_matter_id"])]
        todo, refusal = _withdrawal(row, matters)
        if refusal:
            raise Refused(refusal)
        if versions is not None and (refusal := rules.stale_refusal(
                [(label, m["version"], get_kind(m["kind"]).state_label(m["state"]))
                 for label, m in zip(labels, matters, strict=True)], versions)):
            raise Refused(refusal)
        for index in todo:
            matter = matters[index]
            for step in _steps_out(matter):
                try:
                    # the form id is consumed by the first step, inside this transaction (undone with it)
                    matter = await workflow.fire(principal, matter["id"], step, expected_version=matter["version"],
                                                 opinion="一件事整件撤回", form_token=form_token, ip=ip)
                    form_token = None
                except workflow.StaleMatter as exc:
                    raise Refused(f"{labels[index]}刚刚已被办理（当前为“{exc.state_label}”），未撤回任何一件，"
                                  "请刷新页面后查看") from None
                except workflow.WorkflowError as exc:
                    raise Refused(f"{labels[index]}：{exc.message}") from None
        await audit.record(category="workflow", action="one_thing.withdraw", actor=principal, ip=ip,
                           object_type="one_thing", object_id=row["id"],
                           detail={"number": row["number"], "matters": [matters[i]["id"] for i in todo]})
    return row


# ---- the applicant's list and progress page ----------------------------------------------------------------


async def get_one(principal: Principal, one_id: int) -> dict[str, Any]:
    """The employer's own application (another employer's id answers 404)."""
    if not principal.is_employer or principal.employer_id is None:
        raise NotFoundException("办件不存在")
    row = (
        await OneThing.select()
        .where((OneThing.id == one_id) & (OneThing.employer == principal.employer_id))
        .first()
    )
    if row is None:
        raise NotFoundException("办件不存在")
    return row


def _part(matter: dict[str, Any]) -> dict[str, Any]:
    kind = get_kind(matter["kind"])
    state = kind.state(matter["state"])
    return {"matter": matter, "kind": kind, "state": state}


async def with_parts(principal: Principal, one_id: int) -> dict[str, Any]:
    """The application with both 办件 (`parts`: matter, kind, state, label), the whole's state and whether 整件撤回
    would go now (`withdrawable`) or why not (`withdraw_refusal`): the 整件撤回 confirmation shows this."""
    row = await get_one(principal, one_id)
    parts = [_part(await workflow.get_matter_for(principal, m)) for m in (row["lc_matter_id"], row["pc_matter_id"])]
    for part, label in zip(parts, rules.PART_LABELS[row["kind"]], strict=True):
        part["label"] = label
    row["parts"] = parts
    row["kind_label"] = rules.KINDS[row["kind"]]
    row["overall"] = rules.overall([p["matter"]["state"] for p in parts])
    todo, refusal = _withdrawal(row, [p["matter"] for p in parts])
    row["withdrawable"], row["withdraw_refusal"] = bool(todo), refusal
    return row


async def progress(principal: Principal, one_id: int) -> dict[str, Any]:
    """One page for both 办件: each one's state and timeline (with the reviewers' opinions), and the whole's."""
    row = await with_parts(principal, one_id)
    parts = row["parts"]
    for part in parts:
        part["events"] = await workflow.timeline(part["matter"]["id"])
    row["certificate"] = None
    # 劳动合同法 91: a pending 新订 for someone whose contract elsewhere is still current carries LC's warning
    row["warning"] = (
        await lc.new_filing_warning(principal, await lc.get_contract(principal, row["contract_id"]))
        if row["kind"] == "hire"
        else None
    )
    if row["kind"] == "leave" and parts[0]["matter"]["state"] == "approved":
        row["certificate"] = await lc.termination_certificate(principal, row["contract_id"])
    return row


async def certificate(principal: Principal, one_id: int) -> dict[str, Any]:
    """员工离职一件事's 解除(终止)证明书: generated once its 解除(终止) filing is approved (then the same one)."""
    row = await get_one(principal, one_id)
    if row["kind"] != "leave":
        raise NotFoundException("办件不存在")
    roster = await lc.termination_certificate(principal, row["contract_id"], create=True)
    if roster is None:
        raise Refused("解除(终止)备案审核通过后才能生成解除(终止)证明书")
    return roster


async def mine(principal: Principal) -> list[dict[str, Any]]:
    """The employer's 一件事 applications, newest first, with the state of each 办件 (two queries in all)."""
    rows = (
        await OneThing.select()
        .where(OneThing.employer == principal.employer_id)
        .order_by(OneThing.id, ascending=False)
        .limit(LIST_LIMIT)
    )
    ids = [i for r in rows for i in (r["lc_matter_id"], r["pc_matter_id"])]
    where = scope_where(principal)
    matters = (
        {
            m["id"]: m
            for m in await Matter.select(Matter.id, Matter.kind, Matter.state, Matter.number).where(
                Matter.id.is_in(ids) & where
            )
        }
        if ids and where is not None
        else {}
    )
    for row in rows:
        row["kind_label"] = rules.KINDS[row["kind"]]
        row["parts"] = [_part(matters[i]) for i in (row["lc_matter_id"], row["pc_matter_id"]) if i in matters]
        row["overall"] = rules.overall([p["matter"]["state"] for p in row["parts"]])
    return rows
