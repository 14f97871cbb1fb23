"""The `interview` command."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator import __version__
from simulator.errors import UserError
from simulator.text import printable

if TYPE_CHECKING:
    from simulator.config import Settings


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

    rp = sub.add_parser("replay", help="print a recorded round and play both sides")
    rp.add_argument("session", help="session id, id prefix, folder, or 'last'")
    rp.add_argument("--no-play", action="store_true", help="only print the timeline")
    rp.add_argument("--speed", type=float, default=1.0, help="playback speed (0.5 to 2)")
    rp.add_argument("--json", action="store_true", help="print the round as JSON")
    _add_config_flags(rp)

    _add_report_parser(sub)

    pg = sub.add_parser("progress", help="trends across your recorded rounds, each "
                                         "question's attempts, and what to practise next")
    pg.add_argument("--json", action="store_true")
    pg.add_argument("--bank", metavar="NAME_OR_PATH",
                    help="a bank file of your own whose questions your rounds asked")
    _add_config_flags(pg)

    ss = sub.add_parser("sessions", help="list recorded sessions; --recover judges the "
                                         "answer an interrupted one was recording")
    ss.add_argument("--json", action="store_true")
    ss.add_argument("--recover", nargs="?", const="", metavar="ID",
                    help="turn the answer an interrupted session was recording (killed, "
                         "a power cut, a full disk) into a judged turn: transcribed from "
                         "its audio, judged and measured, the session closed. ID: that "
                         "session; without it, every session listed as interrupted")
    _add_config_flags(ss)

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


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    o: dict[str, Any] = {}
    if getattr(args, "sessions_dir", None):
        o.setdefault("sessions", {})["dir"] = str(args.sessions_dir)
    if getattr(args, "model", None):
        o.setdefault("stt", {})["model"] = args.model
    if getattr(args, "device", None):
        o.setdefault("stt", {})["device"] = args.device
    if getattr(args, "persona", None):
        o.setdefault("interview", {})["persona"] = args.persona
    if getattr(args, "llm", None):
        o.setdefault("llm", {})["model"] = "" if args.llm == "off" else args.llm
    if getattr(args, "questions", None):
        o.setdefault("interview", {})["questions"] = args.questions
    if getattr(args, "timing", None):
        o.setdefault("interview", {})["timing"] = args.timing
    return o


def _settings(args: argparse.Namespace) -> Settings:
    from simulator.config import load_settings

    return load_settings(getattr(args, "config", None), _overrides(args))


def _drive(prepared: Any, as_json: bool, review: Any = None) -> int:
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


def cmd_run(args: argparse.Namespace) -> int:
    from simulator.banks.select import Selection
    from simulator.rounds import pick_questions

    settings = _settings(args)
    review = _review(args)  # a bad corrections file stops here, before the round
    shuffle = args.shuffle if args.shuffle is not None else not args.answers
    sel = Selection(args.question, args.topic, args.level, args.role, args.source,
                    settings.interview.questions, shuffle, args.seed)
    label, questions = pick_questions(args.bank, sel)
    return _run_round(args, settings, label, questions, review)


def _review(args: argparse.Namespace) -> Any:
    """`--review [FILE]`: where the corrections come from, or None."""
    if args.review is None:
        return None
    from simulator.review import ReviewInput

    return ReviewInput(None if args.review == "-" else Path(args.review))


def _run_round(args: argparse.Namespace, settings: Settings, label: str, questions: list[Any],
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
    return _drive(prepared, args.json, review)


def _bank_questions(bank: str | None) -> dict[str, Any]:
    """The questions that can be asked, by id: one bank's, or every shipped bank's."""
    from simulator.banks.loader import load_bank, load_banks

    banks = [load_bank(bank)] if bank else load_banks()
    return {q.id: q for b in banks for q in b.questions}


def cmd_drill(args: argparse.Namespace) -> int:
    """A round of the questions whose points were missed most; `--list` says which."""
    from simulator.rounds import drill_questions
    from simulator.sessions.drill import why_line

    settings = _settings(args)
    review = _review(args)
    questions, picks, notes = drill_questions(
        settings.sessions_dir(), _bank_questions(args.bank), settings.interview.questions)
    _noted(notes)
    if args.list_only and args.json:
        print(json.dumps([{"question_id": p.question_id, "score": p.score,
                           "points": [asdict(n) for n in p.points]} for p in picks], indent=2))
        return 0
    out = sys.stderr if args.json else sys.stdout  # --json keeps stdout one document
    print(f"Drill: {len(picks)} question{'s' if len(picks) != 1 else ''} whose points you "
          "missed most:", file=out)
    for q, pick in zip(questions, picks, strict=True):
        print(printable(f"  {q.label} ({q.id}): {why_line(pick)}", newlines=False), file=out)
    if args.list_only:
        return 0
    return _run_round(args, settings, "drill", questions, review)


def cmd_retry(args: argparse.Namespace) -> int:
    """A question of a recorded round asked again, as its next attempt in that session."""
    from simulator.banks.loader import questions_for
    from simulator.sessions.continuing import check_continuable, retry_question, so_far
    from simulator.sessions.store import find_session, read_session

    settings = _settings(args)
    review = _review(args)
    session = read_session(find_session(settings.sessions_dir(), args.session))
    check_continuable(session)
    questions = (_bank_questions(args.bank) if args.bank
                 else questions_for(session.manifest.get("bank")))
    question = retry_question(session, questions, args.question)
    attempt = so_far(session).attempts.get(question.id, 0) + 1
    out = sys.stderr if args.json else sys.stdout  # --json keeps stdout one document
    print(printable(f"Retry: {question.label} ({question.id}), attempt {attempt} in session "
                    f"{session.id}", newlines=False), file=out)
    return _run_round(args, settings, "retry", [question], review, continues=session.dir)


def cmd_demo(args: argparse.Namespace) -> int:
    from simulator.banks.loader import load_bank
    from simulator.demo import ScriptedCandidate, load_script
    from simulator.rounds import listen_options, make_player, prepare_round
    from simulator.speech.tts import Pyttsx3Synthesizer

    settings = _settings(args)
    script = load_script()
    bank = load_bank(script.bank)
    by_id = {q.id: q for q in bank.questions}
    questions = [by_id[q.id] for q in script.questions]
    synth = Pyttsx3Synthesizer()
    candidate = ScriptedCandidate(script, synth, listen_options(settings).frame_len,
                                  make_player(settings, not args.no_speak))
    prepared = prepare_round(settings, script.bank, questions, candidate,
                             speak=not args.no_speak, synthesizer=synth, seed=args.seed)
    return _drive(prepared, args.json)


def cmd_replay(args: argparse.Namespace) -> int:
    from simulator.sessions.replay import play_through, timeline
    from simulator.sessions.store import find_session, read_session
    from simulator.sessions.summary import round_document

    settings = _settings(args)
    session = read_session(find_session(settings.sessions_dir(), args.session))
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


#: The report formats, and the suffix that names each (``-o r.html`` means html).
REPORT_FORMATS = {"md": ".md", "html": ".html", "json": ".json", "srt": ".srt", "vtt": ".vtt"}


def _report_format(fmt: str | None, out: Path | None) -> str:
    """--format as given, else the one -o's suffix names, else Markdown."""
    if fmt:
        return fmt
    by_suffix = {v: k for k, v in REPORT_FORMATS.items()}
    return by_suffix.get(out.suffix.lower(), "md") if out is not None else "md"


