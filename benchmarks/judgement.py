"""How well the offline interviewer judges spoken answers.

    .venv/bin/python benchmarks/judgement.py [--text] [--cache DIR] [--show-errors]

Each labelled answer in tests/fixtures/eval/answers.yaml is spoken by
pyttsx3/espeak-ng, transcribed by faster-whisper (tiny.en, as the round does),
and judged. Prints per-point precision, recall and F1 over every
(answer, rubric point) pair, and the share of follow-ups that probe a point
the answer really missed, for the offline policy and for plain keyword
matching (a point is covered when one of its terms appears in the transcript).
--text judges the written answers, skipping speech, to separate judging
errors from transcription errors. Both modes print the evidence-on-point share: of
the points covered, the share whose quote holds one of the point's words, with the
quote as it was before issue 19 and as it is now; the spoken mode adds the share on
the written answers beside it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.assess.coverage import (  # noqa: E402
    Assessment,
    PointVerdict,
    assess,
    concept,
    point_words,
    word_rarity,
)
from simulator.assess.policy import OfflinePolicy  # noqa: E402
from simulator.assess.text import Clause  # noqa: E402
from simulator.banks.loader import load_banks  # noqa: E402
from simulator.banks.model import Question, RubricPoint  # noqa: E402
from simulator.text import stem, tokens  # noqa: E402

EVAL_DIR = ROOT / "tests" / "fixtures" / "eval"
EVAL = EVAL_DIR / "answers.yaml"
#: Written after the judge was tuned on answers.yaml, by someone who had not seen it.
HELDOUT = EVAL_DIR / "heldout.yaml"
#: A second held-out set on eight more questions, written in a later session by someone who
#: had not seen the judge's code, after heldout.yaml had been looked at too often to be fresh.
FRESH = EVAL_DIR / "heldout2.yaml"
#: A third, on eight more questions, kept unseen while the judge was changed after looking
#: at heldout2.yaml's errors, to check those changes.
THIRD = EVAL_DIR / "heldout3.yaml"


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    follow_ups: int = 0
    follow_ups_on_gaps: int = 0

    def add(self, predicted: bool, truth: bool) -> None:
        if predicted and truth:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def follow_up_accuracy(self) -> float:
        return self.follow_ups_on_gaps / self.follow_ups if self.follow_ups else 1.0


def keyword_assess(question: Question, text: str) -> Assessment:
    """The obvious version: any rubric term appearing in the transcript covers the point."""
    low = text.lower()
    verdicts = [PointVerdict(p.id, any(t.lower() in low for t in p.terms), "")
                for p in question.rubric]
    w = sum(p.weight for p, v in zip(question.rubric, verdicts, strict=True) if v.covered)
    return Assessment(verdicts, w / question.total_weight)


def transcripts(items: list[dict], cache: Path, questions: dict[str, Question],
                glossary: bool = True) -> dict[str, str]:
    """Each answer spoken by espeak-ng and heard as a round hears it: the decoder biased
    toward the question's words (when stt.vocabulary is on), the glossary applied,
    near-misses on the question's terms corrected, and the cross-check's unbiased reading
    consulted (when stt.cross_check is on)."""
    from simulator.audio.sources import read_audio
    from simulator.config import load_settings
    from simulator.rounds import expected_terms, round_glossary
    from simulator.speech import vocabulary
    from simulator.speech.glossary import Glossary
    from simulator.speech.hearing import Listening, hear
    from simulator.speech.stt import WhisperTranscriber
    from simulator.speech.tts import Pyttsx3Synthesizer, VoiceSettings

    cache.mkdir(parents=True, exist_ok=True)
    settings = load_settings(include_user_file=False)
    synth = Pyttsx3Synthesizer()
    stt = WhisperTranscriber(settings.stt)
    g = round_glossary(settings)
    extra = expected_terms(settings, list(questions.values()))
    bias = settings.stt.vocabulary
    mode = (("verbatim" if stt.cfg.verbatim else "plain") + ("-vocab" if bias else "")
            + ("-gloss" if glossary else "") + ("-cross" if bias and stt.cfg.cross_check else ""))
    out = {}
    for it in items:
        q = questions[it["question"]]
        vocab = vocabulary.for_question(q.prompt, q.terms(), extra[q.id],
                                        rarity=word_rarity)
        key = hashlib.sha1((it["text"] + (vocab.bias if bias else "")).encode()).hexdigest()
        txt = cache / f"{it['id']}-{key[:12]}-{mode}.txt"
        if not txt.exists():
            wav = cache / f"{it['id']}-{hashlib.sha1(it['text'].encode()).hexdigest()[:12]}.wav"
            if not wav.exists():
                synth.render(" ".join(it["text"].split()), wav,
                             VoiceSettings("en-us", 150, 1.0))
            t = stt.transcribe(read_audio(wav), vocab.bias if bias else None)
            if bias:  # as the engine does it: glossary, near-misses, then the cross-check
                t = hear(t, Listening(g if glossary else Glossary(), vocab)).transcript
            elif glossary:
                t = g.correct(t)[0]
            txt.write_text(t.text)
        out[it["id"]] = txt.read_text()
    return out


def evaluate(items: list[dict], texts: dict[str, str], questions: dict[str, Question],
             judge: str, show: bool) -> tuple[Scores, dict[str, Scores]]:
    total = Scores()
    by_kind: dict[str, Scores] = defaultdict(Scores)
    policy = OfflinePolicy(max_follow_ups=2, move_on_coverage=0.8)
    for it in items:
        q = questions[it["question"]]
        text = texts[it["id"]]
        a = assess(q, text) if judge == "offline" else keyword_assess(q, text)
        truth = set(it["covered"])
        for v in a.points:
            for s in (total, by_kind[it["kind"]]):
                s.add(v.covered, v.id in truth)
            if show and v.covered != (v.id in truth):
                kind = "FALSE +" if v.covered else "MISSED "
                print(f"  {kind} {it['id']:<22} {v.id:<22} {v.evidence[:70]!r}")
        d = policy.decide(q, a, [])
        if d.follow_up is not None:
            for s in (total, by_kind[it["kind"]]):
                s.follow_ups += 1
                s.follow_ups_on_gaps += d.follow_up.target not in truth
    return total, by_kind


def clause_opening(point: RubricPoint, vocab: dict[str, float], norm: str,
                   parts: list[Clause], usable: list[bool], at: int) -> str:
    """The quote as it was before issue 19: the first 30 words of the clause the point was
    found in, wherever in it (or in the next) the point's words were."""
    return " ".join(norm[parts[at].start:parts[at].end].split()[:30])


