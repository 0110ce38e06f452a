"""快报确认 (WI-2) and the reviewers' queue: declared grids; the scope is always part of the SQL."""

from __future__ import annotations

from datetime import date

from domains.work_injury import matters, rules
from portal.dataservices.grid import Cell, Column, Filter, Grid, GridPage

STATE_BADGES = {s.code: (s.label, s.tone) for s in matters.QUICK_REPORT.states}
STATE_CHOICES = tuple((s.code, s.label) for s in matters.QUICK_REPORT.states if s.code != "voided")
EDITABLE_SQL = "m.state IN ('draft', 'rejected')"
CONFIRM_FORM = "wi-confirm-form"

_REPORT_FILTERS = (
    Filter("occurred_on", "事故发生日期", kind="date_range", sql="a.occurred_on"),
    Filter("person", "工伤人员姓名", kind="contains", sql="a.persons_label"),
    Filter("state", "状态", kind="choice", sql="m.state", choices=STATE_CHOICES),
)


def _detail(row: dict) -> str:
    return f"/work-injury/reports/{int(row['_id'])}"


REPORTS = Grid(
    name="wi_reports", title="工伤快报", id_sql="a.id", default_sort="-occurred_on",
    source="wi_accident a JOIN matter m ON m.id = a.matter_id",
    columns=(
        Column("pick", "选择", kind="select", sql=f"CASE WHEN {EDITABLE_SQL} THEN a.id END", form=CONFIRM_FORM),
        Column("occurred_on", "事故发生日期", kind="date", sql="a.occurred_on", sortable=True, link=_detail),
        Column("persons", "工伤人员", sql="a.persons_label"),
        Column("state", "状态", kind="badge", sql="m.state", badges=STATE_BADGES),
        Column("days_left", "剩余天数", kind="badge", sql="m.state", export=False),
        Column("deadline_on", "认定申请期限", kind="date", sql="a.deadline_on", sortable=True),
        Column("applied_on", "工伤认定申请日期", kind="date", sql="a.applied_on"),
        Column("opinion", "审核意见", sql="a.review_opinion"),
        Column("category", "事故类别", sql="a.category", category="wi_accident_category"),
        Column("place", "事故发生地点", sql="a.place"),
        Column("edit", "修改", kind="link", sql=f"CASE WHEN {EDITABLE_SQL} THEN '修改' ELSE '' END", export=False,
               link=lambda row: f"{_detail(row)}/edit" if row.get("edit") else ""),
        Column("delete", "删除", kind="link", sql=f"CASE WHEN {EDITABLE_SQL} THEN '删除' ELSE '' END", export=False,
               link=lambda row: f"{_detail(row)}/delete" if row.get("delete") else ""),
        # 撤回 until the reviewer decides: a confirmation in the modal (htmx), its own page without JavaScript
        Column("recall", "撤回", kind="modal", sql="CASE WHEN m.state = 'submitted' THEN '撤回' ELSE '' END",
               export=False, link=lambda row: f"{_detail(row)}/recall" if row.get("recall") else ""),
    ),
    filters=_REPORT_FILTERS,
    empty_text="没有符合条件的工伤快报",
)

QUEUE = Grid(
    # Keyed by the 办件 (one per report), whose id opens the workbench's review page.
    name="wi_queue", title="工伤快报审核", id_sql="m.id", default_sort="deadline_on",
    source="wi_accident a JOIN matter m ON m.id = a.matter_id JOIN employer ON employer.id = a.employer",
    columns=(
        Column("number", "办件编号", sql="m.number", link=lambda row: f"/workbench/matters/{int(row['_id'])}"),
        Column("employer", "用人单位", sql="employer.name"),
        Column("occurred_on", "事故发生日期", kind="date", sql="a.occurred_on", sortable=True),
        Column("persons", "工伤人员", sql="a.persons_label"),
        Column("days_left", "剩余天数", kind="badge", sql="m.state", export=False),
        Column("deadline_on", "认定申请期限", kind="date", sql="a.deadline_on", sortable=True),
        Column("applied_on", "工伤认定申请日期", kind="date", sql="a.applied_on"),
        Column("category", "事故类别", sql="a.category", category="wi_accident_category"),
        Column("state", "状态", kind="badge", sql="m.state", badges=STATE_BADGES),
    ),
    filters=(*_REPORT_FILTERS[:2], Filter("employer", "用人单位", kind="contains", sql="employer.name")),
    empty_text="没有待处理的工伤快报",
)


def flag_deadlines(page: GridPage, today: date) -> GridPage:
    """Fill 剩余天数 (calendar days to the 工伤认定 limit) on confirmed reports, with the flag's tone; a report
    whose application is recorded says 已申请工伤认定 instead."""
    index = [c.key for c in page.grid.columns].index("days_left")
    for row, cells in zip(page.rows, page.cells, strict=True):
        if row["state"] not in ("submitted", "approved"):
            cells[index] = Cell("", "text")
            continue
        if row.get("applied_on"):
            cells[index] = Cell(rules.APPLIED, "badge", tone="success")
            continue
        day = row["deadline_on"]
        day = date.fromisoformat(str(day)[:10]) if not isinstance(day, date) else day
        left = rules.days_left(day, today)
        flag = rules.deadline_flag(left)
        cells[index] = Cell(rules.deadline_text(left), "badge", tone=rules.FLAG_TONES[flag])
    return page
