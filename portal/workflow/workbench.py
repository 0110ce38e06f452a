"""Staff workbench (X-2): the queue of matters by kind and stage in the jurisdiction; pages in workbench_controllers.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.querystring import QueryString

from portal.dataservices.grid import capped_count
from portal.dataservices.keyset import Cursor, KeysetPage, PageRequest, keyset_page
from portal.db import current_engine, fetch, is_sqlite
from portal.filters import local_time
from portal.workflow import transitions
from portal.workflow.kinds import all_kinds
from portal.workflow.scope import scope_where
from portal.workflow.tables import Matter
from portal.workflow.views import (
    flag_where,
    flagger,
    kind_or_none,
)

PAGE_SIZE = 50
FILTER_KEYS = ("kind", "state", "flag", "q")
# The SQLite trigram index (migration 2026-11-24T01:00): matter ids whose 申请人 has every trigram of a needle.
FTS_TABLE = "matter_name_fts"
# A needle with more FTS candidates than this (all states, all divisions) is common: testing LIKE on the entries
# of the covering queue index (~18 ms for the province's 70,000 waiting matters) beats looking up every candidate
# row (~2 us each). Measured on the 1M-person set; see bench/grids.py.
FTS_DRIVE_LIMIT = 5000
# 共 N 条 is exact up to here, then "10000 条以上". Counting walks index entries, ~0.12 us each on SQLite: the
# province's 70,324 waiting matters took 9 ms CPU, more than the rest of the page (the 1M 已办结 ones ~110 ms);
# a district's queue stays exact. Raise it if the exact province figure is worth that on every page view.
COUNT_CAP = 10_000
# A name search first collects the keys of all its matches when there are at most this many (see
# _matching_keys); more matches are dense enough for the ordered walk to fill a page early.
KEYS_LIMIT = 1000
EXPORT_BATCH = 2_000  # rows an export reads per keyset step

# What a row shows, its cursor and the kinds' queue_flags read — nothing more: on SQLite every value is converted
# in the connection's thread, which then needs the GIL (issue #15).
_COLUMNS = (
    Matter.id, Matter.number, Matter.kind, Matter.state, Matter.version, Matter.applicant_name,
    Matter.submitted_at, Matter.promised_deadline,
)
_SELECT_LIST = ", ".join(f'"matter"."{c._meta.db_column_name}"' for c in _COLUMNS)
_FLAG_CLASS = {"overdue": "app-flag--overdue", "due_soon": "app-flag--soon"}
_FLAG_TONE = {"overdue": "danger", "due_soon": "warning"}


# -- the name search -------------------------------------------------------------------------------------------


def like_pattern(text: str) -> str:
    """'%text%' for LIKE/ILIKE with backslash as the escape: a typed %, _ or \\ matches only itself."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def trigram_query(text: str) -> str | None:
    """An FTS5 query for the rows holding every distinct trigram of `text`; None under three characters.

    Each trigram is a quoted FTS5 string (quotes doubled), so no user input is read as query syntax. The
    table has no positions (detail=none), so this finds a superset: the caller keeps the LIKE test as well.
    """
    grams = dict.fromkeys(text[i:i + 3] for i in range(len(text) - 2))
    if not grams:
        return None
    return " AND ".join('"' + g.replace('"', '""') + '"' for g in grams)


@dataclass(frozen=True)
class QueueQuery:
    """FROM and WHERE of a queue query. `source` is plain `matter`, or, for a needle the trigram index narrows
    well, its candidates CROSS JOIN matter: SQLite's planner would otherwise prefer scanning the covering index
    (it cannot tell how few candidates an FTS5 MATCH yields) and CROSS JOIN fixes the order of the loops."""

    where: Any
    source: QueryString | None = None

    def sql(self, select: str, tail: str = "", *, ordered: bool = False) -> QueryString:
        source = self.source or QueryString(ORDERED_SQLITE if ordered and is_sqlite(current_engine()) else '"matter"')
        return QueryString(f"SELECT {select} FROM {{}} WHERE {{}} {tail}", source, self.where.querystring)


# The walk in queue order always reads the covering queue index on SQLite. sqlite_stat1 holds averages, not skew:
# it says a state has 1/Nth of all matters, so once statistics exist (ANALYZE after a load, PRAGMA optimize) the
# planner prefers matter_queue_idx (state, kind, division_code), which matches more terms, and sorts every
# waiting matter for 51 rows (70,324 on the 1M set: ~100 ms a page, issue #15). The hint is SQLite-only;
# PostgreSQL's statistics keep the most common values and plan this statement on the queue index by itself.
ORDERED_SQLITE = '"matter" INDEXED BY "matter_queue_cover_idx"'


