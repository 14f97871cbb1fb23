"""Turn taking through the real microphone path: when the interviewer decides that an
answer is over, what that cuts off, and how long the candidate then waits.

    .venv/bin/python benchmarks/turn_taking.py [--quick] [--json] [--audio-cache DIR]
        [--paths default,naive] [--only ANSWER_ID,...] [--keep DIR]

The spoken answers of tests/fixtures/turn_taking/answers.yaml (complete answers of about
15 s, 60 s and 3 minutes; answers with one or two 2 to 3 s thinking pauses, after a
finished sentence or mid-clause; answers that trail off on "and, um"; answers where the
candidate resumes 1 s after the interviewer has decided a pause was the end) are rendered
by pyttsx3/espeak-ng part by part, trimmed and joined with known silences as
benchmarks/delivery.py does, so the true time of each part's first and last word is known
(words inside a part are placed by their letters).

A PulseAudio server of the run's own (scripts/pulse with a private runtime folder, so no
other test's audio reaches it) gives a null sink. Each path runs one whole round in a
subprocess of its own, so its peak memory is its own. The round is assembled by
simulator.rounds as `interview run` assembles it (microphone answers, a live draft every
2 s), with the offline judge and no follow-ups, so each question gets one scripted answer
and each turn is one script. The microphone is the engine's own sounddevice stream on the
sink's monitor; the candidate speaks into the sink in real time, starting LEAD_S after
the engine starts listening (AnswerStarted). The interviewer's voice is never played into
the sink: the round's player notes when it is called (the interviewer's audio starting),
waits as long as the prompt takes to say, or until the engine stops it, and then, unless
stopped, until the candidate is quiet: an answer whose end came too early plays on to its
end, and the next answer starts only after it.

Printed for each path, side by side:
  - answers cut off: speech of the answer after the (last) end was decided, or a stretch
    after a pause (a resume included) mostly missing from the judged transcript;
  - starts clipped: the answer's first word not among the transcript's first words;
  - last word -> end decided (median, p95; answers not cut off);
  - end decided -> next prompt ready (TurnTimed.next_prompt_ms; p50, p95 by length);
  - last word -> the interviewer's audio starting (median, p95; answers not cut off, and
    of them the complete answers, which the issue's 1.0 s / 1.8 s target is about);
  - live transcript lag, p95: for each PartialTranscript, its arrival minus the true end of
    the last script word it contains (its words aligned with the words already spoken);
  - resumes caught: resume answers whose words after the pause are in the same answer;
  - peak memory: the worker's RSS high-water mark (it includes the one answer's audio the
    candidate holds, 12 MB at most);
  - WER of the final transcripts against the scripts, fillers left out on both sides;
  - audio path delay, the alignment check (below), and per answer the silence the
    recording holds after the last sound, which no clock error touches.
"Last word" is the end of the last voice, a trailing "um" included.

Clock and error: everything is on the worker's time.monotonic(). Engine events are placed
at Interview._t0 + event.t (t is rounded to 1 ms). The candidate speaks through one output
stream kept open all round (a null sink that no stream keeps busy renders 2 s at a time,
so each stream starting on it would wait up to 2 s); a word's time is when the block
holding its segment's first sample is heard (PortAudio's DAC time) plus the word's place
in the rendered audio. The check: each answer's first sound in the recording, put on the
clock by the InputLevel events (the soonest a level was relayed after its frame), minus
that time. It is within a frame (30 ms) of zero here (-20 ms), so the timings are good to
a few hundredths. Word times inside a part are interpolated (+-0.2 s), which moves only
the live lag. An answer recorded longer than it was played (a gap put into it on the way,
as a sound server starved on a busy machine could) is named in a note: rerun then.

"default" is the round as configured by default (simulator/config.py), whatever the
engine does at the commit measured (printed); "naive" is the same with a fixed 3 s
silence window and the answer transcribed only after its end (PATHS lists what it
switches off: a refinement added later must be switched off there too). More
paths are added to PATHS (name -> settings overrides). espeak-ng never renders a text to
the same samples twice: --audio-cache DIR keeps the rendered answers for a later run.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import math
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.delivery import JOIN_S, _trim  # noqa: E402
from simulator.audio import SAMPLE_RATE  # noqa: E402
from simulator.audio.sources import read_audio  # noqa: E402
from simulator.config import Settings, load_settings  # noqa: E402
from simulator.engine import LIVE_TRANSCRIPT_S as LIVE_DEFAULT  # noqa: E402
from simulator.engine import events as ev  # noqa: E402
from simulator.speech.tts import Pyttsx3Synthesizer, VoiceSettings  # noqa: E402
from simulator.text import bare_alnum, is_filler, strip_fillers, tokens  # noqa: E402

ANSWERS = ROOT / "tests" / "fixtures" / "turn_taking" / "answers.yaml"
#: The candidate's voice in the tests: clear, 150 words a minute.
VOICE = VoiceSettings("en-us", 150, 1.0)
#: The candidate starts this soon after listening begins, so a clipped start shows.
LEAD_S = 0.5
#: A candidate who paused as if finished goes on after this much silence even if the
#: interviewer has not decided the answer is over.
RESUME_GIVE_UP_S = 6.0
#: The ALSA device of the PulseAudio server: plays into the null sink 'virt' and records
#: its monitor (scripts/pulse makes them the defaults), as tests/test_microphone_path.py.
DEVICE = "pulse"
#: How often a microphone answer is drafted for the live view, as `interview run` does.
LIVE_TRANSCRIPT_S = LIVE_DEFAULT
#: The paths compared: settings overrides on top of the defaults; "live_transcript_s" is
#: the live draft interval. A setting this version does not have is left out, with a note.
#: "naive" switches off every reading and end-of-turn refinement: a fixed 3 s window
#: (thinking_s no longer than silence_s), no turn model, the answer read after its end,
#: and an end once decided is final (no resume).
PATHS: dict[str, dict[str, Any]] = {
    "default": {},
    "naive": {"audio": {"silence_s": 3.0, "thinking_s": 3.0, "turn_model": False,
                        "speculate": False, "streaming": False, "resume_s": 0.0}},
}
#: What every path shares: the microphone, one answer per question, the offline judge.
COMMON: dict[str, dict[str, Any]] = {
    "audio": {"input_device": DEVICE}, "interview": {"max_follow_ups": 0},
    "llm": {"model": ""}}
#: A stretch of speech counts as heard when this share of its words is in the transcript
#: (tiny.en mishears a word in ten, so "all of them" would flag good answers).
RUN_HEARD = 0.5
#: Stretches shorter than this many words ("and, um") are judged by time only.
MIN_RUN_WORDS = 3
#: The first word is looked for among this many words at the transcript's start.
CLIP_WINDOW = 3
#: Two spellings of a word this similar (difflib ratio) are the same word heard.
SAME_WORD = 0.75
#: Letters-per-word weight: a word's share of its part's time is its letters plus this.
WORD_WEIGHT = 2
#: Answer length classes: (upper bound in seconds of speech, label); the bounds are the
#: geometric means of 15 s, 60 s and 180 s.
LENGTHS = ((30.0, "about 15 s"), (104.0, "about 60 s"), (math.inf, "about 3 min"))
#: The candidate's output buffer: enough that a busy Python thread cannot starve it (at
#: 8.5 ms it ran dry 58 times in 10 s here, stretching the answer by 1.5 s), small enough
#: that the null sink keeps starting a microphone stream within about 0.1 s.
MOUTH_LATENCY_S = 0.1
#: Longest wait for the microphone's first block when opening it once before the round.
WARM_UP_WAIT_S = 5.0
#: A recorded sample this loud is the answer's sound (the null sink is silent otherwise).
ONSET_LEVEL = 0.01
#: An answer recorded this much longer than it was played had a gap put in it on the way
#: (a sound server that fell behind on a busy machine): its timings are suspect.
STRETCH_S = 0.1
#: How often the fake player looks whether it was stopped or the candidate is quiet.
POLL_S = 0.02
#: Longest wait for our PulseAudio server to exit.
PULSE_EXIT_WAIT_S = 5.0
#: Lines PortAudio's ALSA layer prints on every stream start into a null sink.
ALSA_NOISE = "snd_pcm_recover"


# --- The answers: scripts, rendered with the truth of every word ---------------------


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    """Seconds into its segment's audio."""
    end: float
    run: int
    """Which stretch of speech of the answer (stretches are split by pauses)."""
    filler: bool


