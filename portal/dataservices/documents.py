"""HTML → PDF through one long-lived headless Chromium (X-4): JS off, network sealed, bounded, warm page pool."""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from portal.settings import ROOT

log = logging.getLogger("portal.documents")

ORIGIN = "http://portal-pdf.invalid"
TIMEOUT_S = 15.0
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]
_STATIC = (ROOT / "static").resolve()
# Skia embeds each CJK font face as Type 3 glyph programs at a cost that grows with the font FILE (the system
# Noto Sans CJK TTC is 19 MB: ~100 ms per face per PDF, whatever the glyph count). So every document draws
# with ONE face, PortalDoc: Noto Sans CJK SC Regular cut down to ASCII, CJK punctuation and the GB 2312 汉字
# (2.8 MB, OFL; make_font_subset() rebuilds it), with the full system face behind it for rarer characters.
# It is declared as weight 400 only so bold text is synthesised instead of pulling in the Bold face, and the
# header and page numbers are CSS margin boxes in the same face (header/footer templates are separate
# documents that paid for their own font face and page setup).
FONT_FILE = ROOT / "templates" / "documents" / "fonts" / "PortalDoc-GB2312.otf"
_FONT_URL = f"{ORIGIN}/__font/portal-doc.otf"
_PAGE_CSS = (
    '<style>@font-face{font-family:PortalDoc;font-weight:400;font-style:normal;src:url(/__font/portal-doc.otf)'
    ' format("opentype"),local("Noto Sans CJK SC"),local("NotoSansCJKsc-Regular")}'
    'html{font-family:PortalDoc,"Noto Sans CJK SC",sans-serif}'
    "@page{size:%s;margin:18mm 14mm 16mm 14mm;"
    '@top-left{content:%s;font-family:PortalDoc,"Noto Sans CJK SC",sans-serif;font-size:8pt;color:#555}'
    '@bottom-center{content:"第 " counter(page) " 页 共 " counter(pages) " 页";'
    'font-family:PortalDoc,"Noto Sans CJK SC",sans-serif;font-size:8pt;color:#555}}</style>'
)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(r"\s*<!doctype[^>]*>", re.IGNORECASE)


class PdfError(RuntimeError):
    """Rendering failed or timed out; callers show a Chinese message and may retry."""


def _env() -> Environment:
    from portal import filters

    env = Environment(loader=FileSystemLoader(ROOT / "templates"), autoescape=select_autoescape(default=True))
    filters.install(env)
    return env


_JINJA = _env()


def render_html(template: str, context: Mapping[str, Any]) -> str:
    """A document template rendered outside any request (autoescape on: user data stays text)."""
    return _JINJA.get_template(template).render(**context)


def css_string(text: str) -> str:
    """`text` as a quoted CSS string: anything but letters, digits and spaces hex-escaped (no breaking out)."""
    return '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):06x}" for ch in text) + '"'


def _with_page_css(body_html: str, header: str, landscape: bool = False) -> str:
    """The document with our font, page size and page boxes first in <head>, so its own styles still override
    them (a CSS page size wins over page.pdf(landscape=True), so the orientation is set here)."""
    style = _PAGE_CSS % ("A4 landscape" if landscape else "A4", css_string(" ".join(header.split())))
    match = _HEAD.search(body_html) or _DOCTYPE.match(body_html)
    if match is None:
        return style + body_html
    return body_html[:match.end()] + style + body_html[match.end():]


