"""One answer, from the first frame to what was heard in it.

The recording runs in a thread of its own (``capture_answer``); what it notices on the
way (the input level, a live draft, a pause, the end) comes back through a queue as
notes, which the round's thread turns into events, and the recording itself comes back
through a Future. The reading is then heard (``speech.hearing.hear``) once, in one place.
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

from simulator.assess.coverage import assess, word_rarity
from simulator.audio import SAMPLE_RATE
from simulator.audio.echo_gate import EchoGate
from simulator.audio.endpoint import EndpointConfig, EndReason
from simulator.audio.sources import AnswerSource
from simulator.audio.wavwriter import IncrementalWavWriter
from simulator.banks.model import Question
from simulator.delivery.metrics import DeliveryConfig, live_pace, measure
from simulator.engine.capture import (
    AnswerReader,
    CapturedAnswer,
    CaptureHooks,
    CaptureSettings,
    Level,
    capture_answer,
)
from simulator.engine.controls import RoundControls, Stage
from simulator.engine.events import (
    AnswerFinished,
    AnswerResumed,
    AnswerStarted,
    AnswerStopped,
    Control,
    ControlUsed,
    Event,
    InputLevel,
    InterviewerSaid,
    Notice,
    PartialTranscript,
    RemarkKind,
)
from simulator.engine.parts import RoundParts
from simulator.engine.reading import PauseReader, ReaderSettings
from simulator.engine.streaming import StreamingReader
from simulator.engine.turn_end import TurnEnd, TurnSettings
from simulator.speech import vocabulary
from simulator.speech.hearing import Echo, HeardAnswer, Listening, hear
from simulator.speech.transcript import Transcript
from simulator.text import strip_fillers

#: An answer that covers this share of its question's rubric weight has said its piece,
#: so a finished sentence then ends it sooner (TurnSettings.finished_s): one heavy point
#: or two light ones, as much as a 15 s answer holds. Far below the 80% the policy needs
#: to move on: the early end wants only a sign of substance, and a wrong guess is taken
#: back by speaking on.
SAID_ITS_PIECE = 1 / 3


@dataclass(frozen=True)
class Answer:
    """One answered turn: its recording and what was heard in it."""

    turn: int
    captured: CapturedAnswer
    heard: HeardAnswer


@dataclass(frozen=True)
class _Draft:
    reading: Transcript


@dataclass(frozen=True)
class _Paused:
    paused: bool


@dataclass(frozen=True)
class _Stopped:
    reason: EndReason


@dataclass(frozen=True)
class _Ended:
    """The end was decided by a silence; the candidate may yet take the turn back."""

    captured: CapturedAnswer
    withdrawn: threading.Event
    """Set by the recording's thread the moment the candidate goes on."""


@dataclass(frozen=True)
class _Resumed:
    pass


_Note = Level | _Draft | _Paused | _Stopped | _Ended | _Resumed


class Reply(Protocol):
    """What the interviewer does after an answer, begun before the answer is settled."""

    def withdraw(self) -> None:
        """The candidate went on: stop saying it, at once."""
        ...


R = TypeVar("R", bound=Reply)
#: Put by the recording thread once its Future has its result.
_DONE = None


class _Relay:
    """What the round's thread has told of one answer as its notes came in: so nothing
    is told twice, and nothing more once the answer has ended."""

    def __init__(self, turn: int, warn_at_s: float):
        self.turn = turn
        self.warn_at_s = warn_at_s
        self.warned_at_s = 0.0
        """When the time warning was said, seconds into the answer."""
        self.shown = ""
        self.stopped = False

    def warning_due(self, level: Level) -> bool:
        """The time warning is to be said now (once an answer)."""
        if self.stopped or level.elapsed_s < self.warn_at_s:
            return False
        self.warn_at_s, self.warned_at_s = math.inf, level.elapsed_s
        return True


