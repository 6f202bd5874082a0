"""The offline answer composer: finds the sentences or fields that state the asked-for fact in
the retrieved documents and quotes them, each with a citation marker; abstains otherwise."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from assistant.abstention import Abstainer, Grounds
from assistant.classify import (
    PART_BREAK,
    REFERENCE_QUESTIONS,
    asks_for_judgement,
    asks_who_may_apply,
    detect_language,
)
from assistant.composition import (
    CONFIDENT_QUOTE,
    CONFIDENT_QUOTE_SEVERAL,
    LONG_MESSAGE_WORDS,
    MARKER,
    MAX_QUOTES,
    Lead,
    as_sentence,
    fits,
    lead_for,
    quoted,
    says_something,
)
from assistant.conversation import resolve, search_in_conversation
from assistant.facts import (
    CALL_CODE,
    PICKED_KINDS,
    Fact,
    FactPicker,
    PickedFact,
    call_deadline,
    fact_features,
    facts_of,
)
from assistant.glossary import dutch_terms
from assistant.lexical import analyse
from assistant.metadata import sector_organisation
from assistant.prompts import EXAMPLE_QUESTIONS, answer_intro, format_date, text
from assistant.query import KindClassifier, Query, asking_text, build_query
from assistant.ranking import (
    AMOUNT,
    ASKS_LIST,
    DATE,
    SECTION_CUES,
    AnswerTypes,
    ScoredUnit,
    UnitContext,
    UnitRanker,
    idf_of,
    programme_block,
    question_terms,
    unit_features,
    written_in,
)
from assistant.retrieval import (
    YEAR,
    HybridRetriever,
    SearchFilter,
    proper_names,
    round_years,
    same_action,
)
from assistant.scope import Scope
from assistant.types import Answer, Chunk, Citation, DocumentHit, Turn
from assistant.units import Unit, call_numbers, is_item, item_head, units_of, words

_MAX_WORDS = 65
# Documents this close in retrieval score are both shown: retrieval cannot choose between them.
_SIBLING_RATIO = 0.95
# A runner-up unit joins the best one when the ranker gives it at least this share of the
# best unit's probability, and at least the floor.
_RUNNER_UP_RATIO = 0.3
_RUNNER_UP_FLOOR = 0.1
# A runner-up the ranker rates this close to the best unit is quoted even past the word
# budget: the ranker cannot tell the two apart, and the best one may be the long one that does
# not answer ("Studiebeurzen: 1.400 euro per maand …" at 0.136 beside "… Wie al een EMJM-beurs
# ontving, komt niet opnieuw in aanmerking" at 0.135).
_TIE_RATIO = 0.9
# A deadline or budget question keeps only the units with a date or an amount, but only when
# the kind classifier is this sure of the kind: an unsure reading ("Mogen kosten die we via
# Interreg laten financieren ook bij EFRO indienen?" read as budget) would otherwise drop
# the very unit that answers.
_SURE_KIND = 0.6


@dataclass(frozen=True)
class Evidence:
    """What an answer was drawn from: the documents found, best first, and the conversation's
    topic and search query; `unknown` when the question names something no document describes."""

    documents: tuple[DocumentHit, ...]
    topic: tuple[str, ...]
    query: str
    # the index generation's retriever it was found with: triage reads the same generation's
    # documents even when the app switches to a newer one meanwhile
    retriever: HybridRetriever
    unknown: bool = False


@dataclass(frozen=True)
class AnswerModels:
    """The learned components of the answer path."""

    kinds: KindClassifier
    ranker: UnitRanker
    abstainer: Abstainer
    facts: FactPicker
    answer_types: AnswerTypes | None = None  # None: the ranker sees every unit's type alike

    @classmethod
    def load(cls) -> AnswerModels:
        """The weights shipped in the package (rebuilt by `scripts/train.py`)."""
        return cls(
            KindClassifier.load(),
            UnitRanker.load(),
            Abstainer.load(),
            FactPicker.load(),
            AnswerTypes.load(),
        )


class Composer:
    """Answers a question from the index in visible steps: analyse the question (`Query`),
    retrieve, rank the best document's units, decide whether the documents answer, compose.
    A langchain Runnable wraps it in `chain.py`."""

    def __init__(self, retriever: HybridRetriever, models: AnswerModels | None = None) -> None:
        self.retriever = retriever
        self.models = models or AnswerModels.load()
        self._units_by_source: dict[str, list[Unit]] = {}
        self._unit_matrices: dict[str, np.ndarray] = {}  # the units' vectors, stacked once
        self._unit_types: dict[tuple[AnswerTypes, str], np.ndarray | None] = {}
        self._levels: dict[tuple[str, str], float] = {}
        self.scope = Scope(retriever)

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        today: date | None = None,
        where: SearchFilter | None = None,
    ) -> Answer:
        """Compose a cited answer, or abstain with a referral."""
        return self.respond(question, history, today, where)[0]

    def analyse(
        self, question: str, history: Sequence[Turn] = (), where: SearchFilter | None = None
    ) -> tuple[Query, list[DocumentHit]]:
        """The question analysed in its conversation, and the documents found for it."""
        resolution = resolve(question, history, self.retriever)
        documents = (
            []
            if resolution.withdrawn
            else search_in_conversation(resolution, self.retriever, 10, where)
        )
        earlier = [t.content for t in history if t.role == "user"]
        query = build_query(
            question,
            resolution.query,
            resolution.topic,
            self.models.kinds,
            self.retriever.query_vector,
            earlier,
        )
        return replace(query, withdrawn=resolution.withdrawn), documents

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
        nothing_found = Evidence((), (), question, self.retriever)
        if not question.strip():
            empty = Answer(text("empty_question", language), (), True, None, "other", language)
            return empty, nothing_found
        if where is not None and not self.retriever.matches(where):
            nothing = text("filter_matched_nothing", language, programme=where.programme or "")
            return Answer(nothing, (), True, None, "other", language), nothing_found
        if not self.scope.covers(question, history):
            examples = " ".join(EXAMPLE_QUESTIONS.get(language, EXAMPLE_QUESTIONS["nl"]))
            reply = text("out_of_scope", language, examples=examples)
            return Answer(reply, (), True, None, "other", language), nothing_found
        query, documents = self.analyse(question, history, where)
        kind, language = query.kind, query.language
        if query.withdrawn:
            gone = text("topic_withdrawn", language, source=", ".join(query.withdrawn))
            return Answer(gone, (), True, None, kind, language), nothing_found
        evidence = Evidence(tuple(documents), query.topic, query.search, self.retriever)
        retrieved = tuple(d.source for d in documents)
        if not documents:
            return self._abstain(language, kind, None, retrieved), evidence
        top = documents[0]
        if asks_for_judgement(question):
            return self._abstain(language, kind, top, retrieved, reason="no_judgement"), evidence
        context = self.unit_context(query, top.source)
        ranked = self.rank(query, top, context)
        picked = self.pick(query, ranked, context, today)
        grounds = self.grounds(query, documents, ranked, context, picked)
        # A question that names something the documents do not describe (a name of several
        # words that the corpus only partly knows, or with a word the best document never
        # uses) is not answered from a document about something else. Names are compared as
        # written: an English question names a Dutch document's call in English ("Centres of
        # Vocational Excellence"), so there only the learned abstainer weighs them.
        same_language = language == self._written_in(top.source)
        named_elsewhere = same_language and (
            grounds.name_not_in_document or (grounds.unknown_name and language == "nl")
        )
        if named_elsewhere or self.models.abstainer.abstains(query, grounds):
            if grounds.name_not_in_document:
                # the question is about something none of the documents describes: no
                # programme is clear, so the referral is to the general contact points
                unknown = replace(evidence, unknown=True)
                return self._abstain(language, kind, None, retrieved), unknown
            return self._abstain(language, kind, top, retrieved), evidence
        chosen = self._select(query, top, ranked)
        if not chosen:
            return self._abstain(language, kind, top, retrieved), evidence
        chosen = self._answer_each_part(query, top, chosen)
        chosen = self._with_applicants(query, top, ranked, chosen)
        answer = self._compose(query, chosen, top, today, picked)
        sibling = self._close_second(documents, query)
        if sibling is not None:
            answer = _with_sibling(answer, sibling, language, top.hits[0].chunk)
        return replace(answer, retrieved=retrieved), evidence

    # --- the learned steps --------------------------------------------------------------

    def unit_context(self, query: Query, source: str) -> UnitContext:
        """The question's words with their rarity, and its similarity to each unit (of the
        whole question, and of the sentences that ask)."""
        lexical = self.retriever.lexical
        written_in = self._written_in(source)
        terms = question_terms(query, lexical.document_frequency, written_in)
        asking = replace(query, text=asking_text(query.text))
        asking_terms = question_terms(asking, lexical.document_frequency, written_in)
        idf = idf_of(terms | asking_terms, lexical.document_frequency, max(1, len(lexical.ids)))
        return UnitContext(
            terms,
            idf,
            self._similarities(query.search, source),
            asking_terms,
            self._similarities(asking.text, source),
            self._answer_types(source),
        )

    def unit_rows(self, query: Query, document: DocumentHit) -> tuple[list[Unit], np.ndarray]:
        """A document's units and their ranker features (the training script reads these)."""
        units = self.document_units(document.source)
        return units, unit_features(
            query, document, units, self.unit_context(query, document.source)
        )

    def rank(
        self, query: Query, document: DocumentHit, context: UnitContext | None = None
    ) -> list[ScoredUnit]:
        """The document's units, best first, with the ranker's probability that they answer
        (`context`: the document's unit context, when the caller has it already)."""
        units = self.document_units(document.source)
        context = context or self.unit_context(query, document.source)
        return self.models.ranker.rank(query, document, units, context)

    def pick(
        self, query: Query, ranked: Sequence[ScoredUnit], context: UnitContext, today: date
    ) -> list[PickedFact]:
        """The dates or amounts of the best units, ordered by the learned picker, for a
        deadline or budget question (none for other kinds)."""
        if query.kind not in PICKED_KINDS:
            return []
        return self.models.facts.pick(query, _candidate_facts(query, ranked), context, today)

    def fact_rows(
        self, query: Query, document: DocumentHit, today: date
    ) -> tuple[list[Fact], np.ndarray]:
        """The facts the picker chooses among for a document, and their features (the
        training script reads these)."""
        context = self.unit_context(query, document.source)
        facts = _candidate_facts(query, self.rank(query, document, context))
        return facts, fact_features(query, facts, context, today)

    def grounds(
        self,
        query: Query,
        documents: Sequence[DocumentHit],
        ranked: Sequence[ScoredUnit],
        context: UnitContext,
        picked: Sequence[PickedFact] = (),
    ) -> Grounds:
        """What the decision to answer from the best document rests on (`context`: the best
        document's unit context, as the units were ranked with; `picked`: the dates or
        amounts the picker rated, for a question that asks for one)."""
        top = documents[0]
        similarities = context.similarities
        best = float(np.nanmax(similarities)) if not np.isnan(similarities).all() else 0.0
        chunks = self.retriever.chunks_of(top.source)
        return Grounds(
            document=top,
            runner_up=self._other_action(top, documents[1:]),
            ranked=ranked,
            best_similarity=best,
            similarity_level=self.similarity_level(query.language, top.source),
            terms=context.terms,
            idf=context.idf,
            document_terms=self.retriever.document_terms(top.source),
            document_text="\n".join(f"{c.title} {c.section} {c.text}" for c in chunks),
            unknown_name=self._names_something_unknown(query.text),
            name_not_in_document=self.retriever.lacks_a_name(query.text, top.source),
            picked=tuple(picked) if query.kind in PICKED_KINDS else None,
        )

    def _other_action(self, top: DocumentHit, others: Sequence[DocumentHit]) -> DocumentHit | None:
        """The best document after `top` that is not another round of its action: two rounds
        of one call are expected to match a question alike, unlike two different calls."""
        first = self.retriever.chunks_of(top.source)[:1]
        for other in others:
            chunks = self.retriever.chunks_of(other.source)[:1]
            if not (first and chunks and same_action(first[0], chunks[0])):
                return other
        return None

    def _names_something_unknown(self, question: str) -> bool:
        """Whether the question names a programme or call our documents do not know: a proper
        name of several words of which some are in the documents' vocabulary and some never
        occur, in any inflection or translation (a known programme word followed by an
        unknown region). A number in a name ("March 2015", "Fellowships 2024") is no word of it:
        which years a corpus happens to mention says nothing about the name."""
        for name in proper_names(question):
            known = [self._knows_word(word) for word in name if not word.isdigit()]
            if any(known) and not all(known):
                return True
        return False

    def _knows_word(self, word: str) -> bool:
        """Whether the documents use a word of a name, in another inflection ("Academy",
        "Academies") or in Dutch ("Flanders" as "Vlaanderen") as well."""
        lexical = self.retriever.lexical
        if all(lexical.knows(t) for t in analyse(word)):
            return True
        dutch = analyse(dutch_terms(word))
        return bool(dutch) and all(lexical.knows(t) for t in dutch)

    def _answer_each_part(
        self, query: Query, document: DocumentHit, chosen: list[ScoredUnit]
    ) -> list[ScoredUnit]:
        """A question of several parts ("…genoeg, en bij wie moeten we dat aanvragen?") gets
        the best unit for each part as well (marked: it is quoted even past the word budget)."""
        parts = question_parts(query.text)
        if len(parts) < 2:
            return chosen
        extra: list[ScoredUnit] = []
        for part in parts:
            sub = build_query(
                part,
                f"{part} {query.search}",
                query.topic,
                self.models.kinds,
                self.retriever.query_vector,
            )
            extra.extend(
                replace(s, required=True)
                for s in self._select(sub, document, self.rank(sub, document))[:1]
            )
        confident = confident_quote(query.text)
        return _fill(chosen[:1], [*extra, *chosen[1:]], len(parts) + 2, confident)

    def _with_applicants(
        self,
        query: Query,
        document: DocumentHit,
        ranked: Sequence[ScoredUnit],
        chosen: list[ScoredUnit],
    ) -> list[ScoredUnit]:
        """A question about who may apply is answered first by what the document says of it:
        the opening of its section on who may apply ("Wie kan aanvragen?"), else a field that
        names the applicants ("Aanvrager: …") among the best units. The ranker learned from
        few such questions, and rates a unit that shares the question's words ("een
        organisatie kan slechts één aanvraag … indienen") above the one that answers."""
        if not asks_who_may_apply(query.text):
            return chosen
        section = _applicant_section(self.document_units(document.source))
        best = chosen[0].score if chosen else 0.0
        answer = ScoredUnit(section, best) if section is not None else _applicant_field(ranked)
        if answer is None:
            return chosen
        rest = [s for s in chosen if s.unit.text not in answer.unit.text]
        return [replace(answer, required=True), *rest]

    def _close_second(self, documents: Sequence[DocumentHit], query: Query) -> ScoredUnit | None:
        """The best unit of the runner-up document when retrieval could hardly tell the two
        apart (sibling calls, the same action in two years): the reader then sees both."""
        if query.topic or len(documents) < 2:
            return None
        first, second = documents[0], documents[1]
        if second.score < _SIBLING_RATIO * first.score:
            return None
        coded = self.retriever.sources_by_code(query.text)
        if first.source in coded and second.source not in coded:
            return None  # the question names its call by code: no doubt which one it means
        if self.retriever.tells_apart(query.text, first.source, second.source):
            return None
        asked = set(YEAR.findall(query.text))
        if asked & round_years(first.hits[0].chunk) > asked & round_years(second.hits[0].chunk):
            return None  # the question names the first one's round ("oproep 2025")
        chosen = self._select(query, second, self.rank(query, second))
        return chosen[0] if chosen else None

    # --- evidence -----------------------------------------------------------------------

    def _select(
        self, query: Query, document: DocumentHit, ranked: Sequence[ScoredUnit]
    ) -> list[ScoredUnit]:
        """The units to quote from the ranked units of a document, best first: a list or the
        headings of sub-sections where the question asks for several things, else the best
        unit with the runners-up the ranker rates nearly as high."""
        scored = _quotable(query, ranked)
        if not scored:
            return []
        units = self.document_units(document.source)
        question = query.text
        if _ASKS_PROCEDURE.search(question):
            # "hoe verloopt de aanvraag?": the document's list of steps, wherever it ranks
            steps = [s for s in scored if s.unit.listed >= 0 and _STEPS.search(s.unit.section)]
            listing = _whole_list(steps[:1], units)
            if listing:
                return listing
        if query.kind not in ("deadline", "budget", "contact") and (
            query.kind == "objectives" or ASKS_LIST.search(question)
        ):
            listing = _sub_sections(scored[:3], units) or _whole_list(scored[:3], units)
            if listing:
                return _with_best_item(listing, scored[0])
        confident = confident_quote(question)
        runners_up = _runners_up(scored, confident)
        return _with_antecedents(_fill(scored[:1], runners_up, 4, confident), units)

    def document_units(self, source: str) -> list[Unit]:
        """The quotable units of a document, split once and kept (the index does not change
        under a running composer)."""
        units = self._units_by_source.get(source)
        if units is None:
            units = [u for chunk in self.retriever.chunks_of(source) for u in units_of(chunk)]
            self._units_by_source[source] = units
        return units

    def _written_in(self, source: str) -> str:
        """The language a document is written in (Dutch where it has no units)."""
        units = self.document_units(source)
        return written_in(units[0]) if units else "nl"

    def unit_matrix(self, source: str) -> np.ndarray:
        """The stored vectors of a document's units, one row per unit (NaN where a unit has
        none), stacked once."""
        matrix = self._unit_matrices.get(source)
        if matrix is None:
            vectors = self.retriever.unit_vectors
            dim = len(next(iter(vectors.values()))) if vectors else 1
            nan = np.full(dim, np.nan, dtype=np.float32)
            rows = [vectors.get(u.id, nan) for u in self.document_units(source)]
            matrix = np.stack(rows) if rows else np.empty((0, dim), dtype=np.float32)
            self._unit_matrices[source] = matrix
        return matrix

    def similarity_level(self, language: str, source: str) -> float:
        """How close the units of documents written in the language of `source` come, on
        average, to plain questions of every kind asked in `language` (the best unit of each
        document for each question): the similarity any question reaches across that pair
        of languages (0 without stored vectors). A large corpus is sampled."""
        written_in = self._written_in(source)
        key = (language, written_in)
        if key not in self._levels:
            questions = REFERENCE_QUESTIONS.get(language, REFERENCE_QUESTIONS["nl"])
            vectors = np.stack([self.retriever.query_vector(q) for q in questions])
            levels = []
            for other in sorted({*self.retriever.level_sample(written_in), source}):
                matrix = self.unit_matrix(other)
                matrix = matrix[~np.isnan(matrix).any(axis=1)]
                if len(matrix):
                    levels.append(float((matrix @ vectors.T).max(axis=0).mean()))
            self._levels[key] = float(np.mean(levels)) if levels else 0.0
        return self._levels[key]

    def _answer_types(self, source: str) -> np.ndarray | None:
        """The answer types of a document's units, computed once per document and model (they
        do not depend on the question). Kept with the units they belong to: the models outlive
        an index generation (service.py hands them to the next composer), the units do not."""
        types = self.models.answer_types
        if types is None:
            return None
        key = (types, source)
        if key not in self._unit_types:
            self._unit_types[key] = types.of_units(self.unit_matrix(source))
        return self._unit_types[key]

    def _similarities(self, query: str, source: str) -> np.ndarray:
        """Cosine similarity of the query to each unit of a document (NaN where a unit has no
        stored vector)."""
        matrix = self.unit_matrix(source)
        if np.isnan(matrix).all():
            return np.full(len(matrix), np.nan)
        return matrix @ self.retriever.query_vector(query)

    # --- composing ----------------------------------------------------------------------

    def _compose(
        self,
        query: Query,
        chosen: list[ScoredUnit],
        document: DocumentHit,
        today: date,
        picked: Sequence[PickedFact] = (),
    ) -> Answer:
        """A first sentence around the asked fact, then at most three supporting quotes (a list
        is quoted whole), each with its marker; then what the reader must know about the
        call's deadline."""
        language, kind = query.language, query.kind
        citations: list[Citation] = []
        numbers: dict[str, int] = {}

        def marker(unit: Unit) -> str:
            n = numbers.get(unit.chunk.id)
            if n is None:
                n = numbers[unit.chunk.id] = len(numbers) + 1
                citations.append(_citation(n, unit))
            return f"[{n}]"

        listing = any(s.listing for s in chosen)
        lead = None if listing else self._lead(query, chosen, document, today, picked)
        parts: list[str] = []
        if lead is not None:
            markers = dict.fromkeys(marker(unit) for unit in lead.units)
            parts.append(lead.wording.replace(MARKER, " ".join(markers)))
        used = sum(words(p) for p in parts)
        # the first sentence, then at most MAX_QUOTES supporting quotes: without a sentence
        # of its own around the fact, the best quote is the first sentence
        quota = max(MAX_QUOTES + (lead is None), len(question_parts(query.text)))
        quotes: list[Unit] = []
        for scored in chosen:
            unit = scored.unit
            if lead is not None and unit in lead.covered:
                continue
            if not listing and not says_something(unit.text):
                continue
            # each part of a question of several is answered, if need be past the word budget
            required = scored.required and len(quotes) < quota
            sentence = quoted(unit)
            if listing or required or fits(used, sentence, len(quotes), quota):
                quotes.append(unit)
                used += words(sentence)
        in_order = sorted(quotes, key=lambda u: (u.chunk.position, u.chunk.text.find(u.text)))
        if lead is None and not listing and quotes:
            # the best quote stands as the first sentence; the others follow in reading order
            in_order = [quotes[0], *(u for u in in_order if u is not quotes[0])]
        # quotes in another language than the question's are framed as such: before the
        # answer, or after its first sentence, which is in the question's language
        intro = answer_intro(language, self._written_in(document.source))
        if intro and lead is not None and in_order:
            parts.append(intro)
        for unit in in_order:
            # a whole list's items stand under their lead-in once (the listing's own)
            sentence = as_sentence(unit.text) if listing else quoted(unit)
            parts.append(f"{sentence} {marker(unit)}")
        said_passed = lead is not None and kind == "deadline"
        notes = self._deadline_notes(document, language, today, citations, said_passed)
        body = " ".join(parts + notes)
        answer_text = f"{intro} {body}" if intro and lead is None else body
        programme = _programme(document)
        return Answer(answer_text, tuple(citations), False, programme, kind, language)

    def _lead(
        self,
        query: Query,
        chosen: Sequence[ScoredUnit],
        document: DocumentHit,
        today: date,
        picked: Sequence[PickedFact] = (),
    ) -> Lead | None:
        """The reply's first sentence for the question's kind, from the chosen units."""
        units = [s.unit for s in chosen]
        organisation = ""
        contact_units: list[Unit] = []
        if query.kind == "contact":
            meta = document.hits[0].chunk.metadata
            # of one organisation per sector, the one of the sector the question names
            listed = str(meta.get("handling_organisation", ""))
            split = self.retriever.lexical.split
            organisation = sector_organisation(listed, query.text, split) or listed
            contact_chunk = _contact_chunk(self.retriever.chunks_of(document.source))
            if contact_chunk is not None:
                contact_units = units_of(contact_chunk)
        return lead_for(
            query.kind,
            query.text,
            units,
            today,
            query.language,
            organisation,
            contact_units,
            picked,
        )

    def _deadline_notes(
        self,
        document: DocumentHit,
        language: str,
        today: date,
        citations: list[Citation],
        said_passed: bool = False,
    ) -> list[str]:
        """Say when the cited call's deadline has passed (unless the reply's first sentence
        said so), and point to a newer call."""
        deadline = call_deadline(document.hits[0].chunk)
        if deadline is None or deadline >= today:
            return []
        notes = (
            []
            if said_passed
            else [text("deadline_passed", language, deadline=format_date(deadline, language))]
        )
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
            other_deadline = call_deadline(first)
            if other_deadline is None or other_deadline <= deadline:
                continue
            if same_action(this, first) and (best is None or other_deadline > best[1]):
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