def _report_target(fmt: str, out: Path | None, name: str,
                   session_dir: Path) -> tuple[Path, Path | None]:
    """Where the report (and for subtitles the round audio) goes. A new file whose suffix
    is no format's (notes.txt) is that file; an existing one is refused, as a file given
    by mistake, by ``report_paths``, which decides everything else."""
    from simulator.sessions.export import report_paths

    known = (*REPORT_FORMATS.values(), ".wav")
    if out is not None and out.suffix and out.suffix.lower() not in known and not (
            out.exists() or out.is_symlink()):
        return out, out.with_suffix(".wav") if fmt in ("srt", "vtt") else None
    return report_paths(fmt, name, out, session_dir)


def _report_text(doc: dict[str, Any], fmt: str) -> str:
    """The report as text, for `-o -`."""
    from simulator.banks.loader import questions_for
    from simulator.sessions import export

    if fmt == "json":
        return json.dumps(doc, indent=2)  # JSON escapes control characters itself
    if fmt in ("md", "html"):  # titles, and the model answers for the points missed
        questions = questions_for(doc.get("bank"))
        text = (export.to_markdown if fmt == "md" else export.to_html)(doc, questions)
    else:
        text = (export.to_srt if fmt == "srt" else export.to_vtt)(doc)
    return printable(text)  # a session's text may hold terminal escapes


