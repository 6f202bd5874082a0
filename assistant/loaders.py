"""Load corpus files (.txt, .md, .html, .pdf) into documents cut into headed sections."""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import lxml.html
import pypdf
import trafilatura
import yaml
from lxml import etree
from pypdf.errors import PyPdfError

from assistant.errors import DocumentLoadError
from assistant.metadata import (
    HEADING_SEPARATOR,
    OPENING_LABELS,
    extract_metadata,
    parse_dutch_dates,
    section_label,
    with_sibling_programmes,
)
from assistant.types import Document, LoadFailure, Section

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".pdf"})

# File signatures of common binary formats, so a picture renamed to .txt is called what it is.
_BINARY_SIGNATURES = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"PK\x03\x04", b"%PDF-", b"\x1f\x8b",
    b"\xd0\xcf\x11\xe0", b"\x7fELF",
)  # fmt: skip
# A bullet as typed, or as a PDF made by a word processor gives it: a glyph of its symbol
# font in Unicode's private use area ("\uf0b7"), or a square or arrow, often without a space.
_BULLET = re.compile(r"^\s*(?:[•◦▪●‣∙·*+-]\s+|[\uf0a7\uf0b7\uf076\uf0d8\uf0fc■□➢►▶✓✔❖]\s*)")
_URL_OR_MAIL = re.compile(r"https?://|www\.|@")
_MAX_HEADING_CHARS = 70
_MAX_HEADING_WORDS = 10
_LONG_PARAGRAPH = 80
# Elements whose content is page furniture, never a field of the article.
_FURNITURE = frozenset(
    {"nav", "aside", "footer", "form", "script", "style", "noscript", "template", "button"}
)


@dataclass(frozen=True)
class _Parsed:
    """What a format reader found: the sections plus everything metadata is built from."""

    title: str
    sections: tuple[Section, ...]
    fields: tuple[tuple[str, str], ...] = ()
    front_matter: Mapping[str, Any] | None = None
    source_url: str | None = None
    language: str | None = None


# Characters of typeset text that are no letters of the words: a soft hyphen (HTML's &shy;,
# a word processor's optional break), zero-width spaces and joiners, and a byte order mark
# go; ligatures ("ﬁnanciering") are their letters, and the Unicode hyphens the ASCII one, so
# that a word is found, quoted and matched as it is typed.
_TYPOGRAPHIC = str.maketrans(
    {
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None,
        "\ufeff": None, "\u2010": "-", "\u2011": "-", "\ufb00": "ff", "\ufb01": "fi",
        "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
    }
)  # fmt: skip


def plain_letters(text: str) -> str:
    """Text without the typesetting characters of _TYPOGRAPHIC."""
    return text.translate(_TYPOGRAPHIC)


def _plain_parsed(parsed: _Parsed) -> _Parsed:
    return replace(
        parsed,
        title=plain_letters(parsed.title),
        sections=tuple(
            Section(heading=plain_letters(x.heading), text=plain_letters(x.text))
            for x in parsed.sections
        ),
        fields=tuple((plain_letters(k), plain_letters(v)) for k, v in parsed.fields),
    )


