"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused, grouped into distinct documents."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LangchainDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.classify import REFERENCE_QUESTIONS, detect_language
from assistant.embeddings import Embedder, create_embedder
from assistant.errors import AssistantError
from assistant.lexical import LexicalIndex, analyse
from assistant.settings import Settings
from assistant.store import ChunkStore
from assistant.types import Chunk, DocumentHit, Hit

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{4,}[A-Za-z0-9]")
# A call or topic code written out in a text: capitals and digits in three parts or more
# ("HORIZON-CL5-2026-D3-08", "CERV-2024-GE"), not an address ("EC-CERV-CALLS@…").
_WRITTEN_CODE = re.compile(r"(?<![\w-])(?=[A-Z0-9-]*\d)[A-Z][A-Z0-9]*(?:-[A-Z0-9]+){2,}(?![\w@-])")
YEAR = re.compile(r"\b20\d{2}\b")
# Rounds of one call among the first documents this close to the best are told apart by year.
_SAME_ROUND_RATIO = 0.9
_ROUND_REACH = 3
_NAME_REACH = 3  # documents after the best one that a name in the question may put first
_TIE_RATIO = 0.98  # two documents this close are a tie that the titles may break
_FEW_DOCUMENTS = 0.25  # a word in at most this share of the documents is one of their own


@dataclass(frozen=True)
class SearchFilter:
    """Which documents a search may return: a programme (matched loosely) and/or open calls."""

    programme: str | None = None
    open_only: bool = False
    today: date | None = None
    sources: tuple[str, ...] | None = None  # only these documents


def lexical_text(chunk: Chunk) -> str:
    """What BM25 indexes for a chunk: the passage with its title, section and call identifiers."""
    return f"{chunk.embedding_text()}\n{document_fields_text(chunk)}"


def document_fields_text(chunk: Chunk) -> str:
    """The fields that name a document's call: programme, action and call code (title aside)."""
    meta = chunk.metadata
    return " ".join(str(meta.get(k, "")) for k in ("programme", "action", "call_code"))


