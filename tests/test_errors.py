"""Bad input: one line naming the file, the field and what to do; exit 2; no traceback."""

from __future__ import annotations

from tests.conftest import FIXTURES, run_cli


def _one_line(out) -> str:
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    return lines[0]


def test_a_broken_bank_names_file_question_and_field():
    line = _one_line(run_cli("run", "--bank", str(FIXTURES / "banks" / "broken.yaml"),
                             "--no-speak"))
    assert "broken.yaml" in line and "question broken-rag" in line
    assert "prompt" in line and "text-to-speech" in line


def test_bank_validate_reports_every_problem(tmp_path):
    out = run_cli("bank", "validate", str(FIXTURES / "banks" / "broken.yaml"))
    assert out.returncode == 2
    problems = [ln for ln in out.stdout.splitlines() if "broken.yaml: question" in ln]
    fields = " ".join(problems)
    assert "rubric[0].weight" in fields and "prompt" in fields


def test_a_follow_up_must_target_a_rubric_point_of_its_question():
    out = run_cli("bank", "validate", str(FIXTURES / "banks" / "bad-target.yaml"))
    assert out.returncode == 2
    assert "question bad-target-q" in out.stdout
    assert "follow_ups[0].target 'reranking'" in out.stdout


def test_an_unknown_bank_lists_the_ones_there_are():
    line = _one_line(run_cli("run", "--bank", "no-such-topic", "--no-speak"))
    assert "--bank" in line and "starter" in line


def test_an_empty_answers_folder(tmp_path):
    line = _one_line(run_cli("run", "--bank", "starter", "--answers", str(tmp_path)))
    assert str(tmp_path) in line and "--answers" in line


def test_an_unreadable_answer_file_keeps_what_was_recorded(tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "01.wav").write_text("not audio")
    out = run_cli("run", "--bank", "starter", "--question", "starter-lora", "--answers",
                  str(answers), "--no-speak", "--sessions-dir", str(tmp_path / "s"))
    line = _one_line(out)
    assert "01.wav" in line and "WAV or FLAC" in line
    sessions = list((tmp_path / "s").iterdir())
    assert len(sessions) == 1
    events = (sessions[0] / "events.jsonl").read_text()
    assert '"session_ended"' in events and '"failed"' in events
    assert (sessions[0] / "audio" / "01-prompt.wav").exists()
