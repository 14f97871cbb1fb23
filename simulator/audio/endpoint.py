"""Deciding when an answer has ended.

Speech is detected per frame by level against an adaptive noise floor; an
answer ends after ``silence_s`` of silence following speech (long enough for
a thinking pause), after ``no_speech_timeout_s`` with no speech at all, or at
the hard time limit.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

#: The noise floor before any quiet frame is heard: a quiet room, well below the speech
#: threshold, so the first words are not taken for noise.
INITIAL_NOISE_DB = -70.0
#: The room's level is the quietest frame of this long a span: a speaker breathes, or stops
#: between sentences, every few seconds, so a voice going on for minutes never becomes the
#: floor, while a fan or a hum switched on becomes it within this long. (A running average
#: of the frames below the threshold climbed with the dips between words: after two minutes
#: of speech the floor was at -26 dB and the voice itself counted as silence.)
NOISE_WINDOW_S = 5.0
#: The floor never rises above this: a room (a fan, a hum, a busy office) sits well below
#: it, while a window of nothing but steady sound this loud is a voice held without a
#: break (or a test tone), which must still count as speech.
NOISE_CEILING_DB = -35.0
#: Frames quieter than this are digital silence (a muted or gated input), not the room:
#: they would pull the floor so low that any click counted as speech.
DIGITAL_SILENCE_DB = -90.0
#: The RMS taken for a frame of exact zeros (-180 dB): keeps the logarithm finite.
RMS_FLOOR = 1e-9


class EndReason(StrEnum):
    SILENCE = "silence"
    NO_SPEECH = "no_speech"
    TIME_LIMIT = "time_limit"
    SOURCE_ENDED = "source_ended"
    CANCELLED = "cancelled"
    KEY = "key"
    """The candidate pressed the answer key (push-to-talk, or finishing early)."""


@dataclass(frozen=True)
class EndpointConfig:
    """What the detector needs; built from the audio config and the question."""

    # silence_s, no_speech_timeout_s and speech_threshold_db default to AudioConfig's
    # values (simulator/config.py says why); a round passes the configured ones.
    silence_s: float = 3.0
    no_speech_timeout_s: float = 15.0
    #: The hard limit: the question's budget times max_answer_factor, in a round.
    max_answer_s: float = 180.0
    speech_threshold_db: float = -45.0
    #: How far above the noise floor a frame must be to count as speech.
    margin_db: float = 12.0
    #: Speech frames in a row before speech is taken to have started.
    onset_frames: int = 3


def frame_db(frame: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.square(frame, dtype=np.float64)))) if len(frame) else 0.0
    return 20.0 * math.log10(max(rms, RMS_FLOOR))


class EndpointDetector:
    """Feed frames in order; ``update`` returns an EndReason once the answer is over."""

    def __init__(self, cfg: EndpointConfig, frame_s: float):
        self.cfg = cfg
        self.frame_s = frame_s
        self.elapsed_s = 0.0
        self.noise_db = INITIAL_NOISE_DB
        self.speech_started_at: float | None = None
        self.last_speech_at: float | None = None
        self.silence_window_s = cfg.silence_s
        """The silence that ends the answer now; a turn policy may change it at a pause."""
        self._run = 0
        self._levels: deque[float] = deque(maxlen=max(1, round(NOISE_WINDOW_S / frame_s)))

    def is_speech(self, db: float) -> bool:
        return db > max(self.cfg.speech_threshold_db, self.noise_db + self.cfg.margin_db)

    def update(self, frame: np.ndarray) -> EndReason | None:
        db = frame_db(frame)
        speech = self.is_speech(db)
        if db > DIGITAL_SILENCE_DB:  # the room's level, so a fan does not count as speech
            self._levels.append(db)
            self.noise_db = min(min(self._levels), NOISE_CEILING_DB)
        self.elapsed_s += self.frame_s
        if speech:
            self._run += 1
            if self._run >= self.cfg.onset_frames:
                if self.speech_started_at is None:
                    self.speech_started_at = self.elapsed_s - self._run * self.frame_s
                self.last_speech_at = self.elapsed_s
        else:
            self._run = 0
        if self.elapsed_s >= self.cfg.max_answer_s:
            return EndReason.TIME_LIMIT
        if self.last_speech_at is None:
            if self.elapsed_s >= self.cfg.no_speech_timeout_s:
                return EndReason.NO_SPEECH
            return None
        if self.elapsed_s - self.last_speech_at >= self.silence_window_s:
            return EndReason.SILENCE
        return None

    @property
    def silence_so_far_s(self) -> float:
        if self.last_speech_at is None:
            return 0.0
        return self.elapsed_s - self.last_speech_at

    @property
    def heard_speech(self) -> bool:
        return self.last_speech_at is not None
