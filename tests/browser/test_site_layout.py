"""Whole-site layout in Chromium, over every page each role reaches (tests/browser/crawl.py): reflow at 360 px
(WCAG 1.4.10), query grids readable at 1366 px, 长辈版 text sizes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.crawl import ROLES, crawl_site

ROOT = Path(__file__).resolve().parents[2]

# Elements wider than the viewport, innermost first, ignoring what sits inside a scroll box of its own.
OVERFLOW_JS = """(width) => {
  const out = [];
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
    return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 0.5 && !scrolls(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '');
      out.push(name + ' ' + Math.round(r.right) + 'px');
    }
  }
  return out.slice(-3);
}"""


# Tap targets on a phone (WCAG 2.5.5): links, buttons and boxes in tables, pagers and side menus ≥ 44 × 44 px.
TARGETS_JS = """() => {
  const out = [];
  const sel = '.app-table td a, .app-table td button, .app-table input[type=checkbox], .app-table input[type=radio],'
    + ' .app-pager__link, .app-sidenav__link, .app-tabs a';
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;  // not shown (a closed menu)
    if (r.width < 43.5 || r.height < 43.5)
      out.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 10)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
  return [...new Set(out)].slice(0, 4);
}"""


def reflow_problems(page, width: int) -> list[str]:
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll <= width:
        return []
    return [f"scrollWidth {scroll}: {', '.join(page.evaluate(OVERFLOW_JS, width))}"]


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_360px_phone(live, browser, role, elder):
    problems: list[str] = []

    def check(page, visit):
        problems.extend(f"{visit.url}: {p}" for p in reflow_problems(page, 360))
        problems.extend(f"{visit.url}: small tap target {p}" for p in page.evaluate(TARGETS_JS))

    visited = crawl_site(browser, live, role, width=360, visit=check, elder=elder)
    assert len([v for v in visited if v.status == 200]) >= (1 if role == "anonymous" else 3), visited
    assert problems == []


# A query grid as its user needs it: filters above the table, the table as wide as the grid (not squeezed beside
# the filters), every column at least two characters wide and every header on one line.
GRID_JS = """(table) => {
  const grid = table.closest('.app-grid'), wrap = table.closest('.app-table-wrap');
  const filters = grid.querySelector('.app-grid__filters');
  const font = parseFloat(getComputedStyle(table).fontSize), out = [];
  const t = table.getBoundingClientRect();
  if (filters && filters.getBoundingClientRect().bottom > t.top + 0.5) out.push('filters are not above the table');
  if (wrap.getBoundingClientRect().width < grid.clientWidth - 1) out.push(`table box ${wrap.clientWidth}px in a ${grid.clientWidth}px grid`);
  for (const th of table.querySelectorAll('thead th')) {
    const cs = getComputedStyle(th), label = th.textContent.trim();
    const inner = th.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    if (inner < 2 * font) out.push(`column ${label} is ${Math.round(inner)}px`);
    const range = document.createRange(); range.selectNodeContents(th);
    const tops = new Set([...range.getClientRects()].filter(r => r.width).map(r => Math.round(r.top)));
    if (tops.size > 1) out.push(`header ${label} wraps over ${tops.size} lines`);
  }
  return out;
}"""


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_every_query_grid_is_readable_at_1366px(live, browser, elder):
    problems: list[str] = []
    grids: list[str] = []

    def check(page, visit):
        for table in page.query_selector_all(".app-grid [data-testid=grid-table]"):
            grids.append(visit.url)
            problems.extend(f"{visit.url}: {p}" for p in table.evaluate(GRID_JS))

    crawl_site(browser, live, "legal_rep", width=1366, visit=check, elder=elder)
    assert len(grids) >= 3, grids  # 综合查询, the 续订 and 解除 pick lists at least (demo data)
    assert problems == []


# 长辈版 (MIIT 适老化): every visible piece of text at least 18 pt (24 px) with line spacing of at least 1.3;
# checkboxes and radios at least 24 px; no text that only a mouse can reveal (title tooltips).
ELDER_JS = """() => {
  const out = [];
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 2 && r.height > 2 &&
    getComputedStyle(el).visibility !== 'hidden'; };
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'OPTION', 'svg'].includes(el.tagName) || !visible(el)) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const cs = getComputedStyle(el), size = parseFloat(cs.fontSize);
    const label = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '');
    if (own && size < 23.9) out.push(`${label} "${el.textContent.trim().slice(0, 12)}" ${size}px`);
    if (own && cs.lineHeight !== 'normal' && parseFloat(cs.lineHeight) < 1.3 * size - 0.1
        && !el.closest('.app-modal__close')) out.push(`${label} line-height ${cs.lineHeight} at ${size}px`);
    if (el.matches('input[type=checkbox], input[type=radio]') && el.getBoundingClientRect().height < 24)
      out.push(`${label}[${el.type}] ${el.getBoundingClientRect().height}px`);
    if (el.hasAttribute('title') && el.tagName !== 'IFRAME') out.push(`${label} has a hover-only title`);
  }
  return [...new Set(out)].slice(0, 8);
}"""


def each_mode(browser, live, widths=(1366, 360)):
    """A fresh page at each width (1366 and 360 px), standard and 长辈版 (the elder cookie set): yields (page, width,
    elder, console errors) and closes each context after its turn."""
    for width in widths:
        for elder in (False, True):
            context = browser.new_context(base_url=live.base_url, locale="zh-CN",
                                          viewport={"width": width, "height": 900})
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
            if elder:
                context.add_cookies([{"name": "elder", "value": "1", "url": live.base_url}])
            try:
                yield page, width, elder, errors
            finally:
                context.close()


def check_fits(page, label: str, width: int, elder: bool, shot: Path | None = None) -> None:
    """A domain's own page checks, the site-wide rules at one width and mode: no sideways scroll, touch targets at
    360 px, 长辈版 text; then a full-page screenshot to look at."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{label} at {width}px{' 长辈版' if elder else ''} scrolls sideways by {overflow}px"
    if width == 360:
        assert page.evaluate(TARGETS_JS) == [], label
    if elder:
        assert page.evaluate(ELDER_JS) == [], label
    if shot is not None:
        page.screenshot(path=str(shot), full_page=True)


