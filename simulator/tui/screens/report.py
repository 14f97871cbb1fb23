"""The report on a round: coverage per question, evidence, gaps, follow-ups, delivery,
and what to practise next (the last attempt compared, the model answers, a plan)."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from simulator.tui.catalog import fmt_duration, session_when
from simulator.tui.messages import ReportLoaded, WorkFailed
from simulator.tui.screens.base import AppScreen
from simulator.tui.widgets.coverage_chart import CoverageChart
from simulator.tui.widgets.delivery_view import DeliveryView
from simulator.tui.widgets.question_report import QuestionReport

if TYPE_CHECKING:
    from simulator.sessions.store import StoredSession


def _gaps(doc: dict[str, Any], questions: dict[str, Any]) -> dict[str, list[str]]:
    from simulator.sessions.summary import strengths_and_gaps

    try:
        return strengths_and_gaps(doc, questions)
    except (StopIteration, KeyError):  # a bank changed since the round: no weights
        return strengths_and_gaps(doc, {})


def _title(qid: str, questions: dict[str, Any]) -> str:
    q = questions.get(qid)
    return str(q.label) if q is not None else qid


def practice_history(session: StoredSession, root: Path,
                     questions: dict[str, Any]) -> dict[str, Any]:
    """This round against the rounds recorded before it: each question's previous attempt
    compared point by point, and the plan of what to practise next. Reads every session,
    so it runs in the report's worker."""
    from simulator.sessions.drill import by_question
    from simulator.sessions.progress import compare, documents, plan
    from simulator.sessions.store import read_sessions

    earlier = [s for s in read_sessions(root)[0] if s.dir.name < session.dir.name]
    docs = documents([*earlier, session])
    changes = []
    for qid, tries in by_question(docs).items():
        if len(tries) > 1 and tries[-1].session_id == session.id:
            before, after = tries[-2], tries[-1]
            changes.append({"question_id": qid, "before": before.coverage,
                            "after": after.coverage, "change": compare(before, after)})
    return {"changes": changes, "plan": plan(docs, questions)}


def model_answer_items(doc: dict[str, Any], questions: dict[str, Any]
                       ) -> list[tuple[str, str, str, str]]:
    """(question title, point id, what it covers, the bank's answer) per point missed."""
    from simulator.sessions.drill import model_answers

    out = []
    for q in doc["questions"]:
        bank_q = questions.get(q["question_id"])
        if bank_q is not None:
            out += [(_title(q["question_id"], questions), pid, covers, answer)
                    for pid, covers, answer in model_answers(bank_q, q["missed"])]
    return out


def spoken_answers(items: list[tuple[str, str, str, str]]) -> list[str]:
    """What is read aloud: each point named, then its model answer (or what it covers)."""
    return [f"{title}, {pid.replace('-', ' ')}. {answer or covers}"
            for title, pid, covers, answer in items]


def practice_lines(doc: dict[str, Any], questions: dict[str, Any]) -> list[Content]:
    """The 'what to practise next' section."""
    history = doc.get("practice") or {}
    lines: list[Content] = []
    if history.get("changes"):
        from simulator.sessions.progress import compare_line

        lines.append(Content.styled("Since your last attempt", "bold"))
        lines += [Content.assemble(
            (f"  {_title(c['question_id'], questions)}: ", "bold"),
            (f"{c['before']:.0%} then {c['after']:.0%}; {compare_line(c['change'])}", ""))
            for c in history["changes"]]
    items = model_answer_items(doc, questions)
    if items:
        lines.append(Content.assemble(("Model answers for the points missed", "bold"),
                                      ("   a reads them aloud", "$foreground-muted")))
        for title, pid, covers, answer in items:
            lines.append(Content.assemble((f"  {title} · {pid}: ", "bold"), (covers, "")))
            if answer:
                lines.append(Content.styled(f"    “{answer}”", "$foreground-muted"))
    if history.get("plan"):
        from simulator.sessions.progress import plan_line

        lines.append(Content.styled("Practise next", "bold"))
        lines += [Content(f"  {i}. {plan_line(item)}")
                  for i, item in enumerate(history["plan"], 1)]
    lines.append(Content.styled("t answers a question again · d drills the points you miss "
                                "most, across your rounds", "$foreground-muted"))
    return lines


