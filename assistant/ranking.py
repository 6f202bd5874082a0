"""Which quotable units of a document answer the question: features and the learned ranker.

Each unit of the best document gets a feature row — how close it is to the question in
meaning and in words, where it stands, what shape of fact it holds against the kind of fact
asked for — and a logistic regression trained on the labelled question sets (a unit answers
when it holds an expected fact) turns the row into the probability that the unit answers.
The facts about the domain stay rules: what a date, an amount or an address looks like, and
under which section headings each kind of fact is stated."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.classify import KINDS, asked_details, detail_matches
from assistant.glossary import english_stop_terms, with_dutch_terms, with_english_terms
from assistant.learned import LearnedComponent, LinearModel, load_model
from assistant.lexical import analyse
from assistant.query import Query
from assistant.types import Chunk, DocumentHit
from assistant.units import Unit, call_numbers, words

DATE = re.compile(
    r"\b\d{1,2}[ -](?:jan|feb|maa|mar|mrt|apr|mei|may|jun|jul|aug|sep|okt|oct|nov|dec)"
    r"[a-z]*\.?[ -]\d{4}"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/-]\d{1,2}[/-]\d{4}\b",
    re.IGNORECASE,
)
AMOUNT = re.compile(
    r"(?:€\s?\d|\bEUR\s?\d"  # "EUR 12 000 000", as the EU's portal writes it
    r"|\d[\d.,  ]*\s?(?:euro|eur\b|miljoen|miljard|mln|million|billion|%|procent))",
    re.IGNORECASE,
)
CONTACT = re.compile(
    r"@|\b(?:\+32|0\d{1,3})[ /.]?\d{2,3}[ .]?\d{2}[ .]?\d{2}|\bwww\.|https?://|\b\d{4} [A-Z][a-z]+",
)
DURATION = re.compile(
    r"\d+\s*(?:tot|à|-|en)?\s*\d*\s*(?:maanden|jaar|dagen|weken|months|years|days|weeks)"
)
_COUNT = re.compile(r"\b(?:minstens|minimaal|ten minste|maximaal|hoogstens|at least|at most)\b")
NEGATION = re.compile(
    r"\b(?:geen|niet|nooit|uitgesloten|enkel|alleen|uitsluitend|not|no|only|excluded)\b",
    re.IGNORECASE,
)

# A question that asks for the things of one sort ("welke thema's …?"): a list answers it.
ASKS_LIST = re.compile(
    r"\b(?:welke?|which)\s+(?:\w+\s+)?(?:soort\w*|thema\w*|doel\w*|prioriteit\w*|activiteit\w*"
    r"|kosten|stappen|types?|kinds?|activities|priorities|themes|objectives|costs|steps)\b"
    r"|\bwat zijn de\b|\bwhat are the\b|\bhoe verloopt\b|\bhow does\b.*\bwork",
    re.IGNORECASE,
)

# Section words that mark where each kind of fact is stated in programme documents.
SECTION_CUES: dict[str, tuple[str, ...]] = {
    "deadline": ("deadline", "indien", "timing", "datum", "data", "kalender", "planning",
                 "dates", "closing"),
    "budget": ("budget", "financ", "subsidie", "bedrag", "forfait", "kosten", "steun", "vergoed",
               "funding", "grant", "cost", "amount"),
    "contact": ("contact", "info", "aanspreekpunt", "helpdesk", "meer weten", "vragen",
                "enquir", "questions"),
    "eligibility": ("wie", "aanmerking", "voorwaarde", "begunstigd", "deelnem", "criteria",
                    "eligib", "who can", "conditions", "applicants"),
    "application": ("indien", "aanvra", "procedure", "hoe", "stappen", "praktisch", "selectie",
                    "apply", "application", "submi", "how to"),
    "objectives": ("doel", "inleiding", "prioriteit", "thema", "waarover", "activiteit", "scope",
                   "objective", "outcome", "aim", "introduction"),
    "other": (),
}  # fmt: skip


def programme_block(unit: Unit) -> bool:
    """Whether a unit stands in the document's general part about the whole programme (e.g.
    "Erasmus+ › Budget") rather than in the call's own sections."""
    programme = str(unit.chunk.metadata.get("programme", "")).strip()
    return bool(programme) and unit.chunk.section.startswith(f"{programme} › ")


