"""Assembling a round from settings: the one place that knows every backend.

The CLI and the app both call ``prepare_round`` and then iterate
``Interview.run()``, passing each event to their subscribers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from simulator.assess.choose import make_judge
from simulator.audio.playback import output_available, play_file
from simulator.banks.loader import load_bank, load_banks
from simulator.banks.model import Bank, Question
from simulator.banks.select import Selection, draw
from simulator.config import Settings
from simulator.delivery.metrics import DeliveryConfig
from simulator.engine.answers import AnswerProvider
from simulator.engine.controls import RoundControls
from simulator.engine.events import Event
from simulator.engine.interview import Interview
from simulator.engine.parts import ListenOptions, RoundParts, SoFar
from simulator.errors import UserError
from simulator.personas import Persona, load_persona
from simulator.sessions.continuing import check_continuable
from simulator.sessions.continuing import so_far as continued_so_far
from simulator.sessions.drill import DrillPick, pick_drill, rubric_weights
from simulator.sessions.progress import documents
from simulator.sessions.store import SessionWriter, read_session, read_sessions
from simulator.speech import learned
from simulator.speech.glossary import Glossary
from simulator.speech.stt import WhisperTranscriber
from simulator.speech.tts import Pyttsx3Synthesizer, Synthesizer
from simulator.speech.turn_model import TurnModel
from simulator.speech.turn_model import model_path as turn_model_path


@dataclass
class PreparedRound:
    interview: Interview
    session: SessionWriter
    questions: list[Question]
    continued: bool = False
    """Recorded into a session that held rounds before it (a retry)."""

    def events(self) -> Iterator[Event]:
        """Run the round, recording every event before anyone else sees it."""
        try:
            for event in self.interview.run():
                self.session.handle(event)
                yield event
        finally:
            self.session.close(status="interrupted")


def pick_questions(bank: str | None, sel: Selection) -> tuple[str, list[Question]]:
    banks: list[Bank] = [load_bank(bank)] if bank else load_banks()
    label = bank if bank else "all"
    return label, [q for _, q in draw(banks, sel)]


def drill_questions(sessions_dir: Path, questions: dict[str, Question], count: int
                    ) -> tuple[list[Question], list[DrillPick], list[str]]:
    """The drill: the ``count`` questions of ``questions`` (by id) whose rubric points were
    missed most across the rounds recorded in ``sessions_dir``, neediest first, with why
    each was chosen and a note for each session that could not be read."""
    sessions, notes = read_sessions(sessions_dir)
    picks = pick_drill(documents(sessions), count, rubric_weights(questions), set(questions))
    if not picks:
        raise UserError(f"nothing to drill yet: no rubric point of these questions was "
                        f"missed in the rounds recorded in {sessions_dir}; run a round "
                        "first (`interview run`)")
    return [questions[p.question_id] for p in picks], picks, notes


def round_glossary(settings: Settings, extra: list[Bank] | None = None) -> Glossary:
    """The shipped banks' glossaries, any extra bank's, then the user's own (from the config
    and from the corrections they chose to keep)."""
    g = Glossary()
    try:
        banks = load_banks()
    except UserError:  # a broken shipped bank is reported elsewhere; judge without it
        banks = []
    for b in [*banks, *(extra or [])]:
        g = g.merged(Glossary(b.glossary))
    g = g.merged(Glossary(settings.glossary))
    return g.merged(Glossary(learned.load()))


def expected_terms(settings: Settings, questions: list[Question],
                   extra: list[Bank] | None = None) -> dict[str, list[str]]:
    """Per question, its bank's glossary terms and the user's own: the jargon of the field
    the decoder should expect beyond the question's rubric."""
    try:
        banks = [*load_banks(), *(extra or [])]
    except UserError:
        banks = list(extra or [])
    by_question = {q.id: list(b.glossary) for b in banks for q in b.questions}
    own = [*settings.glossary, *learned.load()]
    return {q.id: by_question.get(q.id, []) + own for q in questions}


