"""The real `interview` command in a real terminal (tmux): set up, a whole round answered
from files, the report; keys sent with send-keys, the screen read with capture-pane."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, render_answers

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

ANSWER = "LoRA freezes the pretrained weights and trains two small low rank matrices."


class Tmux:
    def __init__(self, name: str, socket: Path):
        self.name = name
        self.base = ["tmux", "-S", str(socket)]

    def start(self, command: str, width: int = 100, height: int = 30) -> None:
        subprocess.run([*self.base, "new-session", "-d", "-s", self.name, "-x", str(width),
                        "-y", str(height), command], check=True)

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", self.name, *keys], check=True)

    def screen(self) -> str:
        out = subprocess.run([*self.base, "capture-pane", "-p", "-t", self.name],
                             capture_output=True, text=True)
        return out.stdout

    def wait_for(self, text: str, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


def test_a_round_in_the_real_app(tmp_path, synth):
    answers = render_answers(synth, tmp_path / "answers", [ANSWER])
    sessions = tmp_path / "sessions"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = (f"cd {shlex.quote(str(ROOT))} && env {exports} {shlex.quote(sys.executable)} -m "
               f"simulator --answers {shlex.quote(str(answers))} --bank starter --question "
               f"starter-lora --no-speak --theme dark --sessions-dir {shlex.quote(str(sessions))}"
               f"; echo EXITED $?; sleep 60")
    tmux = Tmux("interview-test", tmp_path / "tmux.sock")
    tmux.start(command)
    try:
        tmux.wait_for("1 question chosen: starter-lora", 30)
        shown = tmux.wait_for("whisper tiny.en", 60)  # the status line, once checked
        assert "answers" in shown
        tmux.keys("Enter")
        shown = tmux.wait_for("Question 1 of 1", 30)
        assert "What is LoRA" in shown
        shown = tmux.wait_for("Check what was heard", 90)  # practice: the transcript, held
        assert "weights" in shown
        tmux.keys("weights => parameters", "Enter")  # the box has the focus; spaces type
        tmux.wait_for("Fixed: weights → parameters", 10)
        tmux.keys("C-g")
        tmux.wait_for("Saved 1 to your glossary", 15)
        tmux.keys("Enter")  # an empty box goes on
        shown = tmux.wait_for("Press space", 90)  # then the verdict, and a pause
        assert "Verdict" in shown and "low-rank-update" in shown
        assert "You corrected: weights → parameters" in shown
        tmux.keys("Space")
        shown = tmux.wait_for("Report ·", 90)  # the follow-up found no answer file left
        assert "complete" in shown and "LoRA: " in shown and "Coverage" in shown
        tmux.keys("C-q")
        tmux.wait_for("EXITED 0", 15)
    finally:
        tmux.kill()
    (session,) = list(sessions.iterdir())
    manifest = json.loads((session / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert os.path.exists(session / "audio" / "01-answer.wav")
    glossary = tmp_path / "config" / "interview-simulator" / "glossary.yaml"
    assert "parameters:\n- weights" in glossary.read_text()  # later rounds correct it
