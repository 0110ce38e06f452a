"""render(): an htmx request gets only the named block, and macros imported at the template's top still work."""


from jinja2 import DictLoader, Environment

from portal.web import _top_level_imports


def test_block_alone_sees_top_level_imports():
    env = Environment(
        loader=DictLoader(
            {
                "macros.html": "{% macro badge(t) %}<b>{{ t }}</b>{% endmacro %}",
                "base.html": "<main>{% block results %}{% endblock %}</main>",
                "page.html": '{% extends "base.html" %}{% from "macros.html" import badge %}'
                '{% import "macros.html" as m %}{% block results %}{{ badge(x) }}{{ m.badge(x) }}{% endblock %}',
            }
        ),
        autoescape=True,
        auto_reload=False,
    )
    tmpl = env.get_template("page.html")
    names = _top_level_imports(env, "page.html")
    body = "".join(tmpl.blocks["results"](tmpl.new_context({**names, "x": "<i>"})))
    assert body == "<b>&lt;i&gt;</b><b>&lt;i&gt;</b>"
