"""A batch upload in a real browser against uvicorn on SQLite: the import runs as a job of the web process's
in-process queue (portal/jobs.py) and the page shows its result, or its progress until the result replaces it."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from tests.browser.test_labor_contract import _employer_session


def test_batch_upload_runs_as_a_job_and_shows_its_result(live, page, tmp_path):
    from tests.labor_contract.test_batch import new_row
    from tests.support.factories import make_id_number

    employer, sid = _employer_session(live)
    page.context.add_cookies([{"name": "portal_session", "value": sid, "url": live.base_url}])
    page.goto(live.url("/labor-contract/batch/new-renew"))
    template = page.request.get(live.url("/labor-contract/batch/new-renew/template.xlsx"))
    assert template.ok
    wb = load_workbook(io.BytesIO(template.body()))
    sheet = wb[wb.sheetnames[1]]
    sheet.append(new_row("批量甲", make_id_number(born=date(1990, 3, 3))))
    sheet.append(new_row("批量乙", "46010519900517001X"))  # a wrong check digit: this row fails
    path = tmp_path / "合同.xlsx"
    wb.save(path)

    page.set_input_files("#f-file", str(path))
    with page.expect_navigation():
        page.click("form.app-form button[type=submit]")
    # A small file's answer waits for its job; on a slow machine the progress component polls until it is done.
    page.wait_for_selector("[data-testid=import-ok]", timeout=60_000)
    assert page.inner_text("[data-testid=import-ok]").strip() == "1"
    assert page.inner_text("[data-testid=import-failed]").strip() == "1"
    assert "成功导入1行" in page.inner_text("[data-testid=import-message]")
    assert "身份证号校验位不正确" in page.inner_text("[data-testid=import-rows]")