class RetryPicker(ModalScreen[str | None]):
    """Which question of the round to answer again: enter starts it, escape cancels."""

    # Centred as the other dialogs are in app.tcss; kept here until that file lists it.
    DEFAULT_CSS = "RetryPicker { align: center middle; }"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, choices: list[tuple[str, str]]):
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Answer which question again?", classes="dialog-title")
            yield OptionList(*(Option(label, id=qid) for qid, label in self.choices),
                             id="retry-choices")
            yield Static("enter: start · escape: cancel", classes="dialog-detail")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReportScreen(AppScreen):
    """Read from the session folder, so it shows exactly what was saved."""

    BINDINGS = [
        Binding("r", "replay", "Replay"),
        Binding("t", "retry", "Retry"),
        Binding("d", "drill", "Drill"),
        # Kept out of the footer so it fits 80 columns: the model answers' heading names a,
        # and ? and the palette list both.
        Binding("a", "hear_answers", "Hear the model answers", show=False),
        Binding("n", "new_round", "New round", show=False),
        Binding("o", "sessions", "Sessions"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, session_dir: Path):
        super().__init__()
        self.session_dir = session_dir
        self.doc: dict[str, Any] | None = None
        self.questions: dict[str, Any] = {}
        """Bank questions by id, once loaded."""
        self.reading: threading.Event | None = None
        """Set to stop the model answers being read aloud, while they are."""

    def compose(self) -> ComposeResult:
        yield Static(f"Report · {self.session_dir.name}", id="report-bar", classes="topbar")
        with VerticalScroll(id="report"):
            yield Static("Reading the session...", id="report-head")
            yield Static("Coverage", classes="section-title")
            yield CoverageChart(id="coverage")
            yield Static(id="gaps")
            yield Static("Delivery", classes="section-title")
            yield DeliveryView(id="delivery")
            yield Static("Question by question", classes="section-title")
            yield Static("What to practise next", id="practice-title", classes="section-title")
            yield Static(id="practice")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#report", VerticalScroll).focus()
        self._load()

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def _load(self) -> None:
        from simulator.sessions.store import read_session
        from simulator.sessions.summary import round_document
        from simulator.tui.catalog import load_catalog

        session = read_session(self.session_dir)
        doc = round_document(session.events, session.dir)
        doc["manifest"] = session.manifest
        doc["length_s"] = session.events[-1].t if session.events else 0.0
        catalog = self.iapp.catalog or load_catalog(self.iapp.options.bank)
        questions = catalog.questions_by_id()
        settings = self.iapp.settings
        root = settings.sessions_dir() if settings is not None else self.session_dir.parent
        doc["practice"] = practice_history(session, root, questions)
        self.post_message(ReportLoaded(doc, questions))

    @on(ReportLoaded)
    def _loaded(self, message: ReportLoaded) -> None:
        doc = self.doc = message.doc
        self.questions = message.questions
        m = doc.get("manifest") or {}
        sid = doc.get("session_id") or self.session_dir.name
        status = doc.get("status", "?")
        n = len(doc["questions"])
        self.query_one("#report-bar", Static).update(
            f"Report · {session_when(sid, m)} · {status} · {n} question{'s' if n != 1 else ''}"
            f" · {fmt_duration(doc.get('length_s', 0.0))}")
        head = [Content.assemble(("Session ", "bold"), (sid, "$foreground-muted"))]
        stt = doc.get("stt") or {}
        head.append(Content.assemble(
            ("Interviewer ", "bold"), (str(doc.get("persona") or "?"), ""),
            ("   Follow-ups ", "bold"), (str(doc.get("policy") or "?"), ""),
            ("   Whisper ", "bold"),
            (f"{stt.get('model', '?')} on {stt.get('device', '?')}", "")))
        if status not in ("complete",):
            head.append(Content.styled(
                f"This round is {status}" + (f": {doc['error']}" if doc.get("error") else "")
                + "; the report shows what was recorded.", "$text-warning"))
        self.query_one("#report-head", Static).update(Content("\n").join(head))
        self.query_one("#coverage", CoverageChart).show(
            doc["questions"], titles={qid: _title(qid, message.questions)
                                      for qid in (q["question_id"] for q in doc["questions"])})
        gaps = _gaps(doc, message.questions)
        lines: list[Content] = []
        if gaps["strengths"]:
            lines.append(Content.assemble(("Strengths  ", "bold $text-success"),
                                          ("; ".join(gaps["strengths"][:4]), "")))
        if gaps["gaps"]:
            lines.append(Content.styled("Gaps, most important first", "bold $text-error"))
            lines.extend(Content(f"  - {g}") for g in gaps["gaps"][:5])
        self.query_one("#gaps", Static).update(Content("\n").join(lines))
        self.query_one("#delivery", DeliveryView).show(doc.get("delivery"))
        scroll = self.query_one("#report", VerticalScroll)
        widgets: list[Widget] = [
            QuestionReport(i, q, doc["turns"], message.questions.get(q["question_id"]))
            for i, q in enumerate(doc["questions"], 1)]
        usage = doc.get("llm_usage") or {}
        if usage.get("calls") or usage.get("fallbacks"):
            cost = f", ${usage['cost_usd']:.4f}" if usage.get("cost_usd") is not None else ""
            widgets.append(Static(
                f"LLM: {usage['calls']} judgement(s), {usage['fallbacks']} fell back to the "
                f"offline policy, {usage['prompt_tokens'] + usage['completion_tokens']} "
                f"tokens{cost}", classes="muted"))
        if doc.get("notices"):
            widgets.append(Static(Content("\n").join(
                Content.styled(f"note: {n}", "$foreground-muted") for n in doc["notices"])))
        scroll.mount_all(widgets, before="#practice-title")
        self.query_one("#practice", Static).update(
            Content("\n").join(practice_lines(doc, message.questions)))

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        self.query_one("#report-head", Static).update(
            Content.styled(f"Could not read this session: {message.message}", "$text-error"))

    def action_replay(self) -> None:
        self.iapp.show_replay(self.session_dir)

    def action_retry(self) -> None:
        """Answer one question of this round again, as its next attempt in this session:
        the report that follows shows the attempts and compares them point by point."""
        if self.doc is None:
            return
        known = sorted((q for q in self.doc["questions"] if q["question_id"] in self.questions),
                       key=lambda q: q["coverage"])  # the weakest first
        if not known:
            self.notify("This round's questions are not in the banks any more.", timeout=4)
            return

        def chosen(qid: str | None) -> None:
            if qid:
                self.iapp.start_round(self.iapp.practice_plan(
                    "retry", [self.questions[qid]], continues=self.session_dir))

        if len(known) == 1:
            chosen(known[0]["question_id"])
            return
        self.app.push_screen(RetryPicker([
            (q["question_id"], f"{_title(q['question_id'], self.questions)}  "
                               f"{q['coverage']:.0%} covered") for q in known]), chosen)

    def action_drill(self) -> None:
        self.iapp.start_drill()

    def action_hear_answers(self) -> None:
        """Read the model answers for the points missed aloud; pressed again, stop."""
        if self.reading is not None:
            self._stop_reading()
            return
        texts = spoken_answers(model_answer_items(self.doc or {"questions": []},
                                                  self.questions))
        if not texts:
            self.notify("No model answers to read: no point of this round was missed.",
                        timeout=4)
            return
        self.reading = threading.Event()
        self.notify(f"Reading {len(texts)} model answer{'s' if len(texts) != 1 else ''} "
                    "aloud; a stops.", timeout=4)
        self._read_aloud(texts, self.reading)

    @work(thread=True, exclusive=True, group="model-answers", exit_on_error=False)
    def _read_aloud(self, texts: list[str], stop: threading.Event) -> None:
        """Render each answer with the interviewer's voice and play it, one after another."""
        import tempfile

        import soundfile as sf

        from simulator.personas import load_persona
        from simulator.speech.tts import Pyttsx3Synthesizer

        settings = self.iapp.settings
        assert settings is not None
        voice = load_persona(settings.interview.persona).voice_settings(settings.tts.rate_scale)
        synth, play = Pyttsx3Synthesizer(), self.iapp.replay_player()
        try:
            with tempfile.TemporaryDirectory(prefix="model-answers-") as tmp:
                for i, text in enumerate(texts):
                    if stop.is_set():
                        break
                    path = synth.render(text, Path(tmp) / f"{i:02d}.wav", voice)
                    play(path, float(sf.info(str(path)).duration), 0.0, 1.0, stop)
        finally:
            with contextlib.suppress(RuntimeError):  # the app closed while it read
                self.app.call_from_thread(self._read_done, stop)

    def _read_done(self, stop: threading.Event) -> None:
        if self.reading is stop:
            self.reading = None

    def _stop_reading(self) -> None:
        if self.reading is not None:
            self.reading.set()
            self.reading = None

    def on_screen_suspend(self) -> None:
        self._stop_reading()  # a replay or a round on top must not talk over it

    def on_unmount(self) -> None:
        self._stop_reading()

    def action_new_round(self) -> None:
        self.iapp.action_new_round()

    def action_sessions(self) -> None:
        self.iapp.action_sessions()

    def action_back(self) -> None:
        self.app.pop_screen()
