"""Replay: both voices in order, the transcript highlighted word by word as it plays."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Footer, Static

from simulator.tui.catalog import fmt_duration
from simulator.tui.messages import PlaybackAt, PlaybackDone, ReplayLoaded, WorkFailed
from simulator.tui.replay_model import SPEEDS, ReplayItem, global_s, locate, total_s
from simulator.tui.screens.base import AppScreen
from simulator.tui.widgets.replay_transcript import SPEAKERS, ReplayTranscript


class ReplayScreen(AppScreen):
    """Plays the recorded round; pause, seek by turn or by seconds, change speed."""

    # Pairs of keys share one footer entry, so every key fits in 80 columns.
    _SEEK = Binding.Group("5 s", compact=True)
    _TURN = Binding.Group("Turn", compact=True)
    _SPEED = Binding.Group("Speed", compact=True)
    BINDINGS = [
        Binding("space", "play_pause", "Play/pause", priority=True),
        Binding("left", "seek(-5)", "-5 s", priority=True, group=_SEEK),
        Binding("right", "seek(5)", "+5 s", priority=True, group=_SEEK),
        Binding("up", "turn(-1)", "Previous", priority=True, group=_TURN),
        Binding("down", "turn(1)", "Next", priority=True, group=_TURN),
        Binding("minus", "speed(-1)", "Slower", group=_SPEED),
        Binding("plus,equals_sign", "speed(1)", "Faster", key_display="+", group=_SPEED),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, session_dir: Path, autoplay: bool = True):
        super().__init__()
        self.session_dir = session_dir
        self.autoplay = autoplay
        self.items: list[ReplayItem] = []
        self.at_index = 0
        self.at_s = 0.0
        self.speed = 1.0
        self.playing = False
        self.finished = False
        self._started = 0.0
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield Static(f"Replay · {self.session_dir.name}", id="replay-bar", classes="topbar")
        yield Static("Reading the session...", id="replay-state")
        yield ReplayTranscript(id="replay-transcript")
        yield Footer()

    def on_mount(self) -> None:
        self._load()
        self.set_interval(0.1, self._tick)

    def on_unmount(self) -> None:
        self._cancel.set()

    @work(thread=True, exclusive=True, group="replay-load", exit_on_error=False)
    def _load(self) -> None:
        from simulator.sessions.store import read_session
        from simulator.tui.replay_model import build_replay

        session = read_session(self.session_dir)
        self.post_message(ReplayLoaded(build_replay(session), session.id))

    @on(ReplayLoaded)
    def _loaded(self, message: ReplayLoaded) -> None:
        self.items = message.items
        self.query_one("#replay-transcript", ReplayTranscript).load(self.items)
        if not self.items:
            self.query_one("#replay-state", Static).update(
                Content.styled("Nothing was recorded in this session.", "$text-warning"))
            return
        self.call_after_refresh(self._show, True)
        if self.autoplay:
            self.call_after_refresh(self.play)

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        self.playing = False
        self.query_one("#replay-state", Static).update(
            Content.styled(f"Could not replay: {message.message}", "$text-error"))

    # -- playing ------------------------------------------------------------------------

    def position(self) -> tuple[int, float]:
        if not self.playing:
            return self.at_index, self.at_s
        item = self.items[self.at_index]
        at = self.at_s + (time.monotonic() - self._started) * self.speed
        return self.at_index, min(at, item.duration_s)

    def play(self) -> None:
        if not self.items:
            return
        if self.finished:
            self.at_index, self.at_s, self.finished = 0, 0.0, False
        self._cancel.set()
        self._cancel = threading.Event()
        self.playing = True
        self._started = time.monotonic()
        self._play(self.at_index, self.at_s, self.speed, self._cancel)
        self._show()

    def pause(self) -> None:
        self.at_index, self.at_s = self.position()
        self.playing = False
        self._cancel.set()
        self._show()

    @work(thread=True, exclusive=True, group="replay", exit_on_error=False)
    def _play(self, index: int, offset: float, speed: float, cancel: threading.Event) -> None:
        player = self.iapp.replay_player()
        for i in range(index, len(self.items)):
            if cancel.is_set():
                return
            item = self.items[i]
            self.post_message(PlaybackAt(i, offset, speed, time.monotonic()))
            player(item.audio, item.duration_s, offset, speed, cancel)
            offset = 0.0
        if not cancel.is_set():
            self.post_message(PlaybackDone())

    @on(PlaybackAt)
    def _at(self, message: PlaybackAt) -> None:
        if not self.playing or message.speed != self.speed:
            return
        self.at_index, self.at_s, self._started = message.index, message.offset_s, message.started
        self._show()

    @on(PlaybackDone)
    def _done(self, message: PlaybackDone) -> None:
        if not self.playing:
            return
        self.playing, self.finished = False, True
        self.at_index, self.at_s = len(self.items) - 1, self.items[-1].duration_s
        self._show()

    def _tick(self) -> None:
        if self.playing:
            self._show()

    def _show(self, force: bool = False) -> None:
        if not self.items:
            return
        index, offset = self.position()
        item = self.items[index]
        word = item.word_at(offset) if (self.playing or offset > 0 or force) else -1
        self.query_one("#replay-transcript", ReplayTranscript).highlight(index, word)
        now = global_s(self.items, index, offset)
        if self.finished:
            mark, state = "■", "Finished"
        elif self.playing:
            mark, state = "▶", "Playing"
        else:
            mark, state = "❚❚", "Paused"
        who = SPEAKERS.get(item.speaker, item.speaker)
        self.query_one("#replay-state", Static).update(Content.assemble(
            (f"{mark} {state} ", "bold"),
            (f"{fmt_duration(now)} / {fmt_duration(total_s(self.items))}", ""),
            (f" · {self.speed:g}x · {who}", "$foreground-muted"),
            (f" · turn {item.turn}" if item.turn else "", "$foreground-muted"),
            (f" · attempt {item.attempt}" if item.attempt > 1 else "", "$foreground-muted")))

    # -- keys ---------------------------------------------------------------------------

    def action_play_pause(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def _jump(self, index: int, offset: float) -> None:
        was_playing = self.playing
        if was_playing:
            self._cancel.set()
        self.at_index, self.at_s, self.finished = index, offset, False
        self.playing = False
        if was_playing:
            self.play()
        else:
            self._show(force=True)

    def action_seek(self, seconds: float) -> None:
        if not self.items:
            return
        index, offset = self.position()
        target = global_s(self.items, index, offset) + seconds
        target = min(max(0.0, target), max(0.0, total_s(self.items) - 0.05))
        self._jump(*locate(self.items, target))

    def action_turn(self, step: int) -> None:
        if not self.items:
            return
        index, offset = self.position()
        if step < 0 and offset > 2.0:
            self._jump(index, 0.0)  # back to the start of this one first, like a player
            return
        self._jump(min(max(0, index + step), len(self.items) - 1), 0.0)

    def action_speed(self, step: int) -> None:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else SPEEDS.index(1.0)
        new = SPEEDS[min(max(0, i + step), len(SPEEDS) - 1)]
        if new == self.speed:
            return
        index, offset = self.position()
        was_playing = self.playing
        if was_playing:
            self._cancel.set()
            self.playing = False
        self.speed, self.at_index, self.at_s = new, index, offset
        if was_playing:
            self.play()
        else:
            self._show()

    def action_back(self) -> None:
        self._cancel.set()
        self.app.pop_screen()