_PART_SPLIT = re.compile(r"\?\s+|;\s+|" + PART_BREAK, re.IGNORECASE)


def question_parts(question: str) -> list[str]:
    """The parts of a question that ask separate things, in the sentences that ask (an
    e-mail's situation and sign-off ask nothing); short fragments are left out."""
    return [p.strip() for p in _PART_SPLIT.split(asking_text(question)) if len(p.split()) >= 3]


# A field that names who may apply or take part ("Aanvrager: elke publieke of private
# organisatie …", "Aanvragers (volwaardige partners): …", "Eligible applicants: …").
_APPLICANT_FIELD = re.compile(
    r"^\W*(?:aanvrager\w*|begunstigde\w*|wie kan (?:aanvragen|indienen|deelnemen)"
    r"|in aanmerking komende (?:aanvragers|organisaties|deelnemers)|applicants?"
    r"|eligible (?:applicants|organi[sz]ations|participants)|who can (?:apply|take part)"
    r"|beneficiaries)\b[^:\n]{0,40}:",
    re.IGNORECASE,
)
_APPLICANT_RANKS = 8  # how far down the ranking such a field is looked for


# A heading over who may apply or take part ("Wie kan aanvragen?", "Wie kan deelnemen?",
# "Voor wie is de oproep bedoeld?", "Who can apply", "Eligibility"; not "Eligible costs").
_APPLICANT_HEADING = re.compile(
    r"\bwie kan\b.*\b(?:aanvrag\w*|aanvraag|indien\w*|deelne\w*)|\bvoor wie\b|^aanvragers?\b"
    r"|\bin aanmerking komende (?:aanvragers|organisaties|deelnemers)\b"
    r"|\bwho can (?:apply|take part|participate)\b|\beligibility\b"
    r"|\beligible (?:applicants|organi[sz]ations|participants)\b",
    re.IGNORECASE,
)


