"""The offline answer composer: finds the sentences or fields that state the asked-for fact in
the retrieved documents and quotes them, each with a citation marker; abstains otherwise."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from assistant.classify import (
    PART_BREAK,
    asks_for_judgement,
    classify_kind,
    detect_language,
    kind_in_conversation,
)
from assistant.conversation import resolve, search_in_conversation
from assistant.glossary import english_stop_terms, with_dutch_terms
from assistant.lexical import analyse
from assistant.prompts import ANSWER_INTRO, format_date, text
from assistant.retrieval import HybridRetriever, SearchFilter
from assistant.types import Answer, Chunk, Citation, DocumentHit, Turn
from assistant.units import Unit, call_numbers, is_item, item_head, units_of, words

_DATE = re.compile(
    r"\b\d{1,2}[ -](?:jan|feb|maa|mrt|apr|mei|jun|jul|aug|sep|okt|oct|nov|dec)[a-z]*\.?[ -]\d{4}"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/-]\d{1,2}[/-]\d{4}\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"(?:€\s?\d|\d[\d.,  ]*\s?(?:euro|eur\b|miljoen|miljard|mln|%|procent))", re.IGNORECASE
)
_CONTACT = re.compile(
    r"@|\b(?:\+32|0\d{1,3})[ /.]?\d{2,3}[ .]?\d{2}[ .]?\d{2}|\bwww\.|https?://|\b\d{4} [A-Z][a-z]+",
)
_DURATION = re.compile(r"\d+\s*(?:tot|à|-|en)?\s*\d*\s*(?:maanden|jaar|dagen|weken|months|years)")

# Section words that mark where each kind of fact is stated in these documents.
_SECTION_CUES: dict[str, tuple[str, ...]] = {
    "deadline": ("deadline", "indien", "timing", "datum", "data", "kalender", "planning"),
    "budget": ("budget", "financ", "subsidie", "bedrag", "forfait", "kosten", "steun", "vergoed"),
    "contact": ("contact", "info", "aanspreekpunt", "helpdesk", "meer weten", "vragen"),
    "eligibility": ("wie", "aanmerking", "voorwaarde", "begunstigd", "deelnem", "criteria"),
    "application": ("indien", "aanvra", "procedure", "hoe", "stappen", "praktisch", "selectie"),
    "objectives": ("doel", "inleiding", "prioriteit", "thema", "waarover", "activiteit", "scope"),
    "other": (),
}
_MAX_WORDS = 65
# Documents this close in retrieval score are both shown: retrieval cannot choose between them.
_SIBLING_RATIO = 0.95


@dataclass(frozen=True)
class Evidence:
    """What an answer was drawn from: the documents found, best first, and the conversation's
    topic and search query; `unknown` when the question names something no document describes."""

    documents: tuple[DocumentHit, ...]
    topic: tuple[str, ...]
    query: str
    unknown: bool = False


@dataclass(frozen=True)
class ScoredUnit:
    unit: Unit
    score: float
    overlap: float


class Composer:
    """Answers a question from the index; a langchain Runnable wraps it in `chain.py`."""

    def __init__(
        self, retriever: HybridRetriever, min_overlap: float = 0.05, meaning_weight: float = 0.35
    ) -> None:
        self.retriever = retriever
        self.min_overlap = min_overlap
        self.meaning_weight = meaning_weight
        self._units_by_source: dict[str, list[Unit]] = {}
        self._unit_matrices: dict[str, np.ndarray] = {}  # the units' vectors, stacked once

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        today: date | None = None,
        where: SearchFilter | None = None,
    ) -> Answer:
        """Compose a cited answer, or abstain with a referral."""
        return self.respond(question, history, today, where)[0]

    def respond(
        self,
        question: str,
        history: Sequence[Turn] = (),
        today: date | None = None,
        where: SearchFilter | None = None,
    ) -> tuple[Answer, Evidence]:
        """The answer and what it was drawn from (triage weighs the evidence as well)."""
        today = today or date.today()
        language = detect_language(question)
        if not question.strip():
            empty = Answer(text("empty_question", language), (), True, None, "other", language)
            return empty, Evidence((), (), question)
        kind = kind_in_conversation(question, [t.content for t in history if t.role == "user"])
        resolution = resolve(question, history, self.retriever)
        documents = search_in_conversation(resolution, self.retriever, 10, where)
        evidence = Evidence(tuple(documents), resolution.topic, resolution.query)
        retrieved = tuple(d.source for d in documents)
        if not documents:
            return self._abstain(language, kind, None, retrieved), evidence
        top = documents[0]
        if asks_for_judgement(question):
            return self._abstain(language, kind, top, retrieved, reason="no_judgement"), evidence
        if self._names_what_document_lacks(question, top):
            # the question is about something none of the documents describes: no programme
            # is clear, so the referral is to the general contact points
            return self._abstain(language, kind, None, retrieved), replace(evidence, unknown=True)
        if (
            self._names_something_unknown(question, language)
            or _other_year(question, kind, top)
            or (language == "nl" and self._nothing_close(resolution.query, top))
        ):
            return self._abstain(language, kind, top, retrieved), evidence
        chosen = self._select(question, kind, top, resolution.query)
        if not chosen:
            return self._abstain(language, kind, top, retrieved), evidence
        chosen = self._answer_each_part(question, top, resolution.query, chosen)
        answer = self._compose(chosen, language, kind, top, today)
        sibling = self._close_second(documents, resolution.topic, question, kind, resolution.query)
        if sibling is not None:
            answer = _with_sibling(answer, sibling, language)
        return replace(answer, retrieved=retrieved), evidence

    def _names_something_unknown(self, question: str, language: str) -> bool:
        """Whether the question names a programme or call our documents do not know: a proper
        name of several words of which some are in the documents' vocabulary and some never
        occur (e.g. a known programme word followed by an unknown region). Only for Dutch
        questions: English names of Dutch-described programmes are expected to be unknown."""
        if language != "nl":
            return False
        vocabulary = self.retriever.lexical.document_frequency
        for name in proper_names(question):
            known = [all(t in vocabulary for t in analyse(word)) for word in name]
            if any(known) and not all(known):
                return True
        return False

    def _names_what_document_lacks(self, question: str, document: DocumentHit) -> bool:
        """Whether the question names something (a run of capitalised words) with a word the
        corpus knows but the best document never uses: it is about another programme or call
        ("ERC Starting Grant" when the best match is an Erasmus+ call), which the documents then
        do not describe. Words the corpus never uses (a town, a university) say nothing here."""
        vocabulary = self.retriever.lexical.document_frequency
        own = self.retriever.document_terms(document.source)
        for name in proper_names(question):
            for word in name:
                terms = [t for t in analyse(word) if not t.isdigit()]
                if terms and all(t in vocabulary for t in terms) and not set(terms) <= own:
                    return True
        return False

    def _answer_each_part(
        self, question: str, document: DocumentHit, query: str, chosen: list[ScoredUnit]
    ) -> list[ScoredUnit]:
        """A question of several parts ("…genoeg, en bij wie moeten we dat aanvragen?") gets
        the best unit for each part as well, within the answer's length."""
        parts = question_parts(question)
        if len(parts) < 2:
            return chosen
        extra: list[ScoredUnit] = []
        for part in parts:
            best = self._select(part, classify_kind(part), document, f"{part} {query}")[:1]
            extra.extend(best)
        return _fill(chosen[:1], [*extra, *chosen[1:]], limit=len(parts) + 2)

    def _close_second(
        self,
        documents: Sequence[DocumentHit],
        topic: Sequence[str],
        question: str,
        kind: str,
        query: str,
    ) -> ScoredUnit | None:
        """The best unit of the runner-up document when retrieval could hardly tell the two
        apart (sibling calls, the same action in two years): the reader then sees both."""
        if topic or len(documents) < 2:
            return None
        first, second = documents[0], documents[1]
        if second.score < _SIBLING_RATIO * first.score:
            return None
        chosen = self._select(question, kind, second, query)
        return chosen[0] if chosen else None

    # --- evidence -----------------------------------------------------------------------

    def _select(
        self, question: str, kind: str, document: DocumentHit, query: str
    ) -> list[ScoredUnit]:
        """The best units of the top document for this question, best first."""
        chunks = self.retriever.chunks_of(document.source)
        hit_rank = {h.chunk.id: r for r, h in enumerate(document.hits, 1)}
        language = detect_language(question)
        terms = set(analyse(with_dutch_terms(question, language)))
        if language == "en":
            # English words the documents never use cannot match any unit, and English
            # function words match only by accident: counting them in the total would only
            # drown the glossary's Dutch words that do match
            vocabulary = self.retriever.lexical.document_frequency
            terms = {t for t in terms if t in vocabulary and t not in english_stop_terms()}
        # Words that name the document (title, programme, call code) are true of every unit in
        # it: they count for each unit alike, so they let units pass the floor without ranking.
        naming = _naming_terms(chunks[0]) & terms if chunks else set()
        wants = asked_details(question)
        # A date or an amount belongs to the call its paragraph is about: one about another
        # call than the one asked (the predecessor's budget) does not answer.
        asked_calls = call_numbers(question) if kind in ("deadline", "budget") else frozenset()
        units = self._units(document.source)
        meaning = self._closeness(query, document.source)
        idf = self._idf(terms)
        total = sum(idf.values()) or 1.0
        scored: list[ScoredUnit] = []
        for unit, closeness in zip(units, meaning, strict=True):
            overlap = sum(idf[t] for t in terms & (unit.terms | naming)) / total
            score = (
                overlap
                + _cue_score(kind, unit)
                + _detail_score(wants, unit)
                + _rank_prior(hit_rank.get(unit.chunk.id))
                + self.meaning_weight * closeness
            )
            scored.append(ScoredUnit(unit, score, overlap))
        # An English question shares few words with Dutch documents: it is not held to them.
        floor = self.min_overlap if terms and detect_language(question) == "nl" else 0.0
        # A unit passes on its words, on standing where this kind of fact is stated (a date
        # under "Deadline" answers "tot wanneer?" without sharing a word with it), or on stating
        # the detail asked for (a duration for "hoe lang?"). Meaning only ranks: scaled within
        # the document, it cannot tell an answer from the best of nothing.
        scored = [
            s
            for s in scored
            if _states_fact(kind, s.unit)
            and not (asked_calls and s.unit.about and not asked_calls & s.unit.about)
            and not s.unit.text.endswith(":")  # a lead-in whose list lies in the next chunk
            and (
                s.overlap >= floor
                or _in_kind_section(kind, s.unit)
                or _detail_score(wants, s.unit) > 0
            )
        ]
        scored.sort(key=lambda s: -s.score)
        if not scored:
            return []
        if _ASKS_PROCEDURE.search(question):
            # "hoe verloopt de aanvraag?": the document's list of steps, wherever it ranks
            steps = [s for s in scored if s.unit.listed >= 0 and _STEPS.search(s.unit.section)]
            listing = _whole_list(steps[:1], units)
            if listing:
                return listing
        if kind not in ("deadline", "budget", "contact") and (
            kind == "objectives" or _ASKS_LIST.search(question)
        ):
            listing = _sub_sections(scored[:3], units) or _whole_list(scored[:3], units)
            if listing:
                return listing
        best = scored[0]
        runners_up = []
        for candidate in scored[1:8]:
            if candidate.score < 0.45 * best.score or candidate.overlap < floor / 2:
                break
            runners_up.append(candidate)
        return _with_antecedents(_fill([best], runners_up, limit=4), units)

    def _units(self, source: str) -> list[Unit]:
        """The quotable units of a document, split once and kept (the index does not change
        under a running composer)."""
        units = self._units_by_source.get(source)
        if units is None:
            units = [u for chunk in self.retriever.chunks_of(source) for u in units_of(chunk)]
            self._units_by_source[source] = units
        return units

    def _nothing_close(self, query: str, document: DocumentHit) -> bool:
        """Whether no sentence of the document comes near the question in meaning (by the
        embedding model's calibrated floor): the documents then do not answer it. Only asked of
        Dutch questions: across languages the same model's similarities run lower."""
        floor = self.retriever.embedder.relevance_floor
        similarities = self._similarities(query, document.source)
        if floor is None or similarities is None:
            return False
        return float(np.nanmax(similarities)) < floor

    def _closeness(self, query: str, source: str) -> list[float]:
        """How close each unit of a document is to the question in meaning, scaled to 0..1
        within the document: it finds the sentence that says the same thing in other words or
        in another language. Units without a stored vector count as 0."""
        similarities = self._similarities(query, source)
        if similarities is None:
            return [0.0] * len(self._units(source))
        low, high = float(np.nanmin(similarities)), float(np.nanmax(similarities))
        scaled = (similarities - low) / (high - low or 1.0)
        return [0.0 if np.isnan(v) else float(v) for v in scaled]

    def _similarities(self, query: str, source: str) -> np.ndarray | None:
        """Cosine similarity of the query to each unit of a document (NaN where a unit has no
        stored vector), or None when none has one."""
        matrix = self._unit_matrices.get(source)
        if matrix is None:
            vectors = self.retriever.unit_vectors
            dim = len(next(iter(vectors.values()))) if vectors else 0
            nan = np.full(dim, np.nan, dtype=np.float32)
            matrix = np.stack([vectors.get(u.id, nan) for u in self._units(source)] or [nan])
            self._unit_matrices[source] = matrix
        if matrix.size == 0 or np.isnan(matrix).all():
            return None
        return matrix @ self.retriever.query_vector(query)

    def _idf(self, terms: set[str]) -> dict[str, float]:
        """Inverse document frequency over the chunks: rare words weigh more."""
        lexical = self.retriever.lexical
        n = max(1, len(lexical.ids))
        return {t: math.log(1 + n / (1 + lexical.document_frequency.get(t, 0))) for t in terms}

    # --- composing ----------------------------------------------------------------------

    def _compose(
        self,
        chosen: list[ScoredUnit],
        language: str,
        kind: str,
        document: DocumentHit,
        today: date,
    ) -> Answer:
        citations: list[Citation] = []
        numbers: dict[str, int] = {}
        parts: list[str] = []
        ordered = sorted(chosen, key=lambda s: (s.unit.chunk.position, s.unit.text))
        for scored in ordered:
            unit = scored.unit
            n = numbers.get(unit.chunk.id)
            if n is None:
                n = numbers[unit.chunk.id] = len(numbers) + 1
                citations.append(_citation(n, unit))
            parts.append(f"{_sentence(unit.text)} [{n}]")
        notes = self._deadline_notes(document, language, today, citations, kind)
        intro = ANSWER_INTRO.get(language, "")
        body = " ".join(parts + notes)
        answer_text = f"{intro} {body}".strip() if intro else body
        programme = _programme(document)
        return Answer(answer_text, tuple(citations), False, programme, kind, language)

    def _deadline_notes(
        self,
        document: DocumentHit,
        language: str,
        today: date,
        citations: list[Citation],
        kind: str,
    ) -> list[str]:
        """Say when the cited call's deadline has passed, and point to a newer call."""
        meta = document.hits[0].chunk.metadata
        deadline = _iso(str(meta.get("deadline", "")))
        if deadline is None or deadline >= today:
            return []
        notes = [text("deadline_passed", language, deadline=format_date(deadline, language))]
        newer = self._newer_call(document, deadline)
        if newer is not None:
            chunk, newer_deadline = newer
            n = len(citations) + 1
            citations.append(_citation(n, Unit(chunk.title, chunk, frozenset())))
            notes.append(
                text(
                    "newer_call",
                    language,
                    title=chunk.title,
                    deadline=format_date(newer_deadline, language),
                )
                + f" [{n}]"
            )
        return notes

    def _newer_call(self, document: DocumentHit, deadline: date) -> tuple[Chunk, date] | None:
        """A document of the same action with a later deadline, if the corpus has one."""
        this = document.hits[0].chunk
        best: tuple[Chunk, date] | None = None
        for source in self.retriever.sources:
            if source == document.source:
                continue
            first = self.retriever.chunks_of(source)[0]
            other_deadline = _iso(str(first.metadata.get("deadline", "")))
            if other_deadline is None or other_deadline <= deadline:
                continue
            if _same_action(this, first) and (best is None or other_deadline > best[1]):
                best = (first, other_deadline)
        return best

    def _abstain(
        self,
        language: str,
        kind: str,
        document: DocumentHit | None,
        retrieved: tuple[str, ...],
        reason: str = "not_in_documents",
    ) -> Answer:
        """Say plainly that the documents do not answer, and refer to whom to ask."""
        parts = [text(reason, language)]
        citations: list[Citation] = []
        programme = _programme(document) if document else None
        if document is not None:
            meta = document.hits[0].chunk.metadata
            organisation = str(meta.get("handling_organisation", "")).strip()
            if organisation:
                referral = text(
                    "ask_organisation",
                    language,
                    programme=programme or document.title,
                    organisation=organisation,
                )
                contact_chunk = _contact_chunk(self.retriever.chunks_of(document.source))
                if contact_chunk is not None:
                    citations.append(
                        _citation(1, Unit(contact_chunk.text, contact_chunk, frozenset()))
                    )
                    referral += " [1]"
                parts.append(referral + ".")
            else:
                parts.append(text("ask_general", language))
        else:
            parts.append(text("ask_general", language))
        return Answer(" ".join(parts), tuple(citations), True, programme, kind, language, retrieved)


