"""Sessions are data from elsewhere (a shared folder, a copied backup): whatever is in
one, the session commands stay inside it, say in one line what is wrong, and never let
one damaged session hide the others."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest
from textual.pilot import Pilot

from simulator.cli import main
from simulator.console import ConsolePrinter
from simulator.engine.events import QuestionAsked, SessionStarted, SttSummary, TurnKind
from simulator.errors import UserError
from simulator.sessions.store import SessionWriter
from simulator.text import printable
from tests.tui_support import SESSION_ID, app_for, session_events, write_session

GOOD = SESSION_ID
BAD = "20260316-120000-practice-dead"
FORMATS = ["md", "html", "json", "srt", "vtt"]


async def settle(pilot: Pilot) -> None:
    """Until the workers are done and what they posted is shown."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--sessions-dir", str(root)])
    out = capsys.readouterr()
    return code, out.out, out.err


def edit_events(session: Path, kind: str, **fields: object) -> None:
    """Change the fields of the first event of ``kind``, as a hand or a tool might."""
    lines = (session / "events.jsonl").read_text().splitlines()
    for i, line in enumerate(lines):
        event = json.loads(line)
        if event["type"] == kind:
            lines[i] = json.dumps({**event, **fields})
            break
    (session / "events.jsonl").write_text("\n".join(lines) + "\n")


def files_outside(top: Path, session: Path) -> set[Path]:
    return {p for p in top.rglob("*") if p.is_file() and session not in p.parents}


@pytest.mark.parametrize("crafted", ["/../../escaped", "../../escaped", "/tmp/escaped",
                                     "a/b", ""])
def test_a_crafted_session_id_writes_nothing_outside_the_session(capsys, tmp_path, crafted):
    root = tmp_path / "sessions"
    session = write_session(root)
    edit_events(session, "session_started", session_id=crafted)
    (session / "report-").mkdir()  # what let "/../../x" climb out before
    before = files_outside(tmp_path, session)
    for fmt in FORMATS:
        code, out, err = run(capsys, root, "report", GOOD, "--format", fmt)
        assert code == 2 and out == ""
        assert len(err.strip().splitlines()) == 1
        assert "events.jsonl" in err and "session_id" in err and "Traceback" not in err
    assert files_outside(tmp_path, session) == before
    assert not Path("/tmp/escaped.md").exists()


def test_links_and_folders_planted_at_report_names_are_never_followed(capsys, tmp_path):
    root = tmp_path / "sessions"
    session = write_session(root)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (session / f"report-{GOOD}.md").symlink_to(victim)
    (session / f"round-{GOOD}.wav").symlink_to(victim)
    for fmt in ("md", "srt"):
        code, _, err = run(capsys, root, "report", GOOD, "--format", fmt)
        assert code == 0, err
    assert victim.read_text() == "precious\n"
    report = session / f"report-{GOOD}.md"
    assert not report.is_symlink() and "# Interview round" in report.read_text()

    (session / f"report-{GOOD}.html").mkdir()
    code, _, err = run(capsys, root, "report", GOOD, "--format", "html")
    assert code == 2 and "is a folder" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("audio", ["../../secret.wav", "/etc/passwd", "audio/../../x.wav"])
def test_audio_paths_that_leave_the_session_are_refused(capsys, tmp_path, audio):
    root = tmp_path / "sessions"
    session = write_session(root)
    edit_events(session, "answer_finished", audio=audio)
    for args in (("replay", GOOD, "--no-play"), ("replay", GOOD, "--json"),
                 ("report", GOOD, "--format", "srt")):
        code, out, err = run(capsys, root, *args)
        assert code == 2 and out == ""
        assert "audio" in err and "inside the session folder" in err


def _invalid_utf8(session: Path) -> None:
    data = (session / "events.jsonl").read_bytes()
    (session / "events.jsonl").write_bytes(data.replace(b"Walk me", b"Walk \xff\xfeme", 1))


CORRUPTIONS = {
    "invalid UTF-8 events": (_invalid_utf8, "events.jsonl: is not UTF-8"),
    "UTF-16 manifest": (lambda s: (s / "manifest.json").write_text(
        json.dumps({"id": BAD}), encoding="utf-16"), "manifest.json: is not UTF-8"),
    "manifest a JSON list": (lambda s: (s / "manifest.json").write_text("[1, 2]"),
                             "manifest.json: holds list"),
    "manifest field type": (lambda s: (s / "manifest.json").write_text(
        json.dumps({"id": BAD, "created": 5})), "manifest.json: created: expected text"),
    "event field type": (lambda s: edit_events(s, "question_asked", turn="one"),
                         "line 3 (question_asked) turn: expected a whole number"),
    "nested field type": (lambda s: edit_events(s, "answer_finished", words=[{
        "word": 3, "start": 0.0, "end": 1.0, "probability": 1.0}]),
        "words[0].word: expected text"),
    "empty events file (a full disk before the round)": (
        lambda s: (s / "events.jsonl").write_text(""), "nothing was recorded"),
    "line cut short mid-file": (lambda s: (s / "events.jsonl").write_text(
        "\n".join(ln[:30] if i == 4 else ln for i, ln in enumerate(
            (s / "events.jsonl").read_text().splitlines())) + "\n"),
        "line 5: is not valid JSON"),
    "an event that is a list": (lambda s: (s / "events.jsonl").write_text(
        (s / "events.jsonl").read_text() + "[1, 2]\n{}\n"), "is not an event"),
}