def _applicant_field(ranked: Sequence[ScoredUnit]) -> ScoredUnit | None:
    """The best of the best units that is a field naming the applicants, if any."""
    return next((s for s in ranked[:_APPLICANT_RANKS] if _APPLICANT_FIELD.match(s.unit.text)), None)


def _applicant_section(units: Sequence[Unit]) -> Unit | None:
    """The opening of the document's section about who may apply: its first unit, with the
    rest of the list that unit opens (as far as _MAX_WORDS goes), as one unit."""
    at = next(
        (i for i, u in enumerate(units) if _APPLICANT_HEADING.search(u.section or u.chunk.section)),
        None,
    )
    if at is None:
        return None
    first = units[at]
    opening = [first]
    for unit in units[at + 1 :] if first.listed >= 0 else ():
        if not _same_list(unit, first):
            break
        if words(" ".join(u.text for u in [*opening, unit])) > _MAX_WORDS:
            break
        opening.append(unit)
    if len(opening) == 1:
        return first
    terms = frozenset().union(*(u.terms for u in opening))
    text = opening[0].text
    for unit in opening[1:]:
        # items that are sentences are read as sentences, the others as a list
        text += f" {unit.text}" if text.endswith((".", "!", "?")) else f"; {unit.text}"
    return Unit(text, first.chunk, terms, first.section)


