"""Reading an answer while it is spoken: each stretch once, the cost linear in its length."""

from __future__ import annotations

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.audio.endpoint import EndpointConfig, EndpointDetector
from simulator.engine.capture import Recording
from simulator.engine.reading import ReaderSettings
from simulator.engine.streaming import DRAFT_WINDOW_S, MAX_STRETCH_S, StreamingReader
from simulator.speech.stt import SttInfo
from simulator.speech.transcript import Transcript, Word

FRAME = 480


class CountingStt:
    """Says one word per reading, at the start of its clip, and counts what it was given."""

    info = SttInfo("counting", "-", "cpu", "int8")

    def __init__(self) -> None:
        self.read_s: list[float] = []
        self.drafts = 0

    def load(self) -> None:
        pass

    def transcribe(self, audio: np.ndarray, vocabulary: str | None = None,
                   draft: bool = False) -> Transcript:
        self.drafts += draft
        if not draft:
            self.read_s.append(len(audio) / SAMPLE_RATE)
        word = f"part{len(self.read_s)}"
        return Transcript("").with_words([Word(word, 0.05, 0.4, 0.9)])


def tone(seconds: float, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(SAMPLE_RATE * seconds), dtype=np.float32)


def fed(audio: np.ndarray, stt: CountingStt, live: bool = False
        ) -> tuple[StreamingReader, Recording, EndpointDetector]:
    """A reader fed ``audio`` frame by frame as the frame loop feeds it (the caller closes
    it). ``live``: as a microphone's answer, read at its pauses too."""
    det = EndpointDetector(EndpointConfig(max_answer_s=3600.0), FRAME / SAMPLE_RATE)
    recording = Recording(pre_roll_s=0.3)
    reader = StreamingReader(stt, ReaderSettings("vocabulary"), live=live)
    for i in range(0, len(audio) - FRAME + 1, FRAME):
        frame = audio[i:i + FRAME]
        recording.add(frame)
        det.update(frame)
        reader.heard(recording, det)
    return reader, recording, det


def read_through(audio: np.ndarray, stt: CountingStt, live: bool = False) -> Transcript:
    """The final reading of ``audio``, ``fed`` to a reader."""
    reader, recording, det = fed(audio, stt, live)
    try:
        return reader.final(recording, det)[0]
    finally:
        reader.close()


def test_a_long_answer_is_read_once_a_stretch_and_joined_in_order():
    # Eight sentences of 8 s with a breath of 0.8 s between them, then the closing silence.
    sentences = [np.concatenate([tone(8.0), silence(0.8)]) for _ in range(8)]
    audio = np.concatenate([silence(0.5), *sentences, silence(2.0)])
    stt = CountingStt()
    heard = read_through(audio, stt)
    assert len(stt.read_s) >= 3, "the answer was read in stretches, not whole"
    # Every second of speech was decoded once: the readings add up to the answer, no more.
    speech_s = 8 * 8.0
    assert speech_s <= sum(stt.read_s) <= len(audio) / SAMPLE_RATE
    assert all(s <= MAX_STRETCH_S for s in stt.read_s)
    assert len(heard.words) == len(stt.read_s), "one word from each reading, none lost"
    starts = [w.start for w in heard.words]
    assert starts == sorted(starts) and starts[-1] > 40.0, "each stretch is timed on the answer"


def test_speech_that_never_pauses_is_cut_before_whisper_would_lose_it():
    # A minute of speech with only the small dips between syllables: no pause to cut at.
    dips = [np.concatenate([tone(1.9), tone(0.1, level=0.05)]) for _ in range(30)]
    stt = CountingStt()
    read_through(np.concatenate([*dips, silence(1.0)]), stt)
    assert len(stt.read_s) >= 3 and max(stt.read_s) <= MAX_STRETCH_S


def test_a_short_answer_is_one_reading_of_its_speech():
    stt = CountingStt()
    heard = read_through(np.concatenate([silence(0.5), tone(6.0), silence(2.0)]), stt)
    assert len(stt.read_s) == 1 and 6.0 <= stt.read_s[0] <= 6.0 + 0.3 + 0.4
    assert heard.text == "part1" and stt.drafts == 0, "no drafts for an answer read from a file"


def test_a_stretch_closed_at_the_pause_it_was_read_at_is_not_read_again():
    # A long stretch ends on the answer's last pause: read at 0.3 s into it in case it is
    # the end, then closed at 0.5 s. The first reading is the stretch's.
    stt = CountingStt()
    heard = read_through(np.concatenate([silence(0.5), tone(21.0), silence(2.0)]), stt,
                         live=True)
    assert len(stt.read_s) == 1 and heard.text == "part1"