@pytest.mark.parametrize("how", list(CORRUPTIONS))
def test_one_damaged_session_never_hides_the_others(capsys, tmp_path, how):
    corrupt, why = CORRUPTIONS[how]
    root = tmp_path / "sessions"
    write_session(root)
    bad = write_session(root, BAD)
    corrupt(bad)

    code, out, err = run(capsys, root, "sessions", "--json")
    assert code == 0 and [r["id"] for r in json.loads(out)] == [GOOD]
    assert err.strip() == err.strip().splitlines()[0]  # one line
    assert err.startswith(f"note: skipped session {BAD}: ") and why in err

    code, out, err = run(capsys, root, "progress", "--json")
    assert code == 0 and [r["id"] for r in json.loads(out)["rounds"]] == [GOOD]
    assert why in err

    for args in (("replay", BAD, "--no-play"), *(("report", BAD, "--format", f)
                                                   for f in FORMATS)):
        code, out, err = run(capsys, root, *args)
        assert code == 2 and out == "", args
        assert len(err.strip().splitlines()) == 1 and why in err and str(bad) in err


def test_a_session_folder_that_links_elsewhere_is_not_followed(capsys, tmp_path):
    root = tmp_path / "sessions"
    write_session(root)
    elsewhere = write_session(tmp_path / "elsewhere", BAD)
    (root / BAD).symlink_to(elsewhere)
    code, out, err = run(capsys, root, "sessions", "--json")
    assert code == 0 and [r["id"] for r in json.loads(out)] == [GOOD]
    assert err.startswith(f"note: skipped session {BAD}: is a link to a folder elsewhere")
    code, _, err = run(capsys, root, "report", BAD)
    assert code == 2 and f"no session {BAD!r}" in err
    assert not list(elsewhere.glob("report-*"))


def test_a_torn_last_line_is_a_crash_not_damage(capsys, tmp_path):
    root = tmp_path / "sessions"
    session = write_session(root, events=session_events()[:4], status="recording")
    with (session / "events.jsonl").open("a") as fh:
        fh.write('{"type": "answer_fin')
    code, out, err = run(capsys, root, "sessions", "--json")
    assert code == 0 and err == "" and json.loads(out)[0]["status"] == "interrupted"
    assert run(capsys, root, "report", GOOD)[0] == 0


@pytest.mark.anyio
async def test_the_sessions_screen_lists_the_rest_and_says_which_was_left_out(tmp_path):
    from simulator.tui.screens.sessions import SessionsScreen

    root = tmp_path / "sessions"
    write_session(root)
    (write_session(root, BAD) / "manifest.json").write_text("[]")
    app = app_for(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)  # the app reads its settings first
        screen = SessionsScreen()
        await app.push_screen(screen)
        await settle(pilot)
        assert [r.id for r in screen.rows] == [GOOD]
        line = str(screen.query_one("#sessions-empty").render())
        assert "1 round recorded" in line and "1 damaged session left out" in line
        assert BAD in line and "manifest.json" in line


