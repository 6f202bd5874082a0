"""Questions as they reach the help desk, and triage results as it takes them away: a CSV
file of questions, a folder of saved e-mails (.eml), and the triage CSV."""

from __future__ import annotations

import csv
import email
import io
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import EmailMessage
from pathlib import Path

from assistant import prompts
from assistant.errors import IntakeError
from assistant.limits import (
    Limits,
    Refusal,
    bounded,
    check_question,
    check_upload,
    clean_text,
    parse_history_json,
)
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.triage import Triage, triage
from assistant.types import Turn

log = logging.getLogger(__name__)

# Column names accepted for the question text and its id (Dutch or English, any case).
_QUESTION_COLUMNS = ("question", "vraag", "text", "tekst", "bericht", "message")
_ID_COLUMNS = ("id", "nr", "nummer", "number")
_HISTORY_COLUMNS = ("history", "geschiedenis")

OUTPUT_COLUMNS = (
    "id",
    "question",
    "language",
    "category",
    "programme",
    "action",
    "call_code",
    "document",
    "organisation",
    "contact",
    "handled_by_helpdesk",
    "urgency",
    "deadline",
    "confidence",
    "ambiguous",
    "candidates",
    "draft_reply",
    "sources",
)

# Where a reply's quoted original or a signature begins: everything from there on is left out.
_QUOTE_START = re.compile(
    r"^(?:op .{5,80} (?:schreef|heeft .* geschreven)|on .{5,80} wrote|le .{5,80} a écrit)\b.*:?\s*$"
    r"|^-{2,}\s*(?:original message|oorspronkelijk bericht|doorgestuurd bericht"
    r"|forwarded message)\s*-*\s*$"
    r"|^(?:van|from|verzonden|sent)\s*:\s",
    re.IGNORECASE,
)
_SIGNATURE_START = re.compile(
    r"^--\s*$|^(?:met )?(?:vriendelijke|beste|hartelijke) groet(?:en)?\b|^mvg\b|^groeten\b"
    r"|^(?:kind|best|warm) regards\b|^regards\b|^sent from my\b|^verzonden vanaf mijn\b",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|fw|fwd|antw|tr|doorst)\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class Incoming:
    """One incoming question: its id, its text and the conversation it continues."""

    id: str
    question: str
    history: tuple[Turn, ...] = ()


@dataclass(frozen=True)
class Problem:
    """An input that was skipped, and why."""

    where: str
    reason: str


def read_incoming(
    paths: Sequence[Path], limits: Limits | None = None, language: str = "en"
) -> tuple[list[Incoming], list[Problem]]:
    """Questions from CSV files, .eml files and folders of them, within `limits`: a file that
    cannot be read or is too large, a question that is too long and the questions beyond the
    batch limit are reported (in `language` where a limit says why) and skipped, the rest is
    kept."""
    limits = limits or Limits()
    items, problems = _read_paths(paths, limits, language)
    kept: list[Incoming] = []
    for item in items:
        try:
            kept.append(replace_question(item, check_question(item.question, limits)))
        except Refusal:
            reason = prompts.text(
                "skip_question_too_long",
                language,
                length=len(item.question),
                limit=limits.question_chars,
            )
            problems.append(Problem(item.id, reason))
    if len(kept) > limits.batch_questions:
        left_out = len(kept) - limits.batch_questions
        reason = prompts.text(
            "skip_batch_too_large", language, limit=limits.batch_questions, count=left_out
        )
        problems.append(Problem(kept[limits.batch_questions].id, reason))
        kept = kept[: limits.batch_questions]
    return kept, problems


def replace_question(item: Incoming, question: str) -> Incoming:
    """The item with its question text replaced (cleaned)."""
    return item if question == item.question else Incoming(item.id, question, item.history)


