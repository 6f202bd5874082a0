"""Help-desk triage: for one incoming question, the programme and call it is about, its kind,
the organisation that handles it and how to reach it, how urgent it is, how sure the
assistant is, and a draft reply with sources. Everything about organisations comes from the
documents' own management and contact text, so a new document routes without code changes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answering import Evidence
from assistant.metadata import (
    contact_entries,
    is_portal_call,
    listed_organisations,
    organisation_name,
    organisations_in,
    sector_organisation,
)
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.types import Answer, DocumentHit, Turn

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from assistant.retrieval import HybridRetriever

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
    candidates: tuple[str, ...]  # "programme → organisation" of each plausible programme
    answer: Answer
    sources: tuple[str, ...] = ()

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
    answer, evidence = assistant.respond(question, history, today)
    top = evidence.documents[0] if evidence.documents and not evidence.unknown else None
    meta: Mapping[str, Any] = top.hits[0].chunk.metadata if top else {}
    split = evidence.retriever.lexical.split  # "jeugdhuis" → "jeugd", "huis"
    routing = route(meta, question, settings.helpdesk_organisation, split) if top else _no_routing()
    if top is not None and routing.contact is None and routing.organisation:
        routing = _with_details(routing, evidence.retriever, top.source)
    urgency, deadline = urgency_of(str(meta.get("deadlines", "")), today, settings.urgent_days)
    confidence, close = _confidence(evidence, settings.ambiguity_ratio)
    candidates = (
        _candidates(top, routing, close, question, settings.helpdesk_organisation, split)
        if top
        else ()
    )
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

    The document's Flemish contact point takes the question, unless the document says the
    Commission manages the call itself ("Deze actie wordt centraal beheerd", "Epos beheert deze
    actie niet": its contact points then serve other strands or only inform), or the contact
    point is the help desk itself while the document names another manager ("EACEA (niet
    Epos)"): then the manager does. A call with a Funding & Tenders identifier that the help
    desk would take goes to the Commission body the document names. Where a document lists an
    organisation per sector ("Epos vzw (school…); JINT vzw (jeugd)"), the question's words pick.
    The organisation is a name in the document's own words, never a sentence of advice: one the
    contact text only names in a sentence ("Voor vragen kun je terecht bij het team X van Y")
    counts too.
    """
    # metadata of an older index may hold a sentence where a name belongs
    managed = _pick(organisation_name(_text(meta.get("handling_organisation"))), question, split)
    contact = _text(meta.get("contact"))
    point = _pick(organisations_in(contact) if contact else None, question, split)
    organisation: str | None = managed
    details: str | None = None
    central = bool(meta.get("managed_centrally")) and bool(managed)
    foreign = managed and not _names(managed, helpdesk)
    if point and not central and not (_names(point, helpdesk) and foreign):
        organisation, details = point, _paragraph_of(contact or "", point)
    commission = _text(meta.get("commission_body"))
    if (
        organisation
        and _names(organisation, helpdesk)
        and commission
        and is_portal_call(_text(meta.get("call_code")))
    ):
        # a call of the Commission's own portal ("ERASMUS-EDU-2024-PEX-COVE") is not the
        # national agency's to handle, even where the page lists it as the contact point
        organisation, details = commission, None
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


def _confidence(evidence: Evidence, ratio: float) -> tuple[float, list[DocumentHit]]:
    """How sure the routing is (0..1), and the best documents of other programmes that are
    plausible too when it is not.

    A question that names its call (a code, a programme's own word) or continues a
    conversation about it is routed with confidence; one that names nothing leans on retrieval
    alone, and when documents of other programmes score nearly as well, they are candidates.
    """
    documents = evidence.documents
    if not documents or evidence.unknown:
        return 0.0, []
    top = documents[0]
    named = evidence.retriever.named_documents(evidence.query) | set(evidence.topic)
    programme = _programme_of(top)
    rivals = [d for d in documents[1:] if _programme_of(d) != programme]
    margin = 1.0 - (rivals[0].score / top.score if rivals and top.score > 0 else 0.0)
    confidence = (0.6 if top.source in named else 0.2) + 0.4 * min(1.0, max(0.0, margin) / 0.2)
    if top.source in named:
        return round(confidence, 2), []
    close: dict[str | None, DocumentHit] = {}
    for document in rivals:
        if top.score > 0 and document.score >= ratio * top.score:
            close.setdefault(_programme_of(document), document)
    return round(confidence, 2), list(close.values())


def _candidates(
    top: DocumentHit,
    routing: Routing,
    close: Sequence[DocumentHit],
    question: str,
    helpdesk: str,
    split: Callable[[str], list[str]] | None,
) -> tuple[str, ...]:
    """'Programme → organisation' for the best document (already routed) and each plausible
    rival."""
    if not close:
        return ()
    lines = [f"{_programme_of(top) or top.title} → {routing.organisation or '?'}"]
    for document in close:
        meta = document.hits[0].chunk.metadata
        organisation = route(meta, question, helpdesk, split).organisation or "?"
        lines.append(f"{_programme_of(document) or document.title} → {organisation}")
    return tuple(dict.fromkeys(lines))


def _programme_of(document: DocumentHit) -> str | None:
    return _text(document.hits[0].chunk.metadata.get("programme"))


