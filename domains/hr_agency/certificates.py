"""The electronic 人力资源服务许可证 / 业务备案凭证: a platform certificate (verification code + QR), rendered on
the first download, outside the approval's transaction, then served byte-identical; withdrawn when what it prints
changes (the next download issues the new one) and revoked when the agency is deleted."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from typing import Any

from domains.hr_agency.tables import Agency, Licence, ServiceFiling
from portal.auth.principal import Principal
from portal.core import dictionary
from portal.dataservices.certificates import Fact, issue_certificate, revoke_certificate
from portal.dataservices.tables import Certificate
from portal.db import write_transaction

KINDS = {"hra_licence": "人力资源服务许可证", "hra_filing": "人力资源服务业务备案凭证"}
# What each certificate prints of the agency record (ensure_certificate below): a change of one of these replaces it.
PRINTED = {Licence: ("name", "legal_rep", "address"), ServiceFiling: ("name", "address")}


async def _services_label(raw: str) -> str:
    labels = await dictionary.labels("hra_service")
    return "、".join(labels.get(c, c) for c in json.loads(raw or "[]"))


async def ensure_certificate(table: type[Licence] | type[ServiceFiling], row: dict[str, Any], base_url: str) -> str:
    """The certificate's document token, issuing the certificate when it is the first download."""
    if row["certificate_code"]:
        cert = await Certificate.select(Certificate.document_token).where(
            Certificate.code == row["certificate_code"]).first()
        return cert["document_token"]
    agency = await Agency.select().where(Agency.id == row["agency"]).first()
    division = await dictionary.label("division", row["division_code"])
    if table is Licence:
        kind, facts = "hra_licence", [
            Fact("许可证编号", row["licence_no"]), Fact("许可决定文号", row["doc_no"]),
            Fact("机构名称", agency["name"]), Fact("统一社会信用代码", agency["uscc"], "uscc"),
            Fact("法定代表人", agency["legal_rep"], "name"), Fact("办公地址", agency["address"]),
            Fact("许可事项", await _services_label(row["services"])),
            Fact("有效期", f"{row['issued_on']:%Y年%m月%d日}至{row['valid_until']:%Y年%m月%d日}"),
            Fact("发证机关所在地", division),
        ]
    else:
        kind, facts = "hra_filing", [
            Fact("备案编号", row["filing_no"]), Fact("机构名称", agency["name"]),
            Fact("统一社会信用代码", agency["uscc"], "uscc"), Fact("办公地址", agency["address"]),
            Fact("备案事项", await _services_label(row["services"])),
            Fact("备案日期", f"{row['filed_on']:%Y年%m月%d日}"), Fact("备案机关所在地", division),
        ]
    cert = await issue_certificate(
        kind=kind, title=KINDS[kind], facts=facts, base_url=base_url, owner_employer_id=agency["employer"],
        division_code=row["division_code"],
    )
    async with write_transaction():
        claimed = await table.update({table.certificate_code: cert["code"]}).where(
            (table.id == row["id"]) & (table.certificate_code == "")).returning(table.id)
    if not claimed:  # two first downloads raced: keep the winner's, withdraw this one
        await revoke_certificate(cert["code"], "重复签发，已作废")
        return await ensure_certificate(table, await table.select().where(table.id == row["id"]).first(), base_url)
    return cert["document_token"]


async def withdraw_outdated(agency_id: int, changed: Iterable[str], reason: str, *, actor: Principal, ip: str = "",
                            services_changed: Collection[str] = ()) -> list[str]:
    """Inside the write_transaction that changed the agency record (事项变更 approved, 机构管理 edit): each valid
    licence / filing whose certificate prints a changed field, or whose own services changed ("licence:ID"), loses
    its code and the certificate is revoked with `reason` (/verify says 已注销); the next download issues one with
    the new facts. Returns the targets withdrawn."""
    changed = set(changed)
    withdrawn = []
    for table, printed in PRINTED.items():
        kind = "licence" if table is Licence else "filing"
        touched = bool(changed & set(printed))
        for row in await table.select(table.id, table.certificate_code).where(
                (table.agency == agency_id) & (table.status == "valid") & (table.certificate_code != "")):
            if touched or f"{kind}:{row['id']}" in services_changed:
                await table.update({table.certificate_code: ""}).where(
                    (table.id == row["id"]) & (table.certificate_code == row["certificate_code"]))
                await revoke_certificate(row["certificate_code"], reason, actor=actor, ip=ip)
                withdrawn.append(f"{kind}:{row['id']}")
    return withdrawn


async def revoke_all(agency_id: int, reason: str, *, actor: Principal, ip: str = "") -> int:
    """Inside the write_transaction that deletes the agency: every certificate of its licences and filings is revoked
    (/verify says 已注销); the rows keep the codes as their record. Returns how many were still valid."""
    revoked = 0
    for table in (Licence, ServiceFiling):
        for row in await table.select(table.certificate_code).where(
                (table.agency == agency_id) & (table.certificate_code != "")):
            revoked += await revoke_certificate(row["certificate_code"], reason, actor=actor, ip=ip)
    return revoked
