"""The assistant as one object: settings → index → answers. The CLI and the UI call this."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant import generations
from assistant.answering import AnswerModels, Composer, Evidence
from assistant.classify import detect_language
from assistant.errors import AssistantError, GenerationRemovedError, IndexNotBuiltError
from assistant.limits import turns_of
from assistant.llm import LLMWriter
from assistant.retrieval import HybridRetriever, SearchFilter
from assistant.settings import Settings
from assistant.types import Answer, Turn

log = logging.getLogger(__name__)
# A replaced generation's files are released this long after the switch: longer than any one
# request takes, so requests that began on it finish on it.
_RELEASE_AFTER_S = 300.0


@dataclass(frozen=True)
class _InUse:
    """The index generation answers come from, and the composer reading it."""

    generation: str | None
    composer: Composer


class Assistant:
    """Answers questions from the configured index; heavy parts load in `open`.

    With follow_index (as `open` sets it), a request that finds a newer index generation in
    use (`assistant index` ran meanwhile) first switches to it: no restart needed.
    """

    def __init__(
        self,
        retriever: HybridRetriever,
        models: AnswerModels | None = None,
        *,
        follow_index: bool = False,
        writer: LLMWriter | None = None,
    ) -> None:
        self._in_use = _InUse(retriever.generation, Composer(retriever, models))
        self.writer = writer  # a language model that writes the reply (ASSISTANT_LLM), or None
        self._follow = follow_index
        self._switching = threading.Lock()
        self._replaced: list[tuple[float, HybridRetriever]] = []  # (when, what) to release
        self._refused: str | None = None  # a generation that could not be opened: not retried

    @classmethod
    def open(cls, settings: Settings, *, build_if_missing: bool = False) -> Assistant:
        """Open (and warm up) the index; with build_if_missing, build it from the corpus first.

        Raises IndexNotBuiltError, IndexIncompleteError, ModelMismatchError, ConfigurationError.
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
        return cls(retriever, follow_index=True, writer=LLMWriter.from_settings(settings))

    @property
    def composer(self) -> Composer:
        """The composer of the index generation in use (switching to a newer one first)."""
        self.refresh()
        return self._in_use.composer

    @property
    def retriever(self) -> HybridRetriever:
        """The retriever of the index generation in use (switching to a newer one first)."""
        return self.composer.retriever

    def refresh(self, wait: bool = False) -> bool:
        """Switch to the index generation in use if it is newer than the one answered from;
        returns whether it switched (`wait`: until another request's switch is done, rather
        than going on with the old generation).

        Costs one read of the small pointer file when nothing changed. One request loads the
        new generation while the others go on answering from the old one; requests that hold
        the old composer finish on it (its files are released minutes later, or removed by the
        build after next: such a request is asked again of the new one). A generation that
        cannot be opened (another embedding model, a lacking stage) is logged and the old one
        kept.
        """
        if not self._follow:
            return False
        settings = self._in_use.composer.retriever.settings
        pointer = generations.current_id(settings.index_dir)
        newer = pointer is not None and pointer not in (self._in_use.generation, self._refused)
        oldest = next(iter(self._replaced), None)  # safe while another request pops it
        due = oldest is not None and oldest[0] < time.monotonic() - _RELEASE_AFTER_S
        if not (newer or due) or not self._switching.acquire(blocking=wait):
            return False  # nothing to do, or another request is doing it
        try:
            while self._replaced and self._replaced[0][0] < time.monotonic() - _RELEASE_AFTER_S:
                self._replaced.pop(0)[1].close()
            # another request may have switched while this one waited
            newer = newer and pointer != self._in_use.generation
            return newer and self._switch(settings, pointer)
        finally:
            self._switching.release()

    def _switch(self, settings: Settings, pointer: str | None) -> bool:
        old = self._in_use
        try:
            retriever = HybridRetriever.from_settings(settings, old.composer.retriever.embedder)
            if retriever.generation == old.generation:
                retriever.close()
                return False
            retriever.warm_up()
        except AssistantError as exc:
            log.warning("Keeping index generation %s: %s", old.generation, exc)
            self._refused = pointer
            return False
        self._in_use = _InUse(retriever.generation, Composer(retriever, old.composer.models))
        self._replaced.append((time.monotonic(), old.composer.retriever))
        log.info("Switched to index generation %s", retriever.generation)
        return True

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        programme: str | None = None,
        today: date | None = None,
    ) -> Answer:
        """Answer one question in its conversation, optionally within one programme."""
        return self.respond(question, history, today, programme)[0]

    def respond(
        self,
        question: str,
        history: Sequence[Turn] = (),
        today: date | None = None,
        programme: str | None = None,
    ) -> tuple[Answer, Evidence]:
        """The answer to show and what it was drawn from (triage weighs the evidence too)."""
        *_, last = self.stream(question, history, today, programme)
        assert isinstance(last, tuple)
        return last

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        today: date | None = None,
        programme: str | None = None,
    ) -> Iterator[str | tuple[Answer, Evidence]]:
        """A language model's reply as it arrives (nothing without one), then the answer to
        show with its evidence: the offline composer's, or the model's reply when it passes
        validation. With a model, a follow-up is first condensed into a standalone question.
        `programme` keeps the search within one programme."""
        where = SearchFilter(programme=programme) if programme else None
        composer = self.composer  # the whole answer comes from one generation
        asked, context = question, history
        if self.writer is not None and history:
            asked = self.writer.condense(question, history, detect_language(question))
            context = () if asked != question else history
        try:
            answer, evidence = composer.respond(asked, context, today, where)
        except GenerationRemovedError:
            # builds came one after the other faster than this request: it began on a
            # generation they have removed since, so it is asked again of the one in use
            self.refresh(wait=True)
            composer = self.composer
            answer, evidence = composer.respond(asked, context, today, where)
        if self.writer is None:
            yield answer, evidence
            return
        for part in self.writer.stream(question, answer, evidence.documents):
            yield (part, evidence) if isinstance(part, Answer) else part

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
        "fallback": answer.fallback,  # why a language model's reply was replaced, or null
    }


def turns_from(history: Any) -> list[Turn]:
    """Conversation turns from a JSON-like list of {"role", "content"}; other items are skipped.

    An assistant item may carry "sources", the files its answer cited (a list of strings, as
    the citations' "file"); anything else there is ignored. Text is cleaned as at every entry
    point (`limits.turns_of`).
    """
    return turns_of(list(history or []))