@dataclass(frozen=True)
class Segment:
    """Audio played in one go; a resume starts a new one."""

    audio: str
    """A .npy file of 16 kHz float32 samples."""
    resume_s: float | None
    """None for the first; else it starts this long after the end is decided."""
    words: list[Word]


@dataclass(frozen=True)
class Answer:
    id: str
    kind: str
    question: str
    segments: list[Segment]
    speech_s: float
    """Seconds of the answer's audio, the waits before resuming left out."""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Answer:
        segs = [Segment(s["audio"], s["resume_s"], [Word(**w) for w in s["words"]])
                for s in d["segments"]]
        return cls(d["id"], d["kind"], d["question"], segs, d["speech_s"])

    @property
    def length(self) -> str:
        return next(label for bound, label in LENGTHS if self.speech_s < bound)


def load_scripts(quick: bool, only: list[str]) -> list[dict[str, Any]]:
    """The scripts to run, in their order: those named in ``only``, else the quick ones
    or all."""
    scripts = yaml.safe_load(ANSWERS.read_text())["answers"]
    if only:
        missing = set(only) - {s["id"] for s in scripts}
        if missing:
            raise SystemExit(f"no such answer in {ANSWERS.name}: {', '.join(sorted(missing))}")
        return [s for s in scripts if s["id"] in only]
    return [s for s in scripts if s.get("quick")] if quick else scripts