def delivery_config(settings: Settings) -> DeliveryConfig:
    d = settings.delivery
    return DeliveryConfig(pause_s=d.pause_s, fillers=tuple(d.fillers), hedges=tuple(d.hedges),
                          fillers_ok_per_min=d.fillers_ok_per_min,
                          fillers_bad_per_min=d.fillers_bad_per_min)


def make_turn_model(settings: Settings) -> tuple[TurnModel | None, str | None]:
    """The turn model when it is wanted, and a notice when it is wanted but missing."""
    if not settings.audio.turn_model:
        return None, None
    path = turn_model_path()
    if not path.is_file():
        return None, (f"the turn model is missing ({path}); answers end on silence and "
                      "words alone. Run scripts/setup to fetch it")
    return TurnModel(path), None


def listen_options(settings: Settings) -> ListenOptions:
    a = settings.audio
    return ListenOptions(a.frame_ms, a.silence_s, a.pre_roll_s, a.no_speech_timeout_s,
                         a.max_answer_factor, a.speech_threshold_db, a.speculate, a.streaming,
                         max(a.thinking_s, a.silence_s), resume_s=a.resume_s,
                         # Ending sooner is safe only while speaking on takes it back.
                         finished_s=min(a.finished_s, a.silence_s) if a.resume_s > 0
                         else a.silence_s)


def make_player(settings: Settings, speak: bool) -> Callable[[Path, threading.Event], None] | None:
    device = settings.audio.output_device
    if not (speak and settings.tts.speak and output_available(device)):
        return None

    def player(path: Path, cancel: threading.Event) -> None:
        play_file(path, device, cancel)

    return player


def prepare_round(
    settings: Settings,
    bank_label: str,
    questions: list[Question],
    answers: AnswerProvider,
    *,
    speak: bool = True,
    synthesizer: Synthesizer | None = None,
    persona: Persona | None = None,
    seed: int | None = None,
    cancel: threading.Event | None = None,
    glossary: Glossary | None = None,
    controls: RoundControls | None = None,
    live_transcript_s: float = 0.0,
    continues: Path | None = None,
) -> PreparedRound:
    """Assemble a round. ``controls`` lets a front end steer it (answer key, repeat, skip,
    pause, end); ``live_transcript_s`` > 0 transcribes that often while the candidate speaks;
    ``continues``: the session folder it is recorded into, as a retry of its questions.
    """
    persona = persona or load_persona(settings.interview.persona)
    transcriber = WhisperTranscriber(settings.stt)  # resolves now: bad model names fail early
    # Before the session is opened: a judge that cannot be made leaves no session behind.
    policy, policy_notice = make_judge(settings, persona.name, persona.description)
    turn_model, turn_notice = make_turn_model(settings)
    so_far = SoFar()
    if continues is not None:
        earlier = read_session(continues)
        check_continuable(earlier)
        so_far = continued_so_far(earlier)
        bank_label = str(earlier.manifest.get("bank") or bank_label)  # where its questions are
        session = SessionWriter.reopen(earlier)
    else:
        session = SessionWriter(settings.sessions_dir(), bank_label)
    parts = RoundParts(
        session_id=session.id, session_dir=session.dir, bank_label=bank_label,
        questions=questions, persona=persona, synthesizer=synthesizer or Pyttsx3Synthesizer(),
        transcriber=transcriber, policy=policy, answers=answers,
        player=make_player(settings, speak), listen=listen_options(settings),
        rate_scale=settings.tts.rate_scale, seed=seed,
        glossary=glossary if glossary is not None else round_glossary(settings),
        vocabulary=settings.stt.vocabulary, expected_terms=expected_terms(settings, questions),
        low_confidence=settings.stt.low_confidence, timing=settings.interview.timing,
        warning_at=settings.interview.warning_at,
        delivery=delivery_config(settings), turn_model=turn_model, so_far=so_far,
    )
    if live_transcript_s > 0:
        parts.listen = replace(parts.listen, partial_every_s=live_transcript_s)
    interview = Interview(parts, cancel, controls)
    interview.notices += [n for n in (policy_notice, turn_notice) if n]
    return PreparedRound(interview, session, questions, continues is not None)
