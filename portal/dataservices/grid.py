"""Declarative query grids: columns, filters and sorts → one scoped SQL query with keyset paging (X-3, X-9).

Paging is KEYSET on (sort expression, unique id): page N costs the same as page 1 as long as the domain
creates an index on (scope column, sort column, id) — e.g. `(employer_id, signed_on, id)` — or at least
on (sort column, id). Sortable columns must be NOT NULL (keyset comparisons skip NULLs).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple
from urllib.parse import urlencode

from markupsafe import Markup, escape
from piccolo.columns.combination import CombinableMixin
from piccolo.custom_types import Combinable
from piccolo.querystring import QueryString

from portal import validators
from portal.core import dictionary
from portal.dataservices.keyset import Cursor, PageRequest, keyset_page
from portal.db import current_engine, write_generation
from portal.filters import local_time, ymd
from portal.values import date_or_reason, period_label, yuan

# 共 N 条 is exact up to COUNT_CAP, then "10000 条以上" (as on the workbench): counting walks index entries, so an
# uncapped count of the biggest employer's 32,213 filings was a quarter of the page (issue #15). The count is kept
# COUNT_TTL_S per grid, scope and filter in this process; any write_transaction() in the process forgets them all
# (writes are rare next to page views), so another worker's write shows within COUNT_TTL_S.
COUNT_CAP = 10_000
COUNT_TTL_S = 30.0
_COUNT_CACHE_MAX = 4096
_counts: dict[tuple[str, str, tuple[str, ...]], tuple[float, int, int]] = {}
_clock = time.monotonic

KINDS = {"text", "id_number", "phone", "money", "int", "period", "date", "datetime", "badge", "link", "modal",
         "select"}
FILTER_KINDS = {"contains", "exact", "choice", "date_range", "bool"}


async def capped_count(name: str, rows: QueryString) -> int:
    """COUNT of the statement `rows` (the scope and filter already in its WHERE), exact up to COUNT_CAP, else
    COUNT_CAP + 1; kept COUNT_TTL_S per statement in this process (see COUNT_CAP). The grids' and the
    workbench's 共 N 条."""
    sql, args = rows.compile_string(engine_type="sqlite")  # the key only: same text for both engines
    key = (name, sql, tuple(repr(a) for a in args))
    now, generation = _clock(), write_generation()
    hit = _counts.get(key)
    if hit is not None and hit[0] > now and hit[1] == generation:
        return hit[2]
    qs = QueryString(f"SELECT COUNT(*) AS n FROM ({{}} LIMIT {COUNT_CAP + 1}) AS c", rows)
    n = int((await current_engine().run_querystring(qs))[0]["n"])
    if len(_counts) >= _COUNT_CACHE_MAX:
        _counts.clear()  # bounded memory; a cold cache costs one count per key
    _counts[key] = (now + COUNT_TTL_S, generation, n)
    return n


class GridScopeMissing(RuntimeError):
    """Raised when a grid is asked to run without a scope: a grid never lists rows of every tenant by accident."""


@dataclass(frozen=True)
class Column:
    """One column. `sql` is the expression selected (default: the key); `full=True` disables masking (X-9)
    for pages whose purpose needs the whole ID number or phone; `category` shows dictionary labels;
    `badges` maps raw values to (label, tone); `link(row) -> url` makes the cell a link; kind="modal": a link that
    htmx opens in the platform modal (#app-modal-root), a plain page without JavaScript (a confirmation step).
    kind="select": a checkbox named `key` whose value is the expression, tied by `form=` to a POST form elsewhere
    on the page (the grid's own form is the GET filter form), for acting on ticked rows (批量确认); never exported."""

    key: str
    label: str
    kind: str = "text"
    sortable: bool = False
    sql: str = ""
    full: bool = False
    category: str = ""
    badges: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    link: Callable[[dict], str] | None = None
    export: bool = True
    form: str = ""  # kind="select": the id of the form the checkbox belongs to

    def __post_init__(self) -> None:
        assert self.kind in KINDS, f"unknown column kind {self.kind}"
        if self.kind == "select":
            assert self.form, "a select column names its form"
            object.__setattr__(self, "export", False)

    @property
    def expr(self) -> str:
        return self.sql or self.key


