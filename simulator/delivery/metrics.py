"""Delivery figures for one answer, each pointing at a time in the recording.

Everything here is observable: words per minute, filler words and hedges with
where they are, silences and how long they last, time to the first word, and
length against the budget. Nothing is said about personality.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from simulator.audio import SAMPLE_RATE
from simulator.audio.levels import FRAME_S, frame_at, frame_rms, runs
from simulator.delivery.discourse import DISCOURSE_WORDS, is_filler_use
from simulator.delivery.words import FILLER_PHRASES, HEDGE_PHRASES
from simulator.text import bare, is_filler

#: Under this much speech a words-a-minute figure is one short sentence, not a pace: a
#: word more or less moves it by 10% or more, and "I'd have to look that up" in 2 s reads
#: as 263 words a minute.
MIN_PACE_SPEECH_S = 10.0
#: Fillers this close together are a bunch worth pointing at, not a habit spread thin.
BURST_WINDOW_S = 5.0
#: How many fillers in that window make a bunch: one or two happen to everyone.
BURST_COUNT = 3
#: A silence this long is worth naming by where it is; shorter ones are thinking time.
LONG_PAUSE_S = 3.0
#: Long silences named in the advice, longest first; the rest are in the figures.
PAUSES_NAMED = 2
#: This many hedges in one answer start to sound unsure; one is only careful.
HEDGES_NAMED_FROM = 2
#: An opening sentence longer than this (about 15 s aloud) buries the answer; Whisper
#: often leaves out a full stop, so anything shorter is not worth a remark.
LONG_OPENING_WORDS = 40
#: Time to the first word beyond which the silence itself is what a listener notices.
SLOW_START_S = 4.0
#: The last third this much faster than the first is a rushed ending.
RUSHED_RATIO = 1.25


@dataclass(frozen=True)
class DeliveryConfig:
    """What counts, and the reference points the report explains."""

    pause_s: float = 1.0
    """A silence at least this long inside an answer is a pause."""
    fillers: tuple[str, ...] = FILLER_PHRASES
    """Filler phrases counted besides um, uh, er and hmm ('like', 'so' and 'actually' only
    where they are fillers: see discourse.py)."""
    hedges: tuple[str, ...] = HEDGE_PHRASES
    """Phrases that soften a claim."""
    good_wpm: tuple[int, int] = (140, 160)
    """The usual pace for this kind of talk."""
    slow_wpm: int = 110
    """Below this a listener's attention drifts."""
    fast_wpm: int = 190
    """Above this comprehension falls."""
    fillers_ok_per_min: float = 5.0
    """Up to this many fillers a minute cost a speaker little."""
    fillers_bad_per_min: float = 12.0
    """Around this many a minute clearly hurts."""


@dataclass(frozen=True)
class Item:
    """One filler or hedge said, and when."""

    word: str
    """The phrase as counted (bare, lower case)."""
    start: float
    """Seconds into the answer's recording."""


@dataclass(frozen=True)
class Pause:
    """A silence inside an answer."""

    start: float
    """Seconds into the answer's recording."""
    duration_s: float
    """How long it lasted."""


@dataclass(frozen=True)
class PhraseCount:
    """How often a kind of phrase (hedges) was said, and where."""

    count: int
    """How many were said."""
    per_min: float
    """The same a minute of speaking."""
    items: list[Item]
    """Each one, in order."""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PhraseCount:
        return cls(d["count"], d["per_min"], [Item(**i) for i in d["items"]])


@dataclass(frozen=True)
class FillerCount(PhraseCount):
    """Fillers said, and where they bunched up."""

    bursts: list[float] = field(default_factory=list)
    """Start times of BURST_COUNT or more fillers within BURST_WINDOW_S."""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FillerCount:
        return cls(d["count"], d["per_min"], [Item(**i) for i in d["items"]],
                   list(d.get("bursts", [])))


