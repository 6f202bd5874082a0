"""What the web app shows, as HTML and Markdown: the sources panel with its highlighted quote
and document links, and the Triage screen's table rows, labels and row detail. Pure functions
of the answers and triage results (no Gradio, no state), so they are tested without a server."""

# Like webapp.py, no `from __future__ import annotations`: Gradio reads evaluated type hints
# from the functions webapp.py wires in.

import html
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote as url_quote

from assistant import prompts
from assistant.limits import clean_text
from assistant.types import Citation

if TYPE_CHECKING:
    from assistant.triage import Triage

LANGUAGE = "nl"  # the language of the web page itself; answers follow the question's language

SNIPPET_CONTEXT_CHARS = 220  # passage text shown on either side of the quoted sentence


# The app serves corpus file F at /bron/F; the sources link to it relatively, so a proxy's path
# prefix is kept.
DOCUMENT_ROUTE = "bron"


# Long names are cut in the triage table (the row's detail has them whole).
TABLE_NAME_CHARS = 70


TABLE_QUESTION_CHARS = 90


_JOINER = re.compile(r"[\s,;.:·\-–—]*")


_SENTENCE_START = re.compile(r"(?<=[.!?])\s+|\n+")


# The fields of a triaged question's detail, in the order of "ui_triage_detail_fields".
_DETAIL_FIELDS = (
    "programme", "action", "call_code", "document", "organisation", "handled", "managed_by",
    "contact", "urgency", "confidence", "candidates", "question", "draft",
)  # fmt: skip


def sources_html(
    citations: Sequence[Citation], language: str = LANGUAGE, id_prefix: str = "bron"
) -> str:
    """The sources panel: per citation [n], title, section, file, the passage with the quoted
    sentence marked (once), and a link to the document: its web address where it has one,
    else the app's read-only copy (`document_link`). Every text from the documents is escaped;
    `id_prefix` keeps the items' ids apart when two panels share a page."""
    if not citations:
        return _panel(f"<p>{escaped(prompts.text('ui_no_sources', language))}</p>", language)
    items = []
    for c in citations:
        details = [
            f"{escaped(prompts.text('ui_file', language))}: <code>{escaped(c.source)}</code>"
        ]
        if c.section:
            details.insert(
                0, f"{escaped(prompts.text('ui_section', language))}: {escaped(c.section)}"
            )
        if c.url and re.match(r"https?://", c.url, re.IGNORECASE):
            href, label = c.url, prompts.text("ui_open_source", language)
        else:
            href, label = document_link(c.source), prompts.text("ui_open_document", language)
        items.append(
            f'<li id="{escaped(id_prefix)}-{c.n}" class="source" style="margin:0 0 1em 0; '
            "padding:0.6em 0.8em; border:1px solid var(--border-color-primary, #ddd); "
            'border-radius:8px;">'
            f'<div class="source-title"><strong>[{c.n}] {escaped(c.title)}</strong></div>'
            f'<div class="source-meta" style="font-size:0.85em; opacity:0.8;">'
            f"{' · '.join(details)}</div>"
            '<blockquote class="source-passage" style="white-space:pre-line; margin:0.5em 0; '
            'padding-left:0.7em; border-left:3px solid var(--color-accent, #f97316);">'
            f"{highlighted_snippet(c.passage, c.quote)}</blockquote>"
            f'<div><a class="source-link" href="{escaped(href)}" target="_blank" '
            f'rel="noopener noreferrer">{escaped(label)}</a></div></li>'
        )
    return _panel(
        f'<ol style="list-style:none; padding:0; margin:0;">{"".join(items)}</ol>', language
    )


def document_link(source: str) -> str:
    """The link (relative to the app's page) under which the app serves corpus file `source`."""
    return f"{DOCUMENT_ROUTE}/{url_quote(source)}"


def waiting_html(language: str = LANGUAGE) -> str:
    """The sources panel before the first answer."""
    return _panel(f"<p>{escaped(prompts.text('ui_sources_waiting', language))}</p>", language)


def _panel(body: str, language: str) -> str:
    heading = escaped(prompts.text("sources", language))
    return f'<div class="sources-panel"><h3 style="margin-top:0;">{heading}</h3>{body}</div>'


def escaped(value: str) -> str:
    return html.escape(value, quote=True)


