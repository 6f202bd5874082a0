"""Which documents a follow-up question is about, decided from the conversation without an LLM.

The topic comes from what the user asked and from what earlier answers cited, never from the
words of an answer: an answer that mentions a neighbouring call ("anders is KA220 de juiste
ingang") would otherwise pull the next question there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.classify import detect_language
from assistant.glossary import dutch_terms, english_stop_terms, with_dutch_terms
from assistant.lexical import analyse
from assistant.retrieval import YEAR, HybridRetriever, SearchFilter, round_years, same_action
from assistant.types import DocumentHit, Turn

# Documents ranked per user turn: enough to find the best of the documents a turn names.
_RANKED = 10
# A word most documents use ("project", "programma", "eu") names no call, even where a title
# happens to use it.
_COMMON_SHARE = 0.5


@dataclass(frozen=True)
class Resolution:
    """What to search for a question in its conversation."""

    query: str
    topic: tuple[str, ...]  # sources the conversation is about; empty for a new topic
    follow_up: bool
    # what the last answer cited when none of it is indexed any more (the documents changed
    # under a running conversation): a vague follow-up about it cannot be answered
    withdrawn: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Reading:
    """What one user turn says about the topic: its best document, and how sure that is."""

    source: str | None
    names_call: bool  # the turn names a call by its own words (a code, an acronym, a title word)
    confident: bool  # no other document comes close in retrieval


@dataclass(frozen=True)
class _Topic:
    """The conversation's topic so far and the user turn that set it."""

    source: str
    defining_turn: str  # the user's words the topic was found with (the glossary's added)
    settled: bool  # named, retrieved confidently or cited: only naming another call changes it


def resolve(question: str, history: Sequence[Turn], retriever: HybridRetriever) -> Resolution:
    """Carry the call under discussion into a follow-up, or follow a switch of topic.

    The topic is read from the user's turns, oldest first: the first that names a call or
    retrieves confidently sets it, and a later turn changes it only by naming another call (a
    vague first question only points at a document until then). An earlier answer's first
    cited source (`Turn.sources`) is the topic from that answer on. A question that names
    another call starts a new topic; any other question with a history is a follow-up, searched
    with the user turn that set the topic and the last user turn, its topic's document first.
    The round the user asked about ("in 2025") holds for a question that names no year, also
    across a switch of call; a question that names another round of the topic's call is not
    pinned to the topic's round.
    """
    users = [t for t in history if t.role == "user" and t.content.strip()]
    searched = _with_dutch_terms(question)
    withdrawn = _withdrawn(history, retriever)
    if withdrawn and not _naming_terms(question, retriever):
        return Resolution(searched, (), True, withdrawn)
    topic = _topic_of(history, retriever)
    if topic is None:
        return Resolution(searched, (), False)
    searched = f"{searched} {_years_asked_before(question, users)}".strip()
    # A switch of topic: the question names a call with a word the topic's document never uses
    # ("En MSCA?" after CERV), not merely a place both share ("in Vlaanderen").
    if _names_another_call(question, topic.source, retriever):
        return Resolution(searched, (), False)
    last_user = _with_dutch_terms(users[-1].content) if users else ""
    parts = dict.fromkeys(p for p in (searched, last_user, topic.defining_turn) if p)
    # A document only a vague question pointed at is not pinned: the question's words are
    # searched with the follow-up's, and retrieval decides.
    pinned = (topic.source,) if topic.settled else ()
    if _asks_another_round(question, topic.source, retriever):
        pinned = ()  # "En in de oproep 2025?": retrieval puts the asked round first
    return Resolution(" ".join(parts), pinned, True)


def _years_asked_before(question: str, users: Sequence[Turn]) -> str:
    """The years the user's latest turn that named one asked about, when `question` names none."""
    if YEAR.search(question):
        return ""
    for turn in reversed(users):
        years = YEAR.findall(turn.content)
        if years:
            return " ".join(dict.fromkeys(years))
    return ""


