"""The 办件 kind of the employer filing (EMP-2): reviewed by the chosen 送审机构; approval updates the record."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from domains.employer.rules import FILED_KEYS
from domains.employer.tables import Employer, EmployerFiling
from portal.workflow.kinds import EffectContext, MaterialSpec, review_flow

FILING_REVIEW_PERMISSION = "employer.filing_review"
# The code is stored in every existing 办件 of this kind (Matter.kind): it keeps the name it was created with.
EMPLOYER_FILING_KIND = "lc_employer_filing"

# Declared to the platform, with the kind, by the Area (domains/employer/area.py).
PERMISSIONS = {FILING_REVIEW_PERMISSION: "单位基本信息备案审核"}


def filing_payload(row: dict[str, Any]) -> dict[str, Any]:
    payload = row["payload"]
    return json.loads(payload) if isinstance(payload, str) else dict(payload or {})


async def _on_approve(ctx: EffectContext) -> dict:
    """审核通过 (inside the transition's transaction): the record takes the filed values and LC-1 opens."""
    row = await EmployerFiling.select().where(EmployerFiling.matter_id == ctx.matter["id"]).first()
    if row is not None:
        payload = filing_payload(row)
        at = datetime.now(UTC)
        updates = {k: payload[k] for k in FILED_KEYS if k in payload}
        await Employer.update({**updates, "filing_approved": True, "updated_at": at}).where(
            Employer.id == row["employer"])
        await EmployerFiling.update({
            EmployerFiling.review_state: "approved", EmployerFiling.review_opinion: ctx.opinion,
            EmployerFiling.reviewed_at: at,
        }).where(EmployerFiling.id == row["id"])
    return {"review_state": "approved"}


async def _on_reject(ctx: EffectContext) -> dict:
    await EmployerFiling.update({
        EmployerFiling.review_state: "rejected", EmployerFiling.review_opinion: ctx.opinion,
        EmployerFiling.reviewed_at: datetime.now(UTC),
    }).where(EmployerFiling.matter_id == ctx.matter["id"])
    return {"review_state": "rejected"}


EMPLOYER_FILING = review_flow(
    EMPLOYER_FILING_KIND,
    "单位基本信息备案",
    permission=FILING_REVIEW_PERMISSION,
    approve_effect=_on_approve,
    reject_effect=_on_reject,
    number_code="EF",
    jurisdiction="agency",
    legal_days=15,
    promised_days=5,
    # The guide's five (its list reads 经办人身份证正反面 then 经办人身份证反面: the first is the front). The codes of
    # the first three are those stored in older matters.
    materials=(
        MaterialSpec("business_licence", "营业执照"),
        MaterialSpec("agent_id_card", "经办人身份证正面"),
        MaterialSpec("agent_id_card_back", "经办人身份证反面"),
        MaterialSpec("legal_rep_id_card", "法人身份证正面"),
        MaterialSpec("legal_rep_id_card_back", "法人身份证反面"),
    ),
    guide_text=(
        "新注册的单位办理劳动关系业务前须完成初次备案：填写单位基本信息、联系人信息、经办人信息，"
        "选择送审机构并保存，上传营业执照、经办人身份证正面和反面、法人身份证正面和反面，提交后等待送审机构审核。"
        "单位基本信息变更同样须提交审核；变更时可沿用上次审核通过的材料，有变化的材料请重新上传替换。"
    ),
    # Every field of the filing form (issue 14 §17): codes by their dictionary names, personal numbers masked.
    payload_labels=(
        ("name", "单位名称"), ("uscc", "统一社会信用代码"), ("nature", "单位性质", "employer_nature"),
        ("affiliation", "隶属关系", "affiliation"), ("legal_rep", "法定代表人"),
        ("economic_type", "单位经济类型", "economic_type"), ("industry", "所属行业", "industry"),
        ("division_code", "行政区划", "division"), ("address", "通讯地址"), ("contact_name", "单位联系人"),
        ("contact_phone", "单位联系人手机号", "phone"), ("landline", "单位固定电话"), ("postcode", "邮政编码"),
        ("agent_name", "单位经办人"),
        ("agent_phone", "单位经办人手机号", "phone"), ("agent_id_number", "单位经办人身份证号", "id_number"),
        ("review_agency", "送审机构", "review_agency"),
    ),
)
