"""How faithfully the transcriber hears this field's answers, per decoding setup.

    .venv/bin/python benchmarks/transcription.py [--answers N] [--model NAME] [--show-misses]
        [--audio-cache DIR]
    .venv/bin/python benchmarks/transcription.py --unsure --audio-cache DIR
        [--unsure-features FILE] [--sets jargon4.yaml,...]

Answers: the labelled spoken set of the judgement benchmark
(tests/fixtures/eval/answers.yaml) plus the jargon-dense answers of
tests/fixtures/eval/jargon.yaml, jargon2.yaml and jargon3.yaml (the last two written by
someone who had not seen the correction code, after the correction was tuned on the
others; jargon3's answers are longer and closer to real speech) and jargon4.yaml
(written after the unsure-mark rule was set, to check it), rendered by
pyttsx3/espeak-ng. Fillers: the
scripted answers of tests/fixtures/delivery/answers.yaml, whose um/uh/er are
placed by construction (at 140 and 170 words a minute). For each setup it
prints:

- WER against what was written (fillers left out on both sides);
- key-term recall: of the rubric and glossary terms the answer contains, the
  share that come out right in the corrected transcript, exactly (same words)
  and as heard (same word stems, or the same letters spaced differently:
  "deep seek" for DeepSeek);
- invented terms: rubric terms in the transcript that were never said (what a
  decoder biased toward the answer key must not do);
- filler recall and precision against the placed fillers;
- words produced from three silent clips (digital silence, hiss, mains hum);
- the real-time factor (decoding time / audio length) on this machine;
- key-term recall for each answer file apart, so the held-out jargon2.yaml and
  jargon3.yaml show whether the correction generalises.

Setups: plain decoding; vocabulary bias (the question, its rubric terms and its
bank's glossary terms as hotwords, on every 30 s window); vocabulary bias with near-miss correction;
the glossary alone; verbatim (a filler prompt) with the glossary; verbatim,
vocabulary bias, glossary and near-miss correction together; and what a round
uses: all of that plus the cross-check (a second reading without the bias that
vouches for terms the biased reading garbled; simulator/speech/cross_check.py); and
the same read as a live round reads it, in stretches cut at pauses, each read once
(simulator/engine/streaming.py). The round's setup is also recorded, per model, for
`interview models`. With --audio-cache the answers with placed fillers are kept too.

--unsure measures only the marks on words likely misheard, on the round's setup with
the demo's answers added: of the words marked, the share misheard (precision), and of
the words misheard, the share marked (recall), the old rule (probability below
stt.low_confidence) beside simulator/speech/unsure.py's, on the answers the rule was
tuned on, the others, and the fresh set.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.delivery import FILLER_TOLERANCE_S, cached_build, match  # noqa: E402
from simulator.assess.coverage import word_rarity  # noqa: E402
from simulator.audio import SAMPLE_RATE  # noqa: E402
from simulator.audio.endpoint import EndpointConfig  # noqa: E402
from simulator.audio.sources import read_audio  # noqa: E402
from simulator.audio.wavwriter import IncrementalWavWriter  # noqa: E402
from simulator.banks.loader import load_banks  # noqa: E402
from simulator.banks.model import Question  # noqa: E402
from simulator.config import load_settings  # noqa: E402
from simulator.engine.capture import CaptureSettings, capture_answer  # noqa: E402
from simulator.engine.reading import ReaderSettings  # noqa: E402
from simulator.engine.streaming import StreamingReader  # noqa: E402
from simulator.rounds import expected_terms, round_glossary  # noqa: E402
from simulator.speech import vocabulary  # noqa: E402
from simulator.speech.glossary import Glossary  # noqa: E402
from simulator.speech.hearing import Listening, hear, other_reading  # noqa: E402
from simulator.speech.models import record_result  # noqa: E402
from simulator.speech.stt import WhisperTranscriber  # noqa: E402
from simulator.speech.term_match import term_heard  # noqa: E402
from simulator.speech.transcript import Transcript, Word  # noqa: E402
from simulator.speech.tts import Pyttsx3Synthesizer, VoiceSettings  # noqa: E402
from simulator.speech.unsure import DISPUTED_BELOW, heard_otherwise, overlaps  # noqa: E402
from simulator.text import strip_fillers, tokens  # noqa: E402

EVAL = ROOT / "tests" / "fixtures" / "eval"
DELIVERY = ROOT / "tests" / "fixtures" / "delivery" / "answers.yaml"
FILLER_RATES = (140, 170)
FILLER_WORDS = {"um", "uh", "er", "erm", "hmm", "ah", "uhm"}
DEMO = ROOT / "simulator" / "demo" / "script.yaml"
#: The unsure-mark rule was set on this share of each set's answers (drawn with
#: UNSURE_SEED, by answer, never splitting one), and checked on the rest.
UNSURE_TUNING_SHARE = 0.6
UNSURE_SEED = 19
#: Written after the rule was set, and measured only then.
UNSURE_FRESH = "jargon4.yaml"


@dataclass(frozen=True)
class Setup:
    name: str
    verbatim: bool
    bias: bool
    glossary: bool
    near_misses: bool
    cross_check: bool = False
    streamed: bool = False
    """Read as a live round reads it: in stretches cut at pauses, each read once."""


SETUPS = [
    Setup("plain", False, False, False, False),
    Setup("vocabulary bias", False, True, False, False),
    Setup("bias + near-miss fixes", False, True, False, True),
    Setup("glossary", False, False, True, False),
    Setup("verbatim + glossary", True, False, True, False),
    Setup("verbatim+bias+gloss+fixes", True, True, True, True),
    Setup("round: the above + cross-check", True, True, True, True, True),
    Setup("round, read in stretches as spoken", True, True, True, True, True, True),
]


class _Frames:
    """An answer's audio as a source of 30 ms frames, read as fast as they are taken."""

    realtime = False
    label = "benchmark"

    def __init__(self, audio: np.ndarray):
        self.audio = audio
        self.status_flags: list[str] = []

    def frames(self, cancel: threading.Event) -> Iterator[np.ndarray]:
        for i in range(0, len(self.audio), _FRAME):
            frame = self.audio[i:i + _FRAME]
            yield np.pad(frame, (0, _FRAME - len(frame)))


