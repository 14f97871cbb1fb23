"""Exports of a recorded round: Markdown, self-contained HTML, JSON, and subtitles.

Subtitles (SRT, WebVTT) follow ``round.wav``, written beside them: both sides
of the round placed on the session's own timeline, so any media player shows
who said what, when.
"""

from __future__ import annotations

import errno
import html
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.audio.sources import read_audio
from simulator.banks.loader import questions_for
from simulator.banks.model import Question
from simulator.delivery.marks import FILLER, HEDGE, PAUSE, Span, marked_transcript
from simulator.delivery.metrics import (
    MIN_PACE_SPEECH_S,
    Delivery,
    DeliveryConfig,
    pace_judged,
    too_short_for_pace,
)
from simulator.errors import UserError
from simulator.sessions.checks import is_safe_name
from simulator.sessions.summary import change_line, judged_attempts


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    speaker: str
    text: str


def _audio_len(path: str) -> float:
    import soundfile as sf

    try:
        return float(sf.info(path).duration)
    except (RuntimeError, OSError):
        return 0.0


#: Silence placed between one voice and the next in round.wav.
GAP_S = 0.4


def layout(doc: dict[str, Any]) -> list[tuple[float, str, str, dict[str, Any]]]:
    """Where each recording sits in round.wav: (start, speaker, audio path, turn), one
    after the other with a short gap, as the conversation was heard."""
    out = []
    t = 0.0
    for turn in doc["turns"]:
        for speaker, path in (("Interviewer", turn["prompt_audio"]),
                              ("Candidate", (turn.get("answer") or {}).get("audio"))):
            length = _audio_len(path) if path and Path(path).exists() else 0.0
            if path and length > 0:  # an unreadable recording is left out, not a failure
                out.append((t, speaker, path, turn))
                t += length + GAP_S
    return out


def cues(doc: dict[str, Any], max_words: int = 9) -> list[Cue]:
    """Subtitle cues in order: each prompt whole, each answer in short lines by its words."""
    out: list[Cue] = []
    for start, speaker, path, turn in layout(doc):
        if speaker == "Interviewer":
            out.append(Cue(start, start + _audio_len(path), speaker, turn["prompt"]))
            continue
        a = turn["answer"]
        words = [w for w in a["words"]]
        line: list[dict[str, Any]] = []
        for i, w in enumerate(words):
            line.append(w)
            gap = words[i + 1]["start"] - w["end"] if i + 1 < len(words) else 9.0
            if len(line) >= max_words or gap > 0.8 or i + 1 == len(words):
                out.append(Cue(start + line[0]["start"], start + line[-1]["end"] + 0.2,
                               speaker, " ".join(x["word"] for x in line)))
                line = []
    fixed = []
    for i, c in enumerate(out):
        end = min(c.end, out[i + 1].start) if i + 1 < len(out) else c.end
        fixed.append(Cue(round(c.start, 3), round(max(end, c.start + 0.1), 3), c.speaker,
                         c.text))
    return fixed


