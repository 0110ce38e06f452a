"""Browser: the public verification page's PDF upload (有效 / 文件被改动), and its layout at 1366 and 360 px,
normal and 长辈版 (screenshots kept under $TMPDIR/portal-verify-screens/ for a person to look at)."""

# ruff: noqa: ASYNC240 - the test reads the file it just issued

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

SCREENS = Path(os.environ.get("PORTAL_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "portal-verify-screens")


async def _issue(seal_dir: str, storage_dir: str) -> tuple[dict, bytes]:
    """A certificate issued and sealed as the live server would: its seal directory, its database."""
    from portal.dataservices import documents
    from portal.dataservices.certificates import Fact, issue_certificate
    from portal.storage import storage_file

    saved = {k: os.environ.get(k) for k in ("PORTAL_SEAL_DIR", "PORTAL_STORAGE_DIR")}
    os.environ.update(PORTAL_SEAL_DIR=seal_dir, PORTAL_STORAGE_DIR=storage_dir)
    try:
        cert = await issue_certificate(
            kind="work_injury_proof", title="工伤保险单位证明", base_url="http://portal.example",
            facts=[Fact("姓名", "符海燕", "name"), Fact("身份证号", "46010519900307002X", "id_number")],
            paragraphs=["兹证明上述人员参加工伤保险。"], division_code="460105",
        )
        return cert, storage_file(storage_dir, cert["storage_path"]).read_bytes()
    finally:
        await documents.renderer().close()
        documents._renderer = None  # its browser belonged to this thread's event loop
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def issued(live):
    return live.run(_issue, str(live.var_dir / "seals"), str(live.var_dir / "storage"))


def _upload(page, name: str, data: bytes) -> str:
    page.set_input_files("#f-file", files=[{"name": name, "mimeType": "application/pdf", "buffer": data}])
    with page.expect_navigation():
        page.get_by_role("button", name="核验文件").click()
    return page.inner_text("[data-testid=upload-status]")


def test_upload_the_original_then_a_changed_copy(live, page, issued):
    cert, pdf = issued
    page.goto(f"/verify/{cert['code']}")
    assert "有效" in page.inner_text("[data-testid=verify-status]")
    status = _upload(page, "证明.pdf", pdf)
    assert "有效" in status and "原件" in status
    assert page.get_attribute("[data-testid=upload-result]", "data-outcome") == "valid"
    assert "签名有效" in page.inner_text("[data-testid=signature-status]")
    assert "符海燕" not in page.content()  # masked like the code page: 符**

    changed = bytearray(pdf)
    at = changed.index(b"stream\n", 2000) + 50
    changed[at] ^= 0x01
    status = _upload(page, "证明.pdf", bytes(changed))
    assert "文件被改动" in status
    assert page.get_attribute("[data-testid=upload-result]", "data-outcome") == "altered"

    # no file chosen: the message sits beside the field and the summary links to it
    with page.expect_navigation():
        page.get_by_role("button", name="核验文件").click()
    assert "请选择要核验的PDF文件" in page.inner_text("#f-file-error")
    assert page.console_errors == []


@pytest.mark.parametrize("width", [1366, 360])
@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_verify_page_fits_the_screen_normal_and_elder(live, context, page, issued, width, elder):
    cert, pdf = issued
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/verify/{cert['code']}")
    if elder:
        with page.expect_navigation():
            page.get_by_role("button", name="长辈版").click()
        assert "app-elder" in page.get_attribute("html", "class")
    _upload(page, "证明.pdf", pdf)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of horizontal scrolling at {width}px"
    box = page.locator("#f-file").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"verify-{width}-{'elder' if elder else 'normal'}.png"), full_page=True)
    assert page.console_errors == []
