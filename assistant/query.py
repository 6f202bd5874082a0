"""The question as the answer path sees it, computed once: language, kind, words, asked details.

The kind of question comes from a learned classifier (`KindClassifier`): the cue scores of
`classify.py` and the embedding of the sentences that ask (with the two before each, which say
what a short question refers to), weighed by a logistic regression trained on the labelled
question sets (`scripts/train.py`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.classify import (
    DETAILS,
    KINDS,
    asked_details,
    asks_for_judgement,
    detect_language,
    first_asked_scores,
    kind_scores,
)
from assistant.learned import LinearModel, load_model

_SENTENCE = re.compile(r"(?<=[.?!])\s+|\n+")
_QUESTION_WORD = re.compile(
    r"\b(?:wie|wat|wanneer|hoe|hoeveel|welke?|waar|waarom|who|what|when|how|which|where|why)\b"
)
# The embedding's weight against the standardised cue features (chosen by grouped CV).
_EMBEDDING_WEIGHT = 3.0
KIND_FEATURES = (
    *(f"cue_{kind}" for kind in KINDS),
    *(f"first_cue_{kind}" for kind in KINDS),
    "judgement",
    "english",
    "follow_up",
    "short",
    "question_word",
    # the details the sentences that ask want (a percentage, a phone number, a duration, …)
    *(f"asks_{name}" for name in DETAILS),
)


@dataclass(frozen=True)
class Query:
    """One question in its conversation, analysed once for every stage after retrieval."""

    text: str  # the question as asked
    search: str  # what is searched: a follow-up carries its conversation's topic
    language: str
    kind: str
    kind_probabilities: dict[str, float] = field(default_factory=dict)
    topic: tuple[str, ...] = ()  # sources the conversation is about
    withdrawn: tuple[str, ...] = ()  # what it was about, when that is no longer indexed


def asking_text(question: str) -> str:
    """The sentences that ask (those with a question mark, else the last two): an e-mail's
    greeting, situation and sign-off say little about what kind of answer is wanted."""
    sentences = _sentences(question)
    asking = [s for s in sentences if "?" in s]
    return " ".join(asking) if asking else " ".join(sentences[-2:])


def _sentences(question: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(question) if s.strip()]


# Sentences before each one that asks that the kind classifier reads with it: two, chosen by
# the document-grouped cross-validation among one to three (kind accuracy 0.851, 0.855, 0.853).
_CONTEXT_SENTENCES = 2


# An e-mail's salutation ("Beste Epos,", "Hallo,", "Dear all,"): a short line ending on a comma.
_SALUTATION = re.compile(r"^(?:\S+\s+){0,3}\S+,$")


def asked_in_context(question: str) -> str:
    """The sentences that ask with the two before each: an e-mail's short question ("Mocht dat
    allemaal?", "Maken we een kans?") asks about what the sentences before it say (not its
    salutation)."""
    every = _sentences(question)
    sentences = [s for s in every if not _SALUTATION.match(s)]
    asking = [i for i, s in enumerate(sentences) if "?" in s]
    if not asking:
        return " ".join(every[-2:])  # as asking_text reads a question without a question mark
    kept = sorted({j for i in asking for j in range(max(0, i - _CONTEXT_SENTENCES), i + 1)})
    return " ".join(sentences[j] for j in kept)


def kind_cue_features(question: str, follow_up: bool) -> np.ndarray:
    """The hand-made part of the kind features: cue scores per kind and the question's shape."""
    scores = kind_scores(question)
    asking = asking_text(question)
    first = first_asked_scores(question)
    cues = [scores[kind] for kind in KINDS] + [first[kind] for kind in KINDS]
    shape = [
        float(asks_for_judgement(question)),
        float(detect_language(question) == "en"),
        float(follow_up),
        float(len(asking.split()) < 6),
        float(bool(_QUESTION_WORD.search(asking.casefold()))),
    ]
    wants = asked_details(asking)
    details = [float(name in wants) for name in DETAILS]
    return np.asarray(cues + shape + details, dtype=np.float64)


class KindClassifier:
    """The kind of a question from its cue features and the embedding of its asking part read
    with the sentences before it."""

    def __init__(self, model: LinearModel) -> None:
        self.model = model

    @classmethod
    def load(cls) -> KindClassifier:
        return cls(load_model("kind"))

    @staticmethod
    def features(question: str, vector: np.ndarray, follow_up: bool) -> np.ndarray:
        """One feature row: the cue features, then the embedding of the asking part in context."""
        return np.concatenate([kind_cue_features(question, follow_up), _EMBEDDING_WEIGHT * vector])

    @classmethod
    def rows(
        cls,
        question: str,
        embed: Callable[[str], np.ndarray],
        earlier_questions: Sequence[str] = (),
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The question's feature row, and the earlier question's when the question is an
        elliptic follow-up (no question word, a few words: "En bij een middelgroot project?"),
        which asks what the question before asked. One that names a kind itself ("en de
        deadline?", "and the email?") asks that, whatever the question before asked."""
        asking = asking_text(question)
        row = cls.features(question, embed(asked_in_context(question)), bool(earlier_questions))
        elliptic = (
            len(asking.split()) < 8
            and not _QUESTION_WORD.search(asking.casefold())
            and not any(kind_scores(asking).values())
        )
        if not earlier_questions or not elliptic:
            return row, None
        earlier = earlier_questions[-1]
        return row, cls.features(earlier, embed(asked_in_context(earlier)), False)

    def probabilities(
        self,
        question: str,
        embed: Callable[[str], np.ndarray],
        earlier_questions: Sequence[str] = (),
    ) -> dict[str, float]:
        """P(kind) for a question in its conversation; an elliptic follow-up's probabilities
        are averaged with those of the question before it."""
        row, before = self.rows(question, embed, earlier_questions)
        probabilities = self.model.probabilities(self._fitted(row))[0]
        if before is not None:
            probabilities = (probabilities + self.model.probabilities(self._fitted(before))[0]) / 2
        return {k: float(p) for k, p in zip(self.model.classes, probabilities, strict=True)}

    def _fitted(self, row: np.ndarray) -> np.ndarray:
        """The row as the weights expect it: with vectors of another embedding model than the
        one they were trained on (another ASSISTANT_EMBEDDING_MODEL), the cue features alone
        decide, as if the embedding were all zeros, until `scripts/train.py` is run on it."""
        width = len(self.model.features)
        if len(row) == width:
            return row
        fitted = np.zeros(width)
        fitted[: len(KIND_FEATURES)] = row[: len(KIND_FEATURES)]
        return fitted


def most_likely(probabilities: dict[str, float]) -> str:
    """The kind with the highest probability ('other' without any)."""
    return max(probabilities, key=probabilities.__getitem__) if probabilities else "other"


def build_query(
    question: str,
    search: str,
    topic: tuple[str, ...],
    kinds: KindClassifier,
    embed: Callable[[str], np.ndarray],
    earlier_questions: Sequence[str] = (),
) -> Query:
    """Analyse a question once: language, kind and its probabilities."""
    language = detect_language(question)
    probabilities = kinds.probabilities(question, embed, earlier_questions)
    kind = "other" if asks_for_judgement(question) else most_likely(probabilities)
    return Query(question, search, language, kind, probabilities, topic)