def in_kind_section(kind: str, unit: Unit) -> bool:
    """Whether the unit stands under a heading where this kind of fact is stated."""
    section = (unit.section or unit.chunk.section).casefold()
    return any(cue in section for cue in SECTION_CUES.get(kind, ()))


def written_in(unit: Unit) -> str:
    """The language of the document a unit stands in."""
    return unit.chunk.language


def naming_terms(chunk: Chunk) -> set[str]:
    """Words that name a document (title, programme, call code): true of each of its units."""
    meta = chunk.metadata
    return set(analyse(f"{chunk.title} {meta.get('programme', '')} {meta.get('call_code', '')}"))


_BASE_FEATURES = (
    "overlap",
    "overlap_naming",
    "asking_overlap",
    "section_overlap",
    "similarity",
    "similarity_missing",
    "asking_similarity",
    "similarity_scaled",
    "similarity_gap",
    "similarity_rank",
    "neighbour_similarity",
    "retrieval_rank",
    "kind_section",
    "kind_shape",
    "answer_type",
    "answer_type_log",
    *(f"section_{kind}" for kind in KINDS if kind != "other"),
    "has_date",
    "has_amount",
    "has_contact",
    "has_duration",
    "has_count",
    "has_negation",
    "details_asked",
    "details_stated",
    "details_missing",
    "list_item",
    "field",
    "lead_in",
    "programme_block",
    "other_call",
    "position",
    "log_words",
    "other_language",
    "other_language_similarity",
    "question_negation",
    "asks_list",
    "asks_list_item",
)
# Features compared within the document: a unit is judged against its neighbours in the same
# document (its gap to the best, its rank), not against units of other questions.
_RELATIVE = (
    "overlap",
    "overlap_naming",
    "asking_overlap",
    "similarity",
    "asking_similarity",
    "section_overlap",
    "answer_type",
)
# Unit shapes that answer some kinds of question and not others: each is crossed with P(kind).
_SHAPES = (
    "has_date",
    "has_amount",
    "has_contact",
    "has_duration",
    "has_count",
    "list_item",
    "field",
    "has_negation",
)
_KINDS = tuple(KINDS)
UNIT_FEATURES = (
    *_BASE_FEATURES,
    *(f"{name}_{what}" for name in _RELATIVE for what in ("gap", "rank")),
    *(f"p_{kind}" for kind in _KINDS),
    *(f"p_{kind}*{shape}" for kind in _KINDS for shape in _SHAPES),
)


@dataclass(frozen=True)
class ScoredUnit:
    """A unit with the ranker's probability that it answers."""

    unit: Unit
    score: float
    listing: bool = False  # one part of a list quoted whole ("welke thema's …?")
    # quoted even past the reply's word budget: the best unit for one part of a question of
    # several, or a runner-up the ranker is confident answers
    required: bool = False


@dataclass(frozen=True)
class UnitContext:
    """What the ranker needs of the index for one document: the question's analysed words
    with their rarity, and the units' similarities to the question (NaN: no stored vector)."""

    terms: frozenset[str]
    idf: dict[str, float]
    similarities: np.ndarray
    asking_terms: frozenset[str]  # the words of the sentences that ask
    asking_similarities: np.ndarray  # the units' similarities to those sentences
    # P(a unit answers a question of each kind, columns in KINDS order) by its meaning alone;
    # None: no answer-type model (every unit alike)
    answer_types: np.ndarray | None = None


def question_terms(
    query: Query, vocabulary: dict[str, int], document_language: str = "nl"
) -> frozenset[str]:
    """The question's analysed words, with the glossary's words in the document's language
    (Dutch words of an English question's terms, English ones of a Dutch question's when
    the document is English); words the documents never use, and English function words,
    are left out."""
    if document_language == "en":
        text = query.text if query.language == "en" else with_english_terms(query.text)
    else:
        text = with_dutch_terms(query.text, query.language)
    terms = set(analyse(text))
    if "en" in (query.language, document_language):
        terms = {t for t in terms if t in vocabulary and t not in english_stop_terms()}
    return frozenset(terms)


