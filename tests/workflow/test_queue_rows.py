"""The workbench rows built in Python: every value escaped, the same cells and attributes the template had."""

from __future__ import annotations

from bs4 import BeautifulSoup

from portal.workflow.queue_rows import render_rows


def _row(**over):
    row = {"id": 7, "version": 3, "number": "LC20260001", "kind_name": "劳动合同备案", "kind_flag": "",
           "kind_flag_tone": "", "applicant_name": "海口某公司", "state_tone": "info", "state_label": "待受理",
           "submitted_text": "2026-12-01 09:30", "promised_deadline": None, "flag": ("", ""), "flag_class": "",
           "flag_tone": "", "batchable": False, "url": "/workbench/matters/7"}
    return {**row, **over}


def test_every_value_is_escaped():
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    html = str(render_rows([_row(applicant_name=hostile, kind_name=hostile, number=hostile, state_label=hostile,
                                 kind_flag=hostile, kind_flag_tone=hostile, url='/x" onclick="alert(3)',
                                 batchable=True, flag=("overdue", hostile), flag_class="app-flag--overdue",
                                 flag_tone="danger")]))
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find("script") and not soup.find("img")
    assert not any(attr.startswith("on") for tag in soup.find_all(True) for attr in tag.attrs)
    tr = soup.find("tr")
    assert tr.find_all("td")[3].get_text() == hostile  # the text reads as typed, only escaped
    assert tr.find("a")["href"] == '/x" onclick="alert(3)'


def test_cells_checkbox_and_flags():
    plain, flagged = render_rows([
        _row(),
        _row(id=8, number="LC20260002", batchable=True, promised_deadline="2026-12-03", flag=("overdue", "已超期"),
             flag_class="app-flag--overdue", flag_tone="danger", kind_flag="已申请工伤认定", kind_flag_tone="warning"),
    ]).split("\n")
    a, b = (BeautifulSoup(x, "html.parser").find("tr") for x in (plain, flagged))
    assert a["data-matter"] == "7" and a.find("input") is None and a.find(attrs={"data-flag": True}) is None
    assert len(a.find_all("td")) == 8 and a.find("a")["hx-get"] == "/workbench/matters/7"
    box = b.find("input", attrs={"name": "matter"})
    assert box["value"] == "8:3" and box["aria-label"] == "选择 LC20260002"
    assert b["class"] == ["app-flag--overdue"] and b.find(attrs={"data-flag": "overdue"}).get_text() == "已超期"
    assert b.find(attrs={"data-kind-flag": True}).get_text() == "已申请工伤认定"
    assert "2026-12-03" in b.find_all("td")[6].get_text()
