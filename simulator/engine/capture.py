"""Recording one answer: frames flow to the file, the end-of-answer detector and a reader
that may transcribe what was said while the candidate is still answering.

The frame loop (``capture_answer``) knows nothing of when to transcribe: it feeds each
frame to an ``AnswerReader`` and, once the answer is over, asks it for the transcript.
"""

from __future__ import annotations

import bisect
import copy
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.audio.endpoint import EndpointConfig, EndpointDetector, EndReason, frame_db
from simulator.audio.sources import AnswerSource
from simulator.audio.wavwriter import IncrementalWavWriter
from simulator.speech.transcript import Transcript

#: Audio kept after the last speech frame, so trailing consonants survive.
TAIL_PAD_S = 0.35
#: One level report every this many frames: about eleven a second at 30 ms, enough for a meter.
LEVEL_EVERY = 3
#: Voice this long takes the turn back after an end: a syllable or two. A click, a cough
#: or a stray frame of the interviewer's echo is not the candidate going on...
RESUME_ONSET_S = 0.18
#: ...within this span: a dip between syllables does not start the count again (a "self-"
#: after a 2.9 s pause held 0.15 s of voice, fell 15 dB under the threshold between two
#: syllables, and the window closed before a second unbroken run was done).
RESUME_SPAN_S = 0.3


@dataclass(frozen=True)
class CaptureSettings:
    """How one answer is recorded."""

    endpoint: EndpointConfig
    """When the answer is over."""
    frame_len: int
    """Samples in each frame the source gives."""
    pre_roll_s: float
    """Audio kept before the first speech, so the first syllable is not clipped."""
    resume_s: float = 0.0
    """After a live answer is ended by its silence, speech within this long takes the turn
    back: the answer goes on (0: an end is final)."""


@dataclass(frozen=True)
class CapturedAnswer:
    audio: np.ndarray
    end_reason: EndReason
    ended_at: float
    """time.monotonic() when the end of the answer was decided."""
    reading: Transcript
    """The transcriber's reading of the speech, timed on ``audio``; not yet corrected."""
    transcribed_at: float
    speculative: bool
    """The reading was made during the end-of-answer silence and reused."""
    discarded: bool = False
    """Stopped to be thrown away (a repeat or a skip): not transcribed."""

    @property
    def transcript_ms(self) -> float:
        """From the end of the answer being decided to its reading being ready."""
        return round((self.transcribed_at - self.ended_at) * 1000, 1)


@dataclass(frozen=True)
class Level:
    db: float
    speaking: bool
    elapsed_s: float


@dataclass(frozen=True)
class CaptureHooks:
    """Optional ways a caller follows and steers one answer as it is recorded."""

    on_level: Callable[[Level], None] | None = None
    """Called a few times a second with the input level."""
    on_paused: Callable[[bool], None] | None = None
    """Called when frames start (True) or stop (False) being dropped."""
    on_stopped: Callable[[EndReason], None] | None = None
    """Called when recording stops, before the final transcription."""
    stop_reason: Callable[[], EndReason | None] | None = None
    """When ``stop`` is set: what ended the answer; None discards it untranscribed."""
    drop_frames: Callable[[], bool] | None = None
    """True while frames are to be dropped (paused): neither recorded nor timed."""
    on_ended: Callable[[CapturedAnswer], None] | None = None
    """A live answer was ended by its silence and may yet be taken back: called with it as
    it stands, before listening on for ``resume_s``. Without it, an end is final."""
    on_resumed: Callable[[], None] | None = None
    """The candidate spoke again within ``resume_s``: the answer ``on_ended`` gave goes on."""
    is_echo: Callable[[np.ndarray], bool] | None = None
    """True for a frame heard while the interviewer speaks that holds only its echo."""
    echo_settled: Callable[[bool], None] | None = None
    """A resume window has closed: whether the candidate took the turn back in it."""


