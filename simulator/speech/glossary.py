"""Correcting what the transcriber predictably mishears in this field.

A glossary maps each canonical term to the ways it is commonly misheard
(``LoRA: [laura, lower ray]``). Corrections apply to the transcript that is
judged and shown; the session keeps what was heard as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from simulator.speech.transcript import Correction, Transcript, Word, said_as
from simulator.text import bare_hyphenated


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
        # Kept in step with out: asked of every variant.
        bare = [bare_hyphenated(w.word) for w in out]
        for variant, term in self._pairs:
            n = len(variant)
            if variant[0] not in bare:
                continue
            i = 0
            while i + n <= len(out):
                if bare[i:i + n] == variant:
                    merged = said_as(out[i:i + n], term)
                    out[i:i + n] = [merged]
                    bare[i:i + n] = [bare_hyphenated(merged.word)]
                i += 1
        return out

    def correct(self, t: Transcript) -> tuple[Transcript, list[Correction]]:
        if t.silent or not self._pairs:
            return t, []
        text, fixes = self.correct_text(t.text)
        return replace(t, text=text, words=self.correct_words(t.words)), fixes


def _words(text: str) -> list[str]:
    return [w for w in (bare_hyphenated(x) for x in text.split()) if w]
