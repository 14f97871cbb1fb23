"""How words sound, coarsely: for telling a mishearing from a different word.

Spelling hides sound: "on scene" and "unseen", "Okay V" and "KV", "a well" and
"eval" share few letters but are said almost alike. espeak-ng (already needed
for the interviewer's voice) turns text into phonemes; they are then reduced
to a coarse key in which every vowel is one symbol and voiced and voiceless
consonants are merged, because those are the differences a small Whisper
model gets wrong. Where espeak-ng is missing, nothing is keyed and the callers
do without.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

_VOWELS = frozenset("aAeEiIoOuUV03@")
_UNVOICED = {"b": "p", "d": "t", "g": "k", "v": "f", "z": "s", "D": "T", "Z": "S"}
#: espeak-ng's stress, length and syllable marks, which carry no sound of their own.
_MARKS = re.compile(r"[',%=_:;!#2-]")


@lru_cache(maxsize=1)
def _espeak() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


def _key(phonemes: str) -> str:
    out: list[str] = []
    for ch in _MARKS.sub("", phonemes):
        if ch.isspace():
            continue
        c = "a" if ch in _VOWELS else _UNVOICED.get(ch, ch).lower()
        if not (out and out[-1] == c == "a"):
            out.append(c)
    return "".join(out)


def keys(texts: list[str]) -> list[str] | None:
    """The sound key of each text (one espeak-ng call for all that are not cached yet),
    or None where espeak-ng cannot be run."""
    missing = [t for t in dict.fromkeys(texts) if t not in _known]
    if len(_known) > _MOST_KEYS:
        _known.clear()
        missing = list(dict.fromkeys(texts))
    if missing:
        exe = _espeak()
        if exe is None:
            return None
        # One text a line; a slash or hyphen would be read out ("a slash b").
        lines = [re.sub(r"[/\-\n]+", " ", t).strip() or "." for t in missing]
        try:
            done = subprocess.run([exe, "-q", "-x", "-v", "en-us"], input="\n".join(lines) + "\n",
                                  capture_output=True, text=True, timeout=_ESPEAK_TIMEOUT_S,
                                  check=True)
        except (OSError, subprocess.SubprocessError):
            return None
        out = [line for line in done.stdout.splitlines() if line.strip()]
        if len(out) != len(missing):
            return None  # lines ran together: no safe way to pair them up
        for text, phonemes in zip(missing, out, strict=True):
            _known[text] = _key(phonemes)
    return [_known[t] for t in texts]


def alike(a: str, b: str) -> float:
    """How alike two sound keys are, 0..1."""
    return Levenshtein.normalized_similarity(a, b)


_known: dict[str, str] = {}
#: Sound keys kept at most: a long-running app should not grow without end.
_MOST_KEYS = 50_000
#: espeak-ng keys thousands of words in well under a second; a hung one is given up on.
_ESPEAK_TIMEOUT_S = 10
