"""A round run from the command line: answered by the microphone or by files, printed
as it goes (or kept for one JSON document), ended by signals as the app's end key
ends it, and summed up when it closes."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.errors import UserError
from simulator.text import printable

if TYPE_CHECKING:
    from simulator.config import Settings


def run_round(args: argparse.Namespace, settings: Settings, label: str, questions: list[Any],
              review: Any, continues: Path | None = None) -> int:
    """Ask ``questions`` as `interview run` does: answered by the microphone or by files
    (``continues``: recorded into that session, as a retry)."""
    from simulator.engine import LIVE_TRANSCRIPT_S
    from simulator.engine.answers import FolderAnswers, MicrophoneAnswers
    from simulator.engine.controls import RoundControls
    from simulator.rounds import listen_options, prepare_round

    frame_len = listen_options(settings).frame_len
    if args.answers:
        answers: Any = FolderAnswers(args.answers, frame_len, args.realtime)
    else:
        if args.realtime:
            raise UserError("--realtime only applies with --answers DIR", field="--realtime")
        answers = MicrophoneAnswers(frame_len, settings.audio.input_device)
    # Spoken in real time: transcribe as it goes, for the live pace and filler figures.
    live_s = LIVE_TRANSCRIPT_S if (args.realtime or not args.answers) else 0.0
    controls = RoundControls(check=True) if review is not None else None
    prepared = prepare_round(settings, label, questions, answers, speak=not args.no_speak,
                             seed=args.seed, controls=controls, live_transcript_s=live_s,
                             continues=continues)
    return drive(prepared, args.json, review)


def drive(prepared: Any, as_json: bool, review: Any = None) -> int:
    """Run a prepared round to its end and print its summary (or its JSON document).
    The exit status: 0 for a complete round, 1 for one that ended early, and for one a
    signal or Ctrl-C stopped, 128 + its number, as a process the signal ended has."""
    from simulator.console import ConsolePrinter, print_summary
    from simulator.sessions.store import read_session
    from simulator.sessions.summary import round_document, strengths_and_gaps

    printer = None if as_json else ConsolePrinter(
        low_confidence=prepared.interview.p.low_confidence)
    with _ended_by_signals(prepared.interview.controls) as signalled:
        try:
            events = _events(prepared, printer, review)
        except KeyboardInterrupt:
            print(f"\nStopped. What was recorded is kept in {prepared.session.dir}; "
                  f"`interview sessions --recover {prepared.session.id}` judges the answer "
                  "that was cut off.", file=sys.stderr)
            return 128 + signalled[0] if signalled else 130
        except BrokenPipeError:
            raise  # the reader of stdout went away: main() ends quietly, not "disk full"
        except OSError as exc:  # the disk refused the answer's audio, mid-round
            from simulator.sessions.store import disk_refused

            raise disk_refused(exc, exc.filename or prepared.session.dir,
                               prepared.session.dir) from None
    if prepared.continued:  # a retry: the whole session, the attempts before it included
        events = read_session(prepared.session.dir).events
    doc = round_document(events, prepared.session.dir)
    doc["summary"] = strengths_and_gaps(doc, {q.id: q for q in prepared.questions})
    if as_json:
        print(json.dumps(doc, indent=2))
    else:
        print_summary(doc)
        print(f"Session saved: {prepared.session.dir}")
        print(f"Replay it with: interview replay {prepared.session.id}")
    if signalled:
        return 128 + signalled[0]  # as a process the signal ended would
    return 0 if doc["status"] == "complete" else 1


def _events(prepared: Any, printer: Any, review: Any) -> list[Any]:
    """Run the round, showing each event as it comes; the events."""
    from simulator.engine.events import AwaitingCorrections, Notice

    events = []
    for event in prepared.events():
        events.append(event)
        if printer:
            printer.handle(event)
        elif isinstance(event, Notice):
            print(f"note: {printable(event.message)}", file=sys.stderr)
        if isinstance(event, AwaitingCorrections):
            controls = prepared.interview.controls
            for heard, meant in review.next(event.unsure):
                controls.correct(heard, meant)
            controls.talk()
    return events


@contextlib.contextmanager
def _ended_by_signals(controls: Any) -> Iterator[list[int]]:
    """While a round runs, SIGTERM and SIGHUP end it as the app's end key does: the
    answer under way is kept and judged and the session closed as cancelled. A second
    one stops at once, as Ctrl-C does. Yields the signals received."""
    got: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield got  # only the main thread may take signals; a caller's thread keeps its own
        return

    def handler(signum: int, _frame: object) -> None:
        if got:
            raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")
        got.append(signum)
        if signum == signal.SIGHUP:
            _lose_terminal()
        controls.end()

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield got
    finally:
        for sig, was in old.items():
            signal.signal(sig, was)


def _lose_terminal() -> None:
    """The terminal hung up: what would be printed to it goes nowhere, rather than
    failing the round that is being closed."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            os.dup2(null, fd)
        os.close(null)
