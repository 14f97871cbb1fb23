"""A whole round from answer files: real pyttsx3 audio, real faster-whisper, real session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile as sf

from tests.conftest import render_answers, run_cli

RAG_GAP = (
    "I would split the documents into chunks of a few hundred tokens with some overlap, "
    "embed each chunk, and store the vectors in a vector database. At query time I retrieve "
    "the closest chunks and tell the model to answer only from that context and cite sources."
)
RAG_RERANK = (
    "I would add a reranker. A cross encoder scores each chunk together with the query, "
    "and I keep the best five."
)


@pytest.fixture(scope="module")
def rag_round(tmp_path_factory: pytest.TempPathFactory, synth) -> dict:
    tmp = tmp_path_factory.mktemp("round")
    answers = render_answers(synth, tmp / "answers", [RAG_GAP, RAG_RERANK])
    out = run_cli("run", "--bank", "starter", "--question", "starter-rag-design",
                  "--answers", str(answers), "--no-speak", "--json", "--seed", "1",
                  "--sessions-dir", str(tmp / "sessions"))
    assert out.returncode == 0, out.stderr
    return {"doc": json.loads(out.stdout), "tmp": tmp, "stderr": out.stderr}


def test_transcripts_hold_the_key_terms_spoken(rag_round):
    turns = rag_round["doc"]["turns"]
    first = turns[0]["answer"]["transcript"].lower()
    assert "chunk" in first and "vector" in first
    second = turns[1]["answer"]["transcript"].lower()
    assert "cross" in second and "query" in second
    words = turns[0]["answer"]["words"]
    assert words and all(w["end"] >= w["start"] >= 0 for w in words)
    assert words[-1]["end"] <= turns[0]["answer"]["duration_s"] + 0.05


def test_follow_up_probes_the_biggest_gap_and_never_a_covered_point(rag_round):
    turns = rag_round["doc"]["turns"]
    assert [t["kind"] for t in turns] == ["question", "follow_up", "follow_up"]
    first_points = {p["id"]: p for p in turns[0]["assessment"]["points"]}
    assert first_points["chunking"]["covered"] and "chunk" in first_points["chunking"]["evidence"]
    assert not first_points["rerank"]["covered"]
    # rerank and evaluation both weigh 3; rerank's follow-up comes first in the bank.
    assert turns[1]["target_point"] == "rerank"
    assert turns[1]["reason"] and "rerank" in turns[1]["reason"]
    covered_before = {p["id"] for p in turns[1]["assessment"]["points"] if p["covered"]}
    assert "rerank" in covered_before
    assert turns[2]["target_point"] not in covered_before


def test_answers_running_out_still_records_the_chosen_follow_up(rag_round):
    last = rag_round["doc"]["turns"][-1]
    assert last["kind"] == "follow_up" and last["target_point"] == "evaluation"
    assert last["answer"] is None and last["prompt"].endswith("better or worse?")


def test_json_has_the_documented_fields(rag_round):
    doc = rag_round["doc"]
    assert doc["session_id"] and Path(doc["session_dir"]).is_dir()
    assert doc["stt"] == {"model": "tiny.en", "device": "cpu", "compute_type": "int8"}
    assert doc["policy"] == "offline"
    t = doc["turns"][0]
    for key in ("kind", "question_id", "prompt", "target_point", "answer", "assessment",
                "latency_ms"):
        assert key in t
    assert set(t["answer"]) >= {"audio", "transcript", "duration_s", "words"}
    assert 0 < t["assessment"]["coverage"] < 1
    assert t["latency_ms"]["next_prompt"] >= t["latency_ms"]["transcript"] > 0


def test_session_on_disk_matches_the_json(rag_round):
    doc = rag_round["doc"]
    sdir = Path(doc["session_dir"])
    manifest = json.loads((sdir / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["id"] == doc["session_id"]
    events = [json.loads(line) for line in (sdir / "events.jsonl").read_text().splitlines()]
    assert events[0]["type"] == "session_started" and events[-1]["type"] == "session_ended"
    for t in doc["turns"]:
        prompt = Path(t["prompt_audio"])
        assert prompt.exists() and sf.info(str(prompt)).duration > 1
        if t["answer"]:
            info = sf.info(t["answer"]["audio"])
            assert info.samplerate == 16000
            assert abs(info.duration - t["answer"]["duration_s"]) < 0.05
    replayed = run_cli("replay", doc["session_id"], "--json",
                       "--sessions-dir", str(rag_round["tmp"] / "sessions"))
    assert replayed.returncode == 0, replayed.stderr
    again = json.loads(replayed.stdout)
    assert again["turns"] == doc["turns"]


def test_replay_prints_the_timeline(rag_round):
    doc = rag_round["doc"]
    out = run_cli("replay", doc["session_id"][:15], "--no-play",
                  "--sessions-dir", str(rag_round["tmp"] / "sessions"))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    speakers = [line.split()[1] for line in lines if line.startswith("[")]
    assert speakers[:3] == ["interviewer", "interviewer", "candidate"]
    assert "closest chunks" in out.stdout or "chunks" in out.stdout
    listing = run_cli("sessions", "--json", "--sessions-dir", str(rag_round["tmp"] / "sessions"))
    rows = json.loads(listing.stdout)
    assert rows[0]["id"] == doc["session_id"] and rows[0]["status"] == "complete"


def test_a_silent_answer_is_recorded_as_silent(tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    import numpy as np

    rng = np.random.default_rng(0)
    sf.write(answers / "01.wav", (rng.standard_normal(16000 * 4) * 0.0005).astype("float32"),
             16000)
    out = run_cli("run", "--bank", "starter", "--question", "starter-lora", "--answers",
                  str(answers), "--no-speak", "--json", "--sessions-dir", str(tmp_path / "s"))
    assert out.returncode == 0, out.stderr
    first = json.loads(out.stdout)["turns"][0]
    assert first["answer"]["transcript"] == "" and first["answer"]["silent"] is True
    assert first["assessment"]["coverage"] == 0
    assert "silent" in out.stderr


def test_realtime_answers_go_through_the_live_path_and_end_on_silence(tmp_path, synth):
    import numpy as np

    from simulator.audio.sources import read_audio

    raw = render_answers(synth, tmp_path / "raw", [RAG_RERANK])
    answers = tmp_path / "answers"
    answers.mkdir()
    speech = read_audio(raw / "01.wav")
    audio = np.concatenate([speech, np.zeros(16000 * 4, dtype="float32")])
    sf.write(answers / "01.wav", audio, 16000)
    out = run_cli("run", "--bank", "starter", "--question", "starter-rag-design", "--answers",
                  str(answers), "--realtime", "--no-speak", "--json",
                  "--sessions-dir", str(tmp_path / "s"))
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)["turns"][0]["answer"]
    assert answer["end_reason"] == "silence"
    # Ended by the 1 s silence window, well before the end of the file.
    assert len(speech) / 16000 + 0.3 < answer["duration_s"] < len(speech) / 16000 + 2.0
    assert "cross" in answer["transcript"].lower()


def test_the_demo_runs_a_whole_round(tmp_path):
    out = run_cli("demo", "--no-speak", "--json", "--sessions-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["status"] == "complete"
    assert [q["question_id"] for q in doc["questions"]] == [
        "starter-rag-design", "starter-lora", "starter-kv-cache"]
    follow_ups = [t for t in doc["turns"] if t["kind"] == "follow_up"]
    assert follow_ups and all(t["target_point"] and t["answer"] for t in follow_ups)
    # Each scripted first answer leaves a gap that the interviewer probes.
    for q in doc["questions"]:
        assert q["follow_ups"] >= 1
    human = run_cli("demo", "--no-speak", "--sessions-dir", str(tmp_path))
    assert "Session saved:" in human.stdout and "Coverage" in human.stdout
