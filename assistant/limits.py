"""Bounds on the work one request may ask for, enforced in one place.

Every entry point (the CLI's ask, chat and triage, the web app's /ask and /triage and its
handlers, the triage intake) calls these functions, so a question, a conversation, an upload, a
triage batch or a feedback comment is bounded the same way everywhere. A request beyond a limit
is refused with one sentence in the question's language (`Refusal`); a conversation that is too
long loses its oldest turns and says so (`History.notes`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant import prompts
from assistant.classify import detect_language
from assistant.errors import AssistantError
from assistant.settings import Settings
from assistant.types import Turn

# Lone surrogates (text read with surrogateescape, or "\ud800" sent in JSON) cannot be encoded
# as UTF-8: the embedding engine, SQLite and the terminal would fail on them. Control characters
# other than tab and newline have no place in a question.
_UNENCODABLE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A history sent as JSON text may be a few times larger than the characters it is allowed to
# hold (keys, "sources", escapes); beyond this factor it is refused before it is parsed.
_JSON_OVERHEAD = 4
_JSON_MIN_CHARS = 100_000
_MAX_SOURCES_PER_TURN = 20
_MAX_SOURCE_CHARS = 300
_MAX_PROGRAMME_CHARS = 200


@dataclass(frozen=True)
class Limits:
    """The bounds of one request; defaults as in `Settings`."""

    question_chars: int = 2000
    history_turns: int = 20
    history_chars: int = 20_000
    upload_bytes: int = 5_000_000
    batch_questions: int = 500
    comment_chars: int = 1000

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits the settings configure (ASSISTANT_MAX_* variables)."""
        return cls(
            question_chars=settings.max_question_chars,
            history_turns=settings.max_history_turns,
            history_chars=settings.max_history_chars,
            upload_bytes=settings.max_upload_bytes,
            batch_questions=settings.max_batch_questions,
            comment_chars=settings.max_comment_chars,
        )

    @property
    def history_json_chars(self) -> int:
        """The largest history accepted as JSON text, before it is parsed."""
        return max(_JSON_MIN_CHARS, _JSON_OVERHEAD * self.history_chars)


class Refusal(AssistantError):
    """A request beyond a limit; `str(refusal)` is the sentence for the user."""

    def __init__(self, key: str, language: str, **values: object) -> None:
        self.key = key
        self.language = language
        super().__init__(prompts.text(key, language, **values))


def clean_text(value: object) -> str:
    """Text that every later step can process, store and print: a non-string is empty, a lone
    surrogate becomes U+FFFD, a control character (other than tab and newline) a space."""
    if not isinstance(value, str):
        return ""
    value = _UNENCODABLE.sub("\ufffd", value)
    return _CONTROL.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))


def language_of(text: str) -> str:
    """The language a refusal about `text` is written in ('nl' or 'en')."""
    return detect_language(text[:2000])


def check_question(question: object, limits: Limits) -> str:
    """The question, cleaned and stripped; raises Refusal when it is longer than the limit."""
    text = clean_text(question).strip()
    if len(text) > limits.question_chars:
        raise Refusal(
            "refused_question_too_long",
            language_of(text),
            length=len(text),
            limit=limits.question_chars,
        )
    return text


def check_programme(programme: object) -> str | None:
    """A programme filter as a short clean string, or None (no filter)."""
    text = clean_text(programme).strip()[:_MAX_PROGRAMME_CHARS]
    return text or None


def check_comment(comment: object, limits: Limits, language: str = "nl") -> str:
    """A feedback comment, cleaned and stripped; raises Refusal when it is too long."""
    text = clean_text(comment).strip()
    if len(text) > limits.comment_chars:
        raise Refusal(
            "refused_comment_too_long", language, length=len(text), limit=limits.comment_chars
        )
    return text


