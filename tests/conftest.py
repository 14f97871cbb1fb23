"""Shared fixtures: an isolated user environment, real TTS-rendered answers, PulseAudio."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.assess.coverage import word_rarity
from simulator.banks.loader import load_banks
from simulator.config import load_settings
from simulator.rounds import expected_terms
from simulator.speech import vocabulary
from simulator.speech.tts import Pyttsx3Synthesizer, VoiceSettings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: A clear voice and pace for answers the tests transcribe.
CANDIDATE = VoiceSettings("en-us", 150, 1.0)


@pytest.fixture(autouse=True)
def isolated_user(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Hide the developer's own config and data, and any INTERVIEW_* variables."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    for key in list(os.environ):
        if key.startswith("INTERVIEW_"):
            monkeypatch.delenv(key)
    return home


@pytest.fixture(scope="session")
def synth() -> Pyttsx3Synthesizer:
    return Pyttsx3Synthesizer()


def render_answers(synth: Pyttsx3Synthesizer, folder: Path, texts: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(texts, 1):
        synth.render(text, folder / f"{i:02d}.wav", CANDIDATE)
    return folder


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: int = 300,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real `interview` command in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args], capture_output=True, text=True,
        timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})}, input=stdin,
    )


@pytest.fixture(scope="session")
def pulse() -> str:
    """A PulseAudio server with a null sink 'virt'; returns its XDG_RUNTIME_DIR.

    scripts/test starts it; this starts it too when pytest runs on its own.
    """
    out = subprocess.run(["bash", str(ROOT / "scripts" / "pulse")], capture_output=True,
                         text=True, check=False)
    runtime = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    if out.returncode != 0 or not runtime:
        pytest.fail(f"could not start PulseAudio (run scripts/setup): {out.stderr.strip()}")
    os.environ["XDG_RUNTIME_DIR"] = runtime
    return runtime


def round_vocabulary(question_id: str) -> vocabulary.Vocabulary:
    """What a round leads the transcriber to expect for this shipped question."""
    question = next(q for b in load_banks() for q in b.questions if q.id == question_id)
    settings = load_settings(include_user_file=False)
    return vocabulary.for_question(question.prompt, question.terms(),
                                   expected_terms(settings, [question])[question.id],
                                   rarity=word_rarity)
