"""Each component macro rendered from an example: the markup others rely on (X-8, X-11)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from jinja2 import Environment, FileSystemLoader

from portal import filters
from portal.forms import ChoiceField, Form, TextField
from portal.settings import ROOT

PAYLOAD = "\"'><img src=x onerror=alert(1)>{{7*7}}"


@pytest.fixture(scope="module")
def env() -> Environment:
    # The same loader, autoescape and filters the app's engine uses (litestar's JinjaTemplateEngine).
    env = Environment(loader=FileSystemLoader(ROOT / "templates"), autoescape=True)
    filters.install(env)
    return env


def render(env: Environment, source: str, **ctx) -> BeautifulSoup:
    return BeautifulSoup(env.from_string(source).render(**ctx), "html.parser")


async def bad_form() -> Form:
    form = Form(
        [TextField("name", "单位名称", max_len=5), TextField("phone", "联系电话", pattern=r"\d{11}"),
         ChoiceField("nature", "单位性质", choices=[("10", "企业"), ("30", "机关")])],
        {"name": "海南椰风科技有限公司", "phone": "12ab", "nature": "30"},
    )
    assert not await form.validate()
    return form


async def test_error_summary_links_to_each_bad_field_in_field_order(env):
    form = await bad_form()
    soup = render(env, '{% from "components/forms.html" import error_summary %}{{ error_summary(form) }}', form=form)
    summary = soup.find(class_="app-error-summary")
    assert summary["role"] == "alert" and summary.has_attr("data-autofocus")
    assert [a["href"] for a in summary.find_all("a")] == ["#f-name", "#f-phone"]
    assert "2 处" in summary.get_text() and "单位名称：单位名称不能超过5个字" in summary.get_text()
    empty = Form([TextField("name", "x")], {})
    assert render(env, '{% from "components/forms.html" import error_summary %}{{ error_summary(form) }}',
                  form=empty).find(class_="app-error-summary") is None


async def test_field_keeps_the_typed_value_and_describes_its_error(env):
    form = await bad_form()
    soup = render(env, '{% from "components/forms.html" import field %}{{ field(form, "name", hint="全称", required=True) }}'
                  '{{ field(form, "phone", type="password") }}', form=form)
    name = soup.find(id="f-name")
    assert name["value"] == "海南椰风科技有限公司"
    assert name["aria-invalid"] == "true" and name["aria-describedby"] == "f-name-hint f-name-error"
    assert soup.find("label", attrs={"for": "f-name"}).get_text(strip=True).startswith("单位名称")
    assert "不能超过5个字" in soup.find(id="f-name-error").get_text()
    assert soup.find(id="f-name").find_parent(class_="app-field--error")
    assert not soup.find(id="f-phone").has_attr("value"), "passwords are never sent back"


async def test_field_escapes_what_the_user_typed(env):
    form = Form([TextField("name", "名称", max_len=3)], {"name": PAYLOAD})
    await form.validate()
    html = env.from_string('{% from "components/forms.html" import field, textarea, error_summary %}'
                           '{{ error_summary(form) }}{{ field(form, "name") }}{{ textarea(form, "name") }}').render(form=form)
    assert "<img" not in html and "&lt;img" in html and "49" not in html


async def test_select_marks_the_chosen_option_and_textarea_keeps_text(env):
    form = await bad_form()
    soup = render(env, '{% from "components/forms.html" import select, radios %}'
                  '{{ select(form, "nature", [("10", "企业"), ("30", "机关")], required=True) }}', form=form)
    options = soup.find(id="f-nature").find_all("option")
    assert [o["value"] for o in options] == ["", "10", "30"] and options[0].get_text() == "请选择"
    assert [o["value"] for o in options if o.has_attr("selected")] == ["30"]
    soup = render(env, '{% from "components/forms.html" import radios %}{{ radios(form, "nature", opts) }}',
                  form=form, opts=[("10", "企业"), ("30", "机关")])
    assert [i["value"] for i in soup.find_all("input", checked=True)] == ["30"]
    assert soup.find("fieldset").find("legend").get_text(strip=True) == "单位性质"


@dataclass
class PageInfo:
    number: int
    has_prev: bool
    has_next: bool
    prev_url: str
    next_url: str
    total: int | None


def test_pager_links_both_ways_with_htmx_and_href(env):
    page = PageInfo(2, True, True, "/x?page=1", "/x?page=3", 120)
    soup = render(env, '{% from "components/tables.html" import pager %}{{ pager(page, target="#r") }}', page=page)
    nav = soup.find("nav", class_="app-pager")
    assert nav["aria-label"] == "分页" and "第 2 页，共 120 条" in nav.get_text()
    prev, nxt = nav.find("a", rel="prev"), nav.find("a", rel="next")
    assert prev["href"] == prev["hx-get"] == "/x?page=1" and nxt["href"] == "/x?page=3" and nxt["hx-target"] == "#r"
    first = PageInfo(1, False, False, "", "", None)
    soup = render(env, '{% from "components/tables.html" import pager %}{{ pager(page) }}', page=first)
    assert soup.find("a") is None and "共" not in soup.get_text()


def test_data_table_escapes_cells_and_shows_empty_state(env):
    source = '{% from "components/tables.html" import data_table %}{{ data_table(cols, rows, caption="名单") }}'
    soup = render(env, source, cols=[("name", "姓名"), ("n", "人数")], rows=[{"name": PAYLOAD, "n": None}])
    assert [th.get_text() for th in soup.find_all("th")] == ["姓名", "人数"]
    assert soup.find("img") is None and soup.find("td").get_text() == PAYLOAD
    assert soup.find("caption").get_text() == "名单"
    soup = render(env, source, cols=[("name", "姓名")], rows=[])
    assert soup.find("table") is None and soup.find(class_="app-empty")["role"] == "status"


def test_status_badge_and_empty_state(env):
    soup = render(env, '{% from "components/ui.html" import status_badge, empty_state %}'
                  '{{ status_badge("审核通过", "success") }}{{ status_badge(t) }}{{ empty_state("暂无办件", "请先申报") }}',
                  t=PAYLOAD)
    badges = soup.find_all(class_="app-badge")
    assert badges[0]["class"] == ["app-badge", "app-badge--success"] and badges[0].get_text() == "审核通过"
    assert "app-badge--neutral" in badges[1]["class"] and soup.find("img") is None
    empty = soup.find(class_="app-empty")
    assert empty["role"] == "status" and "暂无办件" in empty.get_text() and "请先申报" in empty.get_text()


def test_modal_is_a_labelled_dialog_with_a_close_button(env):
    soup = render(env, '{% from "components/ui.html" import modal %}'
                  '{% call modal("审核办件", id="review") %}<p>正文</p>{% endcall %}')
    dialog = soup.find(id="review")
    assert dialog["role"] == "dialog" and dialog["aria-modal"] == "true"
    assert dialog["aria-labelledby"] == "review-title" and soup.find(id="review-title").get_text() == "审核办件"
    assert dialog.find("button", attrs={"aria-label": "关闭"}).has_attr("data-modal-close")
    assert dialog.find(class_="app-modal__body").find("p").get_text() == "正文"


def test_summary_list_and_notice(env):
    soup = render(env, '{% from "components/ui.html" import summary_list, notice %}'
                  '{{ summary_list([("单位名称", "椰风"), ("联系人", "")]) }}{{ notice("出错了", "danger") }}')
    assert [dd.get_text() for dd in soup.find_all("dd")] == ["椰风", "—"]
    assert soup.find(class_="app-notice")["role"] == "alert"


def test_summary_list_keeps_each_code_whole_and_escapes_the_rest(env):
    soup = render(env, '{% from "components/ui.html" import summary_list %}{{ summary_list(rows) }}', rows=[
        ("办件编号", "460100-20261206-PCE-0008"), ("标题", "工伤快报 2026-11-09 符海峰"), ("备注", PAYLOAD)])
    number, title, note = soup.find_all("dd")
    assert [s.get_text() for s in number.select("span.app-code")] == ["460100-20261206-PCE-0008"]
    assert title.get_text() == "工伤快报 2026-11-09 符海峰"
    assert [s.get_text() for s in title.select("span.app-code")] == ["2026-11-09"]
    assert note.get_text() == PAYLOAD and note.find("img") is None
