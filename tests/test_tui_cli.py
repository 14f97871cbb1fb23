"""`interview` with no subcommand: the app's flags, and what happens without a terminal."""

from __future__ import annotations

from simulator.cli import build_parser
from simulator.tui.launch import options_from_args
from tests.conftest import run_cli


def test_the_help_lists_the_apps_flags():
    out = run_cli("--help")
    assert out.returncode == 0
    assert "--answers DIR" in out.stdout and "no COMMAND" in out.stdout


def test_without_a_terminal_it_prints_the_help():
    out = run_cli()
    assert out.returncode == 0 and "COMMAND" in out.stdout


def test_a_missing_answers_folder_fails_at_once(tmp_path):
    out = run_cli("--answers", str(tmp_path / "nope"))
    assert out.returncode == 2
    assert "not a folder of answer files" in out.stderr


def test_flags_fill_in_the_set_up_screen(tmp_path):
    (tmp_path / "01.wav").write_bytes(b"")
    args = build_parser().parse_args([
        "--answers", str(tmp_path), "--bank", "starter", "--question", "starter-lora",
        "--question", "starter-kv-cache", "--level", "core", "--topic", "rag", "--no-speak",
        "--seed", "4", "--theme", "light"])
    assert args.command is None
    o = options_from_args(args, {})
    assert o.answers_dir == tmp_path.resolve() and o.bank == "starter" and not o.speak
    assert o.choices.question_ids == ("starter-lora", "starter-kv-cache")
    assert o.choices.levels == ("core",) and o.choices.topics == ("rag",)
    assert o.seed == 4 and o.theme == "light"


def test_subcommands_keep_their_own_flags(tmp_path):
    args = build_parser().parse_args(["run", "--answers", str(tmp_path), "--realtime"])
    assert args.command == "run" and args.answers == tmp_path and args.realtime
