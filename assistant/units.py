"""Quotable units of a chunk: sentences, list items with their lead-in, labelled fields and
address blocks. The answer composer quotes them; the index embeds them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.lexical import analyse
from assistant.types import Chunk

_UNIT_MAX_WORDS = 60


@dataclass(frozen=True)
class Unit:
    """A quotable piece of a chunk: a sentence, a list item, or a labelled field."""

    text: str
    chunk: Chunk
    terms: frozenset[str]
    section: str = ""  # the heading the unit stands under
    listed: int = -1  # which list of its chunk the unit is (an item of); -1: no list
    about: frozenset[str] = frozenset()  # the call numbers its paragraph is talking about
    paragraph: int = -1  # which paragraph of its chunk a sentence stands in; -1: no sentence
    lead_in: str = ""  # the sentence that announces the list an item stands in

    @property
    def id(self) -> str:
        """Content hash of the unit within its chunk: the key of its vector in the index."""
        payload = f"{self.chunk.id}\x00{self.text}".encode()
        return hashlib.sha256(payload).hexdigest()[:32]


def units_of(chunk: Chunk) -> list[Unit]:
    """Split a chunk into quotable units: labelled fields, contact blocks, sentences, and list
    items (a short list becomes one unit with its lead-in sentence, a long one an item each).
    Each unit knows the heading it stands under: in a chunk that joins several small sections
    ("Deadline · Code"), that is its own label, not the joined name."""
    lines = [line.strip() for line in chunk.text.splitlines()]  # "" marks a paragraph break
    units: list[Unit] = []
    heading = chunk.section.split(" · ")[0] if " · " in chunk.section else chunk.section
    i = 0
    lead = ""
    lists = 0
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        if is_item(line):
            items, i = _list_items(lines, i)
            joined = "; ".join(items)
            if words(joined) + words(lead) <= 45:
                units.append(_unit(f"{lead} {joined}".strip(), chunk, heading, "", lists))
            else:
                units.extend(_unit(item, chunk, heading, lead, lists) for item in items)
            lead = ""
            lists += 1
            continue
        run = _short_line_run(lines, i)
        if len(run) >= 3 and not _mostly_fields(run):
            # an address or contact block: one line each for name, street, town, phone, …
            units.append(_unit(", ".join(run), chunk, heading, ""))
            i += len(run)
            continue
        if len(run) == 2 and is_label(line) and words(run[1]) <= 25:
            label = line.rstrip(":")
            units.append(_unit(f"{label}: {run[1]}", chunk, label, ""))
            i += 2
            continue
        if is_label(line):
            heading = _sub_heading(chunk.section, line.rstrip(":"))
            i += 1
            continue
        sentences = _split_sentences(line)
        about: frozenset[str] = frozenset()
        row = _row_head(line) if len(sentences) > 1 else ""
        for n, sentence in enumerate(sentences):
            # "Die oproep beschikte over 2 miljoen euro" is about the call named before it
            about = call_numbers(sentence) or about
            unit = _unit(sentence, chunk, heading, "")
            if n and row:
                # a table row's later sentence ("Maximale EU-subsidie: 50.000 euro") is about
                # what its first cell names: searched by those words too, quoted as it stands
                unit = replace(unit, terms=unit.terms | frozenset(analyse(row)))
            units.append(replace(unit, about=about, paragraph=i))
        following = next((x for x in lines[i + 1 :] if x), "")
        if is_item(following) and sentences[-1].endswith(":"):
            lead = sentences[-1]
            units.pop()  # the lead-in is quoted with its list
        i += 1
    return [u for u in units if len(u.text) >= 3]


_CALL_NUMBER = re.compile(r"\b(?:oproep|call|topic)\s+(\d{1,4})\b", re.IGNORECASE)


def call_numbers(text: str) -> frozenset[str]:
    """The numbers of the calls a text names ("oproep 65", "call 3")."""
    return frozenset(_CALL_NUMBER.findall(text))


_ITEM = re.compile(r"^(?:- |\d{1,2}[.)] )")


def is_item(line: str) -> bool:
    """A list item line: "- …" or a numbered step "1. …"."""
    return bool(_ITEM.match(line))


def _list_items(lines: Sequence[str], start: int) -> tuple[list[str], int]:
    """The items of a list from `start`, across blank lines; a line right under an item that
    is no item itself ("- Helpdesk" / "E-mail: …") belongs to that item. Returns the items and
    the index after the list."""
    items: list[str] = []
    i = start
    while i < len(lines):
        line = lines[i]
        if is_item(line):
            items.append(_ITEM.sub("", line, count=1).strip().rstrip(";,."))
        elif line and items and lines[i - 1]:
            items[-1] = f"{items[-1]}: {line.rstrip(';,.')}"
        elif line:
            break
        i += 1
    return items, i


def _sub_heading(section: str, label: str) -> str:
    """The heading of text under a label line inside a chunk of section `section`."""
    if " · " in section or not section:
        return label
    return section if section.endswith(label) else f"{section} › {label}"


def item_head(item: str, limit: int = 12) -> str:
    """The naming part of a list item: before its first colon or dash explanation, or its
    first words ("Doelstelling 2 – Innovatie: de capaciteit …" → "Doelstelling 2 – Innovatie")."""
    head = re.split(r":\s|\s[–-]\s(?=[a-z])", item, maxsplit=1)[0].strip()
    if words(head) > limit:
        head = " ".join(head.split()[:limit]) + " …"
    return head


def _short_line_run(lines: Sequence[str], start: int) -> list[str]:
    """Consecutive short lines of one paragraph without sentence punctuation."""
    run: list[str] = []
    for line in lines[start:]:
        if not line or is_item(line) or words(line) > 12 or re.search(r"[.!?:]$", line):
            break
        run.append(line)
    return run


# A table row as the loader writes it: "Vorm: Jean Monnet-leerstoel; Wat? …; Budget: …"
_ROW = re.compile(r"^([^:;.!?]{1,40}:\s[^;.!?]{1,80});\s(?=.*?:\s)")


def _row_head(line: str) -> str:
    """The first field of a line of a table's labelled cells ("Vorm: Jean Monnet-leerstoel"):
    what the row is about; "" for any other line."""
    match = _ROW.match(line)
    return match.group(1) if match else ""


def _mostly_fields(run: Sequence[str]) -> bool:
    """Whether most lines of a run are fields with their value ("Deadline: 4 maart 2026"): a
    table of fields, each quotable alone, not an address that reads as one block."""
    return sum(bool(_FIELD.search(line)) for line in run) * 2 > len(run)


_FIELD = re.compile(r":\s+\S")


def _unit(piece: str, chunk: Chunk, heading: str, context: str, listed: int = -1) -> Unit:
    piece = piece.strip()
    if words(piece) > _UNIT_MAX_WORDS:
        piece = " ".join(piece.split()[:_UNIT_MAX_WORDS]) + " …"
    terms = frozenset(analyse(f"{heading} {context} {piece}"))
    # an item's lead-in ("De procedure verloopt in drie stappen:") is the heading it stands under
    section = f"{heading} › {context.rstrip(':')}" if context else heading
    return Unit(
        piece, chunk, terms, section, listed, lead_in=context.strip() if listed >= 0 else ""
    )


def is_label(line: str) -> bool:
    """A heading or field label line; a longer line ending in ':' leads into a list instead,
    and a line with text after a colon is a field with its value ("E-mail: …")."""
    if is_item(line) or re.search(r"[.;!]$", line) or _FIELD.search(line):
        return False
    return words(line) <= (2 if line.endswith(":") else 6)


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9À-Ý\"'(])")
# Abbreviations whose full stop ends no sentence: "tel. 02 …", "max. 5 partners", "bv. De …".
_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:tel|nr|nrs|bv|bijv|vb|art|blz|pp?|ca|max|min|incl|excl|resp|vs|approx"
    r"|fig|dr|prof|mr|mrs|st|e\.g|i\.e|o\.a|m\.a\.w|z\.o\.z)\.$",
    re.IGNORECASE,
)


def _split_sentences(line: str) -> list[str]:
    sentences: list[str] = []
    for piece in _SENTENCE_BREAK.split(line):
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        elif piece.strip():
            sentences.append(piece)
    return sentences


def words(text: str) -> int:
    return len(text.split())
