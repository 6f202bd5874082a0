"""The feedback store: what goes in comes out, newest first; only 'up' and 'down' are verdicts."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest

from assistant.feedback import FeedbackStore


def test_record_and_recent_round_trip(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "sub" / "feedback.sqlite3")
    store.record(
        "Wie mag indienen voor één KA210-project?",
        "Elke organisatie in een EU-lidstaat [1] — “café” €",
        ["erasmus-ka210-kleinschalige-partnerschappen.txt"],
        "up",
        "Duidelijk, dankjewel! 👍",
    )
    store.record("Tweede vraag?", "Dat staat niet in de teksten.", [], "down", "   ")

    latest, first = store.recent(10)
    assert latest["question"] == "Tweede vraag?"
    assert latest["verdict"] == "down"
    assert latest["comment"] is None  # a blank comment is no comment
    assert latest["sources"] == []
    assert first["question"] == "Wie mag indienen voor één KA210-project?"
    assert first["answer"] == "Elke organisatie in een EU-lidstaat [1] — “café” €"
    assert first["sources"] == ["erasmus-ka210-kleinschalige-partnerschappen.txt"]
    assert first["comment"] == "Duidelijk, dankjewel! 👍"
    recorded = datetime.fromisoformat(first["created_at"])
    assert recorded.utcoffset() is not None and recorded.utcoffset().total_seconds() == 0
    assert [r["question"] for r in store.recent(1)] == ["Tweede vraag?"]
    # A new store on the same file sees the same records.
    assert len(FeedbackStore(tmp_path / "sub" / "feedback.sqlite3").recent(10)) == 2


@pytest.mark.parametrize("verdict", ["like", "", "UP", "neutral"])
def test_only_up_and_down_are_verdicts(tmp_path: Path, verdict: str) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    with pytest.raises(ValueError, match="verdict"):
        store.record("vraag", "antwoord", [], verdict, None)
    assert store.recent(10) == []


def test_records_from_many_threads(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    threads = [
        threading.Thread(target=store.record, args=(f"vraag {i}", "antwoord", [], "up", None))
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.recent(100)) == 8