def _pick(
    organisations: str | None, question: str, split: Callable[[str], list[str]] | None = None
) -> str | None:
    """One organisation of a list "A (school, volwassenen); B (jeugd)": the one whose sector
    words the question uses, else the first."""
    parts = listed_organisations(organisations)
    return sector_organisation(organisations, question, split) or (parts[0] if parts else None)


def _paragraph_of(block: str, organisation: str) -> str:
    """The entries of a contact block about one organisation (a block may list one per
    sector; a PDF gives each line of an address a paragraph, one entry holds them all); the
    whole block when none names it apart."""
    name = re.split(r"\s[(–-]|,", organisation, maxsplit=1)[0].strip()
    entries = contact_entries(block)
    own = [entry for entry in entries if name and name in entry]
    return "\n\n".join(own) if own and len(own) < len(entries) else block


_NEGATED = re.compile(r"\((?:niet|not)\b[^)]*\)|\b(?:niet|not)\s+(?:bij\s+|via\s+|by\s+)?\S+", re.I)


def _names(organisation: str, name: str) -> bool:
    """Whether an organisation text names `name`, not counting "EACEA (niet Epos)"."""
    return bool(name) and name.casefold() in _NEGATED.sub(" ", organisation).casefold()


def _with_details(routing: Routing, retriever: HybridRetriever, source: str) -> Routing:
    """Contact details for an organisation that is not the document's contact point: the
    document's lines that name it with an address, e-mail, phone or web address."""
    organisation = routing.organisation or ""
    acronym = re.search(r"\(([A-Z]{2,})\)|\b([A-Z]{4,})\b", organisation)
    key = next((g for g in acronym.groups() if g), "") if acronym else organisation[:30]
    lines: list[str] = []
    for chunk in retriever.chunks_of(source):
        for line in chunk.text.splitlines():
            line = line.strip().removeprefix("- ")
            if key and key in line and (_CONTACT_LINE.search(line) or "contact" in line.lower()):
                lines.append(line)
    return replace(routing, contact="\n".join(dict.fromkeys(lines)) or None)


def _no_routing() -> Routing:
    return Routing(None, None, None, False)


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def write_summary_chart(
    summary: Mapping[str, Mapping[str, int]],
    path: Path,
    titles: Mapping[str, str] | None = None,
    axis_label: str | None = None,
) -> None:
    """The batch summary as bar charts (PNG): questions per programme, organisation, category
    and urgency. `titles` names each chart (key: the dimension) and `axis_label` the count
    axis in the reader's language; the summary's values are drawn as given."""
    import matplotlib.pyplot as plt

    figure = summary_figure(summary, titles, axis_label)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def summary_figure(
    summary: Mapping[str, Mapping[str, int]],
    titles: Mapping[str, str] | None = None,
    axis_label: str | None = None,
) -> Figure:
    """The summary's bar charts as a matplotlib Figure (the caller closes it); counts are
    whole questions, so the count axis has whole-number ticks only."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    titles = titles or {}
    figure, axes = plt.subplots(2, 2, figsize=(13, 9))
    for axis, name in zip(axes.flat, SUMMARY_FIELDS, strict=True):
        counts = summary.get(name, {})
        labels = [_short(label) for label in counts]
        axis.barh(labels[::-1], list(counts.values())[::-1])
        axis.set_title(titles.get(name, f"questions per {name}"))
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        if axis_label:
            axis.set_xlabel(axis_label, fontsize=9)
        axis.tick_params(axis="y", labelsize=8)
    figure.tight_layout()
    return figure


def summary_markdown(
    summary: Mapping[str, Mapping[str, int]], labels: Mapping[str, str] | None = None
) -> str:
    """The batch summary as Markdown tables, one per dimension; `labels` names the dimensions
    and the count column (key "count") in the reader's language."""
    labels = labels or {}
    count = labels.get("count", "questions")
    lines: list[str] = []
    for name in SUMMARY_FIELDS:
        lines += [f"| {labels.get(name, name)} | {count} |", "|---|---|"]
        lines += [f"| {label} | {count} |" for label, count in summary.get(name, {}).items()]
        lines.append("")
    return "\n".join(lines)


def _short(label: str, limit: int = 45) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def triage_all(
    assistant: Assistant,
    settings: Settings,
    items: Iterable[tuple[str, str, Sequence[Turn]]],
    today: date | None = None,
    progress: Callable[[], None] | None = None,
) -> list[Triage]:
    """Triage a batch of (id, question, history), in order."""
    results = []
    for item_id, question, history in items:
        results.append(triage(assistant, settings, question, history, today, item_id))
        if progress is not None:
            progress()
    return results


def triage_payload(result: Triage) -> dict[str, Any]:
    """One triage result as a JSON object (the CLI's --json and the web app's API)."""
    from assistant.service import answer_payload

    routing = result.routing
    return {
        "id": result.id,
        "question": result.question,
        "language": result.language,
        "category": result.category,
        "programme": result.programme,
        "action": result.action,
        "call_code": result.call_code,
        "document": result.title,
        "file": result.source,
        "organisation": routing.organisation,
        "contact": routing.contact,
        "managed_by": routing.managed_by,
        "handled_by_helpdesk": routing.handled_by_helpdesk,
        "urgency": result.urgency,
        "deadline": result.deadline.isoformat() if result.deadline else None,
        "confidence": result.confidence,
        "ambiguous": result.ambiguous,
        "candidates": list(result.candidates),
        "draft_reply": answer_payload(result.answer),
        "sources": list(result.sources),
    }