def highlighted_snippet(passage: str, quote: str, context: int = SNIPPET_CONTEXT_CHARS) -> str:
    """The passage around the quote, HTML-escaped, with the quote (or its parts) in <mark>."""
    spans = _quote_spans(passage, quote)
    if not spans:
        # The quote is not in the passage, not even with other punctuation: show it marked,
        # then the passage's start.
        return f"<mark>{escaped(quote)}</mark>\n{escaped(_clip(passage, 0, 2 * context))}"
    start = max(0, spans[0][0] - context)
    end = min(len(passage), spans[-1][1] + context)
    if start > 0:  # start at a sentence or line if one begins in the context, else at a word
        sentence = _SENTENCE_START.search(passage, start, spans[0][0])
        space = passage.find(" ", start, spans[0][0])
        if sentence:
            start = sentence.end()
        elif space != -1:
            start = space + 1
    if end < len(passage):
        space = passage.rfind(" ", spans[-1][1], end)
        end = space if space != -1 else end
    parts = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        parts.append(escaped(passage[cursor:s]))
        parts.append(f"<mark>{escaped(passage[s:e])}</mark>")
        cursor = e
    parts.append(escaped(passage[cursor:end]))
    parts.append("…" if end < len(passage) else "")
    return "".join(parts)


def _quote_spans(passage: str, quote: str) -> list[tuple[int, int]]:
    """Where the quote stands in the passage; failing that, where each of its parts stands (a
    quoted field joins a label and its value with ', ')."""
    whole = _find_words(passage, quote, 0)
    if whole:
        return [whole]
    spans: list[tuple[int, int]] = []
    cursor = 0
    for part in re.split(r"[,;]\s+|\n+", quote):
        if len(part.strip()) < 3:
            continue
        span = _find_words(passage, part, cursor)
        if span:
            # Parts separated only by punctuation and white space are marked as one.
            if spans and _JOINER.fullmatch(passage, spans[-1][1], span[0]):
                spans[-1] = (spans[-1][0], span[1])
            else:
                spans.append(span)
            cursor = span[1]
    return spans


def _find_words(passage: str, text: str, start: int) -> tuple[int, int] | None:
    """Where `text`'s words stand in order in the passage, whatever punctuation and white space
    stand between them: the quote "Deadline: 11 september 2024" is the passage's field
    "Deadline\\n11 september 2024", not a line to show a second time. The quote's own
    punctuation at either end is marked with it where the passage has it too."""
    words = re.findall(r"\w+", text)
    if not words:
        return None
    pattern = r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words)
    found = re.compile(pattern).search(passage, start)
    if not found:
        return None
    begin, end = found.span()
    stripped = text.strip()
    lead = stripped[: len(stripped) - len(stripped.lstrip("\"'‘“([<*-"))]
    trail = stripped[len(stripped.rstrip("\"'’”)]>*.!?:;,")) :]
    if lead and passage[:begin].endswith(lead):
        begin -= len(lead)
    if trail and passage.startswith(trail, end):
        end += len(trail)
    elif not trail:  # a quote cut off inside a word ("… contactpunt: Crea") marks the word
        end += len(re.findall(r"^\w*", passage[end : end + 80])[0])
    return begin, end


def _clip(text: str, start: int, end: int) -> str:
    return text[start:end] + ("…" if end < len(text) else "")


def value_label(field: str, value: str, language: str = LANGUAGE) -> str:
    """A category or urgency value as the reader's language names it ("application" →
    "aanvraag", "closed" → "gesloten"); a value without a label is shown as it is."""
    try:
        return prompts.text(f"label_{field}_{value}", language)
    except KeyError:
        return value


def triaged_message(count: int, language: str = LANGUAGE) -> str:
    """'1 vraag getrieerd.', '3 vragen getrieerd.'"""
    key = "ui_triage_done_one" if count == 1 else "ui_triage_done"
    return prompts.text(key, language, count=count)


def labelled_summary(
    summary: Mapping[str, Mapping[str, int]], language: str = LANGUAGE
) -> dict[str, dict[str, int]]:
    """The batch summary with its category and urgency values in the reader's language."""
    labelled: dict[str, dict[str, int]] = {}
    for name, counts in summary.items():
        labelled[name] = {}
        for value, count in counts.items():
            label = value_label(name, value, language)
            labelled[name][label] = labelled[name].get(label, 0) + count
    return labelled


# What makes emphasis, links, images or code of text in the middle of a Markdown line.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]~])")


def md_text(text: str) -> str:
    """Free text (a reason, a path) shown literally in a Markdown message: on one line, its
    emphasis and link punctuation escaped, its HTML made entities."""
    one_line = " ".join(clean_text(text).split())
    return html.escape(_MARKDOWN_INLINE.sub(r"\\\1", one_line), quote=False)


