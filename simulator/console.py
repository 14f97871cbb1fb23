"""Printing a round as it happens, and a recorded round as a timeline."""

from __future__ import annotations

import re
import sys
import textwrap
from typing import Any, TextIO

from simulator.engine.events import (
    AnswerFinished,
    Assessed,
    Decided,
    Decision,
    Event,
    InterviewerSaid,
    Notice,
    PartialTranscript,
    QuestionAsked,
    SessionEnded,
    SessionStarted,
    SessionStatus,
    TranscriptCorrected,
    TurnKind,
)
from simulator.speech.unsure import MEANING
from simulator.text import printable


def marked_transcript(e: AnswerFinished) -> str:
    """The transcript with each word likely misheard (``Word.unsure``) marked ``[word?]``,
    exactly the words the session's ``--json`` carries as unsure."""
    if not e.words:
        return e.transcript
    out = []
    for w in e.words:
        if w.filler:
            continue
        if w.unsure:
            word, tail = re.fullmatch(r"(.*?)([,.!?;:]*)", w.word).groups()  # type: ignore[union-attr]
            out.append(f"[{word}?]{tail}")
        else:
            out.append(w.word)
    return " ".join(out)


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, width=96, initial_indent=indent, subsequent_indent=indent)


class ConsolePrinter:
    """A subscriber that prints each turn for a person reading the terminal."""

    def __init__(self, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
                 low_confidence: float = 0.5):
        del low_confidence  # the marks are decided while hearing (speech.unsure)
        self.out = out
        self.err = err
        self._live = False
        self._told_marks = False

    def _write(self, text: str) -> None:
        # Prompts, transcripts and bank text come from files: no escape sequence of
        # theirs reaches the terminal.
        self.out.write(printable(text))

    def _answer(self, e: AnswerFinished) -> None:
        """The answer, words likely misheard marked, and its delivery figures."""
        if self._live:
            self.err.write("\r" + " " * 60 + "\r")
            self._live = False
        said = marked_transcript(e) if not e.silent else "(silence)"
        self._write(_wrap(f"Candidate ({e.duration_s:.1f} s): {said}", "  ") + "\n")
        if not self._told_marks and not e.silent and any(x.unsure for x in e.words):
            self._write(_wrap(f"({MEANING})", "  ") + "\n")  # once, where a mark is first seen
            self._told_marks = True
        if e.corrections:
            self._write(_wrap(f"Corrected: {'; '.join(e.corrections)}", "  ") + "\n")
        d = e.delivery
        if d and d.speaking_s:
            self._write(f"  Delivery: {d.wpm:.0f} wpm, {d.fillers.count} filler(s), "
                        f"{d.hedges.count} hedge(s), {len(d.pauses)} pause(s), "
                        f"first word after {d.time_to_first_word_s:.1f} s\n")

    def handle(self, e: Event) -> None:
        w = self._write
        if isinstance(e, SessionStarted):
            w(f"Session {e.session_id}: {len(e.question_ids)} questions from {e.bank}; "
              f"Whisper {e.stt.model} on {e.stt.device} ({e.stt.compute_type}); "
              f"follow-ups: {e.policy}\n\n")
        elif isinstance(e, Notice):
            self.err.write(f"note: {printable(e.message, newlines=False)}\n")
        elif isinstance(e, InterviewerSaid):
            w(_wrap(f"Interviewer: {e.text}", "") + "\n\n")
        elif isinstance(e, QuestionAsked):
            label = ("Question" if e.kind == TurnKind.QUESTION
                     else f"Follow-up on {e.target_point}")
            w(f"[turn {e.turn}] {label} ({e.question_id}, {e.budget_s} s budget)\n")
            w(_wrap(f"Interviewer: {e.prompt}", "  ") + "\n")
        elif isinstance(e, PartialTranscript) and e.pace and self.err.isatty():
            self.err.write(f"\r  so far: {e.pace.wpm:.0f} words a minute, "
                           f"{e.pace.fillers:.0f} filler(s)   ")
            self._live = True
        elif isinstance(e, AnswerFinished):
            self._answer(e)
        elif isinstance(e, TranscriptCorrected):
            if e.corrections:
                w(_wrap(f"You corrected: {'; '.join(e.corrections)}", "  ") + "\n")
            if e.not_found:
                w(_wrap(f"Not in the transcript, so not applied: {'; '.join(e.not_found)}",
                        "  ") + "\n")
        elif isinstance(e, Assessed):
            covered = [p for p in e.points if p.covered]
            missed = [p for p in e.points if not p.covered]
            w(f"  Coverage {e.coverage:.0%}\n")
            for p in covered:
                w(_wrap(f"+ {p.id}: \"{p.evidence}\"", "    ") + "\n")
            for p in missed:
                extra = f" (said: \"{p.evidence}\")" if p.contradicted else ""
                w(_wrap(f"- {p.id}{extra}", "    ") + "\n")
        elif isinstance(e, Decided):
            if e.action == Decision.FOLLOW_UP:
                w(_wrap(f"-> follow up on {e.target_point}: {e.reason}", "  ") + "\n\n")
            else:
                w(_wrap(f"-> move on: {e.reason}", "  ") + "\n\n")
        elif isinstance(e, SessionEnded):
            if e.status != SessionStatus.COMPLETE:
                w(f"Round {e.status} after {e.turns} turns.\n")
        self.out.flush()


