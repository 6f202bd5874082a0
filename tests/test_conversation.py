"""Follow-ups keep their topic: from the user's turns and earlier answers' citations, never from
the words of an answer; naming another call switches. On a real index of the small corpus."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.conversation import resolve
from assistant.service import Assistant, turns_from
from assistant.settings import Settings
from assistant.types import Turn

KA210 = "erasmus-ka210-kleinschalige-partnerschappen.txt"
KA152 = "erasmus-jeugd-ka152-groepsuitwisselingen.html"
MSCA = "horizon-msca-postdoctoral-fellowships-2024.txt"
CERV = "cerv-stedenbanden-2024.md"

ASKED_KA210 = "Wie mag een aanvraag indienen voor een kleinschalig partnerschap (KA210)?"
# Answers that talk about other calls too: their words must not move the topic.
ABOUT_OTHERS = (
    "Elke organisatie uit een EU-lidstaat mag indienen. Voor groepsuitwisselingen van jongeren "
    "(KA152, jeugduitwisselingen) en voor MSCA-beurzen gelden andere regels.",
    "Een jeugduitwisseling (KA152) krijgt een forfait per deelnemer; voor jongeren in een "
    "groepsuitwisseling zijn er ook reiskosten.",
)
VAGUE = "Welke projecten zijn er voor jongeren?"


@pytest.fixture(scope="module")
def assistant(small_index: Settings) -> Assistant:
    return Assistant.open(small_index)


@pytest.mark.slow
def test_an_answer_that_names_another_call_does_not_move_the_topic(assistant: Assistant) -> None:
    history = [
        Turn("user", ASKED_KA210),
        Turn("assistant", ABOUT_OTHERS[0]),
        Turn("user", "en hoeveel krijg je dan?"),
        Turn("assistant", ABOUT_OTHERS[1]),
    ]
    resolution = resolve("Bij wie kan ik terecht?", history, assistant.retriever)
    assert resolution.follow_up
    assert resolution.topic == (KA210,)
    # the follow-up is searched with the question that set the topic, not just the last one
    assert ASKED_KA210 in resolution.query and "en hoeveel krijg je dan?" in resolution.query
    answer = assistant.ask("Bij wie kan ik terecht?", history)
    assert answer.retrieved[0] == KA210
    assert answer.citations and answer.citations[0].source == KA210


@pytest.mark.slow
def test_the_topic_holds_for_any_number_of_turns(assistant: Assistant) -> None:
    history = [Turn("user", ASKED_KA210)]
    for i, question in enumerate(
        ["en hoeveel krijg je dan?", "Bij wie kan ik terecht?", "hoe lang duurt het?", "en dan?"]
    ):
        history.append(Turn("assistant", ABOUT_OTHERS[i % 2]))
        assert resolve(question, history, assistant.retriever).topic == (KA210,), question
        history.append(Turn("user", question))


@pytest.mark.slow
def test_an_answers_cited_source_fixes_the_topic(assistant: Assistant) -> None:
    reply = "Er zijn verschillende mogelijkheden."
    follow_up = "tot wanneer kan ik indienen?"
    # Without citations the vague question decides, and it is not about town twinning…
    plain = [Turn("user", VAGUE), Turn("assistant", reply)]
    without = resolve(follow_up, plain, assistant.retriever)
    assert without.follow_up and VAGUE in without.query and CERV not in without.topic
    # …with them, the first file the answer cited is the topic.
    cited = [Turn("user", VAGUE), Turn("assistant", reply, (CERV, KA152))]
    assert resolve(follow_up, cited, assistant.retriever).topic == (CERV,)
    answer = assistant.ask(follow_up, cited, today=date(2024, 5, 1))
    assert answer.retrieved[0] == CERV
    assert answer.citations and answer.citations[0].source == CERV


@pytest.mark.slow
def test_a_follow_up_about_a_document_no_longer_indexed_says_so(assistant: Assistant) -> None:
    """The documents changed under a running conversation: the file the last answer cited is
    gone. A vague follow-up is not answered from whatever else its words find."""
    reply = "Er zijn verschillende mogelijkheden."
    gone = [Turn("user", VAGUE), Turn("assistant", reply, ("verwijderde-oproep.txt",))]
    resolution = resolve("tot wanneer kan ik indienen?", gone, assistant.retriever)
    assert resolution.withdrawn == ("verwijderde-oproep.txt",) and resolution.topic == ()
    answer = assistant.ask("tot wanneer kan ik indienen?", gone)
    assert answer.abstained and answer.citations == ()
    assert answer.text.startswith(
        "Het document waarover dit gesprek ging (verwijderde-oproep.txt) staat niet meer"
    )
    english = assistant.ask("and who can apply?", gone)
    assert english.text.startswith("The document this conversation was about")
    # a question that names a call is a question of its own
    named = assistant.ask("En wanneer sluit de MSCA Postdoctoral Fellowships oproep?", gone)
    assert not named.abstained and named.retrieved[0] == MSCA
    # an answer cited since, from a document still indexed, is the topic again
    later = [*gone, Turn("user", ASKED_KA210), Turn("assistant", "Elke organisatie.", (KA210,))]
    assert resolve("tot wanneer?", later, assistant.retriever).topic == (KA210,)


@pytest.mark.slow
def test_naming_another_call_switches_the_topic(assistant: Assistant) -> None:
    about_ka210 = [Turn("user", ASKED_KA210), Turn("assistant", "Elke organisatie.", (KA210,))]
    msca = "En wanneer sluit de MSCA Postdoctoral Fellowships oproep?"
    # in the question itself: a new topic
    switched = resolve(msca, about_ka210, assistant.retriever)
    assert not switched.follow_up and switched.topic == ()
    assert assistant.ask(msca, about_ka210).retrieved[0] == MSCA
    # in a later user turn: it overrides the earlier answer's citation
    later = [*about_ka210, Turn("user", msca), Turn("assistant", "Op 11 september 2024.")]
    assert resolve("Bij wie kan ik terecht?", later, assistant.retriever).topic == (MSCA,)
    # a place both documents share is no other call
    place = resolve("Kan dat ook in Vlaanderen?", about_ka210, assistant.retriever)
    assert place.follow_up and place.topic == (KA210,)


@pytest.mark.slow
def test_an_english_follow_up_keeps_the_programme(assistant: Assistant) -> None:
    history = [
        Turn("user", "Who may apply for town twinning under CERV?"),
        Turn(
            "assistant", "Towns and municipalities; for young people see youth exchanges (KA152)."
        ),
        Turn("user", "and the deadline?"),
        Turn("assistant", "19 September 2024. Youth exchanges (KA152) have other deadlines."),
    ]
    for question in ("and the email?", "How much is the grant for this call?"):
        # "call" and "grant" are the glossary's generic words, no name of another call
        resolution = resolve(question, history, assistant.retriever)
        assert resolution.follow_up and resolution.topic == (CERV,), question
    answer = assistant.ask("and who do I contact?", history)
    assert answer.retrieved[0] == CERV
    assert answer.language == "en"


def test_turns_from_reads_the_sources_an_answer_cited() -> None:
    turns = turns_from(
        [
            {"role": "user", "content": "Wat is KA210?", "sources": [KA210]},
            {"role": "assistant", "content": "Een partnerschap [1].", "sources": [KA210, 3, KA210]},
            {"role": "assistant", "content": "Zonder bronnen."},
            {"role": "assistant", "content": "Kapot.", "sources": KA210},
        ]
    )
    assert turns == [
        Turn("user", "Wat is KA210?"),  # a question cites nothing
        Turn("assistant", "Een partnerschap [1].", (KA210,)),
        Turn("assistant", "Zonder bronnen."),
        Turn("assistant", "Kapot."),  # not a list: ignored
    ]