def md_code(text: str) -> str:
    """A name the user chose (an uploaded file's) as a Markdown code span: shown exactly as it
    is, never a link, markup or HTML."""
    one_line = " ".join(clean_text(text).split())
    fence = "`" * (max((len(r) for r in re.findall(r"`+", one_line)), default=0) + 1)
    return f"{fence} {one_line} {fence}" if "`" in one_line else f"{fence}{one_line}{fence}"


def triage_row(result: "Triage", language: str = LANGUAGE) -> list[str]:
    """A triaged question's row in the table (columns "ui_triage_columns"): the key fields,
    short; the draft reply and the contact are in the row's detail."""
    routing = result.routing
    return [
        result.id,
        shortened(result.programme or "—", TABLE_NAME_CHARS),
        value_label("category", result.category, language),
        shortened(routing.organisation or "—", TABLE_NAME_CHARS),
        value_label("urgency", result.urgency, language),
        result.deadline.isoformat() if result.deadline else "",
        _yes_no(routing.handled_by_helpdesk, language),
        _number(result.confidence, language),
        shortened(" ".join(result.question.split()), TABLE_QUESTION_CHARS),
    ]


def triage_detail_html(result: "Triage", language: str = LANGUAGE) -> str:
    """A triaged question in full, shown below the table when its row is selected: the key
    fields, the contact as the document writes it (its own line breaks and separators), the
    candidates when it is ambiguous, the question, and the draft reply with its sources."""
    names = prompts.text("ui_triage_detail_fields", language).split("|")
    label = {f: n[:1].upper() + n[1:] for f, n in zip(_DETAIL_FIELDS, names, strict=True)}
    routing = result.routing
    urgency = value_label("urgency", result.urgency, language)
    if result.deadline:
        urgency += f" (deadline {prompts.format_date(result.deadline, language)})"
    document = f"{result.title} ({result.source})" if result.title else result.source
    managed_by = routing.managed_by if routing.managed_by != routing.organisation else None
    fields = [
        ("programme", result.programme),
        ("action", result.action),
        ("call_code", result.call_code),
        ("document", document),
        ("organisation", routing.organisation),
        ("handled", _yes_no(routing.handled_by_helpdesk, language)),
        ("managed_by", managed_by),
        ("contact", routing.contact),
        ("urgency", urgency),
        ("confidence", _number(result.confidence, language)),
    ]
    rows = "".join(
        f'<dt style="font-weight:600;">{escaped(label[name])}</dt>'
        f'<dd class="triage-{name.replace("_", "-")}" style="margin:0; white-space:pre-line;">'
        f"{escaped(value)}</dd>"
        for name, value in fields
        if value
    )
    candidates = ""
    if result.ambiguous:
        entries = "".join(f"<li>{escaped(c)}</li>" for c in result.candidates)
        candidates = (
            f'<div class="triage-candidates"><h4>{escaped(label["candidates"])}</h4>'
            f"<p>{escaped(prompts.text('ui_triage_ambiguous', language))}</p>"
            f"<ul>{entries}</ul></div>"
        )
    title = prompts.text("ui_triage_detail_title", language, id=result.id)
    return (
        '<div class="triage-detail" style="display:grid; gap:1.5em; '
        'grid-template-columns:minmax(0, 3fr) minmax(0, 2fr);"><div>'
        f'<h3 style="margin-top:0;">{escaped(title)}</h3>'
        '<dl style="display:grid; grid-template-columns:max-content 1fr; gap:0.3em 1em; '
        f'margin:0 0 1em 0;">{rows}</dl>{candidates}'
        f"<h4>{escaped(label['question'])}</h4>"
        '<blockquote class="triage-question" style="white-space:pre-line; margin:0 0 1em 0; '
        'padding-left:0.7em; border-left:3px solid var(--border-color-primary, #ddd);">'
        f"{escaped(result.question)}</blockquote>"
        f"<h4>{escaped(label['draft'])}</h4>"
        '<div class="triage-draft" style="white-space:pre-line;">'
        f"{escaped(result.answer.text)}</div>"
        f"</div><div>{sources_html(result.answer.citations, language, 'triage-bron')}</div></div>"
    )


def triage_waiting_html(language: str = LANGUAGE) -> str:
    """The detail area before a row is selected."""
    return f"<p>{escaped(prompts.text('ui_triage_detail_waiting', language))}</p>"


def _yes_no(value: bool, language: str) -> str:
    return prompts.text("label_yes" if value else "label_no", language)


def _number(value: float, language: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if language == "nl" else text


def shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