def idf_of(terms: frozenset[str], document_frequency: dict[str, int], n: int) -> dict[str, float]:
    """Inverse document frequency over the chunks: rare words weigh more."""
    return {t: math.log(1 + n / (1 + document_frequency.get(t, 0))) for t in terms}


def unit_features(
    query: Query, document: DocumentHit, units: Sequence[Unit], context: UnitContext
) -> np.ndarray:
    """One feature row per unit of `document` (order of UNIT_FEATURES)."""
    if not units:
        return np.zeros((0, len(UNIT_FEATURES)))
    terms = context.terms
    idf = context.idf
    total = math.fsum(idf.values()) or 1.0
    naming = naming_terms(units[0].chunk) & terms
    hit_rank = {h.chunk.id: r for r, h in enumerate(document.hits, 1)}
    wants = asked_details(query.text)
    asked_calls = call_numbers(query.text)
    kinds = query.kind_probabilities or {query.kind: 1.0}
    filled, missing = _filled(context.similarities)
    asking_filled, _ = _filled(context.asking_similarities)
    asking_total = math.fsum(idf.get(t, 0.0) for t in context.asking_terms) or 1.0
    low, high = float(filled.min()), float(filled.max())
    order = np.argsort(-filled)
    rank = np.empty(len(units))
    rank[order] = np.arange(1, len(units) + 1)
    positions = max(1, max(u.chunk.position for u in units))
    # an English question about a Dutch document (or the other way round) matches its units
    # in meaning more than in words
    other_language = float(query.language != written_in(units[0]))
    question_negation = float(bool(NEGATION.search(query.text)))
    asks_list = float(bool(ASKS_LIST.search(query.text)))
    answer_type = answer_type_of(kinds, context.answer_types, len(units))
    rows = []
    for i, unit in enumerate(units):
        text = unit.text
        own = terms & unit.terms
        section_terms = terms_of(unit.section or unit.chunk.section)
        has = {
            "deadline": bool(DATE.search(text)),
            "budget": bool(AMOUNT.search(text)),
            "contact": bool(CONTACT.search(text)),
        }
        stated = detail_matches(wants, text)
        neighbours = [filled[j] for j in (i - 1, i + 1) if 0 <= j < len(units)]
        sections = {k: float(in_kind_section(k, unit)) for k in KINDS if k != "other"}
        row = {
            "overlap": math.fsum(idf[t] for t in own - naming) / total,
            "overlap_naming": math.fsum(idf[t] for t in own | naming) / total,
            "asking_overlap": math.fsum(idf.get(t, 0.0) for t in context.asking_terms & unit.terms)
            / asking_total,
            "section_overlap": math.fsum(idf[t] for t in terms & section_terms) / total,
            "similarity": filled[i],
            "similarity_missing": float(missing[i]),
            "asking_similarity": asking_filled[i],
            "similarity_scaled": (filled[i] - low) / (high - low or 1.0),
            "similarity_gap": filled[i] - high,
            "similarity_rank": 1.0 / rank[i],
            "neighbour_similarity": max(neighbours) if neighbours else filled[i],
            "retrieval_rank": 1.0 / hit_rank[unit.chunk.id] if unit.chunk.id in hit_rank else 0.0,
            "kind_section": sum(p * sections.get(k, 0.0) for k, p in kinds.items()),
            "kind_shape": sum(p * float(has.get(k, False)) for k, p in kinds.items()),
            "answer_type": answer_type[i],
            "answer_type_log": math.log(answer_type[i] + 1e-6),
            **{f"section_{k}": v for k, v in sections.items()},
            "has_date": float(has["deadline"]),
            "has_amount": float(has["budget"]),
            "has_contact": float(has["contact"]),
            "has_duration": float(bool(DURATION.search(text))),
            "has_count": float(bool(_COUNT.search(text))),
            "has_negation": float(bool(NEGATION.search(text))),
            "details_asked": float(len(wants)),
            "details_stated": float(stated),
            "details_missing": float(len(wants) - stated),
            "list_item": float(unit.listed >= 0),
            "field": float(unit.paragraph < 0 and unit.listed < 0),
            "lead_in": float(text.endswith(":")),
            "programme_block": float(programme_block(unit)),
            "other_call": float(bool(asked_calls and unit.about and not asked_calls & unit.about)),
            "position": unit.chunk.position / positions,
            "log_words": math.log(1 + words(text)),
            "other_language": other_language,
            "other_language_similarity": other_language * filled[i],
            "question_negation": question_negation,
            "asks_list": asks_list,
            "asks_list_item": asks_list * float(unit.listed >= 0),
        }
        rows.append([row[name] for name in _BASE_FEATURES])
    base = np.asarray(rows, dtype=np.float64)
    return np.hstack([base, _relative(base), _crossed(base, kinds)])