def on_point(question: Question, point_id: str, quote: str) -> bool:
    """Does the quote hold one of the point's words (its 'covers' and terms, the
    question's own words aside)?"""
    return bool({concept(stem(t)) for t in tokens(quote)} & point_words(question, point_id).keys())


def on_terms(question: Question, point_id: str, quote: str) -> bool:
    """The stricter test: does the quote hold a word of the point's own terms (the
    question's words aside)? A 'covers' sentence shares everyday words with other points."""
    terms = {concept(stem(t)) for term in question.point(point_id).terms for t in tokens(term)}
    said = {concept(stem(t)) for t in tokens(quote)}
    return bool(said & terms & point_words(question, point_id).keys())


def evidence_on_point(items: list[dict], texts: dict[str, str],
                      questions: dict[str, Question]) -> dict[str, float]:
    """Of the points the offline judge covers, the share whose quote holds one of the
    point's words, and the share whose quote holds a word of its terms: with the quote
    as it was ('before') and as it is now ('after'); and how many points."""
    shares = {"before": 0.0, "after": 0.0, "terms_before": 0.0, "terms_after": 0.0}
    n = 0
    for it in items:
        q = questions[it["question"]]
        now = assess(q, texts[it["id"]])
        then = assess(q, texts[it["id"]], clause_opening)
        for a, b in zip(then.points, now.points, strict=True):
            if b.covered:
                n += 1
                shares["before"] += on_point(q, a.id, a.evidence)
                shares["after"] += on_point(q, b.id, b.evidence)
                shares["terms_before"] += on_terms(q, a.id, a.evidence)
                shares["terms_after"] += on_terms(q, b.id, b.evidence)
    return {**{k: round(v / n, 3) if n else 1.0 for k, v in shares.items()},
            "covered_points": n}


