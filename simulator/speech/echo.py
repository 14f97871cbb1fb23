"""Taking the interviewer's own voice out of an answer.

A time warning is spoken while the candidate answers; through speakers the
microphone hears it too, and Whisper writes it into the answer. We know what was
said and roughly when, so a run of words inside that window that are the
warning's own words, in its order, is taken out. Three or more are needed, so a
candidate who happens to say "left" or "seconds" keeps their words.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.speech.transcript import Transcript, Word
from simulator.text import bare

#: Words of the warning heard in its order before they count as its echo: "left" or
#: "seconds" alone may well be the candidate's.
MIN_RUN = 3


def remove_echo(t: Transcript, said: str, start_s: float, end_s: float) -> Transcript:
    """``t`` without the runs of ``said`` heard between ``start_s`` and ``end_s`` (in its
    unbiased reading too, which would otherwise vouch for words the interviewer said)."""
    if t.silent or not t.words:
        return t
    spoken = [w for w in (bare(x) for x in said.split()) if w]
    kept = _without_runs(t.words, spoken, start_s, end_s)
    unbiased = _without_runs(t.unbiased, spoken, start_s, end_s)
    if len(kept) == len(t.words) and len(unbiased) == len(t.unbiased):
        return t
    return replace(t.with_words(kept), unbiased=unbiased)


def _without_runs(words: list[Word], spoken: list[str], start_s: float, end_s: float
                  ) -> list[Word]:
    drop: set[int] = set()
    i = 0
    while i < len(words):
        j, k = i, 0
        while (j < len(words) and start_s <= words[j].start <= end_s
               and (words[j].filler or bare(words[j].word) in spoken[k:])):
            if not words[j].filler:
                k = spoken.index(bare(words[j].word), k) + 1
            j += 1
        if sum(1 for w in words[i:j] if not w.filler) >= MIN_RUN:
            drop.update(range(i, j))
            i = j
        else:
            i += 1
    return [w for n, w in enumerate(words) if n not in drop]