@dataclass(frozen=True)
class Delivery:
    wpm: float
    """Words (fillers excluded) per minute from the first word to the last."""
    articulation_wpm: float
    """The same, with pauses taken out: how fast the speech itself is."""
    pace_by_third: list[float]
    """Words per minute in each third of the answer: a rushed ending shows."""
    fillers: FillerCount
    """Fillers (um, uh, and phrases such as 'you know'), with where they bunched up."""
    hedges: PhraseCount
    """Phrases that soften a claim."""
    pauses: list[Pause]
    """Silences of at least the configured length between the first word and the last."""
    time_to_first_word_s: float | None
    """From the start of the recording to the first word; None when nothing was said."""
    speaking_s: float
    """From the first word to the last."""
    budget_s: int
    """The time the question allowed."""
    over_budget: bool
    """Did speech go on past the budget?"""
    repeated: list[str] = field(default_factory=list)
    """Phrases said unusually often."""
    direct_opening: bool | None = None
    """Did the answer's first sentence end within LONG_OPENING_WORDS words?"""
    notes: list[str] = field(default_factory=list)
    """Plain-language observations, each pointing at something in the recording."""

    def to_dict(self) -> dict[str, Any]:
        """As stored in events.jsonl and the round document."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Delivery:
        """Rebuilt from ``to_dict``'s output (a recorded session)."""
        return cls(**{**d, "fillers": FillerCount.from_dict(d["fillers"]),
                      "hedges": PhraseCount.from_dict(d["hedges"]),
                      "pauses": [Pause(**p) for p in d["pauses"]]})


@dataclass(frozen=True)
class LivePace:
    """The figures worth glancing at while still speaking."""

    wpm: float
    """Words (fillers excluded) a minute so far."""
    fillers: int
    """Fillers so far."""
    fillers_per_min: float
    """The same a minute of speaking."""
    hedges: int
    """Hedges so far."""
    speaking_s: float
    """From the first word to the last so far."""


_WORD = re.compile(r"[a-z']+")


def _tokens(words: list[Any]) -> list[tuple[str, float, bool]]:
    """(bare word, start, acoustic filler) for each transcript word."""
    return [(bare(w.word), w.start, bool(w.filler or is_filler(w.word))) for w in words
            if bare(w.word)]


def _counted(words: list[Any]) -> list[float]:
    """The start of each word the pace counts: fillers left out, a hyphenated word
    counted once (Whisper splits "pre-trained" into "pre" and "-trained"), and a word
    said three or more times in a row counted twice, because such runs are mostly the
    decoder looping ("and, and, and, and") rather than the speaker."""
    starts: list[float] = []
    run_word, run = "", 0
    for w in words:
        word = bare(w.word)
        if not word or w.filler or is_filler(w.word):
            continue
        if w.word.strip().startswith("-") and starts:
            continue
        run = run + 1 if word == run_word else 1
        run_word = word
        if run <= 2:
            starts.append(w.start)
    return starts


def _phrase_items(tokens: list[tuple[str, float, bool]], phrases: tuple[str, ...],
                  raw: list[Any]) -> list[Item]:
    items: list[Item] = []
    taken: set[int] = set()
    words = [t[0] for t in tokens]
    said = [w.word for w in raw]
    for phrase in sorted(phrases, key=lambda p: -len(p.split())):
        ph = phrase.split()
        n = len(ph)
        for i in range(len(words) - n + 1):
            if words[i:i + n] != ph or taken & set(range(i, i + n)):
                continue
            if phrase in DISCOURSE_WORDS and not is_filler_use(said, i):
                continue
            if phrase in ("kind of", "sort of") and i + n < len(words) and words[i + n] in (
                    "a", "an", "the", "thing", "things", "model", "problem"):
                continue  # "a kind of model" names a kind
            items.append(Item(phrase, tokens[i][1]))
            taken |= set(range(i, i + n))
    return items


def _pauses(audio: np.ndarray | None, words: list[Any], pause_s: float) -> list[Pause]:
    """Silences of at least pause_s between the first and last word, from the audio level
    (word timings alone place a pause's edges a few tenths of a second off)."""
    if not words:
        return []
    lo_t, hi_t = words[0].start, words[-1].end
    if audio is None or len(audio) < SAMPLE_RATE // 10:
        gaps = [(a.end, b.start - a.end) for a, b in zip(words, words[1:], strict=False)]
        return [Pause(round(s, 2), round(d, 2)) for s, d in gaps if d >= pause_s]
    rms = frame_rms(audio)
    lo, hi = frame_at(lo_t), frame_at(hi_t) + 1
    speech = rms[lo:hi]
    if not len(speech):
        return []
    floor = max(0.004, float(np.percentile(speech, 90)) * 0.1)
    return [Pause(round(i * FRAME_S, 2), round((j - i) * FRAME_S, 2))
            for i, j in runs(rms < floor, lo, hi) if (j - i) * FRAME_S >= pause_s]


