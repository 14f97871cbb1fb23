"""Past rounds: open one's report, replay it, recover it if it was interrupted, or
delete it; and progress across them, with what to practise next."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from simulator.tui.catalog import SessionRow, fmt_duration
from simulator.tui.messages import SessionsListed
from simulator.tui.screens.base import AppScreen
from simulator.tui.widgets.verdict_view import coverage_bar


class SessionsScreen(AppScreen):
    """One row per recorded round, newest first."""

    BINDINGS = [
        Binding("enter", "open", "Report", priority=True),
        Binding("r", "replay", "Replay"),
        # Shown by the line under the list when a round needs it, not in every footer.
        Binding("R", "recover", "Recover", show=False),
        Binding("d", "delete", "Delete"),
        Binding("p", "progress", "Progress"),
        # Still a key (? and the palette list it); the footer keeps to 80 columns.
        Binding("n", "new_round", "New round", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[SessionRow] = []
        #: Sessions left out of the list, one line each saying which and why.
        self.skipped: list[str] = []
        self._told: set[str] = set()
        #: Sessions being recovered now, by folder: a second press waits for the first.
        self.recovering: set[Path] = set()
        #: Listings asked for so far; only the latest one's rows are shown.
        self._asked = 0

    def compose(self) -> ComposeResult:
        yield Static("Sessions", id="sessions-bar", classes="topbar")
        table: DataTable[str | Content] = DataTable(id="sessions", cursor_type="row",
                                                    zebra_stripes=True)
        yield table
        yield Static(id="sessions-empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#sessions", DataTable)
        table.add_column("Recorded", key="when", width=16)
        table.add_column("Status", key="status", width=11)
        table.add_column("Topic", key="bank", width=14)
        table.add_column("Qs", key="questions", width=3)
        table.add_column("Coverage", key="coverage", width=14)
        table.add_column("Length", key="length", width=6)
        self.refresh_rows()

    def on_screen_resume(self) -> None:
        if self.rows:
            self.refresh_rows()

    def refresh_rows(self) -> None:
        self.query_one("#sessions-empty", Static).update(
            Content.styled("Reading sessions...", "$foreground-muted"))
        self._asked += 1
        self._list(self._asked)

    @work(thread=True, group="sessions", exit_on_error=False)
    def _list(self, asked: int) -> None:
        """Read the sessions off the UI thread and hand the rows to the screen."""
        from simulator.tui.catalog import list_sessions

        settings = self.iapp.settings
        root = settings.sessions_dir() if settings is not None else None
        rows, notes = list_sessions(root) if root else ([], [])
        self.app.call_from_thread(self._note_skipped, notes)
        self.post_message(SessionsListed(rows, asked))

    def _note_skipped(self, notes: list[str]) -> None:
        self.skipped = notes
        for note in notes:
            if note not in self._told:  # once each, not at every refresh
                self._told.add(note)
                self.notify(note, severity="warning", timeout=8, markup=False)

    @on(SessionsListed)
    def _listed(self, message: SessionsListed) -> None:
        if message.asked != self._asked:
            return  # a later listing is on its way (after a deletion, say)
        self.rows = message.rows
        table = self.query_one("#sessions", DataTable)
        keep = table.cursor_row
        table.clear()
        for r in self.rows:
            tone = ("$text-success" if r.coverage >= 0.8 else
                    "$text-warning" if r.coverage >= 0.5 else "$text-error")
            status = Content.styled(r.status, "" if r.status in ("complete", "recovered")
                                    else "$text-warning")
            table.add_row(r.when, status, r.bank[:14], str(r.questions),
                          Content.assemble((coverage_bar(r.coverage, 8), tone),
                                           (f" {r.coverage:>4.0%}", "")),
                          fmt_duration(r.length_s), key=str(r.dir))
        empty = self.query_one("#sessions-empty", Static)
        left_out = (f"; {len(self.skipped)} damaged session"
                    f"{'s' if len(self.skipped) != 1 else ''} left out ({self.skipped[0]})"
                    if self.skipped else "")
        cut = [r for r in self.rows if r.status == "interrupted"]
        unjudged_s = sum(r.unjudged_s for r in cut)
        to_recover = (f"; {len(cut)} interrupted" + (f", {unjudged_s:.0f} s of answer never "
                                                     "judged" if unjudged_s else "")
                      + ": R recovers" if cut else "")
        if self.rows:
            empty.update(Content.styled(
                f"{len(self.rows)} round{'s' if len(self.rows) != 1 else ''} recorded"
                + to_recover + left_out, "$foreground-muted"))
            table.move_cursor(row=min(keep, len(self.rows) - 1))
            table.focus()
        else:
            empty.update(Content.styled(
                f"No readable rounds{left_out}." if left_out else
                "No rounds recorded yet. Press n to set one up.", "$foreground-muted"))

    def _selected(self) -> SessionRow | None:
        table = self.query_one("#sessions", DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def action_open(self) -> None:
        row = self._selected()
        if row is not None:
            self.iapp.show_report(row.dir)

    def action_replay(self) -> None:
        row = self._selected()
        if row is not None:
            self.iapp.show_replay(row.dir)

    def action_recover(self) -> None:
        row = self._selected()
        if row is None or row.dir in self.recovering:
            return
        if row.status != "interrupted":
            self.notify(f"The round recorded {row.when} is {row.status}: nothing to recover.",
                        timeout=4)
            return
        self.recovering.add(row.dir)
        self.notify(f"Recovering the round recorded {row.when}: transcribing "
                    f"{row.unjudged_s:.0f} s of answer...", timeout=4)
        self._recover(row)

    @work(thread=True, group="sessions-recover", exit_on_error=False)
    def _recover(self, row: SessionRow) -> None:
        """Transcribe and judge the cut-off answer off the UI thread (seconds, a model load)."""
        from simulator.recovery import recover_session

        settings = self.iapp.settings
        assert settings is not None
        try:
            said = recover_session(settings, row.dir)
        finally:
            self.app.call_from_thread(lambda: self.recovering.discard(row.dir))
        self.app.call_from_thread(self.notify, said, timeout=8, markup=False)
        self.app.call_from_thread(self.refresh_rows)

    def action_delete(self) -> None:
        from simulator.tui.screens.confirm import ConfirmScreen

        row = self._selected()
        if row is None:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._delete(row)

        self.app.push_screen(ConfirmScreen(
            f"Delete the round recorded {row.when}?",
            "Its recording and report are removed for good."), answer)

    @work(thread=True, group="sessions-delete", exit_on_error=False)
    def _delete(self, row: SessionRow) -> None:
        from simulator.tui.catalog import delete_session

        settings = self.iapp.settings
        assert settings is not None
        delete_session(settings.sessions_dir(), row.dir)
        self.app.call_from_thread(self.notify, f"Deleted the round recorded {row.when}.",
                                  timeout=4)
        self.app.call_from_thread(self.refresh_rows)

    def action_progress(self) -> None:
        self.app.push_screen(ProgressScreen())

    def action_new_round(self) -> None:
        self.iapp.action_new_round()

    def action_back(self) -> None:
        self.app.pop_screen()


class ProgressScreen(AppScreen):
    """Each question and rubric point across the rounds recorded, and a plan of three
    things to practise next; d starts the drill those come from."""

    BINDINGS = [
        Binding("d", "drill", "Drill"),
        Binding("escape", "back", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Progress", id="progress-bar", classes="topbar")
        with VerticalScroll(id="progress-scroll"):
            yield Static(Content.styled("Reading your rounds...", "$foreground-muted"),
                         id="progress")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress-scroll", VerticalScroll).focus()
        self._read()

    @work(thread=True, exclusive=True, group="progress", exit_on_error=False)
    def _read(self) -> None:
        from simulator.sessions.progress import documents, render_progress
        from simulator.sessions.store import read_sessions
        from simulator.tui.catalog import load_catalog

        settings = self.iapp.settings
        assert settings is not None
        catalog = self.iapp.catalog or load_catalog(self.iapp.options.bank)
        sessions, _ = read_sessions(settings.sessions_dir())  # the list says what it skipped
        text = render_progress(documents(sessions), catalog.questions_by_id())
        self.app.call_from_thread(self._show, text)

    def _show(self, text: str) -> None:
        self.query_one("#progress", Static).update(Content(text))

    def action_drill(self) -> None:
        self.iapp.start_drill()

    def action_back(self) -> None:
        self.app.pop_screen()