def word_times(text: str, start: float, length: float, run: int) -> list[Word]:
    """The words of one rendered part, its length shared out by their letters."""
    words = text.split()
    weights = [len(bare_alnum(w)) + WORD_WEIGHT for w in words]
    total, t, out = sum(weights), start, []
    for w, weight in zip(words, weights, strict=True):
        d = length * weight / total
        out.append(Word(w, round(t, 3), round(t + d, 3), run, is_filler(w)))
        t += d
    return out


def render_part(text: str, synth: Pyttsx3Synthesizer, work: Path) -> np.ndarray:
    wav = work / "part.wav"
    synth.render(text, wav, VOICE)
    return _trim(read_audio(wav))


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def render_answer(script: dict[str, Any], synth: Pyttsx3Synthesizer, work: Path,
                  out: Path, key: str) -> Answer:
    """Render each part, trim it and join the parts as delivery.py's build() does."""
    segments: list[Segment] = []
    chunks: list[np.ndarray] = []
    words: list[Word] = []
    t, run, resume = 0.0, 0, None
    speech_s = 0.0

    def close() -> None:
        path = out / f"{key}-{len(segments)}.npy"
        np.save(path, np.concatenate(chunks))
        segments.append(Segment(str(path), resume, words))

    for part in script["parts"]:
        if isinstance(part, dict) and "resume" in part:
            close()
            speech_s += t
            chunks, words, t, run, resume = [], [], 0.0, run + 1, float(part["resume"])
        elif isinstance(part, dict):
            chunks.append(silence(float(part["pause"])))
            t, run = t + float(part["pause"]), run + 1
        else:
            audio = render_part(str(part), synth, work)
            words += word_times(str(part), t, len(audio) / SAMPLE_RATE, run)
            chunks += [audio, silence(JOIN_S)]
            t += len(audio) / SAMPLE_RATE + JOIN_S
    close()
    return Answer(script["id"], script["kind"], script["question"], segments,
                  round(speech_s + t, 2))


def cached_answer(script: dict[str, Any], synth: Pyttsx3Synthesizer, work: Path,
                  cache: Path) -> Answer:
    """render_answer(), or the one an earlier run rendered from the same parts."""
    made = json.dumps([script["parts"], asdict(VOICE), JOIN_S])
    digest = hashlib.sha1(made.encode()).hexdigest()[:8]
    key = f"{script['id']}-{digest}"
    meta = cache / f"{key}.json"
    if meta.exists():
        answer = Answer.from_dict(json.loads(meta.read_text()))
        if all(Path(s.audio).exists() for s in answer.segments):
            return answer
    cache.mkdir(parents=True, exist_ok=True)
    answer = render_answer(script, synth, work, cache, key)
    meta.write_text(json.dumps(asdict(answer)))
    return answer


# --- PulseAudio --------------------------------------------------------------------


def start_pulse(runtime: Path) -> None:
    """A PulseAudio server of our own, started as the tests start theirs."""
    runtime.mkdir(mode=0o700, parents=True)
    out = subprocess.run(["bash", str(ROOT / "scripts" / "pulse")], capture_output=True,
                         text=True, env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)})
    if out.returncode != 0 or not (runtime / "pulse" / "pid").exists():
        raise SystemExit(f"could not start PulseAudio (run scripts/setup): {out.stderr}")


def stop_pulse(runtime: Path) -> None:
    """Stop the server start_pulse() started, and wait until it has left its folder."""
    try:
        pid = int((runtime / "pulse" / "pid").read_text().strip())
        os.kill(pid, signal.SIGTERM)
        for _ in range(int(PULSE_EXIT_WAIT_S / POLL_S)):
            os.kill(pid, 0)  # ProcessLookupError once it is gone
            time.sleep(POLL_S)
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass


# --- The worker: one path's round, in its own process ------------------------------


def path_settings(overrides: dict[str, Any], sessions: Path) -> tuple[Settings, list[str]]:
    """The path's settings, and the overrides this version has no setting for."""
    merged: dict[str, dict[str, Any]] = {k: dict(v) for k, v in COMMON.items()}
    dropped = []
    for section, values in overrides.items():
        if section == "live_transcript_s":
            continue
        model = Settings.model_fields[section].annotation
        fields = getattr(model, "model_fields", {})
        for key, value in values.items():
            if key in fields:
                merged.setdefault(section, {})[key] = value
            else:
                dropped.append(f"{section}.{key}")
    merged["sessions"] = {"dir": str(sessions)}
    return load_settings(overrides=merged, environ={}, include_user_file=False), dropped


def warm_up_microphone() -> None:
    """Open the microphone once: the first stream of a process takes a second to start."""
    import sounddevice as sd

    got = threading.Event()
    with sd.InputStream(device=DEVICE, samplerate=SAMPLE_RATE, channels=1, dtype="float32",
                        callback=lambda *_: got.set()):
        got.wait(WARM_UP_WAIT_S)


