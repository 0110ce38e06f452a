"""劳动用工合规证明 in Chromium (INS-5): the employer applies (a wrong period first: the message beside the field,
what was typed kept), the squad sees the warnings and issues it in the workbench, the employer downloads the PDF from
合规证明办事进度查询, and /verify answers for its code; every new page at 1366 and 360 px, standard and 长辈版."""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

from pypdf import PdfReader

from tests.browser.test_site_layout import check_fits, each_mode

SHOTS = Path(os.environ.get("INS_SCREENSHOTS", tempfile.gettempdir())) / "ins-screens"
PAGES = ["/labor-inspection/compliance", "/labor-inspection/compliance/progress"]


def _employer(live) -> dict:
    async def create():
        from tests.support.factories import make_employer

        return await make_employer(name=f"海南合规测试{live.unique('c')}有限公司", division_code="460105")

    return live.run(create)


def _squad(live) -> str:
    async def find():
        from portal.core import dictionary

        return (await dictionary.squad_for("460105")).code

    return live.run(find)


def _sign_in(page, live, employer) -> None:
    live.sign_in(page.context, kind="employer", employer_id=employer["id"], account_id=employer["id"] + 8300,
                 acting_name="张法人", acting_role="legal_rep")


def _month(offset: int) -> str:
    from domains.labor_inspection import compliance

    m = compliance.this_month()
    total = (m // 100) * 12 + m % 100 - 1 + offset
    return f"{total // 12}-{total % 12 + 1:02d}"


def _apply(page, purpose: str = "listing", start: int = -12, **fields: str) -> None:
    """Fill in 合规证明登记 (months relative to this one) and submit it."""
    page.goto("/labor-inspection/compliance")
    page.check(f"input[name=purpose][value={purpose}]")
    values = {"start_month": _month(start), "end_month": _month(-1), "contact_name": "王联系",
              "contact_phone": "0898-66668888", **fields}
    for name, value in values.items():
        page.fill(f"#f-{name}", value)
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()


def test_apply_issue_download_and_verify(live, page):
    employer = _employer(live)
    _sign_in(page, live, employer)

    # a period longer than three years: refused beside the field, everything typed kept
    _apply(page, "other", -40, purpose_other="申请政府补贴", contact_phone="13800138000")
    assert "证明期间最长36个月" in page.inner_text("#f-start_month-error")
    assert page.input_value("#f-purpose_other") == "申请政府补贴" and page.input_value("#f-end_month") == _month(-1)
    _apply(page)
    assert "提交成功" in page.inner_text("main")

    # the squad opens it in the workbench and issues it
    staff_page = page.context.browser.new_page(base_url=live.base_url)
    username = live.unique("insc")
    live.make_staff(username, permissions=["ins.review"], scopes={"squad": [_squad(live)]})
    live.login_staff(staff_page, username, "Test@2026pw", next="/workbench")
    staff_page.locator("tr", has_text=employer["name"]).locator("a[href^='/workbench/matters/']").first.click()
    staff_page.wait_for_selector("[data-modal] button[value=approve]")
    assert "上市" in staff_page.inner_text("[data-modal]")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 360):
        staff_page.set_viewport_size({"width": width, "height": 900})
        assert staff_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
        staff_page.screenshot(path=str(SHOTS / f"compliance_review_modal_{width}.png"))
    staff_page.locator("[data-modal] button[value=approve]").click()
    staff_page.wait_for_selector("[data-testid=done]")
    staff_page.close()

    # the employer downloads the PDF from 办事进度查询; its verification page answers
    page.goto("/labor-inspection/compliance/progress")
    assert "出具证明" in page.inner_text("[data-testid=ins-cert-progress]")
    with page.expect_download(timeout=60_000) as download:  # the first download renders and seals it
        page.click("[data-testid=ins-cert-download]", no_wait_after=True)
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "劳动用工合规证明" in text and employer["name"] in text
    code = re.search(r"验证码\s*([A-Z2-7]{24})", text).group(1)
    page.goto(f"/verify/{code}")
    assert "劳动用工合规证明" in page.inner_text("main") and employer["name"] in page.inner_text("main")
    assert page.console_errors == []


def test_every_page_fits_1366_and_360_in_both_modes(live, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    employer = _employer(live)
    for page, width, elder, errors in each_mode(browser, live):
        _sign_in(page, live, employer)
        if not elder and width == 1366:
            _apply(page)  # so that the progress page has a row
        for url in PAGES:
            response = page.goto(url)
            assert response.status == 200, url
            name = re.sub(r"[^a-z0-9]+", "_", url).strip("_")
            check_fits(page, url, width, elder, SHOTS / f"{name}_{width}{'_elder' if elder else ''}.png")
        assert errors == []
