"""Reading an answer while it is spoken, a stretch at a time.

The answer is cut at pauses into stretches. Once the candidate has moved past a
stretch it is read once, as a final reading is (the vocabulary bias, the second
look, the cross-check's unbiased reading), and its words are committed: they never
change again. Only the stretch still being spoken is read again, now and then as a
live draft (the tentative tail) and at a pause in case the pause is the end. So each
second of audio is decoded a bounded number of times, whatever the answer's length,
and when the answer ends only its last stretch is left to read, usually already read
during the pause that ended it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.audio.endpoint import EndpointDetector
from simulator.audio.levels import FRAME_S, frame_rms
from simulator.engine.capture import TAIL_PAD_S, Recording
from simulator.engine.reading import (
    SPECULATE_AFTER_S,
    DraftPacing,
    ReaderSettings,
    came_out,
    read_span,
)
from simulator.speech.stt import Transcriber
from simulator.speech.transcript import Transcript, Word

#: A stretch is closed at a pause at least this long (a breath between sentences)...
CUT_PAUSE_S = 0.5
#: ...once it holds this much audio: Whisper reads a short clip with too little context (on
#: the transcription benchmark, stretches of 12 s or more heard 0.941 of the key terms,
#: of 20 s or more 0.950, as many as whole answers).
MIN_STRETCH_S = 20.0
#: A stretch this long is closed at the next shorter pause, as a gap between words...
LONG_STRETCH_S = 25.0
#: ...of at least this much silence.
SHORT_PAUSE_S = 0.2
#: A stretch is cut at this length whatever is said (Whisper reads 30 s at a time), at the
#: quietest moment of its last seconds.
MAX_STRETCH_S = 28.0
#: How far back from the longest allowed end to look for that quiet moment.
QUIET_SEARCH_S = 3.0
#: A live draft reads only about this much of the open stretch's end: the words before it
#: are the last draft's, which does not change them. Whisper's cost is mostly fixed per
#: reading, but a 20 s stretch still took 0.7 s on 2 cores against 0.45 s for 8 s, and
#: the live view trails the speaker by a draft's interval plus its cost.
DRAFT_WINDOW_S = 8.0


@dataclass(frozen=True)
class _Stretch:
    lo: int
    """First sample, on the answer."""
    job: Future[Transcript]


@dataclass(frozen=True)
class _Tail:
    """A reading of the open stretch up to a pause, kept in case the pause is the end."""

    last_speech_at: float
    lo: int
    hi: int
    """The samples read, on the answer: the open stretch up to its speech's end."""
    job: Future[Transcript]


