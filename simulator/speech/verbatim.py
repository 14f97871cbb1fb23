"""Keeping how things were said: filler words, with their times, checked against the audio.

Whisper tidies speech up: it drops most "um"s and "uh"s. A short prompt made of
fillers makes it write them, but now and then it writes one that was never
said. Each filler it writes is therefore kept only when there is voiced audio
where it says the filler was.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulator.audio.levels import FRAME_S, frame_at, frame_rms, runs
from simulator.speech.transcript import Word
from simulator.text import is_filler

#: Conditions the decoder to write fillers; short, so it does not invent sentences.
FILLER_PROMPT = "Um, uh, er, hmm."
#: Fewer frames than this are too short to tell speech from silence by level...
_MIN_FRAMES = 10
#: ...so such a clip gets this fixed floor (a quiet room's level).
_DEFAULT_FLOOR = 0.01
#: The floor never goes below this, or a silent recording's hiss would count as voice.
_LOWEST_FLOOR = 0.005
#: Typical speech: the level this percentile of frames reaches (speech fills most frames)...
_SPEECH_PERCENTILE = 90
#: ...and voice is anything above this share of it (soft consonants and fillers included).
_VOICE_SHARE = 0.15
#: A stretch of voice at least this long can be a filler ("uh" takes about a tenth).
_FILLER_VOICE_S = 0.08
#: Whisper's word timings are loose by about this much at either edge.
_TIMING_SLACK_S = 0.1
#: A filler given less than this length was not timed by Whisper: it is placed on its voice.
_UNTIMED_S = 0.1
#: How far back into the previous word's end a filler's own voice may start.
_PREVIOUS_END_S = 0.05
#: A word with voice under less than this share of it was said over silence.
_QUIET_SHARE = 0.25
#: A closing word shorter than this was squeezed in by the decoder.
_SQUEEZED_WORD_S = 0.2
#: An invented closing run has at least one word heard with less probability than this.
_INVENTED_PROBABILITY = 0.3


def speech_floor(rms: np.ndarray) -> float:
    """A level below the answer's typical speech, above its silence."""
    if len(rms) < _MIN_FRAMES:
        return _DEFAULT_FLOOR
    return max(_LOWEST_FLOOR, float(np.percentile(rms, _SPEECH_PERCENTILE)) * _VOICE_SHARE)


def voiced_frames(audio: np.ndarray) -> np.ndarray:
    """Per frame, whether the answer's voice is there."""
    rms = frame_rms(audio)
    return rms > speech_floor(rms)


def _voice_runs(voiced: np.ndarray, lo: int, hi: int) -> list[tuple[int, int]]:
    """Stretches of voice in frames [lo, hi) long enough to be a filler."""
    return [r for r in runs(voiced, lo, hi) if (r[1] - r[0]) * FRAME_S >= _FILLER_VOICE_S]


def _placed(w: Word, run: tuple[int, int]) -> Word:
    return replace(w, start=round(run[0] * FRAME_S, 3), end=round(run[1] * FRAME_S, 3),
                   filler=True)


def keep_real_fillers(words: list[Word], voiced: np.ndarray) -> list[Word]:
    """Mark fillers, dropping any that has no voice (``voiced_frames``) where it is said
    to be, and placing each on its own stretch of voice (Whisper often gives a filler no
    length and the time of the word after it)."""
    out: list[Word] = []
    for w in words:
        if not is_filler(w.word):
            out.append(w)
            continue
        prev_end = out[-1].end if out else 0.0
        if w.end - w.start < _UNTIMED_S:
            # The filler sits in the voice between the previous word and this time, a
            # sound of its own: voice running on from the previous word is that word's
            # (Whisper writes an "Uh" of no length over the end of an answer's last word).
            lo = frame_at(prev_end - _PREVIOUS_END_S)
            found = [r for r in _voice_runs(voiced, lo, frame_at(w.start + _TIMING_SLACK_S))
                     if r[0] > lo or not out]
            if found:
                out.append(_placed(w, found[-1]))
            continue
        if w.end - w.start > _STRETCHED_S:
            # Stretched over a pause: the filler is the longest stretch of voice in it.
            found = _voice_runs(voiced, frame_at(w.start), frame_at(w.end))
            if found:
                out.append(_placed(w, max(found, key=lambda r: r[1] - r[0])))
            continue
        # Word timings are loose by a tenth of a second or so: look a little wider.
        near = voiced[frame_at(w.start - _TIMING_SLACK_S): frame_at(w.end + _TIMING_SLACK_S)]
        if near.sum() * FRAME_S >= _FILLER_VOICE_S:
            out.append(replace(w, filler=True))
    return out


#: A filler said to last longer than this has been stretched over a silence next to it.
_STRETCHED_S = 0.8


def drop_unvoiced_tail(words: list[Word], voiced: np.ndarray) -> list[Word]:
    """The words without a closing run the decoder invented: "Thank you." over the
    closing silence, a looped "we'll see you next time", or a sentence begun over the
    end of the last word ("...nothing extra. That's what I'm going to do with it").
    Such words have almost no voice under them or are squeezed into a few hundredths
    of a second, and at least one is written with low confidence; a long run must be
    mostly squeezed. Real closing words are voiced and take time to say, and a
    confident word stretched over a pause (Whisper often lets one run into the
    silence) is kept."""
    if not words:
        return words
    cut = len(words)
    squeezed = silent = 0
    while cut > 0:
        w = words[cut - 1]
        under = voiced[frame_at(w.start): frame_at(w.end)]
        quiet = not len(under) or float(under.mean()) < _QUIET_SHARE
        short = w.end - w.start < _SQUEEZED_WORD_S
        if not (quiet or short):
            break
        squeezed += short
        silent += quiet
        cut -= 1
    tail = words[cut:]
    if not tail or min(w.probability for w in tail) >= _INVENTED_PROBABILITY:
        return words
    if len(tail) > _MAX_INVENTED_TAIL and squeezed < len(tail) / 2:
        return words  # a long run of real length: more likely mistimed words
    if len(tail) == 1 and not silent:
        return words  # one short, voiced closing word is more likely said than invented
    return words[:cut]


#: Whisper's phrases on silence are short ("Thank you.", "Thanks for watching!"),
#: unless it loops, and then it squeezes the words to no length.
_MAX_INVENTED_TAIL = 4
