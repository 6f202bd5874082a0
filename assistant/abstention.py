"""Whether the documents answer a question at all: features and the learned decision.

A logistic regression over what the evidence looks like — how sure the unit ranker is, how
close the best sentence comes, how much of the question's rare words the best document holds,
whether the question names something the documents do not know — gives the probability that
the documents do not answer. It is trained on answerable and unanswerable questions, and on
answerable questions asked with their source document left out (which must not be answered
from another document) or of their document without the units that state the facts (a call
described without the detail asked); its threshold is chosen by cross-validation grouped by
document for a low false-abstain rate (`scripts/train.py`)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.classify import EXACT_DETAILS, asked_details, detail_matches
from assistant.facts import RARE_IDF, PickedFact, counted_otherwise
from assistant.learned import LearnedComponent
from assistant.metadata import MONTH
from assistant.query import Query, asking_text
from assistant.ranking import AMOUNT, CONTACT, DATE, ScoredUnit, written_in
from assistant.retrieval import YEAR
from assistant.types import DocumentHit

# A month with its year ("sinds januari 2023", "in March 2015"): a date of the asker's story
# or of a deadline, not the round of a call the question asks about.
_MONTH_YEAR = re.compile(rf"\b(?:{MONTH})\.?\s+20\d{{2}}\b", re.IGNORECASE)
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b")

# The shape of the fact each kind of question asks for: no such fact among the best units of
# the document is a sign that it does not answer.
_SHAPE_OF_KIND = {"deadline": DATE, "budget": AMOUNT, "contact": CONTACT}

_DOUBTED_FACTS = 3  # the picker's best candidates a reply could state

ABSTAIN_FEATURES = (
    "best_unit",
    "second_unit",
    "similarity_above_level",
    "runner_up_ratio",
    "coverage",
    "rare_coverage",
    "missing_rare_terms",
    "unknown_name",
    "name_not_in_document",
    "year_not_in_document",
    "year_not_in_best_units",
    "number_not_in_document",
    "detail_absent",
    "detail_absent_best",
    "exact_detail_absent",
    "shape_absent",
    "fact_doubtful",
    "amount_counted_otherwise",
    "other_language",
    "follow_up",
)


@dataclass(frozen=True)
class Grounds:
    """What the decision to answer rests on, for the best document."""

    document: DocumentHit
    runner_up: DocumentHit | None
    ranked: Sequence[ScoredUnit]
    best_similarity: float
    similarity_level: float  # the level of the question's and the document's languages
    terms: frozenset[str]  # the question's analysed words
    idf: dict[str, float]
    document_terms: set[str]
    document_text: str
    unknown_name: bool  # a name of several words the documents only partly know
    name_not_in_document: bool  # a name with a word the corpus knows but this document not
    # a date or amount question's candidate facts, rated by the picker (None: other kinds)
    picked: Sequence[PickedFact] | None = None


def _has_number(text: str, number: str) -> bool:
    """Whether `text` writes `number` as a number of its own ("21", not inside "2021")."""
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d]|[.,]\d)", text) is not None


def rounds_named(question: str) -> set[str]:
    """The years a question names as a call's round ("oproep 2025", "the 2024 call"); the year
    of a date it tells ("ik werk sinds januari 2023 als postdoc") names none."""
    return set(YEAR.findall(_MONTH_YEAR.sub(" ", question)))


def abstain_features(query: Query, evidence: Grounds) -> np.ndarray:
    """One feature row (order of ABSTAIN_FEATURES)."""
    ranked = evidence.ranked
    idf = evidence.idf
    total = math.fsum(idf.values()) or 1.0
    present = evidence.terms & evidence.document_terms
    rare = {t for t, v in idf.items() if v >= RARE_IDF}
    rare_total = math.fsum(idf[t] for t in rare) or 1.0
    text = evidence.document_text
    years = rounds_named(query.text)
    numbers = {n for n in _NUMBER.findall(query.text) if not YEAR.fullmatch(n)}
    first = evidence.document.score or 1e-9
    second = evidence.runner_up.score if evidence.runner_up else 0.0
    kinds = query.kind_probabilities
    wants = asked_details(query.text)
    asking = asking_text(query.text)
    exact = asked_details(asking) & EXACT_DETAILS
    texts = [s.unit.text for s in ranked]
    best_texts = texts[:5]
    top_texts = texts[:3]  # what the reply would quote
    other_language = bool(ranked) and query.language != written_in(ranked[0].unit)
    best_fact = evidence.picked[0].fact if evidence.picked else None
    row = {
        "best_unit": ranked[0].score if ranked else 0.0,
        "second_unit": ranked[1].score if len(ranked) > 1 else 0.0,
        "similarity_above_level": evidence.best_similarity - evidence.similarity_level,
        "retrieval_score": first,
        "runner_up_ratio": second / first,
        # across languages a word is found only where the glossary translates it: the words
        # of the question's topic ("warmtepompen" on an English page) say nothing there
        "coverage": 1.0 if other_language else math.fsum(idf[t] for t in present) / total,
        "rare_coverage": (
            1.0
            if other_language or not rare
            else math.fsum(idf[t] for t in rare & present) / rare_total
        ),
        "missing_rare_terms": 0.0 if other_language else float(len(rare - present)),
        "unknown_name": float(evidence.unknown_name),
        # a name in another language than the document's is no sign it is about another call
        "name_not_in_document": float(evidence.name_not_in_document and not other_language),
        "year_not_in_document": float(bool(years - set(YEAR.findall(text)))),
        # the best units speak of other years than the one asked (last year's call)
        "year_not_in_best_units": float(
            bool(years)
            and any(YEAR.search(t) for t in top_texts)
            and not any(years & set(YEAR.findall(t)) for t in top_texts)
        ),
        "number_not_in_document": float(any(not _has_number(text, n) for n in numbers)),
        "detail_absent": float(bool(wants) and not any(detail_matches(wants, t) for t in texts)),
        "detail_absent_best": float(
            bool(wants) and not any(detail_matches(wants, t) for t in top_texts)
        ),
        # the sentences that ask want a percentage, an e-mail address, a phone number, a
        # score or a list of names that the document does not state anywhere
        "exact_detail_absent": float(bool(exact) and not detail_matches(exact, text)),
        "shape_absent": sum(
            kinds.get(kind, 0.0) * float(not any(pattern.search(t) for t in best_texts))
            for kind, pattern in _SHAPE_OF_KIND.items()
        ),
        # how likely none of the picker's best dates or amounts is the asked one: the
        # document gives other dates or amounts than the one asked for
        "fact_doubtful": (
            0.0
            if evidence.picked is None
            else math.prod(1.0 - p.probability for p in evidence.picked[:_DOUBTED_FACTS])
        ),
        "amount_counted_otherwise": float(
            query.kind == "budget"
            and best_fact is not None
            and counted_otherwise(asking, best_fact)
        ),
        "other_language": float(other_language),
        "follow_up": float(bool(query.topic)),
        "kind_deadline": kinds.get("deadline", 0.0),
        "kind_budget": kinds.get("budget", 0.0),
        "kind_contact": kinds.get("contact", 0.0),
    }
    return np.asarray([[row[name] for name in ABSTAIN_FEATURES]], dtype=np.float64)


class Abstainer(LearnedComponent):
    """Decides that the documents do not answer when P(unanswerable) reaches the threshold
    chosen by cross-validation."""

    WEIGHTS = "abstainer"
    FEATURES = ABSTAIN_FEATURES

    def probability(self, query: Query, evidence: Grounds) -> float:
        """P(the documents do not answer this question)."""
        return float(self.model.positive(abstain_features(query, evidence))[0])

    def abstains(self, query: Query, evidence: Grounds) -> bool:
        return self.probability(query, evidence) >= self.model.threshold
