"""字典管理 and the holiday calendar: pages for staff holding admin.dictionary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from portal.admin import dictionary_admin as dicts
from portal.admin import holidays
from portal.auth.principal import staff_guard
from portal.dataservices.export import INLINE_MAX_ROWS, export_url, rows_export_response, wants_export
from portal.forms import Form
from portal.web import NavItem, client_ip, is_htmx, redirect, render
from portal.webutil import safe_next

PERMISSION = "admin.dictionary"
guard = staff_guard(PERMISSION)

NAV = (
    NavItem("字典管理", "dictionary_categories", "staff", PERMISSION, order=910, description="行政区划、机构等下拉选项"),
    NavItem("节假日管理", "holiday_calendar", "staff", PERMISSION, order=920, description="法定节假日和调休工作日"),
)

STATUSES = (("", "全部"), ("enabled", "启用"), ("disabled", "停用"))


@dataclass(frozen=True)
class Page:
    """What the pager macro needs."""

    number: int
    has_prev: bool
    has_next: bool
    prev_url: str
    next_url: str
    total: int


def _int(raw: Any, default: int) -> int:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return default


async def _category_or_404(category: str) -> str:
    if not await dicts.category_exists(category):
        raise NotFoundException("没有这个字典")
    return category


def _crumbs(request: Request, category: str | None = None, last: str | None = None) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [("字典管理", request.app.route_reverse("dictionary_categories"))]
    if category:
        href = request.app.route_reverse("dictionary_entries", category=category) if last else None
        crumbs.append((dicts.category_name(category), href))
    if last:
        crumbs.append((last, None))
    return crumbs


@get("/admin/dictionary", name="dictionary_categories", guards=[guard])
async def list_categories(request: Request) -> Response:
    categories = await dicts.categories()
    if wants_export(request):
        return await rows_export_response(request, "字典分类", (("字典", "name"), ("标识", "code"), ("条目数", "total"),
                                                            ("启用", "enabled")), categories)
    return await render(
        request,
        "core/dictionary_categories.html",
        {"page_title": "字典管理", "breadcrumbs": _crumbs(request), "categories": categories,
         "export_url": export_url(request)},
    )


ENTRY_COLUMNS = (("代码", "code"), ("名称", "label"), ("上级", "parent"), ("排序", "sort_order"), ("状态", "enabled"),
                 ("附加信息", "extra"))
HOLIDAY_COLUMNS = (("日期", "day"), ("星期", "weekday"), ("类型", "kind"), ("名称", "name"))


@get("/admin/dictionary/{category:str}", name="dictionary_entries", guards=[guard])
async def list_entries(request: Request, category: FromPath[str]) -> Response:
    await _category_or_404(category)
    params = request.query_params
    q = str(params.get("q") or "").strip()[:40]
    status = str(params.get("status") or "")
    status = status if status in dict(STATUSES) else ""
    number = max(1, _int(params.get("page"), 1))
    if wants_export(request):  # every entry the filters match
        rows, _ = await dicts.search(category, q, status, 1, per_page=INLINE_MAX_ROWS)
        return await rows_export_response(request, dicts.category_name(category), ENTRY_COLUMNS, [
            r | {"parent": f"{r['parent_code']} {r['parent_label']}".strip(), "enabled": "启用" if r["enabled"] else "停用"}
            for r in rows])
    rows, total = await dicts.search(category, q, status, number)
    base = request.app.route_reverse("dictionary_entries", category=category)

    def page_url(n: int) -> str:
        return base + "?" + urlencode({"q": q, "status": status, "page": n})

    page = Page(number, number > 1, number * dicts.PAGE_SIZE < total, page_url(number - 1), page_url(number + 1), total)
    return await render(
        request,
        "core/dictionary_entries.html",
        {
            "page_title": dicts.category_name(category),
            "breadcrumbs": _crumbs(request, category),
            "category": category,
            "rows": rows,
            "page": page,
            "q": q,
            "status": status,
            "statuses": STATUSES,
            "back": page_url(number),
            "saved": str(params.get("saved") or "")[:40],
            "export_url": export_url(request),
        },
        block="results",
    )


async def _entry_page(request: Request, category: str, form: Form, entry: dict | None) -> Response:
    title = f"修改{entry['code']} {entry['label']}" if entry else "新增条目"
    return await render(
        request,
        "core/dictionary_entry_form.html",
        {
            "page_title": f"{dicts.category_name(category)} - {title}",
            "breadcrumbs": _crumbs(request, category, title),
            "category": category,
            "category_name": dicts.category_name(category),
            "form": form,
            "entry": entry,
        },
    )


@get("/admin/dictionary/{category:str}/new", name="dictionary_entry_new", guards=[guard])
async def new_entry(request: Request, category: FromPath[str]) -> Response:
    await _category_or_404(category)
    return await _entry_page(request, category, Form(dicts.entry_fields(creating=True), {}), None)


@post("/admin/dictionary/{category:str}/new", name="dictionary_entry_create", guards=[guard])
async def create_entry(request: Request, category: FromPath[str]) -> Response:
    await _category_or_404(category)
    form = Form(dicts.entry_fields(creating=True), await request.form())
    if await dicts.validate(form, category):
        entry_id = await dicts.create(category, form.cleaned, request.user, client_ip(request))
        if entry_id is not None:
            url = request.app.route_reverse("dictionary_entries", category=category)
            return redirect(request, url + "?" + urlencode({"q": form.cleaned["code"], "saved": form.cleaned["code"]}))
        form.add_error("code", f"代码{form.cleaned['code']}已存在，同一字典内代码不能重复")
    return await _entry_page(request, category, form, None)


async def _entry_or_404(category: str, entry_id: int) -> dict:
    entry = await dicts.get_entry(category, entry_id)
    if entry is None:
        raise NotFoundException("没有这个条目")
    return entry


@get("/admin/dictionary/{category:str}/{entry_id:int}", name="dictionary_entry_edit", guards=[guard])
async def edit_entry(request: Request, category: FromPath[str], entry_id: FromPath[int]) -> Response:
    entry = await _entry_or_404(category, entry_id)
    return await _entry_page(request, category, Form(dicts.entry_fields(creating=False), dicts.entry_form_data(entry)),
                             entry)


@post("/admin/dictionary/{category:str}/{entry_id:int}", name="dictionary_entry_update", guards=[guard])
async def update_entry(request: Request, category: FromPath[str], entry_id: FromPath[int]) -> Response:
    entry = await _entry_or_404(category, entry_id)
    form = Form(dicts.entry_fields(creating=False), await request.form())
    if await dicts.validate(form, category, entry):
        await dicts.update(entry, form.cleaned, request.user, client_ip(request))
        url = request.app.route_reverse("dictionary_entries", category=category)
        return redirect(request, url + "?" + urlencode({"q": entry["code"], "saved": entry["code"]}))
    return await _entry_page(request, category, form, entry)


@post("/admin/dictionary/{category:str}/{entry_id:int}/toggle", name="dictionary_entry_toggle", guards=[guard])
async def toggle_entry(request: Request, category: FromPath[str], entry_id: FromPath[int]) -> Response:
    entry = await _entry_or_404(category, entry_id)
    data = await request.form()
    await dicts.set_enabled(entry, not entry["enabled"], request.user, client_ip(request))
    back = safe_next(data.get("back"), request.app.route_reverse("dictionary_entries", category=category))
    return redirect(request, back)


async def _calendar_page(request: Request, year: int, form: Form, *, block: str | None = None) -> Response:
    return await render(
        request,
        "core/holidays.html",
        {
            "page_title": f"{year}年节假日管理",
            "breadcrumbs": [("节假日管理", None)],
            "year": year,
            "days": await holidays.days_of(year),
            "form": form,
            "kinds": holidays.KINDS,
            "export_url": request.app.route_reverse("holiday_calendar") + f"?year={year}&export=xlsx",
        },
        block=block,
    )


@get("/admin/holidays", name="holiday_calendar", guards=[guard])
async def holiday_calendar(request: Request) -> Response:
    year = holidays.clamp_year(_int(request.query_params.get("year"), 0) or None, date.today().year)
    if wants_export(request):  # the year shown
        return await rows_export_response(request, f"{year}年节假日", HOLIDAY_COLUMNS, [
            d | {"kind": "调休上班" if d["is_workday"] else "放假"} for d in await holidays.days_of(year)])
    return await _calendar_page(request, year, holidays.holiday_form(), block="calendar")


@post("/admin/holidays", name="holiday_add", guards=[guard])
async def holiday_add(request: Request) -> Response:
    data = await request.form()
    form = holidays.holiday_form(data)
    year = holidays.clamp_year(_int(data.get("year"), 0) or None, date.today().year)
    if await holidays.validate(form):
        if await holidays.add(form.cleaned, request.user, client_ip(request)):
            year = form.cleaned["day"].year
            url = request.app.route_reverse("holiday_calendar") + f"?year={year}"
            if is_htmx(request):
                return await _calendar_page(request, year, holidays.holiday_form(), block="calendar")
            return redirect(request, url)
        form.add_error("day", "该日期已在日历中，如需修改请先删除原记录")
    return await _calendar_page(request, year, form, block="calendar")


@post("/admin/holidays/{holiday_id:int}/delete", name="holiday_delete", guards=[guard])
async def holiday_delete(request: Request, holiday_id: FromPath[int]) -> Response:
    row = await holidays.remove(holiday_id, request.user, client_ip(request))
    if row is None:
        raise NotFoundException("该日期已不在日历中")
    year = row["day"].year
    if is_htmx(request):
        return await _calendar_page(request, year, holidays.holiday_form(), block="calendar")
    return redirect(request, request.app.route_reverse("holiday_calendar") + f"?year={year}")


ROUTES = [
    list_categories, list_entries, new_entry, create_entry, edit_entry, update_entry, toggle_entry,
    holiday_calendar, holiday_add, holiday_delete,
]
