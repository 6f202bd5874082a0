"""What a call text says about itself: dates, labelled fields and the metadata built from them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

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
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR_REACH = 40  # characters between a day-and-month and the full date that lends its year
_DATE_PATTERN = re.compile(
    rf"(?P<iso>\b(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})(?!\d))"
    rf"|(?P<num>\b(?P<nd>\d{{1,2}})[-/.](?P<nm>\d{{1,2}})[-/.](?P<ny>\d{{4}})\b)"
    rf"|(?P<dmy>\b(?P<dd>\d{{1,2}})(?:e|ste|de)?\s+(?P<dm>{_MONTH})\.?(?:\s+(?P<dy>\d{{4}}))?\b)"
    rf"|(?P<mdy>\b(?P<mm>{_MONTH})\.?\s+(?P<md>\d{{1,2}}),?\s+(?P<my>\d{{4}})\b)",
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
)  # fmt: skip
# Labels that open a document or a programme block: a title-like line right before one of
# these starts a new block ("Erasmus+ Onderwijs en Opleiding" / "Inleiding").
OPENING_LABELS = frozenset(
    {"inleiding", "introductie", "samenvatting", "achtergrond", "context", "beschrijving",
     "over het programma", "algemeen"}
)  # fmt: skip

_DEADLINE_LABELS = ("deadline", "deadlines", "indiendatum", "indiendata", "uiterste indiendatum",
                    "uiterste datum", "sluitingsdatum", "indienen tot", "closing date")  # fmt: skip
_CODE_LABELS = ("code", "codes", "oproepcode", "call code", "call-code", "callcode",
                "topic code", "identificatiecode", "referentie")  # fmt: skip
_MANAGER_LABELS = ("beheerd door", "beheer", "beheerder", "beheersautoriteit",
                   "beheerautoriteit", "managed by", "behandeld door", "uitvoerend agentschap",
                   "nationaal agentschap")  # fmt: skip
_CONTACT_POINT_LABELS = ("vlaams contactpunt", "vlaamse contactpunten", "vlaams aanspreekpunt",
                         "vlaamse aanspreekpunten", "nationaal contactpunt",
                         "nationale contactpunten", "contactpunt", "aanspreekpunt")  # fmt: skip
_CONTACT_SECTION_LABELS = ("info & contact", "info en contact", "contact", "contactgegevens",
                           "meer informatie", "meer info")  # fmt: skip
_PROGRAMME_LABELS = ("programma", "programme", "fonds")
_CALL_LABELS = ("oproep",)
_ACTION_LABELS = ("actie", "action", "kernactie", "type actie")
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
        handling_organisation=front.get("managed_by")
        or front.get("handling_organisation")
        or _handling_organisation(candidates, sections),
        contact=front.get("contact") or _contact(sections),
        managed_centrally=_central_statement(sections) is not None,
        source_url=front.get("source_url")
        or front.get("url")
        or source_url
        or _source_url(candidates, sections),
        language=_language(front.get("language") or front.get("lang") or language),
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
    wanted = set(vocabulary)
    for label, value in candidates:
        plain = re.sub(r"\s*\(.*?\)", "", normalise_label(label))
        if value.strip() and plain in wanted:
            return value.strip()
    return None


def _first_line(text: str | None) -> str | None:
    """The first non-empty line of `text`, cut to a field's length."""
    if not text:
        return None
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return _shorten(line.removeprefix("- "), _MAX_FIELD_CHARS) or None


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