class HybridRetriever:
    """Searches the index; heavy parts (model, chunk table, BM25) load in `warm_up`."""

    def __init__(self, settings: Settings, embedder: Embedder, store: ChunkStore) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self._chunks: list[Chunk] | None = None
        self._by_id: dict[str, int] = {}
        self._lexical: LexicalIndex | None = None
        self._fields: LexicalIndex | None = None
        self._sources: list[str] = []
        self._codes: list[tuple[str, str]] = []
        self.unit_vectors: dict[str, np.ndarray] = {}
        self._document_terms: dict[str, set[str]] = {}
        self._documents_using: dict[str, int] | None = None
        self._query_vectors: dict[str, np.ndarray] = {}
        self._by_source: dict[str, list[Chunk]] = {}
        self._chunk_languages: set[str] | None = None
        self._levels: dict[tuple[str, str], float] = {}
        self._written_in: dict[str, list[str]] = {}  # the documents written in each language

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None) -> HybridRetriever:
        """Open the index generation in use for searching; `embedder` reuses a loaded model.

        Raises IndexNotBuiltError, ModelMismatchError or IndexIncompleteError.
        """
        if embedder is None:
            embedder = create_embedder(settings.embedding_model, settings.embedding_batch_size)
        store = ChunkStore.open(settings, embedder.model_id)
        return cls(settings, embedder, store)

    @property
    def generation(self) -> str | None:
        """Id of the index generation this retriever reads (None: an index of before them)."""
        return self.store.generation.id if self.store.generation else None

    def close(self) -> None:
        """Release the index's files; searching afterwards is an error."""
        self.store.close()

    def warm_up(self) -> None:
        """Read the chunks from the collection, build BM25 over them, load the embedding model."""
        chunks = self.store.chunks()
        self._chunks = chunks
        self._by_id = {c.id: i for i, c in enumerate(chunks)}
        self._by_source = {}
        self._document_terms = {}
        self._documents_using = None
        for chunk in chunks:
            self._by_source.setdefault(chunk.source, []).append(chunk)
        self._written_in = {}
        for source, own in self._by_source.items():
            self._written_in.setdefault(own[0].language, []).append(source)
        self._lexical = LexicalIndex([c.id for c in chunks], [lexical_text(c) for c in chunks])
        first = {c.source: c for c in reversed(chunks)}
        self._codes = [
            (code.upper(), source)
            for source, chunk in first.items()
            for code in _CODE.findall(str(chunk.metadata.get("call_code", "")))
            if re.search(r"\d", code) and re.search(r"[A-Za-z]", code)
        ]
        # a portal page lists its topics' codes in its text, not in a "Code" field
        written = {(code, c.source) for c in chunks for code in _WRITTEN_CODE.findall(c.text)}
        self._codes += sorted(written - set(self._codes))
        self._sources = sorted(first)
        self._fields = LexicalIndex(
            self._sources,
            [f"{first[s].title}\n{document_fields_text(first[s])}" for s in self._sources],
        )
        self.unit_vectors = self.store.unit_vectors()
        self.embedder.embed_query("warm-up")

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index over the chunks (after warm_up)."""
        if self._lexical is None:
            raise AssistantError("HybridRetriever.warm_up() must be called before searching.")
        return self._lexical

    @property
    def chunks(self) -> list[Chunk]:
        """Every indexed chunk (after warm_up)."""
        if self._chunks is None:
            raise AssistantError("HybridRetriever.warm_up() must be called before searching.")
        return self._chunks

    def search(
        self, query: str, k: int | None = None, where: SearchFilter | None = None
    ) -> list[DocumentHit]:
        """The best `k` distinct documents for `query`, each with its best passages."""
        k = k or self.settings.top_k
        hits = self.search_chunks(query, where)
        documents = group_by_document(
            hits,
            len(self._sources),
            self.settings.passages_per_document,
            self.settings.second_passage_weight,
            self._by_source,
        )
        documents = named_document_first(query, documents, self.lacks_a_name)
        documents = asked_round_first(query, documents, self.first_chunk)
        documents = general_before_special(query, documents, self.first_chunk)
        # A call code written out in the question names its document outright.
        coded = self.sources_by_code(query)
        documents.sort(key=lambda d: d.source not in coded)  # stable: keeps fused order
        return documents[:k]

    def sources_by_code(self, query: str) -> set[str]:
        """The documents whose call code the text writes out."""
        upper = query.upper()
        return {source for code, source in self._codes if code in upper}

    def search_chunks(self, query: str, where: SearchFilter | None = None) -> list[Hit]:
        """Chunks ranked by the configured fusion of dense and lexical rankings."""
        chunks = self.chunks
        allowed = self._allowed_mask(where) if where else None
        sources = None
        if allowed is not None:
            sources = sorted({chunks[i].source for i in np.flatnonzero(allowed)})
            if not sources:
                return []
        n = self.settings.candidates
        fusion = self.settings.fusion
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        fields: list[tuple[str, float]] = []
        if fusion != "lexical":
            dense = self._dense(query, n, sources)
        if fusion != "dense":
            lexical = self.lexical.search(query, n, allowed)
        if fusion in ("rrf", "weighted") and self.settings.field_weight > 0:
            assert self._fields is not None
            allowed_sources = None
            if sources is not None:
                allowed_sources = np.isin(np.array(self._sources), sources)
            fields = self._fields.search(query, len(self._sources), allowed_sources)
        fused = fuse(
            dense, lexical, self.settings, fields, self._source_of, self._wordless(query, dense)
        )
        dense_rank = {id_: r for r, (id_, _) in enumerate(dense, 1)}
        lexical_rank = {id_: r for r, (id_, _) in enumerate(lexical, 1)}
        return [
            Hit(chunks[self._by_id[id_]], score, dense_rank.get(id_), lexical_rank.get(id_))
            for id_, score in fused
            if id_ in self._by_id
        ]

    def _dense(self, query: str, n: int, sources: Sequence[str] | None) -> list[tuple[str, float]]:
        """The `n` chunks nearest in meaning. Chunks in a language the question's words cannot
        reach are read on the scale of its own language: a question matches a page in another
        language less closely than one in its own whatever it asks (the best English passage of
        a topic page came 36th for a Dutch question about it, after every Dutch passage on the
        theme), so their similarity is raised by the gap between the levels of the two pairs
        of languages. Where the words reach (an English question carries the glossary's Dutch
        words) BM25 finds those chunks, and raising them put Dutch calls on the same theme
        before the English page an English question asked about."""
        vector = self.query_vector(query)
        asked = detect_language(query)
        offsets = self._dense_offsets(asked)
        nearest = self.store.query(vector, n, sources)
        if not offsets:
            return nearest
        chunks, at = self.chunks, self._by_id
        found = {
            id_: s + (offsets.get(chunks[at[id_]].language, 0.0) if id_ in at else 0.0)
            for id_, s in nearest
        }
        allowed = None if sources is None else set(sources)
        for language, offset in offsets.items():
            written = self._written_in.get(language, [])
            if allowed is not None:
                written = [s for s in written if s in allowed]
            found.update((id_, s + offset) for id_, s in self.store.query(vector, n, written))
        return sorted(found.items(), key=lambda item: -item[1])[:n]

    def _dense_offsets(self, language: str) -> dict[str, float]:
        """What to add to the similarity of a chunk in a language the words of a question in
        `language` cannot reach: how much closer plain questions come to chunks in their own
        language than to chunks in that one ({} when the question's words reach every indexed
        language, or none is in the question's)."""
        languages = self._languages
        reached = _REACHED_BY_WORDS.get(language, {language})
        unreached = sorted(languages - reached)
        if not unreached or language not in languages:
            return {}
        own = self._level(language, language)
        levels = {other: self._level(language, other) for other in unreached}
        if not own or not all(levels.values()):
            return {}  # a language without stored vectors: nothing to measure the gap on
        return {other: own - level for other, level in levels.items()}

    def _level(self, language: str, written_in: str) -> float:
        """The mean similarity of plain questions in `language` (REFERENCE_QUESTIONS) to the
        chunks of documents written in `written_in`; a large corpus is sampled."""
        key = (language, written_in)
        if key not in self._levels:
            questions = REFERENCE_QUESTIONS.get(language, REFERENCE_QUESTIONS["nl"])
            asked = np.stack([self.query_vector(q) for q in questions])
            ids = [c.id for s in self.level_sample(written_in) for c in self._by_source[s]]
            vectors = self.store.vectors(ids)
            if vectors:
                matrix = np.stack(list(vectors.values()))
                matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
                asked /= np.linalg.norm(asked, axis=1, keepdims=True)
                self._levels[key] = float((asked @ matrix.T).mean())
            else:
                self._levels[key] = 0.0
        return self._levels[key]

    def _wordless(self, query: str, dense: Sequence[tuple[str, float]]) -> set[str]:
        """The dense hits written in a language the question's words cannot reach, in a
        corpus that also has documents they reach: BM25 would rank every chunk that shares a
        common word with the question above them."""
        reached = _REACHED_BY_WORDS.get(detect_language(query), set())
        languages = self._languages
        if len(languages) < 2 or not languages & reached:
            return set()
        chunks, at = self.chunks, self._by_id
        return {id_ for id_, _ in dense if id_ in at and chunks[at[id_]].language not in reached}

    @property
    def _languages(self) -> set[str]:
        """The languages the indexed documents are written in."""
        if self._chunk_languages is None:
            self._chunk_languages = {c.language for c in self.chunks}
        return self._chunk_languages

    def query_vector(self, text: str) -> np.ndarray:
        """The query embedding of `text`, remembered for the few latest texts (a question is
        searched, then its sentences are scored against the same vector)."""
        vector = self._query_vectors.get(text)
        if vector is None:
            vector = self.embedder.embed_query(text)
            if len(self._query_vectors) >= 32:
                # requests run in threads: two may evict the same oldest text at once
                oldest = next(iter(self._query_vectors), None)
                self._query_vectors.pop(oldest, None)  # type: ignore[arg-type]
            self._query_vectors[text] = vector
        return vector

    def level_sample(self, language: str) -> list[str]:
        """The documents written in `language` that a similarity level of questions to that
        language is measured on (sorted): all of them, or an even sample of _LEVEL_SAMPLE in a
        large corpus (the level is a property of the languages, not of one document)."""
        sources = sorted(self._written_in.get(language, []))
        return sources[:: max(1, len(sources) // _LEVEL_SAMPLE)]

    @property
    def sources(self) -> list[str]:
        """Every indexed document's source, sorted."""
        return self._sources

    def chunks_of(self, source: str) -> list[Chunk]:
        """Every chunk of one document, in document order."""
        return self._by_source.get(source, [])

    def first_chunk(self, source: str) -> Chunk | None:
        """A document's first chunk (its metadata is the document's), None when not indexed."""
        chunks = self.chunks_of(source)
        return chunks[0] if chunks else None

    def naming_terms(self, text: str, max_share: float = 0.15) -> set[str]:
        """The words of `text` that name calls: rare words of the documents' titles, programmes,
        actions or call codes (a code, an acronym, a programme name)."""
        assert self._fields is not None
        fields = self._fields
        limit = max(1, int(len(fields.ids) * max_share))
        return {
            t
            for t in analyse(text)
            if 0 < fields.document_frequency.get(t, 0) <= limit and not (t.isdigit() and len(t) < 2)
        }

    def named_documents(self, text: str) -> set[str]:
        """Documents that `text` names by such words."""
        assert self._fields is not None
        rare = self.naming_terms(text)
        if not rare:
            return set()
        return {s for s, _ in self._fields.search(" ".join(rare), len(self._fields.ids))}

    def lacks_a_name(self, question: str, source: str) -> bool:
        """Whether the question names something (a run of capitalised words) with a word the
        corpus knows but this document never uses: it is about another programme or call
        ("ERC Starting Grant" when the document is an Erasmus+ call). Words the corpus never
        uses (a town, a university) say nothing here."""
        vocabulary = self.lexical.document_frequency
        own = self.document_terms(source)
        for name in proper_names(question):
            for word in name:
                terms = [t for t in analyse(word) if not t.isdigit()]
                if terms and all(t in vocabulary for t in terms) and not set(terms) <= own:
                    return True
        return False

    def tells_apart(self, question: str, first: str, second: str) -> bool:
        """Whether the question uses a word of few documents that `first` has and `second`
        lacks ("one-stop shops" of one LIFE call, not of the other): then it is about `first`,
        however close the two score."""
        own, other = self.document_terms(first), self.document_terms(second)
        return any(
            t in own and t not in other and self.document_share(t) <= _FEW_DOCUMENTS
            for t in set(analyse(question))
        )

    def document_terms(self, source: str) -> set[str]:
        """Every BM25 term of one document's chunks."""
        terms = self._document_terms.get(source)
        if terms is None:
            terms = {t for c in self.chunks_of(source) for t in analyse(lexical_text(c))}
            self._document_terms[source] = terms
        return terms

    def document_share(self, term: str) -> float:
        """The share of the indexed documents that use `term` (counted once, on first use)."""
        if self._documents_using is None:
            counts: dict[str, int] = {}
            for source in self.sources:
                for t in self.document_terms(source):
                    counts[t] = counts.get(t, 0) + 1
            self._documents_using = counts
        return self._documents_using.get(term, 0) / max(1, len(self.sources))

    def _source_of(self, chunk_id: str) -> str:
        return self.chunks[self._by_id[chunk_id]].source

    def matches(self, where: SearchFilter) -> bool:
        """Whether any indexed chunk passes the filter (a misspelt programme matches none)."""
        mask = self._allowed_mask(where)
        return mask is None or bool(mask.any())

    def _allowed_mask(self, where: SearchFilter) -> np.ndarray | None:
        if not where.programme and not where.open_only and where.sources is None:
            return None
        today = where.today or date.today()
        needle = (where.programme or "").casefold()
        mask = np.ones(len(self.chunks), dtype=bool)
        for i, chunk in enumerate(self.chunks):
            meta = chunk.metadata
            if needle:
                haystack = f"{meta.get('programme', '')} {chunk.title}".casefold()
                mask[i] = needle in haystack
            if mask[i] and where.sources is not None:
                mask[i] = chunk.source in where.sources
            if mask[i] and where.open_only:
                mask[i] = is_open(str(meta.get("deadlines", "")), today)
        return mask


# Documents of one language that the similarity level of questions to it is measured on, at
# most (HybridRetriever.level_sample).
_LEVEL_SAMPLE = 40

# The languages whose documents a question's words can match: its own, and for an English
# question the glossary's Dutch words that its search text carries (conversation.py).
_REACHED_BY_WORDS = {"nl": {"nl"}, "en": {"en", "nl"}}


def is_open(deadlines: str, today: date) -> bool:
    """Whether a call with these ISO deadlines (comma-separated) still takes applications.

    A call whose deadline is unknown is kept: nothing says it is closed.
    """
    dates = [date.fromisoformat(d) for d in deadlines.split(",") if d]
    return not dates or max(dates) >= today


def fuse(
    dense: Sequence[tuple[str, float]],
    lexical: Sequence[tuple[str, float]],
    settings: Settings,
    fields: Sequence[tuple[str, float]] = (),
    source_of: Callable[[str], str] | None = None,
    wordless: set[str] | None = None,
) -> list[tuple[str, float]]:
    """Combine the chunk rankings into one, best first, as the settings say.

    `fields` ranks documents (by source) on their title, programme, action and call code; it
    only re-orders chunks that dense or BM25 found, giving the document that a question names
    (a call code, a year, a programme) the edge over a sibling call with similar text.
    `wordless` chunks (in another language than the question) take the better of their BM25
    and dense places in the BM25 ranking: words cannot tell how well they match.
    """
    scores: dict[str, float] = {}
    document_bonus: dict[str, float] = {}
    if wordless:
        lexical = _with_meaning_for_words(dense, lexical, wordless)
    chunk_rankings = ((settings.dense_weight, dense), (settings.lexical_weight, lexical))
    match settings.fusion:
        case "dense":
            return sorted(dense, key=lambda item: -item[1])
        case "lexical":
            return sorted(lexical, key=lambda item: -item[1])
        case "rrf":
            for weight, ranking in chunk_rankings:
                for rank, (id_, _) in enumerate(ranking, 1):
                    scores[id_] = scores.get(id_, 0.0) + weight / (settings.rrf_k + rank)
            document_bonus = {
                source: settings.field_weight / (settings.rrf_k + rank)
                for rank, (source, _) in enumerate(fields, 1)
            }
        case "weighted":
            for weight, ranking in chunk_rankings:
                for id_, value in _max_normalised(ranking):
                    scores[id_] = scores.get(id_, 0.0) + weight * value
            document_bonus = {
                source: settings.field_weight * value for source, value in _max_normalised(fields)
            }
    if document_bonus and source_of is not None:
        scores = {id_: s + document_bonus.get(source_of(id_), 0.0) for id_, s in scores.items()}
    return sorted(scores.items(), key=lambda item: -item[1])


def _with_meaning_for_words(
    dense: Sequence[tuple[str, float]], lexical: Sequence[tuple[str, float]], wordless: set[str]
) -> list[tuple[str, float]]:
    """The BM25 ranking with each wordless chunk moved up to its dense place, where that is
    better than its own (just before the chunk BM25 has there, with that chunk's score)."""
    places = {id_: (r, 1) for r, (id_, _) in enumerate(lexical)}
    scores = dict(lexical)
    last = lexical[-1][1] if lexical else 0.0
    for r, (id_, _) in enumerate(dense):
        if id_ in wordless and r < places.get(id_, (len(lexical) + r, 1))[0]:
            places[id_] = (r, 0)
            scores[id_] = lexical[r][1] if r < len(lexical) else last
    return [(id_, scores[id_]) for id_ in sorted(places, key=places.__getitem__)]


def _max_normalised(ranking: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """Scores divided by the best one, so BM25 and cosine speak the same 0..1 scale."""
    if not ranking:
        return []
    top = max(score for _, score in ranking)
    return [(id_, score / top if top > 0 else 0.0) for id_, score in ranking]


def group_by_document(
    hits: Sequence[Hit],
    k: int,
    passages: int,
    second_weight: float = 0.0,
    chunks_by_source: Mapping[str, Sequence[Chunk]] | None = None,
) -> list[DocumentHit]:
    """The first `k` distinct documents, each with up to `passages` best hits, scored by its
    best hit plus `second_weight` times its second best. A document of one chunk (a short
    portal page; `chunks_by_source` tells) has no second passage to show: its one passage counts for
    both, or a long document's second-best passage would outweigh a page that is first in
    every ranking."""
    grouped: dict[str, list[Hit]] = {}
    for hit in hits:
        grouped.setdefault(hit.chunk.source, []).append(hit)
    chunks = chunks_by_source or {}

    def score(source: str, group: list[Hit]) -> float:
        if len(group) > 1:
            second = group[1].score
        else:
            second = group[0].score if len(chunks.get(source, ())) == 1 else 0.0
        return group[0].score + second_weight * second

    documents = [
        DocumentHit(source, group[0].chunk.title, score(source, group), tuple(group[:passages]))
        for source, group in grouped.items()
    ]
    documents.sort(key=lambda d: -d.score)
    return documents[:k]


def same_action(a: Chunk, b: Chunk) -> bool:
    """Two calls of the same action: same programme, titles alike once years are left out (a
    programme may be named with its period, "EFRO Vlaanderen 2021-2027")."""
    if _without_years(a.metadata.get("programme")) != _without_years(b.metadata.get("programme")):
        return False
    strip = lambda t: {w for w in analyse(t) if not w.isdigit()}  # noqa: E731
    ta, tb = strip(a.title), strip(b.title)
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.6


def _without_years(name: object) -> str:
    return YEAR.sub("", str(name or "")).strip(" -–")


def round_years(chunk: Chunk) -> set[str]:
    """The years that name a document's round of its call: those of its title, call code and
    deadlines (a document of the 2026 round need not repeat "2026" in every sentence)."""
    return years_of_round(chunk.title, chunk.metadata)


def years_of_round(title: str, metadata: Mapping[str, object]) -> set[str]:
    """round_years of a document by its title and flat metadata (as chunk_metadata gives it)."""
    return set(
        YEAR.findall(f"{title} {metadata.get('call_code', '')} {metadata.get('deadlines', '')}")
    )


_NAME = re.compile(r"[A-Z][\w+-]*(?:\s+(?:[A-Z][\w+-]*|[A-Z0-9]{2,}[\w-]*))+")


def proper_names(question: str) -> list[list[str]]:
    """Runs of two or more capitalised words, without a sentence's capitalised first word."""
    names = []
    for match in _NAME.finditer(question):
        words_ = match.group(0).split()
        before = question[: match.start()].rstrip()
        if not before or before[-1] in ".?!:":
            words_ = words_[1:]
        if len(words_) >= 2:
            names.append(words_)
    return names


def named_document_first(
    question: str, documents: list[DocumentHit], lacks_a_name: Callable[[str, str], bool]
) -> list[DocumentHit]:
    """The documents with the one the question names first: when the best document lacks a
    name the question writes ("Smart Grids Pilots") and one of the next few uses every word of
    its names, that one is what the question is about. Across languages the words of a name
    match better than the rest of the question (a Dutch question about an English page)."""
    if not documents or not lacks_a_name(question, documents[0].source):
        return documents
    for other in documents[1:_NAME_REACH]:
        if not lacks_a_name(question, other.source):
            return [other, *(d for d in documents if d is not other)]
    return documents


def asked_round_first(
    question: str,
    documents: list[DocumentHit],
    first_chunk: Callable[[str], Chunk | None],
) -> list[DocumentHit]:
    """The documents with the asked round of a call first. Two rounds of one call read alike,
    so retrieval hardly tells them apart: among the best document and the rounds of its
    action that score nearly as high, the one of the year the question names comes first,
    else the newest (a later round supersedes the one before; a year that names no round,
    "snelheid in 2040", says nothing about which)."""
    top = first_chunk(documents[0].source) if documents else None
    if top is None:
        return documents
    rounds = [(documents[0], top)]
    for other in documents[1:_ROUND_REACH]:
        chunk = first_chunk(other.source)
        close = other.score >= _SAME_ROUND_RATIO * documents[0].score
        if close and chunk is not None and same_action(top, chunk):
            rounds.append((other, chunk))
    if len(rounds) < 2:
        return documents
    asked = set(YEAR.findall(question))
    named = [d for d, chunk in rounds if asked & round_years(chunk)]
    newest = max(rounds, key=lambda pair: max(round_years(pair[1]), default=""))[0]
    chosen = named[0] if named else newest
    return [chosen, *(d for d in documents if d is not chosen)]


def general_before_special(
    question: str,
    documents: list[DocumentHit],
    first_chunk: Callable[[str], Chunk | None],
) -> list[DocumentHit]:
    """Of two calls that score alike, the one whose title adds fewer words the question does
    not use first: "Kleinschalige partnerschappen" answers "een kleinschalig partnerschap?"
    before "Sport: kleinschalige partnerschappen", a special case of it. Two rounds of one
    action are not two calls: asked_round_first orders those."""
    if len(documents) < 2 or documents[1].score < _TIE_RATIO * documents[0].score:
        return documents
    first, second = documents[0], documents[1]
    one, other = first_chunk(first.source), first_chunk(second.source)
    if one is None or other is None or same_action(one, other):
        return documents
    asked = set(analyse(question))
    if len(_title_terms(first.title) - asked) > len(_title_terms(second.title) - asked):
        return [second, first, *documents[2:]]
    return documents


_ROUND_WORDS = frozenset(analyse("oproep oproepen call calls ronde round topic"))


def _title_terms(title: str) -> set[str]:
    """A title's words, without what stands between brackets (a code), numbers and the words
    that name a round ("oproep 2026")."""
    terms = analyse(re.sub(r"\([^()]*\)", " ", title))
    return {t for t in terms if not t.isdigit() and t not in _ROUND_WORDS}


class ProgrammeRetriever(BaseRetriever):
    """The hybrid search as a langchain retriever: one langchain Document per passage."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 5
    programme: str | None = None
    open_only: bool = False

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LangchainDocument]:
        where = SearchFilter(self.programme, self.open_only)
        documents = self.retriever.search(query, self.k, where)
        return [
            LangchainDocument(
                page_content=hit.chunk.text,
                metadata={
                    **hit.chunk.metadata,
                    "id": hit.chunk.id,
                    "source": hit.chunk.source,
                    "title": hit.chunk.title,
                    "section": hit.chunk.section,
                    "score": hit.score,
                },
            )
            for document in documents
            for hit in document.hits
        ]
