"""render(): an htmx request gets only the named block, and macros imported at the template's top still work."""


from jinja2 import DictLoader, Environment

from portal.web import _block, _top_level_imports


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


def test_a_block_declared_by_a_parent_is_found_and_fills_in_the_pages_blocks():
    """layouts/confirm.html's shape: the parent declares `modal` once, the page fills `panel`; the block rendered
    alone (htmx) is the parent's, with the page's panel in it. A block nobody declares is an error, not ''."""
    import pytest

    env = Environment(
        loader=DictLoader(
            {
                "base.html": "<main>{% block content %}{% endblock %}</main>",
                "shape.html": '{% extends "base.html" %}{% block content %}<h1>{{ t }}</h1>{{ self.panel() }}'
                "{% endblock %}{% block modal %}<dialog>{{ self.panel() }}</dialog>{% endblock %}"
                "{% block panel %}{% endblock %}",
                "page.html": '{% extends "shape.html" %}{% block panel %}<p>{{ x }}</p>{% endblock %}',
            }
        ),
        autoescape=True,
        auto_reload=False,
    )
    tmpl = env.get_template("page.html")
    block = _block(env, tmpl, "page.html", "modal")
    assert "".join(block(tmpl.new_context({"x": "<i>"}))) == "<dialog><p>&lt;i&gt;</p></dialog>"
    assert tmpl.render(t="T", x="y") == "<main><h1>T</h1><p>y</p></main>"  # the page: the panel once
    with pytest.raises(KeyError):
        _block(env, tmpl, "page.html", "nothing")
