"""Batch result pages mask ID numbers and phones on every row, failed ones too (issue #12 item 9, X-9)."""

from __future__ import annotations

from tests.dataservices.sheets import filled
from tests.dataservices.support import PERSON_SPEC
from tests.support.factories import make_employer, make_id_number

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _row(name, ident, mobile=None, end=None):
    return [name, ident, mobile, "男", "固定期限", "2025-01-01", end, "5000"]


async def test_result_table_masks_id_numbers_and_phones_of_every_row(client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    good, fixable, late = make_id_number(), make_id_number(), make_id_number()
    bad = fixable[:17] + ("1" if fixable[17] != "1" else "2")
    data = await filled(PERSON_SPEC, [
        _row("张三", good, mobile="13912345678"),
        _row("李四", bad, mobile="13887654321"),                 # fails: check digit
        _row("王五", late, end="2024-01-01"),                    # fails: a date rule, the ID itself is valid
    ])
    response = await client.post_form("/_test/ds/import", files={"file": ("人员.xlsx", data, XLSX)})
    for url in (response.headers["location"], response.headers["location"] + "?only=failed"):
        text = (await client.page(url)).get_text()
        assert "身份证号校验位不正确" in text and "合同终止日期应晚于开始日期" in text
        for ident in (good, bad, late):
            assert ident not in text, url
        for phone in ("13912345678", "13887654321"):
            assert phone not in text
        assert bad[:6] + "********" + bad[-4:] in text and late[:6] + "********" + late[-4:] in text
        assert bad[-4:] in text and "138****4321" in text
