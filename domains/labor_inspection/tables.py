"""Tables of labor_inspection: the 网上书审 (written review) of an employer for a year and its imported staff list;
the 信用等级申报 and the grade history.

The review's state lives in its 办件 (portal.workflow, kind `ins_review`); this row holds the four steps' answers
so the employer can stop after any step and come back. One review per employer per year (unique index).
"""

from piccolo.columns import JSON, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from domains.employer.tables import Employer


class InsReview(Table, help_text="网上书审申报: one per employer and year (INS-1)"):
    employer = ForeignKey(Employer, on_delete=OnDelete.restrict, index=True)
    year = Integer(help_text="审查年度")
    answers = JSON(default="{}", help_text="① 用工情况自查: code → answer (figures as integers, money in 分)")
    answered_at = Timestamptz(null=True, default=None, help_text="When step ① was last saved valid")
    staff_count = Integer(default=0, help_text="② rows of the last successful 劳动用工信息 import")
    imported_at = Timestamptz(null=True, default=None, help_text="② done only after a successful import")
    division_code = Varchar(length=12, default="", help_text="③ 实际经营地 街道(乡镇) (dictionary division)")
    squad_code = Varchar(length=40, default="", help_text="③ 监察中队 (dictionary squad) covering that division")
    matter_id = Integer(null=True, default=None, index=True, help_text="④ the 办件 created by 完成申报")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class InsReviewStaff(Table, help_text="② 劳动用工信息: one imported worker of a review (replaced by each import)"):
    review = ForeignKey(InsReview, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=40)
    id_number = Varchar(length=18, help_text="身份证号, normalised")
    post = Varchar(length=60, default="", help_text="工作岗位")
    hired_on = Date(null=True, default=None, help_text="入职日期")
    contract_signed = Varchar(length=2, default="", help_text="是否签订劳动合同 (是/否)")
    contract_end = Date(null=True, default=None, help_text="合同终止日期; none for 无固定期限 or unsigned")
    insured = Varchar(length=2, default="", help_text="是否参加社会保险 (是/否)")
    monthly_wage = Integer(default=0, help_text="月工资 in 分")


class InsGrade(Table, help_text="信用等级申报: one per employer and year (INS-3); its state lives in its 办件"):
    employer = ForeignKey(Employer, on_delete=OnDelete.restrict, index=True)
    year = Integer(help_text="评价年度")
    criteria = JSON(default="{}", help_text="评价内容: criterion code → {state: 遵守|存在问题, note}; other → text")
    opinion = Text(default="", help_text="申报意见")
    proposed_grade = Varchar(length=1, default="", help_text="申报等级 A/B/C (the employer's own assessment)")
    contact_name = Varchar(length=40, default="")
    contact_phone = Varchar(length=20, default="")
    division_code = Varchar(length=12, default="", help_text="实际经营地 街道(乡镇) (dictionary division)")
    squad_code = Varchar(length=40, default="", help_text="监察中队 covering it (dictionary.squad_for)")
    matter_id = Integer(null=True, default=None, index=True, help_text="The 办件 (kind ins_grade)")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class InsGradeHistory(Table, help_text="信用等级 history: every grade an employer was given (INS-3, INS-4)"):
    employer = ForeignKey(Employer, on_delete=OnDelete.restrict, index=True)
    year = Integer(help_text="评价年度")
    grade = Varchar(length=1, help_text="A 守法诚信 / B 基本守法诚信 / C 不守法诚信")
    reasons = Text(default="", help_text="评定理由, or the appeal decision's opinion")
    decided_by = Varchar(length=100, default="", help_text="The staff member's name")
    decided_by_id = Integer(null=True, default=None, help_text="StaffUser id")
    decided_at = Timestamptz()
    source = Varchar(length=20, help_text="decide (评定) or appeal_change (申诉变更)")
    matter_id = Integer(index=True, help_text="The 办件 the grade was given in")
class InsCompliance(Table, help_text="合规证明登记: an employer's application for a 劳动用工合规证明 (INS-5)"):
    employer = ForeignKey(Employer, on_delete=OnDelete.restrict, index=True)
    purpose = Varchar(length=20, help_text="用途 code: listing / bidding / financing / other (compliance_rules.PURPOSES)")
    purpose_other = Varchar(length=100, default="", help_text="用途 in words when purpose is other")
    start_month = Integer(help_text="证明期间 from (YYYYMM)")
    end_month = Integer(help_text="证明期间 to (YYYYMM), inclusive")
    contact_name = Varchar(length=40, help_text="联系人")
    contact_phone = Varchar(length=20, help_text="联系电话 (mobile or 区号-号码)")
    squad_code = Varchar(length=40, help_text="监察中队 (dictionary squad) the 办件 went to")
    matter_id = Integer(null=True, default=None, index=True, help_text="the 办件 (kind ins_compliance)")
    warnings = JSON(default="[]", help_text="the warnings the squad saw when it issued the certificate")
    opinion = Text(default="", help_text="the squad's 核实意见 (issued) or 不予出具 reason")
    certificate_code = Varchar(length=40, default="", help_text="platform Certificate.code, set on the first download")
    created_at = Timestamptz()
