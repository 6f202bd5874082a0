"""The reply's wording: a first sentence that answers in the assistant's own words around the
fact copied exactly from a document (a date, an amount, an organisation with its contact
details, the condition of a yes/no question), then at most three supporting quotes, each a whole
sentence with its full stop before its marker. The fact is never recomputed or reformatted:
every span the first sentence states is a span of the passage its marker points at."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from assistant.facts import PickedFact, asks_opening, facts_in, opens, rest_words
from assistant.metadata import is_name, listed_organisations
from assistant.prompts import text
from assistant.ranking import NEGATION, in_kind_section
from assistant.units import Unit, words

# How long the first sentence and the quotes may be in words; a list is quoted whole, and so
# is the best unit for each part of a question of several (and a runner-up the ranker is
# confident of, CONFIDENT_QUOTE below). Chosen by the document-grouped cross-validation
# (scripts/train.py) over three draws: with two supporting quotes within 40 words fact
# accuracy 0.692 at a median reply of 50 words; with three, 0.708 within 40 words (one draw),
# 0.717 within 50 (56 words), 0.721 within 60 (59 words), 0.724 within 80 (62 words, one
# draw). The ranker's third unit holds the fact it lacks for many questions (its best unit
# holds every expected fact for 0.49 of them, its three best for 0.72), and 50 words is the
# shortest budget within the noise of the best.
REPLY_WORDS = 50
MAX_QUOTES = 3  # supporting quotes after the first sentence
# A runner-up unit the ranker gives at least this probability of answering is quoted even
# past REPLY_WORDS (within MAX_QUOTES): a long best unit otherwise left no room for a second
# that answers too. Chosen by the document-grouped cross-validation: with two quotes within
# 40 words, fact accuracy 0.632 without it, 0.643 at 0.3, 0.670 at 0.2 and at 0.15, 0.676 at
# 0.1 (median reply 43 words without it, 45, 47, 49 and 58 words with it); with three within
# 50 words, over two draws 0.711 at 0.2 (56 words), 0.727 at 0.15 (58 words) and 0.746 at 0.1
# (74 words, the longest tenth of the replies past 127): 0.15 before the replies grow long.
CONFIDENT_QUOTE = 0.15
# A question that asks several things — in parts ("…, en bij wie dienen we in?") or in a long
# message that tells its situation first (an e-mail) — is answered by several units more often
# than one, and its reader expects a longer reply: a runner-up is quoted past the budget from
# this probability on. Chosen by the document-grouped cross-validation over two draws: fact
# accuracy 0.727 at 0.15 (median reply 58 words), 0.738 at 0.1 (61 words) and 0.738 at 0.05
# (61.5 words); with a fourth quote as well 0.741 (62.5 words, the longest tenth past 131).
CONFIDENT_QUOTE_SEVERAL = 0.1
LONG_MESSAGE_WORDS = 40  # a question this long tells its situation before it asks

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+32|\b0)\d{1,3}(?:[ /.]?\d{2,3}){2,3}\b")
_WEB = re.compile(r"\b(?:https?://|www\.)[^\s,;)]+[^\s,;).]")
# A yes/no question opens with its verb: "Mag een vzw …?", "Can a school …?".
_YES_NO = re.compile(
    r"^(?:kan|kunnen|mag|mogen|moet|moeten|is|zijn|komt|komen|heeft|hebben|krijgt|krijgen"
    r"|can|may|must|is|are|do|does|should)\b",
    re.IGNORECASE,
)
_CONDITION = re.compile(
    r"\b(?:op voorwaarde|mits|indien|als|moet|moeten|minstens|ten minste|enkel|alleen|niet|geen"
    r"|if|provided|must|at least|only|not)\b",
    re.IGNORECASE,
)
_SENTENCE_END = (".", "?", "!", "…", '."', ".”")
# Where a first sentence's citation goes, until the composer knows its number.
MARKER = "\x00marker\x00"


@dataclass(frozen=True)
class Lead:
    """The reply's first sentence: `wording` holds MARKER where the citations go; `units`
    are the units its facts are copied from, each cited; quoting those in `covered` again
    would add nothing the sentence does not say."""

    wording: str
    units: tuple[Unit, ...]
    covered: tuple[Unit, ...] = ()


def as_sentence(unit_text: str) -> str:
    """A quote as a whole sentence: a list's separators or a dangling colon end in a full stop."""
    stripped = unit_text.rstrip(" ;,:")
    return stripped if stripped.endswith(_SENTENCE_END) else f"{stripped}."


