"""Declared grids of the domain: SI-1 参保职工名单 and the SI-2 fee details. The scope is always part of the SQL."""

from __future__ import annotations

from domains.social_insurance import rules
from portal.auth.principal import Principal
from portal.dataservices.grid import Column, Filter, Grid, Scope

STATUS_BADGES = {"active": ("参保缴费", "success"), "suspended": ("暂停缴费", "warning"),
                 "terminated": ("终止参保", "neutral")}
PAID_BADGES = {"paid": ("已到账", "success"), "due": ("欠缴", "danger")}
INSURANCE_CHOICES = tuple((k, v) for k, v in rules.INSURANCE_LABELS.items())


def name_match(alias: str) -> str:
    """姓名包含 through the employer's 参保登记 of the row's person (every contribution row has one: 核定 writes rows
    from them): an EXISTS on si_enrolment (employer, person, person_name), which PostgreSQL runs as one index-only
    pass over the employer's entries joined back (a semi-join), and SQLite as one covering seek per row."""
    return (f"EXISTS (SELECT 1 FROM si_enrolment n WHERE n.employer = {alias}.employer AND n.person = {alias}.person"
            " AND n.person_name LIKE {} ESCAPE '\\')")


# SI-1: the plain test first — SQLite walks (employer, start_period, id, person_name) in page order and tests the
# name on each entry, reading a record only for a match — then the EXISTS, for PostgreSQL's semi-join (its index
# scans test a filter on the heap row, so the walk would read every record). Both get the same value.
ROSTER_NAME_MATCH = "e.person_name LIKE {} ESCAPE '\\' AND " + name_match("e")
# SI-2: no copy on the 10 M contribution rows, nothing more for 核定 to write.
FEE_NAME_MATCH = name_match("c")


# 个人缴费状态: 欠缴 when a contribution of an earlier 结算期 under this employer has not arrived.
def arrears_sql(current_period: int) -> str:
    # The current 结算期 is not due yet: only earlier ones count as 欠缴 (an integer, never user input).
    # One seek in the partial index si_contribution_due (employer, person, period) WHERE paid_state = 'due'.
    return ("CASE WHEN EXISTS (SELECT 1 FROM si_contribution c WHERE c.paid_state = 'due' AND c.employer = e.employer"
            f" AND c.person = e.person AND c.period < {int(current_period)}) THEN 'due' ELSE 'paid' END")


def roster_grid(current_period: int) -> Grid:
    """SI-1: one row per 参保登记 (person × insurance) of the employer, with the manual's three filters."""
    arrears = arrears_sql(current_period)
    return Grid(
        name="si_roster", title="参保职工名单",
        # Newest records first: the index (employer, start_period, id) pages the biggest employer without sorting
        # its 70,000 records by a name from another table (姓名, the record's copy person_name, stays sortable).
        # 险种 walks (employer, insurance, start_period, id): without it SQLite sorted all the employer's records.
        source="si_enrolment e JOIN person p ON p.id = e.person", id_sql="e.id", default_sort="-start_period",
        columns=(
            Column("name", "姓名", sql="e.person_name", sortable=True),
            Column("id_number", "身份证号", kind="id_number", sql="p.id_number"),
            Column("insurance", "险种", kind="badge", sql="e.insurance",
                   badges={k: (v, "info") for k, v in rules.INSURANCE_LABELS.items()}),
            Column("status", "个人参保状态", kind="badge", sql="e.status", badges=STATUS_BADGES),
            Column("paid_state", "个人缴费状态", kind="badge", sql=arrears, badges={"paid": ("正常", "success"),
                                                                              "due": ("欠缴", "danger")}),
            Column("identity", "参保身份", sql="e.identity", category="insured_identity"),
            Column("base", "缴费基数(元)", kind="money", sql="e.base"),
            Column("start_period", "参保开始年月", kind="period", sql="e.start_period", sortable=True),
            Column("end_period", "终止年月", kind="period", sql="e.end_period"),
        ),
        filters=(
            Filter("status", "个人参保状态", kind="choice", sql="e.status", choices=tuple(rules.STATUS_LABELS.items())),
            Filter("paid_state", "个人缴费状态", kind="choice", sql=arrears, choices=(("paid", "正常"), ("due", "欠缴"))),
            Filter("identity", "参保身份", kind="choice", sql="e.identity", category="insured_identity"),
            Filter("insurance", "险种", kind="choice", sql="e.insurance", choices=INSURANCE_CHOICES),
            Filter("id_number", "身份证号", kind="exact", sql="p.id_number", normalise=True),
            Filter("name", "姓名", kind="contains", sql=ROSTER_NAME_MATCH),
        ),
        empty_text="没有符合条件的参保职工",
    )


def fee_grid(insurance: str) -> Grid:
    """SI-2 detail: one 结算期's contribution rows of one insurance (单位 and 个人 amounts, 到账 state)."""
    columns = [
        Column("name", "姓名", sql="p.name", sortable=True),
        Column("id_number", "身份证号", kind="id_number", sql="p.id_number"),
        Column("base", "缴费基数(元)", kind="money", sql="c.base"),
        Column("employer_part", "单位应缴(元)", kind="money", sql=f"c.{insurance}_employer"),
    ]
    if insurance in rules.PERSONAL_SHARE:
        columns.append(Column("personal_part", "个人应缴(元)", kind="money", sql=f"c.{insurance}_personal"))
    columns += [Column("paid_state", "到账状态", kind="badge", sql="c.paid_state", badges=PAID_BADGES),
                Column("paid_on", "到账日期", kind="date", sql="c.paid_on")]
    return Grid(
        name=f"si_fee_{insurance}", title=f"{rules.INSURANCE_LABELS[insurance]}应缴明细",
        # 欠缴 first, then as assessed: the index (employer, period, paid_state, id) pages without a sort.
        source="si_contribution c JOIN person p ON p.id = c.person", id_sql="c.id", default_sort="paid_state",
        columns=tuple(columns),
        filters=(Filter("paid_state", "到账状态", kind="choice", sql="c.paid_state",
                        choices=tuple(rules.PAID_LABELS.items())),
                 Filter("id_number", "身份证号", kind="exact", sql="p.id_number", normalise=True),
                 Filter("name", "姓名", kind="contains", sql=FEE_NAME_MATCH)),
        empty_text="该结算期没有此险种的应缴记录",
    )


FEE_GRIDS = {insurance: fee_grid(insurance) for insurance in rules.INSURANCES}
ROSTER_GRIDS: dict[int, Grid] = {}


def roster(current_period: int) -> Grid:
    grid = ROSTER_GRIDS.get(current_period)
    if grid is None:
        ROSTER_GRIDS.clear()  # one month at a time
        grid = ROSTER_GRIDS[current_period] = roster_grid(current_period)
    return grid


def enrolment_scope(principal: Principal) -> Scope:
    return Scope("e.employer = {}", principal.employer_id)


def fee_scope(principal: Principal, period: int, insurance: str) -> Scope:
    # Only rows where this insurance was assessed (a person insured for 养老 only has no 工伤 row).
    return Scope(f"c.employer = {{}} AND c.period = {{}} AND c.{insurance}_employer > 0", principal.employer_id, period)