_ASKS_PROCEDURE = re.compile(
    r"\bhoe verloopt\b|\bwelke stappen\b|\bhoe gaat\b.*\bin zijn werk\b|\bprocedure\b"
    r"|\bhow does\b.*\b(?:work|go)\b|\bwhat are the steps\b|\bwhich steps\b",
    re.IGNORECASE,
)
# A list's lead-in that announces steps ("De procedure verloopt in drie stappen:").
_STEPS = re.compile(r"› .*\b(?:stap\w*|procedure|verloopt|fasen?|steps?)\b", re.IGNORECASE)


def _same_list(unit: Unit, other: Unit) -> bool:
    """Whether two units are items of one list (in one chunk: a list cut between chunks is
    joined by _earlier_items and _continued_items)."""
    return unit.listed >= 0 and unit.chunk.id == other.chunk.id and unit.listed == other.listed


def _whole_list(top: Sequence[ScoredUnit], units: Sequence[Unit]) -> list[ScoredUnit]:
    """When one of the best units is an item of a list, the list answers a 'welke …?'
    question: quote the heads of all its items, one unit per chunk the list stands in (so
    each part is cited from the passage that holds it)."""
    for scored in top:
        unit = scored.unit
        if unit.listed < 0:
            continue
        items = [u for u in units if _same_list(u, unit)]
        items = [*_earlier_items(items, units), *items, *_continued_items(items, units)]
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
            parts.append(ScoredUnit(listing, scored.score, listing=True))
        return parts
    return []