def cmd_report(args: argparse.Namespace) -> int:
    from simulator.sessions.export import export
    from simulator.sessions.store import find_session, read_session
    from simulator.sessions.summary import round_document

    settings = _settings(args)
    session = read_session(find_session(settings.sessions_dir(), args.session))
    doc = round_document(session.events, session.dir)
    fmt = _report_format(args.format, None if args.out == Path("-") else args.out)
    if args.out == Path("-"):
        text = _report_text(doc, fmt)
        print(text, end="" if text.endswith("\n") else "\n")
        return 0
    report, audio = _report_target(fmt, args.out, doc["session_id"] or session.id,
                                   session.dir)
    for path in export(doc, fmt, report, audio):
        print(printable(str(path), newlines=False))
    return 0


def _noted(notes: list[str]) -> None:
    """Sessions that could not be read, one line each, on stderr."""
    for note in notes:
        print(f"note: {printable(note, newlines=False)}", file=sys.stderr)


def cmd_progress(args: argparse.Namespace) -> int:
    from simulator.sessions.progress import (
        documents,
        plan,
        question_progress,
        render_progress,
        rows_of,
        summary,
    )
    from simulator.sessions.store import read_sessions

    sessions, notes = read_sessions(_settings(args).sessions_dir())
    _noted(notes)
    docs = documents(sessions)
    try:
        questions = _bank_questions(args.bank)
    except UserError as exc:  # progress without titles beats no progress
        if args.bank:
            raise
        print(f"note: {printable(str(exc), newlines=False)}", file=sys.stderr)
        questions = {}
    if args.json:
        rows = rows_of(docs)
        print(json.dumps({"rounds": rows, "summary": summary(rows),
                          "questions": question_progress(docs, questions),
                          "plan": plan(docs, questions)}, indent=2))
    else:
        print(printable(render_progress(docs, questions)))
    return 0


def cmd_sessions(args: argparse.Namespace) -> int:
    from simulator.sessions.recover import session_state
    from simulator.sessions.store import read_sessions
    from simulator.sessions.summary import round_document

    settings = _settings(args)
    if args.recover is not None:
        return _recover(settings, args.recover)
    sessions, notes = read_sessions(settings.sessions_dir())
    _noted(notes)
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
        _noted(notes)
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
            print(f"interview: error: {printable(str(exc), newlines=False)}", file=sys.stderr)
    return 2 if failed else 0


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

    checks = run_checks(_settings(args))
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
    from simulator.sessions.store import find_session, read_session
    from simulator.sessions.summary import round_document

    d = find_session(_settings(args).sessions_dir(), args.session)
    doc = round_document(read_session(d).events, d)
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

    rows = available_models(_settings(args).stt)
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

            return run_app(args, _overrides(args), parser.print_help)
        except UserError as exc:
            print(f"interview: error: {printable(str(exc), newlines=False)}", file=sys.stderr)
            return exc.exit_code
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:  # its text may quote a file: printed without control characters
        print(f"interview: error: {printable(str(exc), newlines=False)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