def _shares(e: dict[str, float]) -> str:
    return (f"before {e['before']:.1%}, after {e['after']:.1%}; a word of its terms: "
            f"before {e['terms_before']:.1%}, after {e['terms_after']:.1%}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", action="store_true", help="judge the written answers")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/interview-judgement-cache"))
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--no-glossary", action="store_true",
                    help="judge the transcripts without glossary corrections")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--set", choices=["tuning", "heldout", "fresh", "third", "all"],
                    default="all", help="the answers the judge was tuned on, the first, "
                    "second or third held-out set, or all of them")
    args = ap.parse_args()
    files = {"tuning": [EVAL], "heldout": [HELDOUT], "fresh": [FRESH], "third": [THIRD],
             "all": [EVAL, HELDOUT, FRESH, THIRD]}[args.set]
    items = [it for f in files if f.exists() for it in yaml.safe_load(f.read_text())["answers"]]
    questions = {q.id: q for b in load_banks() for q in b.questions}
    texts = ({it["id"]: it["text"] for it in items} if args.text
             else transcripts(items, args.cache, questions, not args.no_glossary))
    result = {}
    for judge in ("keyword", "offline"):
        if args.show_errors and judge == "offline":
            print("offline judge errors:")
        total, by_kind = evaluate(items, texts, questions, judge,
                                  args.show_errors and judge == "offline")
        result[judge] = {"precision": round(total.precision, 3),
                         "recall": round(total.recall, 3), "f1": round(total.f1, 3),
                         "follow_up_on_gap": round(total.follow_up_accuracy, 3),
                         "follow_ups": total.follow_ups,
                         "by_kind": {k: {"f1": round(s.f1, 3),
                                         "follow_up_on_gap": round(s.follow_up_accuracy, 3)}
                                     for k, s in sorted(by_kind.items())}}
    result["evidence_on_point"] = evidence_on_point(items, texts, questions)
    if not args.text:  # the same answers as written, to tell quoting from hearing errors
        result["evidence_on_point_written"] = evidence_on_point(
            items, {it["id"]: it["text"] for it in items}, questions)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    n_pairs = sum(len(questions[it["question"]].rubric) for it in items)
    src = "written text" if args.text else "TTS speech transcribed by tiny.en"
    print(f"{args.set} set: {len(items)} answers, {len({it['question'] for it in items})} "
          f"questions, {n_pairs} (answer, point) pairs; judged on {src}\n")
    print(f"{'judge':<9} {'precision':>9} {'recall':>7} {'F1':>6}   follow-ups on a real gap")
    for judge in ("keyword", "offline"):
        r = result[judge]
        print(f"{judge:<9} {r['precision']:>9.3f} {r['recall']:>7.3f} {r['f1']:>6.3f}   "
              f"{r['follow_up_on_gap']:.1%} of {r['follow_ups']}")
    print("\nF1 by kind of answer:  " + "  ".join(
        f"{k} {result['keyword']['by_kind'][k]['f1']:.2f}->{v['f1']:.2f}"
        for k, v in result["offline"]["by_kind"].items()))
    e = result["evidence_on_point"]
    print(f"\nEvidence on point (of the {e['covered_points']} points the offline judge "
          f"covers, the share whose quote holds one of the point's words), {src}: "
          + _shares(e))
    if not args.text:
        w = result["evidence_on_point_written"]
        print(f"    the same answers as written ({w['covered_points']} points covered): "
              + _shares(w))


if __name__ == "__main__":
    main()