def _with_best_item(listing: list[ScoredUnit], best: ScoredUnit) -> list[ScoredUnit]:
    """A list quoted by its items' heads, and in full the item the ranker rates best when it
    says more than its head: a question about what one item covers ("welke technologieën
    vallen onder de Challenges?") is answered by that item's words, not by its name."""
    item = best.unit
    in_list = any(_same_list(p.unit, item) for p in listing)
    if in_list and item_head(item.text) == item.text.strip():
        return listing
    return [*listing, replace(best, required=True)]


def _sub_sections(top: Sequence[ScoredUnit], units: Sequence[Unit]) -> list[ScoredUnit]:
    """When the best unit stands in one of several sub-sections of a call's section (two
    priorities, each under its own heading), those headings answer a 'welke …?' question:
    quote them, each cited from the first passage under it."""
    for scored in top:
        unit = scored.unit
        if unit.listed >= 0:
            return []  # an item list ranks first: _whole_list answers
        section = unit.chunk.section
        if " › " not in section or " · " in section or programme_block(unit):
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
            heading = Unit(leaf, first.chunk, first.terms, own)
            parts.append(ScoredUnit(heading, scored.score, listing=True))
        return parts
    return []


def _continued_items(items: Sequence[Unit], units: Sequence[Unit]) -> list[Unit]:
    """The items of the next chunk that continue a list ending its chunk (a long list is cut
    between chunks); those the chunks' overlap repeats are left out. A list under the next
    heading is another list."""
    last = items[-1]
    in_chunk = [u for u in units if u.chunk.id == last.chunk.id]
    if not in_chunk or in_chunk[-1] is not last:
        return []
    following = [
        u
        for u in units
        if u.chunk.position == last.chunk.position + 1 and u.chunk.section == last.chunk.section
    ]
    if not following or not is_item(following[0].chunk.text.lstrip()):
        return []
    seen = {u.text for u in items}
    return [u for u in following if u.listed == 0 and u.text not in seen]