class Mouth:
    """The candidate's voice: one output stream into the sink for the whole round, silent
    between answers. A null sink that no stream keeps busy renders 2 s at a time, so each
    stream starting on it (the engine's microphone, each answer) would wait up to 2 s; a
    sound card starts in tens of ms, and a stream kept open makes the sink do the same."""

    def __init__(self) -> None:
        import sounddevice as sd

        self._lock = threading.Lock()
        self._audio: np.ndarray | None = None
        self._pos = 0
        self._started_at = 0.0
        self._done = threading.Event()
        #: Blocks the sink was not given in time: each is a gap in the answer's audio.
        self.underruns = 0
        self.stream = sd.OutputStream(device=DEVICE, samplerate=SAMPLE_RATE, channels=1,
                                      dtype="float32", latency=MOUTH_LATENCY_S,
                                      callback=self._fill)
        self.stream.start()

    def _fill(self, out: np.ndarray, frames: int, when: Any, status: Any) -> None:
        out.fill(0)
        with self._lock:
            if self._audio is None:
                return
            self.underruns += bool(status.output_underflow)
            if self._pos == 0:  # the block is heard once the buffer ahead of it has played
                self._started_at = time.monotonic() + max(
                    0.0, when.outputBufferDacTime - when.currentTime)
            chunk = self._audio[self._pos:self._pos + frames]
            out[:len(chunk), 0] = chunk
            self._pos += len(chunk)
            if self._pos >= len(self._audio):
                self._audio = None
                self._done.set()

    def say(self, audio: np.ndarray) -> float:
        """Play ``audio`` from the next block on; returns once all of it is written, with
        the time its first sample is heard."""
        with self._lock:
            self._audio, self._pos = audio, 0
            self._done.clear()
        self._done.wait()
        return self._started_at

    def close(self) -> None:
        self.stream.stop()
        self.stream.close()


class Speaking:
    """One answer being said: when each segment started, when its end was decided."""

    def __init__(self) -> None:
        self.plays: list[float] = []
        self.decided_at: float | None = None
        self.decided = threading.Event()
        self.done = threading.Event()


class Candidate:
    """Says the scripted answers into the sink, one per turn, in a thread of its own."""

    def __init__(self, answers: list[Answer], mouth: Mouth):
        self.answers = answers
        self.mouth = mouth
        self.spoken: list[Speaking] = []

    def speak_next(self, listening_at: float) -> None:
        if len(self.spoken) >= len(self.answers):
            return  # a turn beyond the scripts: the candidate says nothing
        answer, speaking = self.answers[len(self.spoken)], Speaking()
        self.spoken.append(speaking)
        threading.Thread(target=self._say, args=(answer, speaking, listening_at),
                         name="candidate", daemon=True).start()

    def end_decided(self, at: float) -> None:
        if self.spoken and self.spoken[-1].decided_at is None:
            self.spoken[-1].decided_at = at
            self.spoken[-1].decided.set()

    def quiet(self) -> bool:
        return not self.spoken or self.spoken[-1].done.is_set()

    def join(self) -> None:
        for s in self.spoken:
            s.done.wait()

    @staticmethod
    def _resume_at(speaking: Speaking, resume_s: float) -> float:
        """When to go on after a pause that sounded final: ``resume_s`` after the end was
        decided, or at once after RESUME_GIVE_UP_S of no decision."""
        if speaking.decided.wait(RESUME_GIVE_UP_S) and speaking.decided_at is not None:
            return speaking.decided_at + resume_s
        return time.monotonic()

    def _say(self, answer: Answer, speaking: Speaking, listening_at: float) -> None:
        try:
            start = listening_at + LEAD_S
            for seg in answer.segments:
                audio = np.load(seg.audio)
                if seg.resume_s is not None:
                    start = self._resume_at(speaking, seg.resume_s)
                # Queued a buffer ahead, so that it is heard at ``start``.
                time.sleep(max(0.0, start - MOUTH_LATENCY_S - time.monotonic()))
                speaking.plays.append(self.mouth.say(audio))
        finally:
            speaking.done.set()


class Interviewer:
    """The round's player: notes when each remark starts, plays nothing into the sink."""

    def __init__(self, candidate: Candidate):
        self.candidate = candidate
        self.calls: list[tuple[float, str]] = []

    def __call__(self, path: Path, stop: threading.Event) -> None:
        import soundfile as sf

        self.calls.append((time.monotonic(), path.name))
        stop.wait(sf.info(str(path)).duration)  # as long as saying it takes
        while not stop.is_set() and not self.candidate.quiet():
            stop.wait(POLL_S)  # the candidate is still talking: no next answer yet


