"""Tables of the employer app: the employer record (单位基本信息), its agents (经办人) and its filings (EMP-2)."""

from enum import Enum

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class Employer(Table, help_text="用人单位, keyed by 统一社会信用代码 (EMP-1)"):
    uscc = Varchar(length=18, unique=True, help_text="统一社会信用代码, normalised")
    name = Varchar(length=200, index=True)
    org_code = Varchar(length=10, default="", help_text="组织机构代码 (derived from the USCC)")
    nature = Varchar(length=40, default="", help_text="单位性质 (dictionary employer_nature)")
    affiliation = Varchar(length=40, default="", help_text="隶属关系 (dictionary affiliation)")
    economic_type = Varchar(length=40, default="", help_text="单位经济类型 (dictionary economic_type)")
    industry = Varchar(length=40, default="", help_text="所属行业 (dictionary industry)")
    division_code = Varchar(length=12, default="", index=True, help_text="行政区划 (dictionary division)")
    address = Varchar(length=200, default="", help_text="通讯地址")
    legal_rep = Varchar(length=40, default="", help_text="法定代表人")
    legal_rep_id_number = Varchar(length=18, default="")
    contact_name = Varchar(length=40, default="")
    contact_phone = Varchar(length=20, default="")
    landline = Varchar(length=20, default="", help_text="单位固定电话 (the guide's record, issue 14 §18)")
    postcode = Varchar(length=6, default="", help_text="邮政编码")
    agent_name = Varchar(length=40, default="", help_text="经办人")
    agent_id_number = Varchar(length=18, default="")
    agent_phone = Varchar(length=20, default="")
    review_agency = Varchar(length=40, default="", index=True, help_text="送审机构 (dictionary review_agency)")
    profile_complete = Boolean(default=False, help_text="信息完善 done (ACC-3)")
    filing_approved = Boolean(default=False, help_text="First filing approved (EMP-2, LC-1)")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AgentAuthorisation(Table, help_text="The legal representative authorises a natural person to act for the employer (ACC-2)"):
    employer = ForeignKey(Employer, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=40)
    id_number = Varchar(length=18, index=True)
    mobile = Varchar(length=20, default="")
    valid_from = Date()
    valid_until = Date()
    status = Varchar(length=20, default="pending", help_text="pending, active, revoked")
    # ACC-8: the AgentRight codes the authorisation names, comma-separated. "*" (every service) is what rows
    # written before ACC-8 hold: they were granted without a list, and narrowing them silently would lock agents out.
    services = Varchar(length=400, default="*", help_text="Authorised services (AgentRight codes), or * for all")
    created_at = Timestamptz()
    confirmed_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = Varchar(length=20, default="")


class EmployerFiling(
    Table, tablename="employer_filing",
    help_text="The employer's first filing or a later change of its record, reviewed (EMP-2)",
):
    # The table was created by the labor_contract app and adopted by this one without being rebuilt
    # (migrations employer …t12_00_00 and labor_contract …t12_00_02): keep the table name.
    class Review(str, Enum):
        draft = "draft"  # saved, materials not yet complete / not submitted
        pending = "pending"  # 未审核
        approved = "approved"  # 审核通过
        rejected = "rejected"  # 审核不通过

    employer = ForeignKey(Employer, on_delete=OnDelete.cascade, index=True)
    is_first = Boolean(default=True, help_text="初次备案 (else 变更)")
    payload = JSON(default="{}", help_text="The employer record as filed")
    review_agency = Varchar(length=40, default="", index=True, help_text="送审机构 chosen")
    review_state = Varchar(length=12, choices=Review, default=Review.draft)
    review_opinion = Text(default="")
    matter_id = Integer(null=True, default=None, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    reviewed_at = Timestamptz(null=True, default=None)
