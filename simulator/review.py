"""Headless checking of transcripts: corrections typed at the terminal or read from a file.

One line per answer, in order: ``heard => meant``, several separated by ``;``.
An empty line (or the end of the file) accepts the transcript as heard.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from simulator.errors import UserError

_ARROW = re.compile(r"\s*(?:=>|->)\s*")


def parse_line(line: str, where: str = "--review") -> list[tuple[str, str]]:
    """'laura => LoRA; we rank => rerank' -> [('laura', 'LoRA'), ('we rank', 'rerank')]."""
    pairs = []
    for part in line.split(";"):
        if not part.strip():
            continue
        bits = _ARROW.split(part.strip())
        if len(bits) != 2 or not bits[0].strip() or not bits[1].strip():
            raise UserError(f"cannot read the correction {part.strip()!r}; write it as "
                            "'heard => meant', several separated by ';'", field=where)
        pairs.append((bits[0].strip(), bits[1].strip()))
    return pairs


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
