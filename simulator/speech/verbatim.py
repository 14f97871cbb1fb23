"""Keeping how things were said: filler words, with their times, checked against the audio.

Whisper tidies speech up: it drops most "um"s and "uh"s. A short prompt made of
fillers makes it write them, but now and then it writes one that was never
said. Each filler it writes is therefore kept only when there is voiced audio
where it says the filler was.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from simulator.audio import SAMPLE_RATE

if TYPE_CHECKING:
    from simulator.speech.stt import Word

#: Conditions the decoder to write fillers; short, so it does not invent sentences.
FILLER_PROMPT = "Um, uh, er, hmm."
FILLER_WORDS = frozenset({"um", "uh", "er", "erm", "hmm", "hm", "mm", "ah", "uhm", "umm", "uhh"})
_FILLER_RE = re.compile(r"(?i)(?<![\w'])(?:" + "|".join(sorted(FILLER_WORDS, key=len, reverse=True))
                        + r")(?![\w'])[,.!?]?")


def bare(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def is_filler(word: str) -> bool:
    return bare(word) in FILLER_WORDS


def strip_fillers(text: str) -> str:
    """The text the judge reads: what was said, without the fillers."""
    out = _FILLER_RE.sub("", text)
    out = re.sub(r"\s+([,.!?])", r"\1", out)
    out = re.sub(r"([,.!?])(?:\s*[,])+", r"\1", out)
    out = re.sub(r"^\s*[,.]\s*", "", out)
    return re.sub(r"\s{2,}", " ", out).strip()


def _voiced_s(audio: np.ndarray, start: float, end: float, floor: float) -> float:
    a = audio[int(max(0.0, start) * SAMPLE_RATE): int(end * SAMPLE_RATE)]
    if len(a) < 160:
        return 0.0
    frames = a[: len(a) // 160 * 160].reshape(-1, 160)
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    return float((rms > floor).sum()) * 0.01


def speech_floor(audio: np.ndarray) -> float:
    """A level below the answer's typical speech, above its silence."""
    if len(audio) < 1600:
        return 0.01
    frames = audio[: len(audio) // 160 * 160].reshape(-1, 160)
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    return max(0.005, float(np.percentile(rms, 90)) * 0.15)


def _voiced_runs(audio: np.ndarray, start: float, end: float, floor: float
                 ) -> list[tuple[float, float]]:
    a = audio[int(max(0.0, start) * SAMPLE_RATE): int(max(start, end) * SAMPLE_RATE)]
    if len(a) < 160:
        return []
    frames = a[: len(a) // 160 * 160].reshape(-1, 160)
    voiced = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1)) > floor
    runs, i = [], 0
    while i < len(voiced):
        if voiced[i]:
            j = i
            while j < len(voiced) and voiced[j]:
                j += 1
            runs.append((max(0.0, start) + i / 100, max(0.0, start) + j / 100))
            i = j
        else:
            i += 1
    return runs


def keep_real_fillers(words: list[Word], audio: np.ndarray) -> list[Word]:
    """Mark fillers, dropping any that has no voiced audio where it is said to be, and
    placing each on its own stretch of voice (Whisper often gives a filler no length
    and the time of the word after it)."""
    floor = speech_floor(audio)
    out: list[Word] = []
    for w in words:
        if not is_filler(w.word):
            out.append(w)
            continue
        prev_end = out[-1].end if out else 0.0
        if w.end - w.start < 0.1:
            # The filler sits in the voice between the previous word and this time.
            runs = [r for r in _voiced_runs(audio, prev_end - 0.05, w.start + 0.1, floor)
                    if r[1] - r[0] >= 0.08]
            if runs:
                s, e = runs[-1]
                out.append(replace(w, start=round(s, 3), end=round(e, 3), filler=True))
            continue
        # Word timings are loose by a tenth of a second or so: look a little wider.
        if _voiced_s(audio, w.start - 0.1, w.end + 0.1, floor) >= 0.08:
            out.append(replace(w, filler=True))
    return out