def load_document(path: Path, corpus_dir: Path) -> Document:
    """Read one corpus file into a `Document`.

    Raises `DocumentLoadError` saying why the file cannot be used (empty, binary, not UTF-8,
    a broken PDF, no text, unsupported type).
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentLoadError(f"unsupported file type {suffix or '(no extension)'}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentLoadError(f"file could not be read: {exc.strerror or exc}") from exc
    if not data:
        raise DocumentLoadError("file is empty")
    match suffix:
        case ".pdf":
            parsed = _read_pdf(data)
        case ".md":
            parsed = _read_markdown(_decode(data))
        case ".html" | ".htm":
            parsed = _read_html(data)
        case _:
            parsed = _read_plain_text(_decode(data))
    parsed = _plain_parsed(parsed)
    if not any(section.text.strip() for section in parsed.sections):
        raise DocumentLoadError("no text could be extracted")
    metadata = extract_metadata(
        parsed.sections,
        title=parsed.title or path.stem,
        fields=parsed.fields,
        front_matter=parsed.front_matter,
        source_url=parsed.source_url,
        language=parsed.language,
    )
    return Document(
        source=_source_name(path, corpus_dir),
        path=path,
        file_hash=hashlib.sha256(data).hexdigest(),
        metadata=metadata,
        sections=parsed.sections,
    )


def load_corpus(
    corpus_dir: Path,
    *,
    progress: Callable[[int], None] | None = None,
    max_bytes: int | None = None,
) -> tuple[list[Document], list[LoadFailure]]:
    """Load every file under `corpus_dir`; a file that cannot be loaded becomes a `LoadFailure`.

    Hidden files and folders and README files are skipped; `progress` is called with 1 after
    each file. A link to a file outside `corpus_dir`, and a file over `max_bytes`, are not read:
    they become failures marked `excluded`. Raises `DocumentLoadError` when `corpus_dir` is not
    a folder.
    """
    if not corpus_dir.is_dir():
        raise DocumentLoadError(f"corpus folder not found: {corpus_dir}")
    documents: list[Document] = []
    failures: list[LoadFailure] = []
    root = corpus_dir.resolve()
    files = _corpus_files(corpus_dir)
    # what each file is read as: a link to a file read under its own name would be read twice
    read_as = {path.resolve(): path for path in files if not path.is_symlink()}
    for path in files:
        excluded = _exclusion(path, root, max_bytes)
        target = path.resolve()
        if not excluded and read_as.setdefault(target, path) != path:
            excluded = (
                f"symbolic link to {read_as[target].relative_to(corpus_dir).as_posix()}, "
                "which is read under its own name"
            )
        if excluded:
            source = path.relative_to(corpus_dir).as_posix()
            failures.append(LoadFailure(source=source, reason=excluded, excluded=True))
        else:
            try:
                documents.append(load_document(path, corpus_dir))
            except DocumentLoadError as exc:
                source = _source_name(path, corpus_dir)
                failures.append(LoadFailure(source=source, reason=str(exc)))
        if progress:
            progress(1)
    filled = with_sibling_programmes([d.metadata for d in documents])
    return [replace(d, metadata=m) for d, m in zip(documents, filled, strict=True)], failures


def _exclusion(path: Path, root: Path, max_bytes: int | None) -> str | None:
    """Why a corpus file is not read at all, or None: a symbolic link that leads out of the
    corpus (the index would show a file nobody put in the corpus), or a file too large to index
    (one 20 MB text made every answer take 44 s)."""
    if not path.resolve().is_relative_to(root):
        return "symbolic link to a file outside the corpus folder (not followed)"
    if max_bytes is not None:
        try:
            size = path.stat().st_size
        except OSError:  # gone or unreadable: load_document says which
            return None
        if size > max_bytes:
            return (
                f"{size / 1e6:.1f} MB, over the size limit of {max_bytes / 1e6:.1f} MB "
                "(ASSISTANT_MAX_DOCUMENT_BYTES)"
            )
    return None


def count_corpus_files(corpus_dir: Path) -> int:
    """How many files `load_corpus` will read (for a progress bar); 0 for a missing folder."""
    return len(_corpus_files(corpus_dir)) if corpus_dir.is_dir() else 0


def _corpus_files(corpus_dir: Path) -> list[Path]:
    """The files of the corpus in path order, without hidden files and READMEs."""
    files = []
    for path in corpus_dir.rglob("*"):
        relative = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        name = path.name.lower()
        if name == "readme" or name.startswith("readme."):
            continue
        files.append(path)
    return sorted(files, key=lambda p: p.relative_to(corpus_dir).as_posix())


def _source_name(path: Path, corpus_dir: Path) -> str:
    """The path relative to the corpus folder as a POSIX string (the file name if outside it)."""
    try:
        return path.resolve().relative_to(corpus_dir.resolve()).as_posix()
    except ValueError:
        return path.name


def _decode(data: bytes) -> str:
    """File bytes as text with Unix line ends; raises for binary or non-UTF-8 content."""
    if data.startswith(_BINARY_SIGNATURES) or b"\x00" in data[:8192]:
        raise DocumentLoadError("binary file")
    offset = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        position = offset + exc.start
        raise DocumentLoadError(
            f"not UTF-8 text (invalid byte 0x{data[position]:02x} at position {position})"
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")


# --- plain text (.txt, and the text of PDF pages) -------------------------------------------


def _read_plain_text(text: str) -> _Parsed:
    """Sections of a plain-text document whose headings are short label lines."""
    return _plain_sections(_paragraphs(text))


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, bullets written as "- ", surrounding space removed."""
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [_BULLET.sub("- ", line).strip() for line in block.splitlines()]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


def _heading_shaped(paragraph: str) -> bool:
    """Whether a paragraph looks like a heading: one short line, no sentence, field or date."""
    if "\n" in paragraph or paragraph.startswith("- ") or ": " in paragraph:
        return False
    if not 2 <= len(paragraph) <= _MAX_HEADING_CHARS or paragraph[-1] in ".;,:!":
        return False
    if not paragraph[0].isupper() or len(paragraph.split()) > _MAX_HEADING_WORDS:
        return False
    return not _URL_OR_MAIL.search(paragraph) and not parse_dutch_dates(paragraph)


def _label(paragraph: str) -> str | None:
    """The known section label a heading-shaped paragraph is, if any."""
    return section_label(paragraph) if _heading_shaped(paragraph) else None


def _content_kind(paragraph: str) -> str:
    """ "bullet_label" for a short one-line bullet that introduces a value ("- Projecttype")."""
    short = "\n" not in paragraph and len(paragraph) <= 60 and paragraph[-1] not in ".;,:!"
    return "bullet_label" if paragraph.startswith("- ") and short else "text"


def _classify(paragraph: str, following: str | None, previous: str, seen: set[str]) -> str:
    """Whether a paragraph starts a programme block, is a section heading, or is content."""
    if previous == "heading":
        return "content"  # the value after a label may itself be a short line ("11 mei 2024")
    label = _label(paragraph)
    if not label and _heading_shaped(paragraph) and following and previous != "bullet_label":
        # A title-like line followed by an opening label, or by a label this scope already
        # used, starts a new block such as the programme description after the call.
        next_label = _label(following)
        if next_label and (next_label in OPENING_LABELS or next_label in seen):
            return "block"
    if label:
        return "heading"
    if previous == "bullet_label":
        return "content"  # the value of "- Projecttype"
    # "Kernactie 3 – ondersteuning van …" is an item with its description, not a heading.
    if _heading_shaped(paragraph) and following and not re.search(r" [–-] [a-z]", paragraph):
        if following.startswith("- ") or "\n" in following or following.endswith(":"):
            return "heading"
        if len(following) >= _LONG_PARAGRAPH:
            return "heading"
    return "content"


