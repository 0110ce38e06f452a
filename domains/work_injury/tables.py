"""Tables of the work_injury app: the 工伤快报 (one accident) and its injured persons.

The report's state lives in its 办件 (portal.workflow Matter, kind `wi_quick_report`); the row keeps only what the
employer reported, the reviewer's last opinion and the date the 30-day 工伤认定 limit ends (条例 art. 17).
"""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from domains.employer.tables import Employer
from domains.person.tables import Person


class WiAccident(Table, help_text="工伤快报: one accident reported by an employer (WI-1, WI-2)"):
    employer = ForeignKey(Employer, on_delete=OnDelete.restrict, index=True)
    matter_id = Integer(null=True, default=None, index=True, help_text="The report's 办件 (its state and timeline)")
    division_code = Varchar(length=12, default="", help_text="The employer's division when reported (review routing)")
    occurred_at = Timestamptz(help_text="事故发生时间 (UTC)")
    occurred_on = Date(help_text="事故发生日期 in Asia/Shanghai: the grid's date filter and sort")
    deadline_on = Date(help_text="工伤认定申请期限: occurred_on + 30 calendar days (《工伤保险条例》第十七条)")
    place = Varchar(length=200, help_text="事故发生地点")
    category = Varchar(length=10, help_text="事故类别 (dictionary wi_accident_category)")
    description = Text(help_text="事故经过")
    reporter = Varchar(length=40, help_text="报告人")
    reporter_phone = Varchar(length=20, help_text="报告人联系电话")
    hospital = Varchar(length=100, help_text="就诊医疗机构")
    persons_label = Varchar(length=200, default="", help_text="姓名 of the injured, joined (grid and queue)")
    review_opinion = Text(default="", help_text="The reviewer's opinion of the last 审核通过 / 退回")
    applied_on = Date(null=True, default=None,
                      help_text="工伤认定申请日期 the employer recorded (ends the 30-day flag); None: not yet")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class WiInjured(Table, help_text="An injured person of a 工伤快报 (增加工伤人员)"):
    accident = ForeignKey(WiAccident, on_delete=OnDelete.cascade, index=True)
    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    id_number = Varchar(length=18, help_text="身份证号 as looked up")
    name = Varchar(length=40, help_text="姓名 from the person record")
    body_part = Varchar(length=100, help_text="受伤部位")
    severity = Varchar(length=10, help_text="伤害程度 (dictionary wi_injury_severity)")
    diagnosis = Varchar(length=200, help_text="诊断结果")
    hospitalised = Boolean(default=False, help_text="是否住院")
    occupation = Varchar(length=60, help_text="职业/岗位")
    position = Integer(default=0, help_text="Order on the report")
