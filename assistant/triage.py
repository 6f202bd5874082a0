"""Help-desk triage: for one incoming question, the programme and call it is about, its kind,
the organisation that handles it and how to reach it, how urgent it is, how sure the
assistant is, and a draft reply with sources. Everything about organisations comes from the
documents' own management and contact text, so a new document routes without code changes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.answering import Evidence
from assistant.lexical import analyse
from assistant.metadata import organisations_in
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.types import Answer, DocumentHit, Turn

URGENCIES = ("high", "normal", "closed", "unknown")
# Summary dimensions: the attribute of a Triage each one counts.
SUMMARY_FIELDS = ("programme", "organisation", "category", "urgency")

_CONTACT_LINE = re.compile(r"@|https?://|www\.|\b(?:\+32|0\d{1,3})[ /.]?\d{2,3}[ .]?\d{2}")


@dataclass(frozen=True)
class Routing:
    """Where a question goes: the organisation, its contact details, and who manages the call."""

    organisation: str | None
    contact: str | None
    managed_by: str | None
    handled_by_helpdesk: bool


@dataclass(frozen=True)
class Triage:
    """The help desk's view of one question."""

    id: str
    question: str
    language: str
    category: str
    programme: str | None
    action: str | None
    call_code: str | None
    title: str | None
    source: str | None
    routing: Routing
    urgency: str
    deadline: date | None
    confidence: float
    candidates: tuple[str, ...]  # plausible programmes when the question is ambiguous
    answer: Answer
    sources: tuple[str, ...] = field(default=())

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    @property
    def organisation(self) -> str | None:
        return self.routing.organisation


def triage(
    assistant: Assistant,
    settings: Settings,
    question: str,
    history: Sequence[Turn] = (),
    today: date | None = None,
    item_id: str = "",
) -> Triage:
    """Triage one question: answer it, then route it by what its best document says."""
    today = today or date.today()
    answer, evidence = assistant.composer.respond(question, history, today)
    top = evidence.documents[0] if evidence.documents and not evidence.unknown else None
    meta: Mapping[str, Any] = top.hits[0].chunk.metadata if top else {}
    split = assistant.retriever.lexical.split  # "jeugdhuis" → "jeugd", "huis"
    routing = route(meta, question, settings.helpdesk_organisation, split) if top else _no_routing()
    if top is not None and routing.contact is None and routing.organisation:
        routing = _with_details(routing, assistant, top.source)
    urgency, deadline = urgency_of(str(meta.get("deadlines", "")), today, settings.urgent_days)
    confidence, candidates = _confidence(assistant, evidence, settings.ambiguity_ratio)
    cited = tuple(dict.fromkeys(c.source for c in answer.citations))
    return Triage(
        id=item_id,
        question=question,
        language=answer.language,
        category=answer.kind,
        programme=_text(meta.get("programme")),
        action=_text(meta.get("action")),
        call_code=_text(meta.get("call_code")),
        title=top.title if top else None,
        source=top.source if top else None,
        routing=routing,
        urgency=urgency,
        deadline=deadline,
        confidence=confidence,
        candidates=candidates,
        answer=answer,
        sources=cited,
    )


def route(
    meta: Mapping[str, Any],
    question: str,
    helpdesk: str,
    split: Callable[[str], list[str]] | None = None,
) -> Routing:
    """The organisation a question about this document goes to.

    The document's Flemish contact point takes the question, unless that contact point is the
    help desk itself while the document names another manager (an action the national agency
    does not handle, "EACEA (niet Epos)"): then the manager does. Where a document lists an
    organisation per sector ("Epos vzw (school…); JINT vzw (jeugd)"), the question's words pick.
    """
    managed = _pick(_text(meta.get("handling_organisation")), question, split)
    contact = _text(meta.get("contact"))
    point = _pick(organisations_in(contact) if contact else None, question, split)
    organisation: str | None = managed
    details: str | None = None
    if point and not (_names(point, helpdesk) and managed and not _names(managed, helpdesk)):
        organisation, details = point, contact
    handled = bool(organisation) and _names(organisation or "", helpdesk)
    return Routing(organisation, details, managed, handled)