@dataclass(frozen=True)
class Filter:
    """A filter read from the query string under `key` (date_range: `key_from`, `key_to`).

    kinds: contains (LIKE, escaped), exact, choice (dictionary `category` or static `choices`),
    date_range (inclusive, yyyy-mm-dd), bool ("1"/"0"). `normalise=True` applies validators.normalise
    (ID numbers typed with full-width digits or spaces). A contains or exact `sql` holding `{}` is the whole
    condition, the value (contains: the escaped pattern, LIKE written by the caller) in each place: e.g. an EXISTS
    through another table whose index answers the test."""

    key: str
    label: str
    kind: str = "contains"
    sql: str = ""
    category: str = ""
    choices: Sequence[tuple[str, str]] = ()
    normalise: bool = False
    placeholder: str = ""

    def __post_init__(self) -> None:
        assert self.kind in FILTER_KINDS, f"unknown filter kind {self.kind}"

    @property
    def expr(self) -> str:
        return self.sql or self.key

    def bound(self, test: str, value: Any) -> QueryString:
        """The declared condition with the value in every `{}`, or the expression followed by `test`."""
        sql = self.expr if "{}" in self.expr else self.expr + test
        return QueryString(sql, *[value] * sql.count("{}"))


@dataclass(frozen=True)
class Scope:
    """The tenant restriction, part of the SQL: `Scope("employer_id = {}", principal.employer_id)`,
    or `Scope.where(Contract.employer_id == principal.employer_id)` for a Piccolo where-clause."""

    sql: str
    args: tuple = ()

    def __init__(self, sql: str, *args: Any) -> None:
        object.__setattr__(self, "sql", sql)
        object.__setattr__(self, "args", args)

    @classmethod
    def where(cls, clause: Combinable) -> Scope:
        return cls("{}", clause.querystring)

    def querystring(self) -> QueryString:
        return QueryString(self.sql, *self.args)


class Cell(NamedTuple):
    """A formatted cell. A tuple, so grid.html unpacks it (`for text, kind, href, tone in row`): ~1/3 less
    template time per page than attribute lookups on 240 cells."""

    text: str
    kind: str = "text"
    href: str = ""
    tone: str = ""


@dataclass
class GridPage:
    """What the grid.html macros render: cells already masked and formatted (templates only escape)."""

    grid: Grid
    path: str
    values: dict[str, str]
    errors: dict[str, str]
    sort: str
    desc: bool
    rows: list[dict]
    cells: list[list[Cell]]
    total: int
    number: int
    has_prev: bool
    has_next: bool
    prev_url: str
    next_url: str
    choices: dict[str, list[tuple[str, str]]]

    @property
    def body_html(self) -> Markup:
        """The table's <tbody> rows, built here rather than by a Jinja loop (issue #15: the per-cell macro work,
        tests and autoescape calls were a fifth of a list page). Every text, href, kind and tone is escaped."""
        return rows_html(self.cells)

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def total_text(self) -> str:
        return f"{COUNT_CAP} 条以上" if self.total_capped else f"{self.total} 条"

    @property
    def dom_id(self) -> str:
        return f"grid-{self.grid.name}"

    def url(self, **extra: Any) -> str:
        params = {k: v for k, v in self.values.items() if v}
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        return self.path + ("?" + urlencode(params) if params else "")

    def sort_url(self, key: str) -> str:
        target = f"-{key}" if key == self.sort and not self.desc else key
        return self.url(sort=target)

    def sort_state(self, key: str) -> str:
        """aria-sort value of a header."""
        if key != self.sort:
            return "none"
        return "descending" if self.desc else "ascending"

    @property
    def export_url(self) -> str:
        return self.url(sort=("-" if self.desc else "") + self.sort, export="xlsx")

    @property
    def reset_url(self) -> str:
        return self.path


@dataclass
class Query:
    """A parsed request: filter values, errors, sort and cursor — shared by the page and the export."""

    values: dict[str, str]
    errors: dict[str, str]
    where: list[QueryString]
    sort: Column
    desc: bool
    paging: PageRequest = PageRequest()