@dataclass(frozen=True)
class History:
    """A conversation as the core reads it, bounded: the turns kept, how many of the oldest were
    left out, and whether what was sent could not be read at all."""

    turns: tuple[Turn, ...] = ()
    dropped: int = 0
    unreadable: bool = False
    limits: Limits = field(default_factory=Limits)

    def notes(self, language: str) -> list[str]:
        """What the user should know about the history (nothing when it was used whole)."""
        notes = []
        if self.unreadable:
            notes.append(prompts.text("note_history_unreadable", language))
        if self.dropped:
            notes.append(
                prompts.text(
                    "note_history_trimmed",
                    language,
                    count=self.dropped,
                    turns=self.limits.history_turns,
                    chars=self.limits.history_chars,
                )
            )
        return notes


def parse_history_json(text: str, limits: Limits, language: str = "nl") -> Any:
    """A history sent as JSON text, parsed; raises Refusal when the text is too large to parse,
    ValueError when it is not JSON or is nested too deeply to read."""
    if len(text) > limits.history_json_chars:
        raise Refusal(
            "refused_history_too_large",
            language,
            length=len(text),
            turns=limits.history_turns,
        )
    if not text.strip():
        return []
    try:
        return json.loads(text)
    except RecursionError as exc:  # "[[[[…" nested deeper than Python's recursion limit
        raise ValueError("nested too deeply") from exc


def read_history(raw: Any, limits: Limits, language: str = "nl") -> History:
    """The conversation sent with a question (a list of {"role", "content", "sources"?}, or that
    list as JSON text), cleaned and bounded by `bound_history`. Unreadable JSON, or anything
    but a list, counts as no history (`unreadable`); raises Refusal for JSON text too large to
    parse."""
    if isinstance(raw, str):
        try:
            raw = parse_history_json(raw, limits, language)
        except ValueError:
            return History(unreadable=True, limits=limits)
    if raw is None:
        return History(limits=limits)
    if not isinstance(raw, (list, tuple)):
        return History(unreadable=True, limits=limits)
    return bounded(turns_of(raw), limits)


def turns_of(items: Sequence[Any]) -> list[Turn]:
    """Conversation turns from JSON-like items {"role", "content", "sources"?}, cleaned; other
    items are skipped. An assistant turn keeps the files its answer cited."""
    turns: list[Turn] = []
    for item in items:
        if not isinstance(item, dict) or item.get("role") not in ("user", "assistant"):
            continue
        content = clean_text(item.get("content"))
        if not content.strip():
            continue
        role = str(item["role"])
        turns.append(Turn(role, content, _cited(item) if role == "assistant" else ()))
    return turns


def _cited(item: dict[str, Any]) -> tuple[str, ...]:
    sources = item.get("sources")
    if not isinstance(sources, list):
        return ()
    names = (clean_text(s).strip() for s in sources[:_MAX_SOURCES_PER_TURN])
    return tuple(dict.fromkeys(n for n in names if n and len(n) <= _MAX_SOURCE_CHARS))


def bounded(turns: Sequence[Turn], limits: Limits) -> History:
    """The latest turns that fit both limits (count and characters); the oldest go first, and a
    single turn longer than the character limit goes with everything before it."""
    kept: list[Turn] = []
    chars = 0
    for turn in reversed(turns):
        if len(kept) >= limits.history_turns or chars + len(turn.content) > limits.history_chars:
            break
        kept.append(turn)
        chars += len(turn.content)
    kept.reverse()
    return History(tuple(kept), len(turns) - len(kept), False, limits)


def check_upload(path: Path, limits: Limits, language: str = "en") -> int:
    """The size of an uploaded file; raises Refusal when it is larger than the limit, OSError
    when it cannot be read."""
    size = path.stat().st_size
    if size > limits.upload_bytes:
        raise Refusal(
            "skip_file_too_large", language, size=_bytes(size), limit=_bytes(limits.upload_bytes)
        )
    return size


def _bytes(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 10_000:
        return f"{size / 1000:.0f} kB"
    if size >= 1000:
        return f"{size / 1000:.1f} kB"
    return f"{size} bytes"
