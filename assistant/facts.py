"""Which stated fact answers: the dates or amounts of the best-ranked units, each with a feature
row, and a learned picker that orders them by the probability that they are the asked fact.

A unit often states several facts (two rounds, a programme total beside the amount per
project, the Challenges' deadline inside a sentence about the budget), and the best unit does
not always hold the asked one. The picker weighs each fact on what surrounds it: the words of
its own clause against the question's, the year the question names, whether the date is still
to come when the question asks for the next one, whether an amount is a share when a share is
asked, and how the ranker rated its unit. It is trained like the unit ranker, on the labelled
question sets (a fact answers when it is an expected fact), by `scripts/train.py`."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from assistant.classify import asked_details
from assistant.learned import LearnedComponent
from assistant.metadata import parse_dutch_dates
from assistant.query import Query, asking_text
from assistant.ranking import (
    DATE,
    ScoredUnit,
    UnitContext,
    in_kind_section,
    naming_terms,
    programme_block,
    terms_of,
)
from assistant.retrieval import YEAR, round_years
from assistant.types import Chunk
from assistant.units import Unit, call_numbers

# The time that belongs to a date: "5 maart 2025, 12:00 uur (Brusselse tijd)", "om 17:00 uur".
_TIME = re.compile(
    r"(?:,|\s+om|\s+at)?\s*\d{1,2}[:.u]\d{2}(?:\s*uur|\s*h\b)?(?:\s*\([^()]{1,30}\))?"
    r"|\s*\(\d{1,2}[:.u]\d{2}[^()]{0,30}\)",
    re.IGNORECASE,
)
# An amount as the document writes it: "€ 60.000", "30.000 euro", "26,2 miljard euro", "80 %",
# and as the EU's portal writes it: "EUR 12 000 000", "EUR 2.5 million".
_NUMBER = r"\d[\d.,]*(?:\s\d{3}(?!\d))*"  # "30.000", "26,2", "24 000 000"
_SCALE_WORD = r"(?:miljoen|miljard|mln|million|billion)"
_CURRENCY_FIRST = r"(?:€|\bEUR)\s?"
_RANGE_FROM = r"(?:\b(?:tussen|between|van|from)\s)?"
_RANGE_TO = rf"\s(?:en|tot|à|and|to)\s{_NUMBER}"
_AMOUNT_SPAN = re.compile(
    # a range is one amount, its currency written once: "between EUR 5 and 7 million",
    # "tussen 2 en 13 miljoen euro" (not "€ 60.000 en 26,2 miljard euro", two amounts)
    rf"{_RANGE_FROM}{_CURRENCY_FIRST}{_NUMBER}{_RANGE_TO}(?:\s?{_SCALE_WORD})?"
    rf"(?!\d|[.,]\d|\s\d|\s?(?:{_SCALE_WORD}|euro|eur)\b)"
    rf"|{_RANGE_FROM}(?<!€)(?<!€\s)(?<!EUR\s)\b(?!(?:19|20)\d\d\b){_NUMBER}"
    rf"{_RANGE_TO}\s?{_SCALE_WORD}?\s?(?:euro|EUR\b)"
    # one amount
    rf"|{_CURRENCY_FIRST}{_NUMBER}(?:\s?{_SCALE_WORD})?"
    rf"|\b\d[\d.,]*(?:\s\d{{3}})*\s?{_SCALE_WORD}?\s?(?:euro|EUR\b)"
    r"|\b\d[\d.,]*\s?(?:%|procent|percent)",
    re.IGNORECASE,
)
# A line with at most this many words beside its dates or amounts states them.
FACT_LINE_WORDS = 12
# The kinds of question whose fact is picked, and how many of the best units it comes from.
PICKED_KINDS = ("deadline", "budget")
FACT_UNITS = 8
# A clause: the part of a unit between separators, where a fact's own words stand.
_CLAUSE = re.compile(r"[^;|\n]+?(?:[.!?](?=\s)|[;|\n]|$)")
_SHARE = ("%", "procent", "percent")
_SCALE = {"miljard": 1e9, "billion": 1e9, "miljoen": 1e6, "million": 1e6, "mln": 1e6}
# A question that asks for a deadline still to come, or for a total rather than a rate.
_ASKS_NEXT = re.compile(
    r"\b(?:volgende?|komende?|nog|eerstvolgende|next|upcoming|still|coming)\b", re.IGNORECASE
)
_ASKS_PAST = re.compile(
    r"\b(?:kon|konden|sloot|was|waren|vorige|gemist|could|closed|were|last|missed)\b",
    re.IGNORECASE,
)
_ASKS_TOTAL = re.compile(
    r"\b(?:totaal|in totaal|totale|beschikbaar|voorzien|oproep|envelop|total|available|overall)\b",
    re.IGNORECASE,
)
# A question that asks for facts of one sort in the plural ("welke bedragen", "de deadlines").
_ASKS_SEVERAL = re.compile(
    r"\b(?:bedragen|deadlines|data|rondes|indiendata|percentages|tarieven|amounts|dates|rounds"
    r"|rates|sums)\b",
    re.IGNORECASE,
)
_ASKS_EACH = re.compile(
    r"\b(?:per|maximaal|max|maximum|krijg\w*|ontvang\w*|bedraagt|each|receive|get)\b",
    re.IGNORECASE,
)

# How an amount is counted, for telling whether the best one answers at all (the abstainer):
# narrower than the picker's cues above, which only rank one document's amounts. A question
# that asks an amount per month, per project or per participant is not answered by a
# programme's or a call's total (tens of millions and more, said of no unit), and one that
# asks what a call has in total is not answered by an amount per project or a lump sum.
_ASKS_PER = re.compile(
    r"\bper\s+\w+|\bmaandelijks\w*|\bmonthly\b|\beach\b|\bweekly\b|\bwekelijks\w*",
    re.IGNORECASE,
)
_ASKS_CALL_TOTAL = re.compile(
    r"\btota(?:al|le)\b|\bbeschikbaar\b|\bvoorzien\b|\benvelop\w*|\btotal\b|\bavailable\b"
    r"|\boverall\b",
    re.IGNORECASE,
)
_COUNTED_PER = re.compile(
    r"\bper\s+\w+|\bforfait\w*|\blump sum\b|\beenheidsbedrag\w*|\bunit (?:cost|amount)s?\b"
    r"|\bmonthly\b|\bmaandelijks\w*|\beach\b"
    # the Funding & Tenders portal's sentence for the size of one project: "an EU contribution
    # of around EUR 8 million would allow these outcomes to be addressed appropriately"
    r"|\bwould allow these outcomes\b",
    re.IGNORECASE,
)
_TOTAL_SIZE = 1e7  # euro: a call's or a programme's budget, not one project's grant


@dataclass(frozen=True)
class Fact:
    """A date or an amount as a unit writes it (a date with its time), with its unit's rank."""

    span: str
    unit: Unit
    unit_score: float
    unit_rank: int  # 1: the best unit that states a fact of the kind
    index: int  # which fact of its unit it is (0: the first)
    count: int  # how many facts of the kind its unit states
    day: date | None = None


