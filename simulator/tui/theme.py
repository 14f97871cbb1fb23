"""Following the terminal's light or dark background."""

from __future__ import annotations

import os
import re
import select
import sys
import time

DARK = "textual-dark"
LIGHT = "textual-light"
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