def _cue_score(kind: str, unit: Unit) -> float:
    """How much a unit looks like it states the kind of fact asked for."""
    section = (unit.section or unit.chunk.section).casefold()
    unit_text = unit.text
    score = 0.0
    if _programme_block(unit) and kind != "contact":
        score -= 0.15  # the call's own text is the more specific answer
    if any(cue in section for cue in _SECTION_CUES.get(kind, ())):
        score += 0.35 if kind == "deadline" else 0.15
    if kind == "deadline":
        score += 0.35 if _DATE.search(unit_text) else -0.2
    elif kind == "budget":
        score += 0.3 if _AMOUNT.search(unit_text) else -0.15
    elif kind == "contact":
        score += 0.3 if _CONTACT.search(unit_text) else 0.0
    elif kind in ("eligibility", "other") and _DURATION.search(unit_text):
        score += 0.05
    return score


_DETAILS = {
    # a detail the question asks for, and how a unit that states it looks
    "percentage": (
        r"%|procent|percent|\baandeel|\bshare\b|cofinanc|co-financ|welk deel",
        r"\d\s?%|procent",
    ),
    "email": (r"e-?mail|mailadres|\bmail\b", r"@"),
    "phone": (
        r"telefoon|\bnummer|\bphone|\bbellen|\bcall\b|telefoonnr",
        r"\b0\d{1,3}[ /.]?\d{2,3}",
    ),
    "age": (r"leeftijd|\boud\b|\bage\b|\bjaar oud", r"\d+\s*(?:tot|en|-)\s*\d+\s*jaar|\bjaar\b"),
    "duration": (
        r"hoe lang|\bduur|\bduurt|how long|looptijd",
        r"\d+\s*(?:tot|à|-)?\s*\d*\s*(?:maanden|jaar|dagen|weken)",
    ),
    "count": (
        r"\baantal\b|hoeveel (?:partners|organisaties|landen|deelnemers)|how many|\bmin\.?\b"
        r"|\bgenoeg\b|\bvoldoende\b|\benough\b|\beentje\b|\balleen\b|\balone\b"
        r"|\bpartners? nodig\b",
        r"\b(?:minstens|minimaal|ten minste|maximaal|hoogstens)\b",
    ),
}