def _plain_sections(paragraphs: list[str]) -> _Parsed:
    """Cut paragraphs into sections; a programme block's sections get the block as path prefix."""
    title = ""
    if paragraphs and "\n" not in paragraphs[0] and not _label(paragraphs[0]):
        title = paragraphs.pop(0)
    sections: list[Section] = []
    block = heading = ""
    body: list[str] = []
    seen: set[str] = set()
    previous = "text"
    for index, paragraph in enumerate(paragraphs):
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        kind = _classify(paragraph, following, previous, seen)
        if kind in ("block", "heading"):
            _flush(sections, _path(block, heading), body)
            if kind == "block":
                block, heading, seen = paragraph, "", set()
            else:
                heading = paragraph
                seen.add(section_label(paragraph) or paragraph.lower())
            previous = kind
        else:
            body.append(paragraph)
            previous = _content_kind(paragraph)
    _flush(sections, _path(block, heading), body)
    return _Parsed(title=title, sections=tuple(sections))


def _path(*headings: str) -> str:
    """A heading path such as "Erasmus+ Onderwijs en Opleiding › Budget"."""
    return HEADING_SEPARATOR.join(h for h in headings if h)


def _flush(sections: list[Section], heading: str, body: list[str]) -> None:
    """Append the collected paragraphs as one section and empty `body`."""
    text = _join_paragraphs(body)
    if text:
        sections.append(Section(heading=heading, text=text))
    body.clear()


def _join_paragraphs(paragraphs: Sequence[str]) -> str:
    """Paragraphs separated by blank lines; consecutive bullets kept as one list."""
    text = ""
    for paragraph in paragraphs:
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        both_bullets = text.rsplit("\n", 1)[-1].startswith("- ") and paragraph.startswith("- ")
        separator = "\n" if both_bullets else "\n\n"
        text = f"{text}{separator}{paragraph}" if text else paragraph
    return text


# --- markdown --------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(?P<text>[^*_].*?)\1\s*$")
_MD_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_MD_TABLE_SEPARATOR = re.compile(r"^\|?[\s:|-]*-{3,}[\s:|-]*$")
_BOLD_LEVEL = 7  # a bold-only label line nests under any markdown heading


def _read_markdown(text: str) -> _Parsed:
    """Sections of a markdown document; YAML front matter becomes metadata."""
    front_matter, text = _split_front_matter(text)
    title, sections = _outline(_markdown_blocks(text))
    return _Parsed(title=title, sections=sections, front_matter=front_matter)


def _markdown_blocks(text: str) -> Iterator[tuple[int, str]]:
    """(level, heading) for `#` headings and bold-only lines, (0, paragraph) for the rest."""
    paragraph: list[str] = []
    table: list[str] = []
    in_fence = False

    def finished() -> Iterator[tuple[int, str]]:
        paragraph.extend(_markdown_table(table))
        table.clear()
        if paragraph:
            yield 0, "\n".join(paragraph)
        paragraph.clear()

    for line in text.split("\n"):
        heading = _MD_HEADING.match(line)
        bold = _MD_BOLD_LINE.match(line)
        if line.strip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif in_fence:
            paragraph.append(line.rstrip())
        elif heading:
            yield from finished()
            yield len(heading[1]), _strip_markdown(heading[2])
        elif bold and len(bold["text"]) <= _MAX_HEADING_CHARS and not bold["text"].endswith("."):
            yield from finished()
            yield _BOLD_LEVEL, _strip_markdown(bold["text"]).rstrip(":").strip()
        elif line.lstrip().startswith("|"):
            if paragraph and not table:
                yield from finished()
            table.append(line.strip())
        elif not line.strip() or _MD_RULE.match(line):
            yield from finished()
        else:
            if table:
                yield from finished()
            paragraph.append(_strip_markdown(_BULLET.sub("- ", line.strip())))
    yield from finished()


def _outline(blocks: Iterable[tuple[int, str]]) -> tuple[str, tuple[Section, ...]]:
    """The title and the sections of (level, text) blocks; level 0 is body text.

    A heading opens a path under the open headings of a higher level (h2 › h3 › h4). A first
    level-1 heading before any other heading is the document's title, not part of any path.
    """
    title = ""
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    body: list[str] = []
    for level, text in blocks:
        if not text:
            continue
        if not level:
            body.append(text)
            continue
        _flush(sections, _path(*(h for _, h in stack)), body)
        if level == 1 and not title and not stack and not sections:
            title = text
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, text))
    _flush(sections, _path(*(h for _, h in stack)), body)
    return title, tuple(sections)


