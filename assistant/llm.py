"""Optional replies written by a language model (ASSISTANT_LLM=openai|ollama), never worse than
the offline composer's.

The offline path runs first and gives the documents and its own answer. The model gets the
passages that answer cites and then the best passages of those documents, numbered and
delimited, within its context window (counted with tiktoken), and writes the reply. The reply
is shown only if `validation.unsupported` finds nothing wrong with it and `validation.left_out`
finds nothing of the offline answer missing from it (the facts of its first sentence, most
words of its first quote); otherwise — and when the server is unreachable, times out or answers
nonsense — the offline answer is shown, with the reason in the log and in `fallback`. With a
conversation, one short call first condenses the question and its history into a standalone
question for retrieval.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from assistant.errors import ConfigurationError
from assistant.prompts import LLM_PROMPTS
from assistant.settings import Settings
from assistant.tokens import count_tokens, get_encoding
from assistant.types import Answer, Citation, DocumentHit, Turn
from assistant.validation import MARKER, left_out, unsupported

log = logging.getLogger(__name__)

# Tokens kept free in the model's window for its reply.
_REPLY_TOKENS = 512
_HISTORY_TURNS = 6


@dataclass(frozen=True)
class Passage:
    """A numbered passage as the model sees it, and what its marker will cite."""

    n: int
    citation: Citation


def chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model (None for ASSISTANT_LLM=none). Nothing is contacted here."""
    if settings.llm == "none":
        return None
    if not settings.llm_model:
        raise ConfigurationError("ASSISTANT_LLM_MODEL is not set: name the model to use.")
    if settings.llm == "openai":
        from langchain_openai import ChatOpenAI

        key = os.environ.get(settings.llm_api_key_env, "") or "none"  # local servers need none
        return ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=key,  # type: ignore[arg-type]
            temperature=settings.llm_temperature,
            timeout=settings.llm_timeout,
            max_retries=0,
        )
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=settings.llm_model,
        base_url=settings.llm_base_url or "http://127.0.0.1:11434",
        temperature=settings.llm_temperature,
        client_kwargs={"timeout": settings.llm_timeout},
    )


# Text that addresses the model instead of the applicant ("negeer alle vorige instructies"):
# a passage with it is not given to the model at all.
_INSTRUCTION = re.compile(
    r"\b(?:negeer|vergeet|ignore|disregard|forget)\b.{0,40}\b(?:instructies|opdrachten|regels"
    r"|instructions|rules|prompt)\b|\bsystem ?prompt\b|\bje bent (?:nu|vanaf nu)\b"
    r"|\byou are now\b",
    re.IGNORECASE | re.DOTALL,
)


def passages_of(
    documents: Sequence[DocumentHit], limit: int, first: Sequence[Citation] = ()
) -> list[Passage]:
    """The passages the offline answer cites (`first`: what the composer's ranker found to
    answer), then the best passages of the retrieved documents, best document first,
    numbered; a passage that tries to instruct the model is left out (and logged)."""
    candidates = [(c.source, c.title, c.section, c.url, c.passage) for c in first]
    for document in documents:
        for hit in document.hits:
            chunk = hit.chunk
            url = str(chunk.metadata.get("source_url", "")) or None
            candidates.append((chunk.source, chunk.title, chunk.section, url, chunk.text))
    found: list[Passage] = []
    seen: set[tuple[str, str]] = set()
    for source, title, section, url, text in candidates:
        if (source, text) in seen:
            continue
        seen.add((source, text))
        if _INSTRUCTION.search(text):
            log.warning("passage of %s left out: it addresses the model", source)
            continue
        citation = Citation(len(found) + 1, source, title, section, url, text, "")
        found.append(Passage(citation.n, citation))
        if len(found) == limit:
            break
    return found


def messages_for(
    question: str, language: str, passages: Sequence[Passage], settings: Settings
) -> tuple[list[BaseMessage], list[int]]:
    """The prompt, and the numbers of the passages that did not fit the model's window."""
    table = LLM_PROMPTS.get(language, LLM_PROMPTS["nl"])
    encoding = get_encoding(settings.tokenizer)
    system = table["system"]
    head = f"{table['question'].format(question=question)}\n\n{table['passages']}"
    budget = settings.llm_context_tokens - _REPLY_TOKENS
    budget -= count_tokens(system, encoding) + count_tokens(head, encoding)
    blocks: list[str] = []
    cut: list[int] = []
    for passage in passages:
        block = _block(passage)
        size = count_tokens(block, encoding)
        if size > budget:
            cut.append(passage.n)
            continue
        blocks.append(block)
        budget -= size
    if cut:
        log.info("passages %s left out: the model's window is full", cut)
    user = "\n\n".join([head, *blocks])
    return [SystemMessage(system), HumanMessage(user)], cut