class StreamingReader:
    """An ``AnswerReader`` that commits the answer stretch by stretch as it is spoken.

    Drafts go to ``on_draft`` from a worker thread: the committed stretches and the
    latest reading of the open one, as one raw reading timed on the answer.
    """

    def __init__(self, stt: Transcriber, settings: ReaderSettings, live: bool,
                 on_draft: Callable[[Transcript], None] | None = None):
        self.stt = stt
        self.settings = settings
        self.on_draft = on_draft
        self.live = live
        self._drafts = live and settings.partial_every_s > 0 and on_draft is not None
        #: One worker: stretches are read in order, and a draft only when it is idle.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stt-stream")
        self._closed: list[_Stretch] = []
        self._open_lo: int | None = None
        self._tail: _Tail | None = None
        self._closed_at: float | None = None
        """The end of the speech before the pause the last stretch was closed at."""
        self._draft: Future[Transcript] | None = None
        self._drafted: list[Word] = []
        """The latest draft's words of the open stretch, timed on the answer."""
        self._pacing = DraftPacing(settings.partial_every_s)

    def heard(self, recording: Recording, det: EndpointDetector) -> None:
        if not det.heard_speech or det.speech_started_at is None:
            return
        if self._open_lo is None:
            self._open_lo = max(0, int((det.speech_started_at - recording.pre_roll_s)
                                       * SAMPLE_RATE))
        cut = self._cut_at(recording, det)
        if cut is not None:
            self._close(recording, cut, det.last_speech_at)
        elif self.live and self.settings.speculate and det.silence_so_far_s >= SPECULATE_AFTER_S:
            if self._closed_at != det.last_speech_at and (
                    self._tail is None or self._tail.last_speech_at != det.last_speech_at):
                self._read_tail(recording, det)  # (a stretch closed here holds the speech)
        elif self._drafts and self._draft_due(det):
            self._start_draft(recording, det)

    def final(self, recording: Recording, det: EndpointDetector) -> tuple[Transcript, bool]:
        span = recording.speech(det)
        if span is None or self._open_lo is None:
            return Transcript.nothing(), False
        hi = span[1]
        assert det.last_speech_at is not None  # there was speech: it has an end
        if self._tail is not None and self._tail.last_speech_at == det.last_speech_at:
            tail, early = self._tail.job.result(), True
        elif int(det.last_speech_at * SAMPLE_RATE) > self._open_lo:  # speech not yet read
            # Read here, beside any stretch or draft the worker is still on: the candidate
            # is waiting, and the two readings share the cores.
            audio = recording.span(self._open_lo, hi)
            tail, early = read_span(self.stt, self.settings, audio, self._open_lo), False
        else:
            tail, early = Transcript.nothing(), bool(self._closed)
        return Transcript.joined([*(s.job.result() for s in self._closed), tail]), early

    def said_at_pause(self, last_speech_at: float | None) -> str:
        # The whole answer, so it can be judged.
        tail = self._tail
        if tail is not None and tail.last_speech_at == last_speech_at:
            jobs = [*(s.job for s in self._closed), tail.job]
        elif self._closed and self._closed_at == last_speech_at:
            jobs = [s.job for s in self._closed]  # the stretch closed here holds its end
        else:
            return ""
        if not all(came_out(j) for j in jobs):
            return ""
        return Transcript.joined([j.result() for j in jobs]).verbatim

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _cut_at(self, recording: Recording, det: EndpointDetector) -> int | None:
        """Where to close the open stretch now, if anywhere (a sample on the answer)."""
        assert self._open_lo is not None and det.last_speech_at is not None
        length = (recording.samples - self._open_lo) / SAMPLE_RATE
        pause = det.silence_so_far_s
        if length >= MAX_STRETCH_S and pause == 0.0:
            return self._quietest(recording)
        if (pause >= CUT_PAUSE_S and length >= MIN_STRETCH_S) or (
                pause >= SHORT_PAUSE_S and length >= LONG_STRETCH_S):
            at = int((det.last_speech_at + min(TAIL_PAD_S, pause)) * SAMPLE_RATE)
            return at if at > self._open_lo else None
        return None

    def _quietest(self, recording: Recording) -> int:
        """The quietest 10 ms of the open stretch's last seconds: the least bad place to
        cut speech that has not paused."""
        lo = recording.samples - int(QUIET_SEARCH_S * SAMPLE_RATE)
        levels = frame_rms(recording.span(lo))
        return lo + int(np.argmin(levels) * FRAME_S * SAMPLE_RATE)

    def _close(self, recording: Recording, cut: int, last_speech_at: float | None) -> None:
        """The open stretch ends at ``cut``: read it for good; a new one starts there. A
        stretch closed at the pause its tail was read at is that reading: only silence
        came since (reading it again kept the end of a 60 s answer waiting 1.3 s)."""
        assert self._open_lo is not None
        lo, tail = self._open_lo, self._tail
        if tail is not None and tail.last_speech_at == last_speech_at and tail.lo == lo:
            job, cut = tail.job, tail.hi
        else:
            job = self._pool.submit(read_span, self.stt, self.settings,
                                    recording.span(lo, cut), lo)
        job.add_done_callback(lambda j: self._emit(j, cut))
        self._closed.append(_Stretch(lo, job))
        self._open_lo, self._tail, self._drafted = cut, None, []
        self._closed_at = last_speech_at

    def _read_tail(self, recording: Recording, det: EndpointDetector) -> None:
        """The candidate has paused: read the open stretch now, in case this is the end."""
        assert self._open_lo is not None and det.last_speech_at is not None
        span = recording.speech(det)
        assert span is not None
        lo, hi = self._open_lo, span[1]
        job = self._pool.submit(read_span, self.stt, self.settings, recording.span(lo, hi), lo)
        job.add_done_callback(lambda j: self._emit(j, lo))
        self._tail = _Tail(det.last_speech_at, lo, hi, job)

    def _draft_due(self, det: EndpointDetector) -> bool:
        """Speaking on, the last draft long enough ago, and nothing else being read."""
        return (self._pacing.due(det)
                and (self._draft is None or self._draft.done())
                and all(s.job.done() for s in self._closed[-1:])
                and (self._tail is None or self._tail.job.done()))

    def _start_draft(self, recording: Recording, det: EndpointDetector) -> None:
        """A live view of the open stretch, up to this frame: its last DRAFT_WINDOW_S read
        afresh from a word's end, the words before kept from the last draft."""
        assert self._open_lo is not None
        open_lo, start_s = self._open_lo, (recording.samples / SAMPLE_RATE - DRAFT_WINDOW_S)
        kept = [w for w in self._drafted if w.end <= start_s]
        lo = max(open_lo, int(kept[-1].end * SAMPLE_RATE)) if kept else open_lo
        if lo == open_lo:
            kept = []
        audio = recording.span(lo)
        self._draft = self._pool.submit(self._pacing.timed, det.elapsed_s, lambda: read_span(
            self.stt, self.settings, audio, lo, draft=True))
        self._draft.add_done_callback(lambda j: self._emit_draft(j, open_lo, kept))

    def _emit_draft(self, job: Future[Transcript], open_lo: int, kept: list[Word]) -> None:
        """A draft of the open stretch from ``open_lo``, after the words ``kept`` from the last."""
        if (open_lo != self._open_lo or job.cancelled() or job.exception() is not None
                or job.result().silent):
            return  # a draft heard nothing (or only what it dropped): the last one stands
        words = [*kept, *job.result().words]
        self._drafted = words
        self._emit_reading(Transcript("").with_words(words) if words else job.result(),
                           None)

    def _emit(self, job: Future[Transcript], lo: int) -> None:
        """The answer so far: what is committed, and this reading of the stretch that is
        open from ``lo`` (or of the stretch just committed, up to ``lo``). Nothing when that
        stretch has been closed since: its final reading is coming."""
        if lo != self._open_lo or job.cancelled() or job.exception() is not None:
            return
        self._emit_reading(job.result(), job)

    def _emit_reading(self, reading: Transcript, job: Future[Transcript] | None) -> None:
        """The committed stretches read so far (``job``'s left out), then ``reading``."""
        done = [s.job for s in self._closed if s.job.done()]
        so_far = Transcript.joined([j.result() for j in done if j is not job] + [reading])
        if self.on_draft is not None:
            self.on_draft(so_far)
