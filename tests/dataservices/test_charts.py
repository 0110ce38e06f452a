"""The platform chart spec: what goes into the JSON island and the fallback table, and the specs it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from portal import filters
from portal.dataservices.charts import Chart, Series

ROOT = Path(__file__).resolve().parents[2]


def test_money_goes_to_the_island_in_yuan_and_to_the_table_formatted():
    spec = Chart("si-x", "每月缴费", ["1月", "2月"], [Series("个人", [123456, None], stack="s")], unit="元", money=True)
    assert spec.data()["series"] == [{"name": "个人", "stack": "s", "values": [1234.56, None]}]
    assert spec.table_rows() == [("1月", ["1,234.56"]), ("2月", [""])]


def test_counts_stay_counts():
    spec = Chart("hra-stats", "新增", ["海口市"], [Series("新增", [1200])], kind="line")
    assert spec.data()["series"][0]["values"] == [1200] and spec.table_rows() == [("海口市", ["1,200"])]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"key": "Bad Key"}, "lowercase"),
    ({"kind": "pie"}, "kind"),
    ({"series": [Series("a", [1, 2, 3])]}, "3 values for 2 categories"),
])
def test_refuses_a_malformed_spec(kwargs, message):
    args = {"key": "ok", "title": "t", "categories": ["a", "b"], "series": [Series("a", [1, 2])], **kwargs}
    with pytest.raises(ValueError, match=message):
        Chart(**args)


def _render(spec: Chart, source: str) -> str:
    env = Environment(loader=FileSystemLoader(ROOT / "templates"), autoescape=True)
    filters.install(env)
    return env.from_string(source).render(spec=spec)


def test_macro_renders_island_hidden_canvas_and_escaped_table():
    spec = Chart("c", "<b>标题</b>", ["</script>"], [Series("值", [5])])
    html = _render(spec, '{% from "components/chart.html" import chart %}{{ chart(spec) }}')
    island = html.split('id="chart-c-data">')[1].split("</script>")[0]
    assert json.loads(island)["categories"] == ["</script>"] and "<b>" not in html
    assert 'data-chart="chart-c-data"' in html and " hidden></div>" in html
    assert 'data-testid="chart-c-table"' in html and "/static/vendor/echarts.min.js" in html


def test_macro_keeps_the_callers_table_instead():
    spec = Chart("c", "t", ["a"], [Series("值", [5])])
    html = _render(spec, '{% from "components/chart.html" import chart %}'
                         '{% call chart(spec, scripts=False) %}<table id="mine"></table>{% endcall %}')
    assert 'id="mine"' in html and "chart-c-table" not in html and "echarts.min.js" not in html