def _split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """YAML front matter between leading `---` lines, and the rest of the text."""
    match = re.match(r"\A\ufeff?---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", text, re.DOTALL)
    if not match:
        return None, text
    try:
        data = yaml.safe_load(match[1])
    except yaml.YAMLError as exc:
        raise DocumentLoadError(f"invalid YAML front matter: {exc}") from exc
    if data is not None and not isinstance(data, dict):
        raise DocumentLoadError("invalid YAML front matter: not a mapping of fields")
    return {str(k): v for k, v in (data or {}).items()}, text[match.end() :]


def _strip_markdown(text: str) -> str:
    """Inline markdown markup removed: emphasis, links, images, code."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!|>])", r"\1", text)


def _markdown_table(rows: list[str]) -> list[str]:
    """Table rows as text lines (see `_table_lines`); the row above the separator is the header."""
    header: list[str] = []
    body: list[list[str]] = []
    for index, row in enumerate(rows):
        if _MD_TABLE_SEPARATOR.match(row):
            continue
        cells = [_strip_markdown(cell.strip()) for cell in row.strip().strip("|").split("|")]
        if index + 1 < len(rows) and _MD_TABLE_SEPARATOR.match(rows[index + 1]) and not body:
            header = cells
        else:
            body.append(cells)
    return _table_lines(header, body)


def _table_lines(header: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    """A table as text lines a reader can quote one at a time. Under a header of three columns
    or more, each row names its columns ("Topic: X; Budget: EUR 15 000 000; Deadline: 16 april
    2026"), as a row quoted alone must still say which number is the budget; the header's
    currency goes onto the amounts ("Budget (EUR)" → "Budget", "EUR 15 000 000"). A row of two
    cells reads as a labelled field; any other row as its cells between bars. A table of two
    columns is a list of fields ("Stap | Datum" over "Indienen | 4 maart 2026"): its header
    line would stand before the first field as if it were its label, so it is left out (its
    currency still goes onto the amounts), unless it is a field itself ("Deadline | 4 maart")."""
    columns = [_column_label(cell) for cell in header]
    labelled = len(header) >= 3 and all(len(cells) == len(header) for cells in body)
    fields = len(header) == 2 and all(len(cells) == 2 for cells in body)
    if fields and _is_field(header):
        header, columns, body = [], [], [header, *body]
    elif fields:
        in_euro = columns[1][1]
        body = [[label, _with_currency(value, in_euro)] for label, value in body]
    lines = [] if labelled or fields or not header else [" | ".join(c for c in header if c)]
    for cells in body:
        if labelled:
            line = ""
            for (label, in_euro), value in zip(columns, cells, strict=True):
                if not value:
                    continue
                joiner = " " if label.endswith("?") else ": "
                field = f"{label}{joiner}{_with_currency(value, in_euro)}" if label else value
                # a cell that ends its own sentence needs no semicolon after it
                line += (" " if line.endswith((".", "!", "?")) else "; ") * bool(line) + field
            lines.append(line)
        else:
            lines.extend(_row_text([cell for cell in cells if cell]))
    return [line for line in lines if line]


_CURRENCY_IN_LABEL = re.compile(
    r"\s*(?:\((?:euro|EUR|€)\)|\bin (?:euro|EUR|€)(?!\w))\s*", re.IGNORECASE
)


def _column_label(cell: str) -> tuple[str, bool]:
    """A header cell as a label, and whether it gives its column's numbers a currency."""
    match = _CURRENCY_IN_LABEL.search(cell)
    if not match:
        return cell.rstrip(":").strip(), False
    label = f"{cell[: match.start()]} {cell[match.end() :]}".strip().rstrip(":")
    return re.sub(r"\s+", " ", label), True


def _with_currency(value: str, in_euro: bool) -> str:
    """A cell's number with its column's currency, unless it writes one of its own."""
    if in_euro and re.fullmatch(r"[\d.,\s]*\d[\d.,\s]*", value):
        return f"EUR {value}"
    return value


def _is_field(cells: Sequence[str]) -> bool:
    """Whether a two-cell header row holds a value instead of column names: a number, or
    more words than a column name has."""
    return any(re.search(r"\d", cell) or len(cell.split()) > 4 for cell in cells)


def _row_text(cells: Sequence[str]) -> list[str]:
    """One table row as a line; two cells read as a labelled field."""
    if not cells:
        return []
    if len(cells) == 2:
        label = cells[0]
        joiner = " " if label.endswith((":", "?")) else ": "
        return [f"{label}{joiner}{cells[1]}"]
    return [" | ".join(cells)]


# --- HTML ------------------------------------------------------------------------------------


def _read_html(data: bytes) -> _Parsed:
    """Sections of a saved web page: trafilatura for the article, lxml for its labelled fields."""
    text = _decode(data)
    try:
        page = lxml.html.fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError) as exc:
        raise DocumentLoadError(f"HTML could not be parsed: {exc}") from exc
    extracted = trafilatura.extract(
        text,
        output_format="xml",
        include_formatting=True,
        include_tables=True,
        include_links=False,
        include_comments=False,
        include_images=False,
    )
    if not extracted:
        raise DocumentLoadError("no text could be extracted")
    article = etree.fromstring(extracted.encode("utf-8"))
    main = article.find("main")
    first_heading, sections = _outline(_xml_blocks(main if main is not None else article))
    fields = _structure_fields(_content_root(page))
    body = _squash(" ".join(s.heading + " " + s.text for s in sections))
    # trafilatura drops labelled fields that are not paragraphs (a "Deadline" label element,
    # a definition list above the article); keep them as sections of their own.
    missing: list[Section] = []
    for label, value in fields:
        if _squash(value) not in body and all(s.heading != label for s in missing):
            missing.append(Section(heading=label, text=value))
    description = _meta(page, "description")
    if description:
        fields.append(("description", description))
    return _Parsed(
        title=_page_title(page) or first_heading,
        sections=(*missing, *sections),
        fields=tuple(fields),
        source_url=_canonical_url(page),
        language=page.get("lang") or None,
    )