def _read_paths(
    paths: Sequence[Path], limits: Limits, language: str
) -> tuple[list[Incoming], list[Problem]]:
    items: list[Incoming] = []
    problems: list[Problem] = []
    for path in paths:
        name = clean_text(path.name)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".eml", ".csv"))
            if not files:
                where = clean_text(str(path))
                problems.append(Problem(where, "no .csv or .eml files in this folder"))
            found, trouble = _read_paths(files, limits, language)
            items += found
            problems += trouble
            continue
        if path.suffix.lower() not in (".eml", ".csv"):
            problems.append(Problem(name, "not a .csv or .eml file"))
            continue
        try:
            check_upload(path, limits, language)
            if path.suffix.lower() == ".eml":
                items.append(read_eml(path))
            else:
                found, trouble = read_csv(path, limits)
                items += found
                problems += trouble
        except (IntakeError, Refusal) as exc:
            problems.append(Problem(name, str(exc)))
        except OSError as exc:
            problems.append(Problem(name, f"cannot read the file: {exc.strerror or exc}"))
    return items, problems


def read_csv(path: Path, limits: Limits | None = None) -> tuple[list[Incoming], list[Problem]]:
    """Questions from a CSV file with a header: a question column ("question", "vraag", …),
    optionally "id" and "history" (a JSON list of {"role", "content"}). Comma, semicolon and
    tab separators are recognised. Empty rows are skipped; malformed rows are reported."""
    text = _decode(path)
    return parse_csv(text, clean_text(path.name), limits)


def parse_csv(
    text: str, name: str = "CSV", limits: Limits | None = None
) -> tuple[list[Incoming], list[Problem]]:
    """The questions of a CSV text (see `read_csv`); a history is bounded by `limits`. A row
    the CSV reader cannot read ends the file there, reported."""
    limits = limits or Limits()
    text = clean_text(text)
    if not text.strip():
        raise IntakeError("the file is empty")
    items: list[Incoming] = []
    problems: list[Problem] = []
    try:
        _parse_rows(text, name, limits, items, problems)
    except csv.Error as exc:  # a field over the csv module's size limit, a broken quote, …
        problems.append(Problem(name, f"the CSV cannot be read from here on: {exc}"))
    return items, problems


def _parse_rows(
    text: str, name: str, limits: Limits, items: list[Incoming], problems: list[Problem]
) -> None:
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [h.strip().casefold() for h in next(reader, [])]
    question_col = _column(header, _QUESTION_COLUMNS)
    if question_col is None:
        raise IntakeError(
            f"no question column: the header needs one of {', '.join(_QUESTION_COLUMNS)}"
        )
    id_col = _column(header, _ID_COLUMNS)
    history_col = _column(header, _HISTORY_COLUMNS)
    for row in reader:
        line = reader.line_num
        where = f"{name}:{line}"
        if not any(cell.strip() for cell in row):
            continue  # an empty row is no question
        if len(row) > len(header):
            problems.append(Problem(where, f"{len(row)} fields where the header has {len(header)}"))
            continue
        cells = row + [""] * (len(header) - len(row))
        question = cells[question_col].strip()
        if not question:
            problems.append(Problem(where, "the question is empty"))
            continue
        try:
            history = _history(cells[history_col], limits) if history_col is not None else ()
        except Refusal as exc:
            problems.append(Problem(where, str(exc)))
            continue
        except ValueError as exc:
            problems.append(Problem(where, f"history is not valid: {exc}"))
            continue
        item_id = cells[id_col].strip()[:100] if id_col is not None else ""
        items.append(Incoming(item_id or str(len(items) + 1), question, history))


