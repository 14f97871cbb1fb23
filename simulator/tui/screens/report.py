"""The report on a round: coverage per question, evidence, gaps, follow-ups, delivery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Footer, Static

from simulator.tui.catalog import fmt_duration, session_when
from simulator.tui.messages import ReportLoaded, WorkFailed
from simulator.tui.screens.base import AppScreen
from simulator.tui.widgets.coverage_chart import CoverageChart
from simulator.tui.widgets.delivery_view import DeliveryView
from simulator.tui.widgets.question_report import QuestionReport


def _gaps(doc: dict[str, Any], questions: dict[str, Any]) -> dict[str, list[str]]:
    from simulator.sessions.summary import strengths_and_gaps

    try:
        return strengths_and_gaps(doc, questions)
    except (StopIteration, KeyError):  # a bank changed since the round: no weights
        return strengths_and_gaps(doc, {})


class ReportScreen(AppScreen):
    """Read from the session folder, so it shows exactly what was saved."""

    BINDINGS = [
        Binding("r", "replay", "Replay"),
        Binding("n", "new_round", "New round"),
        Binding("o", "sessions", "Sessions"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, session_dir: Path):
        super().__init__()
        self.session_dir = session_dir
        self.doc: dict[str, Any] | None = None

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
        self.post_message(ReportLoaded(doc, catalog.questions_by_id()))

    @on(ReportLoaded)
    def _loaded(self, message: ReportLoaded) -> None:
        doc = self.doc = message.doc
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
        self.query_one("#coverage", CoverageChart).show(doc["questions"])
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
        scroll.mount_all(widgets)

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        self.query_one("#report-head", Static).update(
            Content.styled(f"Could not read this session: {message.message}", "$text-error"))

    def action_replay(self) -> None:
        self.iapp.show_replay(self.session_dir)

    def action_new_round(self) -> None:
        self.iapp.action_new_round()

    def action_sessions(self) -> None:
        self.iapp.action_sessions()

    def action_back(self) -> None:
        self.app.pop_screen()
