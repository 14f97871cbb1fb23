"""Telling the interviewer's own voice, heard back through the microphone, from the
candidate's.

While the interviewer begins a reply, the microphone stays open for the candidate to take
the turn back. Through speakers it also hears the reply. The reply's audio is known, so a
frame is taken for its echo when the microphone's loudness over the last moment rises and
falls with the reply's (at some delay for the sound's way through the room): an echo is a
delayed, filtered copy of what was played, and its envelope follows the played one, while
a candidate speaking over it breaks the likeness. With headphones the microphone hears no
reply, nothing follows it, and every frame is the candidate's.

Likeness has a blind spot: a voice that starts as the reply starts rises with it, and
looks like its echo for most of a second. So the gate also learns whether this
microphone hears the interviewer at all. A resume window the candidate let pass, with
the reply sounding through it, shows it: if nothing in it was loud enough to be speech,
the microphone does not hear the reply (headphones), and from then on no frame is taken
for its echo.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.audio.endpoint import frame_db

#: The stretch of loudness compared: a few syllables' rise and fall, enough that a voice
#: which is not the reply's rarely follows it by chance.
WINDOW_S = 0.9
#: The longest way from the speaker to the microphone looked for: the output and input
#: buffers (tens of ms each) and a room's path; sound cards rarely add more.
MAX_DELAY_S = 0.4
#: Loudness envelopes alike at least this much (Pearson correlation of the dB levels) are
#: the reply's echo. Set on three espeak replies, each heard back 50 to 250 ms late at 0.05
#: to 1.0 of its level: with a resume needing 180 ms of voice (engine/capture.py), 0.7
#: took one echo of 15 for the candidate within the first 2.5 s of a reply (0.8: four),
#: and heard a candidate going on 0.15 s after they began (0.9 s over a loud echo).
LIKENESS = 0.7
#: A reply quieter than this over the window has nothing to echo: whatever is heard is
#: the candidate (or the room).
QUIET_DB = -50.0
#: A frame at or below this level is treated as silence in the envelope (the log of
#: digital silence would dominate the correlation).
ENVELOPE_FLOOR_DB = -70.0
#: A window tells whether the microphone hears the reply once the reply has sounded
#: through this much of it: a short "Thanks." may fall between a speaker's echoes.
LEARN_AFTER_S = 1.0
#: A click or a breath: this many frames loud enough to be speech still leave a window
#: in which the reply was not heard.
STRAY_FRAMES = 2


def envelope(audio: np.ndarray, frame_len: int) -> np.ndarray:
    """The level of each whole frame of ``audio``, in dB, floored."""
    n = len(audio) // frame_len
    levels = [frame_db(audio[i * frame_len:(i + 1) * frame_len]) for i in range(n)]
    return np.maximum(np.array(levels, dtype=np.float64), ENVELOPE_FLOOR_DB)


def _likeness(a: np.ndarray, b: np.ndarray) -> float:
    if a.std() < 1e-6 or b.std() < 1e-6:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


class EchoGate:
    """Follows what the interviewer is playing and the microphone's recent frames; ``is_echo``
    is asked of each frame, on the recording's thread, as it arrives."""

    def __init__(self, frame_len: int, now: Callable[[], float] = time.monotonic,
                 speech_db: float = -45.0):
        """``speech_db``: no frame quieter than this is speech (the detector's floor)."""
        self.frame_len = frame_len
        self.speech_db = speech_db
        self.frame_s = frame_len / SAMPLE_RATE
        self._now = now
        self._lock = threading.Lock()
        self._window = max(2, round(WINDOW_S / self.frame_s))
        self._lags = round(MAX_DELAY_S / self.frame_s)
        self._played: np.ndarray | None = None
        """The envelope of what is playing, one level per microphone frame, after as many
        silent frames as a comparison reaches back (the interviewer was quiet before)."""
        self._started_at = 0.0
        self._heard: deque[float] = deque([ENVELOPE_FLOOR_DB] * self._window,
                                          maxlen=self._window)
        self.hears_reply: bool | None = None
        """Whether this microphone hears the interviewer; None until a window showed it."""
        self._sounding = 0
        """Frames of this window heard while the reply sounded..."""
        self._loud = 0
        """...and of them, the ones loud enough to be speech."""

    def playing(self, audio: np.ndarray) -> None:
        """``audio`` (16 kHz mono) starts playing now."""
        lead = np.full(self._window + self._lags, ENVELOPE_FLOOR_DB)
        tail = np.full(self._lags, ENVELOPE_FLOOR_DB)  # its echo dies away after it
        played = np.concatenate([lead, envelope(audio, self.frame_len), tail])
        with self._lock:
            self._played, self._started_at = played, self._now()

    def playing_file(self, path: Path) -> None:
        from simulator.audio.sources import read_audio

        self.playing(read_audio(path))

    def stopped(self) -> None:
        with self._lock:
            self._played = None

    def settled(self, taken_back: bool) -> None:
        """A resume window has closed: what it showed of the room is learnt, unless the
        candidate spoke in it."""
        if not taken_back and self._sounding * self.frame_s >= LEARN_AFTER_S:
            self.hears_reply = self._loud > STRAY_FRAMES
        self._sounding = self._loud = 0
        # The next window's frames are compared with the next reply, not with this one.
        self._heard.extend([ENVELOPE_FLOOR_DB] * self._window)

    def is_echo(self, frame: np.ndarray) -> bool:
        """The frame just heard holds nothing but the reply being played."""
        level = frame_db(frame)
        self._heard.append(max(level, ENVELOPE_FLOOR_DB))
        with self._lock:
            played, started_at = self._played, self._started_at
        if played is None:
            return False
        # Where the reply was when this frame was heard, in frames of ``played``.
        at = self._window + self._lags + int((self._now() - started_at) / self.frame_s)
        if played[max(0, at - self._lags):at + 1].max(initial=ENVELOPE_FLOOR_DB) > QUIET_DB:
            self._sounding += 1
            self._loud += level >= self.speech_db
        if self.hears_reply is False:
            return False
        heard = np.array(self._heard)
        best = 0.0
        for lag in range(self._lags + 1):
            hi = at - lag + 1
            said = played[hi - self._window:hi]
            if hi <= len(played) and said.max() > QUIET_DB:
                best = max(best, _likeness(heard, said))
        return best >= LIKENESS