def asked_details(question: str) -> set[str]:
    """The specific details a question asks for (a percentage, an e-mail address, …)."""
    lowered = question.casefold()
    return {name for name, (asks, _) in _DETAILS.items() if re.search(asks, lowered)}


def _detail_score(wants: set[str], unit: Unit) -> float:
    return sum(0.4 for name in wants if re.search(_DETAILS[name][1], unit.text, re.IGNORECASE))


_PART_SPLIT = re.compile(r"\?\s+|;\s+|" + PART_BREAK, re.IGNORECASE)


def question_parts(question: str) -> list[str]:
    """The parts of a question that ask separate things; short fragments are left out."""
    return [p.strip() for p in _PART_SPLIT.split(question) if len(p.split()) >= 3]


_NAME = re.compile(r"[A-Z][\w+-]*(?:\s+(?:[A-Z][\w+-]*|[A-Z0-9]{2,}[\w-]*))+")
_YEAR = re.compile(r"\b20\d{2}\b")


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


def _other_year(question: str, kind: str, document: DocumentHit) -> bool:
    """A deadline question about a year the best document's call does not belong to: the
    documents do not hold that call (its title, code and deadlines name other years)."""
    years = set(_YEAR.findall(question))
    if kind != "deadline" or not years:
        return False
    meta = document.hits[0].chunk.metadata
    own = f"{document.title} {meta.get('call_code', '')} {meta.get('deadlines', '')}"
    return not years & set(_YEAR.findall(own))


