"""Issue 18.3: text on the dashboard meets WCAG AA contrast (4.5:1 for text, 3:1 for the chart's bars against
their track), computed from the one stylesheet's colours — a colour changed there that fails is caught here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import bot.dashboard

CSS = re.sub(r"/\*.*?\*/", "", (Path(bot.dashboard.__file__).parent / "static" / "dashboard.css").read_text(
    encoding="utf-8"), flags=re.S)  # without comments


def _hex(value: str) -> str:
    """#fff → #ffffff."""
    return "#" + "".join(c * 2 for c in value[1:]) if len(value) == 4 else value


VARIABLES = {name: _hex(value) for name, value in re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b", CSS)}


def _colour(value: str) -> str:
    return VARIABLES[value.removeprefix("var(--").removesuffix(")")] if value.startswith("var(") else _hex(value)


def _rule(selector: str, prop: str) -> str:
    """The value of `prop` in the rule whose selector list contains `selector`."""
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", CSS):
        if selector in [s.strip() for s in selectors.split(",")]:
            found = re.search(rf"(?:^|;|\s){prop}:\s*([^;]+)", body)
            if found:
                return _colour(found.group(1).strip())
    raise AssertionError(f"no {prop} for {selector}")


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


WHITE = "#ffffff"
TEXT_PAIRS = {  # what is written on what
    "body text": (VARIABLES["ink"], VARIABLES["bg"]),
    "links": (VARIABLES["accent"], VARIABLES["bg"]),
    "notes, muted cells, 'đang cập nhật'": (VARIABLES["muted"], VARIABLES["bg"]),
    "header text and nav on the blue bar": (WHITE, VARIABLES["accent"]),
    "table headings": (VARIABLES["ink"], VARIABLES["soft"]),
    "reached (✓, done)": (_rule(".state-dat", "color"), VARIABLES["bg"]),
    "in progress, missing": (_rule(".cell-missing", "color"), VARIABLES["bg"]),
    "not reached, overdue": (_rule(".cell-overdue", "color"), VARIABLES["bg"]),
    "the 'being updated' notice": (VARIABLES["ink"], _rule(".updating", "background")),
    "a link in that notice": (VARIABLES["accent"], _rule(".updating", "background")),
    "the primary button": (WHITE, VARIABLES["accent"]),
}


@pytest.mark.parametrize("what", list(TEXT_PAIRS))
def test_text_contrast_is_at_least_aa(what):
    fore, back = TEXT_PAIRS[what]
    assert contrast(fore, back) >= 4.5, (what, fore, back, round(contrast(fore, back), 2))


def test_chart_bars_stand_out_from_their_track():
    track = _rule(".chart .track", "fill")
    for bar in (".chart .bar-dat", ".chart .bar-dang_thuc_hien", ".chart .bar-chua_dat"):
        assert contrast(_rule(bar, "fill"), track) >= 3, bar


def test_the_contrast_formula():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0 and contrast("#777777", "#ffffff") < 4.5