@pytest.mark.anyio
async def test_a_listing_read_before_a_deletion_never_brings_the_round_back(tmp_path):
    from simulator.tui.messages import SessionsListed
    from simulator.tui.screens.sessions import SessionsScreen

    write_session(tmp_path / "sessions")
    app = app_for(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = SessionsScreen()
        await app.push_screen(screen)
        await settle(pilot)
        before = list(screen.rows)
        assert [r.id for r in before] == [GOOD]
        screen._delete(before[0])
        await settle(pilot)
        # The listing asked for as the confirm dialog closed read the folder before
        # the deletion removed it, and its rows arrive last.
        screen.post_message(SessionsListed(before, asked=screen._asked - 1))
        await settle(pilot)
        assert screen.rows == []
        assert "No rounds" in str(screen.query_one("#sessions-empty").render())


@pytest.mark.parametrize("ref", ["", "   "])
def test_an_empty_session_reference_picks_no_session(capsys, tmp_path, ref):
    root = tmp_path / "sessions"
    session = write_session(root)  # the only one: a prefix of "" would match it
    for args in (("report", ref), ("replay", ref, "--no-play")):
        code, out, err = run(capsys, root, *args)
        assert code == 2 and out == "" and "session: is empty" in err
    assert not list(session.glob("report-*"))


def test_report_out_is_a_file_when_it_ends_in_the_formats_suffix(capsys, tmp_path):
    root = tmp_path / "sessions"
    write_session(root)
    code, out, _ = run(capsys, root, "report", GOOD, "--format", "html",
                       "--out", str(tmp_path / "r.html"))
    assert code == 0 and (tmp_path / "r.html").is_file()
    assert out.split() == [str(tmp_path / "r.html")]

    code, out, _ = run(capsys, root, "report", GOOD, "--format", "srt",
                       "--out", str(tmp_path / "talk.srt"))
    assert code == 0 and out.split() == [str(tmp_path / "talk.srt"), str(tmp_path / "talk.wav")]

    code, out, _ = run(capsys, root, "report", GOOD, "--format", "md",
                       "--out", str(tmp_path / "reports"))
    assert code == 0 and (tmp_path / "reports" / f"report-{GOOD}.md").is_file()


@pytest.mark.parametrize(("out", "fmt", "says"), [
    ("notes.txt", "md", "is a file, not a folder"),
    ("r.md", "html", "ends in .md but the format is html"),
])
def test_report_out_that_cannot_be_meant_is_one_line_not_a_traceback(capsys, tmp_path, out,
                                                                     fmt, says):
    root = tmp_path / "sessions"
    write_session(root)
    (tmp_path / "notes.txt").write_text("mine\n")
    code, stdout, err = run(capsys, root, "report", GOOD, "--format", fmt,
                            "--out", str(tmp_path / out))
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1
    assert "--out" in err and says in err
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    assert not (tmp_path / "r.md").exists()


def test_a_session_folder_and_its_files_are_the_users_alone(tmp_path):
    writer = SessionWriter(tmp_path / "sessions", "private")
    audio = writer.dir / "audio" / "01-prompt.wav"
    audio.write_bytes(b"RIFF")
    os.chmod(audio, 0o644)  # as an audio writer using the default umask leaves it
    writer.handle(SessionStarted(0.0, writer.id, "starter", "coach", "offline",
                                 SttSummary("tiny.en", "cpu", "int8"), ["q1"], "files"))
    writer.handle(QuestionAsked(0.5, 1, TurnKind.QUESTION, "q1", "Why?", None,
                                "audio/01-prompt.wav", 60))
    cut = writer.dir / "audio" / "01-answer.wav"
    cut.write_bytes(b"RIFF")  # an answer cut short: no event names it
    writer.close("stopped")

    def mode(p: Path) -> int:
        return stat.S_IMODE(p.stat().st_mode)

    assert mode(tmp_path / "sessions") == 0o700
    assert mode(writer.dir) == 0o700 and mode(writer.dir / "audio") == 0o700
    for f in ("events.jsonl", "manifest.json", "audio/01-prompt.wav", "audio/01-answer.wav"):
        assert mode(writer.dir / f) == 0o600, f


def test_exports_in_the_session_are_private(capsys, tmp_path):
    root = tmp_path / "sessions"
    session = write_session(root)
    for fmt in ("md", "srt"):
        assert run(capsys, root, "report", GOOD, "--format", fmt)[0] == 0
    for f in (f"report-{GOOD}.md", f"report-{GOOD}.srt", f"round-{GOOD}.wav"):
        assert stat.S_IMODE((session / f).stat().st_mode) == 0o600, f


HOSTILE = "Why\x1b]0;pwned\x07 cache\x1b[2J\x1b[31m?\u202e\x9b1m"


def test_text_from_a_session_reaches_the_terminal_without_escape_sequences(capsys, tmp_path):
    root = tmp_path / "sessions"
    session = write_session(root)
    edit_events(session, "question_asked", prompt=HOSTILE)
    code, out, _ = run(capsys, root, "replay", GOOD, "--no-play")
    assert code == 0 and "Why cache?" in out
    assert not any(c in out for c in "\x1b\x07\x9b\u202e")

    printed = io.StringIO()
    printer = ConsolePrinter(out=printed, err=printed)
    for e in session_events()[:3]:
        printer.handle(e)
    printer.handle(QuestionAsked(5.0, 2, TurnKind.QUESTION, "q\x1b[1m", HOSTILE, None,
                                 "audio/02-prompt.wav", 60))
    out = printed.getvalue()
    assert "Why cache?" in out and "\x1b" not in out and "\x07" not in out


def test_printable_keeps_newlines_and_drops_every_control():
    assert printable("one\ntwo\tthree\x1b[1;31m!\x1b[0m\r") == "one\ntwo three!"
    assert printable("a\nb", newlines=False) == "a b"
    assert printable("caf\u00e9 \u4e2d \U0001f642") == "caf\u00e9 \u4e2d \U0001f642"


def test_a_full_disk_before_the_round_leaves_no_empty_session(capsys, tmp_path, monkeypatch):
    import errno

    root = tmp_path / "sessions"
    write_session(root)

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(UserError, match="cannot write the session .No space left on device"):
        SessionWriter(root, "full")
    monkeypatch.undo()
    assert [d.name for d in root.iterdir()] == [GOOD]
    code, out, err = run(capsys, root, "report", "last")
    assert code == 0 and err == "" and out.strip().endswith(f"report-{GOOD}.md")
