"""BM25 over the stored chunks, with Dutch stemming and stop words; rebuilt from the collection."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cached_property, lru_cache

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
# Terms this long that differ only in their last letters are taken for one word's inflections.
_INFLECTED_MIN = 6
_INFLECTION = 2


@lru_cache(maxsize=1)
def _stemmer() -> Callable[[list[str]], list[str]]:
    import Stemmer

    return Stemmer.Stemmer("dutch").stemWords  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def dutch_stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_DUTCH

    return frozenset(_fold(w) for w in STOPWORDS_DUTCH)


def _fold(text: str) -> str:
    """Lower case without accents, so 'financiële' and 'financiele' are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    stop = dutch_stopwords()
    folded = _fold(text)
    words = [w for w in _WORD.findall(folded) if w not in stop and (len(w) > 1 or w.isdigit())]
    return words + numbered_rounds(folded)


# Calls are numbered in rounds, written either way: "de tweede oproep", "2de projectoproep",
# "the third call" and "Oproep 2: geopend op …", "call 3", "ronde 1". Both forms of one round
# get one term of their own, so that the question's form finds the text's.
_ORDINALS = {
    "eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6, "zevende": 7,
    "achtste": 8, "negende": 9, "tiende": 10, "first": 1, "second": 2, "third": 3, "fourth": 4,
    "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_ROUND_NOUN = r"(?:\w*oproep|\w*ronde|calls?|rounds?|cut-?offs?)"
_MONTH = r"(?:jan|feb|maa|mar|apr|mei|may|jun|jul|aug|sep|okt|oct|nov|dec)"
_NUMBERED_ROUND = re.compile(
    rf"\b(?:(?P<word>{'|'.join(_ORDINALS)})|(?P<nth>\d{{1,2}})(?:ste|de|e|st|nd|rd|th))"
    rf"\s+(?:\w+\s+)?{_ROUND_NOUN}\b"
    rf"|\b{_ROUND_NOUN}\s+(?:nr\.?\s*|no\.?\s*)?(?P<number>\d{{1,2}})\b(?![.,]?\d|\s+{_MONTH})"
)


def numbered_rounds(folded: str) -> list[str]:
    """A term for each numbered round a folded text names ("tweede oproep", "oproep 2" →
    "oproepnr2")."""
    found = []
    for match in _NUMBERED_ROUND.finditer(folded):
        word, nth, number = match.group("word", "nth", "number")
        found.append(f"oproepnr{_ORDINALS[word] if word else int(nth or number)}")
    return found


def analyse(text: str, split: Callable[[str], list[str]] | None = None) -> list[str]:
    """The BM25 terms of a text: folded words, Dutch stop words removed, stemmed; with
    `split`, the parts of compound words are added as terms of their own.

    Corpus and queries go through this one function, so their terms always agree.
    """
    words = _words(text)
    if split is not None:
        words = words + [part for w in words for part in split(w)]
    return _stemmer()(words)


class Decompounder:
    """Splits Dutch compounds into two words of a vocabulary ('jeugduitwisseling' → 'jeugd',
    'uitwisseling'), so a question's compound finds the text's separate words."""

    _MIN_PART = 4
    _LINKS = ("", "s", "en", "e")  # Dutch linking sounds: groep-s-uitwisseling, boek-en-kast

    def __init__(self, vocabulary: set[str]) -> None:
        self._vocabulary = {w for w in vocabulary if len(w) >= self._MIN_PART and w.isalpha()}

    def __call__(self, word: str) -> list[str]:
        if len(word) < 2 * self._MIN_PART or not word.isalpha():
            return []
        best: list[str] = []
        for cut in range(self._MIN_PART, len(word) - self._MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            if tail not in self._vocabulary:
                continue
            for link in self._LINKS:
                stem = head[: len(head) - len(link)] if link else head
                if head.endswith(link) and stem in self._vocabulary:
                    # the longest head that is a word: the most specific split
                    if not best or len(stem) > len(best[0]):
                        best = [stem, tail]
                    break
        return best


class LexicalIndex:
    """A BM25 index over texts with ids (chunks, or documents' fields), optionally searched
    within a subset."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        import bm25s

        self.ids = list(ids)
        self._bm25 = bm25s.BM25()
        self.split = Decompounder({w for text in texts for w in _words(text)})
        corpus = [analyse(text) or ["\x00empty"] for text in texts]
        self.document_frequency: Counter[str] = Counter(t for terms in corpus for t in set(terms))
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def search(
        self, query: str, n: int, allowed: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """Ids and BM25 scores of the best `n` texts with a score above zero.

        `allowed` is a boolean mask over the texts; texts outside it are never returned.
        """
        terms = [t for t in analyse(query, self.split) if t in self._vocabulary()]
        if not terms or not self.ids:
            return []
        scores = np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:n]
        return [(self.ids[i], float(scores[i])) for i in order if scores[i] > 0]

    def knows(self, term: str) -> bool:
        """Whether the texts use an analysed term, or another inflection of it: a longer term
        and one that differs only in its last two letters ("academy", "academie") are one
        word, as a name written in English and in Dutch, or singular and plural, often are."""
        if term in self.document_frequency:
            return True
        if len(term) < _INFLECTED_MIN:
            return False
        stem = term[: len(term) - _INFLECTION]
        terms = self._sorted_terms
        at = bisect.bisect_left(terms, stem)
        while at < len(terms) and terms[at].startswith(stem):
            if abs(len(terms[at]) - len(term)) <= _INFLECTION:
                return True
            at += 1
        return False

    @cached_property
    def _sorted_terms(self) -> list[str]:
        return sorted(self.document_frequency)

    def _vocabulary(self) -> dict[str, int]:
        return self._bm25.vocab_dict  # type: ignore[no-any-return]
