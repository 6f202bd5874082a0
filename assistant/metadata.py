"""What a call text says about itself: dates, labelled fields and the metadata built from them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from assistant.classify import function_words
from assistant.lexical import analyse
from assistant.types import DocumentMetadata, Section

HEADING_SEPARATOR = " › "

_MONTHS: dict[str, int] = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "february": 2, "feb": 2,
    "maart": 3, "march": 3, "mrt": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "augustus": 8, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
# A month's name or abbreviation in Dutch or English, as a regular expression's alternatives.
MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR_REACH = 40  # characters between a day-and-month and the full date that lends its year
_DATE_PATTERN = re.compile(
    rf"(?P<iso>\b(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})(?!\d))"
    rf"|(?P<num>\b(?P<nd>\d{{1,2}})[-/.](?P<nm>\d{{1,2}})[-/.](?P<ny>\d{{4}})\b)"
    rf"|(?P<dmy>\b(?P<dd>\d{{1,2}})(?:e|ste|de)?\s+(?P<dm>{MONTH})\.?(?:\s+(?P<dy>\d{{4}}))?\b)"
    rf"|(?P<mdy>\b(?P<mm>{MONTH})\.?\s+(?P<md>\d{{1,2}}),?\s+(?P<my>\d{{4}})\b)",
    re.IGNORECASE,
)

# Section labels that call texts of this kind use, lower case. A line that is one of these, or
# starts with one ("Budget en duur", "Indiendata oproep 2025"), is a heading, not content.
SECTION_LABELS: tuple[str, ...] = (
    "deadline", "deadlines", "indiendatum", "indiendata", "uiterste indiendatum",
    "sluitingsdatum", "code", "codes", "oproepcode", "call code", "inleiding", "introductie",
    "samenvatting", "achtergrond", "context", "beschrijving", "over het programma", "algemeen",
    "doelstellingen", "doelstelling", "doelen", "prioriteiten", "thema's", "topics", "acties",
    "activiteiten", "wie komt in aanmerking", "wie kan deelnemen", "wie kan aanvragen",
    "wie kan een aanvraag indienen", "wie mag indienen", "voor wie", "doelgroep", "doelgroepen",
    "voorwaarden", "criteria", "subsidiabiliteit", "beoordeling", "selectie", "budget",
    "financiering", "cofinanciering", "steunpercentage", "looptijd", "duur", "kalender",
    "timing", "planning", "procedure", "aanvraagprocedure", "hoe indienen", "waar indienen",
    "begunstigden", "partners", "consortium", "info & contact", "info en contact", "contact",
    "contactgegevens", "meer informatie", "meer info", "vlaams contactpunt",
    "vlaamse contactpunten", "nationaal contactpunt", "goed om weten", "tips", "synergieën",
    "resultaten", "verwachte resultaten", "impact", "veelgestelde vragen", "faq", "documenten",
    "toepasselijke (eu) wetgeving", "wetgeving", "opening", "publicatie",
    # the same headings on English pages (the portal's topic pages)
    "introduction", "summary", "background", "description", "objectives", "expected outcome",
    "expected outcomes", "expected impact", "scope", "eligibility", "eligibility conditions",
    "eligible countries", "who can apply", "admissibility", "award criteria", "evaluation",
    "funding", "funding rate", "budget and funding rate", "duration", "how to apply",
    "application procedure", "contact details", "further information", "documents",
)  # fmt: skip
# Labels that open a document or a programme block: a title-like line right before one of
# these starts a new block ("Erasmus+ Onderwijs en Opleiding" / "Inleiding").
OPENING_LABELS = frozenset(
    {"inleiding", "introductie", "samenvatting", "achtergrond", "context", "beschrijving",
     "over het programma", "algemeen", "introduction", "summary", "background", "description"}
)  # fmt: skip

_DEADLINE_LABELS = ("deadline", "deadlines", "indiendatum", "indiendata", "uiterste indiendatum",
                    "uiterste datum", "sluitingsdatum", "indienen tot", "closing date",
                    "deadline date", "submission deadline")  # fmt: skip
_CODE_LABELS = ("code", "codes", "oproepcode", "call code", "call-code", "callcode",
                "topic code", "identificatiecode", "referentie", "topic identifier", "topic id",
                "call identifier", "call id", "identifier")  # fmt: skip
_MANAGER_LABELS = ("beheerd door", "beheer", "beheerder", "beheersautoriteit",
                   "beheerautoriteit", "managed by", "behandeld door", "uitvoerend agentschap",
                   "nationaal agentschap", "handled by", "managing authority")  # fmt: skip
_CONTACT_POINT_LABELS = ("vlaams contactpunt", "vlaamse contactpunten", "vlaams aanspreekpunt",
                         "vlaamse aanspreekpunten", "nationaal contactpunt",
                         "nationale contactpunten", "contactpunt", "aanspreekpunt",
                         "flemish contact point", "flemish contact points",
                         "national contact point", "national contact points", "contact point",
                         "contact points")  # fmt: skip
_CONTACT_SECTION_LABELS = ("info & contact", "info en contact", "contact", "contactgegevens",
                           "meer informatie", "meer info", "contact details",
                           "contact information", "more information",
                           "further information")  # fmt: skip
# Fields whose value is the organisation to contact, with or without its address.
_ORGANISATION_LABELS = ("organisatie", "organisation", "organization", "contactorganisatie",
                        "contact organisation", "contact")  # fmt: skip
_PROGRAMME_LABELS = ("programma", "programme", "fonds")
_CALL_LABELS = ("oproep",)
_ACTION_LABELS = ("actie", "action", "kernactie", "type actie", "type of action", "action type")
_URL_LABELS = ("bron", "source", "url", "link", "webpagina")
# Words in a sentence that say the date next to them is a deadline (fallback only).
_DEADLINE_WORDS = re.compile(r"deadline|indien|uiterlijk|sluit", re.IGNORECASE)

_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_INLINE_FIELD = re.compile(r"^(?:- )?(?P<label>[^:\n]{2,60}?):\s+(?P<value>\S.*)$")
_MAX_CONTACT_CHARS = 600
_MAX_ORGANISATION_CHARS = 200
_MAX_FIELD_CHARS = 200


def parse_dutch_dates(text: str) -> list[date]:
    """Every calendar date written in `text`, in order of appearance, without repeats.

    Reads Dutch and English month names ("5 maart 2025", "March 5, 2025"), ISO dates
    ("2025-02-19 12:00") and day-month-year numbers ("11-09-2024"). A day and month without a
    year ("12 februari en 1 oktober 2025") take the year of a full date that closely follows.
    """
    found: list[tuple[int, int, int, int, int]] = []  # year (0 if unwritten), month, day, span
    for match in _DATE_PATTERN.finditer(text):
        if match["iso"]:
            parts = (int(match["iy"]), int(match["im"]), int(match["id"]))
        elif match["num"]:
            parts = (int(match["ny"]), int(match["nm"]), int(match["nd"]))
        elif match["dmy"]:
            year = int(match["dy"]) if match["dy"] else 0
            parts = (year, _MONTHS[match["dm"].lower()], int(match["dd"]))
        else:
            parts = (int(match["my"]), _MONTHS[match["mm"].lower()], int(match["md"]))
        found.append((*parts, match.start(), match.end()))
    dates: list[date] = []
    for index, (year, month, day, _, end) in enumerate(found):
        if not year:
            # "12 februari en 1 oktober 2025": borrow the year of a full date close behind.
            later = [f for f in found[index + 1 :] if f[0] and f[3] - end <= _YEAR_REACH]
            year = later[0][0] if later else 0
        try:
            value = date(year, month, day)
        except ValueError:
            continue  # "31 februari" or a day without any year: not a date
        if value not in dates:
            dates.append(value)
    return dates


def normalise_label(text: str) -> str:
    """A label as compared: lower case, single spaces, markup and end punctuation removed."""
    text = re.sub(r"[*_`]", "", text).replace("&amp;", "&")
    text = re.sub(r"\s+", " ", text).strip().lower()
    return text.rstrip(" :?").strip()


def section_label(text: str) -> str | None:
    """The known section label that `text` is or starts with ("Budget en duur" → "budget")."""
    label = normalise_label(text)
    return _match_label(label, SECTION_LABELS)


def extract_metadata(
    sections: Sequence[Section],
    *,
    title: str,
    fields: Sequence[tuple[str, str]] = (),
    front_matter: Mapping[str, Any] | None = None,
    source_url: str | None = None,
    language: str | None = None,
) -> DocumentMetadata:
    """Metadata of one document: front matter wins, then labelled fields, then the text.

    `fields` are (label, value) pairs read from the document's structure (an HTML definition
    list, a label element), `source_url` and `language` what the page itself declares.
    """
    front = {key.lower(): _front_value(value) for key, value in (front_matter or {}).items()}
    candidates = [*fields, *_section_fields(sections), *_inline_fields(sections)]
    # Who to contact is read without a PDF's running headers and footers.
    contact_sections = _without_page_furniture(sections)
    deadline_text = front.get("deadline") or _deadline_text(candidates, sections)
    deadlines = tuple(sorted(parse_dutch_dates(deadline_text))) if deadline_text else ()
    return DocumentMetadata(
        title=front.get("title") or title,
        programme=front.get("programme")
        or front.get("programma")
        or _programme(candidates, sections, title),
        action=front.get("action") or front.get("actie") or _action(candidates, title),
        call_code=front.get("code")
        or front.get("call_code")
        or _first_line(_exact_field(candidates, _CODE_LABELS)),
        deadline=max(deadlines) if deadlines else None,
        deadlines=deadlines,
        handling_organisation=_without_manager_label(front.get("managed_by"))
        or front.get("handling_organisation")
        or _handling_organisation(candidates, contact_sections),
        contact=front.get("contact") or _contact(candidates, contact_sections),
        managed_centrally=_central_statement(sections) is not None,
        commission_body=_commission_body(candidates),
        source_url=front.get("source_url")
        or front.get("url")
        or source_url
        or _source_url(candidates, sections),
        language=_language(
            front.get("language") or front.get("lang") or language,
            " ".join(f"{s.heading} {s.text}" for s in sections),
        ),
    )


def _front_value(value: object) -> str | None:
    """A front-matter value as text; YAML reads an unquoted 2024-09-19 as a date."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value if item is not None) or None
    return str(value).strip() or None


