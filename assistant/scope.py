"""Whether an input is a question about EU funding at all. Emoji, a lone "?", a greeting, an
instruction to the assistant or a question about the weather gets one sentence saying what the
assistant answers, with example questions: no citation and no referral to a programme, since
nothing in the input points at one."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.glossary import english_stop_terms, funding_terms
from assistant.lexical import analyse
from assistant.retrieval import HybridRetriever
from assistant.types import Turn

_ASKS = re.compile(
    r"\?|^\s*(?:en|and)\b|^\s*(?:wie|wat|wanneer|hoe|hoeveel|welke?|waar|waarom|kan|mag|moet"
    r"|who|what|when|how|which|where|why|can|may|must|is|are|do|does)\b",
    re.IGNORECASE,
)


# A Dutch compound names a kind of its last part: a "warmtepompproject" is a project. Heads
# shorter than this are too often the tail of an unrelated word ("hoofd-stad").
_MIN_HEAD = 6
_WORD = re.compile(rf"[^\W\d_]{{{2 * _MIN_HEAD},}}")


def compound_heads(text: str) -> set[str]:
    """The funding words that long words of `text` end with, whatever precedes them (a
    compound of words no document uses: "warmtepompprojecten" -> "project")."""
    heads: set[str] = set()
    known = funding_terms()
    for word in _WORD.findall(text.casefold()):
        for start in range(_MIN_HEAD, len(word) - _MIN_HEAD + 1):
            found = set(analyse(word[start:])) & known
            if found:
                heads |= found
                break
    return heads


class Scope:
    """The words that make an input a question about EU funding: the glossary's funding words,
    and the names of the indexed programmes, calls and organisations."""

    def __init__(self, retriever: HybridRetriever) -> None:
        self.retriever = retriever
        self._organisations: frozenset[str] | None = None

    def domain_terms(self, text: str) -> set[str]:
        """The words of `text` that are about funding or name what the documents describe;
        a compound counts with its parts, as search reads it ("jongerenuitwisseling"), and
        with its last part when that is a funding word ("batterijrecyclageprojecten")."""
        terms = set(analyse(text, self.retriever.lexical.split)) | compound_heads(text)
        named = self.retriever.naming_terms(text) | (terms & self._organisation_terms())
        return ((terms & funding_terms()) | named) - english_stop_terms()

    def covers(self, question: str, history: Sequence[Turn] = ()) -> bool:
        """Whether to answer `question` from the documents. In a conversation a question
        without such words ("En bij een middelgroot project?", "Bij wie kan ik terecht?")
        asks about the conversation's topic; an input that asks nothing does not."""
        if not any(ch.isalpha() for ch in question):
            return False
        if self.domain_terms(question):
            return True
        return bool(history) and bool(_ASKS.search(question))

    def _organisation_terms(self) -> frozenset[str]:
        """The words of the organisations that handle the indexed calls ("JINT", "VLAIO"),
        gathered once per index."""
        if self._organisations is None:
            terms: set[str] = set()
            for source in self.retriever.sources:
                meta = self.retriever.chunks_of(source)[0].metadata
                terms.update(analyse(str(meta.get("handling_organisation", ""))))
            self._organisations = frozenset(t for t in terms if not t.isdigit())
        return self._organisations
