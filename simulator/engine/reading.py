"""When to transcribe an answer that is still being recorded.

``PauseReader`` reads the whole answer so far at two moments: when the candidate
pauses (so if the pause turns out to be the end, the transcript is ready), and, for
a live view, every so often while they speak. It is the one object that the frame
loop feeds; a streaming reader can take its place without touching the loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.audio.endpoint import EndpointDetector
from simulator.engine.capture import Recording
from simulator.speech.stt import Transcriber
from simulator.speech.transcript import Transcript

#: Silence after speech at which the speculative transcription starts: longer than most
#: gaps between words (espeak's 60 s answers hold one to three gaps of 0.2 s a minute,
#: none longer), and early enough that a reading (0.45 to 0.75 s for a stretch, on 2
#: cores) is done about when a finished sentence's 0.6 s of silence ends the answer.
SPECULATE_AFTER_S = 0.2
#: A live view waits at least this many times as long as the last one took, so a slow
#: machine (or a big model) makes fewer, and drafting takes at most half a core: the
#: other half and core are left for the stretches being committed.
PARTIAL_COST_FACTOR = 2


@dataclass(frozen=True)
class ReaderSettings:
    """What the reader transcribes with, and how eagerly."""

    vocabulary: str | None = None
    """Words the answer is likely to contain, to bias the decoder."""
    speculate: bool = True
    """Transcribe at each pause, in case it is the end."""
    partial_every_s: float = 0.0
    """While the candidate speaks, a live draft this often (0: none)."""


def read_span(stt: Transcriber, settings: ReaderSettings, audio: np.ndarray, lo: int,
              draft: bool = False) -> Transcript:
    """A reading of ``audio``, which starts ``lo`` samples into the answer, timed on the
    answer."""
    t = stt.transcribe(audio, settings.vocabulary, draft)
    return t if lo == 0 or not t.words else t.shifted(lo / SAMPLE_RATE)


class DraftPacing:
    """When the next live draft is due: ``every_s`` after the last, and never sooner than
    PARTIAL_COST_FACTOR times what the last one took."""

    def __init__(self, every_s: float):
        self.every_s = every_s
        self._at = 0.0
        self._cost = 0.0

    def due(self, det: EndpointDetector) -> bool:
        """The candidate is speaking and the last draft was long enough ago."""
        return (det.silence_so_far_s == 0.0 and det.elapsed_s - self._at
                >= max(self.every_s, PARTIAL_COST_FACTOR * self._cost))

    def timed(self, at_s: float, read: Callable[[], Transcript]) -> Transcript:
        """``read()`` as the draft begun at ``at_s`` into the answer, its cost noted."""
        self._at = at_s
        t0 = time.monotonic()
        try:
            return read()
        finally:
            self._cost = time.monotonic() - t0


def came_out(job: Future[Transcript]) -> bool:
    """The reading is done and came out (not cancelled, not failed)."""
    return job.done() and not job.cancelled() and job.exception() is None


@dataclass(frozen=True)
class _Speculation:
    last_speech_at: float
    """The speech it covers ends here: still the answer's end if no speech came since."""
    job: Future[Transcript]


class PauseReader:
    """Reads the answer so far at pauses and, for live drafts, while the candidate speaks.

    Drafts go to ``on_draft`` from a worker thread, as raw readings timed on the answer.
    """

    def __init__(self, stt: Transcriber, settings: ReaderSettings, live: bool,
                 on_draft: Callable[[Transcript], None] | None = None):
        self.stt = stt
        self.settings = settings
        self.on_draft = on_draft
        drafts = on_draft is not None and settings.partial_every_s > 0
        #: Only an answer arriving at the speed of speech leaves time to read it early.
        self._pool = (ThreadPoolExecutor(max_workers=1, thread_name_prefix="stt-spec")
                      if live and (settings.speculate or drafts) else None)
        self._drafts = drafts
        self._pacing = DraftPacing(settings.partial_every_s)
        self._spec: _Speculation | None = None
        self._draft: Future[Transcript] | None = None

    def heard(self, recording: Recording, det: EndpointDetector) -> None:
        if self._pool is None or not det.heard_speech:
            return
        if self.settings.speculate and det.silence_so_far_s >= SPECULATE_AFTER_S:
            if self._spec is None or self._spec.last_speech_at != det.last_speech_at:
                self._speculate(recording, det)
        elif self._draft_due(det):
            self._start_draft(recording, det)

    def final(self, recording: Recording, det: EndpointDetector) -> tuple[Transcript, bool]:
        span = recording.speech(det)
        if span is None:
            return Transcript.nothing(), False
        if self._spec is not None and self._spec.last_speech_at == det.last_speech_at:
            return self._spec.job.result(), True
        lo, hi = span
        return read_span(self.stt, self.settings, recording.span(lo, hi), lo), False

    def said_at_pause(self, last_speech_at: float | None) -> str:
        spec = self._spec
        if spec is None or spec.last_speech_at != last_speech_at or not came_out(spec.job):
            return ""
        return spec.job.result().verbatim

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _speculate(self, recording: Recording, det: EndpointDetector) -> None:
        """The candidate has paused: read what they said now, in case this is the end."""
        assert self._pool is not None and det.last_speech_at is not None
        span = recording.speech(det)
        assert span is not None
        lo, hi = span
        # The audio is cut here, on the recording's thread, while frames keep coming.
        job = self._pool.submit(read_span, self.stt, self.settings, recording.span(lo, hi), lo)
        job.add_done_callback(self._emit)
        self._spec = _Speculation(det.last_speech_at, job)

    def _draft_due(self, det: EndpointDetector) -> bool:
        """Speaking on, the last draft long enough ago, and no reading under way."""
        return (self._drafts and self._pacing.due(det)
                and (self._draft is None or self._draft.done())
                and (self._spec is None or self._spec.job.done()))

    def _start_draft(self, recording: Recording, det: EndpointDetector) -> None:
        """A live view of what was said so far, up to this frame."""
        assert self._pool is not None
        span = recording.speech(det)
        assert span is not None
        lo, at_s = span[0], det.elapsed_s
        audio = recording.span(lo)
        self._draft = self._pool.submit(self._pacing.timed, at_s, lambda: read_span(
            self.stt, self.settings, audio, lo, draft=True))
        self._draft.add_done_callback(self._emit)

    def _emit(self, job: Future[Transcript]) -> None:
        if job.cancelled() or job.exception() is not None:
            return
        if job is self._draft and job.result().silent:
            return  # a draft heard nothing (or only what it dropped): the last one stands
        if self.on_draft is not None:
            self.on_draft(job.result())