def _block(passage: Passage) -> str:
    c = passage.citation
    where = f"{c.title} — {c.section}" if c.section else c.title
    return f'<passage n="{passage.n}" source="{where}">\n{c.passage}\n</passage>'


class LLMWriter:
    """Writes the reply with a chat model and checks it; the offline answer stands in."""

    def __init__(self, model: BaseChatModel, settings: Settings) -> None:
        self.model = model
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMWriter | None:
        model = chat_model(settings)
        return cls(model, settings) if model is not None else None

    def condense(self, question: str, history: Sequence[Turn], language: str) -> str:
        """The question made standalone with its conversation; the question itself when the
        model fails or answers with something that is no question."""
        if not history:
            return question
        table = LLM_PROMPTS.get(language, LLM_PROMPTS["nl"])
        turns = "\n".join(f"{t.role}: {t.content}" for t in history[-_HISTORY_TURNS:])
        prompt = f"{table['history']}\n{turns}\n\n{table['question'].format(question=question)}"
        try:
            reply = self.model.invoke([SystemMessage(table["condense"]), HumanMessage(prompt)])
        except Exception as error:  # any failure of the server: keep the question
            log.warning("condensing the question failed: %s", _short(error))
            return question
        standalone = _content(reply).strip().splitlines()[0] if _content(reply).strip() else ""
        if not standalone or len(standalone) > 4 * max(len(question), 100):
            return question
        return standalone

    def write(self, question: str, offline: Answer, documents: Sequence[DocumentHit]) -> Answer:
        """The model's reply when it passes validation, else the offline answer with why."""
        chunks = list(self.stream(question, offline, documents))
        final = chunks[-1]
        assert isinstance(final, Answer)
        return final

    def stream(
        self, question: str, offline: Answer, documents: Sequence[DocumentHit]
    ) -> Iterator[str | Answer]:
        """The reply's text as it arrives, then the Answer to show: the validated reply, or
        the offline answer that replaces it."""
        passages = passages_of(documents, self.settings.llm_passages, offline.citations)
        if offline.abstained or not passages:
            yield offline  # the documents do not answer: the offline referral stands
            return
        messages, _ = messages_for(question, offline.language, passages, self.settings)
        parts: list[str] = []
        try:
            for chunk in self.model.stream(messages):
                piece = _content(chunk)
                if piece:
                    parts.append(piece)
                    yield piece
        except Exception as error:  # unreachable, timeout, malformed: the offline answer
            # langchain raises when a stream brings no text at all: that is an empty reply
            empty = not parts and "No generation chunks" in str(error)
            why = "empty reply" if empty else f"language model failed: {_short(error)}"
            yield _fallback(offline, why)
            return
        reply = "".join(parts).strip()
        given = {p.n: p.citation.passage for p in passages}
        quote = offline.citations[0].quote if offline.citations else ""
        reason = unsupported(reply, given, offline.language) or left_out(
            reply, offline.text, quote, offline.language
        )
        if reason:
            yield _fallback(offline, reason)
            return
        yield _cited(reply, offline, passages)


def _cited(reply: str, offline: Answer, passages: Sequence[Passage]) -> Answer:
    """The reply with its markers renumbered 1, 2, … in order of first use."""
    by_n = {p.n: p.citation for p in passages}
    order: dict[int, int] = {}
    for m in MARKER.findall(reply):
        order.setdefault(int(m), len(order) + 1)
    text = MARKER.sub(lambda m: f"[{order[int(m.group(1))]}]", reply)
    citations = tuple(replace(by_n[old], n=new) for old, new in order.items())
    return replace(offline, text=text, citations=citations, fallback=None)


def _fallback(offline: Answer, reason: str) -> Answer:
    log.warning("language model reply replaced by the offline answer: %s", reason)
    return replace(offline, fallback=reason)


def _content(message: BaseMessage | AIMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in content)


def _short(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:200]
