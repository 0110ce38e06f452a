"""Checks and pictures of one screen for the browser tests of confirmation steps (a page, or the modal over one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.test_site_layout import ELDER_JS, TARGETS_JS


def fits_with_modal(page, shots: Path, name: str, width: int, elder: bool, *, modal: bool = False) -> None:
    """No sideways scroll (nor inside an open dialog, which scrolls downwards only), tap targets at 360 px, 长辈版
    text; a picture of the screen for a modal (fixed to the screen), of the whole page otherwise."""
    label = f"{name} at {width}px{' 长辈版' if elder else ''}"
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{label} scrolls sideways by {overflow}px"
    if modal:
        inner = page.evaluate("() => { const d = document.querySelector('.app-modal__dialog');"
                              " return d.scrollWidth - d.clientWidth; }")
        assert inner <= 1, f"{label}: the dialog scrolls sideways by {inner}px"
    if width == 360:
        assert page.evaluate(TARGETS_JS) == [], label
    if elder:
        assert page.evaluate(ELDER_JS) == [], label
    shots.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret leaves style="" on the page's inputs, which htmx copies onto their twins
    # when a grid behind the modal reloads, and the CSP (style-src 'self') then reports it as a console error
    page.screenshot(path=str(shots / f"{name}_{width}{'_elder' if elder else ''}.png"), full_page=not modal,
                    caret="initial")


# Every screen of a confirmation step is checked at these widths, standard and 长辈版.
SIZES = [(width, elder) for width in (1366, 360) for elder in (False, True)]


def open_screen(browser, live, width: int, elder: bool) -> tuple[Any, Any, list[str]]:
    """A fresh browser context at `width` (长辈版 through its cookie), its page, and the console errors it logs."""
    context = browser.new_context(base_url=live.base_url, locale="zh-CN", viewport={"width": width, "height": 900})
    if elder:
        context.add_cookies([{"name": "elder", "value": "1", "url": live.base_url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, page, errors
