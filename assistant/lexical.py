"""BM25 over the stored chunks, with Dutch stemming and stop words; rebuilt from the collection."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer() -> Callable[[list[str]], list[str]]:
    import Stemmer

    return Stemmer.Stemmer("dutch").stemWords  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_DUTCH

    return frozenset(_fold(w) for w in STOPWORDS_DUTCH)


def _fold(text: str) -> str:
    """Lower case without accents, so 'financiële' and 'financiele' are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def analyse(text: str) -> list[str]:
    """The BM25 terms of a text: folded words, Dutch stop words removed, stemmed.

    Corpus and queries go through this one function, so their terms always agree.
    """
    stop = _stopwords()
    words = [w for w in _WORD.findall(_fold(text)) if w not in stop and (len(w) > 1 or w.isdigit())]
    return _stemmer()(words)


class LexicalIndex:
    """A BM25 index over texts with ids (chunks, or documents' fields), optionally searched
    within a subset."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        import bm25s

        self.ids = list(ids)
        self._bm25 = bm25s.BM25()
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
        terms = [t for t in analyse(query) if t in self._vocabulary()]
        if not terms or not self.ids:
            return []
        scores = np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:n]
        return [(self.ids[i], float(scores[i])) for i in order if scores[i] > 0]

    def _vocabulary(self) -> dict[str, int]:
        return self._bm25.vocab_dict  # type: ignore[no-any-return]
