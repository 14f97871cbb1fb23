"""Recovering an interrupted session: the round's parts rebuilt from the settings, the
answer it was cut off in judged, and one line saying what was done (the CLI and the app
share it)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from simulator.banks.loader import load_bank, load_banks
from simulator.errors import UserError

if TYPE_CHECKING:
    from simulator.config import Settings
    from simulator.engine.parts import RoundParts
    from simulator.sessions.store import StoredSession


def recovery_parts(settings: Settings, session: StoredSession) -> RoundParts:
    """What recovering ``session`` hears and judges with: the questions of its bank, and
    the transcriber, judge, glossary and vocabulary a round with these settings has."""
    from simulator.assess.choose import make_judge
    from simulator.engine.parts import RoundParts
    from simulator.personas import load_persona
    from simulator.rounds import delivery_config, expected_terms, round_glossary
    from simulator.sessions.recover import NoAnswers
    from simulator.speech.stt import WhisperTranscriber
    from simulator.speech.tts import Pyttsx3Synthesizer

    label = str(session.manifest.get("bank") or "all")
    banks = load_banks()
    extra = [b for b in banks if b.topic == label]
    if label != "all" and not extra:  # a bank file of the user's own
        try:
            extra = [load_bank(label)]
        except UserError:  # moved since: the shipped banks are what is left
            extra = []
        banks = [b for b in banks if b.topic not in {e.topic for e in extra}] + extra
    questions = list({q.id: q for b in banks for q in b.questions}.values())
    try:
        persona = load_persona(str(session.manifest.get("persona") or
                                   settings.interview.persona))
    except UserError:  # a persona file since moved: the judge words follow-ups as ours
        persona = load_persona(settings.interview.persona)
    policy, _ = make_judge(settings, persona.name, persona.description)
    return RoundParts(
        session_id=session.id, session_dir=session.dir, bank_label=label,
        questions=questions, persona=persona, synthesizer=Pyttsx3Synthesizer(),
        transcriber=WhisperTranscriber(settings.stt), policy=policy, answers=NoAnswers(),
        glossary=round_glossary(settings, extra), delivery=delivery_config(settings),
        vocabulary=settings.stt.vocabulary,
        expected_terms=expected_terms(settings, questions, extra),
        low_confidence=settings.stt.low_confidence)


def recover_session(settings: Settings, session_dir: Path) -> str:
    """Recover one session (judge the answer it was cut off in, and close it); one line
    saying what was done, or that there was nothing to do. Slow: run it in a worker."""
    from simulator.sessions.recover import RECOVERED, needs_recovery, recover
    from simulator.sessions.store import is_recording, read_session

    if is_recording(session_dir):
        raise UserError("is being recorded by a round that is still running; recover it "
                        "once that round has ended", path=session_dir)
    session = read_session(session_dir)
    status = session.manifest.get("status", "?")
    done = (recover(session, recovery_parts(settings, session))
            if needs_recovery(session) else None)
    if done is None:
        return (f"{session.id}: nothing to recover; it was recovered already"
                if status == RECOVERED else
                f"{session.id}: nothing to recover; it ended {status} with every answer "
                "judged")
    if done.turn is None:
        return f"{session.id}: closed as {done.status}; no answer was left unjudged"
    heard = " ".join(done.transcript.split()[:_QUOTED_WORDS])
    more = " ..." if len(done.transcript.split()) > _QUOTED_WORDS else ""
    covered = f", {done.coverage:.0%} of the question covered" if done.coverage is not None \
        else ""
    return (f"{session.id}: turn {done.turn} recovered, {done.audio_s:.1f} s of audio "
            f"transcribed and judged{covered}: \"{heard}{more}\"")


#: Words of a recovered answer quoted back: enough to recognise it, one line.
_QUOTED_WORDS = 12
