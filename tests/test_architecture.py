"""The engine knows nothing of the screen, and heavy libraries load only when used."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CORE = [
    "simulator.engine.interview", "simulator.engine.capture", "simulator.audio.sources",
    "simulator.audio.endpoint", "simulator.speech.stt", "simulator.speech.tts",
    "simulator.assess.coverage", "simulator.assess.policy", "simulator.sessions.store",
    "simulator.banks", "simulator.config", "simulator.rounds", "simulator.cli",
]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_ui_and_no_heavy_library(module):
    code = (f"import sys, json; import {module}; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('textual', 'faster_whisper', 'litellm', 'ctranslate2', 'sounddevice'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout) == []


def test_the_help_is_fast_to_reach():
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "simulator", "--help"],
                         capture_output=True, text=True, check=True)
    assert "faster_whisper" not in out.stderr and "pyttsx3" not in out.stderr


def _imported(module: str) -> set[str]:
    code = f"import sys, json; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return set(json.loads(out.stdout))


def test_a_transcript_is_a_plain_value_that_drags_nothing_in():
    # Word and Transcript sit below everything that hears, corrects or judges them.
    ours = {m for m in _imported("simulator.speech.transcript") if m.startswith("simulator.")}
    assert ours == {"simulator.speech.transcript", "simulator.text", "simulator.speech"}


def test_hearing_an_answer_needs_neither_the_settings_nor_the_judge():
    # The corrector is handed the banks' word statistics; it does not read the banks.
    loaded = _imported("simulator.speech.hearing")
    assert not {m for m in loaded if m.startswith(("simulator.assess", "simulator.config",
                                                    "simulator.banks", "pydantic_settings"))}
