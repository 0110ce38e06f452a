"""Tables of personnel_change: one row per person × insurance of a 增员 or 减员 application (its 办件 holds the rest).

The application's state lives in its 办件 (portal.workflow); a row only records whether it is still pending
(`settled_at` IS NULL until approved or deleted), which a partial unique index turns into the rule
"one pending change per person per insurance at an employer".
"""

from enum import Enum

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from domains.employer.tables import Employer


class PcChange(Table, help_text="人员增减员: one insurance of one person's 增员/减员 application at an employer"):
    class Direction(str, Enum):
        enrol = "enrol"  # 增员
        withdraw = "withdraw"  # 减员

    employer = ForeignKey(Employer, on_delete=OnDelete.restrict, index=True)
    matter_id = Integer(index=True, help_text="The application's 办件 (one per person and application)")
    direction = Varchar(length=10, choices=Direction)
    kind = Varchar(length=12, help_text="new/resume/transfer (增员) or suspend/terminate/retire (减员)")
    id_number = Varchar(length=18, help_text="身份证号, normalised")
    name = Varchar(length=40)
    insurance = Varchar(length=20)
    identity = Varchar(length=10, default="", help_text="参保身份 (dictionary insured_identity), 增员 only")
    base = Integer(default=0, help_text="缴费基数 in 分, 增员 only")
    period = Integer(help_text="增员: first 结算期 insured here; 减员: first 结算期 no longer insured (YYYYMM)")
    reason = Varchar(length=10, default="", help_text="减员原因 (dictionary pc_withdraw_reason)")
    from_enrolment = Integer(null=True, default=None, help_text="参保登记 id this change ends (调入, 续保 of a "
                                                                   "suspended record, every 减员)")
    from_employer = Integer(null=True, default=None, index=True,
                            help_text="调入: the employer whose record ends (its 人员险种调出单位 list)")
    settled_at = Timestamptz(null=True, default=None, help_text="Approved or deleted: no longer pending")
    approved_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class PcReport(Table, help_text="人员增减员异动申报表 (PC-7): a saved, numbered report of confirmed changes"):
    employer = ForeignKey(Employer, on_delete=OnDelete.restrict, index=True)
    direction = Varchar(length=10, choices=PcChange.Direction)
    number = Varchar(length=40, unique=True)
    period = Integer(help_text="结算期 YYYYMM of the changes")
    change_ids = Text(default="[]", help_text="JSON list of pc_change ids, in the report's order")
    row_count = Integer(default=0)
    document_token = Varchar(length=64, default="", help_text="Stored PDF, issued as a certificate on first print")
    created_at = Timestamptz()
    created_by = Varchar(length=100, default="")
