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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.audio.sources import read_audio
from simulator.errors import UserError
from simulator.sessions.checks import is_safe_name


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


def to_markdown(doc: dict[str, Any]) -> str:
    stt = doc.get("stt") or {}  # a session whose start was never recorded has none
    lines = [f"# Interview round {doc['session_id'] or ''}", "",
             f"Whisper {stt.get('model', '?')} on {stt.get('device', '?')}; follow-ups by "
             f"{doc['policy'] or '?'}; status {doc['status']}.", ""]
    d = doc.get("delivery") or {}
    if d.get("answers"):
        lines += ["## Delivery", "",
                  f"- Pace: {d['wpm']:.0f} words a minute ({d['articulation_wpm']:.0f} without "
                  "pauses); about 140 to 160 is usual, above 190 is hard to follow.",
                  f"- Fillers: {d['fillers']['count']} ({d['fillers']['per_min']:.1f} a minute;"
                  " up to about 5 a minute costs little, around 12 clearly hurts).",
                  f"- Hedges: {d['hedges']['count']}; pauses over the threshold: {d['pauses']};"
                  f" answers over budget: {d['over_budget']}.", ""]
    lines += ["## Questions", ""]
    for q in doc["questions"]:
        lines.append(f"- **{q['question_id']}**: {q['coverage']:.0%} covered; missed: "
                     f"{', '.join(q['missed']) or 'nothing'}")
    lines += ["", "## Turns", ""]
    for t in doc["turns"]:
        label = "Question" if t["kind"] == "question" else f"Follow-up on {t['target_point']}"
        lines += [f"### {t['turn']}. {label}", "", f"> {t['prompt']}", ""]
        a = t.get("answer")
        if not a:
            lines += ["(not answered)", ""]
            continue
        lines += [a["transcript"] or "(silence)", ""]
        if t.get("assessment"):
            for p in t["assessment"]["points"]:
                mark = "covered" if p["covered"] else (
                    "contradicted" if p["contradicted"] else "missed")
                ev = f": \"{p['evidence']}\"" if p["evidence"] else ""
                lines.append(f"- {p['id']}: {mark}{ev}")
            lines.append("")
        dl = t.get("delivery")
        if dl and dl["speaking_s"]:
            lines += [f"Delivery: {dl['wpm']:.0f} wpm; {dl['fillers']['count']} fillers; "
                      f"{len(dl['pauses'])} pauses; first word after "
                      f"{dl['time_to_first_word_s'] or 0.0:.1f} s.", ""]
            lines += [f"- {n}" for n in dl["notes"]] + [""]
    return "\n".join(lines)


def _bar_svg(rows: list[tuple[str, float]], unit: str, limit: float) -> str:
    """A horizontal bar chart as inline SVG."""
    h = 22 * len(rows) + 10
    bars = []
    for i, (label, v) in enumerate(rows):
        w = 0 if limit <= 0 else int(360 * min(v / limit, 1.0))
        y = 5 + i * 22
        bars.append(f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label[:38])}</text>'
                    f'<rect x="270" y="{y}" width="{w}" height="16" fill="#4a7bd0"/>'
                    f'<text x="{275 + w}" y="{y + 13}" font-size="11">{v:.0f}{unit}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="700" height="{h}" '
            f'role="img">{"".join(bars)}</svg>')


def _inline(text: str) -> str:
    out = html.escape(text)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)


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


def to_html(doc: dict[str, Any]) -> str:
    """A self-contained page: the plots as inline SVG, then the report; no scripts."""
    cov = [(q["question_id"], q["coverage"] * 100) for q in doc["questions"]]
    spoken = [t for t in doc["turns"] if t.get("delivery") and t["delivery"]["speaking_s"]]
    pace = [(f"turn {t['turn']}", t["delivery"]["wpm"]) for t in spoken]
    fillers = [(f"turn {t['turn']}", t["delivery"]["fillers"]["per_min"]) for t in spoken]
    body = markdown_to_html(to_markdown(doc))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Interview round {html.escape(doc['session_id'] or '')}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
line-height:1.45}} blockquote{{margin:0.5rem 0;padding:0.3rem 1rem;border-left:4px solid #4a7bd0;
background:#f4f6fb}} h2{{border-bottom:1px solid #ccc;padding-bottom:0.2rem}}
@media (prefers-color-scheme: dark){{body{{background:#111;color:#eee}}
blockquote{{background:#1c2230}} svg text{{fill:#eee}}}}</style></head>
<body><h1>Interview round</h1>
<h2>Rubric coverage per question</h2>{_bar_svg(cov, "%", 100)}
<h2>Pace per answer (words a minute)</h2>{_bar_svg(pace, "", 220)}
<h2>Fillers per answer (a minute)</h2>{_bar_svg(fillers, "", 15)}
{body}
</body></html>
"""


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


def export(doc: dict[str, Any], fmt: str, report: Path, audio: Path | None) -> list[Path]:
    """Write the report (and the round audio) where ``report_paths`` said: each file
    made whole beside its place and moved there, so a link or a folder planted at that
    name is replaced or refused, never followed."""
    text = _RENDER[fmt](doc)
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