def _has_case(text: str) -> bool:
    return text.lower() != text or text.upper() != text


async def name_search(q: str) -> tuple[Any, QueryString | None]:
    """(WHERE, FROM) for 办件编号 equal to `q` or 申请人 containing `q` literally, through the trigram index
    where it pays.

    The rows are exactly those of the plain LIKE/ILIKE test on both engines: the index only narrows the
    candidates, the substring test is always part of the WHERE clause. Every column the test reads is in the
    covering queue index, so a scan never reads a row it rejects.
    """
    sqlite = is_sqlite(current_engine())
    # The number is looked up once through its unique index: testing `number = ?` per row would read every
    # row, the covering queue index does not hold it. Numbers are ASCII; a CJK needle is never one.
    number = await fetch('SELECT "id" FROM "matter" WHERE "number" = {}', q) if q.isascii() else []
    if sqlite:
        # SQLite's LIKE already ignores ASCII case and has no default escape character.
        match = WhereRaw('"matter"."applicant_name" LIKE {} ESCAPE \'\\\'', like_pattern(q))
    else:
        # ILIKE lower-cases every name it tests (~1 us a row: 70 ms over the province's waiting queue). A needle
        # without cased letters (CJK, digits, punctuation) matches exactly the same rows with LIKE, ~5x faster.
        # No ESCAPE clause: the backslash is PostgreSQL's default, and a bare pattern keeps pg_trgm's GIN
        # index usable (from three characters; the planner weighs it against the queue index).
        operator = "ILIKE" if _has_case(q) else "LIKE"
        match = WhereRaw(f'"matter"."applicant_name" {operator} {{}}', like_pattern(q))
    if number:
        match = match | (Matter.id == number[0]["id"])
    fts = trigram_query(q) if sqlite else None
    if fts is None:
        return match, None
    probe = await fetch(
        f"SELECT COUNT(*) AS n FROM (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH {{}} "
        f"LIMIT {FTS_DRIVE_LIMIT + 1}) AS c", fts,
    )
    if probe[0]["n"] > FTS_DRIVE_LIMIT:
        return match, None
    candidates = f"SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH {{}}"
    if number:
        # UNION, not UNION ALL: a matter found both ways must join once.
        candidates += f" UNION SELECT {int(number[0]['id'])}"
    source = QueryString(f'({candidates}) AS hit CROSS JOIN "matter" ON "matter"."id" = hit.id', fts)
    return match, source


# -- the queue: WHERE clause, keyset walk, count -------------------------------------------------------------


def waiting_states() -> list[str]:
    """States where some staff transition starts: the default 待我办理 queue."""
    return sorted({s for k in all_kinds() for t in k.transitions if t.actor == "staff" for s in t.from_states})


async def queue_query(principal, filters: dict[str, str]) -> QueueQuery | None:
    """The whole filter in one query, scope first; None when the principal can see nothing."""
    kinds = [filters["kind"]] if filters["kind"] else None
    states = [filters["state"]] if filters["state"] else (waiting_states() or ["-"])
    where = scope_where(principal, kinds=kinds, states=states)
    if where is None:
        return None
    where = where & Matter.state.is_in(states)
    source = None
    if filters["q"]:
        match, source = await name_search(filters["q"])
        where = where & match
    if filters["flag"]:
        # The flag is a date condition computed once from the calendar, so the database filters and pages.
        flagged = await flag_where(filters["flag"], states)
        if flagged is None:
            return None
        where = where & flagged
    return QueueQuery(where, source)


def row_cursor(row: dict[str, Any]) -> Cursor:
    """A row's place in the queue order: (promised_deadline or None, id)."""
    value = row["promised_deadline"]
    if value is not None and not isinstance(value, date):
        value = date.fromisoformat(str(value)[:10])
    return Cursor(value, int(row["id"]))


_IS_NULL = WhereRaw('"matter"."promised_deadline" IS NULL')
_NOT_NULL = WhereRaw('"matter"."promised_deadline" IS NOT NULL')


def walk_statement(query: QueueQuery, *, forward: bool, limit: int, select: str = '"matter"."id"') -> QueryString:
    """Up to `limit` matches in queue order, their ids or the `select` list (the bench and a test check how it is
    planned). On PostgreSQL matter_deadline_cover_idx holds every shown column, so the page's rows themselves come
    from one index-only walk (the ids and then 51 primary-key lookups were most of its database time, issue #15)."""
    direction = "ASC" if forward else "DESC"
    return query.sql(select, f'ORDER BY "matter"."promised_deadline" {direction}, "matter"."id" '
                             f'{direction} LIMIT {int(limit)}', ordered=True)


