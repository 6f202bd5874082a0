"""Thumbs up/down feedback on answers, kept in a small SQLite file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.limits import clean_text

VERDICTS = ("up", "down")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('up', 'down')),
    comment TEXT
)
"""


class FeedbackStore:
    """Feedback records in SQLite; every call opens its own connection, so any thread may call.

    The web app keeps the file in the index folder in use (`Settings.feedback_path`)."""

    def __init__(self, path: Path, max_comment_chars: int | None = None) -> None:
        self.path = Path(path)
        self.max_comment_chars = max_comment_chars
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # One short-lived connection per call: Gradio runs handlers in worker threads.
        with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
            yield db

    def record(
        self,
        question: str,
        answer: str,
        sources: list[str],
        verdict: str,
        comment: str | None = None,
    ) -> None:
        """Store one verdict ('up' or 'down') on an answer. Another verdict, or a comment longer
        than `max_comment_chars`, is a ValueError (the web app refuses it before, in words)."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be 'up' or 'down', not {verdict!r}")
        comment = clean_text(comment).strip() or None
        if comment and self.max_comment_chars is not None and len(comment) > self.max_comment_chars:
            raise ValueError(f"comment longer than {self.max_comment_chars} characters")
        with self._connect() as db:
            db.execute(
                "INSERT INTO feedback (created_at, question, answer, sources, verdict, comment) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    clean_text(question),
                    clean_text(answer),
                    json.dumps([clean_text(s) for s in sources], ensure_ascii=False),
                    verdict,
                    comment,
                ),
            )

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest `limit` records, newest first, each a dict with its sources as a list."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT created_at, question, answer, sources, verdict, comment FROM feedback "
                "ORDER BY id DESC LIMIT ?",
                (max(0, limit),),
            ).fetchall()
        return [
            {
                "created_at": created_at,
                "question": question,
                "answer": answer,
                "sources": json.loads(sources),
                "verdict": verdict,
                "comment": comment,
            }
            for created_at, question, answer, sources, verdict, comment in rows
        ]
