"""Section-aware splitting of documents into chunks under a token budget."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import tiktoken

from assistant.tokens import count_tokens
from assistant.types import Chunk, Document, Section

# A section shorter than this is merged with its neighbours: a lone "Deadline: 5 maart" is a
# field, not a passage, and reads better (and ranks better) beside the fields around it.
_SMALL_SECTION_TOKENS = 40
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[A-Z0-9À-Ý•\-(\"'])")


@dataclass(frozen=True)
class _Piece:
    section: str
    text: str
    tokens: int


def split_document(
    document: Document, encoding: tiktoken.Encoding, budget: int, overlap: int = 0
) -> list[Chunk]:
    """Cut a document into chunks of at most `budget` tokens, each within one section or a run
    of small whole sections. Text is never dropped: what does not fit is split, not cut."""
    pieces: list[_Piece] = []
    for section in document.sections:
        pieces.extend(_split_section(section, encoding, budget, overlap))
    merged = _merge_small(pieces, encoding, budget)
    return _to_chunks(document, merged)


def _section_body(section: Section) -> str:
    return section.text.strip()


def _split_section(
    section: Section, encoding: tiktoken.Encoding, budget: int, overlap: int
) -> Iterator[_Piece]:
    body = _section_body(section)
    if not body:
        return
    tokens = count_tokens(body, encoding)
    if tokens <= budget:
        yield _Piece(section.heading, body, tokens)
        return
    units = _units(body, encoding, budget)
    current: list[str] = []
    current_tokens = 0
    while units:
        unit, unit_tokens = units.pop(0)
        if current and current_tokens + unit_tokens > budget:
            carried = _open_list(current) if _is_item(unit) else 0
            items = _items_of(unit)
            if carried and len(items) > 1:
                # a list written as one paragraph does not fit after its lead-in: go on item
                # by item, so that "… de volgende soorten activiteiten:" keeps its first items
                units[:0] = [(item, count_tokens(item, encoding)) for item in items]
                continue
            carried_tokens = sum(count_tokens(u, encoding) for u in current[-carried:] or [])
            if 0 < carried < len(current) and carried_tokens + unit_tokens <= budget:
                # a list the next unit continues goes on whole, with its lead-in, rather than
                # leaving "… in drie stappen:" and its first step behind in this piece
                kept = current[:-carried]
                yield _Piece(section.heading, "\n\n".join(kept), current_tokens - carried_tokens)
                current, current_tokens = current[-carried:], carried_tokens
            else:
                yield _Piece(section.heading, "\n\n".join(current), current_tokens)
                current, current_tokens = _overlap_tail(current, encoding, overlap)
                if current_tokens + unit_tokens > budget:
                    current, current_tokens = [], 0
        current.append(unit)
        current_tokens += unit_tokens
    if current:
        yield _Piece(section.heading, "\n\n".join(current), current_tokens)


_ITEM = re.compile(r"^(?:- |\d{1,2}[.)] )")


def _is_item(paragraph: str) -> bool:
    return bool(_ITEM.match(paragraph))


def _items_of(paragraph: str) -> list[str]:
    """The items of a list paragraph, each with the lines under it that are no item."""
    items: list[str] = []
    for line in paragraph.splitlines():
        if _is_item(line.strip()) or not items:
            items.append(line)
        else:
            items[-1] = f"{items[-1]}\n{line}"
    return items


def _open_list(current: list[str]) -> int:
    """How many paragraphs at the end of `current` are a lead-in ("…:") and the list items
    after it; 0 when `current` does not end so."""
    n = 0
    while n < len(current) and _is_item(current[-1 - n]):
        n += 1
    if n < len(current) and current[-1 - n].rstrip().endswith(":"):
        return n + 1
    return 0


def _units(body: str, encoding: tiktoken.Encoding, budget: int) -> list[tuple[str, int]]:
    """Paragraphs, or the lines of a paragraph that is over budget, or sentences of a line that
    is over budget, or token windows of a sentence that is still over budget; each with its
    token count."""
    units: list[tuple[str, int]] = []
    for paragraph in re.split(r"\n\s*\n", body):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        tokens = count_tokens(paragraph, encoding)
        if tokens <= budget:
            units.append((paragraph, tokens))
            continue
        for line in (x.strip() for x in paragraph.splitlines() if x.strip()):
            # a line (a list item, a field) stays whole when it fits; else its sentences
            line_tokens = count_tokens(line, encoding)
            if line_tokens <= budget:
                units.append((line, line_tokens))
                continue
            for sentence in _sentences(line):
                sentence_tokens = count_tokens(sentence, encoding)
                if sentence_tokens <= budget:
                    units.append((sentence, sentence_tokens))
                else:
                    units.extend(_token_windows(sentence, encoding, budget))
    return units


def _sentences(paragraph: str) -> list[str]:
    lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
    sentences: list[str] = []
    for line in lines:
        pieces = [s for s in _SENTENCE_END.split(line) if s.strip()]
        if len(pieces) > 1 and re.fullmatch(r"\d{1,2}[.)]", pieces[0]):
            # "1. Korte aanvraag: …" is a numbered step, not a sentence "1." and the rest
            pieces[:2] = [f"{pieces[0]} {pieces[1]}"]
        sentences.extend(pieces)
    return sentences


def _token_windows(text: str, encoding: tiktoken.Encoding, budget: int) -> list[tuple[str, int]]:
    """Runs of whole words under the budget (a single word over it is cut by tokens)."""
    windows: list[tuple[str, int]] = []
    words: list[str] = []
    for word in text.split():
        candidate = " ".join([*words, word])
        if count_tokens(candidate, encoding) <= budget:
            words.append(word)
            continue
        if words:
            joined = " ".join(words)
            windows.append((joined, count_tokens(joined, encoding)))
        words = [word]
        if count_tokens(word, encoding) > budget:
            ids = encoding.encode(word, disallowed_special=())
            windows.extend(
                (encoding.decode(ids[i : i + budget]), len(ids[i : i + budget]))
                for i in range(0, len(ids), budget)
            )
            words = []
    if words:
        joined = " ".join(words)
        windows.append((joined, count_tokens(joined, encoding)))
    return windows


def _overlap_tail(
    units: list[str], encoding: tiktoken.Encoding, overlap: int
) -> tuple[list[str], int]:
    """The last sentence of the previous piece, when it fits the overlap budget."""
    if overlap <= 0 or not units:
        return [], 0
    last = _sentences(units[-1])[-1:] if units[-1] else []
    if not last:
        return [], 0
    tokens = count_tokens(last[0], encoding)
    return ([last[0]], tokens) if tokens <= overlap else ([], 0)


def _merge_small(pieces: list[_Piece], encoding: tiktoken.Encoding, budget: int) -> list[_Piece]:
    """Join runs of small consecutive sections into one piece that keeps their headings."""
    merged: list[_Piece] = []
    for piece in pieces:
        previous = merged[-1] if merged else None
        mergeable = (
            previous is not None
            and previous.section != piece.section
            and (previous.tokens < _SMALL_SECTION_TOKENS or piece.tokens < _SMALL_SECTION_TOKENS)
            and _same_block(previous.section, piece.section)
        )
        if previous is not None and mergeable:
            text = f"{_labelled(previous)}\n\n{_labelled(piece)}"
            tokens = count_tokens(text, encoding)
            if tokens <= budget:
                merged[-1] = _Piece(_join_headings(previous.section, piece.section), text, tokens)
                continue
        merged.append(piece)
    return merged


def _same_block(first: str, second: str) -> bool:
    """Sections under the same parent heading (or both top level) may share a chunk."""
    return _parent(first) == _parent(second)


def _parent(heading: str) -> str:
    return heading.rsplit(" › ", 1)[0] if " › " in heading else ""


def _leaf(heading: str) -> str:
    return heading.rsplit(" › ", 1)[-1]


def _labelled(piece: _Piece) -> str:
    """The piece's text under its own heading, unless that heading is already in the text."""
    leaf = _leaf(piece.section)
    if not leaf or " · " in leaf or piece.text.startswith(leaf):  # a merge holds its labels
        return piece.text
    return f"{leaf}\n{piece.text}"