def _match_label(label: str, vocabulary: Iterable[str]) -> str | None:
    """The vocabulary entry `label` equals or starts with as a whole word, longest first."""
    for entry in sorted(vocabulary, key=len, reverse=True):
        if label == entry or label.startswith(entry + " ") or label.startswith(entry + " ("):
            return entry
    return None


def _last_heading(section: Section) -> str:
    """The innermost part of a heading path."""
    return section.heading.rsplit(HEADING_SEPARATOR, 1)[-1]


def _section_fields(sections: Sequence[Section]) -> list[tuple[str, str]]:
    """Each headed section as a (label, text) pair."""
    return [(_last_heading(s), s.text) for s in sections if s.heading and s.text]


def _inline_fields(sections: Sequence[Section]) -> list[tuple[str, str]]:
    """Lines written as "Label: value" inside section texts."""
    pairs = []
    for section in sections:
        for line in section.text.splitlines():
            match = _INLINE_FIELD.match(line.strip())
            if match and not _URL.match(match["value"]) and "//" not in match["label"]:
                pairs.append((match["label"], match["value"]))
    return pairs


def _exact_field(candidates: Sequence[tuple[str, str]], vocabulary: Sequence[str]) -> str | None:
    """The value of the first field whose whole label is one of `vocabulary`."""
    values = _field_values(candidates, vocabulary)
    return values[0] if values else None