def _drained(notes: queue.Queue[_Note | None]) -> Iterator[_Note]:
    """The notes as they come, until the recording is done; of the levels that queued up
    meanwhile (a file read faster than real time), only the latest."""
    while True:
        batch = [notes.get()]
        while True:
            try:
                batch.append(notes.get_nowait())
            except queue.Empty:
                break
        latest = max((i for i, n in enumerate(batch) if isinstance(n, Level)), default=-1)
        for i, note in enumerate(batch):
            if note is _DONE:
                return
            if i == latest or not isinstance(note, Level):
                yield note


def covers_what_was_asked(question: Question, target: str | None
                          ) -> Callable[[str], bool]:
    """Whether an answer, read so far, covers what it was asked: the point a follow-up
    probes, or SAID_ITS_PIECE of the question's rubric."""
    def covers(said: str) -> bool:
        judged = assess(question, strip_fillers(said))
        if target is not None:
            return any(v.id == target and v.covered for v in judged.points)
        return judged.coverage >= SAID_ITS_PIECE
    return covers


def finished_event(t: float, turn: int, audio_path: str, audio: np.ndarray,
                   end_reason: EndReason, heard: HeardAnswer, budget_s: int,
                   delivery: DeliveryConfig, transcript_ms: float = 0.0,
                   speculative: bool = False) -> AnswerFinished:
    """The event that records an answer heard: its transcript, what was corrected in it,
    and its delivery figures. ``audio_path`` is relative to the session folder."""
    text = heard.transcript
    return AnswerFinished(
        t, turn, audio_path, round(len(audio) / SAMPLE_RATE, 2), end_reason, text.text,
        list(text.words), text.silent, transcript_ms, speculative, heard.verbatim,
        [f"{f.heard} -> {f.term}" for f in heard.corrections],
        # Pace counts the words as said; counting the corrected ones measured no better
        # (benchmarks/delivery.py: median error 2.1% against 1.8%).
        measure(heard.said.words, audio, budget_s, delivery, heard.verbatim),
    )


