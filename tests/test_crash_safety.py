"""Nothing recorded is lost to a crash: the answer WAV is valid while it grows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import soundfile as sf

from simulator.sessions.store import read_session

WRITER = r"""
import sys, time, numpy as np
from pathlib import Path
from simulator.audio.wavwriter import IncrementalWavWriter
w = IncrementalWavWriter(Path(sys.argv[1]), 16000, sync_every_s=0.5)
frame = (np.sin(np.arange(480) / 5) * 0.3).astype("float32")
n = 0
while True:
    w.write(frame); n += 1
    if n == 100:  # 3 s written
        print("ready", flush=True)
    time.sleep(0.001)
"""


def test_a_killed_recording_keeps_all_but_the_last_half_second(tmp_path):
    path = tmp_path / "answer.wav"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    info = sf.info(str(path))
    assert info.samplerate == 16000
    assert info.duration >= 3.0 - 0.5
    data, _ = sf.read(str(path))
    assert len(data) == info.frames and abs(data).max() > 0.2


def test_an_interrupted_session_can_still_be_read(tmp_path):
    from simulator.engine.events import QuestionAsked, SessionStarted, SttSummary, TurnKind
    from simulator.sessions.store import SessionWriter

    w = SessionWriter(tmp_path, "crash")
    w.handle(SessionStarted(0.0, w.id, "starter", "coach", "offline",
                            SttSummary("tiny.en", "cpu", "int8"), ["q1"], "files"))
    w.handle(QuestionAsked(1.0, 1, TurnKind.QUESTION, "q1", "Why?", None,
                           "audio/01-prompt.wav", 60))
    # A torn final line, as a crash mid-write leaves it.
    with (w.dir / "events.jsonl").open("a") as fh:
        fh.write('{"type": "answer_fin')
    s = read_session(w.dir)
    assert s.manifest["status"] == "interrupted"
    assert [e.type for e in s.events] == ["session_started", "question_asked"]