def _voiced_edges(audio: np.ndarray | None, start: float, end: float) -> tuple[float, float]:
    """The first and last word's outer edges moved onto the voice: Whisper's timestamps put
    the first word a few tenths of a second early and the last one late, which is enough to
    move a short answer's pace by several percent."""
    if audio is None or len(audio) < SAMPLE_RATE // 10 or end - start < 1.0:
        return start, end
    rms = frame_rms(audio)
    lo, hi = frame_at(start), min(len(rms), frame_at(end) + 1)
    span = rms[lo:hi]
    if not len(span):
        return start, end
    voiced = np.flatnonzero(span > max(0.004, float(np.percentile(span, 90)) * 0.1))
    if not len(voiced):
        return start, end
    # Only a nudge: never more than half a second at either edge.
    first = min(lo + int(voiced[0]), frame_at(start + 0.5)) * FRAME_S
    last = max(lo + int(voiced[-1]) + 1, frame_at(end - 0.5)) * FRAME_S
    return max(start, first), min(end, last)


def _bursts(times: list[float], window_s: float = BURST_WINDOW_S,
            count: int = BURST_COUNT) -> list[float]:
    out: list[float] = []
    for i, t in enumerate(times):
        if i + count - 1 < len(times) and times[i + count - 1] - t <= window_s:
            if not out or t - out[-1] > window_s:
                out.append(round(t, 2))
    return out