def read_eml(path: Path) -> Incoming:
    """A question from a saved e-mail: its subject and the plain text of its body, without the
    quoted earlier messages and the signature."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IntakeError(f"cannot read the e-mail: {exc.strerror or exc}") from exc
    try:
        message = email.message_from_bytes(data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        subject = _REPLY_PREFIX.sub("", clean_text(str(message.get("subject", "") or ""))).strip()
        body = clean_text(email_body(message))
    except Exception as exc:
        # The e-mail parser raises more than ValueError on broken headers and MIME structure
        # (IndexError, AttributeError, LookupError …): any of them means "cannot read it".
        log.info("Reading the e-mail %s failed", path, exc_info=True)
        raise IntakeError("cannot read the e-mail: its headers or structure are broken") from exc
    if not body and not subject:
        raise IntakeError("the e-mail has neither a subject nor a text body")
    question = f"{subject}\n\n{body}".strip() if subject and subject not in body else body
    return Incoming(clean_text(path.stem), question)


def email_body(message: EmailMessage) -> str:
    """The new text of an e-mail: the plain-text part (or the HTML part's text), cut where the
    quoted earlier message or the signature begins."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset: decode what can be decoded
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        content = _html_text(content)
    return strip_quotes_and_signature(str(content))


def strip_quotes_and_signature(text: str) -> str:
    """The lines of a message before its quoted reply or its signature, without '>' lines."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if _QUOTE_START.match(stripped) or _SIGNATURE_START.match(stripped):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def triage_each(
    assistant: Assistant,
    settings: Settings,
    items: Iterable[Incoming],
    today: date | None = None,
    progress: Callable[[], None] | None = None,
) -> tuple[list[Triage], list[Problem]]:
    """Triage a batch in order; a question whose triage fails unexpectedly is reported as
    skipped (the traceback goes to the log) and the batch goes on."""
    results: list[Triage] = []
    problems: list[Problem] = []
    for item in items:
        try:
            results.append(triage(assistant, settings, item.question, item.history, today, item.id))
        except Exception:
            log.exception("Triage of question %s failed", item.id)
            problems.append(Problem(item.id, "triage failed unexpectedly (details in the log)"))
        if progress is not None:
            progress()
    return results, problems


def write_csv(results: Iterable[Triage], path: Path) -> None:
    """The triage results as CSV (UTF-8 with a byte order mark, so spreadsheet programs read
    the accents right), one row per question, columns `OUTPUT_COLUMNS`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT_COLUMNS)
        for result in results:
            writer.writerow(row_of(result))


def row_of(result: Triage) -> list[str]:
    """One triage result as the cells of `OUTPUT_COLUMNS`."""
    routing = result.routing
    values = {
        "id": result.id,
        "question": result.question,
        "language": result.language,
        "category": result.category,
        "programme": result.programme or "",
        "action": result.action or "",
        "call_code": result.call_code or "",
        "document": result.title or "",
        "organisation": routing.organisation or "",
        "contact": routing.contact or "",
        "handled_by_helpdesk": "yes" if routing.handled_by_helpdesk else "no",
        "urgency": result.urgency,
        "deadline": result.deadline.isoformat() if result.deadline else "",
        "confidence": f"{result.confidence:.2f}",
        "ambiguous": "yes" if result.ambiguous else "no",
        "candidates": " | ".join(result.candidates),
        "draft_reply": result.answer.text,
        "sources": " | ".join(result.sources),
    }
    return [values[column] for column in OUTPUT_COLUMNS]


def _column(header: Sequence[str], names: Sequence[str]) -> int | None:
    return next((header.index(n) for n in names if n in header), None)


def _history(cell: str, limits: Limits) -> tuple[Turn, ...]:
    """A history cell: a JSON list of {role, content}; ValueError when it is not one, Refusal
    when it is too large to parse. Beyond the limits the oldest turns are left out (logged)."""
    if not cell.strip():
        return ()
    data = parse_history_json(cell, limits, "en")
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of {role, content}")
    turns = []
    for item in data:
        if not isinstance(item, dict) or item.get("role") not in ("user", "assistant"):
            raise ValueError("each turn needs a role 'user' or 'assistant' and a content")
        turns.append(Turn(str(item["role"]), clean_text(str(item.get("content", "")))))
    history = bounded(turns, limits)
    if history.dropped:
        log.info("Left out the %d oldest turns of a CSV history", history.dropped)
    return history.turns


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IntakeError(f"cannot read {path}: {exc}") from exc
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves CSV as cp1252
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IntakeError("the file is neither UTF-8 nor Windows-1252 text")


def _html_text(html: str) -> str:
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):  # an unparsable HTML body still has its text
        return re.sub(r"<[^>]+>", " ", html)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in root.iter("p", "div", "li", "tr"):
        block.tail = "\n" + (block.tail or "")
    return str(root.text_content())