def urgency_of(deadlines: str, today: date, urgent_days: int) -> tuple[str, date | None]:
    """'high' when the next deadline is within `urgent_days`, 'normal' when later, 'closed'
    when every deadline has passed, 'unknown' without one; and the deadline it is about."""
    dates = sorted(date.fromisoformat(d) for d in deadlines.split(",") if d.strip())
    if not dates:
        return "unknown", None
    upcoming = [d for d in dates if d >= today]
    if not upcoming:
        return "closed", dates[-1]
    next_deadline = upcoming[0]
    return ("high" if (next_deadline - today).days <= urgent_days else "normal"), next_deadline


def summarise(results: Iterable[Triage]) -> dict[str, dict[str, int]]:
    """Counts per programme, organisation, category and urgency, most frequent first."""
    items = list(results)
    summary: dict[str, dict[str, int]] = {}
    for name in SUMMARY_FIELDS:
        counts = Counter(str(getattr(t, name) or "—") for t in items)
        summary[name] = dict(counts.most_common())
    return summary


def _confidence(
    assistant: Assistant, evidence: Evidence, ratio: float
) -> tuple[float, tuple[str, ...]]:
    """How sure the routing is (0..1), and the plausible programmes when it is not.

    A question that names its call (a code, a programme's own word) or continues a
    conversation about it is routed with confidence; one that names nothing leans on retrieval
    alone, and when documents of other programmes score nearly as well, they are candidates.
    """
    documents = evidence.documents
    if not documents or evidence.unknown:
        return 0.0, ()
    top = documents[0]
    retriever = assistant.retriever
    named = retriever.named_documents(evidence.query) | set(evidence.topic)
    programme = _programme_of(top)
    rivals = [d for d in documents[1:] if _programme_of(d) != programme]
    margin = 1.0 - (rivals[0].score / top.score if rivals and top.score > 0 else 0.0)
    confidence = (0.6 if top.source in named else 0.2) + 0.4 * min(1.0, max(0.0, margin) / 0.2)
    close = [d for d in rivals if top.score > 0 and d.score >= ratio * top.score]
    if top.source in named or not close:
        return round(confidence, 2), ()
    candidates = [programme or top.title, *(_programme_of(d) or d.title for d in close)]
    return round(confidence, 2), tuple(dict.fromkeys(candidates))


def _programme_of(document: DocumentHit) -> str | None:
    return _text(document.hits[0].chunk.metadata.get("programme"))


def _pick(
    organisations: str | None, question: str, split: Callable[[str], list[str]] | None = None
) -> str | None:
    """One organisation of a list "A (school, volwassenen); B (jeugd)": the one whose sector
    words the question uses, else the first."""
    if not organisations:
        return None
    parts = [p.strip() for p in organisations.split(";") if p.strip()]
    if len(parts) < 2:
        return organisations
    asked = set(analyse(question, split))
    best, best_overlap = parts[0], 0
    for part in parts:
        sector = " ".join(re.findall(r"\(([^)]*)\)", part))
        overlap = len(set(analyse(sector)) & asked)
        if overlap > best_overlap:
            best, best_overlap = part, overlap
    return best


def _names(organisation: str, name: str) -> bool:
    return bool(name) and name.casefold() in organisation.casefold()


def _with_details(routing: Routing, assistant: Assistant, source: str) -> Routing:
    """Contact details for an organisation that is not the document's contact point: the
    document's lines that name it with an address, e-mail, phone or web address."""
    organisation = routing.organisation or ""
    acronym = re.search(r"\(([A-Z]{2,})\)|\b([A-Z]{4,})\b", organisation)
    key = next((g for g in acronym.groups() if g), "") if acronym else organisation[:30]
    lines: list[str] = []
    for chunk in assistant.retriever.chunks_of(source):
        for line in chunk.text.splitlines():
            line = line.strip().removeprefix("- ")
            if key and key in line and (_CONTACT_LINE.search(line) or "contact" in line.lower()):
                lines.append(line)
    details = "\n".join(dict.fromkeys(lines)) or None
    return Routing(routing.organisation, details, routing.managed_by, routing.handled_by_helpdesk)


def _no_routing() -> Routing:
    return Routing(None, None, None, False)


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None
