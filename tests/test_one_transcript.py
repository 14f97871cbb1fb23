"""One transcript: what the candidate corrected (the check panel, --review) is what the
report, the subtitles, replay and progress show; what was heard stays in the events."""

from __future__ import annotations

from simulator.audio.endpoint import EndReason
from simulator.audio.sources import read_audio
from simulator.config import load_settings
from simulator.engine.events import (
    AnswerFinished,
    QuestionAsked,
    SessionEnded,
    SessionStatus,
    TranscriptCorrected,
    TurnKind,
)
from simulator.rounds import round_glossary
from simulator.sessions.export import cues
from simulator.sessions.replay import timeline
from simulator.sessions.store import read_session
from simulator.sessions.summary import round_document
from simulator.speech.hearing import Listening, hear
from simulator.speech.stt import WhisperTranscriber
from simulator.text import tokens
from tests.conftest import CANDIDATE, round_vocabulary
from tests.tui_support import write_session

QUESTION = "starter-lora"
SAID = "After training you keep the adapters separate and swap them per task."


def test_a_correction_reaches_every_reader_and_the_heard_words_stay(synth, tmp_path):
    path = tmp_path / "audio" / "01-answer.wav"  # where the round document says it is
    path.parent.mkdir()
    synth.render(SAID, path, CANDIDATE)
    settings = load_settings(include_user_file=False)
    vocab = round_vocabulary(QUESTION)
    heard = hear(WhisperTranscriber(settings.stt).transcribe(read_audio(path), vocab.bias),
                 Listening(round_glossary(settings), vocab))
    # The candidate fixes a word, as in the check panel: "swap" was meant as "switch".
    wrong = next(w.word.strip(",.") for w in heard.transcript.words
                 if tokens(w.word) == ["swap"])
    fixed, done, _ = heard.corrected_by([(wrong, "switch")])
    t = heard.transcript
    events = [
        QuestionAsked(1.0, 1, TurnKind.QUESTION, QUESTION, "Does it slow inference?", None,
                      "audio/01-prompt.wav", 60),
        AnswerFinished(9.0, 1, "audio/01-answer.wav", 5.0, EndReason.SILENCE, t.text,
                       list(t.words)),
        TranscriptCorrected(9.5, 1, done, fixed.text),
        SessionEnded(10.0, SessionStatus.COMPLETE, 1),
    ]
    doc = round_document(events, tmp_path)
    answer = doc["turns"][0]["answer"]
    # The report and progress read the text; the subtitles read the words.
    assert "switch" in tokens(answer["transcript"]) and "swap" not in tokens(answer["transcript"])
    words = [w["word"].strip(",.") for w in answer["words"]]
    assert "switch" in words and "swap" not in words
    assert answer["heard"] == t.text
    lines = " ".join(c.text for c in cues(doc) if c.speaker != "Interviewer")
    assert "switch" in tokens(lines) and "swap" not in tokens(lines)
    # The corrected word keeps the time the heard one was said at.
    was = next(w for w in t.words if tokens(w.word) == ["swap"])
    now = next(w for w in answer["words"] if w["word"].strip(",.") == "switch")
    assert (now["start"], now["end"]) == (was.start, was.end) and not now["unsure"]
    # Replay, read back from the session folder: the corrected text and words.
    session = read_session(write_session(tmp_path / "sessions", "s1", events))
    said = next(u for u in timeline(session) if u.speaker == "candidate")
    assert "switch" in tokens(said.text)
    assert [w.word for w in said.words] == [w["word"] for w in answer["words"]]
    # What was heard stays in the session's events.
    kept = next(e for e in session.events if isinstance(e, AnswerFinished))
    assert "swap" in tokens(kept.transcript)
