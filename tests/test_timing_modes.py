"""Timing: the spoken warning near the budget, the interviewer cutting in at it, and the live
pace and filler figures while the candidate speaks (real speech, real Whisper, real time)."""

from __future__ import annotations

import json

import pytest
import yaml

from simulator.locations import bank_dir
from tests.conftest import render_answers, run_cli

LONG = ("LoRA freezes the pretrained weights and learns a small low rank update instead, "
        "two thin matrices whose product is added to each weight. Um, because only those "
        "matrices train, the optimizer state is tiny and a big model fits on one GPU. After "
        "training you can merge the update back, so serving costs nothing extra. QLoRA goes "
        "further and keeps the base model in four bits.")


@pytest.fixture(scope="module")
def cut_round(tmp_path_factory: pytest.TempPathFactory, synth) -> dict:
    tmp = tmp_path_factory.mktemp("timing")
    bank = yaml.safe_load((bank_dir() / "starter.yaml").read_text())
    lora = next(q for q in bank["questions"] if q["id"] == "starter-lora")
    bank["questions"] = [{**lora, "budget_s": 10}]
    (tmp / "short.yaml").write_text(yaml.safe_dump(bank))
    answers = render_answers(synth, tmp / "answers", [LONG, LONG])
    home = tmp / "home"
    out = run_cli("run", "--bank", str(tmp / "short.yaml"), "--answers", str(answers),
                  "--realtime", "--timing", "cut_in", "--no-speak", "--json",
                  env={"XDG_CONFIG_HOME": str(home / "c"), "XDG_DATA_HOME": str(home / "d")})
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    events = [json.loads(x) for x in
              (home / "d" / "interview-simulator" / "sessions" / doc["session_id"] /
               "events.jsonl").read_text().splitlines()]
    return {"doc": doc, "events": events}


def test_the_interviewer_warns_then_cuts_in_at_the_budget_and_moves_on(cut_round):
    (turn,) = cut_round["doc"]["turns"]  # no follow-up after a cut-in
    answer = turn["answer"]
    assert answer["end_reason"] == "time_limit"
    spoken = answer["duration_s"]
    assert 9.5 <= spoken <= 11.5  # stopped at the 10 s budget, not at the end of the file
    said = [e for e in cut_round["events"] if e["type"] == "interviewer_said"]
    kinds = [e["kind"] for e in said]
    assert "time_warning" in kinds and "cut_in" in kinds
    warning = next(e for e in said if e["kind"] == "time_warning")
    assert "seconds" in warning["text"]
    # The warning came during the answer, after most of the budget was used.
    started = next(e["t"] for e in cut_round["events"] if e["type"] == "answer_started")
    assert 7.0 <= warning["t"] - started <= 10.5
    assert turn["decision"]["action"] == "move_on" and "time is up" in turn["decision"]["reason"]


def test_live_pace_and_fillers_are_reported_while_speaking(cut_round):
    live = cut_round["doc"]["turns"][0]["live"]
    assert live, "no live figures while the answer was spoken"
    assert all(x["wpm"] > 60 for x in live if x["speaking_s"] >= 2)
    assert [x["at_s"] for x in live] == sorted(x["at_s"] for x in live)
    assert live[-1]["speaking_s"] >= live[0]["speaking_s"]


def test_the_spoken_warning_heard_through_speakers_is_taken_out_of_the_answer():
    from simulator.speech.echo import remove_echo
    from simulator.speech.transcript import Transcript, Word

    said = "You have about 20 seconds left, so start wrapping up."
    heard = ["LoRA", "trains", "two", "small", "matrices,", "you", "have", "about", "20",
             "seconds", "left,", "and", "you", "can", "merge", "them", "with", "20", "left"]
    words = [Word(w, 10 + i * 0.3, 10 + i * 0.3 + 0.25, 0.9) for i, w in enumerate(heard)]
    t = remove_echo(Transcript(" ".join(heard), words), said, 11.0, 15.0)
    assert t.text == "LoRA trains two small matrices, and you can merge them with 20 left"
    # Outside the window, or fewer than three of its words in a row: the candidate's own.
    assert remove_echo(Transcript(" ".join(heard), words), said, 0.0, 5.0).text == \
        " ".join(heard)
