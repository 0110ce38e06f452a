"""Whole-site layout in Chromium, over every page each role reaches (tests/browser/crawl.py): reflow at 360 px
(WCAG 1.4.10), query grids readable at 1366 px, 长辈版 text sizes."""

from __future__ import annotations

import pytest

from tests.browser.crawl import ROLES, crawl_site

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


def reflow_problems(page, width: int) -> list[str]:
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll <= width:
        return []
    return [f"scrollWidth {scroll}: {', '.join(page.evaluate(OVERFLOW_JS, width))}"]


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_360px_phone(live, browser, role):
    problems: list[str] = []

    def check(page, visit):
        problems.extend(f"{visit.url}: {p}" for p in reflow_problems(page, 360))

    visited = crawl_site(browser, live, role, width=360, visit=check)
    assert len([v for v in visited if v.status == 200]) >= (1 if role == "anonymous" else 5), visited
    assert problems == []
