"""Normalising transcripts and rubric terms so they can be compared."""

from __future__ import annotations

import re

_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "sixteen": "16", "twenty": "20", "thirty": "30", "sixty": "60", "hundred": "100",
}
_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """Lowercase word tokens with number words as digits ('four bit' -> ['4', 'bit'])."""
    out = []
    for t in _TOKEN.findall(text.lower().replace("-", " ")):
        out.append(_NUMBER_WORDS.get(t, t))
    return out


def spans(text: str) -> list[tuple[str, int, int]]:
    """Tokens of ``text`` with their character offsets in it."""
    out = []
    for m in _TOKEN.finditer(text.lower()):
        out.append((_NUMBER_WORDS.get(m.group(0), m.group(0)), m.start(), m.end()))
    return out