def quoted(unit: Unit) -> str:
    """A unit as the reply quotes it, a whole sentence: a list item that does not start a
    sentence of its own ("de CERV-oproep Netwerken van steden …") follows its list's lead-in
    ("Synergieën zijn mogelijk met:"), which says what the item is."""
    starts_lower = unit.text[:1].islower()
    return as_sentence(
        f"{unit.lead_in} {unit.text}" if unit.lead_in and starts_lower else unit.text
    )


def contact_details(unit_text: str) -> list[str]:
    """E-mail addresses, phone numbers and web addresses of a text as written."""
    found = [m.group(0) for p in (_EMAIL, _PHONE, _WEB) for m in p.finditer(unit_text)]
    return list(dict.fromkeys(found))


def is_yes_no(question: str) -> bool:
    """Whether the sentence that asks opens with its verb ("Mag een vzw …?")."""
    asking = [s for s in re.split(r"(?<=[.?!])\s+|\n+", question) if "?" in s]
    return bool(_YES_NO.match((asking[-1] if asking else question).strip()))


def _say(key: str, language: str, **values: str) -> str:
    return text(key, language, marker=MARKER, **values)


def _join(items: Sequence[str], language: str) -> str:
    conjunction = " and " if language == "en" else " en "
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + conjunction + items[-1]


# How many facts a first sentence states at most.
_LEAD_FACTS = 3
# The longest sentence that can be the first sentence as it stands.
_SENTENCE_LEAD_WORDS = 30
# Words a field's value may put before its fact ("vrijdag 7 februari", "tot 60.000 euro").
_LABEL_LEAD_IN = 2


# The facts the first sentence states besides the picker's best: those it gives at least this
# probability of being asked (a question about money often asks for two amounts; a second date
# is often another action's). Chosen by the document-grouped cross-validation among 0.25–0.4
# (scripts/train.py --pick-floor): 0.3 gave the first sentence 0.627 with one or two facts in
# most replies; a floor relative to the best fact's probability listed three in most.
PICK_FLOOR = 0.3


def picked_lead(
    kind: str,
    picked: Sequence[PickedFact],
    today: date,
    language: str,
) -> Lead | None:
    """The first sentence from the facts the learned picker rates likely (best first): the
    best one, and the others of its passage it gives at least PICK_FLOOR, each with its
    field's label."""
    if not picked:
        return None
    stated: dict[object, PickedFact] = {}
    for candidate in picked:
        if candidate is not picked[0] and candidate.probability < PICK_FLOOR:
            break
        fact = candidate.fact
        if fact.unit.chunk.id != picked[0].fact.unit.chunk.id:
            continue  # another passage's date is often another action's (cost measured: 0.013)
        if kind == "deadline" and opens(fact) and not opens(picked[0].fact):
            continue  # the day a call opens is no deadline, passed or to come
        stated.setdefault(fact.day or _amount_key(fact.span), candidate)
        if len(stated) >= _LEAD_FACTS:
            break
    facts = [c.fact for c in stated.values()]
    spans = [_labelled(f.unit, f.span, f.count) for f in facts]
    if kind == "deadline":
        dated = list(zip(spans, facts, strict=True))
        upcoming = [s for s, f in dated if f.day is None or f.day >= today]
        passed = [s for s, f in dated if f.day is not None and f.day < today]
        if upcoming and passed:
            wording = _say(
                "lead_deadline_passed_next",
                language,
                date=_join(upcoming, language),
                passed=_join(passed, language),
            )
        elif upcoming:
            key = "lead_deadline" if len(upcoming) == 1 else "lead_deadlines"
            wording = _say(key, language, date=_join(upcoming, language))
        else:
            key = "lead_deadline_passed" if len(passed) == 1 else "lead_deadlines_passed"
            wording = _say(key, language, date=_join(passed, language))
    else:
        key = "lead_amount" if len(spans) == 1 else "lead_amounts"
        wording = _say(key, language, amount=_join(spans, language))
    units: list[Unit] = []
    for fact in facts:
        if all(fact.unit is not u for u in units):
            units.append(fact.unit)
    said = [f.span for f in facts]
    covered = tuple(
        u
        for u in units
        if _covered(u, [span for span, _ in facts_in(kind, u.text)])
        and all(span in said for span, _ in facts_in(kind, u.text))
    )
    return Lead(wording, tuple(units), covered)


