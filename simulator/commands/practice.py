"""What to practise next, from the recorded rounds: `interview progress` (each
question's attempts and a plan), `interview drill` (a round of the points missed most)
and `interview retry` (a question of a round asked again, into that session)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from simulator.commands import common
from simulator.commands.headless import run_round
from simulator.errors import UserError
from simulator.text import printable


def cmd_progress(args: argparse.Namespace) -> int:
    from simulator.sessions.progress import (
        documents,
        plan,
        question_progress,
        render_progress,
        rows_of,
        summary,
    )
    from simulator.sessions.store import read_sessions

    sessions, notes = read_sessions(common.settings(args).sessions_dir())
    common.noted(notes)
    docs = documents(sessions)
    try:
        questions = common.bank_questions(args.bank)
    except UserError as exc:  # progress without titles beats no progress
        if args.bank:
            raise
        print(f"note: {printable(str(exc), newlines=False)}", file=sys.stderr)
        questions = {}
    if args.json:
        rows = rows_of(docs)
        print(json.dumps({"rounds": rows, "summary": summary(rows),
                          "questions": question_progress(docs, questions),
                          "plan": plan(docs, questions)}, indent=2))
    else:
        print(printable(render_progress(docs, questions)))
    return 0


def cmd_drill(args: argparse.Namespace) -> int:
    """A round of the questions whose points were missed most; `--list` says which."""
    from simulator.rounds import drill_questions
    from simulator.sessions.drill import why_line

    settings = common.settings(args)
    review = common.review_input(args)
    questions, picks, notes = drill_questions(
        settings.sessions_dir(), common.bank_questions(args.bank), settings.interview.questions)
    common.noted(notes)
    if args.list_only and args.json:
        print(json.dumps([{"question_id": p.question_id, "score": p.score,
                           "points": [asdict(n) for n in p.points]} for p in picks], indent=2))
        return 0
    out = sys.stderr if args.json else sys.stdout  # --json keeps stdout one document
    print(f"Drill: {len(picks)} question{'s' if len(picks) != 1 else ''} whose points you "
          "missed most:", file=out)
    for q, pick in zip(questions, picks, strict=True):
        print(printable(f"  {q.label} ({q.id}): {why_line(pick)}", newlines=False), file=out)
    if args.list_only:
        return 0
    return run_round(args, settings, "drill", questions, review)


def cmd_retry(args: argparse.Namespace) -> int:
    """A question of a recorded round asked again, as its next attempt in that session."""
    from simulator.banks.loader import questions_for
    from simulator.sessions.continuing import check_continuable, retry_question, so_far

    settings = common.settings(args)
    review = common.review_input(args)
    session = common.recorded(settings, args.session)
    check_continuable(session)
    questions = (common.bank_questions(args.bank) if args.bank
                 else questions_for(session.manifest.get("bank")))
    question = retry_question(session, questions, args.question)
    attempt = so_far(session).attempts.get(question.id, 0) + 1
    out = sys.stderr if args.json else sys.stdout  # --json keeps stdout one document
    print(printable(f"Retry: {question.label} ({question.id}), attempt {attempt} in session "
                    f"{session.id}", newlines=False), file=out)
    return run_round(args, settings, "retry", [question], review, continues=session.dir)
