"""Rosters (名册, LC-9 / LC-10): pick approved filings, save a numbered roster, print the same PDF every time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import NotFoundException

from domains.employer import service as employer_service
from domains.labor_contract import rules
from domains.labor_contract.tables import Contract, Roster, RosterItem
from portal import audit
from portal.auth.principal import Principal
from portal.core import dictionary
from portal.dataservices import documents
from portal.dataservices.certificates import Fact, issue_certificate, load_document, revoke_certificate
from portal.dataservices.tables import Certificate, StoredDocument
from portal.db import write_transaction
from portal.refusal import Refused
from portal.validators import normalise
from portal.values import yuan
from portal.workflow.deadlines import local_date
from portal.workflow.numbers import next_sequence

MAX_ITEMS = 2000

CONTRACT_COLUMNS = (
    ("worker_name", "姓名"), ("id_number", "身份证号"), ("gender", "性别"), ("employment_form", "用工形式"),
    ("contract_type", "合同类别"), ("start_date", "合同起始日期"), ("end_date", "合同结束日期"),
    ("post", "工作岗位"), ("monthly_wage", "月工资（元）"),
)
TERMINATION_COLUMNS = (
    ("worker_name", "姓名"), ("id_number", "身份证号"), ("gender", "性别"), ("start_date", "合同起始日期"),
    ("end_date", "合同结束日期"), ("termination_date", "解除(终止)时间"), ("termination_reason", "解除(终止)原因"),
    ("compensation", "经济补偿金（元）"),
)


def columns_for(kind: str) -> tuple[tuple[str, str], ...]:
    return CONTRACT_COLUMNS if kind in ("new_roster", "renew_roster") else TERMINATION_COLUMNS


async def display_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Dictionary codes → labels, money → 元, dates → text, for the preview, the PDF and the detail page."""
    forms = await dictionary.labels("employment_form")
    types = await dictionary.labels("contract_type")
    reasons = await dictionary.labels("termination_reason")
    out = []
    for r in rows:
        out.append({
            **r,
            "employment_form": forms.get(r["employment_form"], r["employment_form"]),
            "contract_type": types.get(r["contract_type"], r["contract_type"]),
            "termination_reason": reasons.get(r["termination_reason"], r["termination_reason"]),
            "start_date": str(r["start_date"] or ""),
            "end_date": str(r["end_date"] or "") or "无固定期限",
            "termination_date": str(r["termination_date"] or ""),
            "monthly_wage": yuan(r["monthly_wage"]),
            "compensation": yuan(r["compensation"]),
        })
    return out