def _attempts(q: dict[str, Any]) -> str:
    """'attempt 1 50%, attempt 2 75%: gained merge; lost none; kept rank'."""
    tries = ", ".join(f"attempt {a['attempt']} {a['coverage']:.0%}"
                      for a in q["attempts"] if a["judged"])
    change = "; ".join(f"{label} {', '.join(q['change'][key]) or 'none'}"
                       for key, label in (("gained", "gained"), ("lost", "lost"),
                                          ("kept", "kept")))
    return f"{tries}: {change}"


def print_summary(doc: dict[str, Any], out: TextIO = sys.stdout) -> None:
    """The end of a round: coverage per question, then strengths and gaps across it."""
    def w(text: str) -> None:
        out.write(printable(text))

    w("Round summary\n")
    for q in doc["questions"]:
        w(f"  {q['question_id']:<44} {q['coverage']:>4.0%} covered, "
          f"{q['follow_ups']} follow-up{'' if q['follow_ups'] == 1 else 's'}\n")
        if q.get("change"):  # asked again in this session: the attempts compared
            w(_wrap(_attempts(q), "    ") + "\n")
    summary = doc.get("summary") or {}
    if summary.get("strengths"):
        w(_wrap("Strengths: " + "; ".join(summary["strengths"][:6]), "  ") + "\n")
    if summary.get("gaps"):
        w("  Gaps, most important first:\n")
        for g in summary["gaps"][:6]:
            w(_wrap(f"- {g}", "    ") + "\n")
    d = doc.get("delivery") or {}
    if d.get("answers"):
        w(f"  Delivery: {d['wpm']:.0f} words a minute over {d['speaking_s']:.0f} s of "
          f"speaking; {d['fillers']['per_min']:.1f} fillers and {d['hedges']['per_min']:.1f} "
          f"hedges a minute; {d['pauses']} pause(s); {d['over_budget']} answer(s) over "
          "budget\n")
    usage = doc.get("llm_usage") or {}
    if usage.get("calls") or usage.get("fallbacks"):
        cost = f", ${usage['cost_usd']:.4f}" if usage.get("cost_usd") is not None else ""
        w(f"  LLM: {usage['calls']} judgement(s), {usage['fallbacks']} fell back offline, "
          f"{usage['prompt_tokens'] + usage['completion_tokens']} tokens{cost}\n")
    w("\n")