def _earlier_items(items: Sequence[Unit], units: Sequence[Unit]) -> list[Unit]:
    """The items of the previous chunk that a list opening its chunk continues (its best item
    may stand in the second part of a list cut between chunks); the chunks' overlap before the
    list is no text of its own."""
    first = items[0]
    if first.listed != 0:
        return []  # not the chunk's first list
    before = [u for u in units if u.chunk.position == first.chunk.position - 1]
    if not before or before[-1].listed < 0 or before[-1].chunk.section != first.chunk.section:
        return []
    lines = [line.strip() for line in first.chunk.text.splitlines() if line.strip()]
    opening = itertools.takewhile(lambda line: not is_item(line), lines)
    if any(line not in before[-1].chunk.text for line in opening):
        return []
    seen = {u.text for u in items}
    return [u for u in before if _same_list(u, before[-1]) and u.text not in seen]


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
        result.append(ScoredUnit(before, scored.score))
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


def _quotable(query: Query, ranked: Sequence[ScoredUnit]) -> list[ScoredUnit]:
    """The ranked units that can answer: a lead-in whose list lies in the next chunk says
    nothing by itself, and a question a document asks (a FAQ's "Kan een school met
    accreditatie nog een kortlopend project aanvragen?") is answered by what follows it; a
    deadline or budget question surely read as one is answered by a date or an amount; a
    date or an amount belongs to the call its paragraph is about, and one of another call
    than the one asked (the predecessor's budget) does not answer."""
    facts_asked = query.kind in ("deadline", "budget")
    asked = call_numbers(query.text) if facts_asked else frozenset()
    topics = _asked_topics(query.text, ranked) if facts_asked else set()
    sure = query.kind_probabilities.get(query.kind, 1.0) >= _SURE_KIND
    return [
        s
        for s in ranked
        if not s.unit.text.endswith((":", "?"))
        and (not sure or _states_fact(query.kind, s.unit))
        and not (asked and s.unit.about and not asked & s.unit.about)
        and not _echoes(query.text, s.unit.text)
        and not (facts_asked and _ELSEWHERE.search(s.unit.text))
        and not _of_another_topic(s.unit.text, topics)
    ]


