"""An answer's end waits longer for a thought left open, by its words or by its sound."""

from __future__ import annotations

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.audio.endpoint import EndpointConfig, EndpointDetector
from simulator.engine.capture import Recording
from simulator.engine.turn_end import TurnEnd, TurnSettings, left_open

FRAME = 480
SETTINGS = TurnSettings(silence_s=3.0, thinking_s=5.0)


class FixedScore:
    """A turn model that always hears the same thing, and counts how often it is asked."""

    def __init__(self, p: float):
        self.p = p
        self.asked = 0

    def finished(self, audio: np.ndarray) -> float:
        self.asked += 1
        return self.p


def silence_after_speech(turn: TurnEnd, said: str, speech_s: float = 2.0,
                         pause_s: float = 7.0) -> float | None:
    """Feed speech then silence; returns when (seconds into the pause) the answer ended."""
    det = EndpointDetector(EndpointConfig(silence_s=3.0), FRAME / SAMPLE_RATE)
    recording = Recording(0.3)
    t = np.arange(FRAME) / SAMPLE_RATE
    voice = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    quiet = np.zeros(FRAME, dtype=np.float32)
    frames = [voice] * int(speech_s * SAMPLE_RATE / FRAME) + [quiet] * int(
        pause_s * SAMPLE_RATE / FRAME)
    for frame in frames:
        recording.add(frame)
        ended = det.update(frame)
        turn.update(recording, det, said)
        if ended is not None and det.silence_so_far_s >= det.silence_window_s:
            return round(det.silence_so_far_s, 2)
    return None


def test_a_trailing_conjunction_or_filler_leaves_the_thought_open():
    assert left_open("and then we re-rank the results, and")
    assert left_open("the cache grows with the, um")
    assert left_open("we shard the keys,")
    assert left_open("and then, um.") and left_open("we could batch them and...")
    assert not left_open("We re-rank the top twenty results.")
    assert not left_open("Is that what you meant?")
    assert not left_open("It costs about 20 percent.")
    assert not left_open("")


def test_a_thought_left_open_in_words_gets_the_thinking_window():
    ended = silence_after_speech(TurnEnd(SETTINGS, FixedScore(0.9)), "so we shard it, and")
    assert ended is not None and 4.9 <= ended <= 5.1


def test_a_voice_that_sounds_unfinished_gets_the_thinking_window_once_asked():
    model = FixedScore(0.005)
    ended = silence_after_speech(TurnEnd(SETTINGS, model), "So we shard it.")
    assert ended is not None and 4.9 <= ended <= 5.1
    assert model.asked == 1, "asked once a pause, not every frame"


def test_a_finished_sentence_that_sounds_finished_ends_on_the_usual_silence():
    ended = silence_after_speech(TurnEnd(SETTINGS, FixedScore(0.9)), "So we shard it.")
    assert ended is not None and 2.9 <= ended <= 3.1
    # Without a turn model, the words alone decide.
    assert 2.9 <= (silence_after_speech(TurnEnd(SETTINGS, None), "So we shard it.") or 0) <= 3.1


class Covers:
    """Whether the answer covers what was asked, and how often that was asked."""

    def __init__(self, answer: bool):
        self.answer = answer
        self.asked = 0

    def __call__(self, said: str) -> bool:
        self.asked += 1
        return self.answer


SOONER = TurnSettings(silence_s=3.0, thinking_s=5.0, finished_s=0.6)


def test_a_finished_sentence_that_covers_the_question_ends_sooner():
    covers = Covers(True)
    ended = silence_after_speech(TurnEnd(SOONER, None, covers), "So we shard it.")
    assert ended is not None and 0.55 <= ended <= 0.7
    assert covers.asked == 1, "judged once a reading, not every frame"


def test_without_coverage_or_a_finished_sentence_the_usual_silence_ends_it():
    for said, covers in (("So we shard it.", Covers(False)),  # has not said enough yet
                         ("So we shard it", Covers(True))):  # no closing mark: mid-thought?
        ended = silence_after_speech(TurnEnd(SOONER, None, covers), said)
        assert ended is not None and 2.9 <= ended <= 3.1, said
    # Until the pause's reading is ready there is nothing to go on.
    ended = silence_after_speech(TurnEnd(SOONER, None, Covers(True)), "")
    assert ended is not None and 2.9 <= ended <= 3.1


def test_a_thought_left_open_waits_however_much_was_covered():
    for said in ("We shard it, and.", "so, um."):
        ended = silence_after_speech(TurnEnd(SOONER, None, Covers(True)), said)
        assert ended is not None and 4.9 <= ended <= 5.1, said
    ended = silence_after_speech(TurnEnd(SOONER, FixedScore(0.005), Covers(True)),
                                 "So we shard it.")
    assert ended is not None and 4.9 <= ended <= 5.1


def test_covering_means_a_third_of_the_rubric_or_the_point_a_follow_up_probes():
    from simulator.banks.loader import load_banks
    from simulator.engine.answering import covers_what_was_asked

    lora = next(q for b in load_banks() for q in b.questions if q.id == "starter-lora")
    aside = ("I would use QLoRA: load the base model quantized to four bit and train the"
             " adapters on top.")
    frozen = "LoRA freezes the pretrained weights."
    merged = ("After training, um, you can merge the low rank product into the base weights,"
              " so there is no extra latency.")
    assert not covers_what_was_asked(lora, None)(aside)  # 1 of the rubric's 8 in weight
    assert covers_what_was_asked(lora, None)(frozen)  # 3 of 8
    assert covers_what_was_asked(lora, "merge-adapters")(merged)
    assert not covers_what_was_asked(lora, "qlora")(merged)


def test_a_finished_sentence_ends_sooner_only_while_an_end_can_be_taken_back():
    from simulator.config import load_settings
    from simulator.rounds import listen_options

    def finished_s(**audio: float) -> float:
        settings = load_settings(overrides={"audio": audio}, include_user_file=False)
        return listen_options(settings).finished_s

    assert finished_s(silence_s=2.0) == 0.6
    assert finished_s(silence_s=2.0, resume_s=0.0) == 2.0  # speakers: an end is final
    assert finished_s(silence_s=0.5) == 0.5  # never longer than the silence window
