"""Thumbs up/down feedback on answers, kept in a small SQLite file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    """Feedback records in SQLite; every call opens its own connection, so any thread may call."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
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
        """Store one verdict ('up' or 'down') on an answer; another verdict is a ValueError."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be 'up' or 'down', not {verdict!r}")
        comment = (comment or "").strip() or None
        with self._connect() as db:
            db.execute(
                "INSERT INTO feedback (created_at, question, answer, sources, verdict, comment) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    question,
                    answer,
                    json.dumps(list(sources), ensure_ascii=False),
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