def _topics_of(text: str) -> set[str]:
    """The last parts of the topic codes a text names ("DIGITAL-2026-GRIDS-01-DATA" → "data")."""
    return {code.rsplit("-", 1)[-1].casefold() for code in CALL_CODE.findall(text)}


def _of_another_topic(text: str, asked: set[str]) -> bool:
    """Whether a text names only topic codes other than the asked ones."""
    named = _topics_of(text)
    return bool(asked and named and not named & asked)


def _asked_topics(question: str, ranked: Sequence[ScoredUnit]) -> set[str]:
    """The topics of a document's codes that the question names in words ("the data topic"
    of DIGITAL-2026-GRIDS-01-DATA and …-SKILLS): a row of another topic does not answer it."""
    words_asked = {w.casefold() for w in re.findall(r"[A-Za-z]{3,}", question)}
    named = set().union(*(_topics_of(s.unit.text) for s in ranked))
    return {t for t in named if t.isalpha() and t in words_asked}


# A sentence that says its dates and amounts are another call's ("Die had een eigen deadline
# (27 mei) … en is niet hetzelfde als deze oproep").
_ELSEWHERE = re.compile(
    r"\bniet (?:hetzelfde als|dezelfde als|te verwarren met) (?:deze|dit|de huidige)\b"
    r"|\bnot (?:the same as|to be confused with) (?:this|the present|the current)\b",
    re.IGNORECASE,
)