class Recording:
    """The frames of one answer so far, and where its speech lies in them."""

    def __init__(self, pre_roll_s: float):
        self.pre_roll_s = pre_roll_s
        self._chunks: list[np.ndarray] = []
        self._starts: list[int] = []
        """Where each chunk starts, in samples on the answer."""
        self._audio: np.ndarray | None = None
        self.samples = 0

    def add(self, frame: np.ndarray) -> None:
        self._chunks.append(frame)
        self._starts.append(self.samples)
        self._audio = None
        self.samples += len(frame)

    def audio(self) -> np.ndarray:
        """Everything recorded so far, as one array (joined once per new frame at most)."""
        if self._audio is None:
            self._audio = (np.concatenate(self._chunks) if self._chunks
                           else np.zeros(0, dtype=np.float32))
        return self._audio

    def span(self, lo: int, hi: int | None = None) -> np.ndarray:
        """Samples [lo, hi) as an array of their own. A reading of a stretch takes this
        rather than a view of ``audio()``, which would keep a copy of the whole answer (11 MB
        at 3 minutes) alive for as long as the reading runs, one per reading under way."""
        hi = self.samples if hi is None else min(hi, self.samples)
        if hi <= lo:
            return np.zeros(0, dtype=np.float32)
        first = bisect.bisect_right(self._starts, lo) - 1
        last = bisect.bisect_left(self._starts, hi)
        joined = np.concatenate(self._chunks[first:last])
        at = self._starts[first]
        return joined[lo - at: hi - at]

    def speech(self, det: EndpointDetector) -> tuple[int, int] | None:
        """Samples [lo, hi) holding the speech heard so far, with a little before and after;
        None before any speech."""
        if det.speech_started_at is None or det.last_speech_at is None:
            return None
        lo = max(0, int((det.speech_started_at - self.pre_roll_s) * SAMPLE_RATE))
        hi = min(self.samples, int((det.last_speech_at + TAIL_PAD_S) * SAMPLE_RATE))
        return lo, hi


class AnswerReader(Protocol):
    """Decides when to transcribe an answer being recorded, and gives its final reading."""

    def heard(self, recording: Recording, det: EndpointDetector) -> None:
        """One more frame was recorded (and fed to ``det``)."""
        ...

    def final(self, recording: Recording, det: EndpointDetector) -> tuple[Transcript, bool]:
        """The answer is over: its reading, and whether it was made before the end."""
        ...

    def said_at_pause(self, last_speech_at: float | None) -> str:
        """The reading of the answer made at the pause after the speech that ended at
        ``last_speech_at`` (raw, as the transcriber wrote it); "" until it is ready. A
        reading made while the candidate spoke ends mid-sentence, often on "...", and says
        nothing of how they stopped."""
        ...

    def close(self) -> None:
        """Drop any transcription still under way."""
        ...


class TurnPolicy(Protocol):
    """Decides, frame by frame, how much silence ends the answer now."""

    def update(self, recording: Recording, det: EndpointDetector, said: str) -> None:
        """Set ``det.silence_window_s``; ``said`` is the reading made at this pause, or ""."""
        ...


def capture_answer(source: AnswerSource, writer: IncrementalWavWriter, reader: AnswerReader,
                   settings: CaptureSettings, stop: threading.Event,
                   hooks: CaptureHooks | None = None,
                   turn: TurnPolicy | None = None) -> CapturedAnswer:
    """Record until the answer ends, and return it with its reading. ``turn``, when given,
    weighs each pause of a live answer (see engine/turn_end.py). An end decided by silence
    is offered to ``hooks.on_ended`` once read, and speech within ``settings.resume_s``
    after it takes the turn back: the recording goes on as if the end had never been
    decided. The frames are listened to as they come meanwhile, while the reading is made
    beside them: a candidate going on is heard at once, not once the reading is done."""
    hooks = hooks or CaptureHooks()
    det = EndpointDetector(settings.endpoint, settings.frame_len / SAMPLE_RATE)
    recording = Recording(settings.pre_roll_s)
    frames: Iterator[np.ndarray] = source.frames(stop)
    live = source.realtime
    try:
        while True:
            detected = _record(frames, writer, reader, det, recording, stop, hooks,
                               turn if live else None, live)
            ended_at = time.monotonic()
            reason, discarded = _why_it_ended(detected, stop, hooks)
            if hooks.on_stopped is not None and not discarded:
                hooks.on_stopped(reason)
            if discarded or not _may_resume(reason, settings, hooks, source):
                return _read(reader, recording, det, reason, ended_at, discarded)
            assert hooks.on_ended is not None and hooks.on_resumed is not None
            offer = _Offer(partial(_read, reader, recording, det, reason, ended_at),
                           hooks.on_ended)
            listening = copy.copy(det)  # the reading goes on with the detector as it ended
            again = _taken_back(frames, listening, stop, settings.resume_s, hooks.is_echo)
            if hooks.echo_settled is not None:
                hooks.echo_settled(again is not None)
            if again is None:
                return offer.result()
            offer.withdraw()
            det = listening
            for frame in again:  # the pause becomes part of the answer
                recording.add(frame)
                writer.write(frame)
            hooks.on_resumed()
    finally:
        reader.close()
        if isinstance(frames, Generator):
            frames.close()  # a microphone's stream closes now, not when collected


