"""Speed of the spoken round on this machine.

    .venv/bin/python benchmarks/round_latency.py [--quick]

Measures, with the default embedded parts (tiny.en, pyttsx3/espeak-ng):
  1. transcription real-time factor for a 60 s spoken answer: as a round hears it
     (beam 5, word timestamps, the question's vocabulary, so with the second look and
     the cross-check), and without a vocabulary, beam 5 and greedy, for reference;
  2. the demo round's per-turn latency_ms (transcript, next prompt);
  3. the live-answer path (answers fed in real time, ended by 3 s of silence):
     the wait after the end of the answer for the transcript, with the answer
     transcribed during the end-of-answer silence (ours) against transcribing
     only after the answer has ended (the obvious way).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.assess.coverage import word_rarity  # noqa: E402
from simulator.audio.sources import read_audio  # noqa: E402
from simulator.banks.loader import load_bank  # noqa: E402
from simulator.config import load_settings  # noqa: E402
from simulator.rounds import expected_terms  # noqa: E402
from simulator.speech import vocabulary  # noqa: E402
from simulator.speech.stt import WhisperTranscriber  # noqa: E402
from simulator.speech.tts import Pyttsx3Synthesizer, VoiceSettings  # noqa: E402

SENTENCES = [
    "I would start by parsing the documents and splitting them into chunks with some overlap.",
    "Each chunk is embedded and stored in a vector index next to a keyword index.",
    "At query time I run both searches and merge the two result lists with rank fusion.",
    "A cross encoder then reranks the top twenty chunks and keeps the best five.",
    "The prompt tells the model to answer only from those chunks and to cite them.",
    "To evaluate it, I keep a labelled set of questions with the passages that answer them.",
    "I track recall at five for retrieval and faithfulness for the generated answers.",
    "When a change lands, I compare both numbers before and after on the same set.",
]
VOICE = VoiceSettings("en-us", 150, 1.0)


def sixty_second_answer(synth: Pyttsx3Synthesizer, folder: Path) -> np.ndarray:
    parts = []
    for i, s in enumerate(SENTENCES * 3):
        p = folder / f"s{i}.wav"
        synth.render(s, p, VOICE)
        parts.append(read_audio(p))
        parts.append(np.zeros(8000, dtype=np.float32))
        if sum(len(x) for x in parts) >= 60 * 16000:
            break
    return np.concatenate(parts)[: 60 * 16000]


def bench_rtf(synth: Pyttsx3Synthesizer, tmp: Path, runs: int) -> dict:
    audio = sixty_second_answer(synth, tmp)
    settings = load_settings(include_user_file=False)
    stt = WhisperTranscriber(settings.stt)
    t = time.perf_counter()
    stt.load()
    load_s = time.perf_counter() - t
    out = {"audio_s": round(len(audio) / 16000, 1), "model_load_s": round(load_s, 2),
           "model": stt.info.model, "device": stt.info.device,
           "compute_type": stt.info.compute_type}
    # As a round hears it: the question's vocabulary as the bias, so the second look and
    # the cross-check's unbiased reading (side by side on the other core) are included.
    question = next(q for q in load_bank("starter").questions if q.id == "starter-rag-design")
    vocab = vocabulary.for_question(question.prompt, question.terms(),
                                    expected_terms(settings, [question])[question.id],
                                    rarity=word_rarity)
    for label, beam, bias in (("round_beam5", 5, vocab.bias), ("beam5_words", 5, None),
                              ("greedy_words", 1, None)):
        stt.cfg = settings.stt.model_copy(update={"beam_size": beam})
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            tr = stt.transcribe(audio, bias)
            times.append(time.perf_counter() - t)
        med = statistics.median(times)
        out[label] = {"seconds": round(med, 2), "rtf": round(med / (len(audio) / 16000), 3),
                      "words": len(tr.words)}
    return out


def bench_demo() -> list[dict]:
    import subprocess

    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([sys.executable, "-m", "simulator", "demo", "--no-speak", "--json",
                            "--sessions-dir", d], capture_output=True, text=True, cwd=ROOT,
                           check=True)
    doc = json.loads(r.stdout)
    return [{"turn": t["turn"], "question_id": t["question_id"], "kind": t["kind"],
             "answer_s": t["answer"]["duration_s"], **t["latency_ms"]}
            for t in doc["turns"] if t["latency_ms"]]


def bench_live(synth: Pyttsx3Synthesizer, tmp: Path, speculate: bool) -> list[dict]:
    """Answers with 4 s of trailing silence, fed in real time; the silence ends them."""
    from simulator.engine.answers import FolderAnswers
    from simulator.engine.events import AnswerFinished
    from simulator.rounds import listen_options, prepare_round

    answers = tmp / f"live-{speculate}"
    answers.mkdir()
    texts = [" ".join(SENTENCES[:3]), " ".join(SENTENCES[3:5]), " ".join(SENTENCES[5:8])]
    for i, text in enumerate(texts, 1):
        raw = tmp / f"raw{i}.wav"
        synth.render(text, raw, VOICE)
        audio = np.concatenate([read_audio(raw), np.zeros(16000 * 4, dtype=np.float32)])
        sf.write(answers / f"{i:02d}.wav", audio, 16000)
    settings = load_settings(include_user_file=False, overrides={
        "sessions": {"dir": str(tmp / f"sessions-{speculate}")},
        "audio": {"speculate": speculate}, "interview": {"max_follow_ups": 2,
                                                         "move_on_coverage": 1.0}})
    q = next(q for q in load_bank("starter").questions if q.id == "starter-rag-design")
    prepared = prepare_round(settings, "starter", [q],
                             FolderAnswers(answers, listen_options(settings).frame_len, True),
                             speak=False, seed=1)
    rows = []
    for e in prepared.events():
        if isinstance(e, AnswerFinished):
            rows.append({"turn": e.turn, "answer_s": e.duration_s, "end": e.end_reason,
                         "transcript_ms": e.transcript_ms, "speculative": e.speculative})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="one run per measurement")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    synth = Pyttsx3Synthesizer()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        rtf = bench_rtf(synth, tmp, 1 if args.quick else 3)
        demo = bench_demo()
        live_ours = bench_live(synth, tmp, True)
        live_naive = bench_live(synth, tmp, False)
    result = {"stt_60s": rtf, "demo_latency_ms": demo, "live_speculative": live_ours,
              "live_after_answer": live_naive}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"Transcription of a {rtf['audio_s']} s answer, {rtf['model']} on {rtf['device']} "
          f"({rtf['compute_type']}); model load {rtf['model_load_s']} s")
    for k in ("round_beam5", "beam5_words", "greedy_words"):
        print(f"  {k:<13} {rtf[k]['seconds']:>6.2f} s   real-time factor {rtf[k]['rtf']:.3f}")
    print("\nDemo round latency_ms per answered turn (files, as fast as possible):")
    for r in demo:
        print(f"  turn {r['turn']} {r['kind']:<9} {r['answer_s']:>5.1f} s answer   transcript "
              f"{r['transcript']:>7.1f} ms   next prompt {r['next_prompt']:>7.1f} ms")
    print("\nLive answers ended by 3 s of silence: wait for the transcript after the end")
    for label, rows in (("transcribed during the silence (ours)", live_ours),
                        ("transcribed after the answer (naive)", live_naive)):
        ms = [r["transcript_ms"] for r in rows]
        print(f"  {label:<40} median {statistics.median(ms):>7.1f} ms   "
              f"per turn {', '.join(f'{m:.0f}' for m in ms)}")


if __name__ == "__main__":
    main()