class Observed:
    """What the worker saw of each turn, on time.monotonic()."""

    def __init__(self, t0: float | None):
        self.t0 = t0
        self.turns: dict[int, dict[str, Any]] = {}
        self.notices: list[str] = []
        self.ended: dict[str, Any] = {}

    def at(self, e: ev.Event) -> float:
        return self.t0 + e.t if self.t0 is not None else time.monotonic()

    def add(self, e: ev.Event) -> None:
        turn = self.turns.setdefault(getattr(e, "turn", 0), {"drafts": []})
        if isinstance(e, ev.AnswerStarted):
            turn["listening_at"] = self.at(e)
        elif isinstance(e, ev.InputLevel):
            # Frame time 0 on this clock: the soonest a level was relayed after its frame.
            zero = self.at(e) - e.elapsed_s
            turn["frame_zero"] = min(turn.get("frame_zero", zero), zero)
            turn["frame_lag_s"] = round(zero - turn["frame_zero"], 3)
        elif isinstance(e, ev.PartialTranscript):
            turn["drafts"].append((self.at(e), e.text))
        elif isinstance(e, ev.AnswerStopped):
            # An engine that takes the turn back when the candidate resumes may decide an
            # end more than once: the first is what a resuming candidate hears, the last
            # is the one that counts.
            turn.setdefault("first_decided_at", self.at(e))
            turn["decided_at"] = self.at(e)
        elif isinstance(e, ev.AnswerFinished):
            turn.update(transcript=e.transcript, duration_s=e.duration_s, audio=e.audio,
                        end_reason=str(e.end_reason), transcript_ms=e.transcript_ms,
                        speculative=e.speculative)
        elif isinstance(e, ev.TurnTimed):
            turn["next_prompt_ms"] = e.next_prompt_ms
        elif isinstance(e, ev.Notice):
            self.notices.append(e.message)
        elif isinstance(e, ev.SessionEnded):
            self.ended = {"status": str(e.status), "error": e.error}


def sound_span(path: Path) -> tuple[float, float] | None:
    """Seconds into a recorded answer where its first and last sound are."""
    loud = np.flatnonzero(np.abs(read_audio(path)) > ONSET_LEVEL)
    return (round(loud[0] / SAMPLE_RATE, 3), round(loud[-1] / SAMPLE_RATE, 3)) if len(
        loud) else None


def run_round(name: str, answers: list[Answer], overrides: dict[str, Any], sessions: Path,
              mouth: Mouth) -> dict[str, Any]:
    """One round answered by the scripts through the microphone; what was seen of it."""
    from simulator.banks.loader import load_banks
    from simulator.engine.answers import MicrophoneAnswers
    from simulator.rounds import listen_options, prepare_round

    settings, dropped = path_settings(overrides, sessions)
    by_id = {q.id: q for b in load_banks() for q in b.questions}
    candidate = Candidate(answers, mouth)
    interviewer = Interviewer(candidate)
    prepared = prepare_round(
        settings, "turn-taking", [by_id[a.question] for a in answers],
        MicrophoneAnswers(listen_options(settings).frame_len, DEVICE), speak=False, seed=1,
        live_transcript_s=overrides.get("live_transcript_s", LIVE_TRANSCRIPT_S))
    prepared.interview.p.player = interviewer
    seen = Observed(getattr(prepared.interview, "_t0", None))
    error = None
    try:
        for event in prepared.events():
            seen.add(event)
            if isinstance(event, ev.AnswerStarted):
                candidate.speak_next(seen.at(event))
            elif isinstance(event, ev.AnswerStopped):
                candidate.end_decided(seen.at(event))  # the first one only
            elif isinstance(event, ev.AnswerFinished):
                print(f"[{name}] answer {event.turn}/{len(answers)}: {event.end_reason}, "
                      f"{event.duration_s:.1f} s recorded", file=sys.stderr, flush=True)
    except Exception:
        error = traceback.format_exc()
    candidate.join()
    turns = [seen.turns[k] for k in sorted(seen.turns) if k > 0]
    for turn in turns:
        if "audio" in turn:
            turn["sound_s"] = sound_span(prepared.session.dir / turn["audio"])
    return {"turns": turns, "plays": [s.plays for s in candidate.spoken],
            "player_calls": interviewer.calls,
            "notices": seen.notices, "ended": seen.ended, "error": error,
            "dropped_overrides": dropped, "stt": prepared.interview.p.transcriber.info.model}