def _field_values(candidates: Sequence[tuple[str, str]], vocabulary: Sequence[str]) -> list[str]:
    """The values of every field whose whole label is one of `vocabulary`, in order."""
    wanted = set(vocabulary)
    values = []
    for label, value in candidates:
        plain = re.sub(r"\s*\(.*?\)", "", normalise_label(label))
        if value.strip() and plain in wanted:
            values.append(value.strip())
    return values


# A sentence end followed by the next field of the same line: "Programme: Digital Europe
# Programme. Call: DIGITAL-2026-GRIDS-01. Type of action: …" (a portal writes them inline).
_NEXT_FIELD = re.compile(r"(?<=[.;])\s+(?=[A-Z][\w ()/-]{0,40}:\s)")


def _first_line(text: str | None) -> str | None:
    """The first non-empty line of `text` up to the next field on it, cut to a field's length."""
    if not text:
        return None
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    field, *rest = _NEXT_FIELD.split(line, maxsplit=1)
    if rest:
        field = field.rstrip(".;")
    return _shorten(field.removeprefix("- "), _MAX_FIELD_CHARS) or None


def _shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;–-") + " …"


def _deadline_text(candidates: Sequence[tuple[str, str]], sections: Sequence[Section]) -> str:
    """The text of the deadline field; failing that, sentences that name a deadline."""
    for label, value in candidates:
        if _match_label(normalise_label(label), _DEADLINE_LABELS) and parse_dutch_dates(value):
            return value
    # No labelled deadline: fall back on the first sentence that calls a date a deadline.
    texts = [value for _, value in candidates] + [s.text for s in sections]
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
            if _DEADLINE_WORDS.search(sentence) and parse_dutch_dates(sentence):
                return sentence
    return ""


def _blocks(sections: Sequence[Section]) -> list[str]:
    """Heading roots that hold a programme-style block: known section labels nested under them."""
    roots: list[str] = []
    for section in sections:
        parts = section.heading.split(HEADING_SEPARATOR)
        if len(parts) < 2 or section_label(parts[0]) or parts[0].endswith("?"):
            continue
        if any(section_label(part) for part in parts[1:]) and parts[0] not in roots:
            roots.append(parts[0])
    return roots


def _programme(
    candidates: Sequence[tuple[str, str]], sections: Sequence[Section], title: str
) -> str | None:
    """The programme: a labelled field, the programme block's heading, the call, or the title."""
    labelled = _exact_field(candidates, _PROGRAMME_LABELS)
    if labelled:
        return _first_line(labelled)
    blocks = _blocks(sections)
    if blocks:
        # "Erasmus+ – Goed om weten" names the programme before the section label.
        head, _, tail = blocks[0].rpartition(" – ")
        return head if head and section_label(tail) else blocks[0]
    call = _exact_field(candidates, _CALL_LABELS)
    if call:
        return _first_line(call)
    prefix, colon, _ = title.partition(": ")
    return prefix.strip() if colon and len(prefix) <= 60 else None


def _action(candidates: Sequence[tuple[str, str]], title: str) -> str | None:
    """The action: a labelled field, or the part of the title after "Programme: "."""
    labelled = _exact_field(candidates, _ACTION_LABELS)
    if labelled:
        return _first_line(labelled)
    prefix, colon, rest = title.partition(": ")
    return rest.strip() if colon and len(prefix) <= 60 and rest.strip() else None


def _is_address_line(line: str) -> bool:
    """Whether a contact line is an address, phone number, e-mail or web address."""
    return bool(re.search(r"\d|@|www\.|https?://", line))


# --- organisation names -----------------------------------------------------------------------