def _squash(text: str) -> str:
    """Text with all whitespace runs made one space, for containment checks."""
    return re.sub(r"\s+", " ", text).strip()


def _element_text(element: Any) -> str:
    """The visible text of an lxml element, whitespace collapsed."""
    return _squash(element.text_content())


def _content_root(page: Any) -> Any:
    """The element holding the article: `<main><article>`, `<article>`, `<main>` or `<body>`."""
    for xpath in ("//main//article", "//article", "//main", "//body"):
        found = page.xpath(xpath)
        if found:
            return found[0]
    return page


def _is_furniture(element: Any) -> bool:
    """Whether an element sits in navigation, a sidebar, a footer or a form."""
    node = element
    while node is not None:
        if isinstance(node.tag, str) and node.tag.lower() in _FURNITURE:
            return True
        node = node.getparent()
    return False


def _structure_fields(root: Any) -> list[tuple[str, str]]:
    """(label, value) pairs from definition lists, label elements, row headers and bold labels."""
    pairs: list[tuple[str, str]] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or _is_furniture(element):
            continue
        pair = _field_pair(element)
        if pair and pair[0] and pair[1]:
            pairs.append(pair)
    return pairs


def _field_pair(element: Any) -> tuple[str, str] | None:
    """The (label, value) an element starts, if it is a label."""
    tag = element.tag.lower()
    following = element.getnext()
    classes = (element.get("class") or "").split()
    if tag == "dt":
        if following is not None and following.tag == "dd":
            return _element_text(element), _element_text(following)
    elif tag == "th" and following is not None and following.tag == "td":
        return _element_text(element), _element_text(following)
    elif any(c == "label" or c.endswith(("__label", "-label", "_label")) for c in classes):
        if following is not None and isinstance(following.tag, str):
            return _element_text(element), _element_text(following)
    elif tag in ("strong", "b") and _element_text(element).endswith(":"):
        parts = [element.tail or ""]
        while following is not None and following.tag not in ("br", "strong", "b"):
            parts += [following.text_content(), following.tail or ""]
            following = following.getnext()
        return _element_text(element).rstrip(":").strip(), _squash(" ".join(parts))
    return None


def _meta(page: Any, name: str) -> str | None:
    """The content of `<meta name=…>` or `<meta property=…>`."""
    for xpath in (f"//meta[@name='{name}']/@content", f"//meta[@property='{name}']/@content"):
        values = page.xpath(xpath)
        if values and values[0].strip():
            return str(values[0]).strip()
    return None


def _page_title(page: Any) -> str:
    """The article's `<h1>`, else `og:title`, else `<title>` without the site name."""
    for heading in _content_root(page).iter("h1"):
        if _element_text(heading):
            return _element_text(heading)
    og_title = _meta(page, "og:title")
    if og_title:
        return og_title
    titles = page.xpath("//title")
    if titles:
        return _element_text(titles[0]).split(" | ")[0].strip()
    return ""


def _canonical_url(page: Any) -> str | None:
    """The page's own address: `<link rel=canonical>` or the `og:url` meta tag."""
    for href in page.xpath("//link[@rel='canonical']/@href"):
        if str(href).startswith(("http://", "https://")):
            return str(href)
    og_url = _meta(page, "og:url")
    return og_url if og_url and og_url.startswith(("http://", "https://")) else None


def _inline_text(element: Any) -> str:
    """Text of a trafilatura element; `<lb/>` becomes a line break, nested lists are skipped."""
    return "\n".join(_text_runs(element)[::2])


def _text_runs(element: Any) -> list[str]:
    """An element's text split at its nested lists: [text, list, text, list, …, text], each
    list rendered as lines, so a list inside a list item keeps its place in the item."""
    runs: list[str] = []
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag == "list":
            runs += [_clean_lines("".join(parts)), _list_text(child)]
            parts = []
        elif child.tag == "lb":
            parts.append("\n")
        else:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    runs.append(_clean_lines("".join(parts)))
    return runs


def _clean_lines(text: str) -> str:
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _list_text(element: Any) -> str:
    """A trafilatura list as "- item" lines; definition lists as "- term: description"."""
    rend = element.get("rend", "")
    lines: list[str] = []
    items = list(element.iterchildren("item"))
    if rend == "dl":
        term = ""
        for item in items:
            kind = item.get("rend", "")
            if kind.startswith("dt"):
                term = _inline_text(item)
            elif term:
                joiner = " " if term.endswith(("?", ":")) else ": "
                lines.append(f"- {term}{joiner}{_inline_text(item)}")
                term = ""
            else:
                lines.append(f"- {_inline_text(item)}")
        return "\n".join(lines)
    for number, item in enumerate(items, start=1):
        marker = f"{number}." if rend == "ol" else "-"
        first, *rest = _text_runs(item)
        if first:
            lines.append(f"{marker} {first}")
        lines.extend(rest)  # nested lists and the text after them, in the item's order
    return "\n".join(line for line in lines if line)


