"""The `interview` command: a subcommand runs, or with none the app opens. The commands
on recorded sessions are in simulator/commands/, the arguments in simulator/parser.py."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from simulator.commands import common
from simulator.commands.headless import drive, run_round
from simulator.commands.practice import cmd_drill, cmd_progress, cmd_retry
from simulator.commands.report import cmd_report
from simulator.commands.sessions import cmd_replay, cmd_sessions
from simulator.errors import UserError
from simulator.parser import build_parser
from simulator.text import printable


def cmd_run(args: argparse.Namespace) -> int:
    from simulator.banks.select import Selection
    from simulator.rounds import pick_questions

    settings = common.settings(args)
    review = common.review_input(args)  # a bad corrections file stops here, before the round
    shuffle = args.shuffle if args.shuffle is not None else not args.answers
    sel = Selection(args.question, args.topic, args.level, args.role, args.source,
                    settings.interview.questions, shuffle, args.seed)
    label, questions = pick_questions(args.bank, sel)
    return run_round(args, settings, label, questions, review)


def cmd_demo(args: argparse.Namespace) -> int:
    from simulator.banks.loader import load_bank
    from simulator.demo import ScriptedCandidate, load_script
    from simulator.rounds import listen_options, make_player, prepare_round
    from simulator.speech.tts import Pyttsx3Synthesizer

    settings = common.settings(args)
    script = load_script()
    bank = load_bank(script.bank)
    by_id = {q.id: q for q in bank.questions}
    questions = [by_id[q.id] for q in script.questions]
    synth = Pyttsx3Synthesizer()
    candidate = ScriptedCandidate(script, synth, listen_options(settings).frame_len,
                                  make_player(settings, not args.no_speak))
    prepared = prepare_round(settings, script.bank, questions, candidate,
                             speak=not args.no_speak, synthesizer=synth, seed=args.seed)
    return drive(prepared, args.json)


def cmd_devices(args: argparse.Namespace) -> int:
    from simulator.audio.devices import list_devices

    devices = list_devices()
    if not devices:
        print("No audio devices found.")
    for d in devices:
        marks = ("in*" if d.is_default_input else "") + (" out*" if d.is_default_output else "")
        print(f"{d.index:>3}  {d.name:<40} in {d.inputs:<3} out {d.outputs:<3} "
              f"{d.default_rate:.0f} Hz {marks.strip()}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from simulator.doctor import run_checks

    checks = run_checks(common.settings(args))
    width = max(len(c.name) for c in checks)
    for c in checks:
        mark = "ok  " if c.ok else ("warn" if c.optional else "FAIL")
        print(f"{mark}  {c.name:<{width}}  {c.detail}")
        if not c.ok and c.fix:
            print(f"      {'':<{width}}  fix: {c.fix}")
    return 0 if all(c.ok or c.optional for c in checks) else 1


def cmd_glossary(args: argparse.Namespace) -> int:
    from simulator.speech import learned

    if args.glossary_command == "list":
        entries = learned.load()
        path = learned.user_glossary_file()
        if not entries:
            print(f"No terms yet ({path} does not exist or is empty).")
        for term, heard in sorted(entries.items()):
            print(printable(f"{term}: {', '.join(heard)}", newlines=False))
        return 0
    if args.glossary_command == "add":
        path, new = learned.add((h, args.term) for h in args.heard)
        print(f"{new} new way(s) of mishearing {args.term!r} saved in {path}")
        return 0
    from simulator.sessions.summary import round_document

    session = common.recorded(common.settings(args), args.session)
    d = session.dir
    doc = round_document(session.events, d)
    pairs = [pair for t in doc["turns"] if t["answer"]
             for c in t["answer"].get("candidate_corrections", [])
             if len(pair := tuple(c.split(" -> ", 1))) == 2]  # a line edited by hand is not one
    if not pairs:
        print(f"No corrections were made in {d.name}; nothing to learn.")
        return 0
    path, new = learned.add((h, m) for h, m in pairs)
    print(f"{new} new correction(s) from {d.name} saved in {path}; later rounds apply them.")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from simulator.speech.models import available_models

    rows = available_models(common.settings(args).stt)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], indent=2))
        return 0
    for r in rows:
        mark = "*" if r.selected else " "
        figures = r.figures_line()
        print(f"{mark} {r.name:<16} {r.kind:<22} {figures}")
        if r.note:
            print(f"  {'':<16} {r.note}")
    print("\n* in use. Measure a model here with: .venv/bin/python benchmarks/transcription.py "
          "--model NAME")
    return 0


def cmd_bank(args: argparse.Namespace) -> int:
    from simulator.banks import commands

    return commands.run(args)


COMMANDS = {
    "run": cmd_run, "demo": cmd_demo, "replay": cmd_replay, "sessions": cmd_sessions,
    "devices": cmd_devices, "doctor": cmd_doctor, "bank": cmd_bank, "report": cmd_report,
    "progress": cmd_progress, "glossary": cmd_glossary, "models": cmd_models,
    "drill": cmd_drill, "retry": cmd_retry,
}


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point. A reader that stops early (`interview sessions | head -1`) ends
    the command quietly, as the Python documentation's note on SIGPIPE does it."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # inside the try: a late flush to a closed pipe would fail too
    except BrokenPipeError:
        # Python flushes stdout again at exit; pointing it at /dev/null keeps that quiet.
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
        return 1
    return code


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # refused by the subcommand that was given them, with its own usage
        (getattr(args, "command_parser", None) or parser).error(
            f"unrecognized arguments: {' '.join(unknown)}")
    if args.command is None:
        try:
            from simulator.tui.launch import run_app

            return run_app(args, common.overrides(args), parser.print_help)
        except UserError as exc:
            common.print_error(exc)
            return exc.exit_code
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        common.print_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