def _asks_another_round(question: str, source: str, retriever: HybridRetriever) -> bool:
    """Whether `question` names the year of another indexed round of the call `source` is of,
    and none of its own round's ("in 2040" names no round)."""
    asked = set(YEAR.findall(question))
    own = retriever.first_chunk(source)
    if not asked or own is None or asked & round_years(own):
        return False
    others = (retriever.first_chunk(other) for other in retriever.sources if other != source)
    return any(
        first is not None and asked & round_years(first) and same_action(own, first)
        for first in others
    )


def _withdrawn(history: Sequence[Turn], retriever: HybridRetriever) -> tuple[str, ...]:
    """The sources the last answer with sources cited, when none of them is indexed now."""
    for turn in reversed(history):
        if turn.role == "assistant" and turn.sources:
            if any(retriever.chunks_of(s) for s in turn.sources):
                return ()
            return tuple(turn.sources)
    return ()


def _topic_of(history: Sequence[Turn], retriever: HybridRetriever) -> _Topic | None:
    """The document the conversation is about after its last turn, or None without one."""
    topic: _Topic | None = None
    answered = ""  # the user turn the next assistant turn answers
    for turn in history:
        if turn.role == "assistant":
            cited = next((s for s in turn.sources if retriever.chunks_of(s)), None)
            if cited is not None:
                same = topic is not None and topic.source == cited
                defining = topic.defining_turn if same and topic is not None else answered
                topic = _Topic(cited, defining, settled=True)
            continue
        if turn.role != "user" or not turn.content.strip():
            continue
        answered = _with_dutch_terms(turn.content)
        reading = _read(turn.content, retriever)
        if reading.source is None:
            continue
        settles = reading.names_call or reading.confident
        if topic is not None and reading.source == topic.source:
            topic = _Topic(topic.source, topic.defining_turn, topic.settled or settles)
        elif (
            topic is None
            or (settles and not topic.settled)
            or _names_another_call(turn.content, topic.source, retriever)
        ):
            topic = _Topic(reading.source, answered, settles)
    return topic


def _read(text: str, retriever: HybridRetriever) -> _Reading:
    """The document one user turn is about: the best-ranked of the documents it names, else
    the best-ranked document; confident when the runner-up scores clearly lower (below the
    share at which triage calls a question ambiguous)."""
    searched = _with_dutch_terms(text)
    ranked = retriever.search(searched, k=_RANKED)
    if not ranked:
        return _Reading(None, False, False)
    naming = _naming_terms(text, retriever)
    # the documents named by the words that name calls, not by every word a title shares
    words = " ".join(w for w in searched.split() if naming & set(analyse(w)))
    named = retriever.named_documents(words) if naming else set()
    named_ranked = [d.source for d in ranked if d.source in named]
    ratio = retriever.settings.ambiguity_ratio
    confident = len(ranked) < 2 or ranked[1].score < ratio * ranked[0].score
    if named_ranked:
        return _Reading(named_ranked[0], True, confident)
    return _Reading(ranked[0].source, False, confident)


def _names_another_call(text: str, source: str, retriever: HybridRetriever) -> bool:
    """Whether `text` (as asked) names a call with a word the document `source` never uses."""
    naming = _naming_terms(text, retriever)
    return bool(naming) and not naming <= retriever.document_terms(source)


def _naming_terms(text: str, retriever: HybridRetriever) -> set[str]:
    """The words of `text` (as asked) that name calls. In English, function words ("and",
    "you") and the EU-funding words the glossary translates ("call", "grant") name nothing,
    even where an English title uses them: their Dutch words are weighed instead."""
    language = detect_language(text)
    terms = retriever.naming_terms(with_dutch_terms(text, language))
    if language == "en":
        generic = {t for word in text.split() if dutch_terms(word) for t in analyse(word)}
        terms -= english_stop_terms() | generic
    return {t for t in terms if retriever.document_share(t) <= _COMMON_SHARE}


def _with_dutch_terms(text: str) -> str:
    """The text searched for `text`: an English one with the glossary's Dutch words."""
    return with_dutch_terms(text, detect_language(text)).strip()


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