def _read(reader: AnswerReader, recording: Recording, det: EndpointDetector,
          reason: EndReason, ended_at: float, discarded: bool = False) -> CapturedAnswer:
    """The answer as it stands now that its end was decided, read unless discarded."""
    audio = recording.audio()
    if discarded:
        reading, speculative = Transcript.nothing(), False
    else:
        reading, speculative = reader.final(recording, det)
    return CapturedAnswer(audio, reason, ended_at, reading, time.monotonic(), speculative,
                          discarded)


class _Offer:
    """An answer whose end was decided, read in a thread of its own while the frame loop
    listens on, and offered to ``on_ended`` once read, unless taken back before."""

    def __init__(self, read: Callable[[], CapturedAnswer],
                 on_ended: Callable[[CapturedAnswer], None]):
        self._lock = threading.Lock()
        self._withdrawn = False
        self._result: Future[CapturedAnswer] = Future()
        threading.Thread(target=self._run, args=(read, on_ended), name="final-reading",
                         daemon=True).start()

    def _run(self, read: Callable[[], CapturedAnswer],
             on_ended: Callable[[CapturedAnswer], None]) -> None:
        try:
            captured = read()
            with self._lock:  # never offered after the candidate took the turn back
                if not self._withdrawn:
                    on_ended(captured)
            self._result.set_result(captured)
        except BaseException as exc:  # raised again by result(), in the frame loop
            self._result.set_exception(exc)

    def withdraw(self) -> None:
        """The candidate went on: the reading, when done, is offered to no one."""
        with self._lock:
            self._withdrawn = True

    def result(self) -> CapturedAnswer:
        return self._result.result()


def _may_resume(reason: EndReason, settings: CaptureSettings, hooks: CaptureHooks,
                source: AnswerSource) -> bool:
    """Only a live answer ended by its silence can be taken back: a key, a time limit or a
    cancel is the candidate's or the round's own decision."""
    return (reason is EndReason.SILENCE and source.realtime
            and settings.resume_s > 0 and hooks.on_ended is not None
            and hooks.on_resumed is not None)


def _taken_back(frames: Iterator[np.ndarray], det: EndpointDetector, stop: threading.Event,
                window_s: float, is_echo: Callable[[np.ndarray], bool] | None
                ) -> list[np.ndarray] | None:
    """Listen on for ``window_s`` after the end: the frames since it once the candidate
    speaks again (the detector has followed them), or None when they did not."""
    heard: list[np.ndarray] = []
    voiced: deque[bool] = deque(maxlen=max(1, round(RESUME_SPAN_S / det.frame_s)))
    for frame in frames:
        echo = is_echo is not None and is_echo(frame)
        heard.append(np.zeros_like(frame) if echo else frame)
        det.update(heard[-1])
        voiced.append(det.is_speech(frame_db(heard[-1])))
        if sum(voiced) * det.frame_s >= RESUME_ONSET_S - 1e-9:
            return heard
        if stop.is_set() or len(heard) * det.frame_s >= window_s:
            return None
    return None


def _record(frames: Iterator[np.ndarray], writer: IncrementalWavWriter, reader: AnswerReader,
            det: EndpointDetector, recording: Recording, stop: threading.Event,
            hooks: CaptureHooks, turn: TurnPolicy | None, live: bool) -> EndReason | None:
    """The frame loop: each frame to the file, the detector and the reader, until the
    detector ends a ``live`` answer (returned), the source runs out or ``stop`` is set."""
    paused = False
    for i, frame in enumerate(frames):
        dropping = hooks.drop_frames is not None and hooks.drop_frames()
        if dropping != paused:
            paused = dropping
            if hooks.on_paused is not None:
                hooks.on_paused(paused)
        if dropping:
            if stop.is_set():
                break
            continue
        recording.add(frame)
        writer.write(frame)
        ended = det.update(frame)
        if hooks.on_level is not None and i % LEVEL_EVERY == 0:
            hooks.on_level(Level(frame_db(frame), det.silence_so_far_s == 0.0
                                 and det.heard_speech, det.elapsed_s))
        if stop.is_set():
            break
        reader.heard(recording, det)
        if turn is not None:
            turn.update(recording, det, reader.said_at_pause(det.last_speech_at))
            if ended is EndReason.SILENCE and det.silence_so_far_s < det.silence_window_s:
                ended = None  # weighed again: the thought is still open
        if ended is not None and live:
            return ended
    return None


def _why_it_ended(detected: EndReason | None, stop: threading.Event, hooks: CaptureHooks
                  ) -> tuple[EndReason, bool]:
    """The end reason, and whether the answer is to be discarded (a repeat or a skip)."""
    if detected is not None:
        return detected, False
    if not stop.is_set():
        return EndReason.SOURCE_ENDED, False
    why = hooks.stop_reason() if hooks.stop_reason is not None else EndReason.CANCELLED
    return why or EndReason.CANCELLED, why is None
