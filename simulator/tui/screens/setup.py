"""Set-up: choose what to practise, then Enter starts the round."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Footer, Input, Label, Select, SelectionList, Static

from simulator.errors import UserError
from simulator.tui.catalog import Catalog, StatusItem
from simulator.tui.messages import CatalogLoaded, SettingsLoaded, StatusChecked
from simulator.tui.options import Choices, RoundPlan, SavedSelections
from simulator.tui.screens.base import AppScreen
from simulator.tui.widgets.status_line import StatusLine

LEVELS = ("intro", "core", "senior")
MODES = [("Practice: verdict after each answer", "practice"),
         ("Realistic: verdict only at the end", "realistic")]


def _joined(values: tuple[str, ...]) -> str:
    return ",".join(values)


def _split(value: object) -> tuple[str, ...]:
    return tuple(v for v in str(value).split(",") if v) if isinstance(value, str) else ()


#: Seconds to wait for the question banks before reading them again.
CATALOG_RETRY_S = 5.0

class SetupScreen(AppScreen):
    """Topics, level, role, how many questions, the interviewer, the mode and how answers end."""

    AUTO_FOCUS = "#start"
    BINDINGS = [
        Binding("ctrl+r", "start", "Start round", priority=True),
        Binding("ctrl+o", "sessions", "Sessions", priority=True),
        Binding("ctrl+s", "save_selection", "Save selection", priority=True),
        Binding("ctrl+x", "clear_fixed", "Clear fixed questions", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._catalog: Catalog | None = None
        self._choices: Choices = Choices()
        self._fixed: tuple[str, ...] = ()
        self._plan_error: str | None = "Loading the question banks..."
        self._saved: dict[str, Choices] = {}

    def compose(self) -> ComposeResult:
        yield Static("Interview practice · set up a round", classes="topbar")
        with Horizontal(id="setup-body"):
            with Vertical(id="topics-col"):
                yield Label("Topics · space ticks · none: all", classes="field-label")
                yield SelectionList[str](id="topics")
            with Vertical(id="form"):
                with Grid(id="fields"):
                    yield Label("Level", classes="field-label")
                    yield Select([("any level", "")], allow_blank=False, id="level",
                                 compact=True)
                    yield Label("Role", classes="field-label")
                    yield Select([("any role", "")], allow_blank=False, id="role", compact=True)
                    yield Label("Questions", classes="field-label")
                    yield Input("3", type="integer", id="count", compact=True,
                                max_length=2)
                    yield Label("Interviewer", classes="field-label")
                    yield Select([("loading...", "")], allow_blank=False, id="persona",
                                 compact=True)
                    yield Label("Mode", classes="field-label")
                    yield Select(MODES, allow_blank=False, id="mode", compact=True)
                    yield Label("Answers end", classes="field-label")
                    yield Select([("Auto: after a silence", "auto"),
                                  ("Push-to-talk: space starts and stops", "ptt")],
                                 allow_blank=False, id="answer-mode", compact=True)
                    yield Label("Saved", classes="field-label")
                    yield Select([], prompt="saved selections", id="saved", compact=True)
                yield Static(id="source")
                yield Static(id="preview")
                yield Button("Start round", id="start", variant="primary", disabled=True)
        yield StatusLine(id="status")
        yield Footer()

    # -- loading ------------------------------------------------------------------

    def on_mount(self) -> None:
        opts = self.iapp.options
        self._choices = opts.choices
        self._fixed = opts.choices.question_ids
        self.query_one("#status", StatusLine).show(
            [StatusItem(n, None, "checking...") for n in
             ("answers" if opts.answers_dir else "mic", "speaker", "whisper", "follow-ups")])
        self._show_source()
        self._show_preview()
        self.call_after_refresh(self._load_settings)

    @work(thread=True, exclusive=True, group="setup-settings", exit_on_error=False)
    def _load_settings(self) -> None:
        try:
            settings = self.iapp.load_settings()
        except UserError as exc:
            self.post_message(SettingsLoaded(None, str(exc)))
            return
        self.post_message(SettingsLoaded(settings))

    @work(thread=True, exclusive=True, group="setup-catalog", exit_on_error=False)
    def _load_catalog(self) -> None:
        from simulator.tui.catalog import load_catalog

        try:
            catalog = self.iapp.catalog or load_catalog(self.iapp.options.bank)
        except Exception as exc:  # show it: a set-up screen stuck on "loading" helps nobody
            from simulator.tui.catalog import Catalog

            catalog = Catalog([], [], [f"could not read the question banks: "
                                       f"{type(exc).__name__}: {exc}"])
        self.post_message(CatalogLoaded(catalog))

    @work(thread=True, exclusive=True, group="setup-status", exit_on_error=False)
    def _check_status(self) -> None:
        settings = self.iapp.settings
        assert settings is not None
        self.post_message(StatusChecked(self.iapp.checker(settings, self.iapp.options)))

    @on(SettingsLoaded)
    def _settings_loaded(self, message: SettingsLoaded) -> None:
        if message.settings is None:
            self._plan_error = f"The configuration has a problem: {message.error}"
            self.notify(message.error or "", title="Configuration", severity="error",
                        timeout=15)
            self.query_one("#status", StatusLine).show(
                [StatusItem("config", False, message.error or "")])
            self._show_preview()
            return
        self.iapp.settings = message.settings
        self._saved = SavedSelections(self.iapp.selections_file).load()
        if self._choices == Choices() and self.iapp.options.bank is None:
            last = self._saved.get(SavedSelections.LAST)
            if last is not None and not self._fixed:
                self._choices = last
        self._refresh_saved()
        # One after the other: the status check imports the speech libraries, and
        # importing them in two threads at once has been seen to stall the bank load.
        self._load_catalog()
        self.set_timer(CATALOG_RETRY_S, self._catalog_watchdog)

    def _catalog_watchdog(self) -> None:
        """Reading the banks takes well under a second; if nothing came, read again."""
        if self._catalog is None:
            self._load_catalog()
            self.set_timer(CATALOG_RETRY_S, self._catalog_watchdog)

    @on(CatalogLoaded)
    def _catalog_loaded(self, message: CatalogLoaded) -> None:
        cat = self._catalog = message.catalog
        if self.iapp.settings is not None:
            self._check_status()
        self.iapp.catalog = cat
        for err in cat.errors:
            self.notify(err, title="Question banks", severity="error", timeout=15)
        topics = self.query_one("#topics", SelectionList)
        topics.clear_options()
        wanted = set(self._choices.topics)
        if self._bank_topic():
            wanted = {self._bank_topic() or ""}
        topics.add_options([(f"{n:>3} {title}", topic, topic in wanted)
                            for topic, title, n in cat.topics])
        roles = [("any role", "")] + [(r, r) for r in cat.roles]
        if len(self._choices.roles) > 1:
            roles.append((", ".join(self._choices.roles), _joined(self._choices.roles)))
        self.query_one("#role", Select).set_options(roles)
        levels = [("any level", "")] + [(lv, lv) for lv in LEVELS]
        if len(self._choices.levels) > 1:
            levels.append((", ".join(self._choices.levels), _joined(self._choices.levels)))
        self.query_one("#level", Select).set_options(levels)
        personas = [(f"{p.name}", p.id) for p in cat.personas] or [("coach", "coach")]
        self.query_one("#persona", Select).set_options(personas)
        self._apply(self._choices)
        start = self.query_one("#start", Button)
        if not start.disabled:
            start.focus()  # Enter starts the round

    @on(StatusChecked)
    def _status_checked(self, message: StatusChecked) -> None:
        self.query_one("#status", StatusLine).show(message.items)

    # -- choices ------------------------------------------------------------------------

    def _apply(self, c: Choices) -> None:
        """Show ``c`` in the widgets."""
        settings = self.iapp.settings
        if self._catalog is not None:
            topics = self.query_one("#topics", SelectionList)
            wanted = set(c.topics)
            if self._bank_topic() and c is self.iapp.options.choices:
                wanted = {self._bank_topic() or ""}
            topics.deselect_all()
            for t in wanted:
                try:
                    topics.select(t)
                except Exception:  # a saved topic that no longer exists
                    continue
            self._set_select("#level", _joined(c.levels))
            self._set_select("#role", _joined(c.roles))
            persona = c.persona or (settings.interview.persona if settings else "coach")
            self._set_select("#persona", persona)
        count = c.count or (settings.interview.questions if settings else 3)
        if c.question_ids:
            count = len(c.question_ids)
        self.query_one("#count", Input).value = str(count)
        self._set_select("#mode", c.mode)
        self._set_select("#answer-mode", "ptt" if c.push_to_talk else "auto")
        self._fixed = c.question_ids
        self._show_preview()

    def _bank_topic(self) -> str | None:
        """The topic of the bank named by --bank, when there is one."""
        cat, bank = self._catalog, self.iapp.options.bank
        if cat is None or not bank:
            return None
        if cat.chosen_topic:
            return cat.chosen_topic
        return bank if any(t == bank for t, _, _ in cat.topics) else None

    def _set_select(self, selector: str, value: str) -> None:
        sel = self.query_one(selector, Select)
        try:
            sel.value = value
        except Exception:  # not one of its options (a persona file that is gone)
            pass

    def current_choices(self) -> Choices:
        topics = tuple(self.query_one("#topics", SelectionList).selected)
        count_text = self.query_one("#count", Input).value.strip()
        count = int(count_text) if count_text.isdigit() else None
        persona = self.query_one("#persona", Select).value
        return Choices(
            topics=topics,
            levels=_split(self.query_one("#level", Select).value),
            roles=_split(self.query_one("#role", Select).value),
            sources=self._choices.sources,
            question_ids=self._fixed,
            count=count,
            persona=persona if isinstance(persona, str) and persona else None,
            mode=str(self.query_one("#mode", Select).value),
            push_to_talk=self.query_one("#answer-mode", Select).value == "ptt",
        )

    def _draw(self) -> tuple[str, list[Any], int]:
        """(label, questions, how many match) for the current choices; raises UserError."""
        from simulator.banks.select import Selection, draw

        assert self._catalog is not None
        c = self.current_choices()
        if c.count is None or not 1 <= c.count <= 50:
            raise UserError("Questions must be a number from 1 to 50.")
        shuffle = self.iapp.options.answers_dir is None
        sel = Selection(list(c.question_ids), list(c.topics), list(c.levels), list(c.roles),
                        list(c.sources), c.count, shuffle, self.iapp.options.seed)
        drawn = draw(self._catalog.banks, sel)
        matching = len(draw(self._catalog.banks, Selection(
            list(c.question_ids), list(c.topics), list(c.levels), list(c.roles),
            list(c.sources), 10_000, False)))
        topics = {b.topic for b, _ in drawn}
        label = topics.pop() if len(topics) == 1 else "all"
        return label, [q for _, q in drawn], matching

    def _show_source(self) -> None:
        d = self.iapp.options.answers_dir
        text = (Content.assemble(("Answers: ", "bold"),
                                 (f"the files in {d}, played in real time", ""))
                if d else Content.assemble(("Answers: ", "bold"), ("your microphone", "")))
        self.query_one("#source", Static).update(text)

    def _show_preview(self) -> None:
        preview = self.query_one("#preview", Static)
        start = self.query_one("#start", Button)
        if self._catalog is None or self.iapp.settings is None:
            preview.update(Content.styled(self._plan_error or "Loading...", "$foreground-muted"
                                          if self.iapp.settings is not None or
                                          "Loading" in (self._plan_error or "")
                                          else "$text-error"))
            start.disabled = True
            return
        try:
            _, questions, matching = self._draw()
        except UserError as exc:
            preview.update(Content.styled(exc.detail, "$text-error"))
            start.disabled = True
            return
        ids = ", ".join(q.id for q in questions)
        if self._fixed:
            head = f"{len(questions)} question{'s' if len(questions) != 1 else ''} chosen: "
            body = f"{ids} (ctrl+x: draw by topic instead)"
        elif self.iapp.options.answers_dir is not None:
            head = f"{len(questions)} of {matching} matching, in bank order: "
            body = ids
        else:
            head = f"{len(questions)} drawn at random from {matching} matching questions"
            body = ""
        preview.update(Content.assemble((head, "bold"), (body, "$foreground-muted")))
        start.disabled = False

    @on(SelectionList.SelectedChanged)
    @on(Select.Changed)
    @on(Input.Changed)
    def _changed(self, event: Any) -> None:
        if getattr(event, "select", None) is not None and event.select.id == "saved":
            return
        self._show_preview()

    @on(Select.Changed, "#saved")
    def _saved_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in self._saved:
            self._choices = self._saved[event.value]
            self._apply(self._choices)

    def _refresh_saved(self) -> None:
        self.query_one("#saved", Select).set_options((n, n) for n in self._saved)

    # -- actions ------------------------------------------------------------------------

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        if self._catalog is None or self.iapp.settings is None:
            self.notify("Still loading; a moment.", timeout=3)
            return
        try:
            label, questions, _ = self._draw()
        except UserError as exc:
            self.notify(exc.detail, title="Can't start yet", severity="error")
            return
        c = self.current_choices()
        persona = c.persona or self.iapp.settings.interview.persona
        plan = RoundPlan(label, questions, persona, c.mode, c.push_to_talk,
                         self.iapp.options.answers_dir, self.iapp.options.speak,
                         self.iapp.options.seed, c)
        try:
            SavedSelections(self.iapp.selections_file).save(SavedSelections.LAST, c)
        except OSError:
            pass  # remembering the choices is a convenience; the round goes on
        self.iapp.start_round(plan)

    def action_sessions(self) -> None:
        self.iapp.action_sessions()

    def action_clear_fixed(self) -> None:
        if self._fixed:
            self._fixed = ()
            self._show_preview()

    def action_save_selection(self) -> None:
        from simulator.tui.screens.name_prompt import NamePrompt

        choices = self.current_choices()

        def saved(name: str | None) -> None:
            if not name:
                return
            try:
                SavedSelections(self.iapp.selections_file).save(name, choices)
            except OSError as exc:
                self.notify(f"Could not save: {exc}", severity="error")
                return
            self._saved = SavedSelections(self.iapp.selections_file).load()
            self._refresh_saved()
            self.notify(f"Saved as {name!r}.", timeout=3)

        self.app.push_screen(NamePrompt("Save these choices as"), saved)
