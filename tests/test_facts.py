"""The facts a first sentence chooses among, and the learned picker with its shipped weights."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from assistant.composition import PICK_FLOOR
from assistant.facts import (
    FACT_FEATURES,
    FactPicker,
    amounts_in,
    fact_features,
    facts_of,
    opens,
)
from assistant.lexical import analyse
from assistant.query import Query
from assistant.ranking import ScoredUnit, UnitContext
from assistant.types import Chunk
from assistant.units import Unit


def unit(text: str, section: str, chunk_id: str = "c1", programme: str = "") -> Unit:
    heading = f"{programme} › {section}" if programme else section
    meta = {"programme": programme} if programme else {}
    chunk = Chunk(chunk_id, "doc.txt", "Oproep", heading, text, 0, 10, meta)
    return Unit(text, chunk, frozenset(analyse(text)), section)


def context(question: str, n: int) -> UnitContext:
    terms = frozenset(analyse(question))
    return UnitContext(terms, {t: 1.0 for t in terms}, np.zeros(n), terms, np.zeros(n))


def picked(kind: str, question: str, units: list[Unit], today: date) -> list[str]:
    """The spans in the order the shipped picker rates them, the units equally ranked."""
    facts = facts_of(kind, [ScoredUnit(u, 0.5) for u in units])
    query = Query(question, question, "nl", kind)
    order = FactPicker.load().pick(query, facts, context(question, len(units)), today)
    return [p.fact.span for p in order]


def test_the_year_a_question_names_picks_that_rounds_date() -> None:
    units = [
        unit("Stedenbanden: deadline 19 september 2024 (17u00 Brusselse tijd).", "Deadline"),
        unit(
            "Netwerken van steden (2025): projecten van 12 tot 24 maanden, deadline 27 maart 2025.",
            "Deadline",
        ),
    ]
    question = "Tot wanneer kon je indienen voor de oproep Netwerken van steden van 2025?"
    assert picked("deadline", question, units, date(2026, 1, 1))[0] == "27 maart 2025"


def test_a_question_about_a_share_picks_the_percentage() -> None:
    units = [
        unit("Budget: 571 miljoen euro", "Budget"),
        unit("Steunpercentage: 60% van de kosten", "Budget"),
    ]
    question = "Welk percentage van de kosten dekt de subsidie?"
    assert picked("budget", question, units, date(2026, 1, 1))[0] == "60%"


def test_a_question_for_several_amounts_gets_every_amount_of_the_best_unit() -> None:
    options = unit(
        "Je kiest bij de aanvraag één van drie vaste bedragen voor het volledige project: "
        "120.000 euro; 250.000 euro; 400.000 euro.",
        "Budget",
    )
    total = unit("Erasmus+ heeft een budget van 26,2 miljard euro.", "Budget", "c2")
    question = "Welke bedragen kan je kiezen bij een partnerschap?"
    units = [options, total]
    facts = facts_of("budget", [ScoredUnit(u, 0.5) for u in units])
    query = Query(question, question, "nl", "budget")
    order = FactPicker.load().pick(query, facts, context(question, len(units)), date(2026, 1, 1))
    stated = [p.fact.span for p in order if p.probability >= PICK_FLOOR]
    assert sorted(stated) == ["120.000 euro", "250.000 euro", "400.000 euro"]


def test_facts_come_from_the_best_units_that_state_one() -> None:
    units = [
        unit("Wie mag indienen? Scholen en vzw's.", "Wie"),
        unit("Deadline: 5 maart 2025 en 1 oktober 2025", "Deadline"),
        unit("Vooraanmelding: 3 februari 2025", "Deadline"),
    ]
    facts = facts_of("deadline", [ScoredUnit(u, 0.9 - 0.1 * i) for i, u in enumerate(units)])
    assert [(f.span, f.unit_rank, f.index, f.count) for f in facts] == [
        ("5 maart 2025", 1, 0, 2),
        ("1 oktober 2025", 1, 1, 2),
        ("3 februari 2025", 2, 0, 1),
    ]
    assert facts[0].day == date(2025, 3, 5)
    only_best = facts_of("deadline", [ScoredUnit(u, 0.5) for u in units], limit=1)
    assert [f.span for f in only_best] == ["5 maart 2025", "1 oktober 2025"]
    assert facts_of("contact", [ScoredUnit(u, 0.5) for u in units]) == []


@pytest.mark.parametrize(
    ("written", "index"),
    [("26,2 miljard euro", 0), ("30.000 euro", 1), ("EUR 2.5 million", 2), ("4 000 000 euro", 3)],
)
def test_the_size_of_an_amount_tells_a_total_from_an_amount_per_project(
    written: str, index: int
) -> None:
    text = "Budget: 26,2 miljard euro; 30.000 euro; EUR 2.5 million; 4 000 000 euro"
    line = unit(text, "Budget")
    facts = facts_of("budget", [ScoredUnit(line, 0.5)])
    assert facts[index].span == written
    rows = fact_features(
        Query("Hoeveel?", "Hoeveel?", "nl", "budget"), facts, context("x", 1), date(2026, 1, 1)
    )
    magnitude = rows[:, FACT_FEATURES.index("magnitude")]
    expected = {0: 26.2e9, 1: 30_000, 2: 2.5e6, 3: 4e6}[index]
    assert magnitude[index] == pytest.approx(np.log10(1 + expected))


def test_weights_of_other_features_are_refused() -> None:
    model = FactPicker.load().model
    with pytest.raises(ValueError, match="other features"):
        FactPicker(replace(model, features=model.features[:-1]))


def test_a_date_stated_for_another_call_is_not_this_calls_unless_asked() -> None:
    own = unit("Deadline: 19 september 2024 (17u00).", "Deadline", chunk_id="c1")
    other = unit(
        "Synergie met de oproep Netwerken van steden (CERV-2025-CITIZENS-TOWN-NT): "
        "deadline 27 maart 2025.",
        "Deadline",
        chunk_id="c2",
    )
    for u in (own, other):
        u.chunk.metadata["call_code"] = "CERV-2024-CITIZENS-TOWN-TT"
    # the other call's unit ranked first, its date still to come and the call's own passed
    facts = facts_of("deadline", [ScoredUnit(other, 0.9), ScoredUnit(own, 0.2)])
    today = date(2025, 1, 1)

    def first(question: str) -> tuple[str, float]:
        query = Query(question, question, "nl", "deadline")
        best = FactPicker.load().pick(query, facts, context(question, 2), today)[0]
        return best.fact.span, best.probability

    assert first("Wat is de deadline van de oproep stedenbanden?")[0] == "19 september 2024 (17u00)"
    # idf 1.0 everywhere in this context: no word is rare, so the question names it by its code
    span, probability = first("Wat is de deadline van CERV-2025-CITIZENS-TOWN-NT?")
    assert span == "27 maart 2025" and probability > 0


def test_a_table_row_of_another_topic_does_not_give_the_asked_topics_amount() -> None:
    rows = [
        unit(
            "Topic: DIGITAL-2026-GRIDS-01-DATA; Budget: EUR 12 000 000; Deadline: 15 April 2026",
            "Budget",
        ),
        unit(
            "Topic: DIGITAL-2026-GRIDS-01-SKILLS; Budget: EUR 4 000 000; Deadline: 15 April 2026",
            "Budget",
        ),
    ]
    # the other topic's row ranked first: its code is in another cell than its amount
    facts = facts_of("budget", [ScoredUnit(rows[1], 0.9), ScoredUnit(rows[0], 0.5)])
    question = "Hoeveel budget is er voor het topic DIGITAL-2026-GRIDS-01-DATA?"
    query = Query(question, question, "nl", "budget")
    order = FactPicker.load().pick(query, facts, context(question, 2), date(2026, 1, 1))
    probability = {p.fact.span: p.probability for p in order}
    assert order[0].fact.span == "EUR 12 000 000"
    assert probability["EUR 4 000 000"] == 0.0
    # without a code in the question both rows are the call's own topics
    plain = "Hoeveel budget is er voor deze oproep?"
    query = Query(plain, plain, "nl", "budget")
    order = FactPicker.load().pick(query, facts, context(plain, 2), date(2026, 1, 1))
    assert all(p.probability > 0 for p in order)


def test_an_opening_date_is_not_the_deadline_asked_for() -> None:
    text = "Volgende oproep: opening 18 december 2025, deadline 5 maart 2026."
    spans = picked(
        "deadline",
        "Wanneer is de volgende deadline?",
        [unit(text, "Kalender")],
        date(2025, 12, 1),  # both dates are still to come
    )
    assert spans[0] == "5 maart 2026"
    row = dict(
        zip(FACT_FEATURES, fact_features_of(text, "Wanneer is de deadline?")[0], strict=True)
    )
    assert row["opening"] == 1.0  # the opening date's row


@pytest.mark.parametrize(
    ("text", "opening"),
    [
        ("De oproep ging open op 23 april 2024 en sluit op 11 september 2024.", 1.0),
        ("Het portaal gaat open op 3 maart 2026; indienen kan tot 4 juni 2026.", 1.0),
        ("Indienen kan tot 11 september 2024; de oproep ging open in april.", 0.0),
    ],
)
def test_the_wordings_of_an_opening_date(text: str, opening: float) -> None:
    row = dict(zip(FACT_FEATURES, fact_features_of(text, "Tot wanneer?")[0], strict=True))
    assert row["opening"] == opening, text


def fact_features_of(text: str, question: str) -> np.ndarray:
    facts = facts_of("deadline", [ScoredUnit(unit(text, "Kalender"), 0.5)])
    query = Query(question, question, "nl", "deadline")
    return fact_features(query, facts, context(question, 1), date(2025, 12, 1))


def test_a_fact_in_a_sentence_about_other_rounds_than_the_documents_is_marked() -> None:
    old = "In de oproepen 2022 en 2023 kreeg je hoogstens 1.200 euro per deelnemer."
    new = "Je kiest tussen 40.000 euro en 60.000 euro."
    chunk = Chunk("c1", "doc.txt", "Partnerschappen – oproep 2026", "Budget", f"{old} {new}", 0, 10)
    units = [Unit(text, chunk, frozenset(analyse(text)), "Budget") for text in (old, new)]
    facts = facts_of("budget", [ScoredUnit(u, 0.5) for u in units])

    def other_round(question: str) -> dict[str, float]:
        query = Query(question, question, "nl", "budget")
        rows = fact_features(query, facts, context(question, 2), date(2026, 1, 1))
        column = rows[:, FACT_FEATURES.index("other_round")]
        return {f.span: float(v) for f, v in zip(facts, column, strict=True)}

    # no year asked: the document's round (2026, in its title) is what the question is about
    assert other_round("Hoeveel subsidie krijg je?") == {
        "1.200 euro": 1.0,
        "40.000 euro": 0.0,
        "60.000 euro": 0.0,
    }
    # a year asked is matched by the year features instead
    assert set(other_round("Hoeveel subsidie kreeg je in 2023?").values()) == {0.0}


def test_a_closing_day_after_an_opening_day_is_no_opening() -> None:
    text = "Call 4 ging open op 23 november 2023 en sloot op 8 maart 2024."
    facts = facts_of("deadline", [ScoredUnit(unit(text, "Kalender"), 0.5)])
    assert [(f.span, opens(f)) for f in facts] == [
        ("23 november 2023", True),
        ("8 maart 2024", False),
    ]


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        (
            "De EU-bijdrage ligt tussen 2 en 13 miljoen euro per project.",
            ["tussen 2 en 13 miljoen euro"],
        ),
        (
            "An EU contribution of between EUR 5 and 7 million would be appropriate.",
            ["between EUR 5 and 7 million"],
        ),
        (
            "Capex tussen 20 en 100 miljoen euro. Budget: 200 miljoen euro.",
            ["tussen 20 en 100 miljoen euro", "200 miljoen euro"],
        ),
        # two amounts, each with its own scale, stay two; a year before an amount is no range
        ("between EUR 3 million and EUR 5 million", ["EUR 3 million", "EUR 5 million"]),
        ("tussen € 60.000 en 26,2 miljard euro", ["€ 60.000", "26,2 miljard euro"]),
        (
            "between EUR 500 000 and 1 000 000 per project",
            ["between EUR 500 000 and 1 000 000"],
        ),
        ("Van 2024 tot 60.000 euro.", ["60.000 euro"]),
        ("Tussen 10 en 20 deelnemers, met 30.000 euro.", ["30.000 euro"]),
    ],
)
def test_a_range_of_amounts_is_one_amount(text: str, amounts: list[str]) -> None:
    # "between EUR 5 and 7 million" was read as "EUR 5", and the first sentence said so
    assert amounts_in(text) == amounts