def opening_lead(picked: Sequence[PickedFact], today: date, language: str) -> Lead | None:
    """For a question about when a call opens, the first sentence from the day the document
    says it opens (the picker's likeliest of those: it is trained to find the deadline, so an
    opening day ranks below it); None when the document gives no opening day."""
    fact = next((c.fact for c in picked if opens(c.fact)), None)
    if fact is None or fact.day is None:
        return None
    key = "lead_opening" if fact.day >= today else "lead_opened"
    # the day bare: its field's label says what the sentence says ("Opening date")
    return Lead(_say(key, language, date=fact.span), (fact.unit,), ())


def _amount_key(span: str) -> str:
    """One amount written twice the same way is stated once."""
    return re.sub(r"\s+", " ", span.casefold())


def _field_label(unit_text: str) -> str:
    """The label of a field line ("Indiening volledig projectvoorstel: vrijdag 7 …"), when it
    has a few words; "" for a sentence or a one-word label ("Deadline: …")."""
    match = _LABEL.match(unit_text)
    label = match.group(0).rstrip().rstrip(":").strip() if match else ""
    return label if 2 <= words(label) <= 6 else ""


def _labelled(unit: Unit, span: str, facts_in_unit: int) -> str:
    """A fact with the label of its field, so that the first sentence says what it is: "7
    februari 2025 (Indiening volledig projectvoorstel)"; a field of several facts keeps them
    bare, and so does a fact the field's value only mentions further on ("Budget …: 256
    miljoen euro, … (deadline Challenges: 16 oktober 2024)")."""
    label = _field_label(unit.text) if facts_in_unit == 1 else ""
    field = _LABEL.match(unit.text)
    lead_in = unit.text[field.end() : unit.text.find(span)] if field else ""
    if not label or words(lead_in) > _LABEL_LEAD_IN:
        return span
    return f"{span} – {label}" if span.endswith(")") else f"{span} ({label})"


# Words of a sentence that says whom to ask ("neem contact op met …", "voor advies kan je
# terecht bij …") or names a body that does something ("Het Departement EWI (EWI) verzamelt
# input …").
_WHOM_TO_ASK = re.compile(
    r"(?i:\b(?:contact\w*|terecht|helpdesk|loket|aanspreekpunt|advies|advise\w*"
    r"|begeleid\w*|informatie|vragen|mail\w*|bel|bellen|telefo\w*|ask|enquir\w*"
    r"|questions?|advice|helpline|agentschap|departement|dienst|afdeling|commissie|ministerie"
    r"|secretariaat|agency|department|office|commission|ministry|secretariat|vzw)\b)"
    r"|\([A-Z][A-Za-z&-]{1,12}\)",
)


def _refers_to_someone(unit_text: str) -> bool:
    """Whether a sentence refers the reader to someone: by its words, or by an address or a
    number. One that only shares the question's words (a sentence about youth centres for "Bij
    wie kan ons jeugdhuis terecht?") is no referral."""
    return bool(_WHOM_TO_ASK.search(unit_text) or contact_details(unit_text))


def _is_sentence(unit_text: str) -> bool:
    """A sentence of prose that states the fact in full, not a field ("Budget: …") or a list."""
    return (
        not _LABEL.match(unit_text)
        and "\n" not in unit_text.strip()
        and unit_text.rstrip().endswith(_SENTENCE_END)
        and 6 <= words(unit_text) <= _SENTENCE_LEAD_WORDS
    )


def _covered(unit: Unit, spans: Sequence[str]) -> bool:
    """Whether the first sentence says all the unit says: its facts, and its field's label
    with them (a word such as a weekday aside)."""
    label = _field_label(unit.text) if len(spans) == 1 else ""
    return rest_words(unit.text, [*spans, label] if label else spans) <= 2