@dataclass(frozen=True)
class PickedFact:
    """A fact with the picker's probability that it is the asked one."""

    fact: Fact
    probability: float


def dates_in(unit_text: str) -> list[tuple[str, date | None]]:
    """The dates of a text as written, each with the time that follows it, and its value."""
    found: list[tuple[str, date | None]] = []
    for match in DATE.finditer(unit_text):
        time = _TIME.match(unit_text, match.end())
        span = unit_text[match.start() : time.end() if time else match.end()].strip()
        parsed = parse_dutch_dates(match.group(0))
        found.append((span, parsed[0] if parsed else None))
    return found


def amounts_in(unit_text: str) -> list[str]:
    """The amounts and percentages of a text as written, without repeats."""
    return list(dict.fromkeys(m.group(0).strip() for m in _AMOUNT_SPAN.finditer(unit_text)))


def rest_words(unit_text: str, spans: Sequence[str]) -> int:
    """Words of a unit beyond the spans a first sentence copies from it."""
    rest = unit_text
    for span in spans:
        rest = rest.replace(span, " ")
    return len([w for w in rest.split() if any(ch.isalnum() for ch in w)])


def facts_of(kind: str, ranked: Sequence[ScoredUnit], limit: int = FACT_UNITS) -> list[Fact]:
    """The dates (deadline) or amounts (budget) of the best `limit` units that state one."""
    found: list[Fact] = []
    rank = 0
    for scored in ranked:
        spans = facts_in(kind, scored.unit.text)
        if not spans:
            continue
        rank += 1
        for index, (span, day) in enumerate(spans):
            found.append(Fact(span, scored.unit, scored.score, rank, index, len(spans), day))
        if rank >= limit:
            break
    return found


