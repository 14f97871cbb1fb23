"""`interview sessions` (with `--recover`, which closes an interrupted one) and
`interview replay`: the recorded rounds listed, mended and heard again."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import TYPE_CHECKING, Any

from simulator.commands import common
from simulator.errors import UserError
from simulator.text import printable

if TYPE_CHECKING:
    from simulator.config import Settings


def cmd_sessions(args: argparse.Namespace) -> int:
    from simulator.sessions.recover import session_state
    from simulator.sessions.store import read_sessions
    from simulator.sessions.summary import round_document

    settings = common.settings(args)
    if args.recover is not None:
        return _recover(settings, args.recover)
    sessions, notes = read_sessions(settings.sessions_dir())
    common.noted(notes)
    rows = []
    for s in sessions:
        doc = round_document(s.events, s.dir)
        qs = doc["questions"]
        cov = sum(q["coverage"] for q in qs) / len(qs) if qs else 0.0
        length = s.events[-1].t if s.events else 0.0
        status, unjudged_s = session_state(s)
        rows.append({"id": s.id, "dir": str(s.dir), "created": s.manifest.get("created"),
                     "status": status, "questions": len(qs),
                     "turns": len(doc["turns"]), "coverage": round(cov, 3),
                     "length_s": round(length, 1), "unjudged_audio_s": unjudged_s})
    if args.json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        print(f"No sessions yet in {settings.sessions_dir()}")
    else:
        _print_sessions(rows)
    return 0


def _print_sessions(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        cut = (f"  {r['unjudged_audio_s']:.1f} s of answer never judged"
               if r["unjudged_audio_s"] else "")
        print(printable(f"{r['id']:<40} {r['status']:<11} {r['questions']} questions  "
                        f"{r['coverage']:.0%} covered  {r['length_s']:.0f} s{cut}",
                        newlines=False))
    interrupted = sum(1 for r in rows if r["status"] == "interrupted")
    if interrupted:
        print(f"\n{interrupted} interrupted session{'s' if interrupted > 1 else ''}: "
              "`interview sessions --recover` judges the answer each was recording and "
              "closes it.")


def _recover(settings: Settings, ref: str) -> int:
    """`interview sessions --recover [ID]`: one line per session, and exit 2 if any
    could not be recovered (each says why)."""
    from simulator.recovery import recover_session
    from simulator.sessions.recover import session_state
    from simulator.sessions.store import find_session, read_sessions

    root = settings.sessions_dir()
    if ref:
        folders = [find_session(root, ref)]
    else:
        sessions, notes = read_sessions(root)
        common.noted(notes)
        folders = [s.dir for s in sessions if session_state(s)[0] == "interrupted"]
        if not folders:
            print(f"No interrupted sessions in {root}; nothing to recover.")
            return 0
    failed = 0
    for folder in folders:
        try:
            print(printable(recover_session(settings, folder), newlines=False))
        except UserError as exc:
            failed += 1
            common.print_error(exc)
    return 2 if failed else 0


def cmd_replay(args: argparse.Namespace) -> int:
    from simulator.sessions.replay import play_through, timeline
    from simulator.sessions.summary import round_document

    settings = common.settings(args)
    session = common.recorded(settings, args.session)
    if args.json:  # JSON escapes control characters itself
        print(json.dumps(round_document(session.events, session.dir), indent=2))
        return 0
    if not 0.5 <= args.speed <= 2.0:
        raise UserError("must be between 0.5 and 2", field="--speed")
    m = session.manifest
    print(printable(f"Session {session.id} ({m.get('status')}), recorded "
                    f"{m.get('created', '?')}", newlines=False))
    items = timeline(session)
    player = None
    if not args.no_play:
        from simulator.rounds import make_player

        player = make_player(settings, True)
        if player is None:
            print("(no output device: printing the timeline only)", file=sys.stderr)
    if player is None:
        for u in items:
            print(_timeline_line(u))
        return 0
    from simulator.audio.playback import play_file

    cancel = threading.Event()
    try:
        for u in play_through(items, lambda p, c: play_file(
                p, settings.audio.output_device, c, args.speed), cancel):
            print(_timeline_line(u), flush=True)
    except KeyboardInterrupt:
        cancel.set()
        return 130
    return 0


def _timeline_line(u: Any) -> str:
    from simulator.sessions.replay import fmt_time

    again = f"(attempt {u.attempt}) " if u.attempt > 1 else ""
    return f"[{fmt_time(u.at_s)}] {u.speaker:<11} {again}{printable(u.text)}"
