"""A round stopped mid-answer (kill -9, Ctrl-C, SIGTERM, SIGHUP, a full disk) loses
nothing: it is listed as interrupted with the answer audio it holds, and
`interview sessions --recover` (or R in the app) turns that answer into a judged turn.
Real rounds in a subprocess, real speech, real Whisper; only the disk's refusal is faked.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from simulator.audio import SAMPLE_RATE
from simulator.audio.wavwriter import IncrementalWavWriter
from tests.conftest import ROOT, render_answers, run_cli
from tests.tui_support import until

LORA = ("LoRA freezes the pretrained weights and trains a low rank update instead, two small "
        "matrices whose product is added to the original weight matrix. Because there are far "
        "fewer trainable parameters, the optimizer state is tiny, so it needs much less GPU "
        "memory than full fine tuning.")
ROUND = ("run", "--bank", "starter", "--question", "starter-lora", "--no-speak", "--json")
#: Long enough for any machine to load the model and reach the answer.
ROUND_START_S = 180


@pytest.fixture(scope="module")
def answer(tmp_path_factory: pytest.TempPathFactory, synth) -> Path:
    return render_answers(synth, tmp_path_factory.mktemp("recovery") / "answers", [LORA])


def events_of(session: Path) -> list[dict]:
    lines = (session / "events.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.endswith("}")]


def only_session(root: Path) -> Path:
    (found,) = [d for d in root.iterdir() if d.is_dir()]
    return found


def start_round(answers: Path, sessions: Path, pulse: str) -> subprocess.Popen[str]:
    """`interview run` with the answer fed in real time, as a microphone would."""
    return subprocess.Popen(
        [sys.executable, "-m", "simulator", *ROUND, "--answers", str(answers), "--realtime",
         "--sessions-dir", str(sessions)], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, "XDG_RUNTIME_DIR": pulse})


def wait_for_drafts(proc: subprocess.Popen[str], sessions: Path, count: int = 3) -> Path:
    """Until the round has shown ``count`` live drafts of the answer: it is mid-answer."""
    deadline = time.monotonic() + ROUND_START_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        found = [d for d in sessions.glob("*") if (d / "events.jsonl").exists()]
        if found and sum(e["type"] == "partial_transcript" for e in events_of(found[0])) >= count:
            return found[0]
        time.sleep(0.1)  # polling for the drafts, not timing anything
    proc.kill()
    raise AssertionError("the round never reached the middle of its answer")


def listed(sessions: Path) -> list[dict]:
    out = run_cli("sessions", "--json", "--sessions-dir", str(sessions))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def replayed(sessions: Path) -> dict:
    out = run_cli("replay", "last", "--json", "--sessions-dir", str(sessions))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_a_round_stopped_mid_answer_is_recovered_into_a_judged_turn(tmp_path, answer, pulse,
                                                                    stop):
    sessions = tmp_path / "sessions"
    proc = start_round(answer, sessions, pulse)
    session = wait_for_drafts(proc, sessions)
    proc.send_signal(stop)
    proc.communicate(timeout=60)
    assert not (session / "manifest.json.tmp").exists()

    (row,) = listed(sessions)
    assert row["status"] == "interrupted" and row["turns"] == 1
    assert row["unjudged_audio_s"] >= 2.0  # three drafts: seconds of speech on disk
    text = run_cli("sessions", "--sessions-dir", str(sessions)).stdout
    assert "interrupted" in text and "of answer never judged" in text
    assert "interview sessions --recover" in text
    header_s = sf.info(str(session / "audio" / "01-answer.wav")).duration
    assert replayed(sessions)["turns"][0]["answer"] is None  # left out before recovering

    out = run_cli("sessions", "--recover", "--sessions-dir", str(sessions))
    assert out.returncode == 0, out.stderr
    assert f"{session.name}: turn 1 recovered" in out.stdout

    doc = replayed(sessions)
    turn = doc["turns"][0]
    assert turn["answer"]["duration_s"] >= max(header_s, row["unjudged_audio_s"] - 0.1)
    heard = turn["answer"]["transcript"].lower()
    assert "lora" in heard and "weights" in heard
    assert turn["assessment"]["points"] and turn["decision"]["policy"] == "offline"
    assert turn["delivery"]["wpm"] > 0 and turn["delivery"]["speaking_s"] > 1
    assert "recovered" in doc["error"]
    assert any("recovered from its audio" in n for n in doc["notices"])
    assert json.loads((session / "manifest.json").read_text())["status"] == "recovered"
    report = run_cli("report", "last", "--format", "md", "--sessions-dir", str(sessions))
    assert report.returncode == 0 and "weights" in (session / f"report-{session.name}.md"
                                                    ).read_text().lower()

    again = run_cli("sessions", "--recover", "--sessions-dir", str(sessions))
    assert again.returncode == 0 and "nothing to recover" in again.stdout
    by_id = run_cli("sessions", "--recover", session.name, "--sessions-dir", str(sessions))
    assert by_id.returncode == 0 and "recovered already" in by_id.stdout
    assert sum(e["type"] == "answer_finished" for e in events_of(session)) == 1
    assert listed(sessions)[0]["status"] == "recovered"


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=["sigterm", "sighup"])
def test_sigterm_and_sighup_close_the_round_keeping_the_answer(tmp_path, answer, pulse, stop):
    sessions = tmp_path / "sessions"
    proc = start_round(answer, sessions, pulse)
    session = wait_for_drafts(proc, sessions, count=2)
    proc.send_signal(stop)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + stop, err
    assert "Traceback" not in err

    manifest = json.loads((session / "manifest.json").read_text())
    assert manifest["status"] == "cancelled" and "ended" in manifest
    events = events_of(session)
    assert events[-1]["type"] == "session_ended" and events[-1]["status"] == "cancelled"
    finished = [e for e in events if e["type"] == "answer_finished"]
    assert len(finished) == 1 and finished[0]["end_reason"] == "cancelled"
    assert "lora" in finished[0]["transcript"].lower()
    assert any(e["type"] == "assessed" for e in events)
    (row,) = listed(sessions)
    assert row["status"] == "cancelled" and row["unjudged_audio_s"] == 0


def test_a_disk_that_fills_mid_answer_stops_the_round_with_one_line(
        tmp_path, answer, monkeypatch, capsys):
    """The OS's refusal is the one thing faked: every fsync fails with ENOSPC once the
    answer's recording passes one second, as a full disk's delayed allocation reports."""
    from simulator import cli
    from simulator.sessions.store import read_session

    sessions = tmp_path / "sessions"
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        cut = list(sessions.glob("*/audio/01-answer.wav"))
        if cut and cut[0].stat().st_size > SAMPLE_RATE * 2:  # one second of 16-bit audio
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    rc = cli.main([*ROUND, "--answers", str(answer), "--sessions-dir", str(sessions)])
    err = capsys.readouterr().err
    assert rc == 2
    (line,) = err.strip().splitlines()
    assert line.startswith("interview: error: ") and "No space left on device" in line
    assert "free some space" in line and "--recover" in line
    session = only_session(sessions)
    assert str(session) in line
    assert not list(session.glob("*.tmp"))
    assert json.loads((session / "manifest.json").read_text())["status"] != "recording"
    stored = read_session(session)  # what was recorded up to then is whole and readable
    assert stored.events[0].type == "session_started"
    assert any(e.type == "answer_started" for e in stored.events)
    assert sf.info(str(session / "audio" / "01-answer.wav")).duration >= 0.5

    # Recovering while the disk is still full: one line, and nothing lost for later.
    assert cli.main(["sessions", "--recover", "--sessions-dir", str(sessions)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "No space left on device" in line and "recover again" in line
    assert not list(session.glob("*.tmp"))

    monkeypatch.setattr(os, "fsync", real_fsync)  # space freed
    assert cli.main(["sessions", "--recover", "--sessions-dir", str(sessions)]) == 0
    assert "recovered" in capsys.readouterr().out
    assert json.loads((session / "manifest.json").read_text())["status"] == "recovered"
    doc = replayed(sessions)
    assert doc["turns"][0]["answer"]["transcript"] and doc["turns"][0]["assessment"]


def test_a_disk_that_refuses_between_answers_keeps_the_turns_before(
        tmp_path, synth, monkeypatch, capsys):
    """Full once the first answer is written: its turn is kept, the manifest closed."""
    from simulator import cli

    answers = render_answers(synth, tmp_path / "two", [LORA, "I would use QLoRA."])
    sessions = tmp_path / "sessions"
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        done = list(sessions.glob("*/events.jsonl"))
        if done and '"decided"' in done[0].read_text():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    rc = cli.main(["run", "--bank", "starter", "--question", "starter-lora", "--no-speak",
                   "--json", "--answers", str(answers), "--sessions-dir", str(sessions)])
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and "events.jsonl" in line and "No space left" in line
    session = only_session(sessions)
    assert not list(session.glob("*.tmp"))
    assert json.loads((session / "manifest.json").read_text())["status"] == "interrupted"
    monkeypatch.setattr(os, "fsync", real_fsync)
    turn = replayed(sessions)["turns"][0]
    assert "weights" in turn["answer"]["transcript"].lower() and turn["assessment"]


def test_the_answer_audio_is_private_from_its_first_byte(tmp_path):
    old = os.umask(0)
    try:
        writer = IncrementalWavWriter(tmp_path / "a.wav", SAMPLE_RATE)
        assert (tmp_path / "a.wav").stat().st_mode & 0o777 == 0o600
        writer.write(np.zeros(SAMPLE_RATE, dtype=np.float32))
        writer.close()
    finally:
        os.umask(old)


@pytest.mark.anyio
async def test_the_apps_sessions_screen_recovers_an_interrupted_round_off_the_ui_thread(
        tmp_path, answer, pulse):
    from textual.widgets import Static

    from simulator.tui.screens.sessions import SessionsScreen
    from tests.tui_support import app_for

    sessions = tmp_path / "sessions"
    proc = start_round(answer, sessions, pulse)
    session = wait_for_drafts(proc, sessions)
    proc.kill()
    proc.communicate()

    app = app_for(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.settings is not None, "the settings")
        app.action_sessions()
        await until(pilot, lambda: isinstance(app.screen, SessionsScreen)
                     and len(app.screen.rows) == 1, "the session list")
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        (row,) = screen.rows
        assert row.status == "interrupted" and row.unjudged_s >= 2.0
        line = str(screen.query_one("#sessions-empty", Static).render())
        assert "1 interrupted" in line and "never judged" in line and "R recovers" in line

        await pilot.press("R", "R")  # a second press, while it works or after, adds nothing
        await until(pilot, lambda: screen.rows and screen.rows[0].status == "recovered",
                     f"the recovery ({[n.message for n in app._notifications]})", 60)
        told = [n.message for n in app._notifications]
        # The key is answered at once; the transcribing and judging are told when done.
        assert told[0].startswith("Recovering the round recorded")
        assert any("turn 1 recovered" in m for m in told[1:])
    events = events_of(session)
    assert sum(e["type"] == "answer_finished" for e in events) == 1
    assert any(e["type"] == "assessed" for e in events)


@pytest.mark.anyio
async def test_sigterm_ends_the_apps_round_keeping_the_answer(tmp_path, answer, pulse):
    from simulator.tui.options import AppOptions, Choices
    from simulator.tui.screens.interview import InterviewScreen
    from tests.tui_support import app_for

    options = AppOptions(choices=Choices(question_ids=("practice-lora",)),
                         answers_dir=answer, speak=False, seed=1)
    app = app_for(tmp_path, options)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: not app.screen.query("#start")
                     or not app.screen.query_one("#start").disabled, "the set-up screen")
        await pilot.press("enter")
        await until(pilot, lambda: any((d / "events.jsonl").exists() and any(
            e["type"] == "partial_transcript" for e in events_of(d))
            for d in (tmp_path / "sessions").glob("*")), "the answer under way")
        assert isinstance(app.screen, InterviewScreen)
        # The app took the signal over; without that this would end the test run.
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        os.kill(os.getpid(), signal.SIGTERM)
        await until(pilot, lambda: app.return_code is not None, "the app to exit")
    assert app.return_code == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # given back on exit
    session = only_session(tmp_path / "sessions")
    assert json.loads((session / "manifest.json").read_text())["status"] == "cancelled"
    finished = [e for e in events_of(session) if e["type"] == "answer_finished"]
    assert len(finished) == 1 and "lora" in finished[0]["transcript"].lower()
    assert any(e["type"] == "assessed" for e in events_of(session))
