"""The live interview: the question, the level meter, the transcript, the timer, the verdict,
and in practice a check of what was heard before it is judged."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from simulator.engine import LIVE_TRANSCRIPT_S
from simulator.engine.controls import RoundControls, Stage
from simulator.engine.events import Control, Decision, RemarkKind, SessionStatus, TurnKind
from simulator.tui.messages import (
    AnswerAwaited,
    AnswerBegan,
    AnswerEnded,
    AnswerHeard,
    AnswerTakenBack,
    ControlApplied,
    CorrectionsApplied,
    CorrectionsAwaited,
    DecisionMade,
    FixesKept,
    InterviewerSpoke,
    LevelChanged,
    NoticePosted,
    PartialHeard,
    QuestionPosed,
    RoundFinished,
    RoundPhase,
    RoundPrepared,
    RoundStarted,
    VerdictReady,
    WorkFailed,
    for_event,
)
from simulator.tui.options import RoundPlan
from simulator.tui.screens.base import AppScreen
from simulator.tui.widgets.answer_timer import AnswerTimer
from simulator.tui.widgets.check_panel import CheckPanel
from simulator.tui.widgets.level_meter import LevelMeter
from simulator.tui.widgets.phase_line import PhaseLine
from simulator.tui.widgets.question_panel import QuestionPanel
from simulator.tui.widgets.transcript_view import TranscriptView
from simulator.tui.widgets.verdict_view import VerdictView

if TYPE_CHECKING:
    from simulator.config import Settings

ROUND_GROUP = "round"
GLOSSARY_GROUP = "glossary"


class InterviewScreen(AppScreen):
    """One round. The engine runs in a thread worker; this screen only shows its events."""

    AUTO_FOCUS = ""
    """Nothing has the focus but the check box, and that only while a transcript is checked
    (focused, it takes the letter keys and the space)."""

    BINDINGS = [
        Binding("space", "talk", "Answer", priority=True),
        Binding("r", "repeat", "Repeat"),
        Binding("s", "skip", "Skip"),
        Binding("p", "pause", "Pause"),
        Binding("e", "end", "End"),
        # g types a g in the check box; ctrl+g works from there too.
        Binding("g,ctrl+g", "keep", "Keep fixes for later rounds (^g in the box)", show=False),
        Binding("escape", "leave", "Back", show=False),
    ]

    def __init__(self, plan: RoundPlan, settings: Settings,
                 live_transcript_s: float = LIVE_TRANSCRIPT_S,
                 autostart: bool = True):
        super().__init__()
        self.plan = plan
        self.settings = settings
        self.live_transcript_s = live_transcript_s
        self.autostart = autostart
        self.controls = RoundControls(push_to_talk=plan.push_to_talk, review=plan.practice,
                                      check=plan.practice)
        self.session_dir: Path | None = None
        self.finished = False
        self.failed = False
        self._policy = "offline"
        self._turn = 0
        self._question_ids = [q.id for q in plan.questions]
        self._questions = {q.id: q for q in plan.questions}
        self._current_q: str | None = None
        self._resume_phase: tuple[str, str, str] = ("", "", "")
        self._fixes: list[tuple[str, str]] = []
        """This turn's corrections the round took, as (heard, meant): what g keeps."""

    def compose(self) -> ComposeResult:
        yield Static(self._bar_text(), id="round-bar", classes="topbar")
        yield QuestionPanel(id="question")
        with Horizontal(id="meter-row"):
            yield LevelMeter(id="level")
            yield AnswerTimer(id="timer")
        yield TranscriptView(id="transcript")
        yield CheckPanel(id="check")
        yield VerdictView(reveal=self.plan.practice, id="verdict")
        yield PhaseLine(id="phase")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#transcript", TranscriptView).border_title = "Your answer"
        self.query_one("#check", CheckPanel).border_title = "Check what was heard"
        verdict = self.query_one("#verdict", VerdictView)
        verdict.border_title = "Verdict" if self.plan.practice else "Recorded"
        verdict.clear()
        self.query_one("#question", QuestionPanel).show("Interviewer", "Getting ready...")
        self._phase("Preparing the round...", tone="wait")
        if self.autostart:
            self.run_round()

    def on_unmount(self) -> None:
        if not self.finished:
            self.controls.end()  # leaving the screen ends the round; what was said is kept

    # -- the worker -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group=ROUND_GROUP, exit_on_error=False,
          description="the interview round")
    def run_round(self) -> Path:
        """Assemble the round and iterate its events, posting one message for each."""
        from simulator.tui.round_setup import prepare_planned

        self.post_message(RoundPhase("Loading the interviewer and the speech model..."))
        prepared = prepare_planned(self.plan, self.settings, self.controls,
                                   self.live_transcript_s)
        self.post_message(RoundPrepared(prepared.session.id, prepared.session.dir))
        for event in prepared.events():
            self.post_message(for_event(event))
        return prepared.session.dir

    @on(Worker.StateChanged)
    def _round_state(self, event: Worker.StateChanged) -> None:
        if event.worker.group != ROUND_GROUP:
            return
        if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, Path):
            self.finished = True
            self.iapp.show_report(event.worker.result, replace=True)

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        if message.group != ROUND_GROUP:
            return  # keeping fixes failed: the app said why, and the round goes on
        self.finished = self.failed = True
        self._check_panel.close()
        self.query_one("#level", LevelMeter).stop()
        self._phase(f"The round stopped: {message.message}",
                    "escape: back" + (" · e: what was recorded" if self._has_events() else ""),
                    tone="error")

    # -- what the round does ----------------------------------------------------------------

    def _bar_text(self) -> str:
        mode = "Practice" if self.plan.practice else "Realistic"
        answers = "push-to-talk" if self.plan.push_to_talk else "auto end"
        n = len(self._question_ids)
        if self._current_q in self._question_ids:
            where = f"Question {self._question_ids.index(self._current_q) + 1} of {n}"
        else:
            where = f"{n} question{'s' if n != 1 else ''}"
        return f"Interview · {where} · {mode} · {answers}"

    def _phase(self, text: str, hint: str = "", tone: str = "", keep: bool = True) -> None:
        """Say what the round does; ``keep``: what to show again after a pause."""
        if keep:
            self._resume_phase = (text, hint, tone)
        if keep and self.controls.paused and tone != "error":
            return  # the pause stays on screen; this shows on resuming
        self.query_one("#phase", PhaseLine).show(text, hint, tone)

    def _show_pause(self) -> None:
        if self.controls.paused:
            self.query_one("#phase", PhaseLine).show("Paused", "p: resume · e: end the round",
                                                     "wait")
        else:
            self.query_one("#phase", PhaseLine).show(*self._resume_phase)

    @property
    def _check_panel(self) -> CheckPanel:
        return self.query_one("#check", CheckPanel)

    def _typing(self) -> bool:
        return isinstance(self.focused, Input)

    def _judging(self) -> str:
        return (f"Asking {self._policy.removeprefix('llm:')} for a verdict..."
                if self._policy.startswith("llm") else "Judging your answer...")

    def _check_phase(self) -> None:
        """The keys differ while the check box has the focus: letters and space type."""
        if self._typing():
            hint = "empty enter: go on · esc: leave box · ^g: keep fixes"
        else:
            hint = "space: go on · g: keep fixes · tab: fix a word"
        self._phase("Check what was heard", hint, tone="go")

    @on(RoundPhase)
    def _round_phase(self, message: RoundPhase) -> None:
        self._phase(message.text, tone="wait")

    @on(RoundPrepared)
    def _prepared(self, message: RoundPrepared) -> None:
        self.session_dir = message.session_dir

    @on(RoundStarted)
    def _started(self, message: RoundStarted) -> None:
        self._policy = message.event.policy

    @on(NoticePosted)
    def _notice(self, message: NoticePosted) -> None:
        self.notify(message.event.message, title="Note", timeout=8)

    @on(InterviewerSpoke)
    def _spoke(self, message: InterviewerSpoke) -> None:
        e = message.event
        if e.kind == RemarkKind.TIME_WARNING:  # said over the answer: the question stays on screen
            self.notify(e.text, title="Time", timeout=6)
            return
        self.query_one("#question", QuestionPanel).show("Interviewer", e.text)
        if e.kind == RemarkKind.OPENING:
            self._phase("The interviewer introduces the round", "space: skip the introduction")
        elif e.kind == RemarkKind.CUT_IN:
            self._phase("Time is up: the interviewer cut in", tone="wait")
        else:
            self._phase("The round is over. Opening the report...", tone="go")

    @on(QuestionPosed)
    def _question(self, message: QuestionPosed) -> None:
        e = message.event
        self._turn = e.turn
        self._current_q = e.question_id
        self.query_one("#round-bar", Static).update(self._bar_text())
        if e.kind == TurnKind.QUESTION:
            n = self._question_ids.index(e.question_id) + 1 if (
                e.question_id in self._question_ids) else e.turn
            title = f"Question {n} of {len(self._question_ids)}"
        else:
            title = f"Follow-up · {e.target_point}"
        q = self._questions.get(e.question_id)
        if q is not None:
            title += f" · {q.label}"
        self.query_one("#question", QuestionPanel).show(
            title, e.prompt, f"answer in about {e.budget_s // 60}:{e.budget_s % 60:02d}")
        self.query_one("#transcript", TranscriptView).clear(
            "Your answer appears here as you speak.")
        self.query_one("#transcript", TranscriptView).clear_pace()
        self.query_one("#verdict", VerdictView).clear()
        self._check_panel.close()
        self._fixes = []
        timer = self.query_one("#timer", AnswerTimer)
        timer.budget, timer.elapsed = e.budget_s, None
        self.query_one("#level", LevelMeter).stop()
        self._phase("The interviewer asks", "space: answer now · r: repeat · s: skip")

    @on(AnswerAwaited)
    def _awaited(self, message: AnswerAwaited) -> None:
        self._phase("Press space to start your answer", "r: repeat · s: skip", tone="go")

    @on(AnswerBegan)
    def _began(self, message: AnswerBegan) -> None:
        self.query_one("#timer", AnswerTimer).elapsed = 0.0
        self._listening()

    @on(AnswerTakenBack)
    def _taken_back(self, message: AnswerTakenBack) -> None:
        # The candidate went on after a pause taken for the end: back to listening, on
        # the same answer (its timer goes on from where it was).
        self._listening()

    def _listening(self) -> None:
        self.query_one("#level", LevelMeter).show(-60.0, False)
        if self.plan.push_to_talk:
            self._phase("Recording your answer", "space: stop", tone="go")
        else:
            silence = self.settings.audio.silence_s
            self._phase("Listening", f"it ends after {silence:g} s of silence · space: done",
                        tone="go")

    @on(LevelChanged)
    def _level(self, message: LevelChanged) -> None:
        e = message.event
        self.query_one("#level", LevelMeter).show(e.db, e.speaking)
        self.query_one("#timer", AnswerTimer).elapsed = e.elapsed_s

    @on(PartialHeard)
    def _partial(self, message: PartialHeard) -> None:
        view = self.query_one("#transcript", TranscriptView)
        view.show_partial(message.event.text)
        pace = message.event.pace
        if pace:
            view.show_pace(pace.wpm, pace.fillers, pace.speaking_s, "so far")

    @on(AnswerEnded)
    def _ended(self, message: AnswerEnded) -> None:
        self.query_one("#level", LevelMeter).stop()
        self._phase("Transcribing your answer...", tone="wait")

    @on(AnswerHeard)
    def _heard(self, message: AnswerHeard) -> None:
        e = message.event
        self.query_one("#level", LevelMeter).stop()
        self.query_one("#timer", AnswerTimer).elapsed = e.duration_s
        view = self.query_one("#transcript", TranscriptView)
        d = e.delivery
        view.show_final(e.transcript, e.silent, e.words, self.settings.stt.low_confidence, d)
        if d and d.speaking_s:
            view.show_pace(d.wpm, d.fillers.count, d.speaking_s, "answer")
        else:
            view.clear_pace()
        self._phase(self._judging(), tone="wait")

    @on(CorrectionsAwaited)
    def _check(self, message: CorrectionsAwaited) -> None:
        self._check_panel.open(message.event.unsure)
        self._check_phase()

    @on(events.DescendantFocus)
    @on(events.DescendantBlur)
    def _focus_moved(self) -> None:
        self.refresh_bindings()  # space answers again once the box is left
        if self._check_panel.is_open:
            self._check_phase()

    @on(CheckPanel.Fixed)
    def _fixed(self, message: CheckPanel.Fixed) -> None:
        taken = [(heard, meant) for heard, meant in message.pairs
                 if self.controls.correct(heard, meant)]
        self._fixes += taken
        panel = self._check_panel
        panel.accepted(taken)
        if len(taken) < len(message.pairs):
            panel.refuse("Too late: the answer is already being judged.")

    @on(CheckPanel.Done)
    def _checked(self) -> None:
        self.action_talk()

    @on(CorrectionsApplied)
    def _corrected(self, message: CorrectionsApplied) -> None:
        e = message.event
        self.query_one("#transcript", TranscriptView).show_corrected(
            e.transcript, e.corrections, e.not_found)
        missing = set(e.not_found)  # not worth keeping: they changed nothing
        self._fixes = [(h, m) for h, m in self._fixes if f"{h} -> {m}" not in missing]

    @on(VerdictReady)
    def _verdict(self, message: VerdictReady) -> None:
        e = message.event
        self._check_panel.close()
        self.query_one("#verdict", VerdictView).show_verdict(e, self._questions.get(
            e.question_id))

    @on(DecisionMade)
    def _decided(self, message: DecisionMade) -> None:
        e = message.event
        self.query_one("#verdict", VerdictView).show_decision(e)
        last_q = (e.question_id == self._question_ids[-1]) if self._question_ids else True
        if e.action == Decision.FOLLOW_UP:
            nxt = "the follow-up"
        elif last_q:
            nxt = "the end of the round"
        else:
            nxt = "the next question"
        if self.plan.practice:
            self._phase(f"Press space for {nxt}", "s: skip to the next question", tone="go")
        else:
            self._phase(f"Preparing {nxt}...", tone="wait")

    @on(ControlApplied)
    def _control(self, message: ControlApplied) -> None:
        action = message.event.action
        if action == Control.REPEAT:
            self._phase("The interviewer repeats the question", tone="wait")
            self.query_one("#transcript", TranscriptView).clear(
                "Your answer appears here as you speak.")
        elif action == Control.SKIP:
            self._check_panel.close()
            self._phase("Skipped. On to the next question...", tone="wait")
        elif action in (Control.PAUSE, Control.RESUME):
            self._show_pause()  # from the controls' state: a late event does not undo a key

    @on(RoundFinished)
    def _finished(self, message: RoundFinished) -> None:
        e = message.event
        self.query_one("#level", LevelMeter).stop()
        self._check_panel.close()
        if e.status == SessionStatus.COMPLETE:
            self._phase("Round complete. Opening the report...", tone="go")
        elif e.status == SessionStatus.CANCELLED:
            self._phase("Round ended. Opening the report...", tone="wait")
        else:
            self._phase(f"The round failed: {e.error}", tone="error")

    @on(FixesKept)
    def _kept(self, message: FixesKept) -> None:
        if message.new:
            self.notify(f"Saved {message.new} to your glossary ({message.path})", timeout=6)
        else:
            self.notify(f"Already in your glossary ({message.path})", timeout=4)

    # -- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "talk" and self._typing():
            return False  # the key goes to the check box: a space typed there is a space
        if action == "keep":
            return self.plan.practice
        return True

    def action_talk(self) -> None:
        if self.finished:
            return
        stage = self.controls.stage
        if self.controls.talk():
            if stage is Stage.ANSWERING:
                self._phase("Finishing your answer...", tone="wait")
            elif stage is Stage.WAITING:
                self._phase("Starting to record...", tone="go")
            elif stage is Stage.REVIEW:
                self._phase("Going on...", tone="wait")
            elif stage is Stage.CHECK:
                self._check_panel.close()
                self._phase(self._judging(), tone="wait")
        elif self.controls.paused:
            self.query_one("#phase", PhaseLine).show("Paused", "p: resume first", "wait")

    def action_repeat(self) -> None:
        if self.controls.stage is Stage.CHECK:
            return  # the answer is in; it can be skipped, not asked again
        if not self.finished and self.controls.repeat():
            self._phase("Repeating the question...", tone="wait")

    def action_skip(self) -> None:
        if not self.finished and self.controls.skip():
            self._check_panel.close()
            self._phase("Skipping this question...", tone="wait")

    def action_keep(self) -> None:
        if not self._fixes:
            self.notify("No fixes to keep yet: type  heard => meant  in the check box.",
                        timeout=4)
            return
        self._keep(list(self._fixes))

    @work(thread=True, group=GLOSSARY_GROUP, exit_on_error=False,
          description="keeping fixes in the glossary")
    def _keep(self, pairs: list[tuple[str, str]]) -> None:
        """The file is read, merged and written whole: off the UI thread."""
        from simulator.speech import learned

        path, new = learned.add(pairs)
        self.post_message(FixesKept(path, new))

    def action_pause(self) -> None:
        if self.finished:
            return
        paused = self.controls.toggle_pause()
        self.set_class(paused, "-paused")
        self._show_pause()

    def action_leave(self) -> None:
        if self.finished:
            self.app.pop_screen()
        else:
            self.action_end()

    def action_end(self) -> None:
        if self.finished:
            if self.failed and self.session_dir is not None and self._has_events():
                self.iapp.show_report(self.session_dir, replace=True)
            else:
                self.app.pop_screen()
            return
        from simulator.tui.screens.confirm import ConfirmScreen

        def answer(yes: bool | None) -> None:
            if yes and not self.finished:
                self.controls.end()
                self._phase("Ending the round...", tone="wait")

        self.app.push_screen(ConfirmScreen(
            "End the round now?", "What you have said so far is kept, and the report opens."),
            answer)

    def _has_events(self) -> bool:
        return self.session_dir is not None and (self.session_dir / "events.jsonl").exists()
