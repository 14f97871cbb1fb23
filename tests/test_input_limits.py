"""Every input is data, and bounded: banks, configs, personas and glossaries that are too
big, too deep, too long to say or not UTF-8 end in one line naming the file, exit 2."""

from __future__ import annotations

import os
import socket
import wave
from pathlib import Path

import pytest

from simulator.banks.loader import validate_bank_file
from simulator.config import load_settings
from simulator.errors import UserError
from simulator.locations import user_glossary_file
from simulator.personas import fill, list_personas, load_persona
from simulator.speech import learned
from simulator.tui.options import Choices
from tests.conftest import ROOT, run_cli

GOOD_BANK = (ROOT / "bank" / "starter.yaml").read_text(encoding="utf-8")
PERSONA_HEAD = (ROOT / "voices" / "senior.toml").read_text(encoding="utf-8").split("[style]")[0]
BAD_ENCODINGS = {
    "invalid UTF-8": (b"topic: x\nquestions: [caf\xe9]\n", "is not valid UTF-8 (byte 0xe9"),
    "UTF-16": ("topic: x\n".encode("utf-16"), "is UTF-16"),
    "binary": (bytes(range(256)), "contains NUL bytes, so it is binary"),
}


def _one_line(out) -> str:  # type: ignore[no-untyped-def]
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    return lines[0]


def _problems(tmp_path: Path, data: str | bytes) -> str:
    path = tmp_path / "mine.yaml"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    bank, problems = validate_bank_file(path)
    assert bank is None and problems
    return "\n".join(str(p) for p in problems)


# -- banks ---------------------------------------------------------------------------------


