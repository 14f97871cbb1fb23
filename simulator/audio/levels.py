"""The level of a recording every 10 ms, and the stretches above or below a line.

Filler checks and pause detection both read the answer this way; one place
frames the audio so they agree on where voice and silence are.
"""

from __future__ import annotations

import numpy as np

from simulator.audio import SAMPLE_RATE

#: 10 ms: finer than the shortest filler or gap between words, long enough for a
#: steady level (160 samples at 16 kHz).
FRAME_S = 0.01
_HOP = int(SAMPLE_RATE * FRAME_S)


def frame_rms(audio: np.ndarray) -> np.ndarray:
    """RMS level of each 10 ms frame (a trailing part frame is dropped)."""
    n = len(audio) // _HOP * _HOP
    if n == 0:
        return np.zeros(0)
    frames = audio[:n].reshape(-1, _HOP)
    return np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))


def frame_at(t: float) -> int:
    """The frame holding time ``t`` (seconds), never negative."""
    return max(0, int(t / FRAME_S))


def runs(mask: np.ndarray, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Frame ranges [i, j) within [lo, hi) where ``mask`` is true throughout."""
    hi = len(mask) if hi is None else min(hi, len(mask))
    out = []
    i = max(0, lo)
    while i < hi:
        if mask[i]:
            j = i
            while j < hi and mask[j]:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out