_FRAME = SAMPLE_RATE * 30 // 1000


def streamed(stt: WhisperTranscriber, audio: np.ndarray, bias: str | None) -> Transcript:
    """The reading a live round makes, stretch by stretch, of ``audio``."""
    settings = CaptureSettings(EndpointConfig(max_answer_s=3600.0), _FRAME, 0.3)
    reader = StreamingReader(stt, ReaderSettings(bias), live=False)
    with tempfile.TemporaryDirectory() as d, IncrementalWavWriter(
            Path(d) / "answer.wav", SAMPLE_RATE) as writer:
        cap = capture_answer(_Frames(audio), writer, reader, settings, threading.Event())
    return cap.reading


def wer(ref: str, hyp: str) -> tuple[int, int]:
    r, h = tokens(ref), tokens(strip_fillers(hyp))
    sm = difflib.SequenceMatcher(a=r, b=h, autojunk=False)
    errors = 0
    for op, a0, a1, b0, b1 in sm.get_opcodes():
        if op != "equal":
            errors += max(a1 - a0, b1 - b0)
    return errors, len(r)


def contains(text: list[str], term: list[str]) -> bool:
    n = len(term)
    return any(text[i:i + n] == term for i in range(len(text) - n + 1))


def key_terms(q: Question, ref: str, glossary_terms: list[str]) -> list[str]:
    """Rubric and glossary terms the written answer really contains."""
    r = tokens(ref)
    out: list[str] = []
    for t in q.terms() + glossary_terms:
        if tokens(t) and contains(r, tokens(t)) and t not in out and \
                tokens(t) not in [tokens(x) for x in out]:
            out.append(t)
    return out


def invented_terms(q: Question, ref: str, hyp: str) -> list[str]:
    """Rubric terms in the transcript the candidate never said (in any spelling)."""
    return [t for t in q.terms() if contains(tokens(hyp), tokens(t)) and tokens(t)
            and not term_heard(t, ref)]


def silent_clips() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    n = SAMPLE_RATE * 6
    hum = 0.01 * np.sin(2 * np.pi * 50 * np.arange(n) / SAMPLE_RATE)
    return [np.zeros(n, dtype=np.float32),
            (rng.standard_normal(n) * 0.003).astype(np.float32),
            (hum + rng.standard_normal(n) * 0.002).astype(np.float32)]