class WordEvery2s:
    """Hears a word every 2 s of its clip ("w0", "w1", ...), and notes each draft's length."""

    info = SttInfo("every-2s", "-", "cpu", "int8")

    def __init__(self) -> None:
        self.draft_s: list[float] = []

    def load(self) -> None:
        pass

    def transcribe(self, audio: np.ndarray, vocabulary: str | None = None,
                   draft: bool = False) -> Transcript:
        seconds = len(audio) / SAMPLE_RATE
        if draft:
            self.draft_s.append(seconds)
        words = [Word(f"w{i}", 2.0 * i + 0.1, 2.0 * i + 0.5, 0.9)
                 for i in range(int(seconds // 2.0))]
        return Transcript("").with_words(words) if words else Transcript.nothing()


def test_a_live_draft_reads_the_end_of_a_long_stretch_and_keeps_the_words_before():
    stt = WordEvery2s()
    views: list[Transcript] = []
    det = EndpointDetector(EndpointConfig(max_answer_s=3600.0), FRAME / SAMPLE_RATE)
    recording = Recording(pre_roll_s=0.3)
    reader = StreamingReader(stt, ReaderSettings("vocabulary", partial_every_s=1.0),
                             live=True, on_draft=views.append)
    audio = tone(18.0)  # one stretch still open: no pause to close it at
    try:
        for i in range(0, len(audio) - FRAME + 1, FRAME):
            recording.add(audio[i:i + FRAME])
            det.update(audio[i:i + FRAME])
            reader.heard(recording, det)
            if reader._draft is not None:
                reader._draft.result()  # each draft done before the next frame: repeatable
    finally:
        reader.close()
    assert len(stt.draft_s) >= 10
    # Past the window, a draft reads its last few seconds, not the whole stretch again...
    assert max(stt.draft_s[-5:]) <= DRAFT_WINDOW_S + 2.0
    # ...and the live view still holds the stretch's first words, in order, each once.
    last = views[-1]
    starts = [w.start for w in last.words]
    assert last.words[0].start < 1.0 and starts == sorted(set(starts))
    assert len(last.words) >= 7, last.verbatim


def test_only_a_reading_made_at_the_pause_tells_how_the_answer_stopped():
    """A draft made mid-speech ends mid-sentence (Whisper often writes "..."): it must not
    make the turn policy wait, nor a stale reading from an earlier pause."""
    stt = WordEvery2s()
    det = EndpointDetector(EndpointConfig(max_answer_s=3600.0), FRAME / SAMPLE_RATE)
    recording = Recording(pre_roll_s=0.3)
    reader = StreamingReader(stt, ReaderSettings("vocabulary", partial_every_s=1.0),
                             live=True, on_draft=lambda t: None)
    said: list[tuple[float, str]] = []
    audio = np.concatenate([tone(6.0), silence(1.0), tone(5.0), silence(1.0)])
    try:
        for i in range(0, len(audio) - FRAME + 1, FRAME):
            recording.add(audio[i:i + FRAME])
            det.update(audio[i:i + FRAME])
            reader.heard(recording, det)
            for job in (reader._draft, reader._tail.job if reader._tail else None):
                if job is not None:
                    job.result()
            said.append((det.elapsed_s, reader.said_at_pause(det.last_speech_at)))
    finally:
        reader.close()
    speaking = [text for t, text in said if t < 6.0 or 7.2 < t < 12.0]
    assert stt.draft_s and not any(speaking), "drafts were made but say nothing of a pause"
    first_pause = [text for t, text in said if 6.5 < t < 7.0]
    last_pause = [text for t, text in said if t > 12.5]
    assert first_pause[-1] == "w0 w1 w2" and last_pause[-1].startswith("w0 w1 w2")
    assert last_pause[-1] != first_pause[-1], "the reading of the pause now, not the last one"


def test_a_span_of_the_recording_is_its_own_array_with_the_same_samples():
    recording = Recording(0.3)
    rng = np.random.default_rng(7)
    for n in (480, 480, 100, 960, 1, 480):  # a microphone's blocks are not all one size
        recording.add(rng.standard_normal(n).astype(np.float32))
    whole = recording.audio()
    for lo, hi in ((0, None), (0, 480), (479, 481), (1000, 2500), (1060, 1061), (2000, 9999)):
        part = recording.span(lo, hi)
        assert np.array_equal(part, whole[lo:hi]), (lo, hi)
        assert not np.shares_memory(part, whole)
    assert len(recording.span(2501, 2501)) == 0


def test_a_stretch_closed_at_the_last_pause_still_tells_how_the_answer_stopped():
    audio = np.concatenate([silence(0.5), tone(21.0), silence(1.0)])
    reader, _, det = fed(audio, CountingStt(), live=True)
    try:
        assert reader._closed, "the stretch was closed at the pause"
        reader._closed[-1].job.result()
        assert reader.said_at_pause(det.last_speech_at) == "part1"
    finally:
        reader.close()