def _ts(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(doc: dict[str, Any]) -> str:
    return "\n".join(f"{i}\n{_ts(c.start, ',')} --> {_ts(c.end, ',')}\n{c.speaker}: {c.text}\n"
                     for i, c in enumerate(cues(doc), 1))


def to_vtt(doc: dict[str, Any]) -> str:
    body = "\n".join(f"{_ts(c.start, '.')} --> {_ts(c.end, '.')}\n<v {c.speaker}>{c.text}\n"
                     for c in cues(doc))
    return "WEBVTT\n\n" + body


def round_audio(doc: dict[str, Any], out: Path) -> Path:
    """Both sides in order, as one WAV file the subtitles follow."""
    import soundfile as sf

    parts = [(start, read_audio(Path(path))) for start, _, path, _ in layout(doc)]
    length = max((int(at * SAMPLE_RATE) + len(a) for at, a in parts), default=SAMPLE_RATE)
    mix = np.zeros(length, dtype=np.float32)
    for at, a in parts:
        i = int(at * SAMPLE_RATE)
        mix[i: i + len(a)] += a
    try:
        sf.write(str(out), np.clip(mix, -1, 1), SAMPLE_RATE)
    except sf.LibsndfileError as exc:  # a full disk, say: the caller names the file
        raise OSError(errno.EIO, str(exc)) from None
    return out


#: How a point's weight reads in a report: why missing it matters.
_WEIGHT_WORDS = {3: "essential", 2: "expected", 1: "nice to have"}
#: The usual pace band drawn on the pace plot, and the pace past which listeners lose
#: the thread (the coach's reference points, delivery/metrics.py).
_USUAL_WPM = DeliveryConfig.good_wpm
_FAST_WPM = DeliveryConfig.fast_wpm
LEGEND = ("Marks in the answers: ~~um~~ is a filler, *I guess* a hedge, [2.1 s] a "
          "silence of that length.")


def _policy_words(policy: str | None) -> str:
    """Who judged the answers and chose the follow-ups, in words."""
    if not policy:
        return "judged by an unrecorded policy"
    if policy.startswith("llm:"):
        return f"judged by the LLM {policy[4:]}"
    return "judged offline, against each question's rubric"


def _name(qid: str, questions: Mapping[str, Question]) -> str:
    """A question's title, or its id where its bank is not at hand."""
    q = questions.get(qid)
    return q.label if q is not None else qid


def to_markdown(doc: dict[str, Any], questions: Mapping[str, Question] | None = None) -> str:
    """The round as a Markdown report. ``questions`` (id to bank question) gives titles,
    what each missed point covers and the bank's model answers; without it the report
    names questions by id and says only what was missed."""
    questions = questions or {}
    stt = doc.get("stt") or {}  # a session whose start was never recorded has none
    lines = [f"# Interview round {doc['session_id'] or ''}", "",
             f"Whisper {stt.get('model', '?')} on {stt.get('device', '?')}; "
             f"{_policy_words(doc['policy'])}; status {doc['status']}.", ""]
    lines += _round_delivery(doc.get("delivery") or {})
    lines += ["## Questions", ""]
    for n, q in enumerate(doc["questions"], 1):
        lines += _question_section(n, q, doc["turns"], questions.get(q["question_id"]),
                                   _name(q["question_id"], questions))
    lines += ["## Turns", "", LEGEND, ""]
    for t in doc["turns"]:
        lines += _turn_section(t, _name(t["question_id"], questions))
    return "\n".join(lines)


def _round_delivery(d: dict[str, Any]) -> list[str]:
    if not d.get("answers"):
        return []
    lo, hi = _USUAL_WPM
    speaking = float(d.get("speaking_s") or 0.0)
    pace = (f"- Pace: {d['wpm']:.0f} words a minute ({d['articulation_wpm']:.0f} without "
            f"pauses), over {speaking:.0f} s of speech; about {lo} to {hi} is usual, above "
            f"{_FAST_WPM} is hard to follow." if pace_judged(speaking) else
            f"- Pace: {too_short_for_pace(speaking)}.")
    return ["## Delivery", "", pace,
            f"- Fillers: {d['fillers']['count']} ({d['fillers']['per_min']:.1f} a minute;"
            " up to about 5 a minute costs little, around 12 clearly hurts).",
            f"- Hedges: {d['hedges']['count']}; pauses over the threshold: {d['pauses']};"
            f" answers over budget: {d['over_budget']}.", ""]


def _question_section(n: int, q: dict[str, Any], turns: list[dict[str, Any]],
                      bank_q: Question | None, name: str) -> list[str]:
    """One question: coverage, each missed point with why it matters and the model
    answer, then each follow-up once with whether its answer closed the gap."""
    lines = [f"### {n}. {name}: {q['coverage']:.0%} covered", "", *_attempts_md(q)]
    points = {p.id: p for p in bank_q.rubric} if bank_q else {}
    for pid in q["missed"]:
        p = points.get(pid)
        why = (f" ({_WEIGHT_WORDS.get(p.weight, 'expected')}): {p.covers}" if p else "")
        lines.append(f"- Missed **{pid}**{why}")
        model = _model_answer(bank_q, pid)
        if model:
            lines.append(f"- Model answer for {pid}: {model}")
    if not q["missed"]:
        lines.append("- Nothing missed.")
    follow = [t for t in turns if t["question_id"] == q["question_id"]
              and t["kind"] == "follow_up"]
    if follow:
        lines += ["", "Follow-ups:", ""]
        lines += [f"- On {t['target_point'] or '?'}{_attempt_words(t)}: {_closed(t)}"
                  for t in follow]
    return lines + [""]


def _attempts_md(q: dict[str, Any]) -> list[str]:
    """A question asked again in this session (a retry): each attempt's coverage and the
    latest against the one before, point by point; nothing for a single attempt."""
    tries = judged_attempts(q)
    if len(tries) < 2 or not q.get("change"):
        return []
    each = "; ".join(f"attempt {a['attempt']} {a['coverage']:.0%}" for a in tries)
    before, after = tries[-2]["attempt"], tries[-1]["attempt"]
    return [f"- Attempts: {each}.",
            f"- Attempt {after} against attempt {before}: {change_line(q['change'])}.", ""]


def _attempt_words(t: dict[str, Any]) -> str:
    """' (attempt 2)' for a turn of a retry; nothing for a first attempt."""
    n = t.get("attempt", 1)
    return f" (attempt {n})" if n > 1 else ""


def _model_answer(bank_q: Question | None, pid: str) -> str:
    """The bank's reference answer for a point: its follow-up's answer."""
    if bank_q is None:
        return ""
    return next((f.answer for f in bank_q.follow_ups if f.target == pid and f.answer), "")


def _closed(t: dict[str, Any]) -> str:
    """Whether the answer to a follow-up covered the point it probed."""
    if not t.get("answer"):
        return "not answered"
    points = {p["id"]: p for p in (t.get("assessment") or {}).get("points", [])}
    target = points.get(t.get("target_point") or "")
    return "the answer closed the gap" if target and target["covered"] else "still missing"


def _turn_section(t: dict[str, Any], name: str) -> list[str]:
    """One turn: the prompt, the answer with its marks, the verdicts new in it (a
    follow-up's target only, not every point again), and how it was delivered."""
    n = t.get("attempt", 1)
    label = (f"Question: {name}{_attempt_words(t)}" if t["kind"] == "question" else
             f"Follow-up on {t['target_point']} ({name}"
             + (f", attempt {n})" if n > 1 else ")"))
    lines = [f"### {t['turn']}. {label}", "", f"> {t['prompt']}", ""]
    a = t.get("answer")
    if not a:
        return lines + ["(not answered)", ""]
    dl = _delivery(t.get("delivery"))
    lines += [_marked_md(a["transcript"], a["words"], dl) or "(silence)", ""]
    points = (t.get("assessment") or {}).get("points", [])
    if t["kind"] == "follow_up":
        points = [p for p in points if p["id"] == t.get("target_point")]
    for p in points:
        mark = "covered" if p["covered"] else (
            "contradicted" if p["contradicted"] else "missed")
        ev = f": \"{p['evidence']}\"" if p["evidence"] else ""
        lines.append(f"- {p['id']}: {mark}{ev}")
    lines += [""] if points else []
    d = t.get("delivery")
    if d and d["speaking_s"]:
        pace = (f"{d['wpm']:.0f} wpm" if pace_judged(d["speaking_s"]) else
                f"{d['speaking_s']:.0f} s of speech, too short for a pace")
        lines += [f"Delivery: {pace}; {d['fillers']['count']} fillers; "
                  f"{len(d['pauses'])} pauses; first word after "
                  f"{d['time_to_first_word_s'] or 0.0:.1f} s.", ""]
        lines += [f"- {n}" for n in d["notes"]] + [""]
    return lines


def _delivery(d: dict[str, Any] | None) -> Delivery | None:
    """A turn's delivery figures as the coach's type, for the marks; None where a
    session holds none or an older shape."""
    try:
        return Delivery.from_dict(d) if d else None
    except (TypeError, KeyError):
        return None


#: Characters that would turn a transcript's word into Markdown markup.
_MARKUP = re.compile(r"[*~\[\]`#<>_]")


def _marked_md(text: str, words: list[dict[str, Any]], delivery: Delivery | None) -> str:
    """The transcript with fillers struck through, hedges in italics and the counted
    silences as [2.1 s], each run of marked words wrapped once."""
    out: list[str] = []
    run: list[str] = []
    kind = ""
    for span in [*marked_transcript(text, words, delivery), Span("", "end")]:
        word = _MARKUP.sub("", span.text) if span.kind != PAUSE else f"[{span.text}]"
        if span.kind != kind and run:
            out.append({FILLER: "~~{}~~", HEDGE: "*{}*"}.get(kind, "{}").format(
                " ".join(run)))
            run = []
        kind = span.kind
        if word:
            run.append(word)
    return " ".join(out)


#: The bar charts' geometry: labels on the left, bars from BAR_X, BAR_W long at full.
BAR_X, BAR_W, ROW_H = 270, 360, 22


def _bar_svg(rows: list[tuple[str, float]], unit: str, limit: float,
             band: tuple[float, float] | None = None, line: float | None = None) -> str:
    """A horizontal bar chart as inline SVG; ``band`` shades a usual range behind the
    bars and ``line`` marks one value (both in the bars' units), each labelled."""
    def x(v: float) -> int:
        return BAR_X + (0 if limit <= 0 else int(BAR_W * min(v / limit, 1.0)))

    h = ROW_H * len(rows) + 10 + (16 if band or line else 0)
    marks = []
    if band:
        marks.append(f'<rect x="{x(band[0])}" y="0" width="{x(band[1]) - x(band[0])}" '
                     f'height="{h}" fill="#3a9a5b" fill-opacity="0.25"/>'
                     f'<text x="{x(band[0])}" y="{h - 3}" font-size="11">usual '
                     f'{band[0]:.0f} to {band[1]:.0f}</text>')
    if line:
        marks.append(f'<line x1="{x(line)}" y1="0" x2="{x(line)}" y2="{h}" stroke="#b3261e" '
                     f'stroke-dasharray="4 3"/><text x="{x(line) + 3}" y="{h - 3}" '
                     f'font-size="11">hard to follow</text>')
    bars = []
    for i, (label, v) in enumerate(rows):
        y = 5 + i * ROW_H
        bars.append(f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label[:38])}</text>'
                    f'<rect x="{BAR_X}" y="{y}" width="{x(v) - BAR_X}" height="16" '
                    f'fill="#4a7bd0"/><text x="{x(v) + 5}" y="{y + 13}" '
                    f'font-size="11">{v:.0f}{unit}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="700" height="{h}" '
            f'role="img">{"".join(marks)}{"".join(bars)}</svg>')


