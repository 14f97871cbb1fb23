"""Whether a term comes out in a transcript, allowing for how it may be written."""

from __future__ import annotations

from simulator.text import stem, tokens


def term_heard(term: str, text: str) -> bool:
    """Whether a term comes out in a transcript: same words, or the same word stems, or the
    same letters with different spacing ("deep seek" for DeepSeek)."""
    return heard_in(tokens(term), tokens(text))


def heard_in(want: list[str], have: list[str]) -> bool:
    """``term_heard`` on text already cut into ``tokens``, for callers that ask of the
    same text many times."""
    if not want:
        return False
    n = len(want)
    stems_w = [stem(w) for w in want]
    stems_h = [stem(w) for w in have]
    for i in range(len(have) - n + 1):
        if have[i:i + n] == want or stems_h[i:i + n] == stems_w:
            return True
    joined = "".join(want)
    for i in range(len(have)):
        acc = ""
        for j in range(i, min(len(have), i + n + 2)):
            acc += have[j]
            if acc == joined:
                return True
            if len(acc) >= len(joined):
                break
    return False