@dataclass
class Grid:
    """A list page declared once: `source` is the FROM clause (a table, or joins with aliases), `id_sql` the
    unique tiebreaker, `default_sort` a sortable column key (prefix "-" for descending)."""

    name: str
    source: str
    columns: Sequence[Column]
    filters: Sequence[Filter] = ()
    default_sort: str = ""
    id_sql: str = "id"
    page_size: int = 20
    title: str = ""
    empty_text: str = "没有符合条件的记录"
    exportable: bool = True  # False: no 导出Excel link (e.g. a public page, where the handler refuses ?export)

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        assert len(set(keys)) == len(keys), "duplicate column keys"
        sort_key = self.default_sort.lstrip("-") or keys[0]
        assert self.column(sort_key) is not None, f"default_sort {sort_key} is not a column"

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    # -- parsing -----------------------------------------------------------------------------------------

    async def parse(self, params: Mapping[str, str]) -> Query:
        """Read filters, sort and cursor from the query string; bad values get a Chinese message, not a 500."""
        values: dict[str, str] = {}
        errors: dict[str, str] = {}
        where: list[QueryString] = []
        for f in self.filters:
            if f.kind == "date_range":
                bounds = []
                for suffix, op in (("_from", ">="), ("_to", "<=")):
                    raw = (params.get(f.key + suffix) or "").strip()
                    values[f.key + suffix] = raw
                    if not raw:
                        continue
                    day, reason = date_or_reason(raw, f.label)
                    if reason is not None:
                        errors[f.key + suffix] = reason
                        continue
                    bounds.append((op, day))
                if len(bounds) == 2 and bounds[0][1] > bounds[1][1]:
                    errors[f.key + "_to"] = "结束日期不能早于开始日期"
                    continue
                for op, day in bounds:
                    where.append(QueryString(f"{f.expr} {op} {{}}", day))
                continue
            raw = (params.get(f.key) or "").strip()
            values[f.key] = raw
            if not raw:
                continue
            value = validators.normalise(raw) if f.normalise else raw
            if len(value) > 100:
                errors[f.key] = f"{f.label}不能超过100个字"
            elif f.kind == "contains":
                escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                where.append(f.bound(" LIKE {} ESCAPE '\\'", f"%{escaped}%"))
            elif f.kind == "exact":
                where.append(f.bound(" = {}", value))
            elif f.kind == "choice":
                allowed = {code for code, _ in await self._choices(f)}
                if value not in allowed:
                    errors[f.key] = f"请从列表中选择{f.label}"
                else:
                    where.append(QueryString(f"{f.expr} = {{}}", value))
            elif f.kind == "bool":
                if value not in {"1", "0"}:
                    errors[f.key] = f"{f.label}的取值不正确"
                else:
                    where.append(QueryString(f"{f.expr} = {{}}", value == "1"))
        sort_raw = (params.get("sort") or self.default_sort or self.columns[0].key).strip()
        desc = sort_raw.startswith("-")
        sort = self.column(sort_raw.lstrip("-"))
        if sort is None or not (sort.sortable or sort.key == self.default_sort.lstrip("-")):
            sort = self.column(self.default_sort.lstrip("-") or self.columns[0].key)
            desc = self.default_sort.startswith("-")
        values["sort"] = ("-" if desc else "") + sort.key
        return Query(values=values, errors=errors, where=where, sort=sort, desc=desc,
                     paging=PageRequest.read(params, sort.kind))

    async def _choices(self, f: Filter) -> list[tuple[str, str]]:
        return list(f.choices) if f.choices else await dictionary.choices(f.category)

    # -- SQL ---------------------------------------------------------------------------------------------

    def _where(self, scope: Scope | Combinable | QueryString | None, query: Query) -> QueryString:
        if scope is None:
            raise GridScopeMissing(f"grid {self.name} needs a scope built from the principal")
        if isinstance(scope, CombinableMixin):
            scope = Scope.where(scope)
        scope_qs = scope.querystring() if isinstance(scope, Scope) else scope
        parts = [scope_qs, *query.where]
        return QueryString(" AND ".join(["({})"] * len(parts)), *parts)

    def _select_list(self) -> str:
        cols = [f'{c.expr} AS "{c.key}"' for c in self.columns]
        return ", ".join([*cols, f'{self.id_sql} AS "_id"'])

    async def walk(self, scope: Any, query: Query, cursor: Cursor | None, forward: bool, limit: int) -> list[dict]:
        """Up to `limit` rows after (forward) or before a cursor in the grid's order, nearest first."""
        conditions = [self._where(scope, query)]
        ascending = not query.desc
        if cursor is not None:
            op = ">" if ascending == forward else "<"
            # A row-value comparison: SQLite (≥ 3.15) and PostgreSQL both walk an index on (sort, id) from it.
            conditions.append(QueryString(f"({query.sort.expr}, {self.id_sql}) {op} ({{}}, {{}})",
                                          cursor.value, cursor.id))
        direction = "ASC" if ascending == forward else "DESC"
        sql = (
            f"SELECT {self._select_list()} FROM {self.source} WHERE "
            + " AND ".join(["{}"] * len(conditions))
            + f" ORDER BY {query.sort.expr} {direction}, {self.id_sql} {direction} LIMIT {int(limit)}"
        )
        return await current_engine().run_querystring(QueryString(sql, *conditions))

    def cursor(self, row: dict, query: Query) -> Cursor:
        value = row.get(query.sort.key)
        if query.sort.kind == "date" and value is not None:
            value = _as_date(value)
        elif query.sort.kind == "datetime" and value is not None:
            value = _as_datetime(value)
        return Cursor(value, int(row["_id"]))

    async def count(self, scope: Any, query: Query) -> int:
        """The exact number of matches (exports need it: the job's size and the audit row)."""
        qs = QueryString(f"SELECT COUNT(*) AS n FROM {self.source} WHERE {{}}", self._where(scope, query))
        rows = await current_engine().run_querystring(qs)
        return int(rows[0]["n"])

    async def shown_count(self, scope: Any, query: Query) -> int:
        """The page's 共 N 条: exact up to COUNT_CAP, else COUNT_CAP + 1; cached briefly per scope and filter."""
        return await capped_count(self.name, QueryString(f"SELECT 1 FROM {self.source} WHERE {{}}",
                                                         self._where(scope, query)))

    # -- pages -------------------------------------------------------------------------------------------

    async def page(self, params: Mapping[str, str], scope: Any, *, path: str) -> GridPage:
        """One page of the filtered, scoped result; `path` is the page's URL path (links keep the filters)."""
        query = await self.parse(params)
        keyset = await keyset_page(
            lambda cursor, forward, limit: self.walk(scope, query, cursor, forward, limit),
            query.paging, self.page_size, lambda row: self.cursor(row, query),
        )
        rows = keyset.rows
        total = await self.shown_count(scope, query)
        labels = {c.key: await dictionary.labels(c.category) for c in self.columns if c.category}
        choices = {f.key: await self._choices(f) for f in self.filters if f.kind == "choice"}
        page = GridPage(
            grid=self, path=path, values=query.values, errors=query.errors, sort=query.sort.key, desc=query.desc,
            rows=rows, cells=[self.cells(r, labels) for r in rows], total=total, number=keyset.number,
            has_prev=keyset.has_prev, has_next=keyset.has_next, prev_url="", next_url="", choices=choices,
        )
        if keyset.prev:
            page.prev_url = page.url(**keyset.prev_params())
        if keyset.next:
            page.next_url = page.url(**keyset.next_params())
        return page

    def cells(self, row: dict, labels: Mapping[str, Mapping[str, str]]) -> list[Cell]:
        return [display(c, row, labels.get(c.key)) for c in self.columns]