def heard(stt: WhisperTranscriber, setup: Setup, audio: np.ndarray, q: Question,
          glossary: Glossary, extra: list[str]) -> Transcript:
    """What the round would make of this answer under ``setup`` (as the engine does it)."""
    vocab = vocabulary.for_question(q.prompt, q.terms(), extra, rarity=word_rarity)
    bias = vocab.bias if setup.bias else None
    t = streamed(stt, audio, bias) if setup.streamed else stt.transcribe(audio, bias)
    if setup.glossary and setup.near_misses:
        return hear(t, Listening(glossary, vocab)).transcript
    if setup.glossary:
        return glossary.correct(t)[0]
    return vocabulary.correct(t, vocab)[0] if setup.near_misses else t


def misheard(ref: str, words: list[Word]) -> dict[int, bool]:
    """For each word of a transcript (by index; fillers and bare punctuation left out),
    whether it is not what the script says there: aligned word by word with the script."""
    hyp = [(x, i) for i, w in enumerate(words) if not w.filler for x in tokens(w.word)]
    sm = difflib.SequenceMatcher(a=tokens(ref), b=[x for x, _ in hyp], autojunk=False)
    right = {k for op, _, _, b0, b1 in sm.get_opcodes() if op == "equal" for k in range(b0, b1)}
    out: dict[int, bool] = {}
    for k, (_, i) in enumerate(hyp):
        out[i] = out.get(i, False) or k not in right
    return out


def demo_items() -> list[dict]:
    """The demo's scripted answers, each with the question it answers: where the marks
    were first seen to be noise."""
    script = yaml.safe_load(DEMO.read_text())
    out = []
    for q in script["questions"]:
        for key, text in [("answer", q["answer"]), *q.get("follow_ups", {}).items()]:
            out.append({"id": f"demo-{q['id']}-{key}", "question": q["id"], "text": text,
                        "set": "demo", "voice": script["voice"]})
    return out


def _precision_recall(pairs: list[tuple[bool, bool]]) -> str:
    """(marked, misheard) pairs as 'precision / recall (marked, misheard)'."""
    tp = sum(1 for m, w in pairs if m and w)
    marked, wrong = sum(m for m, _ in pairs), sum(w for _, w in pairs)
    p = tp / marked if marked else 1.0
    r = tp / wrong if wrong else 1.0
    return f"{p:.2f} / {r:.2f} ({marked:>3} marked, {wrong:>3} misheard)"


def unsure_tuning(rows: list[dict]) -> set[str]:
    """The ids of the answers the unsure-mark rule was tuned on: UNSURE_TUNING_SHARE of
    each set's answers but the fresh set's, drawn the same way every run."""
    rng = random.Random(UNSURE_SEED)
    out: set[str] = set()
    for name in sorted({r["set"] for r in rows} - {UNSURE_FRESH}):
        ids = sorted({r["id"] for r in rows if r["set"] == name})
        rng.shuffle(ids)
        out |= set(ids[:round(len(ids) * UNSURE_TUNING_SHARE)])
    return out