def worker(name: str, plan_file: Path, out_file: Path) -> None:
    plan = json.loads(plan_file.read_text())
    answers = [Answer.from_dict(a) for a in plan["answers"]]
    t = time.monotonic()
    mouth = Mouth()
    try:
        warm_up_microphone()
        seen = run_round(name, answers, plan["overrides"], Path(plan["sessions"]), mouth)
    finally:
        mouth.close()
    seen.update(wall_s=round(time.monotonic() - t, 1), playback_underruns=mouth.underruns,
                peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    out_file.write_text(json.dumps(seen))


def run_path(name: str, answers: list[Answer], work: Path, runtime: Path) -> dict[str, Any]:
    """Run the worker for one path in a subprocess and return what it saw."""
    folder = work / name
    folder.mkdir(parents=True)
    plan, out = folder / "plan.json", folder / "seen.json"
    plan.write_text(json.dumps({"answers": [asdict(a) for a in answers],
                                "overrides": PATHS[name], "sessions": str(folder / "sessions")}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEW_")}
    env.update(XDG_RUNTIME_DIR=str(runtime), XDG_CONFIG_HOME=str(folder / "config"),
               XDG_DATA_HOME=str(folder / "data"))
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", name,
                             "--plan", str(plan), "--out", str(out)],
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stderr is not None
    for line in proc.stderr:
        if ALSA_NOISE not in line:
            print(line, end="", file=sys.stderr)
    if proc.wait() != 0 or not out.exists():
        raise SystemExit(f"the {name} path failed (exit {proc.returncode})")
    return json.loads(out.read_text())


# --- Scoring -----------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    text: str
    run: int
    start: float
    """On the worker's clock."""
    end: float


def script_tokens(answer: Answer, plays: list[float]) -> list[Token]:
    """The answer's words as the transcript is compared with them (fillers left out),
    timed on the worker's clock."""
    return [Token(tok, w.run, plays[i] + w.start, plays[i] + w.end)
            for i, seg in enumerate(answer.segments[:len(plays)]) for w in seg.words
            if not w.filler for tok in tokens(w.text)]


def heard_tokens(text: str) -> list[str]:
    return tokens(strip_fillers(text))


def matched(script: list[str], heard: list[str]) -> set[int]:
    """Indices of the script's words that the transcript has, in order."""
    sm = difflib.SequenceMatcher(a=script, b=heard, autojunk=False)
    return {b.a + i for b in sm.get_matching_blocks() for i in range(b.size)}


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def same_word(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(a=a, b=b).ratio() >= SAME_WORD


def run_shares(toks: list[Token], hit: set[int]) -> dict[int, tuple[int, float]]:
    """Per stretch of speech: its words and the share of them the transcript has."""
    runs: dict[int, list[int]] = {}
    for i, t in enumerate(toks):
        runs.setdefault(t.run, []).append(i)
    return {r: (len(ix), sum(i in hit for i in ix) / len(ix)) for r, ix in runs.items()}


def draft_lags(drafts: list[list[Any]], toks: list[Token]) -> list[float]:
    """For each live draft: its arrival minus the true end of the last script word it
    has, its words aligned with the words spoken by then (longest runs of agreement)."""
    lags = []
    for at, text in drafts:
        spoken = [t for t in toks if t.start <= at]
        sm = difflib.SequenceMatcher(a=[t.text for t in spoken], b=heard_tokens(text),
                                     autojunk=False)
        blocks = [b for b in sm.get_matching_blocks() if b.size]
        if blocks:
            last = next((b for b in reversed(blocks) if b.size >= 2), blocks[-1])
            lags.append(round(at - spoken[last.a + last.size - 1].end, 3))
    return lags


def path_delay(answer: Answer, plays: list[float], turn: dict[str, Any]) -> float | None:
    """From the playback call to the answer's first sound reaching the engine's frames."""
    if not turn.get("sound_s") or "frame_zero" not in turn:
        return None
    first = answer.segments[0].words[0].start
    return round(turn["frame_zero"] + turn["sound_s"][0] - plays[0] - first, 3)


def audio_stretch(answer: Answer, plays: list[float], turn: dict[str, Any]) -> float | None:
    """How much longer the answer's sound lasts in the recording than as it was played:
    more than a few ms means the sound server fell behind and left a gap in it."""
    decided = turn.get("decided_at")
    if not turn.get("sound_s") or decided is None:
        return None
    heard = [i for i, p in enumerate(plays) if p < decided and answer.segments[i].words]
    played = (plays[heard[-1]] + answer.segments[heard[-1]].words[-1].end
              - plays[0] - answer.segments[0].words[0].start)
    return round(turn["sound_s"][1] - turn["sound_s"][0] - played, 3)


def score_answer(answer: Answer, plays: list[float], turn: dict[str, Any],
                 calls: list[list[Any]]) -> dict[str, Any]:
    """One answer against its truth."""
    toks = script_tokens(answer, plays)
    last_voice = max(plays[i] + seg.words[-1].end
                     for i, seg in enumerate(answer.segments[:len(plays)]) if seg.words)
    heard = heard_tokens(turn.get("transcript", ""))
    hit = matched([t.text for t in toks], heard)
    shares = run_shares(toks, hit)
    decided = turn.get("decided_at")
    after_end = decided is not None and decided < last_voice
    lost = [r for r, (n, share) in shares.items()
            if r > 0 and n >= MIN_RUN_WORDS and share < RUN_HEARD]
    resumed = {seg.words[0].run for seg in answer.segments[1:] if seg.words}
    prompt_at = next((c[0] for c in calls if c[0] > last_voice), None)
    return {
        "id": answer.id, "kind": answer.kind, "length": answer.length,
        "end_reason": turn.get("end_reason"), "speculative": turn.get("speculative"),
        "segments_played": f"{len(plays)}/{len(answer.segments)}",
        "cut_off": after_end or bool(lost), "speech_after_end": after_end,
        "stretches_lost": lost,
        "clipped": bool(toks) and not any(same_word(toks[0].text, h)
                                          for h in heard[:CLIP_WINDOW]),
        "resume_caught": (all(shares.get(r, (0, 0.0))[1] >= RUN_HEARD for r in resumed)
                          if resumed else None),
        "end_decided_s": round(decided - last_voice, 3) if decided is not None else None,
        "interviewer_s": round(prompt_at - last_voice, 3) if prompt_at is not None else None,
        "next_prompt_ms": turn.get("next_prompt_ms"),
        "transcript_ms": turn.get("transcript_ms"),
        "draft_lags_s": draft_lags(turn.get("drafts", []), toks),
        "errors": edit_distance([t.text for t in toks], heard), "words": len(toks),
        "transcript": turn.get("transcript"),
        "path_delay_s": path_delay(answer, plays, turn),
        "audio_stretch_s": audio_stretch(answer, plays, turn),
        "microphone_start_s": (round(turn["frame_zero"] - turn["listening_at"], 3)
                               if "frame_zero" in turn and "listening_at" in turn else None),
        "frame_lag_s": turn.get("frame_lag_s"),
        "silence_heard_s": (round(turn["duration_s"] - turn["sound_s"][1], 2)
                            if turn.get("sound_s") else None),
    }


def pct(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def summarise(answers: list[Answer], seen: dict[str, Any]) -> dict[str, Any]:
    """One path's figures over the answers that were heard to the end."""
    turns = [t for t in seen["turns"] if "transcript" in t]
    scored = [score_answer(a, p, t, seen["player_calls"])
              for a, p, t in zip(answers, seen["plays"], turns, strict=False) if p]
    kept = [s for s in scored if not s["cut_off"]]
    end_s = [s["end_decided_s"] for s in kept if s["end_decided_s"] is not None]
    to_voice = [s["interviewer_s"] for s in kept if s["interviewer_s"] is not None]
    to_voice_complete = [s["interviewer_s"] for s in kept
                         if s["interviewer_s"] is not None and s["kind"] == "complete"]
    lags = [lag for s in scored for lag in s["draft_lags_s"]]
    delays = [s["path_delay_s"] * 1000 for s in scored if s["path_delay_s"] is not None]
    by_length = {label: [s["next_prompt_ms"] for s in scored
                         if s["length"] == label and s["next_prompt_ms"] is not None]
                 for _, label in LENGTHS}
    resumes = [s["resume_caught"] for s in scored if s["resume_caught"] is not None]
    words = sum(s["words"] for s in scored)
    kept_words = sum(s["words"] for s in kept)
    return {
        "answers": len(scored), "of": len(answers),
        "cut_off": sum(s["cut_off"] for s in scored),
        "clipped": sum(s["clipped"] for s in scored),
        "end_decided_s": {"median": pct(end_s, 50), "p95": pct(end_s, 95), "n": len(end_s)},
        "next_prompt_ms": {k: {"p50": pct(v, 50), "p95": pct(v, 95), "n": len(v)}
                           for k, v in by_length.items()},
        "interviewer_s": {"median": pct(to_voice, 50), "p95": pct(to_voice, 95),
                          "n": len(to_voice)},
        "interviewer_complete_s": {"median": pct(to_voice_complete, 50),
                                   "p95": pct(to_voice_complete, 95),
                                   "n": len(to_voice_complete)},
        "live_lag_s": {"p95": pct(lags, 95), "median": pct(lags, 50), "n": len(lags)},
        "resumes_caught": sum(resumes), "resumes": len(resumes),
        "peak_rss_mib": seen["peak_rss_mib"],
        "wer": sum(s["errors"] for s in scored) / words if words else None,
        "wer_not_cut": sum(s["errors"] for s in kept) / kept_words if kept_words else None,
        "path_delay_ms": {"median": pct(delays, 50), "max": max(delays) if delays else None},
        "wall_s": seen["wall_s"], "per_answer": scored,
        "stretched": [s["id"] for s in scored
                      if s["audio_stretch_s"] is not None and s["audio_stretch_s"] > STRETCH_S],
    }


# --- Output ------------------------------------------------------------------------


def spread(d: dict[str, Any], lo: str, hi: str, scale: float = 1.0, digits: int = 2) -> str:
    if d[lo] is None:
        return "-"
    return f"{d[lo] * scale:.{digits}f} / {d[hi] * scale:.{digits}f} (n={d['n']})"


def table_rows(s: dict[str, Any]) -> list[tuple[str, str]]:
    n = s["answers"]
    rows = [
        ("answers heard", f"{n} of {s['of']}"),
        ("answers cut off", f"{s['cut_off']} of {n}"),
        ("starts clipped", f"{s['clipped']} of {n}"),
        ("last word -> end decided, s (median / p95)", spread(s["end_decided_s"], "median",
                                                              "p95")),
        ("end decided -> next prompt ready, ms (p50 / p95)", ""),
    ]
    rows += [(f"  {label} answers", spread(v, "p50", "p95", digits=0))
             for label, v in s["next_prompt_ms"].items()]
    lag = s["live_lag_s"]
    rows += [
        ("last word -> interviewer audio, s (median / p95)",
         spread(s["interviewer_s"], "median", "p95")),
        ("  complete answers", spread(s["interviewer_complete_s"], "median", "p95")),
        ("live transcript lag, s (p95)",
         f"{lag['p95']:.2f} (n={lag['n']})" if lag["p95"] is not None else "-"),
        ("resumes caught", f"{s['resumes_caught']} of {s['resumes']}"),
        ("peak memory, MiB", str(s["peak_rss_mib"])),
        ("WER against the scripts (all / not cut off)",
         f"{s['wer']:.1%} / {s['wer_not_cut']:.1%}" if s["wer_not_cut"] is not None else "-"),
        ("audio path delay, ms (median / max)", spread(
            {**s["path_delay_ms"], "n": s["answers"]}, "median", "max", digits=0)),
        ("wall time of the round, s", f"{s['wall_s']:.0f}"),
    ]
    return rows


def print_table(summaries: dict[str, dict[str, Any]]) -> None:
    names = list(summaries)
    rows = {name: table_rows(s) for name, s in summaries.items()}
    print(f"{'':<50}" + "".join(f"{n:<24}" for n in names))
    for i, (label, _) in enumerate(rows[names[0]]):
        print(f"{label:<50}" + "".join(f"{rows[n][i][1]:<24}" for n in names))
    print("\n'last word' figures: answers not cut off. Cut off: speech after the end was "
          "decided, or a stretch\nafter a pause not in the judged transcript.")
    for name, s in summaries.items():
        print(f"\n{name}:")
        for a in s["per_answer"]:
            flags = [f for f, on in (("CUT", a["cut_off"]), ("clipped", a["clipped"]),
                                     ("resume caught", a["resume_caught"])) if on]
            end = f"{a['end_decided_s']:+.2f}" if a["end_decided_s"] is not None else "-"
            quiet = a["silence_heard_s"] if a["silence_heard_s"] is not None else math.nan
            print(f"  {a['id']:<30} {a['end_reason'] or '-':<9} end {end:>6} s "
                  f"({quiet:.2f} s of silence recorded)  next prompt "
                  f"{a['next_prompt_ms'] or 0:>5.0f} ms  WER {a['errors']}/{a['words']}  "
                  f"{' '.join(flags)}")


def engine_version() -> str:
    """The commit measured, and whether simulator/ had changes not committed."""
    def git(*a: str) -> str:
        out = subprocess.run(["git", *a], capture_output=True, text=True, cwd=ROOT)
        return out.stdout.strip()

    dirty = git("status", "--porcelain", "--", "simulator")
    return (git("rev-parse", "--short", "HEAD") or "?") + (
        " with uncommitted changes in simulator/" if dirty else "")


def path_notes(name: str, seen: dict[str, Any]) -> list[str]:
    """What the round of one path said besides its figures: an error, notices, settings
    this version does not have."""
    notes = [f"{name}: the round failed: {seen['error'].strip().splitlines()[-1]}"
             ] if seen["error"] else []
    notes += [f"{name}: {m}" for m in seen["notices"]]
    if seen.get("playback_underruns"):
        notes.append(f"{name}: the candidate's playback ran dry {seen['playback_underruns']} "
                     "times, leaving gaps in the answers: the machine was too busy; rerun")
    if seen["dropped_overrides"]:
        notes.append(f"{name}: no such setting here, left out: "
                     f"{', '.join(seen['dropped_overrides'])}")
    return notes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one short answer of each kind")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--audio-cache", type=Path,
                    help="keep the rendered answers here and reuse them on the next run")
    ap.add_argument("--keep", type=Path,
                    help="an empty folder to keep each path's sessions and observations in")
    ap.add_argument("--only", default="", help="comma-separated answer ids to run")
    ap.add_argument("--paths", default=",".join(PATHS),
                    help=f"comma-separated, of: {', '.join(PATHS)}")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.plan, args.out)
        return
    names = [n for n in args.paths.split(",") if n]
    unknown = [n for n in names if n not in PATHS]
    if unknown:
        ap.error(f"unknown path(s): {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="turn-taking-") as d:
        tmp = Path(d)
        synth = Pyttsx3Synthesizer()
        answers = [cached_answer(s, synth, tmp, args.audio_cache or tmp / "audio")
                   for s in load_scripts(args.quick, [i for i in args.only.split(",") if i])]
        runtime = tmp / "pulse-runtime"
        start_pulse(runtime)
        try:
            seen = {n: run_path(n, answers, args.keep or tmp, runtime) for n in names}
        finally:
            stop_pulse(runtime)
    summaries = {n: summarise(answers, s) for n, s in seen.items()}
    notes = [note for n, s in seen.items() for note in path_notes(n, s)]
    notes += [f"{n}: recorded longer than played, so with a gap from the sound server (a "
              f"busy machine; rerun): {', '.join(s['stretched'])}"
              for n, s in summaries.items() if s["stretched"]]
    if args.json:
        print(json.dumps({"engine": engine_version(), "notes": notes,
                          "paths": {n: {"overrides": PATHS[n], **summaries[n]}
                                    for n in names}}, indent=2))
        return
    stt = {s["stt"] for s in seen.values()}
    print(f"{len(answers)} spoken answers ({', '.join(sorted(stt))}), through a PulseAudio "
          f"null sink; engine at {engine_version()}\n")
    print_table(summaries)
    for note in notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