async def _select(query: QueueQuery, *, forward: bool, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` rows in queue order (reversed when walking back).

    The ids come from a sub-select that reads only the covering queue index (or the trigram candidates); the
    outer query then reads just those rows, so entries the filter skips never cost a row read.
    """
    if not is_sqlite(current_engine()):
        rows = await current_engine().run_querystring(walk_statement(query, forward=forward, limit=limit,
                                                                     select=_SELECT_LIST))
        return [dict(row) for row in rows]  # asyncpg records; the page decorates each row in place
    ids = walk_statement(query, forward=forward, limit=limit)
    return await Matter.select(*_COLUMNS).where(WhereRaw('"matter"."id" IN ({})', ids)).order_by(
        Matter.promised_deadline, Matter.id, ascending=forward)


async def _walk(query: QueueQuery, cursor: Cursor | None, *, forward: bool, limit: int) -> list[dict[str, Any]]:
    """Rows after (forward) or before a cursor, nearest first.

    Dated rows are one block, undated ones (clock not started) another; SQLite sorts NULL first, PostgreSQL
    last. Inside a block the condition is a plain range the index walks from the cursor (a row-value
    comparison on dated rows), and the next block is read only when this one runs out.
    """
    if cursor is None:
        return await _select(query, forward=forward, limit=limit)
    op = ">" if forward else "<"
    blocks = ["null", "dated"] if is_sqlite(current_engine()) else ["dated", "null"]
    if not forward:
        blocks.reverse()
    here = "null" if cursor.value is None else "dated"
    rows: list[dict[str, Any]] = []
    for block in blocks[blocks.index(here):]:
        if block != here:
            condition = _IS_NULL if block == "null" else _NOT_NULL
        elif block == "null":
            condition = _IS_NULL & WhereRaw(f'"matter"."id" {op} {{}}', cursor.id)
        else:
            condition = WhereRaw(
                f'("matter"."promised_deadline", "matter"."id") {op} ({{}}, {{}})', cursor.value, cursor.id)
        block_query = QueueQuery(query.where & condition, query.source)
        rows += await _select(block_query, forward=forward, limit=limit - len(rows))
        if len(rows) >= limit:
            break
    return rows


async def queue_count(query: QueueQuery) -> int:
    """The number of matching matters, counted up to COUNT_CAP + 1 (the caller shows "N 条以上" beyond), and
    kept briefly per scope and filter as the grids' counts are (a province reviewer's count walks 10,001
    index entries)."""
    return await capped_count("workbench", query.sql("1", ""))


@dataclass
class QueuePage:
    keyset: KeysetPage
    total: int

    @property
    def rows(self) -> list[dict[str, Any]]:
        return self.keyset.rows

    @property
    def number(self) -> int:
        return self.keyset.number

    @property
    def prev(self) -> Cursor | None:
        return self.keyset.prev

    @property
    def next(self) -> Cursor | None:
        return self.keyset.next

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_CAP


async def _matching_keys(query: QueueQuery, limit: int) -> list[Cursor] | None:
    """Every match's (promised_deadline, id), read in one pass over index entries; None beyond `limit`.

    For a name search: a needle few names hold would otherwise cost two full passes over the queue's entries,
    one walking for the page (it never collects 51 rows) and one counting. Here one pass yields both.
    """
    rows = await fetch("SELECT * FROM ({}) AS k", query.sql(
        '"matter"."promised_deadline" AS promised_deadline, "matter"."id" AS id', f"LIMIT {int(limit) + 1}"))
    return None if len(rows) > limit else [row_cursor(r) for r in rows]


def _pick(keys: list[Cursor], cursor: Cursor | None, *, forward: bool, limit: int) -> list[int]:
    """The ids the SQL walk would return, from keys in hand: queue order, NULL dates where the engine puts them."""
    nulls_first = is_sqlite(current_engine())

    def order(key: Cursor) -> tuple:
        dated = key.value is not None
        return (dated if nulls_first else not dated, key.value or date.min, key.id)

    ordered = sorted(keys, key=order, reverse=not forward)
    if cursor is not None:
        mark = order(cursor)
        ordered = [k for k in ordered if (order(k) > mark if forward else order(k) < mark)]
    return [k.id for k in ordered[:limit]]


async def queue_page(principal, filters: dict[str, str], paging: PageRequest = PageRequest()) -> QueuePage:
    """One page of the queue (keyset: page 200 costs what page 1 costs) with the total (exact to COUNT_CAP)."""
    query = await queue_query(principal, filters)
    if query is None:
        return QueuePage(KeysetPage([], 1, False, False, None, None), 0)
    keys = None
    if filters["q"]:
        # Trigram candidates are few by construction (all of them fit); a LIKE scan may find anything.
        keys = await _matching_keys(query, FTS_DRIVE_LIMIT + 1 if query.source is not None else KEYS_LIMIT)

    async def walk(cursor: Cursor | None, forward: bool, limit: int) -> list[dict[str, Any]]:
        if keys is None:
            return await _walk(query, cursor, forward=forward, limit=limit)
        ids = _pick(keys, cursor, forward=forward, limit=limit)
        if not ids:
            return []
        return await Matter.select(*_COLUMNS).where(Matter.id.is_in(ids)).order_by(
            Matter.promised_deadline, Matter.id, ascending=forward)

    page = await keyset_page(walk, paging, PAGE_SIZE, row_cursor)
    await _decorate(principal, page.rows)
    if keys is not None:
        total = len(keys)
    elif not page.has_prev and not page.has_next:
        total = len(page.rows)  # the whole result is on this page: nothing left to count
    else:
        total = await queue_count(query)
    return QueuePage(page, total)


async def queue_rows(principal, filters: dict[str, str]) -> tuple[list[dict[str, Any]], bool]:
    """The rows of the first page in queue order and whether more follow."""
    page = await queue_page(principal, filters)
    return page.rows, page.next is not None


async def export_rows(principal, filters: dict[str, str], limit: int) -> list[dict[str, Any]]:
    """X-3: the whole filtered queue in queue order (at most `limit` rows), decorated as the page shows it."""
    query = await queue_query(principal, filters)
    rows: list[dict[str, Any]] = []
    cursor = None
    while query is not None and len(rows) < limit:
        want = min(EXPORT_BATCH, limit - len(rows))
        batch = await _walk(query, cursor, forward=True, limit=want)
        rows += batch
        if len(batch) < want:
            break
        cursor = row_cursor(batch[-1])
    await _decorate(principal, rows)
    for row in rows:
        row["flag_label"] = row["flag"][1] if row["flag_class"] else ""
        row["kind_flag_label"] = row["kind_flag"]
    return rows


async def _kind_flags(rows: list[dict[str, Any]]) -> dict[int, tuple[str, str]]:
    """The kinds' own marks (MatterKind.queue_flags), one call per kind present on the page."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)
    marks: dict[int, tuple[str, str]] = {}
    for code, kind_rows in by_kind.items():
        kind = kind_or_none(code)
        if kind is not None and kind.queue_flags is not None:
            marks.update(await kind.queue_flags(kind_rows))
    return marks


async def _decorate(principal, rows: list[dict[str, Any]]) -> None:
    """What a row shows, computed once here so the template only prints (no macro or filter per cell). What
    depends only on the kind and the state (names, tone, whether the principal may batch it) is worked out
    once per pair on the page, not per row."""
    flag = await flagger()
    marks = await _kind_flags(rows)
    by_state: dict[tuple[str, str], tuple[str, str, str, bool]] = {}
    lapsing: dict[tuple[str, str], Any] = {}  # pairs whose state may read final once a time limit lapsed (已生效)
    for row in rows:
        pair = (row["kind"], row["state"])
        shown = by_state.get(pair)
        if shown is None:
            kind = kind_or_none(row["kind"])
            state = kind.state(row["state"]) if kind else None
            shown = by_state[pair] = (
                kind.name if kind else row["kind"],
                *((state.label, state.tone) if state else (row["state"], "neutral")),
                bool(kind and any(t.batch and row["state"] in t.from_states and principal.can(t.permission)
                                  for t in kind.available(row["state"], "staff"))),
            )
            if state is not None and state.lapsed_label:
                lapsing[pair] = kind
        row["kind_name"], row["state_label"], row["state_tone"], row["batchable"] = shown
        if pair in lapsing and await transitions.lapsed(lapsing[pair], row):  # a query only for such states
            row["state_label"] = lapsing[pair].state(row["state"]).lapsed_label
        row["flag"] = flag(row)
        row["flag_class"] = _FLAG_CLASS.get(row["flag"][0], "")
        row["flag_tone"] = _FLAG_TONE.get(row["flag"][0], "")
        row["submitted_text"] = local_time(row["submitted_at"]) if row["submitted_at"] else ""
        row["kind_flag_tone"], row["kind_flag"] = marks.get(row["id"], ("", ""))
