"""The quiet line on pace and fillers under the answer: what has been said so far while
the candidate speaks, so they can correct course, then the whole answer's figures."""

from __future__ import annotations

from simulator.delivery.metrics import MIN_PACE_SPEECH_S, pace_judged, pace_word


def pace_line(wpm: float, fillers: int, speaking_s: float, when: str) -> str:
    """``when`` ("so far" or "answer"): the pace and filler count; no pace until there is
    enough speech for one to mean anything, and the line says so."""
    count = f"{fillers} filler{'s' if fillers != 1 else ''}"
    if not pace_judged(speaking_s):
        pace = (f"pace after {MIN_PACE_SPEECH_S:.0f} s of speech" if when == "so far" else
                f"{speaking_s:.0f} s of speech, too short for a pace")
        return f"{when}: {pace} · {count}"
    word = pace_word(wpm)
    return f"{when}: {wpm:.0f} wpm{f' ({word})' if word else ''} · {count}"
