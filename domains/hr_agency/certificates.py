"""The electronic 人力资源服务许可证 / 业务备案凭证: a platform certificate (verification code + QR), rendered on
the first download, outside the approval's transaction, then served byte-identical."""

from __future__ import annotations

import json
from typing import Any

from domains.hr_agency.tables import Agency, Licence, ServiceFiling
from portal.core import dictionary
from portal.dataservices.certificates import Fact, issue_certificate, revoke_certificate
from portal.dataservices.tables import Certificate
from portal.db import write_transaction

KINDS = {"hra_licence": "人力资源服务许可证", "hra_filing": "人力资源服务业务备案凭证"}


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
