"""Tables of the labor_contract app: contract filings (劳动合同备案) and rosters (名册)."""

from enum import Enum

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from domains.employer.tables import Employer


class Contract(Table, help_text="One filing (备案记录) of a labour contract: 新订, 续订 or 解除(终止) (LC-2 … LC-8)"):
    class State(str, Enum):
        new = "new"  # 新订
        renew = "renew"  # 续订
        terminate = "terminate"  # 解除(终止)
        void = "void"  # 作废

    class Review(str, Enum):
        pending = "pending"  # 未审核
        approved = "approved"  # 审核通过
        rejected = "rejected"  # 审核不通过

    employer = ForeignKey(Employer, on_delete=OnDelete.restrict, index=True, help_text="The owning employer")
    worker_name = Varchar(length=40, help_text="姓名")
    id_number = Varchar(length=18, index=True, help_text="身份证号, normalised")
    gender = Varchar(length=2, default="", help_text="Derived from the ID number")
    birth_date = Date(null=True, default=None, help_text="Derived from the ID number")
    employment_form = Varchar(length=10, default="", help_text="用工形式 (dictionary employment_form)")
    contract_type = Varchar(length=10, default="", help_text="合同类别 (dictionary contract_type)")
    contract_template = Varchar(length=20, default="", help_text="使用合同模板: model (范本) or own (自拟)")
    contract_number = Varchar(length=60, default="", help_text="劳动合同编号")
    start_date = Date(null=True, default=None, help_text="合同起始日期")
    end_date = Date(null=True, default=None, help_text="合同结束日期; none for 无固定期限")
    probation_months = Integer(default=0, help_text="试用期 (months)")
    post = Varchar(length=60, default="", help_text="工作岗位")
    workplace = Varchar(length=200, default="", help_text="工作地点")
    monthly_wage = Integer(default=0, help_text="月工资 in 分")
    pay_day = Integer(default=0, help_text="发工资日期: day of month 1–31")
    work_hours_system = Varchar(length=10, default="", help_text="工时制度 (dictionary work_hours_system)")
    filing_kind = Varchar(length=12, choices=State, help_text="What this filing was: new, renew or terminate")
    state = Varchar(length=12, choices=State, help_text="合同状态; void once 作废")
    review_state = Varchar(length=12, choices=Review, default=Review.pending, help_text="审核状态")
    review_opinion = Text(default="", help_text="审核意见")
    reviewed_at = Timestamptz(null=True, default=None)
    in_roster = Boolean(default=False, help_text="是否生成名册")
    employed = Boolean(default=False, help_text="是否在职: the current approved contract of the worker here")
    previous = ForeignKey("self", on_delete=OnDelete.set_null, null=True, default=None, help_text="Renewed or ended filing")
    termination_date = Date(null=True, default=None, help_text="解除(终止)日期")
    termination_reason = Varchar(length=10, default="", help_text="dictionary termination_reason")
    compensation = Integer(null=True, default=None, help_text="经济补偿金 in 分")
    matter_id = Integer(null=True, default=None, index=True, help_text="The workflow 办件 reviewing this filing")
    import_token = Varchar(length=64, default="", help_text="dataservices ImportJob that created it, if any")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Roster(Table, help_text="A saved roster (名册) of approved filings; its PDF is stored once (LC-9, LC-10)"):
    class Kind(str, Enum):
        new_roster = "new_roster"  # 新签备案名册
        renew_roster = "renew_roster"  # 续签备案名册
        termination_certificate = "termination_certificate"  # 解除(终止)证明书
        termination_roster = "termination_roster"  # 解除(终止)备案名册

    number = Varchar(length=40, unique=True, help_text="备案生成表号")
    kind = Varchar(length=30, choices=Kind)
    employer = ForeignKey(Employer, on_delete=OnDelete.restrict, index=True)
    filing_agency = Varchar(length=40, default="", help_text="送审机构 code at the time of saving")
    filing_agency_name = Varchar(length=200, default="")
    item_count = Integer(default=0)
    created_at = Timestamptz()
    created_by = Varchar(length=100, default="", help_text="Who saved it (acting person)")
    document_token = Varchar(length=64, default="", help_text="dataservices StoredDocument.token of the PDF")


class RosterItem(Table, help_text="One filing listed on a roster"):
    roster = ForeignKey(Roster, on_delete=OnDelete.cascade, index=True)
    contract = ForeignKey(Contract, on_delete=OnDelete.restrict, index=True)
    position = Integer(default=0)

