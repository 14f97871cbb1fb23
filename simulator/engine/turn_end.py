"""When an answer is over: the silence after it, weighed by how it sounds and what it says.

A fixed silence window cuts off a candidate who stops to think in the middle of a
thought. So at each pause two signs are read. The turn model hears the last seconds
of the answer (words and intonation together): a thought left hanging scores near
zero, and that low score is the one it gives reliably. And the latest reading's last
words are read: a trailing "and", "so", "because", "um" or a comma leaves the thought
open. Either sign lengthens the wait to the thinking window. A reading that ends on
a finished sentence, of an answer that already covers what was asked, shortens it to
the finished window: a person who has said their piece and stopped is done, and a
wrong guess costs little, since speaking on takes the turn back. Otherwise the usual
silence window ends the answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from simulator.audio.endpoint import EndpointDetector
from simulator.engine.capture import Recording
from simulator.text import bare

#: The turn model is asked once a pause is this long: the voice has stopped, and the
#: pause is still short enough for it to judge (its scores drift after seconds of silence).
ASK_AFTER_S = 0.4
#: Below this the turn model is sure the thought is unfinished: trailing-off answers scored
#: 0.005 to 0.012 on our renders, finished sentences 0.02 and up.
UNFINISHED_BELOW = 0.02
#: Last words that leave a thought open: a conjunction, a preposition, an article, a filler.
OPEN_ENDINGS = frozenset("""
and or but so because since although though while whereas if when where which who that
then than as like to of for with from in on at by into about the a an my our their its
um uh er erm hmm
""".split())
#: Whisper often closes a trailing-off reading with an ellipsis ("and, um...").
_TRAILING_OFF = re.compile(r"(\.\.\.|\u2026|,)[\"')\]]*\s*$")
#: A sentence's closing mark, whatever quote or bracket follows it.
_SENTENCE_END = re.compile(r"[.?!][\"')\]]*\s*$")


class FinishedScore(Protocol):
    def finished(self, audio: np.ndarray) -> float:
        """The probability that the speaker of ``audio`` has finished their turn."""
        ...


@dataclass(frozen=True)
class TurnSettings:
    silence_s: float
    """The silence that ends an answer that sounds finished."""
    thinking_s: float
    """The silence that ends an answer left mid-thought."""
    finished_s: float = math.inf
    """The silence that ends an answer whose reading at the pause ends on a finished
    sentence and covers what was asked (inf: never sooner than ``silence_s``)."""


def left_open(text: str) -> bool:
    """The reading ends mid-thought: on an open ending ("and", "um"), a comma or an
    ellipsis, whatever mark Whisper put after it ("so, um." is not a finished sentence)."""
    words = text.split()
    if not words:
        return False
    return bool(_TRAILING_OFF.search(text)) or bare(words[-1]) in OPEN_ENDINGS


def finished_sentence(text: str) -> bool:
    """The reading ends on a sentence's closing mark, and not on a thought left open."""
    return bool(_SENTENCE_END.search(text)) and not left_open(text)


class TurnEnd:
    """Sets the detector's silence window at each pause, from the two signs."""

    def __init__(self, settings: TurnSettings, model: FinishedScore | None,
                 covers: Callable[[str], bool] | None = None):
        """``covers``: whether an answer reading so covers what was asked (None: never
        ends an answer sooner)."""
        self.settings = settings
        self.model = model
        self.covers = covers
        self._pause: float | None = None
        self._sounds_open = False
        self._covered: tuple[str, bool] = ("", False)

    def update(self, recording: Recording, det: EndpointDetector, said: str) -> None:
        """After each frame: ``said`` is the reading of the answer made at this pause, or
        "" while it is not ready."""
        if math.isinf(det.cfg.silence_s) or det.last_speech_at is None:
            return  # push-to-talk: the key ends the answer, not a silence
        if det.silence_so_far_s < ASK_AFTER_S:
            return
        if self._pause != det.last_speech_at:
            self._pause = det.last_speech_at
            self._sounds_open = (self.model is not None
                                 and self.model.finished(recording.audio())
                                 < UNFINISHED_BELOW)
        s = self.settings
        if self._sounds_open or left_open(said):
            det.silence_window_s = s.thinking_s
        elif finished_sentence(said) and self._covers(said):
            det.silence_window_s = min(s.finished_s, s.silence_s)
        else:
            det.silence_window_s = s.silence_s

    def _covers(self, said: str) -> bool:
        """``covers`` asked once per reading: it judges the whole answer."""
        if self.covers is None:
            return False
        if self._covered[0] != said:
            self._covered = (said, self.covers(said))
        return self._covered[1]
