"""A recorded round as the replay screen plays it: utterances with word timings.

The candidate's words carry Whisper's timings; the interviewer's are spread
over the prompt's audio by their length, which is close enough to follow along.
No textual here.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.sessions.store import StoredSession

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
#: Words a second of synthetic speech, for prompts whose audio is missing.
_WORDS_PER_S = 2.6


@dataclass(frozen=True)
class ReplayWord:
    text: str
    start: float
    end: float
    mark: str = ""
    """'filler' or 'hedge' where the delivery figures counted one (delivery/marks.py)."""
    pause_before_s: float = 0.0
    """A silence the figures counted just before this word."""


@dataclass(frozen=True)
class ReplayItem:
    """One utterance: who, what (word by word), its audio and how long it lasts."""

    speaker: str
    text: str
    audio: Path | None
    duration_s: float
    words: list[ReplayWord]
    turn: int | None
    attempt: int = 1
    """The attempt at its question (2 and on: a retry in the same session)."""

    def word_at(self, offset_s: float) -> int:
        """Index of the word being said at ``offset_s`` (-1 before the first)."""
        return bisect_right([w.start for w in self.words], offset_s) - 1


def _audio_duration(path: Path | None) -> float | None:
    if path is None or not path.exists():
        return None
    try:
        import soundfile as sf

        return float(sf.info(str(path)).duration)
    except Exception:  # an unreadable file replays as silence of an estimated length
        return None


def spread_words(text: str, duration_s: float) -> list[ReplayWord]:
    """Words placed over ``duration_s`` in proportion to their length."""
    tokens = text.split()
    if not tokens:
        return []
    weights = [len(t) + 1 for t in tokens]
    total = float(sum(weights))
    out, at = [], 0.0
    for tok, w in zip(tokens, weights, strict=True):
        span = duration_s * w / total
        out.append(ReplayWord(tok, round(at, 3), round(at + span, 3)))
        at += span
    return out


def build_replay(session: StoredSession) -> list[ReplayItem]:
    from simulator.delivery.marks import pauses_before, word_marks
    from simulator.engine.events import AnswerFinished
    from simulator.sessions.replay import timeline

    finished = {e.turn: e for e in session.events if isinstance(e, AnswerFinished)}
    items = []
    for u in timeline(session):
        if u.speaker == "candidate" and u.turn in finished:
            f = finished[u.turn]
            said = list(u.words)  # as the candidate corrected them, if they did
            marks, gaps = word_marks(said, f.delivery), pauses_before(said, f.delivery)
            words = [ReplayWord(w.word, w.start, w.end, m, g)
                     for w, m, g in zip(said, marks, gaps, strict=True)]
            if not words:
                words = spread_words(u.text, f.duration_s)
            items.append(ReplayItem(u.speaker, u.text, u.audio, f.duration_s, words, u.turn,
                                    u.attempt))
            continue
        duration = _audio_duration(u.audio)
        if duration is None:
            duration = max(1.0, len(u.text.split()) / _WORDS_PER_S)
        items.append(ReplayItem(u.speaker, u.text, u.audio, duration,
                                spread_words(u.text, duration), u.turn, u.attempt))
    return items


def total_s(items: list[ReplayItem]) -> float:
    return sum(i.duration_s for i in items)


def global_s(items: list[ReplayItem], index: int, offset_s: float) -> float:
    return sum(i.duration_s for i in items[:index]) + offset_s


def locate(items: list[ReplayItem], at_s: float) -> tuple[int, float]:
    """(utterance index, offset into it) for a time from the start of the round."""
    at_s = max(0.0, at_s)
    for n, item in enumerate(items):
        if at_s < item.duration_s:
            return n, at_s
        at_s -= item.duration_s
    return (len(items) - 1, items[-1].duration_s) if items else (0, 0.0)


Player = Callable[[Path | None, float, float, float, threading.Event], None]
"""play(audio, duration_s, start_s, speed, cancel): blocks until done or cancelled."""


def silent_player(audio: Path | None, duration_s: float, start_s: float, speed: float,
                  cancel: threading.Event) -> None:
    """Keeps time without sound: the replay runs on a machine with no speaker."""
    cancel.wait(max(0.0, duration_s - start_s) / speed)


def speaker_player(device: str) -> Player:
    """Plays through the output device; keeps time silently where a file cannot play."""
    from simulator.audio.playback import play_file

    def play(audio: Path | None, duration_s: float, start_s: float, speed: float,
             cancel: threading.Event) -> None:
        if audio is None or not audio.exists() or not play_file(audio, device, cancel, speed,
                                                                start_s):
            silent_player(audio, duration_s, start_s, speed, cancel)

    return play