# "pagina 3", "Page 2 of 5", "p. 4", "blz. 7", "- 3 -", "3/12": a PDF page's running header or
# footer, never an organisation nor a contact detail.
_PAGE_NUMBER = re.compile(
    r"\b(?:pagina|page|blz\.?|p\.)\s*\d{1,4}\b|^\W*\d{1,4}(?:\s*(?:/|van|of)\s*\d{1,4})?\W*$",
    re.IGNORECASE,
)
_MAX_PAGE_LINE_CHARS = 60
_RUNNING_REPEATS = 3  # a short line a document has this often is a running header or footer
_MAX_RUNNING_CHARS = 80
# Words that join the parts of a name ("team X van het Agentschap Y", "Agency for Z").
_NAME_PARTICLES = frozenset(
    {"van", "de", "het", "der", "den", "des", "voor", "en", "in", "op", "bij", "te", "aan",
     "naar", "of", "the", "for", "and", "on", "at", "to", "du", "la", "le", "les", "et"}
)  # fmt: skip
# Lower-case words that name a unit of an organisation rather than say something.
_UNIT_WORDS = frozenset(
    {"team", "dienst", "afdeling", "cel", "luik", "unit", "desk", "helpdesk", "vzw", "asbl",
     "contactpunt", "contactpunten", "aanspreekpunt", "agentschap", "departement",
     "secretariaat", "department", "agency", "office", "secretariat", "service", "division",
     "directorate"}
)  # fmt: skip
# Words no name holds but advice does: pronouns, auxiliaries, requests, negations.
_SENTENCE_WORDS = frozenset(
    {"je", "jij", "jou", "jouw", "u", "uw", "we", "wij", "ons", "onze", "ik", "you", "your",
     "us", "our", "i", "kun", "kan", "kunt", "kunnen", "neem", "neemt", "raden", "raadt", "is",
     "zijn", "wordt", "worden", "heeft", "hebben", "moet", "moeten", "mag", "mogen", "zal",
     "zullen", "can", "could", "may", "must", "should", "will", "please", "are", "has", "have",
     "niet", "not", "geen", "contacteer", "raadpleeg"}
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_][\w'’+&.-]*")
_ARTICLE = re.compile(r"^(?:het|de|den|een|the|an?)\s+", re.IGNORECASE)
_LOWER_ARTICLE = re.compile(r"^(?:het|de|den|een|the|an?)\s+")  # "de dienst X", not "De Lijn"
_POSSESSIVE = re.compile(r"^(?:je|jouw|uw|onze?|hun|your|our|their)\b", re.IGNORECASE)
# "Het Agentschap X (AX) coördineert …": a sentence that opens with a name and its acronym,
# then a lower-case word that does not go on with the name ("… (NCP) bij het FWO").
_SUBJECT = re.compile(
    r"^(?:(?:De|Het|Een|The|An?)\s+)?(?P<name>[A-Z][^()]{0,150}?\([^()\d]{2,150}\))"
    rf"\s+(?!(?:{'|'.join(sorted(_NAME_PARTICLES))})\b)(?=[a-zà-ÿ])"
)
# Whom a sentence sends the reader to: "… kun je terecht bij X", "neem contact op met X",
# "contacteer X", "please contact X", "get in touch with X".
_SENDS_TO = re.compile(
    r"\bterecht\s+bij\s+|\bcontact\s+(?:op\s+|opnemen\s+)?met\s+|\bcontacteer\s+"
    r"|\bwend\s+(?:je|u)\s+(?:tot|naar)\s+|\bricht\s+(?:je|u)\s+(?:\w+\s+)?(?:tot|aan)\s+"
    r"|\bin\s+(?:touch|contact)\s+with\s+|\breach\s+out\s+to\s+|\bturn\s+to\s+"
    r"|\bcontact\s+(?!(?:op|met|opnemen|us|details|information|point|points)\b)",
    re.IGNORECASE,
)
_THERE_AT = re.compile(r"\bbij\s+(?P<name>[^.?!;:]{3,150}?)\s+terecht\b", re.IGNORECASE)
# Where the name after such a cue ends: a clause that says why, when or about what.
_CLAUSE_END = re.compile(
    r"\s+(?:om|als|indien|wanneer|zodra|zodat|voordat|omdat|want|maar|if|when|before|so"
    r"|because|but|as)\b"
    r"|\s+(?:via|through)\s+"  # "… (CINEA) via the Funding & Tenders Portal helpdesk"
    r"|\s+(?:voor|met|over|for|with|about|to|of|or|en|and)\s+"
    r"(?!(?:de|het|den|der|the)\b)(?=[a-zà-ÿ])"
)
# A comma inside a name: capitalised words (and linking words) run on from it to the name's
# acronym in brackets.
_NAME_GOES_ON = re.compile(
    r",\s+(?:(?:[A-ZÀ-Ý][\w'-]*|and|en|of|for|voor|van|de|the|&)\s+)*?[A-ZÀ-Ý][\w'-]*\s+"
    r"\([A-Z]{2,}\)"
)
# An e-mail or web address after a name ("… (CINEA) via x@ec.europa.eu") is not part of it.
_ADDRESS_AFTER = re.compile(r"\s+(?:(?:via|at|op|on)\s+)?\S*(?:@|www\.|https?://)")
_CONTACT_LABELS = frozenset(
    (*_CONTACT_POINT_LABELS, *_CONTACT_SECTION_LABELS, *_MANAGER_LABELS, *_ORGANISATION_LABELS)
)
_SENTENCE_BREAK = re.compile(r"(?<=[a-z)])[.?!]\s+|(?<=[?!])\s+")
_NOT_AN_ORGANISATION = re.compile(
    r"portaal|portal\b|website|webpagina|platform|programmagids|gids\b|guide\b|\bpagina\b",
    re.IGNORECASE,
)


def _is_page_line(line: str) -> bool:
    """Whether a line is a page number or a running header or footer that holds one."""
    line = line.strip()
    return (
        len(line) <= _MAX_PAGE_LINE_CHARS
        and not line.endswith(".")
        and bool(_PAGE_NUMBER.search(line))
    )


def _without_page_furniture(sections: Sequence[Section]) -> list[Section]:
    """Sections without a PDF's running headers and footers: page-number lines, and short lines
    the document repeats page after page; a heading that is one joins the section before."""
    furniture = _page_furniture(sections)
    if not furniture:
        return list(sections)
    cleaned: list[Section] = []
    for section in sections:
        parts = section.heading.split(HEADING_SEPARATOR)
        kept = [part for part in parts if part.strip() not in furniture]
        lines = [
            line
            for line in section.text.splitlines()
            if line.strip().removeprefix("- ").strip() not in furniture
        ]
        text = re.sub(r"\n\s*\n(?:\s*\n)+", "\n\n", "\n".join(lines)).strip()
        if not text:
            continue
        if not kept and cleaned:
            # a running header taken for a heading: its text goes on with the section before
            previous = cleaned.pop()
            cleaned.append(Section(previous.heading, f"{previous.text}\n\n{text}"))
        else:
            cleaned.append(Section(HEADING_SEPARATOR.join(kept), text))
    return cleaned


def _page_furniture(sections: Sequence[Section]) -> set[str]:
    """Lines that are a page's furniture: page numbers, and short lines repeated at least
    `_RUNNING_REPEATS` times that mostly stand above something else than an address (a name
    repeated above each person's e-mail is no running header)."""
    furniture = {
        part.strip()
        for section in sections
        for part in section.heading.split(HEADING_SEPARATOR)
        if _is_page_line(part)
    }
    counts: dict[str, int] = {}
    addressed: dict[str, int] = {}
    for section in sections:
        lines = [line.strip().removeprefix("- ").strip() for line in section.text.splitlines()]
        lines = [line for line in lines if line]
        for index, line in enumerate(lines):
            if _is_page_line(line):
                furniture.add(line)
                continue
            if len(line) > _MAX_RUNNING_CHARS or section_label(line):
                continue
            counts[line] = counts.get(line, 0) + 1
            below = next((x for x in lines[index + 1 :] if not _is_page_line(x)), "")
            if below and _is_address_line(below):
                addressed[line] = addressed.get(line, 0) + 1
    furniture |= {
        line
        for line, count in counts.items()
        if count >= _RUNNING_REPEATS and 2 * addressed.get(line, 0) < count
    }
    return furniture


def _split_outside_parentheses(text: str, separator: str) -> list[str]:
    """`re.split` on a capturing `separator`, not splitting inside parentheses."""
    parts = re.split(separator, text)
    merged = [parts[0]]
    for index in range(1, len(parts), 2):
        if merged[-1].count("(") > merged[-1].count(")"):
            merged[-1] += parts[index] + parts[index + 1]
        else:
            merged += [parts[index], parts[index + 1]]
    return merged


def is_name(text: str) -> bool:
    """Whether `text` reads as an organisation's name, not as a sentence, a label or a header.

    A name holds a capitalised word or an acronym and few plain lower-case words ("team
    Europese projecten van het Agentschap Voorbeeld (AV)"); advice holds pronouns, auxiliaries
    and requests ("Neem tijdig contact op met je contactpunt").
    """
    text = text.strip()
    if not text or len(text) > _MAX_ORGANISATION_CHARS or text[-1] in ".?!:;,":
        return False
    if _PAGE_NUMBER.search(text) or _POSSESSIVE.match(text):
        return False
    words = _WORD.findall(re.sub(r"\([^()]*\)", " ", text))
    lower = [word.lower().rstrip(".") for word in words]
    if not words or any(word in _SENTENCE_WORDS for word in lower):
        return False
    if len(words) == 1:
        return lower[0] not in _NAME_PARTICLES | _UNIT_WORDS  # "vleva", "Epos"
    pairs = list(zip(words, lower, strict=True))
    plain = [w for w, low in pairs if w[0].islower() and low not in _NAME_PARTICLES | _UNIT_WORDS]
    proper = [w for w, low in pairs if not w[0].islower() and low not in _NAME_PARTICLES]
    return len(plain) < 3 and bool(proper)


def _is_address_piece(piece: str) -> bool:
    """Whether a piece of a contact line is an address or number, not prose with a digit."""
    if not _is_address_line(piece):
        return False
    return len(piece.split()) <= 8 or bool(re.search(r"@|www\.|https?://", piece))


def _name_at_start(text: str) -> str:
    """The organisation a contact text opens with, before its street, phone or e-mail; "" when
    it opens with a sentence, an address or a page header."""
    pieces = _split_outside_parentheses(text, r"( [–-] |, )")
    name = ""
    for index in range(0, len(pieces), 2):
        if _is_address_piece(pieces[index]):
            break
        name += (pieces[index - 1] if index else "") + pieces[index]
    name, *rest = re.split(r"((?<=[a-z)])\. |[?!] )", name.strip(), maxsplit=1)
    if rest and rest[0][0] in "?!":
        return ""  # "Europese partners nodig? Ja, …": a question, not a name
    name = name.rstrip(".")
    subject = _SUBJECT.match(name)
    if subject and len(name[subject.end() :].split()) >= 2:
        return ""  # "Het Departement X (DX) vertegenwoordigt …": a sentence about X
    if len(name) > 90:
        name = _split_outside_parentheses(name, r"(, )")[0]
    name = _LOWER_ARTICLE.sub("", name.strip(), count=1)
    return name if is_name(name) else ""


def _names_in_line(line: str) -> str:
    """The organisation at the start of a contact line, before its street, phone or e-mail; ""
    for a sentence, a bare address, a page header or a label ("Vlaams contactpunt")."""
    inline = _INLINE_FIELD.match(line)
    if inline:
        label = normalise_label(inline["label"])
        if section_label(label) and not _match_label(label, _CONTACT_LABELS):
            return ""  # "Begunstigden: Universiteiten, …" says who applies, not who to contact
    text = inline["value"] if inline else line
    label = normalise_label(text)
    if label in _CONTACT_LABELS or section_label(label) == label:
        return ""  # a label on a line of its own: "Vlaams contactpunt", "Goed om weten"
    return _name_at_start(text)


def _mentioned_in_line(line: str) -> str:
    """The organisation a sentence of a contact line names: its subject ("Het Agentschap X (AX)
    coördineert …") or whom it sends the reader to ("… kun je terecht bij X")."""
    inline = _INLINE_FIELD.match(line)
    for sentence in _SENTENCE_BREAK.split(inline["value"] if inline else line):
        name = _sent_to_in(sentence)
        if name:
            return name
        subject = _SUBJECT.match(sentence)
        name = _ARTICLE.sub("", subject["name"], count=1) if subject else ""
        if is_name(name):
            return name  # "Het directoraat-generaal X (DG X) beheert …"
    return ""


def _sent_to_in(sentence: str) -> str:
    """Whom a sentence sends the reader to, by name: "Voor vragen kun je terecht bij het team X
    van het Agentschap Y (AY), …" → "team X van het Agentschap Y (AY)"; "" for "je contactpunt"."""
    there = _THERE_AT.search(sentence)
    cue = _SENDS_TO.search(sentence)
    text = there["name"] if there else sentence[cue.end() :] if cue else ""
    end = len(text)
    depth = 0
    for index, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        stop = char in ",;:?!" or (char == "." and text[index + 1 : index + 2] in ("", " "))
        if char == "," and _NAME_GOES_ON.match(text, index):
            continue  # "European Climate, Infrastructure and Environment Executive Agency (CINEA)"
        if depth <= 0 and stop:
            end = index
            break
    phrase = _ADDRESS_AFTER.split(text[:end], maxsplit=1)[0]
    for clause in _CLAUSE_END.finditer(phrase):
        before = phrase[: clause.start()]
        if before.count("(") <= before.count(")"):
            phrase = before
            break
    phrase = phrase.strip()
    if _POSSESSIVE.match(phrase):
        return ""  # "je contactpunt", "your national contact point": no name
    phrase = _ARTICLE.sub("", phrase, count=1)
    return phrase if is_name(phrase) else ""


def _is_name_line(line: str) -> bool:
    """Whether a whole line is a name without an address ("Agentschap Voorbeeld (AV)")."""
    line = line.removeprefix("- ").strip()
    return not _is_address_line(line) and is_name(_LOWER_ARTICLE.sub("", line, count=1))


def _entries(block: str) -> list[list[str]]:
    """The lines of a contact block, grouped per organisation.

    A paragraph is an entry, and a name line after its address lines starts another. A PDF
    page gives every line a paragraph of its own: there, one or two name lines and the address
    lines below them ("Team X" / "Agentschap Y (AY)" / "Straat 1" / "1000 Brussel") are one
    entry, and every other line stands alone.
    """
    entries: list[list[str]] = []
    pending: list[str] = []  # one-line name paragraphs waiting for an address below them
    current: list[str] | None = None  # the one-line entry that address lines still join
    for paragraph in re.split(r"\n\s*\n", block):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        lines = [line for line in lines if not _is_page_line(line.removeprefix("- "))]
        if len(lines) == 1 and not lines[0].startswith("- "):
            line = lines[0]
            if _is_address_piece(line):
                if pending or current is None:
                    current = [*pending, line]
                    entries.append(current)
                    pending = []
                else:
                    current.append(line)
                continue
            current = None
            if _is_name_line(line):
                pending.append(line)
                if len(pending) > 2:
                    entries.append([pending.pop(0)])
                continue
        entries.extend([name] for name in pending)
        pending, current = [], None
        if not lines:
            continue
        entries.append([])
        for line in lines:
            if entries[-1] and _is_address_line(entries[-1][-1]) and _is_name_line(line):
                entries.append([])
            entries[-1].append(line)
    entries.extend([name] for name in pending)
    return entries


def _contact_paragraphs(lines: Sequence[str]) -> str:
    """The first paragraph of `lines` plus later ones that hold an address, with the one-line
    names right above them (a PDF page gives each line a paragraph), up to a bullet.

    Later paragraphs without an address are prose or link text ("Contact Europese Commissie:
    EACEA", "Naar Programma pagina"), not the contact point's details.
    """
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.startswith("- "):
            break
        if not line.strip():
            paragraphs.append([])
        else:
            paragraphs[-1].append(line.rstrip())
    kept = [p for p in paragraphs if p]
    keep = [True] * len(kept)
    addressed_below = False
    for index in range(len(kept) - 1, 0, -1):
        paragraph = kept[index]
        if any(_is_address_line(line) for line in paragraph):
            addressed_below = True
        elif addressed_below and len(paragraph) == 1 and _is_name_line(paragraph[0]):
            pass  # "Agentschap Voorbeeld (AV)" above "Straat 1"
        else:
            keep[index] = addressed_below = False
    return "\n\n".join("\n".join(p) for p, k in zip(kept, keep, strict=True) if k)


def _contact_point_block(sections: Sequence[Section]) -> str | None:
    """The details under a "Vlaams contactpunt"-like label; Flemish contact points first."""
    flemish = tuple(
        label for label in _CONTACT_POINT_LABELS if label.startswith(("vlaam", "flemish"))
    )
    for vocabulary in (flemish, _CONTACT_POINT_LABELS):
        for section in sections:
            lines = section.text.splitlines()
            for index, raw in enumerate(lines):
                line = raw.strip().removeprefix("- ").strip()
                inline = _INLINE_FIELD.match(line)
                label = inline["label"] if inline else line
                if len(label) > 80 or not _match_label(normalise_label(label), vocabulary):
                    continue
                rest = _contact_paragraphs(lines[index + 1 :])
                text = f"{inline['value']}\n{rest}" if inline else rest
                if text.strip():
                    return text.strip()
        # A heading such as "Vlaams contactpunt" with the details as its text.
        for section in sections:
            if _match_label(normalise_label(_last_heading(section)), vocabulary):
                return section.text.strip() or None
    return None


def _contact_sections(sections: Sequence[Section]) -> list[str]:
    """Texts of contact sections, each with its sub-sections and their headings."""
    grouped: dict[str, list[str]] = {}
    for section in sections:
        parts = section.heading.split(HEADING_SEPARATOR)
        for depth, part in enumerate(parts):
            if _match_label(normalise_label(part), _CONTACT_SECTION_LABELS):
                key = HEADING_SEPARATOR.join(parts[: depth + 1])
                nested = HEADING_SEPARATOR.join(parts[depth + 1 :])
                text = f"{nested}\n{section.text}" if nested else section.text
                grouped.setdefault(key, []).append(text)
                break
    return ["\n\n".join(texts) for texts in grouped.values()]


def organisations_in(block: str) -> str | None:
    """Organisation names in a contact block: what each entry says before its address.

    An entry is one or two name lines above their address lines, or one line with both ("Epos
    vzw – Straat 3, 1000 Brussel"). Advice and page headers are never names. Only in a block
    without any name line does the organisation a sentence names count ("Voor vragen kun je
    terecht bij het team X van het Agentschap Y (AY), …" → "team X van het Agentschap Y (AY)").
    """
    names: list[str] = []
    mentioned: list[str] = []  # organisations named inside sentences
    for entry in _entries(block):
        leading: list[str] = []  # name lines above the entry's first address line
        addressed = False
        skipping = False  # under a label such as "- Website fonds": no organisation
        for index, raw in enumerate(entry):
            line = raw.removeprefix("- ").strip()
            below = entry[index + 1] if index + 1 < len(entry) else "- "
            if raw.startswith("- ") and ":" not in line and not below.startswith("- "):
                # "- Federaal" above "FOD …": a label of the lines below it
                if leading and not addressed:
                    names.append(", ".join(leading))
                leading, addressed = [], False
                skipping = bool(_NOT_AN_ORGANISATION.search(line))
                continue
            if skipping:
                continue
            name = _names_in_line(line)
            if not name:
                mentioned.append(_mentioned_in_line(line))
            if not _is_address_line(line):
                if name and not addressed and len(leading) < 2:
                    leading.append(name)
                continue
            if not addressed and leading:
                names.append(", ".join(leading))
            elif name:
                names.append(name)  # "Epos vzw – Straat 3, 1000 Brussel"
            addressed = True
        if leading and not addressed:
            names.append(", ".join(leading))
    result = ""
    for name in _contactable(names) or _contactable(mentioned):
        if len(result) + len(name) + 2 > _MAX_ORGANISATION_CHARS:
            break
        result = f"{result}; {name}" if result else name
    return result or None


def _contactable(names: Sequence[str]) -> list[str]:
    """The names without repeats, and without a portal, a website or a guide: a contact list
    names those, but they are no organisation to contact."""
    return [n for n in dict.fromkeys(names) if n and not _NOT_AN_ORGANISATION.search(n)]


def contact_entries(block: str) -> list[str]:
    """A contact block cut per organisation, each entry its name and address lines."""
    return ["\n".join(entry) for entry in _entries(block)]


def organisation_name(text: str | None) -> str | None:
    """The organisation `text` names, in its own words: `text` itself when it reads as a name
    ("EACEA (niet Epos)", "Epos vzw (school); JINT vzw (jeugd)"), else the names a contact
    text gives ("Neem contact op met het team X van Y" → "team X van Y"); None for advice."""
    text = (text or "").strip()
    if not text:
        return None
    if "\n" not in text and all(is_name(part) for part in text.split("; ")):
        return text
    return organisations_in(text)


def _without_manager_label(value: str | None) -> str | None:
    """A manager as front matter gives it, without a label ("Beheersautoriteit: X" → "X")."""
    inline = _INLINE_FIELD.match(value or "")
    if inline and _match_label(normalise_label(inline["label"]), _MANAGER_LABELS):
        return inline["value"].strip()
    return value


def _handling_organisation(
    candidates: Sequence[tuple[str, str]], sections: Sequence[Section]
) -> str | None:
    """Who handles applications, by name: a "Beheerd door" field, the Commission body of a call
    it manages itself, the contact point's organisations, an "Organisatie"/"Contact" field, a
    contact section; else whom a sentence sends the reader to ("… kun je terecht bij X")."""
    for value in _field_values(candidates, _MANAGER_LABELS):
        # "EACEA (niet Epos) – indienen via ...": keep the body, drop the explanation.
        line = re.split(r" [–-] (?=[a-z])|; ", _first_line(value) or "", maxsplit=1)[0]
        name = _name_at_start(line) or _mentioned_in_line(line)
        if name:
            return _shorten(name, _MAX_ORGANISATION_CHARS)
    central = _central_manager(candidates, sections)
    if central:
        return central
    block = _contact_point_block(sections)
    texts = [
        *([block] if block else []),
        *_field_values(candidates, _ORGANISATION_LABELS),
        *_contact_sections(sections),
    ]
    for text in texts:
        found = organisations_in(text)
        if found:
            return found
    for section in sections:
        for line in section.text.splitlines():
            for sentence in _SENTENCE_BREAK.split(line):
                name = _sent_to_in(sentence)
                if name:
                    return name
    return None


# A sentence that says this call is managed centrally, by the Commission or one of its agencies.
_THIS_CALL = re.compile(r"\b(?:deze|this) (?:oproep|actie|call|action|topic)\b", re.IGNORECASE)
_CENTRAL = re.compile(
    r"centraal beheerd|rechtstreeks (?:in|ingediend|beheerd|beheert)|gecentraliseerd"
    r"|\bbeheert (?:deze|dit) \w+ niet|\bniet (?:door|bij|via) [\w+ ]{2,30} beheerd"
    r"|centrally managed|directly managed|submitted directly|does not manage",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"\(([A-Z]{2,}(?: [A-Z]{2,})?)\)|\b(DG [A-Z]{3,})\b|\b([A-Z]{4,6})\b")
_COMMISSION_LABELS = ("contact europese commissie", "contact european commission")


def _central_manager(
    candidates: Sequence[tuple[str, str]], sections: Sequence[Section]
) -> str | None:
    """The Commission body that manages the call when the text says this call is managed
    centrally ("Deze actie wordt centraal beheerd", "…, waaronder deze oproep, dien je
    rechtstreeks in bij EACEA"): the national contact point then does not handle it."""
    statement = _central_statement(sections)
    if statement is None:
        return None
    name = _commission_body(candidates)
    if name:
        return name
    for nearby in statement:
        match = _ACRONYM.search(nearby)
        if match:
            return next(group for group in match.groups() if group)
    return None


def _commission_body(candidates: Sequence[tuple[str, str]]) -> str | None:
    """The Commission body a "Contact Europese Commissie" field names."""
    commission = _first_line(_exact_field(candidates, _COMMISSION_LABELS))
    # "European … Executive Agency (EACEA), Bourgetlaan 1, 1049 Brussel": the name, not the street
    name = _name_at_start(commission or "")
    return _shorten(name, _MAX_ORGANISATION_CHARS) if name else None


# A call identifier of the Commission's Funding & Tenders portal: programme, strand, year, topic
# ("ERASMUS-EDU-2024-PEX-COVE", "HORIZON-CL5-2024-D2-01-01"); a national agency's actions go by
# key-action codes ("KA210-SCH") instead.
_PORTAL_CALL = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-20\d\d-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")


def is_portal_call(call_code: str | None) -> bool:
    """Whether a call code is a Funding & Tenders identifier: a call the Commission runs."""
    return bool(call_code and _PORTAL_CALL.match(call_code.strip()))


def _central_statement(sections: Sequence[Section]) -> list[str] | None:
    """The sentence that says this call is managed centrally, with the sentence after it."""
    for section in sections:
        sentences = re.split(r"(?<=[.!?])\s+", " ".join(section.text.split()))
        for index, sentence in enumerate(sentences):
            if _THIS_CALL.search(sentence) and _CENTRAL.search(sentence):
                return sentences[index : index + 2]
    return None


def _contact(candidates: Sequence[tuple[str, str]], sections: Sequence[Section]) -> str | None:
    """The contact details: the contact point's block, else a contact section with an address,
    else an "Organisatie"/"Contact" field ("Contact: Agentschap X, Straat 1, 1000 Brussel")."""
    block = _contact_point_block(sections)
    texts = _contact_sections(sections) or _field_values(candidates, _ORGANISATION_LABELS)[:1]
    if not block:
        with_address = [t for t in texts if any(_is_address_line(x) for x in t.splitlines())]
        block = (with_address or texts or [""])[-1]
    block = block.strip()
    if len(block) <= _MAX_CONTACT_CHARS:
        return block or None
    cut = block[:_MAX_CONTACT_CHARS].rsplit("\n", 1)[0]
    return cut.strip() + "\n…"


def _source_url(candidates: Sequence[tuple[str, str]], sections: Sequence[Section]) -> str | None:
    """A labelled source address, else the first web address written in the text."""
    labelled = _URL.search(_exact_field(candidates, _URL_LABELS) or "")
    if labelled:
        return labelled.group(0).rstrip(".,;")
    for section in sections:
        match = _URL.search(section.text)
        if match:
            return match.group(0).rstrip(".,;")
    return None


# Function words of one language a text needs, at twice the other's, before its own words
# outweigh what it declares.
_LANGUAGE_EVIDENCE = 12


def _language(declared: str | None, text: str) -> str:
    """The language the text is written in, Dutch or English, by its function words: a
    saved page's template may declare another language than its text, and a PDF or a .txt
    declares none. A text too short to tell keeps the declared primary subtag ("nl-BE" →
    "nl"), else Dutch."""
    english, dutch = function_words(text)
    if max(english, dutch) >= _LANGUAGE_EVIDENCE and max(english, dutch) >= 2 * min(english, dutch):
        return "en" if english > dutch else "nl"
    if not declared:
        return "nl"
    return re.split(r"[-_]", declared.strip(), maxsplit=1)[0].lower() or "nl"


def listed_organisations(organisations: str | None) -> list[str]:
    """The organisations of a handling-organisation field, which may name one per sector
    ("Epos vzw (school, volwassenen); JINT vzw (jeugd)")."""
    return [part.strip() for part in (organisations or "").split(";") if part.strip()]


def sector_organisation(
    organisations: str | None, question: str, split: Callable[[str], list[str]] | None = None
) -> str | None:
    """Of a list of organisations per sector ("A (school, volwassenen); B (jeugd)"), the one
    whose sector words the question uses most ("jeugdhuis" names "jeugd");
    None when the list has one organisation or the question names no sector."""
    parts = listed_organisations(organisations)
    if len(parts) < 2:
        return None
    asked = set(analyse(question, split))
    best, best_overlap = None, 0
    for part in parts:
        sector = " ".join(re.findall(r"\(([^)]*)\)", part))
        overlap = sum(1 for word in set(analyse(sector)) if _compounded(word, asked))
        if overlap > best_overlap:
            best, best_overlap = part, overlap
    return best


_COMPOUND_PART = 5  # the shortest word taken as the first part of a compound


def _compounded(word: str, asked: set[str]) -> bool:
    """Whether the question uses a word, alone or as the first part of a compound either way
    ("jeugd" in "jeugdhuis", "volwassenen" in "volwasseneneducatie"): Dutch names a sector's
    organisations and projects in compounds the corpus need not hold."""
    for other in asked:
        shorter, longer = sorted((word, other), key=len)
        if shorter == longer or (len(shorter) >= _COMPOUND_PART and longer.startswith(shorter)):
            return True
    return False


def portal_programme_code(call_code: str | None) -> str | None:
    """The programme part of a Funding & Tenders identifier ("HORIZON" of
    "HORIZON-CL6-2026-BIODIV-03"); None for a code of another shape."""
    if not is_portal_call(call_code):
        return None
    return str(call_code).strip().split("-", 1)[0]


def programme_of_siblings(names: Sequence[str]) -> str | None:
    """The programme that documents whose calls share a programme code all name: the words
    their programmes start with ("Horizon Europe" of "Horizon Europe" and "Horizon Europe –
    Marie Skłodowska-Curie-acties"), up to a strand after a dash ("Creative Europe" of
    "Creative Europe – MEDIA")."""
    split = [name.split() for name in names if name.strip()]
    if not split:
        return None
    common: list[str] = []
    for column in zip(*split, strict=False):
        if any(word != column[0] for word in column):
            break
        common.append(column[0])
    name = " ".join(common).split(" – ", 1)[0].strip(" –-,:")
    return name or None


def with_sibling_programmes(metadata: Sequence[DocumentMetadata]) -> list[DocumentMetadata]:
    """Each document's metadata, a portal page that names no programme (an English topic page
    gives only its identifier) with the programme its sibling documents name: those whose
    calls share its programme code."""
    named: dict[str, list[str]] = {}
    for meta in metadata:
        code = portal_programme_code(meta.call_code)
        if code and meta.programme:
            named.setdefault(code, []).append(meta.programme)
    filled = []
    for meta in metadata:
        code = portal_programme_code(meta.call_code)
        if not meta.programme and code in named:
            meta = replace(meta, programme=programme_of_siblings(named[code]))
        filled.append(meta)
    return filled
