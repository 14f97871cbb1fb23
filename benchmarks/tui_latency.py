"""How fast the app feels, measured in a real terminal (tmux).

    .venv/bin/python benchmarks/tui_latency.py [--runs 5] [--answer-s 40]

Measures:
  1. launch: from starting `interview` to its first screen being on the terminal, and to
     the set-up screen being ready (banks read, so Enter starts a round);
  2. keypress to screen while the round is transcribing: during a spoken answer (fed in
     real time from a file, with the live transcript being made every 2 s) and while its
     final transcript is made, `p` pauses and resumes (the status line changes) and `?`
     opens and closes the keys (a screen over the round); the time from sending the key
     to the change being on the terminal is measured each time.

The terminal is tmux; reading its screen costs a few milliseconds, so the figures are
upper bounds (each is the first poll at which the change showed).
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.round_latency import SENTENCES, VOICE  # noqa: E402
from simulator.audio.sources import read_audio  # noqa: E402
from simulator.speech.tts import Pyttsx3Synthesizer  # noqa: E402

FIRST_SCREEN = "set up a round"
READY = "question chosen"


class Terminal:
    def __init__(self, socket: Path, width: int = 100, height: int = 30):
        self.base = ["tmux", "-S", str(socket)]
        self.size = (width, height)

    def start(self, command: str) -> float:
        t = time.perf_counter()
        subprocess.run([*self.base, "new-session", "-d", "-s", "bench", "-x",
                        str(self.size[0]), "-y", str(self.size[1]), command], check=True)
        return t

    def screen(self) -> str:
        return subprocess.run([*self.base, "capture-pane", "-p", "-t", "bench"],
                              capture_output=True, text=True).stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "bench", *keys], check=True)

    def wait(self, cond, timeout: float = 60.0) -> float:  # type: ignore[no-untyped-def]
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if cond(self.screen()):
                return time.perf_counter()
            time.sleep(0.002)
        raise TimeoutError(self.screen())

    def stop(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


def command(tmp: Path, *args: str) -> str:
    env = (f"XDG_CONFIG_HOME={tmp / 'config'} XDG_DATA_HOME={tmp / 'data'} "
           f"TERM=xterm-256color")
    exe = ROOT / ".venv" / "bin" / "interview"
    return (f"cd {shlex.quote(str(ROOT))} && env {env} {shlex.quote(str(exe))} "
            + " ".join(shlex.quote(a) for a in args) + "; sleep 30")


def launch_times(tmp: Path, runs: int) -> tuple[list[float], list[float]]:
    first, ready = [], []
    for i in range(runs):
        term = Terminal(tmp / f"launch{i}.sock")
        try:
            t0 = term.start(command(tmp, "--no-speak", "--sessions-dir", str(tmp / "s"),
                                    "--question", "starter-lora", "--bank", "starter"))
            first.append(term.wait(lambda s: FIRST_SCREEN in s) - t0)
            ready.append(term.wait(lambda s: READY in s) - t0)
        finally:
            term.stop()
    return first, ready


def long_answer(folder: Path, seconds: float) -> Path:
    synth = Pyttsx3Synthesizer()
    parts: list[np.ndarray] = []
    i = 0
    while sum(len(p) for p in parts) < seconds * 16000:
        p = folder / f"s{i}.wav"
        synth.render(SENTENCES[i % len(SENTENCES)], p, VOICE)
        parts.append(read_audio(p))
        parts.append(np.zeros(6400, dtype=np.float32))
        i += 1
    answers = folder / "answers"
    answers.mkdir()
    sf.write(str(answers / "01.wav"), np.concatenate(parts)[: int(seconds * 16000)], 16000)
    return answers


def key_delays(tmp: Path, answer_s: float) -> dict[str, list[float]]:
    answers = long_answer(tmp, answer_s)
    term = Terminal(tmp / "keys.sock")
    out: dict[str, list[float]] = {f"{key} {phase}": [] for key in ("p", "?")
                                   for phase in ("answering", "transcribing")}

    def timed(key: str, phase: str, shows: str, present: bool = True) -> None:
        t0 = time.perf_counter()
        term.keys(key)
        t1 = term.wait(lambda s: (shows in s) == present, 10)
        out[f"{'p' if key == 'p' else '?'} {phase}"].append(t1 - t0)

    try:
        term.start(command(tmp, "--answers", str(answers), "--bank", "starter", "--question",
                           "starter-rag-design", "--no-speak", "--sessions-dir",
                           str(tmp / "s2")))
        term.wait(lambda s: READY in s, 60)
        term.keys("Enter")
        term.wait(lambda s: "Listening" in s, 60)
        time.sleep(2.5)  # the first live transcription is under way
        def over(shown: str) -> bool:
            # Practice mode asks to check what was heard (keys then go to that box), or
            # the round moves on.
            return any(x in shown for x in ("Verdict", "Press space", "Report",
                                            "Check what was heard"))

        while not over(shown := term.screen()):
            phase = "transcribing" if "Transcribing" in shown else "answering"
            try:
                timed("p", phase, "Paused")
                timed("p", phase, "Paused", present=False)
                timed("?", phase, "Keys on this screen")
                timed("?", phase, "Keys on this screen", present=False)  # ? closes it too
            except TimeoutError:
                if over(term.screen()):
                    break  # the answer ended between a look and a key: the key went there
                raise
            time.sleep(0.1)
    finally:
        term.stop()
    return out


def read_cost(tmp: Path) -> float:
    term = Terminal(tmp / "cost.sock")
    term.start("sleep 5")
    try:
        t0 = time.perf_counter()
        for _ in range(20):
            term.screen()
        return (time.perf_counter() - t0) / 20
    finally:
        term.stop()


def summary(name: str, xs: list[float]) -> str:
    if not xs:
        return f"{name}: no samples"
    ms = sorted(x * 1000 for x in xs)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return (f"{name}: median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
            f"max {ms[-1]:.0f} ms over {len(ms)} key presses")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="launches to time")
    ap.add_argument("--answer-s", type=float, default=40.0, help="length of the spoken answer")
    args = ap.parse_args()
    if shutil.which("tmux") is None:
        print("needs tmux (apt-get install tmux)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        first, ready = launch_times(tmp, args.runs)
        print(f"launch to first screen: median {statistics.median(first) * 1000:.0f} ms "
              f"(min {min(first) * 1000:.0f}, max {max(first) * 1000:.0f}, {len(first)} runs)")
        print(f"launch to set-up ready (banks read): median "
              f"{statistics.median(ready) * 1000:.0f} ms")
        delays = key_delays(tmp, args.answer_s)
        print("keypress to screen, while answering (live transcript every 2 s):")
        print("  " + summary("p, the status line", delays["p answering"]))
        print("  " + summary("?, the keys screen", delays["? answering"]))
        print("keypress to screen, while the final transcript is made:")
        print("  " + summary("p, the status line", delays["p transcribing"]))
        print("  " + summary("?, the keys screen", delays["? transcribing"]))
        print(f"(a terminal read costs about {read_cost(tmp) * 1000:.1f} ms: the resolution)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
