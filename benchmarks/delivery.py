"""How exactly the delivery coach measures pace, fillers and pauses.

    .venv/bin/python benchmarks/delivery.py [--audio-cache DIR]

Renders the scripted answers of tests/fixtures/delivery/answers.yaml with
pyttsx3/espeak-ng at speaking rates from about 110 to 200 words a minute,
fillers and silences placed by construction, so every true word, filler and
pause time is known. Each answer goes through the round's own path
(faster-whisper tiny.en, verbatim mode, biased toward the vocabulary of the
question the script answers, delivery metrics) and is compared with
the truth: the error of the measured words per minute, filler recall and
precision, pause recall and timing error. The naive approach for fillers is
counting "um" and "uh" in a transcript decoded with a filler prompt.
espeak-ng never renders a text to the same samples twice, so --audio-cache keeps
each rendered answer (and its truth) to compare two versions of the code on the
same audio.

First, and alone with --fillers-only (text, no audio, a second): "like", "so" and
"actually" as fillers, on the labelled lines of tests/fixtures/delivery/discourse.yaml
(transcripts as Whisper writes them), precision and recall of the rule before this
change (any "actually", never "so", "like" set off by punctuation) and of today's
(simulator/delivery/discourse.py), on the lines the rules were written against and on
lines written after them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.assess.coverage import word_rarity  # noqa: E402
from simulator.audio import SAMPLE_RATE  # noqa: E402
from simulator.audio.sources import read_audio  # noqa: E402
from simulator.banks.loader import load_banks  # noqa: E402
from simulator.config import load_settings  # noqa: E402
from simulator.delivery.discourse import DISCOURSE_WORDS, is_filler_use  # noqa: E402
from simulator.delivery.metrics import DeliveryConfig, measure  # noqa: E402
from simulator.rounds import expected_terms  # noqa: E402
from simulator.speech import vocabulary  # noqa: E402
from simulator.speech.stt import WhisperTranscriber  # noqa: E402
from simulator.speech.tts import Pyttsx3Synthesizer, VoiceSettings  # noqa: E402
from simulator.speech.verbatim import FILLER_PROMPT  # noqa: E402
from simulator.text import bare  # noqa: E402

SCRIPT = ROOT / "tests" / "fixtures" / "delivery" / "answers.yaml"
#: Lines with "like", "so" and "actually", each use labelled filler or not.
DISCOURSE = ROOT / "tests" / "fixtures" / "delivery" / "discourse.yaml"
#: Answers of about a minute, as long as real interview answers.
LONG = ROOT / "tests" / "fixtures" / "delivery" / "long.yaml"
RATES = (110, 140, 170, 200)
FILLERS = {"um", "uh", "er"}
#: Gap left between spoken parts, as in fluent speech (not a pause).
JOIN_S = 0.12
#: How far a reported filler may sit from where it was said and still count.
FILLER_TOLERANCE_S = 0.8


@dataclass
class Truth:
    audio: np.ndarray
    words: int
    span: tuple[float, float]
    fillers: list[float]
    pauses: list[tuple[float, float]]


def _trim(a: np.ndarray) -> np.ndarray:
    """Cut the silence espeak puts around each utterance."""
    level = np.abs(a)
    idx = np.flatnonzero(level > 0.02)
    return a[idx[0]: idx[-1] + 1] if len(idx) else a[:0]


def build(parts: list, rate: int, synth: Pyttsx3Synthesizer, tmp: Path) -> Truth:
    chunks: list[np.ndarray] = [np.zeros(int(0.8 * SAMPLE_RATE), dtype=np.float32)]
    t = 0.8
    words = 0
    fillers: list[float] = []
    pauses: list[tuple[float, float]] = []
    first = last = None
    for i, part in enumerate(parts):
        if isinstance(part, dict):
            silence = float(part["pause"])
            # The silence heard runs from the end of the last voice: the join after the
            # previous part and the added pause together.
            joined = JOIN_S if i > 0 and not isinstance(parts[i - 1], dict) else 0.0
            pauses.append((t - joined, silence + joined))
            chunks.append(np.zeros(int(silence * SAMPLE_RATE), dtype=np.float32))
            t += silence
            continue
        wav = tmp / f"p{rate}-{i}.wav"
        synth.render(part, wav, VoiceSettings("en-us", rate, 1.0))
        a = _trim(read_audio(wav))
        if part in FILLERS:
            fillers.append(t)
        else:
            words += len(part.split())
            first = t if first is None else first
            last = t + len(a) / SAMPLE_RATE
        chunks.append(a)
        t += len(a) / SAMPLE_RATE
        gap = np.zeros(int(JOIN_S * SAMPLE_RATE), dtype=np.float32)
        chunks.append(gap)
        t += JOIN_S
    chunks.append(np.zeros(int(0.5 * SAMPLE_RATE), dtype=np.float32))
    assert first is not None and last is not None
    return Truth(np.concatenate(chunks), words, (first, last), fillers, pauses)


def cached_build(parts: list, rate: int, synth: Pyttsx3Synthesizer, tmp: Path,
                 cache: Path | None, key: str) -> Truth:
    """build(), or the answer rendered by an earlier run when a cache folder is given."""
    if cache is None:
        return build(parts, rate, synth, tmp)
    audio, meta = cache / f"{key}-{rate}.npy", cache / f"{key}-{rate}.json"
    if audio.exists() and meta.exists():
        m = json.loads(meta.read_text())
        return Truth(np.load(audio), m["words"], tuple(m["span"]), m["fillers"],
                     [tuple(p) for p in m["pauses"]])
    truth = build(parts, rate, synth, tmp)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(audio, truth.audio)
    meta.write_text(json.dumps({"words": truth.words, "span": truth.span,
                                "fillers": truth.fillers, "pauses": truth.pauses}))
    return truth


def match(found: list[float], truth: list[float], tol: float) -> int:
    used: set[int] = set()
    hits = 0
    for f in found:
        for k, t in enumerate(truth):
            if k not in used and abs(f - t) <= tol:
                used.add(k)
                hits += 1
                break
    return hits


def _old_filler_use(words: list[str], i: int) -> bool:
    """The rule before discourse.py: every "actually", no "so", and "like" when set off
    by punctuation or next to a few words."""
    here = bare(words[i])
    if here != "like":
        return here == "actually"
    before = words[i - 1] if i > 0 else ""
    after = bare(words[i + 1]) if i + 1 < len(words) else ""
    if words[i].endswith(","):
        return True
    if before.endswith((",", ".")) and after not in ("a", "an", "the", "this", "that"):
        return True
    return after in ("um", "uh", "you") or bare(before) in ("was", "is", "just", "it's")


def labelled_uses(lines: list[str]) -> list[tuple[list[str], int, bool]]:
    """(the line's words, the index of a "like", "so" or "actually", is it a filler) for
    each use; a filler is written in braces: {like}."""
    uses = []
    for line in lines:
        marked = line.split()
        words = [w.replace("{", "").replace("}", "") for w in marked]
        uses += [(words, i, "{" in m) for i, m in enumerate(marked)
                 if bare(words[i]) in DISCOURSE_WORDS]
    return uses


def filler_scores(uses: list[tuple[list[str], int, bool]],
                  rule: Callable[[list[str], int], bool]) -> tuple[float, float, int, int]:
    """Precision, recall, fillers found and labelled fillers of ``rule`` over ``uses``."""
    found = [rule(words, i) for words, i, _ in uses]
    tp = sum(f and truth for f, (_, _, truth) in zip(found, uses, strict=True))
    true = sum(truth for _, _, truth in uses)
    return (tp / sum(found) if any(found) else 1.0, tp / true if true else 1.0,
            sum(found), true)


def discourse_fillers() -> None:
    """The benchmark line for "like", "so" and "actually": before and after, same run."""
    data = yaml.safe_load(DISCOURSE.read_text())
    for label, key in (("lines the rule was written on", "lines"),
                       ("held-out lines", "heldout")):
        uses = labelled_uses(data[key])
        print(f"Fillers among like/so/actually, {label} ({len(uses)} uses):")
        for name, rule in (("before", _old_filler_use), ("after", is_filler_use)):
            p, r, n, true = filler_scores(uses, rule)
            print(f"  {name:<6}: precision {p:.2f}, recall {r:.2f} "
                  f"({n} counted, {true} labelled fillers)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--audio-cache", type=Path,
                    help="keep the rendered answers here and reuse them on the next run")
    ap.add_argument("--fillers-only", action="store_true",
                    help="only the like/so/actually line: labelled text, no audio")
    args = ap.parse_args()
    discourse_fillers()
    if args.fillers_only:
        return
    answers = yaml.safe_load(SCRIPT.read_text())["answers"]
    long_ids = set()
    if LONG.exists():
        long_answers = yaml.safe_load(LONG.read_text())["answers"]
        long_ids = {a["id"] for a in long_answers}
        answers += long_answers
    synth = Pyttsx3Synthesizer()
    settings = load_settings(include_user_file=False)
    stt = WhisperTranscriber(settings.stt)
    stt.load()
    questions = {q.id: q for b in load_banks() for q in b.questions}
    extra = expected_terms(settings, list(questions.values()))
    cfg = DeliveryConfig()
    wpm_err: list[float] = []
    naive_wpm_err: list[float] = []
    ours = {"tp": 0, "found": 0, "true": 0}
    naive = {"tp": 0, "found": 0, "true": 0}
    pause_hits = pause_true = 0
    pause_err: list[float] = []
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for rate in RATES:
            for ans in answers:
                truth = cached_build(ans["parts"], rate, synth, tmp, args.audio_cache,
                                     ans["id"])
                q = questions[ans["question"]]
                vocab = vocabulary.for_question(q.prompt, q.terms(), extra[q.id],
                                                rarity=word_rarity)
                t = stt.transcribe(truth.audio, vocab.bias)
                dl = measure(t.words, truth.audio, 120, cfg, t.verbatim)
                true_wpm = truth.words / (truth.span[1] - truth.span[0]) * 60
                err = abs(dl.wpm - true_wpm) / true_wpm
                wpm_err.append(err)
                # Naive pace: every word the decoder wrote, first timestamp to last.
                plain = [w for w in t.words if not w.filler]
                naive_wpm = len(plain) / max(plain[-1].end - plain[0].start, 0.5) * 60
                naive_wpm_err.append(abs(naive_wpm - true_wpm) / true_wpm)
                # Fillers: ours are the acoustic ones the coach counts.
                found = [i.start for i in dl.fillers.items if i.word in FILLERS | {
                    "erm", "hmm", "ah", "uhm"}]
                tp = match(found, truth.fillers, FILLER_TOLERANCE_S)
                ours["tp"] += tp
                ours["found"] += len(found)
                ours["true"] += len(truth.fillers)
                # Naive: count um/uh in the filler-prompted text, placed in order.
                raw = stt._decode(truth.audio, FILLER_PROMPT)
                n_found = sum(1 for w in raw.words if bare(w.word) in ("um", "uh"))
                naive["tp"] += min(n_found, len(truth.fillers))
                naive["found"] += n_found
                naive["true"] += len(truth.fillers)
                starts = [p.start for p in dl.pauses]
                for ps, plen in truth.pauses:
                    pause_true += 1
                    near = [p for p in dl.pauses if abs(p.start - ps) <= 0.5]
                    if near:
                        pause_hits += 1
                        best = min(near, key=lambda p: abs(p.start - ps))
                        pause_err.append(max(abs(best.start - ps),
                                             abs(best.duration_s - plen)))
                rows.append((ans["id"], rate, true_wpm, dl.wpm, tp, len(found),
                             len(truth.fillers), len(starts)))

    def pr(s: dict[str, int]) -> tuple[float, float]:
        return (s["tp"] / s["true"] if s["true"] else 1.0,
                s["tp"] / s["found"] if s["found"] else 1.0)

    print(f"{len(rows)} answers ({len(answers)} scripts x rates {', '.join(map(str, RATES))} "
          "for espeak-ng); tiny.en, verbatim mode\n")
    for r in rows:
        print(f"  {r[0]:<15} rate {r[1]:>3}: true {r[2]:5.1f} wpm, measured {r[3]:5.1f}; "
              f"fillers {r[4]}/{r[6]} found ({r[5]} reported)")
    rec, prec = pr(ours)
    nrec, nprec = pr(naive)
    def spread(errs: list[float]) -> str:
        within = sum(e <= 0.05 for e in errs)
        return (f"median {statistics.median(errs):.1%}, mean {statistics.mean(errs):.1%}, "
                f"max {max(errs):.1%}; within 5% on {within}/{len(errs)} answers")

    short = [i for i, r in enumerate(rows) if r[0] not in long_ids]
    longer = [i for i, r in enumerate(rows) if r[0] in long_ids]
    for name, errs in (("ours", wpm_err), ("naive (decoded words over first to last "
                                             "timestamp)", naive_wpm_err)):
        print(f"\nWPM error, {name}:")
        for label, idx in (("short scripted answers", short), ("minute-long answers", longer),
                           ("all", short + longer)):
            if idx:
                print(f"  {label}: {spread([errs[i] for i in idx])}")
    for label, idx in (("short scripted answers", short), ("minute-long answers", longer)):
        if idx:
            part = {"tp": sum(rows[i][4] for i in idx), "found": sum(rows[i][5] for i in idx),
                    "true": sum(rows[i][6] for i in idx)}
            r, p = pr(part)
            print(f"Fillers, ours, {label}: recall {r:.2f}, precision {p:.2f}")
    print(f"Fillers, ours: recall {rec:.2f}, precision {prec:.2f}")
    print(f"Fillers, naive (um/uh in a filler-prompted transcript): recall {nrec:.2f}, "
          f"precision at best {nprec:.2f}")
    print(f"Pauses: recall {pause_hits / pause_true:.2f} ({pause_hits}/{pause_true}), "
          f"timing error median {statistics.median(pause_err):.2f} s, "
          f"max {max(pause_err):.2f} s")


if __name__ == "__main__":
    main()
