"""The interviewer loop: ask, listen, transcribe, judge, follow up or move on.

``Interview.run()`` is a generator of events; it knows nothing of screens.
Blocking work (rendering speech, playing it, recording, transcribing) runs
in the caller's thread, so a UI runs the generator in a worker.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import asdict, replace
from pathlib import Path

from simulator.assess.policy import Exchange
from simulator.audio import SAMPLE_RATE
from simulator.audio.endpoint import EndReason
from simulator.audio.sources import AnswerSource
from simulator.audio.wavwriter import IncrementalWavWriter
from simulator.banks.model import FollowUp, Question
from simulator.delivery.metrics import live_pace, measure
from simulator.engine.answers import TurnInfo
from simulator.engine.capture import CapturedAnswer, CaptureHooks, Level, capture_answer
from simulator.engine.controls import Action, RoundControls, Stage
from simulator.engine.events import (
    AnswerFinished,
    AnswerStarted,
    AnswerStopped,
    Assessed,
    AwaitingAnswer,
    AwaitingCorrections,
    ControlUsed,
    Decided,
    Event,
    InputLevel,
    InterviewerSaid,
    Notice,
    PartialTranscript,
    PointResult,
    QuestionAsked,
    SessionEnded,
    SessionStarted,
    TranscriptCorrected,
    TurnTimed,
    WordTiming,
)
from simulator.engine.parts import RoundParts
from simulator.speech import vocabulary
from simulator.speech.echo import remove_echo
from simulator.speech.glossary import Glossary
from simulator.speech.stt import Transcript


class Interview:
    def __init__(self, parts: RoundParts, cancel: threading.Event | None = None,
                 controls: RoundControls | None = None):
        self.p = parts
        #: What the candidate asks for while the round runs (answer key, repeat, skip, ...).
        self.controls = controls or RoundControls(cancel=cancel)
        self.cancel = self.controls.cancel
        self._t0 = time.monotonic()
        self._rng = random.Random(parts.seed)
        self._last: CapturedAnswer | None = None
        self._said = ""  # the last transition phrase, not to be repeated next
        #: Notices from assembling the round, emitted at its start.
        self.notices: list[str] = []

    def _t(self) -> float:
        return round(time.monotonic() - self._t0, 3)

    def _audio(self, name: str) -> Path:
        return self.p.session_dir / "audio" / name

    def _rel(self, path: Path) -> str:
        return str(path.relative_to(self.p.session_dir))

    def _render(self, text: str, name: str) -> Path:
        path = self._audio(name)
        self.p.synthesizer.render(text, path, self.p.persona.voice_settings(self.p.rate_scale))
        return path

    def _play(self, path: Path) -> None:
        if self.p.player is None or self.cancel.is_set():
            return
        stop = self.controls.enter(Stage.SPEAKING)
        try:
            self.p.player(path, stop)
        finally:
            self.controls.enter(Stage.WORKING)

    def _warm_up(self) -> None:
        """Load the model (and the LLM client) while the opening is spoken."""
        try:
            self.p.transcriber.load()
            warm = getattr(self.p.policy, "warm_up", None)
            if warm is not None:
                warm()
        except Exception:  # surfaced by the load() call in the round's thread
            pass

    def run(self) -> Iterator[Event]:
        p = self.p
        info = p.transcriber.info
        yield SessionStarted(
            self._t(), p.session_id, p.bank_label, p.persona.id, p.policy.name,
            {"model": info.model, "device": info.device, "compute_type": info.compute_type},
            [q.id for q in p.questions], p.answers.label,
        )
        for notice in [*info.notices, *self.notices]:
            yield Notice(self._t(), notice)
        turns = 0
        status = "complete"
        try:
            # Load the model while the opening is spoken, not after the first answer.
            loader = threading.Thread(target=self._warm_up, daemon=True)
            loader.start()
            opening = p.persona.style.opening.format(count=len(p.questions))
            path = self._render(opening, "00-opening.wav")
            yield InterviewerSaid(self._t(), "opening", opening, self._rel(path))
            self._play(path)
            self.controls.forget(Action.TALK, Action.REPEAT, Action.SKIP)  # they cut it short
            loader.join()
            p.transcriber.load()  # surfaces a load error here, in the round's thread

            pending: tuple[int, float, float] | None = None  # turn, answer end, transcript ms
            out_of_answers = False
            for qn, question in enumerate(p.questions):
                self.controls.forget(Action.SKIP)  # one pressed since was meant for the last
                lead = p.persona.next_question(self._rng, self._said) if qn > 0 else ""
                self._said = lead or self._said
                prompt = f"{lead} {question.prompt}".strip()
                kind, target, reason = "question", None, None
                asked: list[FollowUp] = []
                thread: list[Exchange] = []
                while True:
                    if self.cancel.is_set():
                        status = "cancelled"
                        break
                    if self.controls.take(Action.SKIP):  # pressed while the answer was judged
                        yield ControlUsed(self._t(), turns, "skip")
                        break
                    turns += 1
                    path = self._render(prompt, f"{turns:02d}-prompt.wav")
                    yield QuestionAsked(self._t(), turns, kind, question.id, prompt, target,
                                        self._rel(path), question.budget_s, reason)
                    if pending is not None:
                        yield TurnTimed(self._t(), pending[0], pending[2],
                                        round((time.monotonic() - pending[1]) * 1000, 1))
                        pending = None
                    outcome = yield from self._ask(turns, kind, question, target, path)
                    if outcome == "cancelled":
                        status = "cancelled"
                        break
                    if outcome == "skipped":
                        break
                    if outcome == "out_of_answers":
                        out_of_answers = True
                        break
                    if self.controls.check and not self.cancel.is_set():
                        checked = yield from self._check(turns)
                        if checked == "cancelled":
                            status = "cancelled"
                            break
                        if checked == "skipped":
                            break
                    cap = self._last
                    assert cap is not None
                    thread.append(Exchange(prompt, cap.transcript.text))
                    judged = p.policy.judge(question, thread, asked)
                    assessment = judged.assessment
                    yield Assessed(self._t(), turns, question.id,
                                   [PointResult(**asdict(v)) for v in assessment.points],
                                   assessment.coverage)
                    f = judged.follow_up
                    if f is not None and self._cut_in(cap):
                        f = None  # at time: the interviewer moves on, as a real one would
                        judged = replace(judged, follow_up=None, wording=None,
                                         reason="time is up: the answer reached its budget, "
                                                "so the interviewer cut in and moved on")
                    if judged.fallback:
                        yield Notice(self._t(), f"turn {turns}: {judged.fallback}; "
                                                "the offline policy judged this answer")
                    yield Decided(self._t(), turns, question.id,
                                  "follow_up" if f else "move_on", f.target if f else None,
                                  judged.reason, judged.policy, judged.fallback, judged.usage)
                    pending = (turns, cap.ended_at,
                               round((cap.transcribed_at - cap.ended_at) * 1000, 1))
                    if self.controls.review and not self.cancel.is_set():
                        # Practice: the verdict is on screen; go on when the candidate is.
                        held = time.monotonic()
                        got = self.controls.wait_for(Stage.REVIEW, {Action.TALK, Action.SKIP})
                        self.controls.enter(Stage.WORKING)
                        if got is Action.TALK:
                            self.controls.take(Action.TALK)
                        pending = (turns, cap.ended_at + time.monotonic() - held, pending[2])
                    if f is None:
                        break
                    asked.append(f)
                    self._said = p.persona.transition(self._rng, self._said)
                    prompt = f"{self._said} {judged.wording or f.prompt}".strip()
                    kind, target, reason = "follow_up", f.target, judged.reason
                if out_of_answers or status != "complete":
                    break
            if self.cancel.is_set() and status == "complete":
                status = "cancelled"  # ended during the last answer
            closing = p.persona.style.closing
            path = self._render(closing, f"{turns + 1:02d}-closing.wav")
            if pending is not None:
                yield TurnTimed(self._t(), pending[0], pending[2],
                                round((time.monotonic() - pending[1]) * 1000, 1))
            yield InterviewerSaid(self._t(), "closing", closing, self._rel(path))
            if status == "complete":
                self._play(path)
        except GeneratorExit:
            raise  # the consumer stopped iterating; nothing more may be yielded
        except BaseException as exc:
            status = "cancelled" if isinstance(exc, KeyboardInterrupt) else "failed"
            yield SessionEnded(self._t(), status, turns, error=str(exc) or type(exc).__name__)
            raise
        yield SessionEnded(self._t(), status, turns)

    def _time_warning(self, turn: int, left_s: float, stop: threading.Event
                      ) -> InterviewerSaid:
        """Say how long is left, over the answer, without holding the recording up."""
        seconds = max(5, int(round(left_s / 5) * 5))
        said = self.p.persona.style.time_warning.format(seconds=seconds)
        path = self._audio(f"{turn:02d}-time-warning.wav")

        def speak() -> None:
            try:
                self.p.synthesizer.render(said, path,
                                          self.p.persona.voice_settings(self.p.rate_scale))
                if self.p.player is not None and not stop.is_set():
                    self.p.player(path, stop)
            except Exception:  # a warning that cannot be said must not end the answer
                pass

        threading.Thread(target=speak, name="time-warning", daemon=True).start()
        return InterviewerSaid(self._t(), "time_warning", said, self._rel(path))

    def _cut_in(self, cap: CapturedAnswer) -> bool:
        """The interviewer stopped this answer at its budget (timing 'cut_in')."""
        return self.p.timing == "cut_in" and cap.end_reason is EndReason.TIME_LIMIT

    def _await_key(self, stage: Stage, actions: set[Action], turn: int
                   ) -> Generator[Event, None, Action | None]:
        """Wait in ``stage`` for one of ``actions``, then back to work; a skip or a repeat
        is recorded. None when the round was cancelled meanwhile."""
        c = self.controls
        got = c.wait_for(stage, actions)
        c.enter(Stage.WORKING)
        if got is not None:
            c.take(got)
            if got is not Action.TALK:
                yield ControlUsed(self._t(), turn, got.value)
        return got

    def _check(self, turn: int) -> Generator[Event, None, str]:
        """Practice: hold the transcript so misheard words can be corrected before judging.

        Returns 'checked', 'skipped' or 'cancelled'.
        """
        cap = self._last
        assert cap is not None
        t = cap.transcript
        if t.silent:
            return "checked"
        unsure = [w.word for w in t.words
                  if w.probability < self.p.low_confidence and not w.filler]
        c = self.controls
        c.enter(Stage.CHECK)  # before the event, so a front end may correct at once
        yield AwaitingCorrections(self._t(), turn, unsure)
        got = yield from self._await_key(Stage.CHECK, {Action.TALK, Action.SKIP}, turn)
        fixes = c.take_corrections()  # taken once no more are accepted
        if got is None:
            return "cancelled"
        if got is Action.SKIP:
            return "skipped"
        if fixes:
            done: list[str] = []
            missing: list[str] = []
            for heard, meant in fixes:
                t, applied = Glossary({meant: [heard]}).correct(t)
                (done if applied else missing).append(f"{heard} -> {meant}")
            self._last = replace(cap, transcript=t)
            yield TranscriptCorrected(self._t(), turn, done, t.text, missing)
        return "checked"

    def _hold(self, turn: int) -> Iterator[Event]:
        """While the round is paused, wait here (the pause and resume are recorded)."""
        if not self.controls.paused:
            return
        yield ControlUsed(self._t(), turn, "pause")
        self.controls.hold_while_paused()
        if not self.cancel.is_set():
            yield ControlUsed(self._t(), turn, "resume")

    def _ask(self, turn: int, kind: str, question: Question, target: str | None,
             path: Path) -> Generator[Event, None, str]:
        """Speak the prompt and record the answer, honouring repeat, skip and pause.

        Returns 'answered', 'skipped', 'cancelled' or 'out_of_answers'.
        """
        c = self.controls
        source: AnswerSource | None = None
        while True:
            yield from self._hold(turn)
            if not c.pending(Action.SKIP):
                self._play(path)
            if self.cancel.is_set():
                return "cancelled"
            if c.take(Action.SKIP):
                yield ControlUsed(self._t(), turn, "skip")
                return "skipped"
            if c.paused:
                continue  # said again on resuming
            if c.take(Action.REPEAT):
                yield ControlUsed(self._t(), turn, "repeat")
                continue
            if source is None:
                source = self.p.answers.next_answer(TurnInfo(turn, kind, question.id, target))
                if source is None:
                    return "out_of_answers"
            if c.push_to_talk and not c.take(Action.TALK):
                yield AwaitingAnswer(self._t(), turn)
                got = yield from self._await_key(
                    Stage.WAITING, {Action.TALK, Action.REPEAT, Action.SKIP}, turn)
                if got is None:
                    return "cancelled"
                if got is Action.SKIP:
                    return "skipped"
                if got is Action.REPEAT:
                    continue
            else:
                c.forget(Action.TALK)  # the key that cut the prompt short
            yield AnswerStarted(self._t(), turn, source.label)
            yield from self._answer(turn, question, source)
            cap = self._last
            assert cap is not None
            if not cap.discarded:
                return "answered"
            if c.take(Action.SKIP):
                yield ControlUsed(self._t(), turn, "skip")
                return "skipped"
            c.take(Action.REPEAT)
            yield ControlUsed(self._t(), turn, "repeat")

    def _answer(self, turn: int, question: Question, source: AnswerSource) -> Iterator[Event]:
        """Record and transcribe one answer in a thread; yields level events meanwhile."""
        p = self.p
        c = self.controls
        path = self._audio(f"{turn:02d}-answer.wav")
        levels: list[Level] = []
        partials: list[tuple[str, dict[str, float]]] = []
        stopped: list[str] = []
        lock = threading.Lock()
        box: dict[str, CapturedAnswer] = {}
        errors: list[BaseException] = []

        def on_level(level: Level) -> None:
            with lock:
                levels.append(level)

        vocab = (vocabulary.for_question(question.prompt, question.terms(),
                                         p.expected_terms.get(question.id, ()))
                 if p.vocabulary else vocabulary.Vocabulary.empty())

        def on_partial(t: Transcript) -> None:
            heard_so_far = vocabulary.heard_right(t, p.glossary, vocab)[0]
            pace = live_pace(t.words, p.delivery)  # counted as the final pace is
            with lock:
                partials.append((heard_so_far.text, pace))

        def on_stopped(reason: str) -> None:
            with lock:
                stopped.append(reason)

        endpoint = p.listen.endpoint(question.budget_s)
        if c.push_to_talk:  # the answer key ends it, or the hard time limit
            endpoint = replace(endpoint, silence_s=math.inf, no_speech_timeout_s=math.inf)
        if p.timing == "cut_in":  # the interviewer stops the answer at its budget
            endpoint = replace(endpoint, max_answer_s=float(question.budget_s))
        warn_at = question.budget_s * p.warning_at if p.timing != "countdown" else math.inf
        warning_stop = threading.Event()
        echo: tuple[str, float] | None = None  # the warning said, and when
        hooks = CaptureHooks(on_partial, p.listen.partial_every_s, on_stopped,
                             c.answer_stop_reason, lambda: c.paused)
        stop = c.enter(Stage.ANSWERING)

        def work() -> None:
            try:
                with IncrementalWavWriter(path, SAMPLE_RATE) as writer:
                    box["cap"] = capture_answer(
                        source, writer, p.transcriber, endpoint,
                        p.listen.frame_len, p.listen.pre_roll_s, stop, on_level,
                        vocabulary=vocab.bias or None, speculate=p.listen.speculate,
                        hooks=hooks,
                    )
            except BaseException as exc:  # re-raised in the round's thread below
                errors.append(exc)

        worker = threading.Thread(target=work, name="capture", daemon=True)
        worker.start()
        paused = False
        shown = ""
        told_stop = False
        while worker.is_alive():
            worker.join(0.1)
            with lock:
                latest, levels[:] = levels[-1:], []
                text, pace = partials[-1] if partials else (None, {})
                partials[:] = []
                ended = stopped[0] if stopped else None
            if latest and latest[-1].elapsed_s >= warn_at and not told_stop:
                warn_at = math.inf  # once per answer
                warned = self._time_warning(turn, question.budget_s - latest[-1].elapsed_s,
                                            warning_stop)
                echo = (warned.text, latest[-1].elapsed_s)
                yield warned
            if c.paused != paused and not told_stop:
                paused = not paused
                yield ControlUsed(self._t(), turn, "pause" if paused else "resume")
            for lv in latest:
                yield InputLevel(self._t(), turn, round(lv.db, 1), lv.speaking,
                                 round(lv.elapsed_s, 2))
            if text and text != shown and not told_stop:
                shown = text
                yield PartialTranscript(self._t(), turn, text, pace)
            if ended is not None and not told_stop:
                told_stop = True
                yield AnswerStopped(self._t(), turn, str(ended))
        warning_stop.set()
        c.enter(Stage.WORKING)
        if errors:
            raise errors[0]
        cap = self._last = box["cap"]
        if cap.discarded:
            return
        if self._cut_in(cap):
            said = p.persona.style.cut_in
            cut = self._render(said, f"{turn:02d}-cut-in.wav")
            yield InterviewerSaid(self._t(), "cut_in", said, self._rel(cut))
            self._play(cut)
        heard = cap.transcript
        if echo is not None:
            # Through speakers the microphone heard the warning too: take it out.
            said, at = echo
            heard = remove_echo(heard, said, at - 0.5, at + 2.0 + 0.5 * len(said.split()))
            cap = self._last = replace(cap, transcript=heard)
        t, fixes = vocabulary.heard_right(heard, p.glossary, vocab)
        if fixes:
            cap = self._last = replace(cap, transcript=t)
        yield AnswerFinished(
            self._t(), turn, self._rel(path), round(len(cap.audio) / SAMPLE_RATE, 2),
            cap.end_reason.value, t.text,
            [WordTiming(w.word, w.start, w.end, w.probability, w.filler) for w in t.words],
            t.silent, round((cap.transcribed_at - cap.ended_at) * 1000, 1), cap.speculative,
            heard.verbatim, [f"{f.heard} -> {f.term}" for f in fixes],
            # Pace counts the words as heard; counting the corrected ones measured no better
            # (benchmarks/delivery.py: median error 2.1% against 1.8%).
            measure(heard.words, cap.audio, question.budget_s, p.delivery,
                    heard.verbatim).to_dict(),
        )
        if t.silent:
            yield Notice(self._t(), f"turn {turn}: no speech heard; recorded as a silent answer")
        flags = getattr(source, "status_flags", [])
        if flags:
            yield Notice(self._t(), f"turn {turn}: the input device reported {len(flags)} "
                                    f"problem(s) ({flags[0]}); the recording may have gaps")
