"""The app's two themes, readable by WCAG AA, and following the terminal's light or dark
background."""

from __future__ import annotations

import os
import re
import select
import sys
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

if TYPE_CHECKING:
    from textual.app import App

DARK = "interview-dark"
LIGHT = "interview-light"
#: WCAG AA for body text: the least contrast every text colour keeps on its background.
MIN_CONTRAST = 4.5
#: Textual's own themes, with the text colours that fall short of MIN_CONTRAST darkened.
#: In the light theme muted text, green, amber and the footer's keys read at 2.8 to 3.8:1
#: on the panel grey; the dark theme passes as it is.
_BASES = {DARK: "textual-dark", LIGHT: "textual-light"}
_TEXT = {
    DARK: {},
    LIGHT: {"foreground-muted": "#505050", "text-success": "#225E36",
            "text-warning": "#7A4E0E", "text-accent": "#7A4E0E",
            "footer-key-foreground": "#00508F"},
}


def themes() -> list[Theme]:
    """The app's dark and light themes."""
    return [replace(BUILTIN_THEMES[base], name=name,
                    variables={**BUILTIN_THEMES[base].variables, **_TEXT[name]})
            for name, base in _BASES.items()]


def theme_variables(theme: Theme) -> dict[str, str]:
    """The CSS variables ``theme`` gives an app, as App.get_css_variables makes them: the
    generated colour system with the theme's own variables on top."""
    return {**theme.to_color_system().generate(), **theme.variables}


def register_themes(app: App[Any]) -> None:
    """Make DARK and LIGHT known to ``app`` (before it sets its theme)."""
    for theme in themes():
        app.register_theme(theme)


def _luminance(c: Color) -> float:
    def linear(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b)


def contrast(text: Color, background: Color) -> float:
    """The WCAG contrast ratio of ``text`` drawn over ``background`` (1 to 21); a text
    colour with alpha is first blended onto the background, as the terminal shows it."""
    shown = background + text
    hi, lo = sorted((_luminance(shown), _luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
_RGB = re.compile(r"\]11;rgb:([0-9a-fA-F]+)/([0-9a-fA-F]+)/([0-9a-fA-F]+)")


def _light_from_colorfgbg(value: str) -> bool | None:
    """COLORFGBG is 'fg;bg' (some terminals add a middle field); bg 7 or 9-15 is light."""
    bg = value.split(";")[-1].strip()
    if not bg.isdigit():
        return None
    return int(bg) == 7 or 9 <= int(bg) <= 15


def _light_from_reply(reply: str) -> bool | None:
    m = _RGB.search(reply)
    if not m:
        return None
    r, g, b = (int(h, 16) / (16 ** len(h) - 1) for h in m.groups())
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5


def _ask_terminal(timeout_s: float) -> bool | None:
    """Ask for the background colour (OSC 11), then for the device attributes (DA1).

    Every terminal answers DA1, so when its answer comes first the terminal does not
    know OSC 11, and there is no need to wait out the timeout.
    """
    if os.name != "posix" or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    import termios
    import tty

    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None
    old = termios.tcgetattr(fd)
    reply = ""
    try:
        tty.setraw(fd)
        os.write(fd, b"\x1b]11;?\x1b\\\x1b[c")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            reply += os.read(fd, 256).decode("latin-1")
            if re.search(r"\x1b\[\?[0-9;]*c", reply):
                break
    except OSError:
        return None
    finally:
        termios.tcsetattr(fd, termios.TCSAFLUSH, old)
        os.close(fd)
    return _light_from_reply(reply)


def pick_theme(choice: str = "auto", timeout_s: float = 0.2) -> str:
    """The Textual theme for 'auto', 'dark' or 'light'."""
    if choice == "light":
        return LIGHT
    if choice == "dark":
        return DARK
    light = _ask_terminal(timeout_s)
    if light is None and os.environ.get("COLORFGBG"):
        light = _light_from_colorfgbg(os.environ["COLORFGBG"])
    return LIGHT if light else DARK