def _inline(text: str) -> str:
    """A line of the report's Markdown as HTML: bold, and the transcript's marks."""
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"~~(.+?)~~", r'<s class="filler">\1</s>', out)
    out = re.sub(r"(?<![\w*])\*([^*]+?)\*(?![\w*])", r'<em class="hedge">\1</em>', out)
    return re.sub(r"\[(\d+(?:\.\d)? s)\]", r'<span class="pause">[\1]</span>', out)


def markdown_to_html(md: str) -> str:
    """The report's own Markdown (headings, lists, quotes, paragraphs) as HTML."""
    out: list[str] = []
    in_list = False
    for line in md.splitlines():
        if in_list and not line.startswith("- "):
            out.append("</ul>")
            in_list = False
        if not line.strip():
            continue
        m = re.match(r"(#{1,4}) (.*)", line)
        if m:
            level = min(len(m.group(1)) + 1, 5)  # the page's own h1 comes first
            out.append(f"<h{level}>{_inline(m.group(2))}</h{level}>")
        elif line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{_inline(line[2:])}</li>")
        elif line.startswith("> "):
            out.append(f"<blockquote>{_inline(line[2:])}</blockquote>")
        else:
            out.append(f"<p>{_inline(line)}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def to_html(doc: dict[str, Any], questions: Mapping[str, Question] | None = None) -> str:
    """A self-contained page: the plots as inline SVG, then the report; no scripts."""
    questions = questions or {}
    cov = [(_name(q["question_id"], questions), q["coverage"] * 100) for q in doc["questions"]]
    spoken = [t for t in doc["turns"] if t.get("delivery") and t["delivery"]["speaking_s"]]
    paced = [t for t in spoken if pace_judged(t["delivery"]["speaking_s"])]
    pace = [(f"turn {t['turn']}", t["delivery"]["wpm"]) for t in paced]
    fillers = [(f"turn {t['turn']}", t["delivery"]["fillers"]["per_min"]) for t in paced]
    short = len(spoken) - len(paced)
    left_out = (f"<p>{short} answer{'s' if short != 1 else ''} under "
                f"{MIN_PACE_SPEECH_S:.0f} s of speech left out: too short for a pace.</p>"
                if short else "")
    body = markdown_to_html(to_markdown(doc, questions))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Interview round {html.escape(doc['session_id'] or '')}</title>
<style>{_CSS}</style></head>
<body><h1>Interview round</h1>
<h2>Rubric coverage per question</h2>{_bar_svg(cov, "%", 100)}
<h2>Pace per answer (words a minute)</h2>{_bar_svg(pace, "", 220, _USUAL_WPM, _FAST_WPM)}
{left_out}
<h2>Fillers per answer (a minute)</h2>{_bar_svg(fillers, "", 15)}
{body}
</body></html>
"""


#: The page's style: readable in light and dark (the marks' colours keep 4.5:1 or more on
#: either background).
_CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;line-height:1.45} blockquote{margin:0.5rem 0;padding:0.3rem 1rem;
border-left:4px solid #4a7bd0;background:#f4f6fb} h2{border-bottom:1px solid #ccc;
padding-bottom:0.2rem} .filler{color:#9c2a1e} .hedge{color:#1d4f8a}
.pause{color:#555;font-size:0.9em}
@media (prefers-color-scheme: dark){body{background:#111;color:#eee}
blockquote{background:#1c2230} svg text{fill:#eee} .filler{color:#ff9d8f}
.hedge{color:#9cc6ff} .pause{color:#bbb}}"""


#: The file each format is written to ends in this.
SUFFIXES = {"md": ".md", "html": ".html", "json": ".json", "srt": ".srt", "vtt": ".vtt"}
_RENDER: dict[str, Callable[[dict[str, Any]], str]] = {
    "json": lambda doc: json.dumps(doc, indent=2), "md": to_markdown, "html": to_html,
    "srt": to_srt, "vtt": to_vtt,
}


def report_paths(fmt: str, name: str, out: Path | None,
                 session_dir: Path) -> tuple[Path, Path | None]:
    """Where a report goes, and for subtitles the round audio beside it.

    With no ``out``, into the session folder as report-NAME; an ``out`` ending in the
    format's suffix (and not a folder) is the file itself; any other ``out`` is a folder.
    """
    suffix = SUFFIXES[fmt]
    subtitles = fmt in ("srt", "vtt")
    if out is not None and out.suffix.lower() == suffix and not out.is_dir():
        return out, out.with_suffix(".wav") if subtitles else None
    if out is not None and out.exists() and not out.is_dir():
        raise UserError(f"is a file, not a folder; give a folder, or a file name ending in "
                        f"{suffix} to write the {fmt} report there", path=out, field="--out")
    if out is not None and out.suffix.lower() in (*SUFFIXES.values(), ".wav"):
        raise UserError(f"ends in {out.suffix} but the format is {fmt}; name a {suffix} "
                        "file or a folder, or give --format to match", path=out,
                        field="--out")
    if not is_safe_name(name):  # read_session checks ids; this keeps exports in place
        raise UserError("is not a session id that can name a file", field=name)
    folder = out if out is not None else session_dir
    report = folder / f"report-{name}{suffix}"
    return report, folder / f"round-{name}.wav" if subtitles else None


def export(doc: dict[str, Any], fmt: str, report: Path, audio: Path | None,
           questions: Mapping[str, Question] | None = None) -> list[Path]:
    """Write the report (and the round audio) where ``report_paths`` said: each file
    made whole beside its place and moved there, so a link or a folder planted at that
    name is replaced or refused, never followed. ``questions`` (id to bank question)
    default to those of the bank the round was drawn from."""
    if questions is None and fmt in ("md", "html"):
        questions = questions_for(doc.get("bank"))
    text = (_RENDER[fmt](doc) if fmt not in ("md", "html") else
            (to_markdown if fmt == "md" else to_html)(doc, questions))
    written = [_write_private(report, lambda p: p.write_text(text, encoding="utf-8"))]
    if audio is not None:
        written.append(_write_private(audio, lambda p: round_audio(doc, p)))
    return written


def _write_private(path: Path, write: Callable[[Path], object]) -> Path:
    """``write`` a new file readable by the user alone, then put it at ``path``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".writing-", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise UserError(f"cannot write here ({exc.strerror}); give --out a writable folder",
                        path=path.parent) from None
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        what = "is a folder" if path.is_dir() else f"cannot be written ({exc.strerror})"
        raise UserError(f"{what}; move it away or give --out another place", path=path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
