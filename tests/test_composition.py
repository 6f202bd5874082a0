"""The reply's first sentence per kind of question, in Dutch and English: its facts are copied
exactly from the unit its marker points at."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from assistant.composition import (
    MARKER,
    Lead,
    as_sentence,
    contact_details,
    fits,
    lead_for,
    quoted,
    says_something,
)
from assistant.facts import PickedFact, amounts_in, dates_in, facts_of
from assistant.ranking import AMOUNT, ScoredUnit
from assistant.types import Chunk
from assistant.units import Unit, units_of


def unit(text: str, section: str = "Deadline", chunk_text: str | None = None) -> Unit:
    chunk = Chunk("c1", "doc.txt", "Oproep", section, chunk_text or text, 0, 10, {})
    return Unit(text, chunk, frozenset(), section)


def in_order(kind: str, units: list[Unit], *probabilities: float) -> list[PickedFact]:
    """The facts of `units` as the picker hands them over, best first: with the given
    probabilities, else each a little less likely than the one before."""
    facts = facts_of(kind, [ScoredUnit(u, 1.0) for u in units])
    rated = probabilities or tuple(0.9 - 0.05 * i for i in range(len(facts)))
    return [PickedFact(f, p) for f, p in zip(facts, rated, strict=True)]


def picked_first(
    kind: str, question: str, units: list[Unit], today: date, language: str = "nl", *p: float
) -> str:
    lead = lead_for(kind, question, units, today, language, picked=in_order(kind, units, *p))
    return first_sentence(lead)


def first_sentence(lead: Lead | None) -> str:
    assert lead is not None
    return lead.wording.replace(MARKER, "[1]")


def test_open_deadline_keeps_the_time_as_written() -> None:
    line = unit("Tweede ronde: 1 oktober 2025, 12:00 uur (Brusselse tijd)")
    picked = in_order("deadline", [line])
    lead = lead_for("deadline", "Tot wanneer?", [line], date(2025, 9, 1), "nl", picked=picked)
    assert first_sentence(lead) == (
        "De deadline is 1 oktober 2025, 12:00 uur (Brusselse tijd) – Tweede ronde [1]."
    )
    assert lead is not None and lead.units == (line,)


def test_passed_deadlines_are_named_and_said_to_have_passed() -> None:
    line = unit("Deadline: 05 maart 2025 en 01 oktober 2025")
    picked = in_order("deadline", [line])
    lead = lead_for("deadline", "Wanneer?", [line], date(2025, 11, 27), "nl", picked=picked)
    assert first_sentence(lead) == (
        "De deadlines waren 05 maart 2025 en 01 oktober 2025; die zijn verstreken [1]."
    )
    # the line says nothing beyond its dates: quoting it again adds nothing
    assert lead is not None and lead.covered == (line,)


def test_a_fact_rated_far_below_the_best_stays_out() -> None:
    line = unit("Eerste ronde: 5 maart 2025; tweede ronde: 1 oktober 2025")
    only = picked_first("deadline", "Wanneer?", [line], date(2025, 11, 27), "nl", 0.9, 0.1)
    assert only == "De deadline was 5 maart 2025; die is verstreken [1]."
    # a date stated only in part is no reason to leave the unit out of the quotes
    picked = in_order("deadline", [line], 0.9, 0.1)
    lead = lead_for("deadline", "Wanneer?", [line], date(2025, 11, 27), "nl", picked=picked)
    assert lead is not None and lead.covered == ()


def test_next_deadline_when_one_round_has_passed_in_english() -> None:
    line = unit("Eerste ronde: 5 maart 2025; tweede ronde: 1 oktober 2025")
    sentence = picked_first("deadline", "When is the deadline?", [line], date(2025, 6, 1), "en")
    assert (
        sentence == "The deadline of 5 maart 2025 has passed; the next one is 1 oktober 2025 [1]."
    )


def test_the_day_a_call_opens_is_not_given_as_a_deadline() -> None:
    line = unit("De oproep ging open op 8 mei 2025 en sluit op 10 september 2025 om 17u00.")
    # the picker rates the opening day likely too (few training questions meet one)
    picked = in_order("deadline", [line], 0.8, 0.9)
    picked.sort(key=lambda f: -f.probability)
    lead = lead_for("deadline", "Wanneer?", [line], date(2025, 6, 1), "nl", picked=picked)
    assert first_sentence(lead) == "De deadline is 10 september 2025 om 17u00 [1]."


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("Wanneer gaat de oproep open?", "nl", "De openingsdatum was 8 mei 2025 [1]."),
        ("Vanaf wanneer kan je indienen?", "nl", "De openingsdatum was 8 mei 2025 [1]."),
        ("When does the call open?", "en", "The opening date was 8 mei 2025 [1]."),
        # how long it stays open asks for the deadline
        ("Tot wanneer is de oproep nog open?", "nl", "De deadline is 10 september 2025 [1]."),
        ("Wanneer is de deadline?", "nl", "De deadline is 10 september 2025 [1]."),
        ("When does the call open and close?", "en", "The deadline is 10 september 2025 [1]."),
    ],
)
def test_a_question_about_the_opening_gets_the_opening_day(
    question: str, language: str, expected: str
) -> None:
    line = unit("De oproep ging open op 8 mei 2025 en sluit op 10 september 2025.")
    # the picker, trained to find deadlines, rates the closing day first
    picked = in_order("deadline", [line], 0.3, 0.9)
    picked.sort(key=lambda f: -f.probability)
    lead = lead_for("deadline", question, [line], date(2025, 6, 1), language, picked=picked)
    assert first_sentence(lead) == expected


def test_an_opening_day_is_given_without_its_fields_label() -> None:
    lines = [unit("Opening date: 14 January 2026"), unit("Deadline date: 16 June 2026")]
    picked = in_order("deadline", lines, 0.2, 0.9)
    picked.sort(key=lambda f: -f.probability)
    lead = lead_for("deadline", "When does it open?", lines, date(2026, 1, 1), "en", picked=picked)
    assert first_sentence(lead) == "The opening date is 14 January 2026 [1]."


def test_an_opening_question_without_an_opening_day_gets_the_deadline() -> None:
    line = unit("Deadline: 10 september 2025.")
    lead = lead_for(
        "deadline",
        "Wanneer opent de oproep?",
        [line],
        date(2026, 1, 1),
        "nl",
        picked=in_order("deadline", [line]),
    )
    assert first_sentence(lead) == "De deadline was 10 september 2025; die is verstreken [1]."


def test_amounts_in_the_pickers_order_from_one_passage() -> None:
    share = unit("De subsidie dekt 70% van de subsidiabele kosten.", "Financiering")
    field = unit("Budget: 40% voor subsidies, 60% voor investeringen", "Budget")
    # another passage's amount, rated as likely as the others, is often another action's
    elsewhere = unit("Voor de vorige oproep gold 50%.", "Budget")
    elsewhere = Unit(elsewhere.text, replace(elsewhere.chunk, id="c2"), frozenset(), "Budget")
    picked = in_order("budget", [field, share, elsewhere], 0.6, 0.5, 0.9, 0.8)
    picked.sort(key=lambda p: -p.probability)
    units = [share, elsewhere, field]
    lead = lead_for("budget", "Hoeveel procent?", units, date(2025, 1, 1), "nl", picked=picked)
    assert first_sentence(lead) == "De programmatekst noemt 70%, 40% en 60% [1]."
    # both units the sentence draws on are cited; both say more than their amounts, so they
    # may still be quoted
    assert lead is not None and lead.units == (share, field)
    assert lead.covered == ()


def test_amounts_as_written_from_one_passage() -> None:
    chunk_text = "Beheerskosten: 650 euro per maand\nNetwerkkosten: 1.000 euro per maand"
    a = unit("Beheerskosten: 650 euro per maand", "Budget", chunk_text)
    b = Unit("Netwerkkosten: 1.000 euro per maand", a.chunk, frozenset(), "Budget")
    two = picked_first("budget", "Hoeveel krijgt de instelling?", [a, b], date(2025, 1, 1))
    assert two == ("De programmatekst noemt 650 euro en 1.000 euro [1].")
    one = picked_first(
        "budget", "How much?", [unit("Budget: € 60.000", "Budget")], date(2025, 1, 1), "en"
    )
    assert one == "The amount is € 60.000 [1]."


def test_one_amount_written_twice_is_stated_once() -> None:
    line = unit("Subsidie: 60.000 euro per project; nooit meer dan 60.000 euro.", "Budget")
    assert picked_first("budget", "Hoeveel?", [line], date(2025, 1, 1)) == (
        "Het gaat om 60.000 euro [1]."
    )


def test_no_picked_fact_gives_no_first_sentence() -> None:
    line = unit("Deadline: 1 oktober 2025")
    assert lead_for("deadline", "Wanneer?", [line], date(2025, 1, 1), "nl") is None
    assert lead_for("budget", "Hoeveel?", [line], date(2025, 1, 1), "nl", picked=[]) is None


def test_contact_names_the_organisation_with_its_details() -> None:
    line = unit(
        "LIFE-contactpunt Vlaanderen, Departement Omgeving, Koning Albert II-laan 20, "
        "1000 Brussel, 02 553 80 11, life@omgeving.be",
        "Contact",
    )
    lead = lead_for("contact", "Bij wie kan ik terecht?", [line], date(2025, 1, 1), "nl")
    assert first_sentence(lead) == (
        "Je kunt terecht bij LIFE-contactpunt Vlaanderen, Departement Omgeving "
        "(life@omgeving.be, 02 553 80 11) [1]."
    )
    english = lead_for("contact", "Whom do I contact?", [line], date(2025, 1, 1), "en")
    assert first_sentence(english).startswith("You can contact LIFE-contactpunt Vlaanderen")


def test_contact_uses_the_handling_organisation_where_a_passage_names_it() -> None:
    text = "Voor vragen kan je terecht bij het Agentschap Voorbeeld (AV), info@av.be."
    line = unit(text, "Contact")
    lead = lead_for(
        "contact", "Wie?", [line], date(2025, 1, 1), "nl", organisation="Agentschap Voorbeeld (AV)"
    )
    assert first_sentence(lead) == "Je kunt terecht bij Agentschap Voorbeeld (AV) (info@av.be) [1]."


def test_contact_of_a_document_that_names_two_organisations_gives_each_its_own_details() -> None:
    agency = "For questions, contact the Example, Climate and Housing Agency (ECHA) via q@echa.eu."
    flemish = "Applicants in Flanders can also turn to the Flemish Agency (FA): tel. 02 553 46 00."
    passage = f"{agency}\n\n{flemish}"
    units = [unit(flemish, "Contact", passage), unit(agency, "Contact", passage)]
    both = "Example, Climate and Housing Agency (ECHA); Flemish Agency (FA)"
    lead = lead_for("contact", "Who?", units, date(2025, 1, 1), "en", organisation=both)
    # the best unit that names one of them, with its own phone number, not the other's e-mail
    assert first_sentence(lead) == "You can contact Flemish Agency (FA) (02 553 46 00) [1]."
    assert lead is not None and lead.units == (units[0],)


def test_contact_sentence_naming_someone_else_is_the_first_sentence() -> None:
    advice = unit(
        "Vlaamse lokale besturen kunnen voor advies terecht bij de VVSG en bij vleva.", "Contact"
    )
    lead = lead_for(
        "contact", "Wie helpt ons?", [advice], date(2025, 1, 1), "nl", organisation="DG HOME"
    )
    assert first_sentence(lead) == (
        "Vlaamse lokale besturen kunnen voor advies terecht bij de VVSG en bij vleva. [1]"
    )
    assert lead is not None and lead.covered == (advice,)  # not quoted a second time


def test_a_best_sentence_that_names_no_one_to_ask_gives_way_to_the_organisation() -> None:
    # the ranker's best unit shares the question's words but refers no one
    topic = unit(
        "Zo'n partnerschap kan gaan over een gezamenlijke aanpak van pesten in twee jeugdhuizen.",
        "Wat",
    )
    line = unit("JINT vzw, Grétrystraat 26, 1000 Brussel, 02 209 07 20, info@jint.be", "Contact")
    lead = lead_for(
        "contact",
        "Bij wie kan ons jeugdhuis terecht?",
        [topic, line],
        date(2025, 1, 1),
        "nl",
        organisation="JINT vzw",
    )
    assert first_sentence(lead) == "Je kunt terecht bij JINT vzw (info@jint.be, 02 209 07 20) [1]."


def test_yes_no_eligibility_states_its_condition() -> None:
    line = unit(
        "Enkel organisaties met rechtspersoonlijkheid kunnen een aanvraag indienen.",
        "Wie komt in aanmerking",
    )
    lead = lead_for(
        "eligibility", "Mag een feitelijke vereniging indienen?", [line], date(2025, 1, 1), "nl"
    )
    assert first_sentence(lead) == (
        "Niet zonder meer: Enkel organisaties met rechtspersoonlijkheid kunnen een aanvraag "
        "indienen [1]."
    )
    open_question = lead_for("eligibility", "Wie mag indienen?", [line], date(2025, 1, 1), "nl")
    assert open_question is None  # not a yes/no question: the quote itself comes first


def test_no_first_sentence_without_a_fact_of_the_asked_shape() -> None:
    line = unit("De oproep steunt samenwerking tussen scholen.", "Inleiding")
    assert lead_for("deadline", "Wanneer?", [line], date(2025, 1, 1), "nl") is None
    assert lead_for("budget", "Hoeveel?", [line], date(2025, 1, 1), "nl") is None
    assert lead_for("objectives", "Waarover?", [line], date(2025, 1, 1), "nl") is None


@pytest.mark.parametrize(
    ("raw", "sentence"),
    [
        (
            "Je kiest tussen: 30.000 euro; 60.000 euro;",
            "Je kiest tussen: 30.000 euro; 60.000 euro.",
        ),
        (
            "Deadline: 19 september 2024 (17u00 Brusselse tijd)",
            "Deadline: 19 september 2024 (17u00 Brusselse tijd).",
        ),
        ("Is dat zo?", "Is dat zo?"),
        ("Een zin.", "Een zin."),
    ],
)
def test_quotes_end_in_a_full_stop(raw: str, sentence: str) -> None:
    assert as_sentence(raw) == sentence


def test_fact_spans_are_copied_as_written() -> None:
    assert dates_in("deadline 5 maart 2025 om 17:00 uur.")[0] == (
        "5 maart 2025 om 17:00 uur",
        date(2025, 3, 5),
    )
    assert amounts_in("tussen € 60.000 en 26,2 miljard euro of 80 %") == [
        "€ 60.000",
        "26,2 miljard euro",
        "80 %",
    ]
    assert contact_details("Mail info@jint.be of bel 02 209 07 20 – www.jint.be.") == [
        "info@jint.be",
        "02 209 07 20",
        "www.jint.be",
    ]


def test_a_label_alone_is_no_quote_and_the_reply_stays_short() -> None:
    assert not says_something("Vlaams contactpunt")
    assert says_something("Budget: 30.000 euro")
    long = " ".join(["woord"] * 40)
    assert fits(0, long, 0)  # the best quote always fits
    assert not fits(20, long, 1)  # a second one only within the reply's length
    assert fits(0, "kort", 2)  # a third one within the reply's length
    assert not fits(0, "kort", 3)  # never more than three quotes


def test_units_of_a_real_chunk_feed_the_first_sentence() -> None:
    chunk = Chunk(
        "c9", "doc.txt", "Oproep", "Deadline", "Deadline: 12 maart 2026, 17:00 uur", 0, 9, {}
    )
    units = units_of(chunk)
    sentence = picked_first("deadline", "Wanneer?", units, date(2026, 1, 1))
    assert sentence == "De deadline is 12 maart 2026, 17:00 uur [1]."


def test_a_contact_name_keeps_its_own_dashes() -> None:
    block = unit(
        "NCP Flanders – MSCA\nFonds Wetenschappelijk Onderzoek\nLeuvenseweg 38\nwww.x.be", "Contact"
    )
    lead = lead_for("contact", "Bij wie?", [block], date(2025, 1, 1), "nl")
    assert first_sentence(lead) == (
        "Je kunt terecht bij NCP Flanders – MSCA, Fonds Wetenschappelijk Onderzoek (www.x.be) [1]."
    )


def test_facts_of_labelled_fields_carry_their_label() -> None:
    chunk_text = (
        "Verplichte vooraanmelding: maandag 18 november 2024\n"
        "Indiening volledig projectvoorstel: vrijdag 7 februari 2025"
    )
    pre = unit("Verplichte vooraanmelding: maandag 18 november 2024", "Deadline", chunk_text)
    full = Unit(
        "Indiening volledig projectvoorstel: vrijdag 7 februari 2025", pre.chunk, frozenset()
    )
    picked = in_order("deadline", [full, pre])
    lead = lead_for(
        "deadline", "Tot wanneer?", [full, pre], date(2025, 11, 27), "nl", picked=picked
    )
    assert first_sentence(lead) == (
        "De deadlines waren 7 februari 2025 (Indiening volledig projectvoorstel) en "
        "18 november 2024 (Verplichte vooraanmelding); die zijn verstreken [1]."
    )
    # the sentence says all both fields say: they are not quoted again
    assert lead is not None and lead.covered == (full, pre)


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("Budget: EUR 12 000 000", ["EUR 12 000 000"]),  # the EU's portal
        ("The maximum grant is EUR 2.5 million per project.", ["EUR 2.5 million"]),
        ("Budget: € 12 000 000 voor 2026", ["€ 12 000 000"]),
        ("Je kiest tussen twee bedragen: 30.000 euro; 60.000 euro", ["30.000 euro", "60.000 euro"]),
        ("Budget: 12 000 000 EUR", ["12 000 000 EUR"]),
    ],
)
def test_amounts_as_documents_and_the_portal_write_them(text: str, amounts: list[str]) -> None:
    assert amounts_in(text) == amounts
    assert AMOUNT.search(text)


def test_a_list_item_that_starts_no_sentence_is_quoted_after_its_lead_in() -> None:
    text = (
        "Synergieën zijn mogelijk met:\n\n"
        "- de CERV-oproep Netwerken van steden (CERV-2025-CITIZENS-TOWN-NT): grotere "
        "samenwerkingsverbanden van minstens vier aanvragers uit vier verschillende landen, "
        "met projecten van 12 tot 24 maanden;\n"
        "- Erasmus+ (uitwisselingen tussen scholen en jeugdorganisaties in zustergemeenten, "
        "ook voor leerkrachten en jeugdwerkers);\n"
        "- Creative Europe, voor culturele samenwerking tussen steden in verschillende landen, "
        "zoals festivals en tentoonstellingen."
    )
    chunk = Chunk("c1", "doc.md", "Stedenbanden", "Synergieën", text, 0, 10, {})
    items = [u for u in units_of(chunk) if u.listed >= 0]
    assert len(items) == 3  # a long list: an item each
    networks, erasmus = items[0], items[1]
    assert quoted(networks).startswith("Synergieën zijn mogelijk met: de CERV-oproep")
    assert quoted(networks).endswith("12 tot 24 maanden.")
    # an item that starts a sentence of its own stands alone
    assert quoted(erasmus) == as_sentence(erasmus.text)
