"""Which documents a follow-up question is about, decided from the conversation without an LLM."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.classify import detect_language
from assistant.glossary import with_dutch_terms
from assistant.retrieval import HybridRetriever, SearchFilter
from assistant.types import DocumentHit, Turn

_MARKER = re.compile(r"\[\d+\]")
# Earlier turns looked at: enough for "en hoeveel krijg je dan?" after a question and an answer.
_CONTEXT_TURNS = 2


@dataclass(frozen=True)
class Resolution:
    """What to search for a question in its conversation."""

    query: str
    topic: tuple[str, ...]  # sources the conversation is about; empty for a new topic
    follow_up: bool


def resolve(question: str, history: Sequence[Turn], retriever: HybridRetriever) -> Resolution:
    """Carry the programme under discussion into a follow-up, or follow a switch of topic.

    A question that names a call by its own words (a code, an acronym, a programme the
    conversation was not about) starts a new topic; any other question with a history is a
    follow-up about the documents the last turns were about.
    """
    question = with_dutch_terms(question, detect_language(question))
    # An earlier answer's citation markers ([1], [2]) are no words of the conversation.
    context = _MARKER.sub(" ", " ".join(t.content for t in history[-_CONTEXT_TURNS:])).strip()
    if not context:
        return Resolution(question, (), False)
    # The conversation's words rank the documents; when the last turns name calls (an answer
    # names its programme), the best-ranked of those is the topic.
    ranked = [d.source for d in retriever.search(context, k=10)]
    named_before = retriever.named_documents(context)
    named_ranked = [s for s in ranked if s in named_before]
    topic = tuple((named_ranked or ranked)[:1])
    # A switch of topic: the question names a call with a word the topic's document never uses
    # ("En MSCA?" after CERV), not merely a place both share ("in Vlaanderen").
    naming = retriever.naming_terms(question)
    if topic and naming and not naming <= retriever.document_terms(topic[0]):
        return Resolution(question, (), False)
    last_user = next((t.content for t in reversed(history) if t.role == "user"), "")
    return Resolution(f"{question} {last_user}".strip(), topic, True)


def search_in_conversation(
    resolution: Resolution, retriever: HybridRetriever, k: int, where: SearchFilter | None = None
) -> list[DocumentHit]:
    """Documents for a resolved question: the topic's documents first, then the rest."""
    documents = retriever.search(resolution.query, k, where)
    if not resolution.topic:
        return documents
    first = [d for d in documents if d.source in resolution.topic]
    missing = [s for s in resolution.topic if s not in {d.source for d in first}]
    for source in missing:
        # the topic document did not come up for the follow-up's words: search within it
        first.extend(retriever.search(resolution.query, 1, _only(where, source)))
    rest = [d for d in documents if d.source not in resolution.topic]
    return (first + rest)[:k]


def _only(where: SearchFilter | None, source: str) -> SearchFilter:
    base = where or SearchFilter()
    return SearchFilter(base.programme, base.open_only, base.today, sources=(source,))