def _contact_paragraphs(lines: Sequence[str]) -> str:
    """The first paragraph of `lines` plus later ones that hold an address, up to a bullet.

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
    kept = kept[:1] + [p for p in kept[1:] if any(_is_address_line(line) for line in p)]
    return "\n\n".join("\n".join(p) for p in kept)


def _contact_point_block(sections: Sequence[Section]) -> str | None:
    """The details under a "Vlaams contactpunt"-like label; Flemish contact points first."""
    flemish = tuple(label for label in _CONTACT_POINT_LABELS if label.startswith("vlaam"))
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


def _names_in_line(line: str) -> str:
    """The organisation at the start of a contact line, before its street, phone or e-mail."""
    inline = _INLINE_FIELD.match(line)
    if inline:
        line = inline["value"]
    pieces = re.split(r"( [–-] |, )", line)
    name = ""
    for index in range(0, len(pieces), 2):
        if _is_address_line(pieces[index]):
            break
        name += (pieces[index - 1] if index else "") + pieces[index]
    name = re.split(r"(?<=[a-z)])\. ", name, maxsplit=1)[0].rstrip(".")
    return name.split(", ", 1)[0] if len(name) > 90 else name


_NOT_AN_ORGANISATION = re.compile(
    r"portaal|portal\b|website|webpagina|platform|programmagids|gids\b|guide\b", re.IGNORECASE
)


def organisations_in(block: str) -> str | None:
    """Organisation names in a contact block: what each paragraph says before its address."""
    names: list[str] = []
    for paragraph in re.split(r"\n\s*\n", block):
        leading: list[str] = []  # name lines above the paragraph's first address line
        addressed = False
        for raw in paragraph.splitlines():
            line = raw.strip().removeprefix("- ")
            if not line:
                continue
            if not _is_address_line(line):
                if not addressed and len(leading) < 2:
                    leading.append(_names_in_line(line))
                continue
            if not addressed and leading:
                names.append(", ".join(leading))
            elif _names_in_line(line):
                names.append(_names_in_line(line))  # "Epos vzw – Straat 3, 1000 Brussel"
            addressed = True
        if leading and not addressed:
            names.append(", ".join(leading))
    result = ""
    # a portal, a website or a guide named in a contact list is no organisation to contact
    names = [n for n in names if not _NOT_AN_ORGANISATION.search(n)]
    for name in dict.fromkeys(n for n in names if n):
        if len(result) + len(name) + 2 > _MAX_ORGANISATION_CHARS:
            break
        result = f"{result}; {name}" if result else name
    return result or None


def _handling_organisation(
    candidates: Sequence[tuple[str, str]], sections: Sequence[Section]
) -> str | None:
    """Who handles applications: a "Beheerd door" field, else the contact point's organisations."""
    managed = _exact_field(candidates, _MANAGER_LABELS)
    if managed:
        line = _first_line(managed) or ""
        # "EACEA (niet Epos) – indienen via ...": keep the body, drop the explanation.
        line = re.split(r" [–-] (?=[a-z])|; ", line, maxsplit=1)[0]
        return _shorten(line, _MAX_ORGANISATION_CHARS)
    central = _central_manager(candidates, sections)
    if central:
        return central
    block = _contact_point_block(sections)
    if block:
        return organisations_in(block)
    for text in _contact_sections(sections):
        lines = [line.strip().removeprefix("- ") for line in text.splitlines() if line.strip()]
        for index, line in enumerate(lines):
            if _is_address_line(line) and index > 0:
                name = lines[index - 1]
                if len(name) <= 80 and not name.endswith((".", "?", ":")):
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
    commission = _first_line(_exact_field(candidates, _COMMISSION_LABELS))
    if commission:
        return _shorten(commission, _MAX_ORGANISATION_CHARS)
    for nearby in statement:
        match = _ACRONYM.search(nearby)
        if match:
            return next(group for group in match.groups() if group)
    return None


def _central_statement(sections: Sequence[Section]) -> list[str] | None:
    """The sentence that says this call is managed centrally, with the sentence after it."""
    for section in sections:
        sentences = re.split(r"(?<=[.!?])\s+", " ".join(section.text.split()))
        for index, sentence in enumerate(sentences):
            if _THIS_CALL.search(sentence) and _CENTRAL.search(sentence):
                return sentences[index : index + 2]
    return None


def _contact(sections: Sequence[Section]) -> str | None:
    """The contact details: the contact point's block, else a contact section with an address."""
    block = _contact_point_block(sections)
    texts = _contact_sections(sections)
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


def _language(value: str | None) -> str:
    """The primary language subtag ("nl-BE" → "nl"); Dutch when nothing is declared."""
    if not value:
        return "nl"
    return re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower() or "nl"
