"""How faithfully the transcriber hears this field's answers, per decoding setup.

    .venv/bin/python benchmarks/transcription.py [--answers N]

On labelled spoken answers (tests/fixtures/eval/answers.yaml, the first N, plus
the jargon-dense ones in jargon.yaml) rendered by pyttsx3/espeak-ng, for each
setup: word error rate against what was written, key-term recall (rubric terms
written in the answer that come out right in the corrected transcript), invented
words on silent clips, and the real-time factor. Fillers are measured by
benchmarks/delivery.py, whose answers have fillers placed by construction.

Setups: plain decoding; vocabulary bias (the question and its rubric terms as the
decoder's prompt); plain plus the glossary; verbatim (the filler prompt) plus the
glossary, which is what a round uses by default.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.assess.text import tokens  # noqa: E402
from simulator.audio import SAMPLE_RATE  # noqa: E402
from simulator.audio.sources import read_audio  # noqa: E402
from simulator.banks.loader import load_banks  # noqa: E402
from simulator.banks.model import Question  # noqa: E402
from simulator.config import load_settings  # noqa: E402
from simulator.rounds import round_glossary  # noqa: E402
from simulator.speech.stt import WhisperTranscriber  # noqa: E402
from simulator.speech.tts import Pyttsx3Synthesizer, VoiceSettings  # noqa: E402
from simulator.speech.verbatim import strip_fillers  # noqa: E402

EVAL = ROOT / "tests" / "fixtures" / "eval"


def vocabulary_prompt(q: Question, limit: int = 40) -> str:
    terms: list[str] = []
    for p in q.rubric:
        for t in p.terms:
            if t not in terms:
                terms.append(t)
    return f"{q.prompt} {', '.join(terms[:limit])}."


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


def key_terms(q: Question, ref: str, glossary_terms: list[str]) -> list[list[str]]:
    """Rubric and glossary terms the written answer really contains."""
    r = tokens(ref)
    out = []
    for t in [x for p in q.rubric for x in p.terms] + glossary_terms:
        tt = tokens(t)
        if tt and contains(r, tt) and tt not in out:
            out.append(tt)
    return out


def invented_terms(q: Question, ref: str, hyp: str) -> int:
    """Rubric terms in the transcript that the candidate never said: a decoder biased
    toward the answer key must not credit words that were not spoken."""
    r, h = tokens(ref), tokens(hyp)
    out = 0
    for t in {x for p in q.rubric for x in p.terms}:
        tt = tokens(t)
        if tt and contains(h, tt) and not contains(r, tt):
            out += 1
    return out


def silent_clips() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    n = SAMPLE_RATE * 6
    hum = 0.01 * np.sin(2 * np.pi * 50 * np.arange(n) / SAMPLE_RATE)
    return [np.zeros(n, dtype=np.float32),
            (rng.standard_normal(n) * 0.003).astype(np.float32),
            (hum + rng.standard_normal(n) * 0.002).astype(np.float32)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--answers", type=int, default=16, help="how many of the labelled set")
    args = ap.parse_args()
    qs = {q.id: q for b in load_banks() for q in b.questions}
    items = yaml.safe_load((EVAL / "answers.yaml").read_text())["answers"][: args.answers]
    items += yaml.safe_load((EVAL / "jargon.yaml").read_text())["answers"]
    base = load_settings(include_user_file=False)
    glossary = round_glossary(base)
    gterms = glossary.terms
    synth = Pyttsx3Synthesizer()
    plain = WhisperTranscriber(base.stt.model_copy(update={"verbatim": False}))
    verbatim = WhisperTranscriber(base.stt.model_copy(update={"verbatim": True}))
    plain.load()
    verbatim.load()
    setups = {
        "plain": (plain, False, False), "vocabulary bias": (plain, True, False),
        "glossary": (plain, False, True), "bias + glossary": (plain, True, True),
        "verbatim + glossary": (verbatim, False, True),
        "verbatim + bias + gloss.": (verbatim, True, True),
    }
    with tempfile.TemporaryDirectory() as d:
        audio = {}
        for it in items:
            p = Path(d) / f"{it['id']}.wav"
            synth.render(" ".join(it["text"].split()), p, VoiceSettings("en-us", 150, 1.0))
            audio[it["id"]] = read_audio(p)
    total_s = sum(len(a) for a in audio.values()) / SAMPLE_RATE
    print(f"{len(items)} answers ({total_s:.0f} s of speech), tiny.en int8 on "
          f"{plain.info.device}; 3 silent clips\n")
    print(f"{'setup':<24} {'WER':>6} {'key terms':>10} {'invented terms':>15} "
          f"{'silent words':>13} {'RTF':>6}")
    for name, (stt, bias, use_glossary) in setups.items():
        err = n = hit = want = made_up = 0
        spent = 0.0
        for it in items:
            q = qs[it["question"]]
            t0 = time.perf_counter()
            tr = stt.transcribe(audio[it["id"]], vocabulary_prompt(q) if bias else None)
            spent += time.perf_counter() - t0
            text = glossary.correct(tr)[0].text if use_glossary else tr.text
            e, k = wer(it["text"], text)
            err += e
            n += k
            hyp = tokens(text)
            made_up += invented_terms(q, it["text"], text)
            for term in key_terms(q, it["text"], gterms):
                want += 1
                hit += contains(hyp, term)
        invented = sum(len(stt.transcribe(c).words) for c in silent_clips())
        print(f"{name:<24} {err / n:>6.1%} {hit / want:>10.2f} {made_up:>15d} "
              f"{invented:>13d} {spent / total_s:>6.3f}")


if __name__ == "__main__":
    main()
