"""Every user-facing phrasing of the assistant, in Dutch and English, reviewed in one place."""

from __future__ import annotations

from datetime import date

DUTCH_MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_TEXT = {
    "nl": {
        "not_in_documents": "Dat staat niet in de programmateksten die ik ken.",
        "ask_organisation": "Voor {programme} kan je terecht bij {organisation}",
        "ask_general": (
            "Voor vragen over Europese subsidies kan je terecht bij het Vlaamse contactpunt van "
            "het programma, of bij vleva (www.vleva.eu) voor een eerste oriëntatie."
        ),
        "deadline_passed": "Let op: de deadline van {deadline} is verstreken.",
        "deadline_open": "De deadline is {deadline}.",
        "newer_call": "Er is een nieuwere oproep: {title} (deadline {deadline}).",
        "contact_intro": "Contact voor {programme}: {organisation}.",
        "empty_question": "Stel gerust een vraag, bijvoorbeeld: wie mag een aanvraag indienen?",
        "sources": "Bronnen",
        "error": "Er ging iets mis bij het beantwoorden van je vraag: {message}",
    },
    "en": {
        "not_in_documents": "The programme documents I know do not say.",
        "ask_organisation": "For {programme}, please contact {organisation}",
        "ask_general": (
            "For questions about EU funding, contact the programme's Flemish contact point, or "
            "vleva (www.vleva.eu) for a first orientation."
        ),
        "deadline_passed": "Note: the deadline of {deadline} has passed.",
        "deadline_open": "The deadline is {deadline}.",
        "newer_call": "There is a newer call: {title} (deadline {deadline}).",
        "contact_intro": "Contact for {programme}: {organisation}.",
        "empty_question": "Please ask a question, for example: who can apply?",
        "sources": "Sources",
        "error": "Something went wrong while answering your question: {message}",
    },
}

ANSWER_INTRO = {
    # English framing around quoted Dutch facts: the documents stay Dutch.
    "en": "According to the programme documents (in Dutch):",
    "nl": "",
}


def text(key: str, language: str, **values: object) -> str:
    """The phrasing `key` in `language` (Dutch when the language is unknown), filled in."""
    table = _TEXT.get(language, _TEXT["nl"])
    return table[key].format(**values)


def format_date(day: date, language: str) -> str:
    """A date as people write it: '7 mei 2024' or '7 May 2024'."""
    months = ENGLISH_MONTHS if language == "en" else DUTCH_MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year}"