def contact_lead(
    units: Sequence[Unit], organisation: str, contact_units: Sequence[Unit], language: str
) -> Lead | None:
    """The ranker's best unit as it stands when it is a sentence that does not name the
    handling organisation; else "Je kunt terecht bij <organisation> (<e-mail>, <phone>)":
    the handling organisation where a passage names it in those words, else the name that
    opens a contact line ("LIFE-contactpunt Vlaanderen, Departement Omgeving, …")."""
    candidates = [*units, *contact_units]
    best = units[0] if units else None
    # "X; Y": a document may name two organisations (the agency, the Flemish contact point)
    names = listed_organisations(organisation)
    if (
        best
        and _is_sentence(best.text)
        and _refers_to_someone(best.text)
        and not any(part.casefold() in best.text.casefold() for part in names)
    ):
        # the best unit says in a sentence whom to ask (the Flemish service for advice, the
        # agency for a technical question), and it is not the handling organisation
        return Lead(f"{quoted(best)} {MARKER}", (best,), (best,))
    # a unit that names it with its own e-mail or phone, else the passage that names it (the
    # marker must point at what holds the details), else a unit that names it without any
    passages = [Unit(u.chunk.text, u.chunk, u.terms, u.section) for u in candidates]
    for unit, needs_details in [
        *((u, True) for u in candidates),
        *((p, False) for p in passages),
        *((u, False) for u in candidates),
    ]:
        details = contact_details(unit.text)
        if needs_details and not details:
            continue
        for part in names:
            if part.casefold() in unit.text.casefold():
                return _contact_sentence(part, details, unit, language)
    for unit in candidates:
        details = contact_details(unit.text)
        named = _opening_name(unit.text) if details else ""
        if named:
            return _contact_sentence(named, details, unit, language)
    return None


def _contact_sentence(name: str, details: Sequence[str], unit: Unit, language: str) -> Lead:
    where = name if not details else f"{name} ({', '.join(details[:2])})"
    return Lead(_say("lead_contact", language, organisation=where), (unit,))


_LABEL = re.compile(r"^[^:\n]{2,40}:\s+")


def _opening_name(line: str) -> str:
    """The name a contact line opens with, as written: its parts up to the first address,
    number or e-mail ("Vlaams contactpunt: Epos vzw, Koning Albert II-laan 15, …" → "Epos
    vzw"; "NCP Flanders – MSCA\nFWO\nLeuvenseweg 38" → "NCP Flanders – MSCA\nFWO" with its
    line break as a comma)."""
    value = _LABEL.sub("", line, count=1)
    end = 0
    for match in re.finditer(r"[^,\n]+", value):
        part = match.group(0).strip()
        if any(ch.isdigit() or ch == "@" for ch in part) or "www." in part:
            break
        end = match.end()
    name = ", ".join(p.strip() for p in value[:end].split("\n") if p.strip())
    # a sentence that names an organisation further on is no name ("For questions, contact …")
    return name if 0 < words(name) <= 12 and is_name(name) else ""


def condition_lead(units: Sequence[Unit], language: str) -> Lead | None:
    """A yes/no question: the best unit is the condition it depends on; a restriction in it
    ("enkel", "niet", "geen") says it is not a plain yes."""
    if not units:
        return None
    unit = units[0]
    if not in_kind_section("eligibility", unit) or not _CONDITION.search(unit.text):
        return None
    key = "lead_restricted" if NEGATION.search(unit.text) else "lead_condition"
    sentence = quoted(unit)
    body, end = (sentence[:-1], ".") if sentence.endswith(".") else (sentence, "")
    wording = f"{_say(key, language)} {body} {MARKER}{end}"
    return Lead(wording, (unit,), (unit,))


def lead_for(
    kind: str,
    question: str,
    units: Sequence[Unit],
    today: date,
    language: str,
    organisation: str = "",
    contact_units: Sequence[Unit] = (),
    picked: Sequence[PickedFact] = (),
) -> Lead | None:
    """The first sentence for a kind of question from the chosen units (best first), or None
    when they give no fact of the asked shape (the best quote then comes first); a deadline
    or budget question's facts are those of `picked`, as the learned picker orders them."""
    if kind == "deadline" and asks_opening(question):
        return opening_lead(picked, today, language) or picked_lead(kind, picked, today, language)
    if kind in ("deadline", "budget"):
        return picked_lead(kind, picked, today, language)
    if kind == "contact":
        return contact_lead(units, organisation, contact_units, language)
    if kind == "eligibility" and is_yes_no(question):
        return condition_lead(units, language)
    return None


def says_something(unit_text: str) -> bool:
    """A label alone ("Vlaams contactpunt") is no quote: it needs a few words or a detail."""
    return words(unit_text) > 3 or any(ch.isdigit() or ch == "@" for ch in unit_text)


def fits(used: int, unit_text: str, quotes: int, quota: int = MAX_QUOTES) -> bool:
    """Whether one more quote fits the reply: at most `quota` quotes, within REPLY_WORDS (the
    best quote always fits: it is what the first sentence stands on, or the answer itself)."""
    if quotes >= quota:
        return False
    return quotes == 0 or used + words(unit_text) <= REPLY_WORDS
