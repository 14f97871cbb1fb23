"""The `interview` command's arguments: the app's flags, and each subcommand's."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simulator import __version__
from simulator.commands.report import REPORT_FORMATS


class _CommandParser(argparse.ArgumentParser):
    """A subcommand's parser. It marks the arguments it parsed as its own, so a flag it
    does not know is refused with its usage, not the top-level one (argparse leaves
    unknown arguments to the top parser)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_defaults(command_parser=self)


def _add_config_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, metavar="FILE", help="an extra config file (TOML)")
    p.add_argument("--sessions-dir", type=Path, metavar="DIR", help="where sessions are saved")
    p.add_argument("--model", help="Whisper model: tiny.en (bundled), a size name or a folder")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], help="where Whisper runs")
    p.add_argument("--persona", help="interviewer persona from voices/ (or a .toml path)")


def _question_count(text: str) -> int:
    """--questions N: 0 or less is refused here, where it once quietly became the default 3."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; use 1 or more") \
            from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"a round needs at least 1 question, not {n}")
    return n


def _add_round_flags(p: argparse.ArgumentParser) -> None:
    _add_config_flags(p)
    p.add_argument("--no-speak", action="store_true", help="do not play the interviewer's voice")
    p.add_argument("--json", action="store_true", help="print the round as one JSON document")
    p.add_argument("--seed", type=int, help="makes the interviewer's wording repeatable")
    p.add_argument("--timing", choices=["countdown", "warning", "cut_in"],
                   help="the answer budget: shown only, a spoken warning near it, or the "
                        "interviewer cutting in at it")
    p.add_argument("--llm", metavar="MODEL",
                   help="judge with this litellm model ('auto', 'openai/gpt-4o-mini', "
                        "'ollama/llama3.1', ...); 'off' for the offline policy")


def _add_app_flags(ap: argparse.ArgumentParser) -> None:
    """`interview` with no COMMAND opens the app; these fill in its set-up screen."""
    g = ap.add_argument_group(
        "the app (`interview` with no COMMAND)",
        "Opens the set-up screen with these choices filled in; Enter starts the round.")
    s = argparse.SUPPRESS  # absent unless given, so subcommands' own defaults stand
    g.add_argument("--answers", type=Path, metavar="DIR", default=s,
                   help="answer with the WAV/FLAC files in DIR, fed in real time through the "
                        "microphone path (one per turn)")
    g.add_argument("--bank", metavar="NAME_OR_PATH", default=s, help="a bank from bank/ or a file")
    g.add_argument("--question", action="append", metavar="ID", default=s,
                   help="ask this question (repeatable, in order)")
    g.add_argument("--questions", type=_question_count, metavar="N", default=s,
                   help="how many questions")
    g.add_argument("--topic", action="append", default=s, help="draw from this topic")
    g.add_argument("--level", action="append", choices=["intro", "core", "senior"], default=s,
                   help="draw at this level")
    g.add_argument("--role", action="append", default=s, help="draw questions for this role")
    g.add_argument("--source", action="append", default=s, help="draw from this seed document")
    g.add_argument("--persona", default=s, help="interviewer persona from voices/")
    g.add_argument("--no-speak", action="store_true", default=s,
                   help="do not play the interviewer's voice")
    g.add_argument("--seed", type=int, default=s, help="makes the interviewer's wording repeatable")
    g.add_argument("--theme", choices=["auto", "dark", "light"], default=s,
                   help="colours: follow the terminal (auto), or dark or light")
    g.add_argument("--config", type=Path, metavar="FILE", default=s, help="an extra config file")
    g.add_argument("--sessions-dir", type=Path, metavar="DIR", default=s,
                   help="where sessions are saved")
    g.add_argument("--model", default=s, help="Whisper model")
    g.add_argument("--device", choices=["auto", "cpu", "cuda"], default=s,
                   help="where Whisper runs")
    g.add_argument("--llm", metavar="MODEL", default=s, help="judge with this litellm model")
    g.add_argument("--timing", choices=["countdown", "warning", "cut_in"], default=s,
                   help="the answer budget: shown, said near the end, or enforced")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="interview", description="Practise spoken interview rounds for AI and LLM roles.")
    ap.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_app_flags(ap)
    sub = ap.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)

    demo = sub.add_parser("demo", help="a whole round with a synthetic candidate; no mic needed")
    _add_round_flags(demo)

    _add_run_parser(sub)
    _add_drill_parser(sub)
    _add_retry_parser(sub)
    _add_replay_parser(sub)
    _add_report_parser(sub)
    _add_progress_parser(sub)
    _add_sessions_parser(sub)
    _add_glossary_parser(sub)

    mo = sub.add_parser("models", help="Whisper models this machine can use, with measured "
                                      "accuracy and speed")
    mo.add_argument("--json", action="store_true")
    _add_config_flags(mo)

    sub.add_parser("devices", help="list audio devices")
    doc = sub.add_parser("doctor", help="check speech, audio, the Whisper model and CUDA")
    _add_config_flags(doc)

    _add_bank_parser(sub)
    return ap


def _add_replay_parser(sub: Any) -> None:
    rp = sub.add_parser("replay", help="print a recorded round and play both sides")
    rp.add_argument("session", help="session id, id prefix, folder, or 'last'")
    rp.add_argument("--no-play", action="store_true", help="only print the timeline")
    rp.add_argument("--speed", type=float, default=1.0, help="playback speed (0.5 to 2)")
    rp.add_argument("--json", action="store_true", help="print the round as JSON")
    _add_config_flags(rp)


def _add_report_parser(sub: Any) -> None:
    rep = sub.add_parser("report", help="export a recorded round: md, html, json, srt, vtt")
    rep.add_argument("session", help="session id, id prefix, folder, or 'last'")
    rep.add_argument("--format", choices=list(REPORT_FORMATS),
                     help="md (the default), html, json, srt or vtt; without it, -o FILE's "
                          "suffix chooses (r.html writes HTML)")
    rep.add_argument("-o", "--out", type=Path, metavar="FILE",
                     help="the file to write (r.srt also writes the round audio beside it "
                          "as r.wav); '-' prints the report instead; an existing folder, or "
                          "a name with no suffix, is a folder to write report-ID.* into "
                          "(default: the session's folder)")
    _add_config_flags(rep)


def _add_progress_parser(sub: Any) -> None:
    pg = sub.add_parser("progress", help="trends across your recorded rounds, each "
                                         "question's attempts, and what to practise next")
    pg.add_argument("--json", action="store_true")
    pg.add_argument("--bank", metavar="NAME_OR_PATH",
                    help="a bank file of your own whose questions your rounds asked")
    _add_config_flags(pg)


def _add_sessions_parser(sub: Any) -> None:
    ss = sub.add_parser("sessions", help="list recorded sessions; --recover judges the "
                                         "answer an interrupted one was recording")
    ss.add_argument("--json", action="store_true")
    ss.add_argument("--recover", nargs="?", const="", metavar="ID",
                    help="turn the answer an interrupted session was recording (killed, "
                         "a power cut, a full disk) into a judged turn: transcribed from "
                         "its audio, judged and measured, the session closed. ID: that "
                         "session; without it, every session listed as interrupted")
    _add_config_flags(ss)


def _add_drill_parser(sub: Any) -> None:
    dr = sub.add_parser("drill", help="a round of the questions whose points you missed "
                                      "most, across your recorded rounds")
    _add_answer_flags(dr)
    dr.add_argument("--list", action="store_true", dest="list_only",
                    help="only print the questions a drill would ask, and why")


def _add_retry_parser(sub: Any) -> None:
    rt = sub.add_parser(
        "retry", help="answer a question of a recorded round again, as a new attempt in the "
                      "same session, compared with the last one point by point")
    rt.add_argument("session", help="session id, id prefix, folder, or 'last'")
    rt.add_argument("question", nargs="?", metavar="QUESTION",
                    help="the question's id or title (default: the round's weakest question)")
    _add_round_flags(rt)
    rt.add_argument("--bank", metavar="NAME_OR_PATH",
                    help="the bank file of your own the round's questions came from")
    _add_answering_flags(rt)


def _add_answer_flags(run: argparse.ArgumentParser) -> None:
    """The flags of a round whose questions are chosen for it: how it is answered."""
    _add_round_flags(run)
    run.add_argument("--bank", metavar="NAME_OR_PATH", help="a bank name from bank/ or a file")
    run.add_argument("--questions", type=_question_count, metavar="N",
                     help="how many questions")
    _add_answering_flags(run)


def _add_answering_flags(run: argparse.ArgumentParser) -> None:
    """Where the answers come from: the microphone, or files."""
    run.add_argument("--answers", type=Path, metavar="DIR",
                     help="answer with the WAV/FLAC files in DIR (sorted, one per turn)")
    run.add_argument("--realtime", action="store_true",
                     help="feed answer files at real-time speed through the microphone path")
    run.add_argument("--review", nargs="?", const="-", metavar="FILE",
                     help="check each transcript before it is judged: type corrections "
                          "('heard => meant') or read one line per answer from FILE")


def _add_run_parser(sub: Any) -> None:
    run = sub.add_parser("run", help="run a round headless")
    _add_answer_flags(run)
    run.add_argument("--question", action="append", default=[], metavar="ID",
                     help="ask this question (repeatable, in order)")
    run.add_argument("--topic", action="append", default=[], help="draw from this topic")
    run.add_argument("--level", action="append", default=[],
                     choices=["intro", "core", "senior"], help="draw at this level")
    run.add_argument("--role", action="append", default=[], help="draw questions for this role")
    run.add_argument("--source", action="append", default=[],
                     help="draw from this seed document (file name or prefix)")
    run.add_argument("--shuffle", action=argparse.BooleanOptionalAction, default=None,
                     help="draw questions at random (default: on with the mic, off with files)")


def _add_glossary_parser(sub: Any) -> None:
    gl = sub.add_parser("glossary", help="your own terms and how the transcriber mishears them")
    gsub = gl.add_subparsers(dest="glossary_command", metavar="ACTION", required=True)
    gsub.add_parser("list", help="the terms you added (and where the file is)")
    ga = gsub.add_parser("add", help="add a term and the ways it gets misheard")
    ga.add_argument("term")
    ga.add_argument("heard", nargs="+", help="how it was misheard, e.g. 'laura'")
    gle = gsub.add_parser("learn", help="keep the corrections you made in a session")
    gle.add_argument("session", help="session id, id prefix, folder, or 'last'")
    _add_config_flags(gle)


def _add_bank_parser(sub: Any) -> None:
    bank = sub.add_parser("bank", help="list, show and validate question banks")
    bsub = bank.add_subparsers(dest="bank_command", metavar="ACTION", required=True)
    bl = bsub.add_parser("list", help="banks with question counts per topic and level")
    bl.add_argument("--json", action="store_true", help="every question with all its fields")
    bs = bsub.add_parser("show", help="one question with its rubric")
    bs.add_argument("id")
    bv = bsub.add_parser("validate", help="check bank files (the shipped ones by default)")
    bv.add_argument("paths", nargs="*", type=Path)