_ASKS_LIST = re.compile(
    r"\b(?:welke?|which)\s+(?:\w+\s+)?(?:soort\w*|thema\w*|doel\w*|prioriteit\w*|activiteit\w*"
    r"|kosten|stappen|types?|kinds?|activities|priorities|themes|objectives|costs|steps)\b"
    r"|\bwat zijn de\b|\bwhat are the\b|\bhoe verloopt\b|\bhow does\b.*\bwork",
    re.IGNORECASE,
)


_ASKS_PROCEDURE = re.compile(
    r"\bhoe verloopt\b|\bwelke stappen\b|\bhoe gaat\b.*\bin zijn werk\b|\bprocedure\b"
    r"|\bhow does\b.*\b(?:work|go)\b|\bwhat are the steps\b|\bwhich steps\b",
    re.IGNORECASE,
)
# A list's lead-in that announces steps ("De procedure verloopt in drie stappen:").
_STEPS = re.compile(r"› .*\b(?:stap\w*|procedure|verloopt|fasen?|steps?)\b", re.IGNORECASE)


def _whole_list(top: Sequence[ScoredUnit], units: Sequence[Unit]) -> list[ScoredUnit]:
    """When one of the best units is an item of a list, the list answers a 'welke …?'
    question: quote the heads of all its items, one unit per chunk the list stands in (so
    each part is cited from the passage that holds it)."""
    for scored in top:
        unit = scored.unit
        if unit.listed < 0:
            continue
        items = [u for u in units if u.chunk.id == unit.chunk.id and u.listed == unit.listed]
        items += _continued_items(items, units)
        if len(items) < 2:
            return []  # a short list is already one unit
        heads: list[Unit] = []
        for item in items:
            if words("; ".join(item_head(u.text) for u in [*heads, item])) > _MAX_WORDS:
                break
            heads.append(item)
        parts = []
        for chunk_id in dict.fromkeys(u.chunk.id for u in heads):
            part = [u for u in heads if u.chunk.id == chunk_id]
            terms = frozenset().union(*(u.terms for u in part))
            text = "; ".join(item_head(u.text) for u in part)
            listing = Unit(text, part[0].chunk, terms, unit.section, part[0].listed)
            parts.append(ScoredUnit(listing, scored.score, scored.overlap))
        return parts
    return []