def _table_text(element: Any) -> str:
    """A trafilatura table as one line per row (see `_table_lines`); a first row of header
    cells is the header."""
    rows = [list(row.iterchildren("cell")) for row in element.iter("row")]
    texts = [[_inline_text(cell).replace("\n", " ").strip() for cell in row] for row in rows]
    has_header = bool(rows) and bool(rows[0]) and all(c.get("role") == "head" for c in rows[0])
    if not has_header:
        return "\n".join(_table_lines([], texts))
    header, body = _spanned_header(texts[0], texts[1:])
    return "\n".join(_table_lines(header, body))


def _spanned_header(header: list[str], body: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """A header over two rows, as portal pages give a budget per year: a cell spanning columns
    ("Budget (EUR)", the columns after it left empty) over a row that names them ("2026",
    "2027") and leaves the other columns empty. Each spanned column gets both names ("Budget
    (EUR) 2026"), and the naming row is no row of data."""
    if not body or len(body[0]) != len(header):
        return header, body
    owner = list(range(len(header)))  # the column whose cell spans this one
    for i in range(1, len(header)):
        if not header[i] and header[owner[i - 1]]:
            owner[i] = owner[i - 1]
    spanned = {i for i, o in enumerate(owner) if owner.count(o) > 1}
    names = body[0]
    # the naming row leaves the columns no cell spans empty; with no such column ("Topic"
    # over the whole table) the row below is the first row of data
    if (
        len(spanned) == len(header)
        or not any(names[i] for i in spanned)
        or any(name and i not in spanned for i, name in enumerate(names))
    ):
        return header, body
    merged = [
        f"{header[owner[i]]} {names[i]}".strip() if i in spanned else cell
        for i, cell in enumerate(header)
    ]
    return merged, body[1:]


def _xml_blocks(main: Any) -> Iterator[tuple[int, str]]:
    """(heading level, text) for headings and (0, text) for paragraphs, lists and tables."""
    if main.text and main.text.strip():
        yield 0, main.text.strip()
    for child in main:
        if child.tag == "head":
            rend = child.get("rend", "h2")
            level = int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 2
            yield level, _inline_text(child).replace("\n", " ")
        elif child.tag == "list":
            yield 0, _list_text(child)
        elif child.tag == "table":
            yield 0, _table_text(child)
        elif isinstance(child.tag, str):
            yield 0, _inline_text(child)
        if child.tail and child.tail.strip():
            yield 0, child.tail.strip()


# --- PDF -------------------------------------------------------------------------------------

# "3", "- 3 -", "p. 4", "blz. 4", "pagina 2/4", "Pagina 3 van 7", "Page 2 of 5".
_PAGE_NUMBER = re.compile(
    r"^(?:(?:pagina|page|blz\.?|p\.)\s*)?[-–—]?\s*\d{1,3}\s*"
    r"(?:(?:/|van|of)\s*\d{1,3})?\s*[-–—]?$",
    re.IGNORECASE,
)
_EDGE_LINES = 3  # running headers and footers sit within this many lines of a page's edge
# A word cut at the line end ("subsidie-") and the start of the line that continues it.
_HYPHENATED_END = re.compile(r"[^\W_]-$")
_WORD_START = re.compile(r"^[^\W_]")
# "beroeps- en volwassenenonderwijs": the hyphen stands for a left-out word part and stays.
_ELLIPTIC_CONTINUATION = re.compile(r"^(?:en|of|tot|and|or)\b")
_WRAPPED_LINE = 50  # characters: a shorter paragraph ends where its text ends
_AT_MARGIN = 0.9  # of the document's full line length: slack for letters of different widths
# A list item ("- …", "2. …") or a field ("E-mail: …", "Budget: …") starts a line of its own;
# a label has no comma, so "Erasmus+, maar werkt met dezelfde logica: …" is prose.
_ITEM = re.compile(r"^(?:- |\d{1,2}[.)] )")
_ITEM_OR_FIELD = re.compile(rf"{_ITEM.pattern}|^[^\s:,][^:,]{{0,40}}:\s")
_SENTENCE_END = ".:;!?"
# Words no line of text ends on unless it was wrapped ("… en het" / "Europees Erfgoedlabel").
_FUNCTION_WORDS = frozenset(
    "de het een en of van voor in op met aan bij tot uit om over door naar als die dat zoals"
    " te the a an and or of for in on with to by from as that".split()
)


def _read_pdf(data: bytes) -> _Parsed:
    """Sections of a PDF: its pages without running headers and footers, headings as in text."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentLoadError("PDF could not be read: it is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        info_title = (reader.metadata.title if reader.metadata else None) or ""
    except DocumentLoadError:
        raise
    # pypdf reports broken structure through its own errors and, deeper down, plain ones.
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise DocumentLoadError(f"PDF could not be read: {exc or type(exc).__name__}") from exc
    page_lines = _without_page_furniture([_pdf_lines(page) for page in pages])
    margin = _margin([line for lines in page_lines for line in lines])
    paragraphs = _address_blocks(
        _join_across_pages(
            [_pdf_paragraphs(lines, margin) for lines in page_lines],
            [_ends_at_margin(a, b, margin) for a, b in pairwise(page_lines)],
        )
    )
    parsed = _plain_sections(paragraphs)
    if not parsed.title and info_title.strip():
        return _Parsed(title=info_title.strip(), sections=parsed.sections)
    return parsed


def _pdf_lines(text: str) -> list[str]:
    """The stripped lines of a page's extracted text; blank lines kept as paragraph breaks. A
    soft hyphen that ends a line marks a word cut there, as a hyphen does (the other soft
    hyphens go with the document's other typesetting characters, in `load_document`)."""
    text = text.replace("\r\n", "\n").replace("\u00a0", " ")
    return [line.strip() for line in re.sub("\u00ad[ \t]*\n", "-\n", text).split("\n")]


def _line_shape(line: str) -> str:
    """A line with its numbers masked, so "pagina 2/4" and "pagina 3/4" share one shape."""
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def _edge_positions(lines: Sequence[str]) -> set[int]:
    """Positions of the first and last few non-empty lines of a page."""
    filled = [index for index, line in enumerate(lines) if line]
    return {*filled[:_EDGE_LINES], *filled[-_EDGE_LINES:]}


def _running_shapes(pages: Sequence[Sequence[str]]) -> set[str]:
    """Shapes at a page edge on at least half of the pages, and on at least two."""
    counts: dict[str, int] = {}
    for lines in pages:
        for shape in {_line_shape(lines[index]) for index in _edge_positions(lines)}:
            counts[shape] = counts.get(shape, 0) + 1
    return {shape for shape, count in counts.items() if count >= 2 and 2 * count >= len(pages)}


def _without_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Pages without the running headers, footers and page numbers at their edges."""
    running = _running_shapes(pages)
    cleaned = []
    for lines in pages:
        edges = _edge_positions(lines)
        # Only edge lines can go, so body text that happens to repeat a header stays.
        cleaned.append(
            [
                line
                for index, line in enumerate(lines)
                if index not in edges or not _is_page_furniture(line, running)
            ]
        )
    return cleaned


def _is_page_furniture(line: str, running: set[str]) -> bool:
    """Whether an edge line is a page number or has the shape of a running header or footer."""
    if _PAGE_NUMBER.match(line):
        return True
    # A known section label that opens most pages (one call per page) is content, not furniture.
    return _line_shape(line) in running and not _label(line)


def _dehyphenated(left: str, right: str) -> str | None:
    """`left` and `right` as one line when `left` ends in a word cut by a hyphen, else None.

    The hyphen stays where it is part of the word ("EU-lidstaten", "KA2-projecten",
    "niet-EU") or stands for a left-out part ("beroeps- en …"); otherwise it goes.
    """
    if not _HYPHENATED_END.search(left) or not _WORD_START.match(right):
        return None
    if _ELLIPTIC_CONTINUATION.match(right):
        return f"{left} {right}"
    before = left[-2]
    if right[0].isupper() or right[0].isdigit() or before.isupper() or before.isdigit():
        return f"{left}{right}"
    return f"{left[:-1]}{right}"


def _pdf_paragraphs(lines: Sequence[str], margin: int) -> list[str]:
    """Paragraphs of a PDF page: every line stands alone unless it continues a wrapped sentence
    (`margin`: the length of the document's full lines)."""
    paragraphs: list[str] = []
    current = previous = ""
    for raw in lines:
        line = _BULLET.sub("- ", raw)
        if not line:
            if current:
                paragraphs.append(current)
            current = previous = ""
            continue
        joined = _dehyphenated(current, line) if current else None
        at_margin = _wrapped_before(previous, line, margin)
        wrapped = len(current) >= _WRAPPED_LINE and _goes_on(current, line, at_margin)
        previous = line
        if joined:
            current = joined
        elif current and wrapped:
            current = f"{current} {line}"
        else:
            if current:
                paragraphs.append(current)
            current = line
    if current:
        paragraphs.append(current)
    return paragraphs


# An address's lines: a street and number ("Leuvenseweg 38", "… 35 bus 12", "… 3B"), a postcode
# and town ("1000 Brussel"), a phone number, an e-mail or web address.
_STREET = re.compile(r"\b\d{1,4}[A-Za-z]?(?:\s+bus\s+\d+)?$")
_POSTCODE_TOWN = re.compile(r"^(?:[A-Z]{1,2}-)?\d{4,5}\s+[A-ZÀ-Ý]")
_PHONE_NUMBER = re.compile(r"(?:\+\d{2}|\b0)\d{1,3}(?:[ /.]?\d{2,3}){2,3}\b")
_ADDRESS_LINE = 45  # characters: an address line is short
_NAME_LINES = 3  # lines of name ("Departement Zorg – team …", "Ellipsgebouw") before an address


def _address_detail(paragraph: str) -> str:
    """What an address line is: "street", "reach" (postcode and town, phone, e-mail, web) or ""."""
    if "\n" in paragraph or len(paragraph) > _MAX_HEADING_CHARS:
        return ""
    if _URL_OR_MAIL.search(paragraph) or _PHONE_NUMBER.search(paragraph):
        return "reach"
    if len(paragraph) > _ADDRESS_LINE or paragraph.startswith("- "):
        return ""
    if _POSTCODE_TOWN.match(paragraph):
        return "reach"
    return "street" if _STREET.search(paragraph) else ""


def _name_line(paragraph: str) -> bool:
    """A short line that can name whom an address is of: no sentence, list item or field."""
    return (
        "\n" not in paragraph
        and len(paragraph) <= _MAX_HEADING_CHARS
        and paragraph[-1] not in _SENTENCE_END
        and not paragraph.startswith("- ")
        and ": " not in paragraph
        and not _label(paragraph)
    )


def _address_blocks(paragraphs: Sequence[str]) -> list[str]:
    """Paragraphs with each address block one paragraph of lines, as a text file has it: a PDF
    has no blank lines, so the lines of "Epos vzw / Koning Albert II-laan 15 / 1210 Brussel /
    02 553 97 31" each stood alone, and a quote or the contact details had only one of them.
    A block is a run of address lines with a postcode, phone, e-mail or web address among
    them, and the few name lines just before it."""
    details = [_address_detail(p) for p in paragraphs]
    result: list[str] = []
    index = 0
    while index < len(paragraphs):
        end = index
        while end < len(paragraphs) and details[end]:
            end += 1
        run = paragraphs[index:end]
        if "reach" not in details[index:end] or len(run) < 2:
            result.append(paragraphs[index])
            index += 1
            continue
        names: list[str] = []
        while result and len(names) < _NAME_LINES and _name_line(result[-1]):
            names.insert(0, result.pop())
        result.append("\n".join([*names, *run]))
        index = end
    return result


def _margin(lines: Sequence[str]) -> int:
    """The length in characters of a full line of the document: its text was wrapped there."""
    lengths = sorted(len(line) for line in lines if line)
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0


def _goes_on(current: str, line: str, at_margin: bool) -> bool:
    """Whether `line` goes on with the sentence that `current` leaves open. A line in lower case
    does. So does a name, a number or a bracket ("… zonder eerdere" / "Erasmus+-ervaring …",
    "… bedraagt maximaal" / "60.000 euro.") when the line before it ran to the right margin
    (`at_margin`) and ended on a word, a number or a comma ("… programmagids 2025" / "(hoofdstuk
    …)."), unless the line starts something of its own: a list item, a field ("E-mail: …"), a
    known section label, or after a list item a heading-shaped line — not after a comma or a
    word no line ends on ("… en het" / "Europees Erfgoedlabel"). A field's value wrapped at the
    margin goes on ("Contact: European Education and Culture Executive" / "Agency (EACEA)").
    After a colon or semicolon at the margin a line in lower case goes on ("… komen in
    aanmerking:" / "graduaatsopleidingen (korte cyclus), …"). A line that ends short of the
    margin ended its item or paragraph, even without a full stop."""
    if current[-1] in ":;" and at_margin and line[0].islower():
        return True
    if current[-1] in _SENTENCE_END:
        return False
    if line[0].islower():
        return True
    if not at_margin or not (current[-1].isalnum() or current[-1] == ","):
        return False
    if _ITEM_OR_FIELD.match(line) or _label(line):
        return False
    if current[-1] == "," or current.rsplit(None, 1)[-1].casefold() in _FUNCTION_WORDS:
        return True
    return not (_heading_shaped(line) and _ITEM.match(current))


def _wrapped_before(previous: str, line: str, margin: int) -> bool:
    """Whether the text was wrapped between two lines: the first word of `line` would not have
    fitted after `previous` within the document's full line length (with some slack, as
    letters differ in width)."""
    return bool(previous) and len(previous) + 1 + len(line.split()[0]) > _AT_MARGIN * margin


def _ends_at_margin(lines: Sequence[str], next_page: Sequence[str], margin: int) -> bool:
    """Whether a page's text was wrapped into the next page (see `_wrapped_before`)."""
    filled = [line for line in lines if line]
    following = [line for line in next_page if line]
    return bool(filled and following) and _wrapped_before(filled[-1], following[0], margin)


def _sentence_continues(last: str, first: str, at_margin: bool) -> bool:
    """Whether a page's first paragraph goes on with the sentence the previous page left open."""
    if not _goes_on(last, first, at_margin) or _label(last):
        return False
    # A label at a page's foot followed by a web address on the next is a field, not a sentence.
    return not _URL_OR_MAIL.search(first.split()[0])


def _join_across_pages(pages: Sequence[Sequence[str]], at_margin: Sequence[bool]) -> list[str]:
    """The paragraphs of all pages, a sentence broken over a page boundary made whole again
    (`at_margin`: whether each page's text was wrapped into the next page)."""
    paragraphs: list[str] = []
    for index, page in enumerate(pages):
        rest = list(page)
        if paragraphs and rest:
            last, first = paragraphs[-1], rest[0]
            joined = _dehyphenated(last, first)
            if not joined and _sentence_continues(last, first, at_margin[index - 1]):
                joined = f"{last} {first}"
            if joined:
                paragraphs[-1] = joined
                rest.pop(0)
        paragraphs.extend(rest)
    return paragraphs
