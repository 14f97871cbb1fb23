"""The turn model tells a finished answer from one that trails off, on rendered speech."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from simulator.audio.sources import read_audio
from simulator.errors import UserError
from simulator.speech.turn_model import SAMPLE_RATE, WINDOW_S, TurnModel
from tests.conftest import CANDIDATE

COMPLETE = "I would cache the embeddings and re-rank the top twenty results."
TRAILING = "I would cache the embeddings and, um, so, because"
#: The model is asked when the voice stops: this much pause is at the end of the audio.
PAUSE_S = 0.5
#: Above this level a sample is voice; the renderer's own quiet tail is cut below it.
VOICE_LEVEL = 0.01
#: The model's own decision point between finished and not.
FINISHED = 0.5


def _spoken(synth, folder: Path, name: str, text: str) -> np.ndarray:
    """``text`` rendered, its quiet tail cut, then PAUSE_S of silence."""
    audio = read_audio(synth.render(text, folder / f"{name}.wav", CANDIDATE))
    voice_ends = int(np.nonzero(np.abs(audio) > VOICE_LEVEL)[0][-1]) + 1
    pause = np.zeros(int(PAUSE_S * SAMPLE_RATE), dtype=np.float32)
    return np.concatenate([audio[:voice_ends], pause])


@pytest.fixture(scope="module")
def answers(synth, tmp_path_factory) -> dict[str, np.ndarray]:
    folder = tmp_path_factory.mktemp("turns")
    return {"complete": _spoken(synth, folder, "complete", COMPLETE),
            "trailing": _spoken(synth, folder, "trailing", TRAILING)}


@pytest.fixture(scope="module")
def model() -> TurnModel:
    turn_model = TurnModel()
    turn_model.load()
    return turn_model


def test_a_finished_sentence_scores_above_one_that_trails_off(model, answers):
    complete = model.finished(answers["complete"])
    trailing = model.finished(answers["trailing"])
    assert complete > FINISHED > trailing, (complete, trailing)
    assert complete - trailing > 0.5


def test_only_the_last_window_counts_and_short_answers_are_padded_in_front(model, answers):
    short = answers["trailing"]
    assert len(short) < WINDOW_S * SAMPLE_RATE
    # Silence before a short answer is what the padding adds anyway.
    lead = np.zeros(SAMPLE_RATE, dtype=np.float32)
    assert model.finished(np.concatenate([lead, short])) == pytest.approx(
        model.finished(short), abs=1e-6)
    # Whatever was said more than WINDOW_S seconds before the end is not heard.
    long = np.concatenate([answers["trailing"], answers["trailing"], answers["complete"]])
    assert len(long) > WINDOW_S * SAMPLE_RATE
    tail = long[-WINDOW_S * SAMPLE_RATE:]
    assert model.finished(long) == pytest.approx(model.finished(tail), abs=1e-6)


def test_threads_share_one_model(answers):
    shared = TurnModel()
    results: list[float] = []
    audio = answers["complete"]

    def ask() -> None:
        results.append(shared.finished(audio))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and max(results) - min(results) < 1e-6


def test_a_missing_model_file_says_to_run_setup(tmp_path):
    missing = tmp_path / "smart-turn-v3.2-cpu.onnx"
    with pytest.raises(UserError) as err:
        TurnModel(missing).finished(np.zeros(SAMPLE_RATE, dtype=np.float32))
    assert str(missing) in str(err.value) and "scripts/setup" in str(err.value)
