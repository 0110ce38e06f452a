"""WCAG 2.1 AA contrast (4.5:1 for text) of the colour pairs portal.css uses, in the standard and 长辈版 modes."""

from __future__ import annotations

import re

import pytest

from portal.settings import ROOT

CSS = (ROOT / "static/css/portal.css").read_text(encoding="utf-8")


def _vars(selector: str) -> dict[str, str]:
    block = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", CSS)
    assert block, selector
    return dict(re.findall(r"--app-([a-z-]+):\s*(#[0-9a-fA-F]{3,6})", block.group(1)))


def _rule(selector: str) -> dict[str, str]:
    block = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", CSS)
    assert block, selector
    return dict(re.findall(r"(?:^|;)\s*([a-z-]+):\s*(#[0-9a-fA-F]{3,6})", block.group(1)))


def _luminance(colour: str) -> float:
    h = colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


STANDARD = _vars(":root")
ELDER = {**STANDARD, **_vars("html.app-elder")}
# (foreground, background) as variable names; "white" is --app-white.
PAIRS = [
    ("text", "bg"), ("text", "white"), ("muted", "white"), ("muted", "bg"), ("blue", "white"),
    ("blue-dark", "white"), ("error", "white"), ("white", "blue"), ("white", "blue-dark"), ("white", "red"),
    ("success", "white"), ("warning", "white"),
]


@pytest.mark.parametrize("mode,colours", [("standard", STANDARD), ("elder", ELDER)])
@pytest.mark.parametrize("fg,bg", PAIRS)
def test_text_pairs_meet_aa(mode, colours, fg, bg):
    assert contrast(colours[fg], colours[bg]) >= 4.5, (mode, fg, bg)


@pytest.mark.parametrize("tone", ["neutral", "info", "success", "warning", "danger"])
def test_badges_meet_aa(tone):
    rule = _rule(f".app-badge--{tone}")
    assert contrast(rule["color"], rule["background"]) >= 4.5


def test_footer_and_focus_ring():
    footer = _rule(".app-footer")
    assert contrast(footer["color"], footer["background"]) >= 4.5
    # The focus ring (yellow outline around a dark halo) stands out on white and on the blue/red bars (3:1).
    for background in (STANDARD["white"], STANDARD["blue"], STANDARD["red"]):
        assert max(contrast(STANDARD["focus"], background), contrast("#0b0c0c", background)) >= 3


def test_elder_mode_is_larger_and_darker():
    sizes = dict(re.findall(r"(:root|html\.app-elder)\s*\{[^}]*?font-size:\s*(\d+)px", CSS))
    assert int(sizes["html.app-elder"]) >= 1.25 * int(sizes[":root"])
    assert contrast(ELDER["text"], ELDER["bg"]) > contrast(STANDARD["text"], STANDARD["bg"])
    assert contrast(ELDER["muted"], ELDER["white"]) >= 7  # AAA in 长辈版
