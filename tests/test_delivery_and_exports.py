"""Delivery figures in the round, and the exports parsed back."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from simulator.delivery.metrics import measure
from simulator.speech.transcript import Word
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def demo_session(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("sessions")
    out = run_cli("demo", "--no-speak", "--json", "--sessions-dir", str(root))
    assert out.returncode == 0, out.stderr
    return root, json.loads(out.stdout)


def test_each_answer_and_the_round_carry_delivery(demo_session):
    _, doc = demo_session
    for t in doc["turns"]:
        if not t["answer"]:
            continue
        d = t["delivery"]
        assert set(d) >= {"wpm", "articulation_wpm", "fillers", "hedges", "pauses",
                          "time_to_first_word_s", "budget_s", "over_budget"}
        # espeak-ng at rate 150 speaks at roughly 150 to 180 words a minute.
        assert 120 < d["wpm"] < 210 and d["articulation_wpm"] >= d["wpm"]
        assert set(d["fillers"]) >= {"count", "per_min", "items"}
    r = doc["delivery"]
    assert r["answers"] >= 3 and 120 < r["wpm"] < 210


def test_fillers_hedges_and_pauses_point_at_times():
    words = [Word("So,", 0.4, 0.6, 0.9), Word("um,", 0.7, 0.9, 0.9, True),
             Word("I", 1.0, 1.1, 0.9), Word("guess", 1.1, 1.4, 0.9),
             Word("it's,", 1.5, 1.7, 0.9), Word("like,", 1.8, 2.0, 0.9),
             Word("fast.", 4.5, 4.9, 0.9), Word("I'd", 5.0, 5.1, 0.9),
             Word("like", 5.1, 5.3, 0.9), Word("a", 5.3, 5.4, 0.9), Word("cache.", 5.4, 5.9, 0.9)]
    audio = np.zeros(16000 * 6, dtype=np.float32)
    for w in words:
        audio[int(w.start * 16000): int(w.end * 16000)] = 0.2
    d = measure(words, audio, budget_s=3, text="So, um, I guess it's, like, fast.")
    fillers = [(i.word, i.start) for i in d.fillers.items]
    assert ("um", 0.7) in fillers and ("like", 1.8) in fillers
    assert ("like", 5.1) not in fillers  # "I'd like a cache" is a verb, not a filler
    assert [(h.word, h.start) for h in d.hedges.items] == [("i guess", 1.0)]
    assert len(d.pauses) == 1 and abs(d.pauses[0].start - 2.0) <= 0.05
    assert abs(d.pauses[0].duration_s - 2.5) <= 0.05
    assert d.time_to_first_word_s == 0.4 and d.over_budget


def test_pace_counts_words_not_the_decoders_pieces_or_loops():
    # Whisper wrote "pretrained" as two pieces and looped on "and": the pace counts the
    # hyphenated word once and the run of "and" as a word said twice, 11 words in 6 s.
    said = ["LoRA", "freezes", "the", "pre", "-trained", "weights", "and,", "and,", "and,",
            "and", "trains", "a", "small", "update."]
    words = [Word(w, 0.5 + i * 6 / len(said), 0.5 + (i + 1) * 6 / len(said), 0.9)
             for i, w in enumerate(said)]
    audio = np.full(16000 * 7, 0.2, dtype=np.float32)
    d = measure(words, audio, budget_s=60)
    assert d.wpm == pytest.approx(110, rel=0.01)  # the 14 pieces would read as 140


def test_words_invented_over_the_closing_silence_are_dropped():
    from simulator.speech.verbatim import drop_unvoiced_tail, voiced_frames

    audio = np.zeros(16000 * 5, dtype=np.float32)
    audio[: 16000 * 3] = 0.2 * np.sin(np.arange(16000 * 3) / 3)
    voiced = voiced_frames(audio)
    said = [Word("keep", 0.2, 1.0, 0.9), Word("it", 1.0, 1.5, 0.9),
            Word("brief.", 1.5, 2.9, 0.95)]
    invented = [Word("Thank", 3.1, 3.5, 0.01), Word("you.", 3.5, 3.5, 0.98)]
    assert drop_unvoiced_tail(said + invented, voiced) == said
    # A confident word Whisper stretched into the silence is the speaker's.
    stretched = [*said[:2], Word("brief.", 1.5, 4.5, 0.95)]
    assert drop_unvoiced_tail(stretched, voiced) == stretched
    # A loop of an outro, squeezed to no length, goes however long it is.
    loop = [Word(w, 3.2, 3.2, 0.7) for w in "see you next time, we'll see you next time".split()]
    assert drop_unvoiced_tail(said + [Word("We'll", 3.0, 3.2, 0.1), *loop], voiced) == said
    # A sentence begun over the end of the last word, squeezed and unsure, goes too.
    begun = [Word("That's", 2.9, 2.9, 0.29), Word("what", 2.9, 2.94, 0.18)]
    assert drop_unvoiced_tail(said + begun, voiced) == said
    # And a voiced closing word stays however unsure the decoder was of it.
    unsure = [*said[:2], Word("brief.", 1.5, 2.9, 0.05)]
    assert drop_unvoiced_tail(unsure, voiced) == unsure


def test_a_filler_stretched_over_a_pause_is_placed_on_its_voice():
    from simulator.speech.verbatim import keep_real_fillers, voiced_frames

    audio = np.zeros(16000 * 8, dtype=np.float32)
    for a, b in ((0.3, 1.5), (4.0, 4.4), (4.6, 5.5)):  # words, the "uh", words
        audio[int(a * 16000): int(b * 16000)] = 0.2 * np.sin(np.arange(int((b - a) * 16000)))
    # Whisper let the filler run from the end of the first words over the whole pause.
    words = [Word("acting,", 0.3, 1.5, 0.9), Word("uh,", 1.5, 4.7, 0.1),
             Word("it", 4.7, 4.9, 0.9), Word("calls", 4.9, 5.5, 0.9)]
    kept = keep_real_fillers(words, voiced_frames(audio))
    uh = next(w for w in kept if w.filler)
    assert abs(uh.start - 4.0) <= 0.05 and abs(uh.end - 4.4) <= 0.05


def test_fillers_around_thinking_pauses_are_kept_and_none_is_invented_at_the_end(
        synth, tmp_path):
    from simulator.audio.sources import read_audio
    from simulator.config import load_settings
    from simulator.speech.stt import WhisperTranscriber
    from simulator.speech.tts import VoiceSettings

    said = ["LoRA freezes the pretrained weights", 1.2,
            "and trains a small low rank update instead", "um",
            "which you can merge back after training", 3.0, "so serving costs nothing extra"]
    parts = []
    for i, part in enumerate(said):
        if isinstance(part, float):
            parts.append(np.zeros(int(part * 16000), dtype=np.float32))
            continue
        synth.render(part, tmp_path / f"{i}.wav", VoiceSettings("en-us", 140, 1.0))
        voice = read_audio(tmp_path / f"{i}.wav")
        loud = np.flatnonzero(np.abs(voice) > 0.02)
        parts += [voice[loud[0]: loud[-1] + 1], np.zeros(1920, dtype=np.float32)]
    audio = np.concatenate(parts)
    heard = WhisperTranscriber(load_settings(include_user_file=False).stt).transcribe(audio)
    assert [w.word.strip(",. ").lower() for w in heard.words if w.filler] == ["um"]
    assert "merge back" in heard.text and "serving" in heard.text


def _times(text: str, sep: str) -> list[tuple[float, float]]:
    pat = rf"(\d\d):(\d\d):(\d\d){sep}(\d\d\d) --> (\d\d):(\d\d):(\d\d){sep}(\d\d\d)"
    out = []
    for m in re.finditer(pat, text):
        g = [int(x) for x in m.groups()]
        out.append((g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000,
                    g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000))
    return out


def test_subtitles_follow_the_round_audio(demo_session, tmp_path):
    root, doc = demo_session
    for fmt, sep in (("srt", ","), ("vtt", r"\.")):
        out = run_cli("report", doc["session_id"], "--format", fmt, "--out", str(tmp_path),
                      "--sessions-dir", str(root))
        assert out.returncode == 0, out.stderr
        sub, wav = [Path(p) for p in out.stdout.split()]
        text = sub.read_text()
        times = _times(text, sep)
        assert len(times) > len(doc["turns"])
        assert all(a < b for a, b in times)
        assert all(b1 <= a2 for (_, b1), (a2, _) in zip(times, times[1:], strict=False))
        assert times[-1][1] <= sf.info(str(wav)).duration + 0.3
        assert "Interviewer:" in text or "<v Interviewer>" in text
        if fmt == "vtt":
            assert text.startswith("WEBVTT")


def test_markdown_html_and_json_reports(demo_session, tmp_path):
    root, doc = demo_session
    for fmt in ("md", "html", "json"):
        out = run_cli("report", doc["session_id"], "--format", fmt, "--out", str(tmp_path),
                      "--sessions-dir", str(root))
        assert out.returncode == 0, out.stderr
        body = Path(out.stdout.strip()).read_text()
        if fmt == "json":
            assert json.loads(body)["turns"] == doc["turns"]
        elif fmt == "md":
            assert "## Delivery" in body and "words a minute" in body
        else:
            assert body.count("<svg") == 3 and "<script" not in body
            assert "<h3>Delivery</h3>" in body and "<blockquote>" in body


def test_progress_shows_trends_across_rounds(demo_session):
    root, doc = demo_session
    out = run_cli("progress", "--json", "--sessions-dir", str(root))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["summary"]["rounds"] >= 1
    row = data["rounds"][-1]
    assert row["id"] == doc["session_id"] and 0 < row["coverage"] <= 1 and row["wpm"] > 100
    text = run_cli("progress", "--sessions-dir", str(root)).stdout
    assert "words a minute" in text and "Missed most often" in text


def test_the_html_report_shows_its_plots_in_a_real_browser(demo_session, tmp_path):
    """Opened in headless Chromium (installed by scripts/setup): the bar plots are drawn."""
    from tests.png import read_rgb

    root, doc = demo_session
    out = run_cli("report", doc["session_id"], "--format", "html", "--out", str(tmp_path),
                  "--sessions-dir", str(root))
    page = Path(out.stdout.strip())
    shot = tmp_path / "shot.png"
    browser = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    assert browser, "no headless Chromium; run scripts/setup"
    subprocess.run([browser, "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1000,1600", page.as_uri()],
                   capture_output=True, timeout=60, check=True)
    width, height, rows = read_rgb(shot)
    # The bars are drawn in the report's blue (#4a7bd0): count the rows that show it.
    blue_rows = [y for y, row in enumerate(rows)
                 if sum(1 for x in range(0, width * 3, 3)
                        if abs(row[x] - 0x4A) < 24 and abs(row[x + 1] - 0x7B) < 24
                        and abs(row[x + 2] - 0xD0) < 24) > 40]
    answered = sum(1 for t in doc["turns"] if t["answer"] and not t["answer"]["silent"])
    bars = sum(1 for y in blue_rows if y - 1 not in blue_rows)  # separate bands of blue
    # One bar per question with coverage, one per answer with pace.
    assert bars >= answered, f"{bars} bars drawn for {answered} answers"