def unsure_report(items: list[dict], audio: dict[str, np.ndarray], stt: WhisperTranscriber,
                  qs: dict[str, Question], glossary: Glossary, extra: dict[str, list[str]],
                  low_confidence: float, features: Path | None) -> None:
    """Precision and recall of the unsure marks, today's rule (probability below
    stt.low_confidence) beside the new one (simulator/speech/unsure.py), per part."""
    rows: list[dict] = []
    for it in items:
        q = qs[it["question"]]
        vocab = vocabulary.for_question(q.prompt, q.terms(), extra[q.id], rarity=word_rarity)
        t = stt.transcribe(audio[it["id"]], vocab.bias)
        listening = Listening(glossary, vocab, low_confidence=low_confidence)
        h = hear(t, listening)
        wrong = misheard(it["text"], h.transcript.words)
        other = other_reading(h.transcript, listening)
        decoded = {(w.word, w.start, w.end) for w in h.said.words}
        spoken = [i for i in range(len(h.transcript.words)) if i in wrong]
        terms = {x for term in vocab.terms for x in tokens(term)}
        for k, i in enumerate(spoken):
            w = h.transcript.words[i]
            near = [h.transcript.words[j].probability for j in spoken[max(0, k - 1):k + 2]
                    if j != i]
            theirs = [u.probability for u in other if overlaps(u, w.start, w.end)]
            rows.append({"set": it["set"], "id": it["id"], "word": w.word,
                         "p": w.probability, "disputed": heard_otherwise(w, other),
                         "decoded": (w.word, w.start, w.end) in decoded, "new": w.unsure,
                         "misheard": wrong[i], "second": bool(other),
                         "other_p": max(theirs, default=None),
                         "neighbour_p": min(near, default=1.0),
                         "term": bool(set(tokens(w.word)) & terms),
                         "rarity": max((word_rarity(x) for x in tokens(w.word)), default=0.0),
                         "chars": len(w.word.strip(" ,.?!"))})
    if features:
        features.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    tuning = unsure_tuning(rows)
    parts = {"tuning (3/5 of the answers)": lambda r: r["id"] in tuning,
             "held out (the other 2/5)": lambda r: r["id"] not in tuning
             and r["set"] != UNSURE_FRESH,
             f"fresh, unseen ({UNSURE_FRESH})": lambda r: r["set"] == UNSURE_FRESH,
             "all": lambda r: True}
    print(f"Unsure marks: precision / recall over {len(rows)} words of {len(items)} answers "
          f"(misheard: not the script's word there, aligned word by word)\n")
    print(f"{'part':<30} {'today: p < ' + format(low_confidence, 'g'):<40} "
          f"{'new rule (disputed below ' + format(DISPUTED_BELOW, 'g') + ')':<40}")
    for name, keep in parts.items():
        sel = [r for r in rows if keep(r)]
        old = [(r["p"] < low_confidence, r["misheard"]) for r in sel]
        new = [(r["new"], r["misheard"]) for r in sel]
        print(f"{name:<30} {_precision_recall(old):<40} {_precision_recall(new):<40}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--answers", type=int, default=0, help="only the first N labelled answers")
    ap.add_argument("--model", help="Whisper model to measure (default: the configured one)")
    ap.add_argument("--setups", help="comma-separated setup numbers (1-based) to run")
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--audio-cache", type=Path,
                    help="keep the rendered answers here and reuse them: espeak-ng does not "
                    "render a text to the same samples twice, so comparing two versions of "
                    "the code on the same audio needs this")
    ap.add_argument("--unsure", action="store_true",
                    help="measure only the unsure marks (precision and recall, today's rule "
                    "beside the new one), on the round's setup, the demo's answers added")
    ap.add_argument("--sets", help="comma-separated answer files (jargon4.yaml, demo, ...) to "
                    "keep, to measure one set without reading the others")
    ap.add_argument("--unsure-features", type=Path,
                    help="with --unsure: write each word's probability, whether the second "
                    "reading heard it otherwise and whether it was misheard, as JSON lines")
    args = ap.parse_args()
    qs = {q.id: q for b in load_banks() for q in b.questions}
    items = yaml.safe_load((EVAL / "answers.yaml").read_text())["answers"]
    items = items[: args.answers] if args.answers else items
    for name in ("answers.yaml", "jargon.yaml", "jargon2.yaml", "jargon3.yaml", "jargon4.yaml"):
        if name != "answers.yaml":
            items += yaml.safe_load((EVAL / name).read_text())["answers"]
        for it in items:
            it.setdefault("set", name)
    if args.unsure:
        items += demo_items()
    if args.sets:
        items = [it for it in items if it["set"] in args.sets.split(",")]
    scripts = yaml.safe_load(DELIVERY.read_text())["answers"]
    base = load_settings(include_user_file=False)
    if args.model:
        base = base.model_copy(update={"stt": base.stt.model_copy(update={"model": args.model})})
    glossary = round_glossary(base)
    gterms = glossary.terms
    extra = expected_terms(base, list(qs.values()))
    synth = Pyttsx3Synthesizer()
    stts = {(v, c): WhisperTranscriber(base.stt.model_copy(update={
        "verbatim": v, "vocabulary": True, "cross_check": c}))
        for v in (False, True) for c in (False, True)}
    if args.unsure:  # one setup only: the round's
        stts = {k: v for k, v in stts.items() if k == (True, True)}
    for s in stts.values():
        s.load()
    setups = SETUPS if not args.setups else [SETUPS[int(i) - 1] for i in args.setups.split(",")]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        audio = {}
        for it in items:
            text = " ".join(it["text"].split())
            folder = args.audio_cache or tmp
            folder.mkdir(parents=True, exist_ok=True)
            p = folder / f"{hashlib.sha1(text.encode()).hexdigest()[:12]}.wav"
            voice = it.get("voice", "en-us")
            if voice != "en-us":
                p = p.with_name(f"{p.stem}-{voice.replace('+', '-')}.wav")
            if not (args.audio_cache and p.exists()):
                synth.render(text, p, VoiceSettings(voice, 150, 1.0))
            audio[it["id"]] = read_audio(p)
        if args.unsure:
            unsure_report(items, audio, stts[True, True], qs, glossary, extra,
                          base.stt.low_confidence, args.unsure_features)
            return
        truths = [(cached_build(s["parts"], rate, synth, tmp, args.audio_cache, s["id"]),
                   qs[s["question"]]) for rate in FILLER_RATES for s in scripts]
    total_s = sum(len(a) for a in audio.values()) / SAMPLE_RATE
    info = stts[True, True].info
    print(f"{len(items)} answers ({total_s:.0f} s of speech) and {len(truths)} with placed "
          f"fillers; Whisper {info.model} {info.compute_type} on {info.device}, beam "
          f"{base.stt.beam_size}; 3 silent clips\n")
    print(f"{'setup':<34} {'WER':>6} {'terms exact':>12} {'as heard':>9} {'invented':>9} "
          f"{'filler R':>9} {'filler P':>9} {'silent':>7} {'RTF':>6}")
    for setup in setups:
        stt = stts[setup.verbatim, setup.cross_check]
        err = n = hit = hit_heard = want = 0
        by_set: dict[str, list[int]] = {}
        made_up: list[str] = []
        misses: list[str] = []
        spent = 0.0
        for it in items:
            q = qs[it["question"]]
            t0 = time.perf_counter()
            text = heard(stt, setup, audio[it["id"]], q, glossary, extra[q.id]).text
            spent += time.perf_counter() - t0
            e, k = wer(it["text"], text)
            err += e
            n += k
            made_up += [f"{it['id']}: {t}" for t in invented_terms(q, it["text"], text)]
            hyp = tokens(text)
            for term in key_terms(q, it["text"], gterms):
                want += 1
                hit += contains(hyp, tokens(term))
                ok = term_heard(term, text)
                hit_heard += ok
                tally = by_set.setdefault(it["set"], [0, 0])
                tally[0] += ok
                tally[1] += 1
                if not ok:
                    misses.append(f"{it['id']}: {term}")
        tp = found = true = 0
        for truth, fq in truths:
            t = heard(stt, setup, truth.audio, fq, glossary, extra[fq.id])
            at = [w.start for w in t.words if w.word.lower().strip(",.!?") in FILLER_WORDS]
            tp += match(at, truth.fillers, FILLER_TOLERANCE_S)
            found += len(at)
            true += len(truth.fillers)
        silent = sum(len(stt.transcribe(c).words) for c in silent_clips())
        rtf = spent / total_s
        print(f"{setup.name:<34} {err / n:>6.1%} {hit / want:>12.3f} {hit_heard / want:>9.3f} "
              f"{len(made_up):>9d} {tp / true:>9.2f} {tp / found if found else 1.0:>9.2f} "
              f"{silent:>7d} {rtf:>6.3f}", flush=True)
        print("    key terms as heard, by set: " + "; ".join(
            f"{k} {h / w:.3f} ({w})" for k, (h, w) in by_set.items()))
        if args.show_misses:
            print("    missed:", "; ".join(misses) or "none")
            print("    invented:", "; ".join(made_up) or "none")
        if setup is SETUPS[-1]:
            record_result(base.stt.model, {"wer": err / n, "key_term_recall": hit_heard / want,
                                       "rtf": rtf, "device": info.device,
                                       "answers": len(items)})
    print(f"\nKey terms: {want} occurrences in the answers.")


if __name__ == "__main__":
    main()