_TOKEN = re.compile(r"[\w+&-]+")
# The words around a code that say no more than that it is the code ("Zoek op de code …").
_CODE_TALK = frozenset(
    "code codes topiccode oproepcode callcode actiecode call topic identifier id referentie "
    "reference zoek zoeken search look for op met onder de het een the a with under via".split()
)


def _echoes(question: str, unit_text: str) -> bool:
    """Whether a unit only repeats the code the question names ("Code: KA210-SCH", "Zoek op
    de topiccode HORIZON-CL5-2024-D2-01-01." when the question asks about that code)."""
    asked = {t.casefold() for t in _TOKEN.findall(question)}
    tokens = [t.casefold() for t in _TOKEN.findall(unit_text)]
    codes = [t for t in tokens if re.search(r"\d", t) and re.search(r"[a-z]", t)]
    if not codes or not all(t in asked for t in codes):
        return False
    return all(t in asked or t in _CODE_TALK for t in tokens)


def _candidate_facts(query: Query, ranked: Sequence[ScoredUnit]) -> list[Fact]:
    """The dates or amounts the picker chooses among: those of the best quotable units."""
    return facts_of(query.kind, _quotable(query, ranked))


def _states_fact(kind: str, unit: Unit) -> bool:
    """A deadline answer must hold a date and a budget answer an amount: else it is no answer."""
    if kind == "deadline":
        return bool(DATE.search(unit.text))
    if kind == "budget":
        return bool(AMOUNT.search(unit.text))
    return True


def confident_quote(question: str) -> float:
    """From which probability of answering a runner-up is quoted past the word budget: lower
    for a question that asks several things, in parts or in a long message."""
    several = len(question_parts(question)) >= 2 or words(question) >= LONG_MESSAGE_WORDS
    return CONFIDENT_QUOTE_SEVERAL if several else CONFIDENT_QUOTE


def _runners_up(scored: Sequence[ScoredUnit], confident: float) -> list[ScoredUnit]:
    """The units after the best that may join it: those the ranker rates nearly as high, and
    those it gives at least `confident` (confident_quote) of answering too: a best unit
    rated near certain left no room for a second one that answers another part ("budget
    25 500 000 euro" beside "80%")."""
    floor = max(_RUNNER_UP_FLOOR, _RUNNER_UP_RATIO * scored[0].score)
    return [s for s in scored[1:8] if s.score >= min(floor, confident)]


def _fill(
    chosen: list[ScoredUnit],
    candidates: Sequence[ScoredUnit],
    limit: int,
    confident: float,
) -> list[ScoredUnit]:
    """Add candidates in order while they say something new and the answer stays short; one
    the ranker is at least `confident` answers, or rates nearly as high as the best unit, is
    quoted even past the word budget."""
    result = list(chosen)
    length = sum(words(s.unit.text) for s in result)
    for candidate in candidates:
        if len(result) >= limit:
            break
        if any(_similar(candidate.unit, c.unit) for c in result):
            continue
        tied = bool(result) and candidate.score >= _TIE_RATIO * result[0].score
        if candidate.score >= confident or tied:
            candidate = replace(candidate, required=True)
        too_long = length + words(candidate.unit.text) > _MAX_WORDS
        if too_long and not candidate.required:
            continue
        result.append(candidate)
        length += words(candidate.unit.text)
    return result


def _similar(a: Unit, b: Unit) -> bool:
    if not a.terms or not b.terms:
        return a.text == b.text
    return len(a.terms & b.terms) / len(a.terms | b.terms) > 0.6


def _with_sibling(answer: Answer, sibling: ScoredUnit, language: str, first: Chunk) -> Answer:
    """The answer with one more cited sentence from a close second document; another round
    of the call the answer is about (`first`: a chunk of its document) is named with its
    year where its title does not say it."""
    n = len(answer.citations) + 1
    unit = sibling.unit
    named = unit.chunk.title
    years = sorted(round_years(unit.chunk))
    if years and same_action(first, unit.chunk) and not any(y in named for y in years):
        named = f"{named} ({', '.join(years)})"
    line = text("also_relevant", language, title=named)
    extended = f"{answer.text} {line} {quoted(unit)} [{n}]"
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
        if any(cue in chunk.section.casefold() for cue in SECTION_CUES["contact"]):
            return chunk
    return None