# -- grids and scopes that cross to a worker (an export job: portal.dataservices.export) --------------------

@dataclass(frozen=True)
class GridSource:
    """A grid built per request (its SQL or choices depend on the date or the dictionary): `build()` gives it
    (sync or async); declared in `Area.grids` under the name the built grid carries."""

    name: str
    build: Callable[[], Any]


_GRIDS: dict[str, Grid | GridSource] = {}


def register_grid(grid: Grid | GridSource) -> None:
    """Areas declare the grids they export (`Area.grids`): a worker finds the grid of an export job by name."""
    _GRIDS[grid.name] = grid


def is_registered(name: str) -> bool:
    return name in _GRIDS


async def registered_grid(name: str) -> Grid | None:
    found = _GRIDS.get(name)
    if isinstance(found, GridSource):
        built = found.build()
        return await built if inspect.isawaitable(built) else built
    return found


def scope_to_json(scope: Scope | Combinable | QueryString) -> Any:
    """The scope as JSON: the SQL template and its values, nested as built (a worker rebuilds the same query;
    the values stay bound parameters, never text in the SQL)."""
    if isinstance(scope, CombinableMixin):
        scope = scope.querystring
    elif isinstance(scope, Scope):
        scope = scope.querystring()

    def value(arg: Any) -> Any:
        if isinstance(arg, QueryString):
            return {"sql": arg.template, "args": [value(a) for a in arg.args]}
        if isinstance(arg, datetime):
            return {"datetime": arg.isoformat()}
        if isinstance(arg, date):
            return {"date": arg.isoformat()}
        if isinstance(arg, (list, tuple)):
            return {"list": [value(a) for a in arg]}
        if arg is None or isinstance(arg, (str, int, float, bool)):
            return arg
        raise TypeError(f"scope value of type {type(arg).__name__} cannot cross to a worker")

    return value(scope)