class AnswerRecorder:
    """Records and hears the answers of one round."""

    def __init__(self, parts: RoundParts, controls: RoundControls, t: Callable[[], float],
                 render: Callable[[str, str], Path], play: Callable[[Path], None]):
        self.p = parts
        self.controls = controls
        self._t = t
        self._render = render
        self._play = play
        #: Tells the interviewer's voice from the candidate's while a reply is begun.
        self.echo = EchoGate(parts.listen.frame_len,
                             speech_db=parts.listen.speech_threshold_db)

    def _rel(self, path: Path) -> str:
        return str(path.relative_to(self.p.session_dir))

    def listening(self, question: Question) -> Listening:
        """What hearing this question's answer starts from."""
        p = self.p
        vocab = (vocabulary.for_question(question.prompt, question.terms(),
                                         p.expected_terms.get(question.id, ()),
                                         rarity=word_rarity)
                 if p.vocabulary else vocabulary.Vocabulary.empty())
        return Listening(p.glossary, vocab, (), p.low_confidence)

    def record(self, turn: int, question: Question, source: AnswerSource,
               reply_to: Callable[[Answer, threading.Event], R] | None = None,
               target: str | None = None
               ) -> Generator[Event, None, tuple[Answer, R | None] | None]:
        """Record one answer and hear it; None when it was discarded (a repeat or a skip).

        With ``reply_to``, a live answer ended by its silence is heard and handed to it at
        once, so the interviewer may begin its reply while the candidate can still take
        the turn back (``resume_s``). The event given with it is set, from the recording's
        thread, the moment they do: a reply being said stops on it at once. The reply to
        the answer as it finally stands comes back with it.
        """
        yield AnswerStarted(self._t(), turn, source.label)
        listening = self.listening(question)
        path = self.p.session_dir / "audio" / f"{turn:02d}-answer.wav"
        cap, listening, replied = yield from self._capture(turn, question, source, path,
                                                           listening, reply_to, target)
        if cap.discarded:
            return None
        if self.p.timing == "cut_in" and cap.end_reason is EndReason.TIME_LIMIT:
            said = self.p.persona.style.cut_in
            cut = self._render(said, f"{turn:02d}-cut-in.wav")
            yield InterviewerSaid(self._t(), RemarkKind.CUT_IN, said, self._rel(cut))
            self._play(cut)
        heard = replied[0].heard if replied else hear(cap.reading, listening)
        yield self._finished(turn, question, path, cap, heard)
        if heard.silent:
            yield Notice(self._t(), f"turn {turn}: no speech heard; recorded as a silent answer")
        if source.status_flags:
            yield Notice(self._t(), f"turn {turn}: the input device reported "
                                    f"{len(source.status_flags)} problem(s) "
                                    f"({source.status_flags[0]}); the recording may have gaps")
        return Answer(turn, cap, heard), (replied[1] if replied else None)

    def _finished(self, turn: int, question: Question, path: Path, cap: CapturedAnswer,
                  heard: HeardAnswer) -> AnswerFinished:
        return finished_event(self._t(), turn, self._rel(path), cap.audio, cap.end_reason,
                              heard, question.budget_s, self.p.delivery, cap.transcript_ms,
                              cap.speculative)

    def _endpoint(self, question: Question) -> EndpointConfig:
        p = self.p
        endpoint = p.listen.endpoint(question.budget_s)
        if self.controls.push_to_talk:  # the answer key ends it, or the hard time limit
            endpoint = replace(endpoint, silence_s=math.inf, no_speech_timeout_s=math.inf)
        if p.timing == "cut_in":  # the interviewer stops the answer at its budget
            endpoint = replace(endpoint, max_answer_s=float(question.budget_s))
        return endpoint

    def _reader(self, listening: Listening, source: AnswerSource,
                on_draft: Callable[[Transcript], None]) -> AnswerReader:
        """What decides when to transcribe while the answer is recorded."""
        listen = self.p.listen
        settings = ReaderSettings(listening.vocabulary.bias or None, listen.speculate,
                                  listen.partial_every_s)
        kind = StreamingReader if listen.streaming else PauseReader
        return kind(self.p.transcriber, settings, source.realtime, on_draft)

    def _capture(self, turn: int, question: Question, source: AnswerSource, path: Path,
                 listening: Listening,
                 reply_to: Callable[[Answer, threading.Event], R] | None, target: str | None
                 ) -> Generator[Event, None,
                                tuple[CapturedAnswer, Listening, tuple[Answer, R] | None]]:
        """The recording, in its thread; its notes relayed as events meanwhile. Returns it
        with what hearing it must know (the time warning said over it), and the reply
        begun to it, if any, with the answer it was begun for."""
        p = self.p
        notes: queue.Queue[_Note | None] = queue.Queue()
        result = self._recording(question, source, path, listening, notes,
                                 resumable=reply_to is not None,
                                 covers=covers_what_was_asked(question, target))
        warn_at = (question.budget_s * p.warning_at if p.timing != "countdown" else math.inf)
        relay = _Relay(turn, warn_at)
        warning_stop = threading.Event()
        replied: tuple[Answer, R] | None = None
        try:
            for note in _drained(notes):
                if isinstance(note, _Ended) and reply_to is not None:
                    answer = Answer(turn, note.captured, hear(note.captured.reading, listening))
                    replied = answer, reply_to(answer, note.withdrawn)
                elif isinstance(note, _Resumed):
                    if replied is not None:
                        replied[1].withdraw()
                    replied, relay.stopped = None, False
                    yield AnswerResumed(self._t(), turn)
                for event in self._relayed(note, relay, question, listening, warning_stop):
                    if isinstance(event, InterviewerSaid):  # the microphone hears it too
                        listening = listening.with_echo(
                            Echo.of_warning(event.text, relay.warned_at_s))
                    yield event
        finally:
            warning_stop.set()
            self.controls.enter(Stage.WORKING)
        return result.result(), listening, replied

    def _recording(self, question: Question, source: AnswerSource, path: Path,
                   listening: Listening, notes: queue.Queue[_Note | None], resumable: bool,
                   covers: Callable[[str], bool]) -> Future[CapturedAnswer]:
        """Start recording the answer in a thread of its own, its notes put on ``notes``
        (``_DONE`` last); its result comes in the Future returned."""
        p, c = self.p, self.controls
        result: Future[CapturedAnswer] = Future()
        reader = self._reader(listening, source, lambda t: notes.put(_Draft(t)))
        withdrawn = [threading.Event()]

        def ended(captured: CapturedAnswer) -> None:
            withdrawn[0] = threading.Event()
            notes.put(_Ended(captured, withdrawn[0]))

        def resumed() -> None:
            withdrawn[0].set()  # stops a reply being said now, not when the note is read
            notes.put(_Resumed())

        hooks = CaptureHooks(on_level=notes.put, on_paused=lambda x: notes.put(_Paused(x)),
                             on_stopped=lambda r: notes.put(_Stopped(r)),
                             stop_reason=c.answer_stop_reason, drop_frames=lambda: c.paused,
                             on_ended=ended if resumable else None, on_resumed=resumed,
                             is_echo=self.echo.is_echo, echo_settled=self.echo.settled)
        settings = CaptureSettings(self._endpoint(question), p.listen.frame_len,
                                   p.listen.pre_roll_s, p.listen.resume_s)
        turn_end = TurnEnd(TurnSettings(p.listen.silence_s, p.listen.thinking_s,
                                        p.listen.finished_s), p.turn_model, covers)
        stop = c.enter(Stage.ANSWERING)

        def work() -> None:
            try:
                with IncrementalWavWriter(path, SAMPLE_RATE) as writer:
                    result.set_result(capture_answer(source, writer, reader, settings, stop,
                                                     hooks, turn_end))
            except BaseException as exc:  # raised again in the round's thread
                result.set_exception(exc)
            finally:
                notes.put(_DONE)

        threading.Thread(target=work, name="capture", daemon=True).start()
        return result

    def _relayed(self, note: _Note, relay: _Relay, question: Question, listening: Listening,
                 warning_stop: threading.Event) -> Iterator[Event]:
        """The events one note of the recording makes."""
        turn = relay.turn
        if isinstance(note, Level):
            if relay.warning_due(note):
                yield self._time_warning(turn, question.budget_s - note.elapsed_s,
                                         warning_stop)
            if not relay.stopped:
                yield InputLevel(self._t(), turn, round(note.db, 1), note.speaking,
                                 round(note.elapsed_s, 2))
        elif isinstance(note, _Paused):
            if not relay.stopped:
                yield ControlUsed(self._t(), turn, Control.PAUSE if note.paused
                                  else Control.RESUME)
        elif isinstance(note, _Stopped):
            if not relay.stopped:
                relay.stopped = True
                yield AnswerStopped(self._t(), turn, note.reason)
        elif isinstance(note, _Draft) and not relay.stopped:
            draft = hear(note.reading, listening, draft=True)
            if draft.text and draft.text != relay.shown:
                relay.shown = draft.text
                yield PartialTranscript(self._t(), turn, draft.text,
                                        live_pace(draft.said.words, self.p.delivery))

    def _time_warning(self, turn: int, left_s: float, stop: threading.Event
                      ) -> InterviewerSaid:
        """Say how long is left, over the answer, without holding the recording up."""
        seconds = max(_LEAST_WARNED_S, int(round(left_s / _WARNING_STEP_S) * _WARNING_STEP_S))
        said = self.p.persona.style.time_warning_for(seconds)
        path = self.p.session_dir / "audio" / f"{turn:02d}-time-warning.wav"

        def speak() -> None:
            try:
                self.p.synthesizer.render(said, path,
                                          self.p.persona.voice_settings(self.p.rate_scale))
                if self.p.player is not None and not stop.is_set():
                    self.p.player(path, stop)
            except Exception:  # a warning that cannot be said must not end the answer
                pass

        threading.Thread(target=speak, name="time-warning", daemon=True).start()
        return InterviewerSaid(self._t(), RemarkKind.TIME_WARNING, said, self._rel(path))


#: The time left is said rounded to this many seconds, as a person would say it...
_WARNING_STEP_S = 5
#: ...and never as less than this.
_LEAST_WARNED_S = 5