def test_a_bank_nested_50000_deep_is_refused_before_the_yaml_parser_recurses(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("topic: x\nquestions: " + "[" * 50_000 + "]" * 50_000 + "\n")
    out = run_cli("bank", "validate", str(deep))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"{deep}: (file): nests more than 32 levels deep (at line 2)" in out.stdout


@pytest.mark.parametrize("kind", BAD_ENCODINGS)
def test_a_bank_that_is_not_utf8_names_the_file(tmp_path, kind):
    data, message = BAD_ENCODINGS[kind]
    assert f"mine.yaml: (file): {message}" in _problems(tmp_path, data)


def test_a_bank_over_the_size_limit_is_refused_without_reading_it_all(tmp_path):
    assert "is larger than 2 MB" in _problems(tmp_path, "# filler\n" * 300_000)


def test_prompts_longer_than_two_minutes_aloud_are_refused(tmp_path):
    long = " ".join(["word"] * 20_000)
    prompt = GOOD_BANK.replace("      Walk me through", f"      {long} Walk me through", 1)
    assert "question starter-rag-design: prompt: is 20017 words long" in _problems(tmp_path,
                                                                                   prompt)
    follow_up = GOOD_BANK.replace("prompt: Your retriever", f"prompt: {long} Your retriever", 1)
    assert "follow_ups[0].prompt is 20015 words long" in _problems(tmp_path, follow_up)
    one_word = GOOD_BANK.replace("      Walk me through", "      " + "a" * 5000 + " Walk", 1)
    assert "characters long" in _problems(tmp_path, one_word)


@pytest.mark.parametrize("path", ["folder", "/dev/zero"])
def test_a_bank_path_that_is_a_folder_or_a_device(tmp_path, path):
    target = str(tmp_path) if path == "folder" else path
    line = _one_line(run_cli("run", "--bank", target, "--no-speak"))
    assert line.startswith(f"interview: error: {target}: (file): is a ")


# -- config --------------------------------------------------------------------------------


def _config(tmp_path: Path, data: str | bytes) -> Path:
    path = tmp_path / "mine.toml"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize("data, message", [
    (b'[stt]\nmodel = "caf\xe9"\n', "is not valid UTF-8"),
    ('[stt]\nmodel = "x"\n'.encode("utf-16"), "is UTF-16"),
    ("x = " + "[" * 50_000 + "]" * 50_000, "nests more than 8 levels deep"),
    ("[stt]\nmodel_folders = " + "[" * 20 + "]" * 20, "stt.model_folders: nests more than 8"),
    ("# filler\n" * 30_000, "is larger than 256 KB"),
])
def test_a_config_file_that_is_not_sane_toml_names_the_file(tmp_path, data, message):
    path = _config(tmp_path, data)
    with pytest.raises(UserError) as exc:
        load_settings(path)
    assert str(exc.value).startswith(f"{path}: ") and message in str(exc.value)


def test_a_config_with_a_utf8_byte_order_mark_is_read(tmp_path):
    assert load_settings(_config(tmp_path, "\ufeff[stt]\nbeam_size = 2\n")).stt.beam_size == 2


@pytest.mark.parametrize("data, field", [
    ('[delivery]\nfillers = ["um", ""]\n', "delivery.fillers[1]"),
    ('[delivery]\nhedges = ["  "]\n', "delivery.hedges[0]"),
    ('[stt]\nmodel_folders = [""]\n', "stt.model_folders[0]"),
    ('[glossary]\n"KV cache" = [""]\n', "glossary['KV cache'][0]"),
    ('[glossary]\n"" = ["laura"]\n', "glossary['']"),
])
def test_empty_list_entries_are_refused_at_load_not_mid_round(tmp_path, data, field):
    path = _config(tmp_path, data)
    with pytest.raises(UserError) as exc:
        load_settings(path)
    assert str(exc.value).startswith(f"{path}: {field}: an entry is empty")


def test_more_cpu_threads_than_cores_is_refused(tmp_path):
    cores = os.cpu_count() or 1
    line = _one_line(run_cli("sessions", "--config",
                             str(_config(tmp_path, "[stt]\ncpu_threads = 100000\n"))))
    assert f"stt.cpu_threads: is more than this machine's {cores} cores" in line
    assert load_settings(overrides={"stt": {"cpu_threads": cores}}).stt.cpu_threads == cores


@pytest.mark.parametrize("path", ["folder", "/dev/zero"])
def test_a_config_path_that_is_a_folder_or_a_device(tmp_path, path):
    target = str(tmp_path) if path == "folder" else path
    line = _one_line(run_cli("sessions", "--config", target))
    assert line.startswith(f"interview: error: {target}: is a ")


# -- personas ------------------------------------------------------------------------------


def _persona(tmp_path: Path, style: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(PERSONA_HEAD + "[style]\n" + style, encoding="utf-8")
    return path


def test_persona_texts_fill_only_their_named_fields():
    assert fill("{count} questions, {seconds} s, {", count=3) == "3 questions, {seconds} s, {"
    assert fill("{count.__class__.__mro__} {0}", count=3) == "{count.__class__.__mro__} {0}"
    for persona in list_personas():
        assert "{" not in persona.style.opening_for(4) and "4" in persona.style.opening_for(4)
        assert "25" in persona.style.time_warning_for(25)


@pytest.mark.parametrize("style, field, message", [
    ('opening = "{count.__class__.__mro__}"', "style.opening",
     "uses {count.__class__.__mro__}, which is not a field here; use {count}"),
    ('opening = "Hello {0}"', "style.opening", "uses {0}"),
    ('time_warning = "{count} left"', "style.time_warning", "uses {count}"),
    ('closing = "Bye in {seconds}"', "style.closing",
     "uses {seconds}, which is not a field here; this text has no fields"),
    ('transitions = ["Good.", " "]', "style.transitions", "is empty"),
    (f'opening = "{" ".join(["word"] * 20_000)}"', "style.opening", "is 20000 words long"),
])
def test_a_persona_text_is_a_template_with_known_fields_only(tmp_path, style, field, message):
    path = _persona(tmp_path, style + "\n")
    with pytest.raises(UserError) as exc:
        load_persona(str(path))
    assert str(exc.value).startswith(f"{path}: {field}: {message}")


def test_a_lone_brace_in_a_persona_text_is_just_text(tmp_path):
    persona = load_persona(str(_persona(tmp_path, 'opening = "Sets like {a, b. {count} now."\n')))
    assert persona.style.opening_for(2) == "Sets like {a, b. 2 now."


@pytest.mark.parametrize("kind", BAD_ENCODINGS)
def test_a_persona_that_is_not_utf8_names_the_file(tmp_path, kind):
    data, message = BAD_ENCODINGS[kind]
    path = tmp_path / "mine.toml"
    path.write_bytes(data)
    with pytest.raises(UserError) as exc:
        load_persona(str(path))
    assert str(exc.value).startswith(f"{path}: {message}")


def test_a_bad_persona_stops_the_round_before_anything_is_said(tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    with wave.open(str(answers / "01.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * 1600)
    persona = _persona(tmp_path, f'opening = "{" ".join(["word"] * 200)} {{foo}}"\n')
    line = _one_line(run_cli("run", "--bank", "starter", "--answers", str(answers), "--no-speak",
                             "--persona", str(persona), "--sessions-dir", str(tmp_path / "s")))
    assert f"{persona}: style.opening: uses {{foo}}" in line
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").iterdir())


# -- the user's glossary -------------------------------------------------------------------


@pytest.mark.parametrize("data, message", [
    ("[" * 50_000 + "]" * 50_000, "nests more than 32 levels deep"),
    (b"LoRA: [laura\xff]\n", "is not valid UTF-8"),
])
def test_a_bad_glossary_file_names_it(data, message):
    path = user_glossary_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    with pytest.raises(UserError) as exc:
        learned.load()
    assert str(exc.value).startswith(f"{path}: glossary: {message}")


# -- flags, the LLM and the app ------------------------------------------------------------


@pytest.mark.parametrize("n", ["0", "-2"])
def test_questions_below_one_is_refused_not_replaced_by_three(n):
    out = run_cli("run", "--bank", "starter", "--questions", n, "--no-speak")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"argument --questions: a round needs at least 1 question, not {n}" in out.stderr


def test_a_saved_selection_with_a_count_below_one_is_not_used():
    assert Choices.from_dict({"count": 0}).count is None
    assert Choices.from_dict({"count": "7"}).count is None
    assert Choices.from_dict({"count": 7}).count == 7


def test_a_refused_connection_to_the_llm_is_reported_as_one(monkeypatch):
    from simulator.assess.llm import LlmConfig, LlmJudge
    from simulator.assess.policy import Exchange, OfflinePolicy
    from simulator.banks.loader import load_bank

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")
    with socket.socket() as s:  # a port nothing listens on once this closes
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    q = load_bank("starter").questions[1]
    judge = LlmJudge(LlmConfig("openai/fake-judge", f"http://127.0.0.1:{port}/v1", timeout_s=5,
                               retries=0), OfflinePolicy(2, 0.8))
    j = judge.judge(q, [Exchange(q.prompt, "LoRA trains two low rank matrices.")], [])
    assert j.policy == "offline"
    assert j.fallback is not None and j.fallback.startswith(
        f"the LLM could not connect to 127.0.0.1:{port}: connection refused")


@pytest.mark.anyio
async def test_the_app_says_when_the_terminal_is_too_small(tmp_path):
    from tests.tui_support import app_for

    app = app_for(tmp_path)
    async with app.run_test(size=(40, 10), notifications=True) as pilot:
        await pilot.pause()
        toasts = [str(t.render()) for t in app.screen.query("Toast")]
        assert any("This terminal is 40x10; the app needs at least 70x20" in t for t in toasts)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert not app.screen.query("Toast")
