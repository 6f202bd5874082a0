"""The assistant as one object: settings → index → answers. The CLI and the UI call this."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from assistant.answering import AnswerModels, Composer
from assistant.errors import IndexNotBuiltError
from assistant.retrieval import HybridRetriever, SearchFilter
from assistant.settings import Settings
from assistant.types import Answer, Turn


class Assistant:
    """Answers questions from the configured index; heavy parts load in `open`."""

    def __init__(self, retriever: HybridRetriever, models: AnswerModels | None = None) -> None:
        self.retriever = retriever
        self.composer = Composer(retriever, models)

    @classmethod
    def open(cls, settings: Settings, *, build_if_missing: bool = False) -> Assistant:
        """Open (and warm up) the index; with build_if_missing, build it from the corpus first.

        Raises IndexNotBuiltError, ModelMismatchError, ConfigurationError.
        """
        try:
            retriever = HybridRetriever.from_settings(settings)
        except IndexNotBuiltError:
            if not build_if_missing:
                raise
            from assistant.indexing import build_index

            build_index(settings)
            retriever = HybridRetriever.from_settings(settings)
        retriever.warm_up()
        return cls(retriever)

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        programme: str | None = None,
        today: date | None = None,
    ) -> Answer:
        """Answer one question in its conversation, optionally within one programme."""
        where = SearchFilter(programme=programme) if programme else None
        return self.composer.answer(question, history, today, where)

    def programmes(self) -> list[str]:
        """The programmes the index holds documents of, for a filter menu."""
        names = {str(c.metadata.get("programme", "")).strip() for c in self.retriever.chunks}
        return sorted(n for n in names if n)


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The API's JSON object for an answer: {answer, citations, abstained, programme}."""
    return {
        "answer": answer.text,
        "citations": [
            {
                "n": c.n,
                "file": c.source,
                "title": c.title,
                "section": c.section,
                "url": c.url,
                "passage": c.passage,
                "quote": c.quote,
            }
            for c in answer.citations
        ],
        "abstained": answer.abstained,
        "programme": answer.programme,
        "kind": answer.kind,
        "language": answer.language,
    }


def turns_from(history: Any) -> list[Turn]:
    """Conversation turns from a JSON-like list of {"role", "content"}; other items are skipped.

    An assistant item may carry "sources", the files its answer cited (a list of strings, as
    the citations' "file"); anything else there is ignored.
    """
    turns: list[Turn] = []
    for item in history or []:
        if isinstance(item, dict) and item.get("role") in ("user", "assistant"):
            content = item.get("content")
            if isinstance(content, str) and content.strip():
                role = str(item["role"])
                turns.append(Turn(role, content, _cited(item) if role == "assistant" else ()))
    return turns


def _cited(item: dict[str, Any]) -> tuple[str, ...]:
    sources = item.get("sources")
    if not isinstance(sources, list):
        return ()
    return tuple(dict.fromkeys(s.strip() for s in sources if isinstance(s, str) and s.strip()))
