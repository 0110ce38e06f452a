"""Tables of the social_insurance app: 参保登记, rates and limits, 结算期, contributions, summaries, 待遇支付, 养老账户.

Money is integer 分. A 结算期 is an integer YYYYMM (202611 = 2026年11月): sortable, comparable, one column.
Rates are integers in 1/100000 (十万分之一: 16% = 16000, 0.2% = 200) so no float ever touches money.
"""

from enum import Enum

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from domains.employer.tables import Employer
from domains.person.tables import Person


class Insurance(str, Enum):
    pension = "pension"  # 养老
    medical = "medical"  # 医疗
    injury = "injury"  # 工伤
    unemployment = "unemployment"  # 失业
    maternity = "maternity"  # 生育


class SiEnrolment(Table, help_text="参保登记: a person insured by an employer for one insurance"):
    class Status(str, Enum):
        active = "active"  # 参保缴费
        suspended = "suspended"  # 暂停缴费
        terminated = "terminated"  # 终止参保

    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    employer = ForeignKey(Employer, on_delete=OnDelete.restrict, index=True)
    # A copy beside the employer, so 姓名包含 tests index entries (employer, person, person_name) instead of
    # joining every record of the employer to person; filled by every writer, renames follow by a trigger on person.
    person_name = Varchar(length=40, default="", help_text="姓名, a copy of person.name")
    insurance = Varchar(length=20, choices=Insurance)
    status = Varchar(length=12, choices=Status, default=Status.active, help_text="参保状态")
    identity = Varchar(length=10, default="11", help_text="参保身份 (dictionary insured_identity)")
    base = Integer(default=0, help_text="缴费基数 in 分")
    start_period = Integer(help_text="参保开始结算期 YYYYMM")
    end_period = Integer(null=True, default=None, help_text="终止结算期 YYYYMM")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class SiRate(Table, help_text="Each insurance's 单位/个人 rate from a 结算期 on (工伤 per industry risk class)"):
    insurance = Varchar(length=20, choices=Insurance)
    risk_class = Integer(default=0, help_text="工伤 行业风险类别 1–8; 0 for the other insurances")
    effective_from = Integer(help_text="First 结算期 YYYYMM the rate applies to")
    employer_rate = Integer(help_text="单位费率 in 1/100000")
    personal_rate = Integer(default=0, help_text="个人费率 in 1/100000")
    source = Text(default="", help_text="Where the figure comes from")


class SiLimit(Table, help_text="缴费基数 floor and ceiling and the pension 记账利率, from a 结算期 on"):
    division_code = Varchar(length=12, default="", help_text="行政区划 of a city or county with its own 上下限; '' = 全省")
    effective_from = Integer(help_text="First 结算期 YYYYMM the limits apply to")
    base_floor = Integer(help_text="缴费基数下限 in 分")
    base_ceiling = Integer(help_text="缴费基数上限 in 分")
    interest_rate = Integer(default=0, help_text="养老个人账户记账利率 in 1/100000 a year (the province's rows only)")
    source = Text(default="")


class SiPeriod(Table, help_text="A 结算期 that was assessed (月度核定); closed ones cannot be re-assessed"):
    class State(str, Enum):
        open = "open"
        closed = "closed"

    period = Integer(unique=True, help_text="YYYYMM")
    state = Varchar(length=10, choices=State, default=State.open)
    assessed_at = Timestamptz(null=True, default=None)
    assessed_by = Varchar(length=100, default="")
    row_count = Integer(default=0, help_text="Contribution rows of the 结算期 after the last 核定")
    closed_at = Timestamptz(null=True, default=None)


class SiContribution(Table, help_text="One person's contributions for one 结算期 under one employer, five insurances as columns"):
    class Paid(str, Enum):
        due = "due"  # 欠缴 (or not yet due)
        paid = "paid"  # 已到账

    period = Integer(help_text="结算期 YYYYMM")
    employer = ForeignKey(Employer, on_delete=OnDelete.restrict)
    person = ForeignKey(Person, on_delete=OnDelete.restrict)
    base = Integer(default=0, help_text="缴费基数 in 分")
    pension_employer = Integer(default=0)
    pension_personal = Integer(default=0)
    medical_employer = Integer(default=0)
    medical_personal = Integer(default=0)
    injury_employer = Integer(default=0)
    unemployment_employer = Integer(default=0)
    unemployment_personal = Integer(default=0)
    maternity_employer = Integer(default=0)
    total = Integer(default=0, help_text="应缴合计 in 分")
    paid_state = Varchar(length=8, choices=Paid, default=Paid.due)
    paid_on = Date(null=True, default=None, help_text="到账日期")


class SiEmployerPeriod(Table, help_text="Per-employer per-结算期 summary written at 核定 time (SI-2 never sums rows)"):
    period = Integer()
    employer = ForeignKey(Employer, on_delete=OnDelete.restrict)
    headcount = Integer(default=0)
    # Sums: a 30,000-person employer owes more than 2^31 分 a month, hence BigInt.
    pension_employer = BigInt(default=0)
    pension_personal = BigInt(default=0)
    medical_employer = BigInt(default=0)
    medical_personal = BigInt(default=0)
    injury_employer = BigInt(default=0)
    unemployment_employer = BigInt(default=0)
    unemployment_personal = BigInt(default=0)
    maternity_employer = BigInt(default=0)
    total = BigInt(default=0)
    paid = BigInt(default=0, help_text="已到账 in 分")


class SiBenefit(Table, help_text="待遇支付: a benefit paid (养老, 生育, 工伤) booked under an employer for a 结算期"):
    period = Integer()
    employer = ForeignKey(Employer, on_delete=OnDelete.restrict)
    person = ForeignKey(Person, on_delete=OnDelete.restrict)
    insurance = Varchar(length=20, choices=Insurance)
    item = Varchar(length=40, help_text="待遇项目, e.g. 基本养老金, 生育津贴, 一次性伤残补助金")
    amount = Integer(help_text="in 分")
    paid_on = Date()


class SiPensionAccount(Table, help_text="养老个人账户, one row per person per year"):
    person = ForeignKey(Person, on_delete=OnDelete.restrict)
    year = Integer()
    carried = Integer(default=0, help_text="上年结转 in 分")
    credited = Integer(default=0, help_text="当年记账 (the personal share) in 分")
    interest = Integer(default=0, help_text="利息 in 分")
    balance = Integer(default=0, help_text="年末累计 in 分")
    months = Integer(default=0, help_text="缴费月数")


class SiYearEnd(Table, help_text="年度结算 of the pension personal accounts: one row per settled year, rewritten by a re-run"):
    year = Integer(unique=True)
    interest_rate = Integer(help_text="记账利率 used, in 1/100000")
    persons = Integer(default=0, help_text="Accounts written")
    carried = BigInt(default=0, help_text="Sum of 上年结转 in 分")
    credited = BigInt(default=0, help_text="Sum of 当年记账 in 分")
    interest = BigInt(default=0, help_text="Sum of 利息 in 分")
    balance = BigInt(default=0, help_text="Sum of 年末累计 in 分")
    run_at = Timestamptz()
    run_by = Varchar(length=100, default="")
