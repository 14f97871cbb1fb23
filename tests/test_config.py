"""Config layers: shipped defaults < user file < --config < environment < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import locations
from simulator.config import load_settings
from simulator.errors import UserError
from tests.conftest import run_cli


def test_later_layers_win(tmp_path, monkeypatch):
    user = locations.user_config_file()
    user.parent.mkdir(parents=True)
    user.write_text('[stt]\nbeam_size = 2\ndevice = "cpu"\n[audio]\nsilence_s = 4.0\n')
    extra = tmp_path / "extra.toml"
    extra.write_text("[stt]\nbeam_size = 3\n")
    s = load_settings()
    assert (s.stt.beam_size, s.audio.silence_s, s.stt.model) == (2, 4.0, "tiny.en")
    s = load_settings(extra)
    assert s.stt.beam_size == 3 and s.audio.silence_s == 4.0
    s = load_settings(extra, environ={"INTERVIEW_STT__BEAM_SIZE": "4"})
    assert s.stt.beam_size == 4
    s = load_settings(extra, {"stt": {"beam_size": 6}}, environ={"INTERVIEW_STT__BEAM_SIZE": "4"})
    assert s.stt.beam_size == 6 and s.stt.device == "cpu"


def test_env_can_point_at_a_config_file(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text('[interview]\npersona = "senior"\n')
    assert load_settings(environ={"INTERVIEW_CONFIG": str(f)}).interview.persona == "senior"


def test_unknown_key_names_the_file_and_key(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text("[stt]\nbeam = 3\n")
    with pytest.raises(UserError) as exc:
        load_settings(f)
    assert str(f) in str(exc.value) and "stt.beam" in str(exc.value)


def test_bad_value_is_a_one_line_error_with_exit_code_2(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text('[stt]\ndevice = "gpu"\n')
    out = run_cli("doctor", "--config", str(f))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert str(f) in out.stderr and "stt.device" in out.stderr


def test_cuda_without_a_gpu_falls_back_to_the_cpu_with_a_notice():
    from simulator.speech.stt import cuda_device_count, resolve

    if cuda_device_count():
        pytest.skip("this machine has CUDA")
    info = resolve(load_settings(overrides={"stt": {"device": "cuda"}}).stt)
    assert info.device == "cpu" and info.compute_type == "int8"
    assert any("CUDA" in n for n in info.notices)


def test_a_model_that_needs_a_download_is_refused_when_downloads_are_off():
    from simulator.speech.stt import resolve

    with pytest.raises(UserError, match="allow_download"):
        resolve(load_settings(overrides={"stt": {"model": "small.en"}}).stt)


def test_shipped_example_configs_load():
    for f in sorted((Path(locations.PROJECT_ROOT) / "configs").glob("*.toml")):
        load_settings(f)
