"""Recording one answer: frames flow to the file, the end-of-answer detector and,
during the end-of-answer silence, a speculative transcription of what was said.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.audio.endpoint import EndpointConfig, EndpointDetector, EndReason, frame_db
from simulator.audio.sources import AnswerSource
from simulator.audio.wavwriter import IncrementalWavWriter
from simulator.speech.stt import Transcriber, Transcript

#: Silence after speech at which the speculative transcription starts.
SPECULATE_AFTER_S = 0.7
#: Audio kept after the last speech frame, so trailing consonants survive.
TAIL_PAD_S = 0.35


@dataclass(frozen=True)
class CapturedAnswer:
    audio: np.ndarray
    end_reason: EndReason
    ended_at: float
    """time.monotonic() when the end of the answer was decided."""
    transcript: Transcript
    transcribed_at: float
    speculative: bool
    speech_start_s: float | None
    discarded: bool = False
    """Stopped to be thrown away (a repeat or a skip): not transcribed."""


@dataclass(frozen=True)
class CaptureHooks:
    """Optional ways a caller follows and steers one answer as it is recorded."""

    on_partial: Callable[[Transcript], None] | None = None
    """Called, from a worker thread, with the transcript of the speech so far."""
    partial_every_s: float = 0.0
    """While the candidate speaks, transcribe what was said this often (0: only at pauses)."""
    on_stopped: Callable[[EndReason], None] | None = None
    """Called when recording stops, before the final transcription."""
    stop_reason: Callable[[], EndReason | None] | None = None
    """When ``cancel`` is set: what ended the answer; None discards it untranscribed."""
    drop_frames: Callable[[], bool] | None = None
    """True while frames are to be dropped (paused): neither recorded nor timed."""


@dataclass(frozen=True)
class Level:
    db: float
    speaking: bool
    elapsed_s: float


def _speech_bounds(det: EndpointDetector, n_samples: int, pre_roll_s: float
                   ) -> tuple[int, int] | None:
    if det.speech_started_at is None or det.last_speech_at is None:
        return None
    lo = max(0, int((det.speech_started_at - pre_roll_s) * SAMPLE_RATE))
    hi = min(n_samples, int((det.last_speech_at + TAIL_PAD_S) * SAMPLE_RATE))
    return lo, hi


def _transcribe_span(stt: Transcriber, audio: np.ndarray, lo: int, vocabulary: str | None,
                     draft: bool = False) -> Transcript:
    t = stt.transcribe(audio, vocabulary, draft)
    return t if lo == 0 or not t.words else t.shifted(lo / SAMPLE_RATE)


def capture_answer(
    source: AnswerSource,
    writer: IncrementalWavWriter,
    stt: Transcriber,
    endpoint: EndpointConfig,
    frame_len: int,
    pre_roll_s: float,
    cancel: threading.Event,
    on_level: Callable[[Level], None] | None = None,
    vocabulary: str | None = None,
    speculate: bool = True,
    hooks: CaptureHooks | None = None,
) -> CapturedAnswer:
    """Record until the answer ends, and return it with its final transcript."""
    hooks = hooks or CaptureHooks()
    det = EndpointDetector(endpoint, frame_len / SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    n = 0
    reason = EndReason.SOURCE_ENDED
    detected: EndReason | None = None
    partials = hooks.on_partial is not None and hooks.partial_every_s > 0
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stt-spec") if (
        source.realtime and (speculate or partials)) else None
    spec: tuple[float, Future[Transcript]] | None = None
    partial: Future[Transcript] | None = None
    partial_at = 0.0
    partial_cost = [0.0]  # seconds the last live transcription took

    def timed(audio: np.ndarray, lo: int) -> Transcript:
        t0 = time.monotonic()
        try:
            return _transcribe_span(stt, audio, lo, vocabulary, draft=True)
        finally:
            partial_cost[0] = time.monotonic() - t0

    def emit(job: Future[Transcript]) -> None:
        if hooks.on_partial is not None and not job.cancelled() and job.exception() is None:
            hooks.on_partial(job.result())

    frames: Iterator[np.ndarray] = source.frames(cancel)
    try:
        for i, frame in enumerate(frames):
            if hooks.drop_frames is not None and hooks.drop_frames():
                if cancel.is_set():
                    break
                continue
            chunks.append(frame)
            n += len(frame)
            writer.write(frame)
            ended = det.update(frame)
            if on_level is not None and i % 3 == 0:
                on_level(Level(frame_db(frame), det.silence_so_far_s == 0.0 and det.heard_speech,
                               det.elapsed_s))
            if cancel.is_set():
                break
            if speculate and pool is not None and det.heard_speech and (
                det.silence_so_far_s >= SPECULATE_AFTER_S
                and (spec is None or spec[0] != det.last_speech_at)
            ):
                # The candidate has paused. Transcribe what they said now, so
                # if the pause turns out to be the end, the text is ready.
                audio = np.concatenate(chunks)
                bounds = _speech_bounds(det, len(audio), pre_roll_s)
                assert bounds is not None
                lo, hi = bounds
                assert det.last_speech_at is not None
                spec = (det.last_speech_at,
                        pool.submit(_transcribe_span, stt, audio[lo:hi], lo, vocabulary))
                spec[1].add_done_callback(emit)
            elif (partials and pool is not None and det.heard_speech
                  and det.silence_so_far_s == 0.0
                  # A slow machine (or a big model) gets fewer, so the final one is not late.
                  and det.elapsed_s - partial_at >= max(hooks.partial_every_s,
                                                        3 * partial_cost[0])
                  and (partial is None or partial.done())
                  and (spec is None or spec[1].done())):
                # Speaking on: transcribe what was said so far, for the live view.
                audio = np.concatenate(chunks)
                bounds = _speech_bounds(det, len(audio), pre_roll_s)
                assert bounds is not None
                partial_at = det.elapsed_s
                partial = pool.submit(timed, audio[bounds[0]:], bounds[0])
                partial.add_done_callback(emit)
            if ended is not None and source.realtime:
                detected = ended
                break
    finally:
        close = getattr(frames, "close", None)
        if close:
            close()
    ended_at = time.monotonic()
    discarded = False
    if detected is not None:
        reason = detected
    elif cancel.is_set():
        why = hooks.stop_reason() if hooks.stop_reason is not None else EndReason.CANCELLED
        reason = why or EndReason.CANCELLED
        discarded = why is None
    if hooks.on_stopped is not None and not discarded:
        hooks.on_stopped(reason)
    audio = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    bounds = _speech_bounds(det, len(audio), pre_roll_s)
    speculative = False
    if bounds is None or discarded:
        transcript = Transcript("", [], silent=True)
    elif spec is not None and spec[0] == det.last_speech_at:
        transcript = spec[1].result()
        speculative = True
    else:
        lo, hi = bounds
        transcript = _transcribe_span(stt, audio[lo:hi], lo, vocabulary)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
    return CapturedAnswer(audio, reason, ended_at, transcript, time.monotonic(), speculative,
                          det.speech_started_at, discarded)
