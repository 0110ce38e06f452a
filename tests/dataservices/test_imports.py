"""Batch import through HTTP: result table, failed-rows round trip, all-or-nothing write, lock, file hygiene."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from domains.person.tables import Person
from portal.dataservices.tables import ImportJob, ImportLock
from portal.jobs import drain
from tests.dataservices import support
from tests.dataservices.sheets import filled
from tests.dataservices.support import PERSON_SPEC
from tests.support.factories import make_employer, make_id_number

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _employer(client) -> dict:
    employer = await make_employer()
    await client.sign_in_employer(employer)
    return employer


async def _upload(client, data: bytes, url: str = "/_test/ds/import", name: str = "人员.xlsx"):
    return await client.post_form(url, files={"file": (name, data, XLSX)})


def _imports_dir(app) -> Path:
    return Path(app.state.settings.storage_dir) / "imports"


def _row(name, ident, **kw):
    return [name, ident, kw.get("mobile"), kw.get("gender", "男"), kw.get("ctype", "固定期限"),
            kw.get("start", "2025-01-01"), kw.get("end"), kw.get("wage", "5000")]


async def test_upload_result_table_and_failed_rows_round_trip(app, client):
    await _employer(client)
    good, fixable = make_id_number(), make_id_number()
    data = await filled(PERSON_SPEC, [
        _row("张三", good),
        _row("李四", fixable[:17] + ("1" if fixable[17] != "1" else "2")),
        _row("+张三", make_id_number(), end="2024-01-01"),
    ])
    response = await _upload(client, data)
    assert response.status_code == 303
    result_url = response.headers["location"]
    soup = await client.page(result_url)
    assert soup.find(attrs={"data-testid": "import-ok"}).get_text() == "1"
    assert soup.find(attrs={"data-testid": "import-failed"}).get_text() == "2"
    headers = [th.get_text() for th in soup.find(attrs={"data-testid": "import-rows"}).find_all("th")]
    assert headers[-2:] == ["上传结果", "失败原因或提示"]
    text = soup.get_text()
    assert "身份证号校验位不正确" in text and "合同终止日期应晚于开始日期" in text
    assert await Person.count() == 1

    failed = await client.get(result_url + "/failed")
    assert failed.status_code == 200 and failed.headers["content-type"].startswith(XLSX)
    wb = load_workbook(io.BytesIO(failed.content))
    ws = wb[PERSON_SPEC.sheet_title]
    lines = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [line[0] for line in lines] == [None, "李四", "'+张三"]  # each at its row number in the upload
    assert lines[1][-1] == "身份证号校验位不正确"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    # the user fixes the rows in the same workbook and uploads it again
    ws.cell(row=3, column=2, value=fixable)
    ws.cell(row=4, column=7, value="2027-01-01")
    buf = io.BytesIO()
    wb.save(buf)
    again = await _upload(client, buf.getvalue())
    soup = await client.page(again.headers["location"])
    assert soup.find(attrs={"data-testid": "import-ok"}).get_text() == "2", soup.get_text()[:800]
    names = {r["name"] for r in await Person.select(Person.name)}
    assert names == {"张三", "李四", "+张三"}
    # the original file again: nothing new lands
    third = await _upload(client, data)
    soup = await client.page(third.headers["location"])
    assert soup.find(attrs={"data-testid": "import-ok"}).get_text() == "0"
    assert "该身份证号已登记" in soup.get_text()
    assert await Person.count() == 3
    assert list(_imports_dir(app).glob("*")) == []


async def test_failing_write_leaves_nothing_and_page_says_so(app, client):
    await _employer(client)
    data = await filled(PERSON_SPEC, [_row(f"人{i}", make_id_number()) for i in range(5)])
    support.FAIL_WRITE["on"] = True
    try:
        response = await _upload(client, data)
    finally:
        support.FAIL_WRITE["on"] = False
    soup = await client.page(response.headers["location"])
    assert "本次上传的数据均未导入（全部回滚）" in soup.find(attrs={"data-testid": "import-message"}).get_text()
    assert await Person.count() == 0
    assert await ImportLock.count() == 0 and list(_imports_dir(app).glob("*")) == []
    failed = await client.get(response.headers["location"] + "/failed")
    ws = load_workbook(io.BytesIO(failed.content))[PERSON_SPEC.sheet_title]
    assert ws.max_row == 6  # every row comes back to be uploaded again
    retry = await _upload(client, data)
    soup = await client.page(retry.headers["location"])
    assert soup.find(attrs={"data-testid": "import-ok"}).get_text() == "5"
    assert await Person.count() == 5


async def test_one_import_per_employer_at_a_time(app, client, other_client):
    employer = await _employer(client)
    await ImportLock.insert(ImportLock(owner_key=f"employer:{employer['id']}", job_token="x",  # noqa: S106
                                       acquired_at=datetime.now(UTC)))
    data = await filled(PERSON_SPEC, [_row("甲", make_id_number())])
    response = await _upload(client, data)
    assert response.status_code == 409
    assert "已有一个批量导入正在处理" in response.text
    # another employer is not blocked
    await _employer(other_client)
    assert (await _upload(other_client, data)).status_code == 303


async def test_refused_upload_keeps_message_beside_the_field(app, client):
    await _employer(client)
    response = await _upload(client, b"not a workbook", name="x.xlsx")
    assert response.status_code == 400
    assert "文件不是有效的Excel" in response.text and 'id="f-file-error"' in response.text
    oversize = b"PK\x03\x04" + b"\0" * (app.state.settings.upload_max_bytes + 10)
    response = await _upload(client, oversize)
    assert response.status_code == 413 and "文件大小超过20MB的上限" in response.text
    assert await ImportJob.count() == 0 and list(_imports_dir(app).glob("*")) == []
    from portal.core.tables import AuditLog

    events = await AuditLog.select(AuditLog.action, AuditLog.result, AuditLog.detail).where(
        AuditLog.category == "security")
    assert [e["action"] for e in events] == ["upload_rejected", "upload_rejected"]
    assert "文件不是有效的Excel" in events[0]["detail"]


async def test_background_import_shows_polling_progress_then_results(app, client):
    await _employer(client)
    data = await filled(PERSON_SPEC, [_row(f"人{i}", make_id_number()) for i in range(30)])
    response = await _upload(client, data, url="/_test/ds/import?bg=1")
    url = response.headers["location"]
    soup = await client.page(url)
    progress = soup.find(id="import-progress")
    if progress is not None:  # still running: the component polls itself
        assert progress["hx-trigger"] == "every 1s" and progress["hx-get"] == url
    await drain(app)
    fragment = await client.get(url, headers={"HX-Request": "true", "HX-Target": "import-progress"})
    assert "<html" not in fragment.text and 'id="import-results"' in fragment.text
    assert await Person.count() == 30


async def test_another_owner_cannot_see_results(app, client, other_client):
    await _employer(client)
    data = await filled(PERSON_SPEC, [_row("甲", make_id_number())])
    url = (await _upload(client, data)).headers["location"]
    await _employer(other_client)
    for suffix in ("", "/failed"):
        response = await other_client.get(url + suffix)
        assert response.status_code == 404 and "甲" not in response.text
    await other_client.sign_in_staff("imp1")
    assert (await other_client.get(url)).status_code == 404


async def test_spreadsheet_payloads_render_inert(app, client):
    await _employer(client)
    payload = "\" hx-get=\"/x\" hx-trigger=\"load"
    data = await filled(PERSON_SPEC, [_row(payload, "bad"), _row("<img src=x onerror=alert(1)>", "bad")])
    url = (await _upload(client, data)).headers["location"]
    response = await client.get(url)
    assert "<img src=x" not in response.text and 'hx-get="/x"' not in response.text