@pytest.mark.parametrize("role", ["anonymous", "legal_rep", "reviewer", "admin"])
def test_elder_mode_text_is_at_least_18pt_on_every_page(live, browser, role):
    problems: list[str] = []

    def check(page, visit):
        assert "app-elder" in (page.get_attribute("html", "class") or "")
        problems.extend(f"{visit.url}: {p}" for p in page.evaluate(ELDER_JS))

    visited = crawl_site(browser, live, role, width=1366, visit=check, elder=True)
    assert visited
    assert problems == []


# vnu reports htmx's hx-* attributes as unknown (STACK-NOTES): the only errors allowed.
VNU_ALLOWED = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element")


def vnu_errors(pages: dict[str, str], workdir: Path) -> list[str]:
    """Run the Nu Html Checker once over every page (name → HTML); the errors other than hx-* attributes."""
    jar = subprocess.run(  # noqa: S603
        ["/bin/bash", str(ROOT / "scripts" / "vnu.sh")], capture_output=True, text=True, check=True)
    names = {}
    for i, (name, html) in enumerate(pages.items()):
        path = workdir / f"page{i}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = name
    files = [str(p) for p in sorted(workdir.glob("*.html"))]
    done = subprocess.run(  # noqa: S603
        [shutil.which("java") or "java", "-jar", jar.stdout.strip(), "--errors-only", "--format", "json", *files],
        capture_output=True, text=True,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    return [f"{names.get(str(m.get('url')).rsplit('/', 1)[-1], m.get('url'))}:{m.get('lastLine')}: {m['message']}"
            for m in messages if not VNU_ALLOWED.match(m["message"])]


def test_every_page_of_every_role_passes_the_html_checker(live, browser, tmp_path):
    pages: dict[str, str] = {}

    def keep(page, visit):
        pages[f"{visit.role} {visit.url}"] = visit.html

    for role in ROLES:
        crawl_site(browser, live, role, width=1366, visit=keep)
    assert len(pages) > 50, sorted(pages)
    assert vnu_errors(pages, tmp_path) == []
