"""portal.filters.whole_codes: which runs of text are codes kept whole on a line, and that the rest stays text."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from portal.filters import whole_codes


@pytest.mark.parametrize(("text", "codes"), [
    ("460100-20261206-PCE-0008", ["460100-20261206-PCE-0008"]),  # 办件编号
    ("460105001-20261206-INSR-0002", ["460105001-20261206-INSR-0002"]),
    ("工伤快报 2026-11-09 符海峰、黎晓东", ["2026-11-09"]),
    ("2026-12-09（事故发生之日起30日）", ["2026-12-09"]),
    ("2026-12-06 11:17", ["2026-12-06"]),  # the time is short enough to stay whole without help
    ("附件 3-1", []),  # too short to break
    ("A-B-C-D-E", []),  # no digit: not a code
    # no place to break inside them (letters, digits, * and the marks of amounts): left as they are
    ("91460100MA5T00010J", []),  # 统一社会信用代码
    ("460106********7339", []),  # a masked 身份证号
    ("（琼）人服证字〔2026〕第4601050001号", []),
    ("缴费基数 6,000.00 元", []),
    ("海南椰风科技有限公司", []),
    (12345678, []),
])
def test_codes_are_wrapped_and_text_is_kept(text, codes):
    html = whole_codes(text)
    assert isinstance(html, Markup)
    wrapped = [part.split("</span>")[0] for part in str(html).split('<span class="app-code">')[1:]]
    assert wrapped == codes
    assert html.striptags() == str(text)


def test_text_is_escaped_and_markup_is_left_alone():
    html = whole_codes('<img src=x onerror=alert(1)> 2026-12-06 & "x"')
    assert "<img" not in html and "&lt;img" in html and "&amp;" in html and "&#34;x&#34;" in html
    assert '<span class="app-code">2026-12-06</span>' in html
    link = Markup('<a href="/m/1">460100-20261206-PCE-0008</a>')
    assert whole_codes(link) is link
    assert whole_codes(None) == ""
