"""Every text colour the app draws keeps WCAG AA contrast (4.5:1) on its background, in
both themes, computed from the themes themselves: the colours in app.tcss (a border's
title and subtitle included), the styles the widgets write in code, and the footer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.color import Color

from simulator.tui.theme import DARK, LIGHT, MIN_CONTRAST, contrast, theme_variables, themes

TUI = Path(__file__).resolve().parent.parent / "simulator" / "tui"
#: The backgrounds text is drawn on: the screen, dialogs, bars, and the highlighted line.
BACKGROUNDS = ("background", "surface", "panel", "boost", "footer-background")
#: Declarations that set the colour of text.
TEXT_PROPERTIES = ("color", "border-title-color", "border-subtitle-color")


def _rules(css: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, declarations) for each rule of a stylesheet."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        decls = dict(re.findall(r"([a-z-]+)\s*:\s*([^;]+);", body))
        out.append((" ".join(selector.split()), decls))
    return out


def _colour(value: str, variables: dict[str, str]) -> Color:
    """A CSS colour value ('$panel', '$primary 15%', '#fff') as the theme resolves it."""
    m = re.fullmatch(r"\$([\w-]+)(?:\s+(\d+)%)?", value.strip())
    if not m:
        return Color.parse(value.strip())
    colour = Color.parse(variables[m[1]])
    return colour.multiply_alpha(int(m[2]) / 100) if m[2] else colour


def _on_screen(value: str, variables: dict[str, str]) -> Color:
    """A background as shown: a see-through one ($boost) over the screen's background."""
    return Color.parse(variables["background"]) + _colour(value, variables)


def _border_colour(border: str) -> str:
    """The colour part of 'round $border'."""
    return border.split(None, 1)[1]


def _text_on_backgrounds(variables: dict[str, str]) -> list[tuple[str, str, float]]:
    """(where, colour, ratio) for every text colour of app.tcss on its rule's background."""
    found = []
    for selector, decls in _rules((TUI / "app.tcss").read_text()):
        background = _on_screen(decls.get("background", "$background"), variables)
        texts = {p: decls[p] for p in TEXT_PROPERTIES if p in decls}
        if "border" in decls and decls["border"].strip() != "none":
            for p in ("border-title-color", "border-subtitle-color"):
                texts.setdefault(p, _border_colour(decls["border"]))
        for prop, value in texts.items():
            ratio = contrast(_colour(value, variables), background)
            found.append((f"{selector} {prop}", value, ratio))
    return found


def _styles_in_code() -> set[str]:
    """The theme colours the widgets and screens name in their Content styles."""
    names: set[str] = set()
    for path in TUI.rglob("*.py"):
        for style in re.findall(r'"([^"\n]*\$[\w-]+[^"\n]*)"', path.read_text()):
            if "{" in style or ":" in style:
                continue  # a CSS block, checked with the stylesheet's rules
            names |= set(re.findall(r"\$((?:text|foreground)[\w-]*)", style))
    return names


@pytest.fixture(params=[DARK, LIGHT])
def variables(request: pytest.FixtureRequest) -> dict[str, str]:
    theme = next(t for t in themes() if t.name == request.param)
    return theme_variables(theme)


def test_the_stylesheets_text_colours_read_on_their_backgrounds(variables):
    weak = [(where, value, round(r, 2)) for where, value, r in _text_on_backgrounds(variables)
            if r < MIN_CONTRAST]
    assert not weak


def test_the_live_pace_line_is_not_drawn_in_the_border_colour(variables):
    # 'so far: 231 wpm' is the answer box's border subtitle; it was drawn in
    # $border-blurred, rgb 25,25,25 on 18,18,18.
    ratios = {where: r for where, _, r in _text_on_backgrounds(variables)}
    assert ratios["#transcript border-subtitle-color"] >= MIN_CONTRAST


def test_every_colour_the_widgets_write_reads_on_every_background(variables):
    names = _styles_in_code()
    assert {"text-warning", "foreground-muted", "text-success"} <= names
    weak = []
    for name in sorted(names):
        for bg in BACKGROUNDS:
            r = contrast(Color.parse(variables[name]), _on_screen(f"${bg}", variables))
            if r < MIN_CONTRAST:
                weak.append((name, bg, round(r, 2)))
    assert not weak


def test_the_footer_keys_and_words_read(variables):
    footer = _on_screen("$footer-background", variables)
    for name in ("footer-key-foreground", "footer-description-foreground"):
        assert contrast(Color.parse(variables[name]), footer) >= MIN_CONTRAST, name


def test_the_ratio_is_wcags():
    white, black = Color.parse("#ffffff"), Color.parse("#000000")
    assert contrast(white, black) == pytest.approx(21.0)
    assert contrast(Color.parse("#767676"), white) == pytest.approx(4.54, abs=0.01)
