"""Tables of the hr_agency app: the agency record (with its change history), licences (行政许可), 业务备案,
branches, annual reports and on-site job fairs. Applications themselves are 办件 (workflow.Matter) whose payload
holds what the agency filled in; these rows are what an approval produces."""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from domains.employer.tables import Employer


class Agency(Table, tablename="hra_agency"):
    """人力资源服务机构. `employer` is the legal person's account when it applied online; staff-added
    (机构管理) and imported (历史数据采集) agencies have none. `source`: online | staff | history."""

    employer = ForeignKey(Employer, null=True, on_delete=OnDelete.restrict, index=True)
    name = Varchar(200)
    uscc = Varchar(18, index=True)
    legal_rep = Varchar(40)
    address = Varchar(200)
    division_code = Varchar(9, index=True)
    agency_type = Varchar(10)  # dictionary hra_agency_type
    contact_name = Varchar(40)
    contact_phone = Varchar(20)
    # Services of its valid licence and filings (JSON codes, and their labels for the 名录), kept by approvals.
    services = Text(default="[]")
    services_label = Text(default="")
    source = Varchar(10, default="online")
    status = Varchar(16, default="active")  # active | deregistered | deleted
    delete_reason = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AgencyChange(Table, tablename="hra_agency_change"):
    """One changed field of an agency record (事项变更 approved, or 机构管理 edit): the history kept."""

    agency = ForeignKey(Agency, on_delete=OnDelete.restrict, index=True)
    field = Varchar(40)
    before = Text(default="")
    after = Text(default="")
    matter_id = Integer(null=True, default=None)
    actor = Varchar(80)
    at = Timestamptz()


class Licence(Table, tablename="hra_licence"):
    """行政许可 (人力资源服务许可证). Numbers are unique; `status` valid | revoked (已注销)."""

    agency = ForeignKey(Agency, on_delete=OnDelete.restrict, index=True)
    matter_id = Integer(null=True, default=None, index=True)
    licence_no = Varchar(60, unique=True)
    doc_no = Varchar(60, unique=True)  # 文号 of the decision
    division_code = Varchar(9, index=True)  # issuing division
    services = Text(default="[]")  # JSON list of hra_service codes (许可事项)
    issued_on = Date()
    valid_until = Date()
    status = Varchar(10, default="valid")
    certificate_code = Varchar(40, default="")
    revoked_on = Date(null=True, default=None)
    revoke_reason = Text(default="")
    created_at = Timestamptz()


class ServiceFiling(Table, tablename="hra_filing"):
    """业务备案: the services an agency filed; 核查通过 gives the 备案编号."""

    agency = ForeignKey(Agency, on_delete=OnDelete.restrict, index=True)
    matter_id = Integer(null=True, default=None, index=True)
    filing_no = Varchar(60, unique=True)
    division_code = Varchar(9, index=True)
    services = Text(default="[]")
    filed_on = Date()
    status = Varchar(10, default="valid")  # valid | revoked
    certificate_code = Varchar(40, default="")
    revoked_on = Date(null=True, default=None)
    revoke_reason = Text(default="")
    created_at = Timestamptz()


class Branch(Table, tablename="hra_branch"):
    """设立分支机构报告, approved: the branch carries its parent's licence and filings."""

    agency = ForeignKey(Agency, on_delete=OnDelete.restrict, index=True)
    matter_id = Integer(null=True, default=None, index=True)
    name = Varchar(200)
    address = Varchar(200)
    division_code = Varchar(9, index=True)
    leader = Varchar(40)
    status = Varchar(10, default="active")
    created_at = Timestamptz()


class RegisterEntry(Table, tablename="hra_register"):
    """One row of the public 名录 (HRA-13), derived from the records by register.refresh(); never edited by hand.
    `uid`: 2·agency id, or 2·branch id + 1; `holder`: the agency whose licence and filings it shows."""

    uid = BigInt(primary_key=True)
    holder = Integer(index=True)
    name = Varchar(420)  # a branch: its name, then its parent's
    division_code = Varchar(9)
    region = Varchar(6)  # the city: 460105 → 460100, 469001 → 469000
    address = Varchar(200)
    services_label = Text(default="")
    licence_no = Varchar(60)
    valid_until = Date(null=True, default=None)
    filing_no = Varchar(60)  # the first valid filing's number


class AnnualReport(Table, tablename="hra_annual_report"):
    """年度报告 of the previous year's business; `status` submitted | passed | returned (退回重填)."""

    agency = ForeignKey(Agency, on_delete=OnDelete.restrict, index=True)
    year = Integer()
    division_code = Varchar(9, index=True)
    service_count = Integer(default=0)  # 服务人次
    revenue_fen = BigInt(default=0)  # 营业收入 in 分
    employment_helped = Integer(default=0)  # 帮助就业人数
    fairs_held = Integer(default=0)  # 举办招聘会场次
    status = Varchar(10, default="submitted")
    opinion = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class JobFair(Table, tablename="hra_job_fair"):
    """现场招聘会 report."""

    agency = ForeignKey(Agency, on_delete=OnDelete.restrict, index=True)
    name = Varchar(200)
    held_on = Date()
    place = Varchar(200)
    scale = Varchar(40)  # 规模 (e.g. 展位数)
    employer_count = Integer(default=0)  # 参会单位数
    post_count = Integer(default=0)  # 岗位数
    division_code = Varchar(9, index=True)
    created_at = Timestamptz()
