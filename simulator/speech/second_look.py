"""Where the decoder lost its place in an answer, so that stretch can be read again.

A small Whisper model, prompted with the question's vocabulary, now and then
loses its place: it jumps to the end of its window and stretches the last word
it wrote over seconds of speech, it writes a phrase it has already written
instead of what follows, or it writes nothing over a stretch of voice. Each of
these shows when the word timings are laid over the audio: voice that no word
plausibly accounts for, or a run of words copied from earlier in the answer.
Such a stretch is decoded again on its own, cut at pauses, and the new reading
is kept only where it accounts for the voice better.
"""

from __future__ import annotations

import numpy as np

from simulator.audio.levels import FRAME_S, frame_at, runs
from simulator.speech.transcript import Word, replaced
from simulator.text import bare

#: Voice no word accounts for, at least this long, is a stretch the decoder skipped.
LOST_S = 0.6
#: Stretches of unaccounted voice closer than this are one place.
_JOIN_S = 0.3
#: A run of this many words that repeats earlier words is a loop, not something said twice.
REPEAT_WORDS = 6
#: Word timings are loose by about this much at either edge.
_SLACK_S = 0.1
#: The longest a word can plausibly take: a fixed part and a part per letter (slow speech).
_WORD_BASE_S, _LETTER_S = 0.3, 0.09
#: A word said in less time than this was squeezed in by the decoder, not heard...
_SQUEEZED_S = 0.02
#: ...and one this much longer than it could take was stretched over other speech.
_STRETCH_S = 0.5
#: How far from a lost stretch to look for the pause a clip is cut at.
_CONTEXT_S, _SEARCH_S = 1.0, 6.0
#: The silence a clip may be cut in.
_PAUSE_S = 0.15
#: Each word of a loop weighs as much as this much unaccounted voice.
_REPEAT_WEIGHT_S = 0.3
#: A new reading must account for at least this much more voice to replace the old.
BETTER_BY_S = 0.3


def _plausible_s(word: str) -> float:
    return _WORD_BASE_S + _LETTER_S * len(bare(word))


def _mistimed(w: Word) -> bool:
    took = w.end - w.start
    return not w.filler and (took < _SQUEEZED_S or took > _plausible_s(w.word) + _STRETCH_S)


def unaccounted(words: list[Word], voiced: np.ndarray) -> np.ndarray:
    """Per frame, voice that no word accounts for. A word accounts for its own span
    (a little wider, timings being loose) but only as long as it could take to say: a
    word stretched over seconds of speech does not account for them."""
    covered = np.zeros(len(voiced), dtype=bool)
    for w in words:
        end = w.end if w.filler else min(w.end, w.start + _plausible_s(w.word))
        covered[frame_at(w.start - _SLACK_S): frame_at(end + _SLACK_S)] = True
    return voiced & ~covered


def repeated(words: list[Word]) -> list[int]:
    """Indexes of words in runs of REPEAT_WORDS or more that copy an earlier run."""
    said = [bare(w.word) for w in words]
    n = REPEAT_WORDS
    first: dict[tuple[str, ...], int] = {}
    out: set[int] = set()
    for i in range(len(said) - n + 1):
        key = tuple(said[i:i + n])
        if "" in key:
            continue
        j = first.setdefault(key, i)
        if j + n <= i:
            out.update(range(i, i + n))
    return sorted(out)


def trouble(words: list[Word], voiced: np.ndarray, lo: float, hi: float) -> float:
    """How badly a reading fits the audio in [lo, hi): seconds of voice no word
    accounts for, plus a weight for each looped word."""
    lost = unaccounted(words, voiced)[frame_at(lo): frame_at(hi)].sum() * FRAME_S
    loops = sum(1 for i in repeated(words) if lo <= (words[i].start + words[i].end) / 2 < hi)
    return float(lost + _REPEAT_WEIGHT_S * loops)


def lost_places(words: list[Word], voiced: np.ndarray) -> list[tuple[float, float]]:
    """Stretches (start, end in seconds) where the reading lost its place, in order."""
    spans: list[tuple[float, float]] = []
    lost = unaccounted(words, voiced)
    # Voice still going when the recording stops (a live partial cut in mid-word) is
    # speech not yet read, not speech lost.
    for a, b in (r for r in runs(lost) if r[1] < len(lost)):
        if spans and a * FRAME_S - spans[-1][1] < _JOIN_S:
            spans[-1] = (spans[-1][0], b * FRAME_S)
        else:
            spans.append((a * FRAME_S, b * FRAME_S))
    places = [(a, b) for a, b in spans
              if lost[frame_at(a): frame_at(b)].sum() * FRAME_S >= LOST_S]
    # A copied run is a loop only when its timings show the audio does not hold it (a
    # word squeezed to nothing or stretched past saying); a candidate may well say the
    # same six words twice.
    copied = np.zeros(len(words), dtype=bool)
    copied[repeated(words)] = True
    for a, b in runs(copied):
        if any(_mistimed(w) for w in words[a:b]):
            places.append((words[a].start, words[b - 1].end))
    return _merged(sorted(places))


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in spans:
        if out and a <= out[-1][1] + _JOIN_S:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def clip_around(start: float, end: float, voiced: np.ndarray) -> tuple[float, float]:
    """Where to cut a clip holding [start, end) with a little context: in the middle of
    the nearest pause before and after, so no word is cut in two."""
    total = len(voiced) * FRAME_S
    silent = ~voiced
    pauses = [((a + b) / 2 * FRAME_S) for a, b in runs(silent) if (b - a) * FRAME_S >= _PAUSE_S]
    before = [t for t in pauses if start - _CONTEXT_S - _SEARCH_S <= t <= start - _CONTEXT_S]
    after = [t for t in pauses if end + _CONTEXT_S <= t <= end + _CONTEXT_S + _SEARCH_S]
    lo = before[-1] if before else max(0.0, start - _CONTEXT_S)
    hi = after[0] if after else min(total, end + _CONTEXT_S)
    return max(0.0, lo), min(total, hi)


def spliced(words: list[Word], new: list[Word], lo: float, hi: float) -> list[Word]:
    """``words`` with those said in [lo, hi) replaced by ``new`` (timed on the answer).
    A filler of the old reading stays where no new word is said over it: a short clip
    read on its own often leaves out an "um" the whole answer's reading had written."""
    def inside(w: Word) -> bool:
        return lo <= (w.start + w.end) / 2 < hi

    return replaced(words, inside, [w for w in new if inside(w)])

