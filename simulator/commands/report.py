"""`interview report`: a recorded round exported as Markdown, HTML, JSON or subtitles,
to a file, a folder or stdout."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from simulator.commands import common
from simulator.text import printable

#: The report formats, and the suffix that names each (``-o r.html`` means html).
REPORT_FORMATS = {"md": ".md", "html": ".html", "json": ".json", "srt": ".srt", "vtt": ".vtt"}


def _report_format(fmt: str | None, out: Path | None) -> str:
    """--format as given, else the one -o's suffix names, else Markdown."""
    if fmt:
        return fmt
    by_suffix = {v: k for k, v in REPORT_FORMATS.items()}
    return by_suffix.get(out.suffix.lower(), "md") if out is not None else "md"


def _report_target(fmt: str, out: Path | None, name: str,
                   session_dir: Path) -> tuple[Path, Path | None]:
    """Where the report (and for subtitles the round audio) goes. A new file whose suffix
    is no format's (notes.txt) is that file; an existing one is refused, as a file given
    by mistake, by ``report_paths``, which decides everything else."""
    from simulator.sessions.export import report_paths

    known = (*REPORT_FORMATS.values(), ".wav")
    if out is not None and out.suffix and out.suffix.lower() not in known and not (
            out.exists() or out.is_symlink()):
        return out, out.with_suffix(".wav") if fmt in ("srt", "vtt") else None
    return report_paths(fmt, name, out, session_dir)


def _report_text(doc: dict[str, Any], fmt: str) -> str:
    """The report as text, for `-o -`."""
    from simulator.banks.loader import questions_for
    from simulator.sessions import export

    if fmt == "json":
        return json.dumps(doc, indent=2)  # JSON escapes control characters itself
    if fmt in ("md", "html"):  # titles, and the model answers for the points missed
        questions = questions_for(doc.get("bank"))
        text = (export.to_markdown if fmt == "md" else export.to_html)(doc, questions)
    else:
        text = (export.to_srt if fmt == "srt" else export.to_vtt)(doc)
    return printable(text)  # a session's text may hold terminal escapes


def cmd_report(args: argparse.Namespace) -> int:
    from simulator.sessions.export import export
    from simulator.sessions.summary import round_document

    settings = common.settings(args)
    session = common.recorded(settings, args.session)
    doc = round_document(session.events, session.dir)
    fmt = _report_format(args.format, None if args.out == Path("-") else args.out)
    if args.out == Path("-"):
        text = _report_text(doc, fmt)
        print(text, end="" if text.endswith("\n") else "\n")
        return 0
    report, audio = _report_target(fmt, args.out, doc["session_id"] or session.id,
                                   session.dir)
    for path in export(doc, fmt, report, audio):
        print(printable(str(path), newlines=False))
    return 0