def facts_in(kind: str, text: str) -> list[tuple[str, date | None]]:
    """The dates (deadline) or amounts (budget) of a text as written, with a date's value."""
    if kind == "deadline":
        return dates_in(text)
    if kind == "budget":
        return [(a, None) for a in amounts_in(text)]
    return []


FACT_FEATURES = (
    "unit_score",
    "unit_score_gap",
    "unit_rank",
    "first_in_unit",
    "facts_in_unit",
    "clause_overlap",
    "clause_overlap_gap",
    "label_overlap",
    "section_overlap",
    "kind_section",
    "programme_block",
    "fact_line",
    "other_call",
    "foreign_call",
    "repeated",
    "year_asked",
    "year_match",
    "year_mismatch",
    "other_round",
    "document_deadline",
    "opening",
    "upcoming",
    "upcoming_next_asked",
    "passed_past_asked",
    "nearest_upcoming",
    "latest_passed",
    "several_asked",
    "several_asked_best_unit",
    "share",
    "share_asked",
    "share_not_asked",
    "magnitude",
    "magnitude_total_asked",
    "magnitude_each_asked",
)
_FOREIGN = FACT_FEATURES.index("foreign_call")
RARE_IDF = 2.0  # a word this rare in the corpus names something (a call, a place, a topic)


def _other_round(unit_text: str, fact: Fact, own_round: set[str]) -> bool:
    years = set(YEAR.findall(unit_text)) | ({str(fact.day.year)} if fact.day else set())
    return bool(own_round and years and not years & own_round)