def _sub_sections(top: Sequence[ScoredUnit], units: Sequence[Unit]) -> list[ScoredUnit]:
    """When the best unit stands in one of several sub-sections of a call's section (two
    priorities, each under its own heading), those headings answer a 'welke …?' question:
    quote them, each cited from the first passage under it."""
    for scored in top:
        unit = scored.unit
        if unit.listed >= 0:
            return []  # an item list ranks first: _whole_list answers
        section = unit.chunk.section
        if " › " not in section or " · " in section or _programme_block(unit):
            continue
        parent = section.rsplit(" › ", 1)[0]
        firsts: dict[str, Unit] = {}
        for other in units:
            own = other.chunk.section
            if own.startswith(f"{parent} › ") and " › " not in own[len(parent) + 3 :]:
                firsts.setdefault(own, other)
        if len(firsts) < 2:
            continue
        parts = []
        for own, first in firsts.items():
            leaf = own[len(parent) + 3 :]
            parts.append(ScoredUnit(Unit(leaf, first.chunk, first.terms, own), scored.score, 0))
        return parts
    return []


def _continued_items(items: Sequence[Unit], units: Sequence[Unit]) -> list[Unit]:
    """The items of the next chunk that continue a list ending its chunk (a long list is cut
    between chunks); those the chunks' overlap repeats are left out."""
    last = items[-1]
    in_chunk = [u for u in units if u.chunk.id == last.chunk.id]
    if not in_chunk or in_chunk[-1] is not last:
        return []
    following = [u for u in units if u.chunk.position == last.chunk.position + 1]
    if not following or not is_item(following[0].chunk.text.lstrip()):
        return []
    seen = {u.text for u in items}
    return [u for u in following if u.listed == 0 and u.text not in seen]