async def _kinds_on(contract_ids: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    if not contract_ids:
        return found
    rows = await RosterItem.select(RosterItem.contract, RosterItem.roster.kind).where(
        RosterItem.contract.is_in(contract_ids)
    )
    for r in rows:
        found.setdefault(r["contract"], set()).add(r["roster.kind"])
    return found


async def selection(principal: Principal, kind: str, contract_ids: list[int]) -> list[dict[str, Any]]:
    """The chosen filings, scoped to the employer, each checked against the roster kind (LC-9)."""
    if kind not in rules.ROSTER_KIND_LABELS:
        raise Refused("请选择名册类型")
    ids = sorted(set(contract_ids))
    if not ids:
        raise Refused("请至少勾选一条审核通过的备案信息")
    if len(ids) > MAX_ITEMS:
        raise Refused(f"一次最多生成{MAX_ITEMS}条")
    rows = await Contract.select().where(
        (Contract.employer == principal.employer_id) & Contract.id.is_in(ids)
    ).order_by(Contract.id)
    if len(rows) != len(ids):
        raise NotFoundException("备案记录不存在")
    on = await _kinds_on(ids)
    problems = [p for r in rows if (p := rules.roster_refusal(kind, r, on.get(r["id"], set())))]
    if problems:
        raise Refused("；".join(problems[:10]))
    return rows


async def save(principal: Principal, kind: str, contract_ids: list[int]) -> dict[str, Any]:
    """保存: the roster gets its number and the filings are marked 是否生成名册 = 是, in one transaction."""
    async with write_transaction():
        rows = await selection(principal, kind, contract_ids)
        employer = await employer_service.get_employer(principal.employer_id)
        today = local_date()
        sequence = await next_sequence(f"roster-{principal.employer_id}-{kind}-{today:%Y%m%d}")
        number = f"{rules.roster_number(kind, today, sequence)}{principal.employer_id:06d}"
        roster = Roster(
            number=number, kind=kind, employer=principal.employer_id, filing_agency=employer["review_agency"],
            filing_agency_name=await dictionary.label("review_agency", employer["review_agency"]),
            item_count=len(rows), created_at=datetime.now(UTC), created_by=principal.audit_name[:100],
        )
        await roster.save()
        await RosterItem.insert(
            *[RosterItem(roster=roster.id, contract=r["id"], position=i) for i, r in enumerate(rows, start=1)]
        )
        await Contract.update({Contract.in_roster: True, Contract.updated_at: datetime.now(UTC)}).where(
            Contract.id.is_in([r["id"] for r in rows])
        )
    return await get_roster(principal, roster.id)


async def get_roster(principal: Principal, roster_id: int) -> dict[str, Any]:
    """A saved roster of the logged-in employer, with its items; another employer's id answers 404."""
    if not principal.is_employer:
        raise NotFoundException("名册不存在")
    roster = await Roster.select().where((Roster.id == roster_id) & (Roster.employer == principal.employer_id)).first()
    if roster is None:
        raise NotFoundException("名册不存在")
    items = await RosterItem.select(RosterItem.contract).where(RosterItem.roster == roster_id).order_by(
        RosterItem.position
    )
    ids = [i["contract"] for i in items]
    contracts = {c["id"]: c for c in await Contract.select().where(Contract.id.is_in(ids or [0]))}
    roster["items"] = await display_rows([contracts[i] for i in ids if i in contracts])
    roster["kind_label"] = rules.ROSTER_KIND_LABELS[roster["kind"]]
    return roster


async def list_rosters(principal: Principal, params: dict[str, str]) -> list[dict[str, Any]]:
    """已办业务名册查询 (LC-10): by kind, number, ID number or name, newest first."""
    query = Roster.select().where(Roster.employer == principal.employer_id)
    if (kind := params.get("kind", "")) in rules.ROSTER_KIND_LABELS:
        query = query.where(Roster.kind == kind)
    if number := normalise(params.get("number", "")):
        query = query.where(Roster.number == number)
    person_filter = Contract.employer == principal.employer_id
    if id_number := normalise(params.get("id_number", "")):
        person_filter &= Contract.id_number == id_number
    if name := params.get("worker_name", "").strip():
        person_filter &= Contract.worker_name == name
    if id_number or name:
        contract_ids = [r["id"] for r in await Contract.select(Contract.id).where(person_filter)]
        roster_ids = {r["roster"] for r in await RosterItem.select(RosterItem.roster).where(
            RosterItem.contract.is_in(contract_ids or [0]))}
        query = query.where(Roster.id.is_in(list(roster_ids) or [0]))
    rows = await query.order_by(Roster.created_at, ascending=False).order_by(Roster.id, ascending=False).limit(200)
    for r in rows:
        r["kind_label"] = rules.ROSTER_KIND_LABELS[r["kind"]]
    return rows


# each roster and 解除(终止)证明书 is a certificate of the platform (verification code, QR, /verify page).
CERTIFICATE_KINDS = {f"lc_{kind}": label for kind, label in rules.ROSTER_KIND_LABELS.items()}
MAX_VERIFY_WORKERS = 50  # the verification page lists the workers of a certificate (masked) up to this many


def _facts(roster: dict[str, Any], employer: dict[str, Any]) -> list[Fact]:
    """What /verify/{code} shows (masked there): the employer, the roster and, for 证明书, each worker."""
    facts = [Fact("用人单位", employer["name"]), Fact("统一社会信用代码", employer["uscc"], "uscc"),
             Fact("名册编号", roster["number"]), Fact("备案机构", roster["filing_agency_name"] or roster["filing_agency"]),
             Fact("条数", str(roster["item_count"]))]
    if roster["kind"] == "termination_certificate":
        for item in roster["items"][:MAX_VERIFY_WORKERS]:
            facts += [Fact("劳动者", item["worker_name"], "name"), Fact("身份证号", item["id_number"], "id_number"),
                      Fact("解除(终止)时间", str(item["termination_date"] or ""))]
    return facts


def _document(roster: dict[str, Any], employer: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The roster's document template and context."""
    meta = (
        ("用人单位", employer["name"]), ("统一社会信用代码", employer["uscc"]),
        ("备案机构", roster["filing_agency_name"] or roster["filing_agency"]), ("名册编号", roster["number"]),
        ("生成日期", f"{local_date(roster['created_at']):%Y-%m-%d}"),
    )
    if roster["kind"] == "termination_certificate":
        template, context = ("labor_contract/documents/termination_certificate.html",
                             {"roster": roster, "employer": employer, "meta": meta})
    else:
        template, context = ("labor_contract/documents/roster.html",
                             {"columns": columns_for(roster["kind"]), "rows": roster["items"], "meta": meta})
    return template, context


async def _render(roster: dict[str, Any], employer: dict[str, Any]) -> bytes:
    """The PDF alone, without issuing a certificate (bench/scale_documents.py measures it)."""
    template, context = _document(roster, employer)
    return await documents.render_pdf(template, context, title=roster["kind_label"])


async def _issue(roster: dict[str, Any], employer: dict[str, Any], base_url: str) -> dict[str, Any]:
    template, context = _document(roster, employer)
    return await issue_certificate(
        kind=f"lc_{roster['kind']}", title=f"{roster['kind_label']}-{roster['number']}", facts=_facts(roster, employer),
        base_url=base_url, owner_employer_id=employer["id"], division_code=employer["division_code"],
        issuer=roster["filing_agency_name"] or "", template=template, context=context,
    )


async def verification_code(roster: dict[str, Any]) -> str:
    """The code of the roster's certificate ('' before it is first printed)."""
    if not roster.get("document_token"):
        return ""
    row = await Certificate.select(Certificate.code).where(Certificate.document_token == roster["document_token"]).first()
    return row["code"] if row else ""


async def pdf(principal: Principal, roster_id: int, *, ip: str = "", base_url: str = "") -> tuple[bytes, str]:
    """The roster's PDF: issued once as a certificate when first printed, then the same stored bytes (LC-10
    reprint); `base_url` is the site the QR code's /verify link points to.

    It carries full ID numbers (the filing needs them), so every print is audited (SECURITY 12)."""
    roster = await get_roster(principal, roster_id)
    name = f"{roster['kind_label']}-{roster['number']}"
    await audit.record(category="data", action="lc.roster_print", actor=principal, ip=ip, object_type="roster",
                       object_id=roster_id, detail={"number": roster["number"], "items": roster["item_count"]})
    scope = StoredDocument.owner_employer_id == principal.employer_id
    if roster["document_token"]:
        _, data = await load_document(roster["document_token"], scope)
        return data, name
    employer = await employer_service.get_employer(principal.employer_id)
    certificate = await _issue(roster, employer, base_url)
    async with write_transaction():
        won = await Roster.update({Roster.document_token: certificate["document_token"]}).where(
            (Roster.id == roster_id) & (Roster.document_token == "")).returning(Roster.id)
    if won:
        _, data = await load_document(certificate["document_token"], scope)
        return data, name
    # Someone printed it at the same moment: theirs stands (every copy byte-identical); ours never circulated.
    await revoke_certificate(certificate["code"], "同一名册重复生成，以先生成的为准")
    current = await Roster.select(Roster.document_token).where(Roster.id == roster_id).first()
    _, data = await load_document(current["document_token"], scope)
    return data, name


async def candidates(principal: Principal, params: dict[str, str]) -> list[dict[str, Any]]:
    """实时名册打印: the employer's approved filings, filtered as the guide's 查询条件 (newest first)."""
    query = Contract.select().where(
        (Contract.employer == principal.employer_id) & (Contract.review_state == "approved")
    )
    if (state := params.get("state", "")) in ("new", "renew", "terminate"):
        query = query.where(Contract.state == state)
    if (in_roster := params.get("in_roster", "")) in ("0", "1"):
        query = query.where(Contract.in_roster == (in_roster == "1"))
    if contract_type := params.get("contract_type", ""):
        query = query.where(Contract.contract_type == contract_type)
    if id_number := normalise(params.get("id_number", "")):
        query = query.where(Contract.id_number == id_number)
    if name := (params.get("worker_name") or "").strip():
        query = query.where(Contract.worker_name == name)
    rows = await query.order_by(Contract.created_at, ascending=False).order_by(Contract.id, ascending=False).limit(500)
    return await display_rows(rows)