def fact_features(
    query: Query, facts: Sequence[Fact], context: UnitContext, today: date
) -> np.ndarray:
    """One feature row per fact (order of FACT_FEATURES)."""
    if not facts:
        return np.zeros((0, len(FACT_FEATURES)))
    question = query.text
    naming = naming_terms(facts[0].unit.chunk)
    terms = context.terms - naming
    idf = context.idf
    total = math.fsum(idf.get(t, 0.0) for t in terms) or 1.0
    rare_terms = {t for t in terms if idf.get(t, 0.0) >= RARE_IDF}

    def overlap(text: str) -> float:
        return math.fsum(idf.get(t, 0.0) for t in terms & terms_of(text)) / total

    asked_years = set(YEAR.findall(question))
    asked_calls = call_numbers(question)
    asked_codes = _codes(question)
    asks_next = float(bool(_ASKS_NEXT.search(question)))
    asks_past = float(bool(_ASKS_PAST.search(question)))
    share_asked = float("percentage" in asked_details(question))
    asks_total = float(bool(_ASKS_TOTAL.search(question)))
    asks_each = float(bool(_ASKS_EACH.search(question)))
    several = float(bool(_ASKS_SEVERAL.search(question)))
    best_score = max(f.unit_score for f in facts)
    clauses = [_clause(f.unit.text, f.span) for f in facts]
    clause_overlaps = [overlap(c) for c in clauses]
    best_clause = max(clause_overlaps)
    values = [_value(f.span) for f in facts]
    own_deadline = call_deadline(facts[0].unit.chunk)  # the facts are of one document
    # without an asked year, the document's own round is asked about: a fact in a unit that
    # speaks only of other years is history ("in de oproepen 2022 en 2023 …: 1.200 euro")
    own_round = set() if asked_years else round_years(facts[0].unit.chunk)
    own_codes = _codes(str(facts[0].unit.chunk.metadata.get("call_code", "")))
    upcoming_days = [f.day for f in facts if f.day is not None and f.day >= today]
    passed_days = [f.day for f in facts if f.day is not None and f.day < today]
    nearest = min(upcoming_days) if upcoming_days else None
    latest = max(passed_days) if passed_days else None
    rows = []
    for fact, clause, clause_overlap, value in zip(
        facts, clauses, clause_overlaps, values, strict=True
    ):
        unit = fact.unit
        years = set(YEAR.findall(clause)) | ({str(fact.day.year)} if fact.day else set())
        upcoming = float(fact.day is not None and fact.day >= today)
        passed = float(fact.day is not None and fact.day < today)
        share = float(fact.span.endswith(_SHARE))
        magnitude = math.log10(1.0 + value) if not share else 0.0
        label = unit.text.split(":", 1)[0] if ":" in unit.text[:60] else ""
        row = {
            "unit_score": fact.unit_score,
            "unit_score_gap": fact.unit_score - best_score,
            "unit_rank": 1.0 / fact.unit_rank,
            "first_in_unit": float(fact.index == 0),
            "facts_in_unit": math.log(fact.count),
            "clause_overlap": clause_overlap,
            "clause_overlap_gap": clause_overlap - best_clause,
            "label_overlap": overlap(label) if label else 0.0,
            "section_overlap": overlap(unit.section or unit.chunk.section),
            "kind_section": float(in_kind_section(query.kind, unit)),
            "programme_block": float(programme_block(unit)),
            "fact_line": float(rest_words(unit.text, [fact.span]) <= FACT_LINE_WORDS),
            "other_call": float(bool(asked_calls and unit.about and not asked_calls & unit.about)),
            "foreign_call": float(
                _names_another_call(_row_of(unit.text) or clause, own_codes, asked_codes)
                # a question that names the call in words (no code) names its rare words
                and (bool(asked_codes) or not rare_terms & terms_of(clause))
            ),
            "repeated": math.log(values.count(value)) if value else 0.0,
            "year_asked": float(bool(asked_years)),
            "year_match": float(bool(asked_years & years)),
            "year_mismatch": float(bool(asked_years and years and not asked_years & years)),
            "other_round": float(_other_round(unit.text, fact, own_round)),
            "document_deadline": float(fact.day is not None and fact.day == own_deadline),
            "opening": float(fact.day is not None and _opens(clause, fact.span)),
            "upcoming": upcoming,
            "upcoming_next_asked": upcoming * asks_next,
            "passed_past_asked": passed * asks_past,
            "nearest_upcoming": float(nearest is not None and fact.day == nearest),
            "latest_passed": float(latest is not None and fact.day == latest),
            "several_asked": several,
            "several_asked_best_unit": several * float(fact.unit_rank == 1),
            "share": share,
            "share_asked": share * share_asked,
            "share_not_asked": share * (1.0 - share_asked),
            "magnitude": magnitude,
            "magnitude_total_asked": magnitude * asks_total,
            "magnitude_each_asked": magnitude * asks_each,
        }
        rows.append([row[name] for name in FACT_FEATURES])
    return np.asarray(rows, dtype=np.float64)


