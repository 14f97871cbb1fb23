"""Checking transcripts: reading a line of fixes (the app's check box and the command line
read the same format), and where the command line gets those lines from.

A line is ``heard => meant`` (or ``->``), several separated by ``;``. Headless,
one line per answer, in order; an empty line (or the end of the file) accepts
the transcript as heard.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from simulator.errors import UserError

_ARROW = re.compile(r"\s*(?:=>|->|→)\s*")
_QUOTES = "`'\"“”‘’ "


def parse_fixes(line: str) -> list[tuple[str, str]]:
    """``'laura => LoRA; cue Laura -> QLoRA'`` as (heard, meant) pairs.

    Raises ValueError, in words for the candidate, when a part is not ``heard => meant``.
    """
    pairs = []
    for part in (p.strip() for p in line.split(";")):
        if not part:
            continue
        sides = [s.strip(_QUOTES) for s in _ARROW.split(part)]
        if len(sides) != 2 or not all(sides):
            raise ValueError(f"“{part}” is not  heard => meant")
        pairs.append((sides[0], sides[1]))
    if not pairs:
        raise ValueError("write a fix as  heard => meant")
    return pairs


def parse_line(line: str, where: str = "--review") -> list[tuple[str, str]]:
    """One headless line: empty accepts the transcript; otherwise fixes, or a UserError."""
    if not line.strip():
        return []
    try:
        return parse_fixes(line)
    except ValueError as exc:
        raise UserError(f"cannot read the correction ({exc}); write it as 'heard => meant', "
                        "several separated by ';'", field=where) from None


class ReviewInput:
    """Where corrections come from: a file (``--review FILE``) or the terminal (stdin)."""

    def __init__(self, path: Path | None, stdin: TextIO = sys.stdin, err: TextIO = sys.stderr):
        self.err = err
        self.interactive = path is None and stdin.isatty()
        self._where = str(path) if path else "stdin"
        if path is not None:
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise UserError(f"cannot read the corrections file ({exc.__class__.__name__})",
                                path=path, field="--review") from None
            for n, line in enumerate(lines, 1):  # check the whole file before the round
                parse_line(line, f"{path}:{n}")
            self._lines: Iterator[str] = iter(lines)
        else:
            self._lines = iter(stdin.readline, "")

    def next(self, unsure: list[str]) -> list[tuple[str, str]]:
        """This answer's corrections. A line that cannot be read is asked for again at a
        terminal, and skipped (with a note) from a pipe: the round is never lost to it."""
        hint = f" Unsure: {', '.join(unsure[:8])}." if unsure else ""
        while True:
            if self.interactive:
                self.err.write(f"  Check what was heard.{hint} Corrections as 'heard => "
                               "meant' (';' between several), or Enter to go on: ")
                self.err.flush()
            line = next(self._lines, "").rstrip("\n")
            try:
                pairs = parse_line(line, self._where)
            except UserError as exc:
                self.err.write(f"  {exc}\n")
                if self.interactive:
                    continue
                return []
            if pairs and not self.interactive:
                self.err.write(f"  corrections from {self._where}: {line.strip()}\n")
            return pairs
