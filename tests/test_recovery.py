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


def wait_for_drafts(proc: subprocess.Popen[str], sessions: Path, count: int = 2) -> Path:
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
    assert row["unjudged_audio_s"] >= 2.0  # two drafts: seconds of speech on disk
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
    session = wait_for_drafts(proc, sessions, count=1)
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
    assert "weights" in finished[0]["transcript"].lower()
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

    monkeypatch.setattr(os, "fsync", real_fsync)  # space freed
    assert cli.main(["sessions", "--recover", "--sessions-dir", str(sessions)]) == 0
    assert "turn 1 recovered" in capsys.readouterr().out
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