# A sentence that points back ("Organisaties van buiten dat gebied …", "Die oproep …") needs
# the sentence before it to be understood.
_ANAPHOR = re.compile(
    r"^(?:die|dat|deze|dit)\s+(?!(?:is|zijn|was|waren|wordt|worden|kan|kunnen|moet|moeten|mag"
    r"|oproep|actie|programma)\b)[a-zà-ÿ]{3,}"
    r"|^daar(?:om|door|naast|bij|mee|voor|van)\b"
    r"|^(?:\S+\s+){0,5}?(?:van|voor|in|op|aan|bij|met|uit|naar|buiten|binnen|onder|over|tot"
    r"|door|na|zonder)\s+(?:dat|die)\s+[a-zà-ÿ]{3,}",
    re.IGNORECASE,
)


# Words a quoted sentence's antecedent may add beyond the answer's usual length.
_CONTEXT_WORDS = 15


def _with_antecedents(chosen: list[ScoredUnit], units: Sequence[Unit]) -> list[ScoredUnit]:
    """Add the sentence before each chosen sentence that points back to it ("Organisaties van
    buiten dat gebied …" needs "Aan Nederlandse kant gaat het om de provincies …")."""
    result = list(chosen)
    length = sum(words(c.unit.text) for c in chosen)
    quoted = {c.unit.text for c in chosen}
    for scored in chosen:
        if not _ANAPHOR.match(scored.unit.text):
            continue
        before = _previous_sentence(scored.unit, units)
        if before is None or before.text in quoted:
            continue
        if length + words(before.text) > _MAX_WORDS + _CONTEXT_WORDS:
            continue
        result.append(ScoredUnit(before, scored.score, scored.overlap))
        quoted.add(before.text)
        length += words(before.text)
    return result