def _repeated(tokens: list[str]) -> list[str]:
    from simulator.text import STOPWORDS

    grams: Counter[str] = Counter()
    for n in (2, 3):
        for i in range(len(tokens) - n + 1):
            g = tokens[i:i + n]
            if sum(w not in STOPWORDS for w in g) >= 1 and not all(w in STOPWORDS for w in g):
                grams[" ".join(g)] += 1
    limit = max(3, len(tokens) // 60)
    return [g for g, c in grams.most_common(5) if c >= limit]


def measure(words: list[Any], audio: np.ndarray | None, budget_s: int,
            cfg: DeliveryConfig | None = None, text: str = "") -> Delivery:
    """Delivery figures for one answer from its timed words (fillers included) and audio."""
    cfg = cfg or DeliveryConfig()
    toks = _tokens(words)
    spoken = [t for t in toks if not t[2]]
    counted = _counted(words)
    if not words or not spoken:
        return Delivery(0.0, 0.0, [], FillerCount(0, 0.0, [], []), PhraseCount(0, 0.0, []), [],
                        None, 0.0, budget_s, False, notes=["No speech was heard."])
    start, end = _voiced_edges(audio, words[0].start, words[-1].end)
    span = max(end - start, 0.5)
    pauses = _pauses(audio, words, cfg.pause_s)
    paused = sum(p.duration_s for p in pauses)
    wpm = len(counted) / span * 60
    artic = len(counted) / max(span - paused, 0.5) * 60
    thirds = []
    for k in range(3):
        a, b = start + span * k / 3, start + span * (k + 1) / 3
        n = sum(1 for t in counted if a <= t < b or (k == 2 and t == b))
        thirds.append(round(n / (span / 3) * 60, 1))

    acoustic = [Item(t[0], t[1]) for t in toks if t[2]]
    lexical = _phrase_items(toks, cfg.fillers, [w for w in words if bare(w.word)])
    filler_items = sorted(acoustic + lexical, key=lambda i: i.start)
    hedge_items = _phrase_items(toks, cfg.hedges, [w for w in words if bare(w.word)])
    minutes = span / 60
    fillers = FillerCount(len(filler_items), round(len(filler_items) / minutes, 1),
                          filler_items, _bursts([i.start for i in filler_items]))
    hedges = PhraseCount(len(hedge_items), round(len(hedge_items) / minutes, 1), hedge_items)
    first_sentence = re.split(r"[.?!]", text, maxsplit=1)[0].split() if text else []
    direct = (len(first_sentence) <= LONG_OPENING_WORDS) if first_sentence else None
    d = Delivery(round(wpm, 1), round(artic, 1), thirds, fillers, hedges, pauses,
                 round(float(start), 2), round(float(span), 2), budget_s,
                 bool(end > budget_s),
                 _repeated([t[0] for t in spoken]), direct)
    return replace(d, notes=notes_for(d, cfg))


def live_pace(words: list[Any], cfg: DeliveryConfig | None = None) -> LivePace:
    """The figures worth glancing at while still speaking: pace and fillers so far."""
    d = measure(words, None, 0, cfg)
    return LivePace(d.wpm, d.fillers.count, d.fillers.per_min, d.hedges.count, d.speaking_s)


def clock(seconds: float) -> str:
    """A moment in an answer as m:ss, the way a recording's player shows it."""
    m, sec = divmod(int(round(max(0.0, seconds))), 60)
    return f"{m}:{sec:02d}"


def pace_judged(speaking_s: float) -> bool:
    """Is there enough speech for a pace (and a rate of fillers) to mean anything?"""
    return speaking_s >= MIN_PACE_SPEECH_S


def too_short_for_pace(speaking_s: float) -> str:
    """Why no pace is given, in the words the screens and reports use."""
    return (f"{speaking_s:.0f} s of speech is too short to judge a pace (that takes about "
            f"{MIN_PACE_SPEECH_S:.0f} s)")


def pace_word(wpm: float, cfg: DeliveryConfig | None = None) -> str:
    """'fast', 'slow' or '' for a pace measured over enough speech."""
    cfg = cfg or DeliveryConfig()
    return "fast" if wpm > cfg.fast_wpm else "slow" if 0 < wpm < cfg.slow_wpm else ""


def notes_for(d: Delivery, cfg: DeliveryConfig) -> list[str]:
    """What a coach would point at, each note naming the moment in the answer (m:ss
    into its recording) where there is one."""
    notes = _pace_notes(d, cfg) + _filler_notes(d, cfg) + _silence_notes(d)
    if len(d.hedges.items) >= HEDGES_NAMED_FROM:
        where = ", ".join(f'{clock(i.start)} ("{i.word}")' for i in d.hedges.items[:3])
        notes.append(f"Hedged at {where}: say what you know plainly, then the caveat.")
    if d.over_budget:
        end = (d.time_to_first_word_s or 0.0) + d.speaking_s
        notes.append(f"Still speaking at {clock(d.budget_s)}, past the {d.budget_s} s budget; "
                     f"the answer ran to {clock(end)}.")
    if d.repeated:
        notes.append("Said often: " + ", ".join(f'"{r}"' for r in d.repeated[:3]) + ".")
    if d.direct_opening is False:
        notes.append(f"The first sentence runs past {LONG_OPENING_WORDS} words: lead with a "
                     "one-line answer, then the detail.")
    return notes


def _pace_notes(d: Delivery, cfg: DeliveryConfig) -> list[str]:
    if not pace_judged(d.speaking_s):
        return [too_short_for_pace(d.speaking_s) + ", so none is given."]
    lo, hi = cfg.good_wpm
    notes = []
    if d.wpm > cfg.fast_wpm:
        notes.append(f"{d.wpm:.0f} words a minute: above about {cfg.fast_wpm}, listeners "
                     "start to lose the thread.")
    elif d.wpm < cfg.slow_wpm:
        notes.append(f"{d.wpm:.0f} words a minute: below about {cfg.slow_wpm} an answer drags.")
    elif lo <= d.wpm <= hi:
        notes.append(f"{d.wpm:.0f} words a minute: in the usual {lo} to {hi} range.")
    first, _, last = d.pace_by_third if len(d.pace_by_third) == 3 else (0.0, 0.0, 0.0)
    if first and last > first * RUSHED_RATIO:
        from_s = (d.time_to_first_word_s or 0.0) + d.speaking_s * 2 / 3
        notes.append(f"From {clock(from_s)} the pace rose from {first:.0f} to {last:.0f} "
                     "words a minute: a rushed ending.")
    return notes


def _filler_notes(d: Delivery, cfg: DeliveryConfig) -> list[str]:
    notes = []
    per_min = d.fillers.per_min
    if not pace_judged(d.speaking_s):
        per_min = 0.0  # two fillers in three seconds is not a rate of forty a minute
    if per_min >= cfg.fillers_bad_per_min:
        notes.append(f"{per_min:.1f} fillers a minute: around {cfg.fillers_bad_per_min:.0f} "
                     "clearly distracts listeners.")
    elif per_min > cfg.fillers_ok_per_min:
        notes.append(f"{per_min:.1f} fillers a minute: above the {cfg.fillers_ok_per_min:.0f} "
                     "that costs a speaker little.")
    for b in d.fillers.bursts:
        bunch = [i for i in d.fillers.items if b <= i.start <= b + BURST_WINDOW_S]
        span = max(1.0, bunch[-1].start - b) if bunch else BURST_WINDOW_S
        said = ", ".join(f'"{i.word}"' for i in bunch)
        notes.append(f"At {clock(b)}, {len(bunch)} fillers in {span:.0f} s ({said}).")
    return notes


def _silence_notes(d: Delivery) -> list[str]:
    notes = []
    if d.time_to_first_word_s is not None and d.time_to_first_word_s > SLOW_START_S:
        notes.append(f"{d.time_to_first_word_s:.1f} s of silence before the first word.")
    long = sorted((p for p in d.pauses if p.duration_s >= LONG_PAUSE_S),
                  key=lambda p: -p.duration_s)[:PAUSES_NAMED]
    for p in sorted(long, key=lambda p: p.start):
        notes.append(f"At {clock(p.start)}, a {p.duration_s:.1f} s silence.")
    return notes