def scope_from_json(data: Any) -> QueryString:
    def value(arg: Any) -> Any:
        if isinstance(arg, dict):
            if "sql" in arg:
                return QueryString(arg["sql"], *[value(a) for a in arg["args"]])
            if "datetime" in arg:
                return datetime.fromisoformat(arg["datetime"])
            if "date" in arg:
                return date.fromisoformat(arg["date"])
            return [value(a) for a in arg["list"]]
        return arg

    return value(data)


async def audit_full_view(request: Any, grid: Grid, rows: int, *, action: str = "grid.full_view") -> None:
    """SECURITY 12: a page or export that shows whole ID numbers or phones (`full=True` columns) is audited."""
    full = [c.label for c in grid.columns if c.full and c.kind in {"id_number", "phone"}]
    if not full or rows == 0:
        return
    from portal import audit
    from portal.web import client_ip

    filters = {k: v for k, v in request.query_params.items() if v and k not in {"after", "before", "p"}}
    await audit.record(category="privacy", action=action, actor=request.scope.get("user"), ip=client_ip(request),
                       object_type="grid", object_id=grid.name,
                       detail={"columns": full, "rows": rows, "filters": filters})


def rows_html(cells: Sequence[Sequence[Cell]]) -> Markup:
    """<tr><td>… for grid.html; the same markup its loop wrote, each value through markupsafe's escape."""
    out: list[str] = []
    add = out.append
    for n, row in enumerate(cells, 1):
        add("<tr>")
        for text, kind, href, tone in row:
            add(f'<td class="app-grid__cell--{escape(kind)}">')
            if kind == "select":  # href: the form's id, tone: the input's name (display() below); none when NULL
                if text:
                    add(f'<input type="checkbox" class="app-grid__pick" name="{escape(tone)}" value="{escape(text)}"'
                        f' form="{escape(href)}" aria-label="选择第{n}行">')
            elif kind == "badge":
                add(f'<span class="app-badge app-badge--{escape(tone)}">{escape(text)}</span>')
            elif href and kind == "modal":
                add(f'<a href="{escape(href)}" hx-get="{escape(href)}" hx-target="#app-modal-root" hx-swap="innerHTML"'
                    f' data-modal-open>{escape(text)}</a>')
            elif href:
                add(f'<a href="{escape(href)}">{escape(text)}</a>')
            else:
                add(escape(text))
            add("</td>")
        add("</tr>\n")
    return Markup("".join(out))  # noqa: S704 -- every piece above went through escape()


def display(column: Column, row: dict, labels: Mapping[str, str] | None = None) -> Cell:
    """The value as shown on screen and in exports: masked (X-9), labelled, formatted."""
    value = row.get(column.key)
    kind = column.kind
    if value is None:
        return Cell("", kind)
    if kind == "id_number":
        text = str(value) if column.full else validators.mask_id_number(str(value))
    elif kind == "phone":
        text = str(value) if column.full else validators.mask_phone(str(value))
    elif kind == "money":
        text = yuan(int(value))
    elif kind == "period":
        text = period_label(value)
    elif kind == "date":
        text = ymd(_as_date(value))
    elif kind == "datetime":
        text = local_time(_as_datetime(value))
    elif kind == "badge":
        label, tone = column.badges.get(str(value), (str(value), "neutral"))
        return Cell(label, kind, tone=tone)
    elif kind == "select":
        return Cell(str(value), kind, href=column.form, tone=column.key)
    else:
        text = str(value)
    if labels is not None:
        text = labels.get(text, text)
    href = column.link(row) if column.link else ""
    return Cell(text, kind, href=href)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _as_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