def _previous_sentence(unit: Unit, units: Sequence[Unit]) -> Unit | None:
    """The sentence before `unit` in its paragraph, if any."""
    if unit.paragraph < 0:
        return None
    index = next((i for i, other in enumerate(units) if other is unit), 0)
    before = units[index - 1] if index > 0 else None
    if before is None or before.chunk.id != unit.chunk.id or before.paragraph != unit.paragraph:
        return None
    return before


def _naming_terms(chunk: Chunk) -> set[str]:
    meta = chunk.metadata
    return set(analyse(f"{chunk.title} {meta.get('programme', '')} {meta.get('call_code', '')}"))


def _programme_block(unit: Unit) -> bool:
    """Whether a unit stands in the document's general part about the whole programme (e.g.
    "Erasmus+ › Budget") rather than in the call's own sections."""
    programme = str(unit.chunk.metadata.get("programme", "")).strip()
    return bool(programme) and unit.chunk.section.startswith(f"{programme} › ")


def _in_kind_section(kind: str, unit: Unit) -> bool:
    section = (unit.section or unit.chunk.section).casefold()
    return kind in ("deadline", "budget", "contact") and any(
        cue in section for cue in _SECTION_CUES[kind]
    )


def _rank_prior(rank: int | None) -> float:
    """Passages that retrieval ranked high for this question are likelier to hold the answer."""
    return 0.0 if rank is None else 0.12 / rank