# A call code as the EU writes it ("CERV-2025-CITIZENS-TOWN-NT"); its year says the round.
CALL_CODE = re.compile(r"\b[A-Z][A-Z0-9]{1,}(?:-[A-Z0-9]+){2,}\b")


def _codes(text: str) -> set[str]:
    """The call codes of a text without their years: the rounds of one call read the same."""
    return {re.sub(r"-20\d{2}(?=-|$)", "", code) for code in CALL_CODE.findall(text)}


def _names_another_call(clause: str, own: set[str], asked: set[str]) -> bool:
    """Whether a fact's clause names a call that is not the one asked (the codes the question
    names, else the document's own), nor a part or the whole of it: "de oproep Netwerken van
    steden (CERV-2025-CITIZENS-TOWN-NT): … deadline 27 maart 2025" gives that call's date, and
    the row of topic DIGITAL-2026-GRIDS-01-SKILLS not the budget of topic …-DATA."""
    related = asked or own
    if not related:
        return False
    return any(
        not any(code.startswith(o) or o.startswith(code) for o in related)
        for code in _codes(clause)
    )


_ROW_CELL = re.compile(r"^[^:;]{1,40}: \S")


def _row_of(text: str) -> str | None:
    """A table row read as labelled cells ("Topic: …; Budget: …; Deadline: …"): every cell is
    about the row's subject, so a fact's cell is read with the whole row. None for a sentence."""
    cells = text.split("; ")
    return text if len(cells) >= 2 and all(_ROW_CELL.match(cell) for cell in cells) else None


# Words that date something else than a deadline: an opening, a publication, an info session.
_OPENING = re.compile(
    r"\b(?:opening|opent|open (?:vanaf|op)|(?:ging|gaat) open|geopend|publicatie|gepubliceerd"
    r"|van start|start|infosessie"
    r"|infodag|webinar|opens|published|launch|info session)",
    re.IGNORECASE,
)
_DEADLINE_WORD = re.compile(
    r"deadline|indien|uiterlijk|uiterste|sluit|\bslo(?:ot|ten)\b|\btot\b|clos|submission|\buntil\b",
    re.IGNORECASE,
)
_BEFORE_DATE = 40  # characters before a date that say what it is the date of


def _opens(clause: str, span: str) -> bool:
    """Whether the words right before a date say it opens or starts something rather than
    closes it ("opening 18 december 2025, deadline 5 maart 2026": the first)."""
    at = clause.find(span)
    before = clause[max(0, at - _BEFORE_DATE) : max(at, 0)]
    openings = list(_OPENING.finditer(before))
    return bool(openings) and not _DEADLINE_WORD.search(before[openings[-1].end() :])


# A question about the day a call opens ("Wanneer gaat de oproep open?", "Vanaf wanneer kan
# je indienen?"), not about how long it stays open ("Tot wanneer is ze nog open?") or when it
# opens and closes (the deadline is the answer then, the opening day a quote).
_ASKS_OPENING = re.compile(
    r"\bwanneer\b[^?]*\b(?:opent|opende|openen|gaat\b[^?]*\bopen|ging\b[^?]*\bopen"
    r"|gepubliceerd|gelanceerd)\b|\bvanaf wanneer\b|\bopeningsdatum\b"
    r"|\bwhen\b[^?]*\b(?:opens?|opened|launch(?:es|ed)?|published)\b|\bfrom when\b"
    r"|\bopening date\b",
    re.IGNORECASE,
)
_ASKS_CLOSING = re.compile(
    r"\btot wanneer\b|\bnog open\b|\buntil when\b|\bstill open\b|\bopen (?:tot|until)\b"
    r"|\bdeadline|\bsluit|\bclos|\beinddatum\b|\buiterste\b",
    re.IGNORECASE,
)


def asks_opening(question: str) -> bool:
    """Whether a question asks the day something opens rather than its deadline."""
    return bool(_ASKS_OPENING.search(question)) and not _ASKS_CLOSING.search(question)


