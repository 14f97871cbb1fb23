"""`interview` with no subcommand: the command line's choices become the app's options."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.tui.options import AppOptions, Choices


def options_from_args(args: argparse.Namespace, overrides: dict[str, Any]) -> AppOptions:
    """The app's options from `interview [--answers DIR] [--bank ..] [--question ID ..] ...`.

    A folder of answers is checked here, so a typo fails at once, before the screen opens.
    """
    answers: Path | None = getattr(args, "answers", None)
    if answers is not None:
        from simulator.audio.sources import answer_files

        answer_files(answers)  # raises a UserError naming the problem
        answers = answers.resolve()
    count = getattr(args, "questions", None)
    choices = Choices(
        topics=tuple(getattr(args, "topic", None) or ()),
        levels=tuple(getattr(args, "level", None) or ()),
        roles=tuple(getattr(args, "role", None) or ()),
        sources=tuple(getattr(args, "source", None) or ()),
        question_ids=tuple(getattr(args, "question", None) or ()),
        count=count,
        persona=getattr(args, "persona", None),
    )
    return AppOptions(
        choices=choices, bank=getattr(args, "bank", None), answers_dir=answers,
        speak=not getattr(args, "no_speak", False), seed=getattr(args, "seed", None),
        config_file=getattr(args, "config", None), overrides=overrides,
        theme=getattr(args, "theme", "auto"),
    )


def run_app(args: argparse.Namespace, overrides: dict[str, Any],
            print_help: Callable[[], None]) -> int:
    """Open the app in this terminal; returns the exit code.

    Without a terminal (piped, or under a script) it prints the help instead.
    """
    options = options_from_args(args, overrides)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print_help()
        return 0
    from simulator.tui.theme import pick_theme

    theme = pick_theme(options.theme)  # asks the terminal before the app takes it over
    from simulator.tui.app import make_app

    make_app(options, theme=theme).run()
    return 0
