"""Correcting what the transcriber predictably mishears in this field.

A glossary maps each canonical term to the ways it is commonly misheard
(``LoRA: [laura, lower ray]``). Corrections apply to the transcript that is
judged and shown; the session keeps what was heard as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from simulator.speech.stt import Transcript, Word


@dataclass(frozen=True)
class Correction:
    heard: str
    term: str


class Glossary:
    def __init__(self, entries: Mapping[str, Iterable[str]] | None = None):
        self._pairs: list[tuple[list[str], str]] = []
        for term, variants in (entries or {}).items():
            self.add(term, variants)

    def add(self, term: str, variants: Iterable[str]) -> None:
        for v in variants:
            words = _words(v)
            if words and words != _words(term):
                self._pairs.append((words, term))
        # Longest first, so "lower ray" wins over a one-word variant inside it.
        self._pairs.sort(key=lambda p: -len(p[0]))

    def merged(self, other: Glossary) -> Glossary:
        """Both glossaries; a variant both list for the same term is kept once."""
        g = Glossary()
        seen: set[tuple[tuple[str, ...], str]] = set()
        for words, term in self._pairs + other._pairs:
            if (tuple(words), term) not in seen:
                seen.add((tuple(words), term))
                g._pairs.append((words, term))
        g._pairs.sort(key=lambda p: -len(p[0]))
        return g

    @property
    def terms(self) -> list[str]:
        """The canonical terms, each once."""
        return sorted({term for _, term in self._pairs})

    def __len__(self) -> int:
        return len(self._pairs)

    def correct_text(self, text: str) -> tuple[str, list[Correction]]:
        fixes: list[Correction] = []
        for words, term in self._pairs:
            pattern = re.compile(r"(?i)(?<![\w'])" + r"[\s,-]+".join(map(re.escape, words))
                                 + r"(?![\w'])")

            def sub(m: re.Match[str], term: str = term) -> str:
                fixes.append(Correction(m.group(0), term))
                return term

            text = pattern.sub(sub, text)
        return text, fixes

    def correct_words(self, words: list[Word]) -> list[Word]:
        out = list(words)
        bare = [_bare(w.word) for w in out]  # kept in step with out: asked of every variant
        for variant, term in self._pairs:
            n = len(variant)
            if variant[0] not in bare:
                continue
            i = 0
            while i + n <= len(out):
                if bare[i:i + n] == variant:
                    first, last = out[i], out[i + n - 1]
                    tail = re.findall(r"[,.!?]+$", last.word)
                    merged = replace(first, word=term + (tail[0] if tail else ""),
                                     end=last.end,
                                     probability=min(w.probability for w in out[i:i + n]))
                    out[i:i + n] = [merged]
                    bare[i:i + n] = [_bare(merged.word)]
                i += 1
        return out

    def correct(self, t: Transcript) -> tuple[Transcript, list[Correction]]:
        if t.silent or not self._pairs:
            return t, []
        text, fixes = self.correct_text(t.text)
        return replace(t, text=text, words=self.correct_words(t.words)), fixes


def _bare(word: str) -> str:
    return re.sub(r"[^\w'-]", "", word.lower())


def _words(text: str) -> list[str]:
    return [w for w in (_bare(x) for x in text.split()) if w]
