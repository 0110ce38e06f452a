"""Reading the audit log for the administrator: filters, paging and CSV / xlsx export with inert cells."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from openpyxl import Workbook

from portal.auth.staff import contains
from portal.core.tables import AuditLog
from portal.filters import SHANGHAI, local_time

CATEGORIES = {"login": "登录", "security": "安全事件", "admin": "系统管理", "workflow": "业务办理", "data": "数据访问"}
EXPORT_LIMIT = 100_000
COLUMNS = [
    ("at", "时间（北京时间）"), ("category", "类别"), ("actor_name", "操作人"), ("actor_kind", "账户类型"),
    ("ip", "IP地址"), ("action", "操作"), ("object_type", "对象类型"), ("object_id", "对象编号"),
    ("result", "结果"), ("detail", "详情"),
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


@dataclass(frozen=True)
class AuditFilter:
    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""
    category: str = ""
    action: str = ""

    def where(self, query: Any) -> Any:
        # Dates are chosen in Beijing time; the table stores UTC.
        if self.date_from:
            query = query.where(AuditLog.at >= datetime.combine(self.date_from, time(), SHANGHAI).astimezone(UTC))
        if self.date_to:
            end = datetime.combine(self.date_to + timedelta(days=1), time(), SHANGHAI).astimezone(UTC)
            query = query.where(AuditLog.at < end)
        if self.actor:
            query = query.where(contains(AuditLog.actor_name, f"%{_like(self.actor)}%"))
        if self.category:
            query = query.where(AuditLog.category == self.category)
        if self.action:
            query = query.where(contains(AuditLog.action, f"%{_like(self.action)}%"))
        return query


def _like(text: str) -> str:
    return text.replace("%", "").replace("_", "")


async def search(flt: AuditFilter, *, page: int = 1, per_page: int = 50) -> tuple[list[dict[str, Any]], int]:
    total = await flt.where(AuditLog.count())
    rows = await flt.where(AuditLog.select()).order_by(AuditLog.id, ascending=False).limit(per_page).offset(
        (page - 1) * per_page
    )
    return rows, total


async def rows_for_export(flt: AuditFilter) -> list[dict[str, Any]]:
    return await flt.where(AuditLog.select()).order_by(AuditLog.id, ascending=False).limit(EXPORT_LIMIT)


def inert(value: Any) -> Any:
    """A cell that a spreadsheet would run as a formula gets a leading apostrophe (SECURITY 18)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cells(row: dict[str, Any]) -> list[Any]:
    out = []
    for key, _ in COLUMNS:
        value = row.get(key)
        if key == "at":
            value = local_time(value, "%Y-%m-%d %H:%M:%S")
        elif key == "category":
            value = CATEGORIES.get(value, value)
        out.append(inert("" if value is None else str(value)))
    return out


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for _, label in COLUMNS])
    for row in rows:
        writer.writerow(_cells(row))
    # A BOM so that Excel opens the UTF-8 file with the Chinese intact.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计日志")
    ws.append([label for _, label in COLUMNS])
    for row in rows:
        # Every value is written as a string: nothing is parsed as a number, date or formula.
        ws.append(_cells(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