def answer_type_of(kinds: dict[str, float], answer_types: np.ndarray | None, n: int) -> np.ndarray:
    """How much each unit looks like the answer to the kind of question asked: P(kind) of
    the question times P(the unit answers that kind), summed over the kinds."""
    if answer_types is None:
        return np.zeros(n)
    p = np.array([kinds.get(kind, 0.0) for kind in _KINDS])
    return answer_types @ p


class AnswerTypes:
    """Which kind of question a unit answers, from its embedding alone: a multinomial logistic
    regression over the kinds and "none", trained on the units that hold an expected fact
    (labelled with their question's kind) and the units that do not. An eligibility list, a
    deadline line or an address looks alike in every document, so this carries over to
    documents the model has not seen; it is stacked into the ranker as `answer_type`."""

    WEIGHTS = "answer_types"

    def __init__(self, model: LinearModel) -> None:
        if not set(_KINDS) <= set(model.classes) or not all(
            f.startswith("embedding_") for f in model.features
        ):
            raise ValueError("the answer types' weights were trained on other features")
        self.model = model
        self._columns = [model.classes.index(kind) for kind in _KINDS]

    @classmethod
    def load(cls) -> AnswerTypes:
        return cls(load_model(cls.WEIGHTS))

    def of_units(self, vectors: np.ndarray) -> np.ndarray | None:
        """P(answers each kind) per unit (rows of `vectors`; NaN rows: a unit without a stored
        vector). None when the vectors come from another embedding model than the one the
        weights were trained with (retrain with `scripts/train.py`)."""
        if vectors.ndim != 2 or vectors.shape[1] != len(self.model.features):
            return None
        rows = np.nan_to_num(vectors.astype(np.float64), nan=0.0)
        return self.model.probabilities(rows)[:, self._columns]


@lru_cache(maxsize=8192)
def terms_of(text: str) -> frozenset[str]:
    """A short text's analysed words, kept: the same headings and clauses come back for every
    question."""
    return frozenset(analyse(text))


def _filled(similarities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Similarities with a unit that has no stored vector set to the document's lowest."""
    missing = np.isnan(similarities)
    low = np.nanmin(similarities) if not missing.all() else 0.0
    return np.where(missing, low, similarities), missing


def _relative(base: np.ndarray) -> np.ndarray:
    columns = []
    for name in _RELATIVE:
        values = base[:, _BASE_FEATURES.index(name)]
        rank = np.empty(len(values))
        rank[np.argsort(-values, kind="stable")] = np.arange(1, len(values) + 1)
        columns += [values - values.max(), 1.0 / rank]
    return np.stack(columns, axis=1)


def _crossed(base: np.ndarray, kinds: dict[str, float]) -> np.ndarray:
    p = np.array([kinds.get(kind, 0.0) for kind in _KINDS])
    shapes = base[:, [_BASE_FEATURES.index(name) for name in _SHAPES]]
    crossed = np.einsum("k,ns->nks", p, shapes).reshape(len(base), -1)
    return np.hstack([np.tile(p, (len(base), 1)), crossed])


class UnitRanker(LearnedComponent):
    """Orders a document's units by the learned probability that they answer the question."""

    WEIGHTS = "unit_ranker"
    FEATURES = UNIT_FEATURES

    def rank(
        self, query: Query, document: DocumentHit, units: Sequence[Unit], context: UnitContext
    ) -> list[ScoredUnit]:
        """Every unit with its probability of answering, best first."""
        rows = unit_features(query, document, units, context)
        return [ScoredUnit(u, p) for u, p in self.ordered(units, rows)]