def make_font_subset(out: Path = FONT_FILE,
                     source: str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc") -> None:
    """Rebuild PortalDoc from Debian's fonts-noto-cjk (developer tool: needs `pip install fonttools`, ~40 s)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = {*range(0x20, 0x7F), *range(0x3000, 0x3040), *range(0xFF00, 0xFFF0),
             0xA0, 0xB7, 0xD7, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026}
    for cp in range(0x4E00, 0xA000):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        chars.add(cp)
    font = TTFont(source, fontNumber=2)  # face 2 of the TTC is Noto Sans CJK SC
    if font["name"].getDebugName(4) != "Noto Sans CJK SC":
        raise ValueError("unexpected face order in " + source)
    options = subset.Options()
    options.layout_features, options.name_IDs, options.hinting = ["*"], ["*"], False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    subsetter.subset(font)
    font.save(out)


class PdfRenderer:
    """One browser per process, started on first use and restarted when it dies; `concurrency` pages at most."""

    def __init__(self, chromium_path: str = "/usr/bin/chromium", concurrency: int = 2) -> None:
        self.chromium_path = chromium_path
        self.concurrency = max(1, concurrency)
        self._semaphore = asyncio.Semaphore(self.concurrency)
        self._start_lock = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._context: Any = None
        self._pages: asyncio.Queue = asyncio.Queue()
        self._page_count = 0
        self._documents: dict[str, str] = {}
        self._tmp: str | None = None
        self._font = FONT_FILE.read_bytes() if FONT_FILE.is_file() else None
        self.blocked: list[str] = []  # URLs refused while rendering (tests assert on it)
        self.launches = 0

    async def _ensure(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            return
        async with self._start_lock:
            if self._browser is not None and self._browser.is_connected():
                return
            await self._teardown()
            from playwright.async_api import async_playwright

            self._tmp = tempfile.mkdtemp(prefix="portal-pdf-")
            env = {**os.environ, "XDG_CONFIG_HOME": self._tmp, "XDG_CACHE_HOME": self._tmp, "HOME": self._tmp}
            self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=self.chromium_path, headless=True, args=LAUNCH_ARGS, env=env, timeout=30_000
            )
            self._context = await self._browser.new_context(java_script_enabled=False, service_workers="block")
            await self._context.route("**/*", self._route)
            self._pages = asyncio.Queue()
            self._page_count = 0
            self.launches += 1

    async def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(f"{ORIGIN}/__doc/"):
            body = self._documents.get(url.rsplit("/", 1)[1])
            if body is not None:
                await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)
                return
        elif url == _FONT_URL and self._font is not None:
            # cacheable: the page keeps the parsed font in memory, later documents fetch nothing
            await route.fulfill(status=200, content_type="font/otf", body=self._font,
                                headers={"cache-control": "max-age=86400"})
            return
        elif url.startswith(f"{ORIGIN}/static/"):
            path = (ROOT / url[len(ORIGIN) + 1:].split("?", 1)[0]).resolve()
            if path.is_relative_to(_STATIC) and path.is_file():
                ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                await route.fulfill(status=200, content_type=ctype, body=path.read_bytes())
                return
        self.blocked.append(url)
        await route.abort("blockedbyclient")

    async def _page(self) -> Any:
        if self._pages.empty() and self._page_count < self.concurrency:
            self._page_count += 1
            page = await self._context.new_page()
            # Park the page on our origin once: set_content() then keeps it as the base URL, so /static/…
            # resolves to ORIGIN and goes through _route (set_content is ~70 ms cheaper than a navigation).
            # It also lays out text in PortalDoc, so the font is loaded before the first real document.
            self._documents["blank"] = _with_page_css("<!doctype html><head><title>-</title></head><p>证明</p>", "")
            await page.goto(f"{ORIGIN}/__doc/blank", wait_until="load", timeout=TIMEOUT_S * 1000)
            return page
        return await self._pages.get()

    async def pdf(self, body_html: str, *, title: str, header: str = "", landscape: bool = False) -> bytes:
        """A4 PDF of `body_html` with a header line and 第 N 页 共 M 页; one retry after a browser crash."""
        async with self._semaphore:
            for attempt in (1, 2):
                try:
                    await self._ensure()
                    return await asyncio.wait_for(self._print(body_html, title, header, landscape), TIMEOUT_S)
                except TimeoutError as exc:
                    await self._discard_pages()
                    raise PdfError("生成PDF超时") from exc
                except Exception as exc:
                    if attempt == 2 or (self._browser is not None and self._browser.is_connected()):
                        raise PdfError("生成PDF失败") from exc
                    log.warning("PDF browser died; restarting")
            raise PdfError("生成PDF失败")

    async def _print(self, body_html: str, title: str, header: str, landscape: bool) -> bytes:
        page = await self._page()
        healthy = False
        try:
            await page.set_content(_with_page_css(body_html, header or title, landscape), wait_until="load",
                                   timeout=TIMEOUT_S * 1000)
            data = await page.pdf(format="A4", landscape=landscape, print_background=True)
            healthy = True
            return data
        finally:
            if healthy:
                self._pages.put_nowait(page)
            else:
                self._page_count -= 1
                try:
                    await page.close()
                except Exception:  # noqa: S110 - the page may belong to a dead browser
                    pass

    async def _discard_pages(self) -> None:
        while not self._pages.empty():
            page = self._pages.get_nowait()
            self._page_count -= 1
            try:
                await page.close()
            except Exception:  # noqa: S110
                pass

    async def _teardown(self) -> None:
        for closer in (self._context, self._browser):
            if closer is not None:
                try:
                    await closer.close()
                except Exception:  # noqa: S110 - already gone
                    pass
        if self._playwright is not None:
            try:
                await self._playwright.stop()
            except Exception:  # noqa: S110
                pass
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
        self._playwright = self._browser = self._context = None
        self._tmp = None

    async def close(self) -> None:
        async with self._start_lock:
            await self._teardown()

    async def kill_browser_for_test(self) -> None:
        """Simulate a crash (tests): the next render must start a new browser."""
        if self._browser is not None:
            await self._browser.close()


_renderer: PdfRenderer | None = None


def renderer() -> PdfRenderer:
    """The process-wide renderer, configured from settings on first use."""
    global _renderer
    if _renderer is None:
        from portal.settings import Settings

        settings = Settings.from_env()
        _renderer = PdfRenderer(settings.chromium_path, settings.pdf_concurrency)
    return _renderer


async def close_renderer(app: Any) -> None:
    """Shutdown hook (the dataservices area's on_shutdown): the warm Chromium."""
    global _renderer
    if _renderer is not None:
        await _renderer.close()
        _renderer = None


async def render_pdf(template: str, context: Mapping[str, Any], *, title: str, header: str = "",
                     landscape: bool = False) -> bytes:
    """Any document template under templates/documents/ (extending documents/base.html) → PDF bytes."""
    body = render_html(template, {**context, "title": title})
    return await renderer().pdf(body, title=title, header=header, landscape=landscape)


async def receipt_pdf(receipt: Mapping[str, Any]) -> bytes:
    """回执 for a submitted matter. Keys: number, kind_name, applicant, submitted_at (datetime), materials
    (list of names), next_steps (list of lines), promised_at (date or text); optional: office, contact."""
    return await render_pdf("documents/receipt.html", {"r": receipt}, title=f"{receipt['kind_name']}受理回执",
                            header=f"回执编号 {receipt['number']}")


async def roster_pdf(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Mapping[str, Any]], *,
                     meta: Sequence[tuple[str, str]] = (), landscape: bool = True) -> bytes:
    """A roster: (key, label) columns over many rows; the table header repeats on every page."""
    return await render_pdf("documents/roster.html", {"columns": columns, "rows": rows, "meta": meta},
                            title=title, landscape=landscape)
