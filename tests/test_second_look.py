"""The second look: stretches where the decoder lost its place are found from the word
timings and the audio, and read again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from simulator.audio.levels import FRAME_S
from simulator.audio.sources import read_audio
from simulator.config import load_settings
from simulator.speech import second_look
from simulator.speech.stt import WhisperTranscriber
from simulator.speech.transcript import Word
from simulator.speech.verbatim import voiced_frames
from tests.conftest import round_vocabulary

LOST_PLACE = Path(__file__).parent / "fixtures" / "audio" / "lost-place.flac"


def _voiced(seconds: float, *silent: tuple[float, float]) -> np.ndarray:
    mask = np.ones(int(round(seconds / FRAME_S)), dtype=bool)
    for a, b in silent:
        mask[int(a / FRAME_S): int(b / FRAME_S)] = False
    return mask


def _said(*words: str, start: float = 0.0, each: float = 0.4) -> list[Word]:
    return [Word(w, start + i * each, start + i * each + each - 0.05, 0.9)
            for i, w in enumerate(words)]


def test_a_thinking_pause_is_no_lost_place_but_the_same_gap_full_of_voice_is():
    words = _said("first", "part", start=0.0) + _said("second", "part", start=6.6)
    pause = _voiced(7.4, (0.8, 6.6))
    assert second_look.lost_places(words, pause) == []
    places = second_look.lost_places(words, _voiced(7.4))
    assert len(places) == 1
    a, b = places[0]
    assert 0.8 <= a <= 1.0 and 6.4 <= b <= 6.6


def test_voice_still_going_when_a_live_recording_stops_is_not_lost():
    words = _said("we", "shard", "the")
    assert second_look.lost_places(words, _voiced(3.0)) == []  # cut in mid-sentence
    assert second_look.lost_places(words, _voiced(3.2, (3.0, 3.2))) != []  # ended: lost


def test_a_word_stretched_over_seconds_of_speech_is_a_lost_place():
    # The decoder jumped to the end of its window: "keep" was given 5 s of speech.
    words = _said("it", "should", "keep") + [Word("going", 6.4, 6.8, 0.9)]
    words[2] = Word("keep", 0.8, 6.4, 0.6)
    places = second_look.lost_places(words, _voiced(6.8))
    assert len(places) == 1 and places[0][0] < 1.6 and places[0][1] > 6.0
    # The same word said slowly, over no more than it takes to say, is no lost place.
    words[2] = Word("keep", 0.8, 1.3, 0.6)
    assert second_look.lost_places(words, _voiced(1.4)) == []


def test_a_phrase_copied_from_earlier_is_a_loop_and_something_said_once_is_not():
    phrase = ["each", "head", "has", "its", "own", "keys", "and", "values"]
    words = _said(*phrase, "so", "the", "cache", *phrase)
    voiced = _voiced(words[-1].end + 0.1)
    loop = second_look.repeated(words)
    assert loop == list(range(11, 19))
    # Copied with timings the audio cannot hold ("keys" stretched over a second and a
    # half of other speech), it is a place the reading lost.
    words[16] = Word("keys", words[16].start, words[16].start + 1.6, 0.6)
    words[17:] = [replace(w, start=w.start + 1.3, end=w.end + 1.3) for w in words[17:]]
    voiced = _voiced(words[-1].end + 0.1)
    assert second_look.lost_places(words, voiced) == [(words[11].start, words[18].end)]
    # Said twice, each time in the time it takes to say: a candidate repeating themselves.
    words = _said(*phrase, "so", "the", "cache", *phrase)
    assert second_look.lost_places(words, _voiced(words[-1].end + 0.1)) == []
    # A shorter echo ("the KV cache ... the KV cache") is how people talk.
    words = _said("the", "kv", "cache", "grows", "so", "the", "kv", "cache", "is", "paged")
    assert second_look.repeated(words) == []


def test_a_clip_is_cut_in_the_pauses_around_the_lost_place():
    voiced = _voiced(20.0, (3.0, 3.3), (5.0, 5.2), (14.0, 14.4), (17.0, 17.5))
    lo, hi = second_look.clip_around(7.0, 12.0, voiced)
    assert abs(lo - 5.1) < 0.02  # the last pause at least a second before
    assert abs(hi - 14.2) < 0.02  # the first pause at least a second after


def test_a_new_reading_replaces_only_the_words_inside_the_clip():
    old = _said("one", "two", "three", "four", "five")
    new = [Word("TWO", 0.4, 0.75, 0.9), Word("THREE", 0.8, 1.15, 0.9),
           Word("outside", 1.6, 1.9, 0.9)]
    out = second_look.spliced(old, new, 0.35, 1.2)
    assert [w.word for w in out] == ["one", "TWO", "THREE", "four", "five"]


def test_a_filler_of_the_first_reading_stays_unless_the_new_one_says_a_word_over_it():
    old = _said("some", "overlap") + [Word("um,", 1.0, 1.0, 0.1)] + _said("and", start=1.4)
    new = [Word("overlap,", 0.4, 0.75, 0.9), Word("and", 1.4, 1.75, 0.9)]
    out = second_look.spliced(old, new, 0.3, 2.0)
    assert [w.word for w in out] == ["some", "overlap,", "um,", "and"]
    new = [Word("overlap,", 0.4, 0.75, 0.9), Word("then", 0.8, 1.3, 0.9),
           Word("and", 1.4, 1.75, 0.9)]
    out = second_look.spliced(old, new, 0.3, 2.0)
    assert [w.word for w in out] == ["some", "overlap,", "then", "and"]


def test_a_reading_that_loops_is_read_again_and_comes_out_whole():
    # A real recording (espeak-ng at the benchmark's settings) on which tiny.en, given the
    # question's vocabulary, loops: it writes "each head has its own keys and values"
    # a second time over "multi query attention keeps a single key and value head that
    # all heads share", and then nothing for two seconds of speech.
    vocab = round_vocabulary("llm-foundations-mha-mqa-gqa")
    stt = WhisperTranscriber(load_settings(include_user_file=False).stt)
    audio = read_audio(LOST_PLACE)
    heard = stt.transcribe(audio, vocab.bias)
    text = heard.text.lower()
    assert "single key and value head" in text
    assert "share" in text.split("single key and value head")[1][:30]
    assert second_look.repeated(heard.words) == []
    assert text.count("has its own keys") == 1
    # What a user sees of a lost place is the new reading, not seconds of missing speech.
    assert second_look.lost_places(heard.words, voiced_frames(audio)) == []