def opens(fact: Fact) -> bool:
    """Whether a date is said to open or start something (an opening, an info session)."""
    return fact.day is not None and _opens(_clause(fact.unit.text, fact.span), fact.span)


def call_deadline(chunk: Chunk) -> date | None:
    """The deadline a document gives as its call's (its metadata), if any."""
    try:
        return date.fromisoformat(str(chunk.metadata.get("deadline", "")))
    except ValueError:
        return None


def counted_otherwise(asking: str, fact: Fact) -> bool:
    """Whether an amount is counted otherwise than the sentences that ask (`asking`) want: a
    total where an amount per month or per project is asked, or the reverse. A percentage is
    a share, not an amount, and never is."""
    if "%" in fact.span:
        return False
    if _ASKS_PER.search(asking):
        return not _counted_per(fact) and _value(fact.span) >= _TOTAL_SIZE
    return bool(_ASKS_CALL_TOTAL.search(asking)) and _counted_per(fact)


def _counted_per(fact: Fact) -> bool:
    """Whether the clause of an amount counts it per project, month or person."""
    return bool(_COUNTED_PER.search(_clause(fact.unit.text, fact.span)))


def _clause(text: str, span: str) -> str:
    """The clause of a unit that holds a span: the words that speak of that fact."""
    at = text.find(span)
    for match in _CLAUSE.finditer(text):
        if match.start() <= at < match.end():
            return match.group(0)
    return text


def _value(span: str) -> float:
    """An amount's size, for telling a programme's total from an amount per project (0 for
    what does not parse; a date gives its day's number, which the picker was trained with)."""
    digits = re.search(r"\d[\d.,\s]*\d|\d", span)
    if not digits:
        return 0.0
    raw = re.sub(r"\s", "", digits.group(0))
    # "26,2" and "2.5" are decimals, "30.000" and "30,000" thousands
    if re.fullmatch(r"\d+[.,]\d{1,2}", raw):
        number = float(raw.replace(",", "."))
    else:
        number = float(re.sub(r"[.,]", "", raw) or 0)
    scale = next((s for word, s in _SCALE.items() if word in span.casefold()), 1.0)
    return number * scale


class FactPicker(LearnedComponent):
    """Orders the facts of the best units by the learned probability that they are asked."""

    WEIGHTS = "fact_picker"
    FEATURES = FACT_FEATURES

    def pick(
        self, query: Query, facts: Sequence[Fact], context: UnitContext, today: date
    ) -> list[PickedFact]:
        """Every fact with its probability, best first. A fact stated for another call than
        the document's is never this call's: it gets probability 0 (too few training
        questions meet one for the model to learn that)."""
        rows = fact_features(query, facts, context, today)
        foreign = {id(f) for f, row in zip(facts, rows, strict=True) if row[_FOREIGN]}
        picked = [
            PickedFact(f, 0.0 if id(f) in foreign else p) for f, p in self.ordered(facts, rows)
        ]
        picked.sort(key=lambda picked: id(picked.fact) in foreign)
        return counted_as_asked_first(asking_text(query.text), picked)


def counted_as_asked_first(asking: str, picked: list[PickedFact]) -> list[PickedFact]:
    """The picked facts with, where the best amount is counted otherwise than the sentences
    that ask want (a topic's total for "how much per project?"), the best one counted as
    asked before it: a rule of how amounts are counted, which the few training questions that
    meet both kinds of amount in one document cannot teach the picker."""
    if not picked or not counted_otherwise(asking, picked[0].fact):
        return picked
    asks_per = bool(_ASKS_PER.search(asking))
    for i, candidate in enumerate(picked[1:], 1):
        fact = candidate.fact
        amount = fact.day is None and "%" not in fact.span  # a share is counted no way
        if amount and _counted_per(fact) == asks_per and not counted_otherwise(asking, fact):
            return [candidate, *picked[:i], *picked[i + 1 :]]
    return picked