def _states_fact(kind: str, unit: Unit) -> bool:
    """A deadline answer must hold a date and a budget answer an amount: else it is no answer."""
    if kind == "deadline":
        return bool(_DATE.search(unit.text))
    if kind == "budget":
        return bool(_AMOUNT.search(unit.text))
    return True


def _fill(
    chosen: list[ScoredUnit], candidates: Sequence[ScoredUnit], limit: int
) -> list[ScoredUnit]:
    """Add candidates in order while they say something new and the answer stays short."""
    result = list(chosen)
    length = sum(words(s.unit.text) for s in result)
    for candidate in candidates:
        if len(result) >= limit:
            break
        if any(_similar(candidate.unit, c.unit) for c in result):
            continue
        if length + words(candidate.unit.text) > _MAX_WORDS:
            continue
        result.append(candidate)
        length += words(candidate.unit.text)
    return result


def _similar(a: Unit, b: Unit) -> bool:
    if not a.terms or not b.terms:
        return a.text == b.text
    return len(a.terms & b.terms) / len(a.terms | b.terms) > 0.6


def _sentence(unit_text: str) -> str:
    return unit_text.rstrip(" ;,")


def _with_sibling(answer: Answer, sibling: ScoredUnit, language: str) -> Answer:
    """The answer with one more cited sentence from a close second document."""
    n = len(answer.citations) + 1
    unit = sibling.unit
    line = text("also_relevant", language, title=unit.chunk.title)
    extended = f"{answer.text} {line} {_sentence(unit.text)} [{n}]"
    return replace(answer, text=extended, citations=(*answer.citations, _citation(n, unit)))


def _citation(n: int, unit: Unit) -> Citation:
    chunk = unit.chunk
    url = str(chunk.metadata.get("source_url", "")) or None
    return Citation(n, chunk.source, chunk.title, chunk.section, url, chunk.text, unit.text)


def _programme(document: DocumentHit | None) -> str | None:
    if document is None:
        return None
    programme = str(document.hits[0].chunk.metadata.get("programme", "")).strip()
    return programme or None


def _contact_chunk(chunks: Sequence[Chunk]) -> Chunk | None:
    """The chunk that holds the document's contact block, if any."""
    for chunk in reversed(chunks):
        contact = str(chunk.metadata.get("contact", "")).strip()
        first_line = contact.splitlines()[0] if contact else ""
        if first_line and first_line in chunk.text:
            return chunk
    for chunk in chunks:
        if any(cue in chunk.section.casefold() for cue in _SECTION_CUES["contact"]):
            return chunk
    return None


def _iso(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _same_action(a: Chunk, b: Chunk) -> bool:
    """Two calls of the same action: same programme, titles alike once years are left out."""
    if a.metadata.get("programme") != b.metadata.get("programme"):
        return False
    strip = lambda t: {w for w in analyse(t) if not w.isdigit()}  # noqa: E731
    ta, tb = strip(a.title), strip(b.title)
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.6