def _join_headings(first: str, second: str) -> str:
    if not first:
        return second
    if not second:
        return first
    parent = _parent(second)
    prefix = f"{parent} › " if parent else ""
    first_leaves = first[len(prefix) :] if parent and first.startswith(prefix) else first
    return f"{prefix}{first_leaves} · {_leaf(second)}"


def _to_chunks(document: Document, pieces: list[_Piece]) -> list[Chunk]:
    metadata = chunk_metadata(document)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for position, piece in enumerate(pieces):
        base = _content_hash(document.source, piece.section, piece.text, metadata)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        chunk_id = base if occurrence == 0 else f"{base}-{occurrence}"
        chunks.append(
            Chunk(
                id=chunk_id,
                source=document.source,
                title=document.title,
                section=piece.section,
                text=piece.text,
                position=position,
                tokens=piece.tokens,
                metadata=metadata,
            )
        )
    return chunks


def _content_hash(source: str, section: str, text: str, metadata: Mapping[str, object]) -> str:
    """The chunk id: it changes with anything stored about the chunk, so a re-index that finds
    the same id has nothing to write."""
    fields = json.dumps(metadata, sort_keys=True, ensure_ascii=False)
    payload = "\x00".join((source, section, text, fields))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def chunk_metadata(document: Document) -> dict[str, str | int | float | bool]:
    """The document's metadata as flat values a Chroma record can hold (no None)."""
    meta = document.metadata
    values: dict[str, str | int | float | bool] = {
        "file_hash": document.file_hash,
        "programme": meta.programme or "",
        "action": meta.action or "",
        "call_code": meta.call_code or "",
        "deadline": meta.deadline.isoformat() if meta.deadline else "",
        "deadlines": ",".join(d.isoformat() for d in meta.deadlines),
        "handling_organisation": meta.handling_organisation or "",
        "contact": meta.contact or "",
        "managed_centrally": meta.managed_centrally,
        "commission_body": meta.commission_body or "",
        "source_url": meta.source_url or "",
        "language": meta.language,
    }
    return values
