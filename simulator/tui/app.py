"""The interview app: screens for set-up, the round, the report, sessions and replay.

``make_app`` builds it; the command line and the tests both call it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
import traceback
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.geometry import Size
from textual.notifications import Notification, Notify
from textual.screen import Screen
from textual.worker import Worker

from simulator.errors import UserError
from simulator.tui.catalog import check_status
from simulator.tui.options import AppOptions
from simulator.tui.screens.setup import SetupScreen
from simulator.tui.theme import DARK, LIGHT, register_themes

if TYPE_CHECKING:
    from simulator.banks.model import Question
    from simulator.config import Settings
    from simulator.sessions.drill import DrillPick
    from simulator.tui.catalog import Catalog, StatusChecker
    from simulator.tui.options import RoundPlan
    from simulator.tui.replay_model import Player


#: Signals that close the app as its end key and ctrl+q would: a shutdown, a logout, a
#: terminal closed.
CLOSING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
#: How long a round may take, after such a signal, to judge the answer under way and close
#: its session before the app exits anyway: a system shutdown waits 90 s before SIGKILL.
ROUND_CLOSE_S = 30.0

#: Below 20 rows the set-up screen's Start button and the round's check panel leave the
#: screen, and below 70 columns the set-up choices are cut to a word: the app says so.
MIN_WIDTH, MIN_HEIGHT = 70, 20


class InterviewApp(App[None]):
    """Practise spoken interview rounds, review them and hear them again."""

    CSS_PATH = "app.tcss"
    #: Textual's own bindings, left out of the help (the palette still lists them).
    _BUILTIN_ACTIONS = frozenset({"focus_next", "focus_previous", "command_palette",
                                  "copy_text", "quit", "help_quit", "maximize", "minimize",
                                  "help"})
    TITLE = "Interview practice"
    BINDINGS = [
        Binding("question_mark", "help", "Keys"),
        Binding("f1", "help", "Help", show=False, priority=True),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, options: AppOptions | None = None, *, settings: Settings | None = None,
                 checker: StatusChecker | None = None, replay_player: Player | None = None,
                 selections_file: Path | None = None, theme: str | None = None,
                 catalog: Catalog | None = None):
        super().__init__()
        self.options = options or AppOptions()
        self.settings: Settings | None = None
        """Set once loaded (off the UI thread, after the first screen is up)."""
        self.catalog: Catalog | None = catalog
        """The banks and personas, once loaded."""
        self.checker: StatusChecker = checker or check_status
        self._given_settings = settings
        self._replay_player = replay_player
        self._selections_file = selections_file
        self._theme_name = theme
        self._too_small: Notification | None = None
        """The notice saying the terminal is too small, while it is shown."""
        self.signalled: int | None = None
        """The closing signal received (SIGTERM, SIGHUP), once one was."""

    # -- start ----------------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        return SetupScreen()

    def on_mount(self) -> None:
        # 'auto' was resolved before the app took the terminal (see launch.py).
        register_themes(self)
        self.theme = self._theme_name or (LIGHT if self.options.theme == "light" else DARK)
        self._check_size(self.size)
        loop = asyncio.get_running_loop()
        for sig in CLOSING_SIGNALS:
            # Only the main thread's loop can take signals; elsewhere the default stands.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._on_closing_signal, sig)

    def on_unmount(self) -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for sig in CLOSING_SIGNALS:
                loop.remove_signal_handler(sig)

    def _on_closing_signal(self, signum: int) -> None:
        """End a round under way as its end key does (the answer kept and judged, the
        session closed as cancelled), then exit; a second signal exits at once."""
        if self.signalled is not None:
            self.exit(return_code=128 + signum)
            return
        self.signalled = signum
        self.run_worker(self._close_for_signal(signum), group="closing-signal")

    async def _close_for_signal(self, signum: int) -> None:
        from simulator.tui.screens.interview import ROUND_GROUP, InterviewScreen

        for screen in self.screen_stack:
            if isinstance(screen, InterviewScreen) and not screen.finished:
                screen.controls.end()
        rounds = [w for w in self.workers if w.group == ROUND_GROUP and not w.is_finished]
        for worker in rounds:
            # Its failure, if any, was told on screen; the app exits either way.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(worker.wait(), ROUND_CLOSE_S)
        self.exit(return_code=128 + signum)

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size)

    def _check_size(self, size: Size) -> None:
        """A notice, shown on every screen until the terminal is large enough again: at a
        smaller size panels silently fall off the screen and a round looks stuck."""
        if self._too_small is not None:
            # Queued behind the Notify that shows it, so it is never removed before it is added.
            self.call_later(self._unnotify, self._too_small)
            self._too_small = None
        if size.width >= MIN_WIDTH and size.height >= MIN_HEIGHT:
            return
        self._too_small = Notification(
            f"This terminal is {size.width}x{size.height}; the app needs at least "
            f"{MIN_WIDTH}x{MIN_HEIGHT}. Make the window larger.", "Terminal too small",
            "warning", timeout=float("inf"), markup=False)
        self.post_message(Notify(self._too_small))

    def load_settings(self) -> Settings:
        """The configuration (called from a worker: reading it imports pydantic)."""
        if self._given_settings is not None:
            return self._given_settings
        from simulator.config import load_settings

        return load_settings(self.options.config_file, self.options.overrides)

    @property
    def selections_file(self) -> Path:
        if self._selections_file is not None:
            return self._selections_file
        from simulator.locations import user_data_dir

        return user_data_dir() / "selections.json"

    def replay_player(self) -> Player:
        """How the replay plays audio (called from its worker)."""
        if self._replay_player is not None:
            return self._replay_player
        from simulator.tui.replay_model import silent_player, speaker_player

        settings = self.settings
        if settings is None or not (self.options.speak and settings.tts.speak):
            return silent_player
        from simulator.audio.playback import output_available

        device = settings.audio.output_device
        return speaker_player(device) if output_available(device) else silent_player

    # -- navigation -----------------------------------------------------------------------

    def start_round(self, plan: RoundPlan) -> None:
        from simulator.tui.screens.interview import InterviewScreen

        assert self.settings is not None
        self.push_screen(InterviewScreen(plan, self.settings, self.options.live_transcript_s))

    def practice_plan(self, label: str, questions: list[Question],
                      continues: Path | None = None) -> RoundPlan:
        """A round of ``questions`` (a retry, a drill), set up as the last round was: its
        mode, its way of ending answers and its interviewer. ``continues``: the session
        it is recorded into, as a new attempt (a retry)."""
        from simulator.tui.options import Choices, RoundPlan, SavedSelections

        assert self.settings is not None
        last = SavedSelections(self.selections_file).load().get(SavedSelections.LAST,
                                                                Choices())
        choices = dataclasses.replace(last, question_ids=tuple(q.id for q in questions),
                                      count=len(questions))
        return RoundPlan(label, questions, last.persona or self.settings.interview.persona,
                         last.mode, last.push_to_talk, self.options.answers_dir,
                         self.options.speak, self.options.seed, choices, continues)

    def drill_plan(self) -> tuple[RoundPlan, list[DrillPick]]:
        """The drill round: reads every session, so call it from a worker."""
        from simulator.rounds import drill_questions
        from simulator.tui.catalog import load_catalog

        assert self.settings is not None
        catalog = self.catalog or load_catalog(self.options.bank)
        questions, picks, _ = drill_questions(self.settings.sessions_dir(),
                                              catalog.questions_by_id(),
                                              self.settings.interview.questions)
        return self.practice_plan("drill", questions), picks

    def start_drill(self) -> None:
        """Choose the drill's questions in a worker (it reads every session), then run it."""
        if self.settings is None:
            return
        self.notify("Choosing the questions whose points you missed most...", timeout=3)
        self._drill()

    @work(thread=True, exclusive=True, group="drill", exit_on_error=False)
    def _drill(self) -> None:
        plan, _ = self.drill_plan()
        self.call_from_thread(self.start_round, plan)

    def show_report(self, session_dir: Path, replace: bool = False) -> None:
        from simulator.tui.screens.report import ReportScreen

        if replace:
            self.switch_screen(ReportScreen(session_dir))
        else:
            self.push_screen(ReportScreen(session_dir))

    def show_replay(self, session_dir: Path) -> None:
        from simulator.tui.screens.replay import ReplayScreen

        self.push_screen(ReplayScreen(session_dir))

    def action_sessions(self) -> None:
        from simulator.tui.screens.sessions import SessionsScreen

        if self.settings is None:
            self.notify("Still reading the configuration; a moment.", timeout=3)
            return
        for n, screen in enumerate(self.screen_stack):
            if isinstance(screen, SessionsScreen):
                for _ in range(len(self.screen_stack) - 1 - n):
                    self.pop_screen()
                return
        self.push_screen(SessionsScreen())

    def action_new_round(self) -> None:
        """Back to the set-up screen (it stays at the bottom of the stack)."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, SetupScreen):
            self.pop_screen()

    def action_help(self) -> None:
        from simulator.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        keys: list[tuple[str, str]] = []
        seen: set[str] = set()
        for _key, active in self.screen.active_bindings.items():
            b = active.binding
            if (not b.description or b.description in seen
                    or not isinstance(active.node, (Screen, App))
                    or b.action.rpartition(".")[2] in self._BUILTIN_ACTIONS):
                continue
            seen.add(b.description)
            keys.append((self.get_key_display(b), b.description))
        keys += [("tab", "Next field or panel"), ("^p", "Command palette: every action"),
                 ("^q", "Quit")]
        self.push_screen(HelpScreen(keys))

    # -- the command palette --------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from simulator.tui.screens.help import HelpScreen

        seen: set[str] = set()
        for _key, active in screen.active_bindings.items():
            b = active.binding
            if not b.description or b.description in seen or not active.enabled:
                continue
            seen.add(b.description)
            yield SystemCommand(b.description, f"{self.get_key_display(b)} on this screen",
                                partial(self.run_action, b.action, active.node))
        if not isinstance(screen, SetupScreen):
            yield SystemCommand("New round", "Back to the set-up screen", self.action_new_round)
        yield SystemCommand("Sessions", "Past rounds: reports, replays, deleting",
                            self.action_sessions)
        if not isinstance(screen, HelpScreen):
            yield SystemCommand("Keys and help", "What each key does", self.action_help)
        yield from super().get_system_commands(screen)

    # -- failures ---------------------------------------------------------------------------

    def report_failure(self, worker: Worker[object]) -> str:
        """Tell the user, in a line, why a worker failed; returns that line.

        The one place a worker's error becomes words: a UserError is the user's to fix;
        anything else is shown by type and message, its traceback kept in the log.
        """
        err = worker.error
        if isinstance(err, UserError):
            text, title = str(err), "Can't go on"
        else:
            text = f"{type(err).__name__}: {err}" if err is not None else "unknown error"
            title = "Something went wrong"
            if err is not None:
                self.log.error("".join(traceback.format_exception(err)))
        self.notify(text, title=title, severity="error", timeout=15)
        return text


def make_app(options: AppOptions | None = None, *, settings: Settings | None = None,
             checker: StatusChecker | None = None, replay_player: Player | None = None,
             selections_file: Path | None = None, theme: str | None = None,
             catalog: Catalog | None = None) -> InterviewApp:
    """The app. Tests pass ``settings``, a fixed ``checker`` for the status line, a silent
    ``replay_player``, a ``theme`` and a ``catalog`` of banks, so what is on screen does not
    depend on the machine or on the shipped banks.
    """
    return InterviewApp(options, settings=settings, checker=checker,
                        replay_player=replay_player, selections_file=selections_file,
                        theme=theme, catalog=catalog)


__all__ = ["InterviewApp", "make_app", "check_status"]
