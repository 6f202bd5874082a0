"""Data types every pipeline stage speaks: documents, chunks, hits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Turn:
    """One earlier message of a conversation: role 'user' or 'assistant'."""

    role: str
    content: str
    # The corpus files an assistant turn's answer cited, first cited first; they tell a
    # follow-up what the conversation is about.
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A headed block of a document: a heading (may be empty) and its text."""

    heading: str
    text: str


@dataclass(frozen=True)
class DocumentMetadata:
    """What a document says about the call it describes; every field may be unknown."""

    title: str
    programme: str | None = None
    action: str | None = None
    call_code: str | None = None
    deadline: date | None = None
    deadlines: tuple[date, ...] = ()
    handling_organisation: str | None = None
    contact: str | None = None
    managed_centrally: bool = False  # the text says the Commission manages this call itself
    commission_body: str | None = None  # named by a "Contact Europese Commissie" field
    source_url: str | None = None
    language: str = "nl"


@dataclass(frozen=True)
class Document:
    """One corpus file, read and cut into its sections."""

    source: str  # file name relative to the corpus folder, e.g. "erasmus-ka210.txt"
    path: Path
    file_hash: str  # sha256 of the file's bytes
    metadata: DocumentMetadata
    sections: tuple[Section, ...]

    @property
    def title(self) -> str:
        return self.metadata.title

    @property
    def text(self) -> str:
        return "\n\n".join(f"{s.heading}\n{s.text}" if s.heading else s.text for s in self.sections)


@dataclass(frozen=True)
class LoadFailure:
    """A document that could not be read, and why."""

    source: str
    reason: str
    # skipped on purpose (a link out of the corpus, over the size limit), not by accident:
    # its chunks from an earlier index are removed rather than kept
    excluded: bool = False


@dataclass(frozen=True)
class Chunk:
    """A passage of a document under the token budget; `id` is its content hash."""

    id: str
    source: str
    title: str
    section: str
    text: str
    position: int  # order of the chunk within its document
    tokens: int
    metadata: dict[str, str | int | float | bool] = field(default_factory=dict)

    @property
    def language(self) -> str:
        """The language its document is written in (Dutch, the documents' language, when the
        loader could not tell)."""
        return str(self.metadata.get("language", "nl"))

    def embedding_text(self) -> str:
        """The text that is embedded and indexed: title and section give the passage its context."""
        head = f"{self.title} — {self.section}" if self.section else self.title
        return f"{head}\n{self.text}"


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the scores of each retriever."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


@dataclass(frozen=True)
class DocumentHit:
    """A retrieved document: its best passages, best first."""

    source: str
    title: str
    score: float
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class Citation:
    """What an answer's marker [n] points at: a passage of a document."""

    n: int
    source: str
    title: str
    section: str
    url: str | None
    passage: str
    quote: str  # the sentence or field of the passage that the answer states


@dataclass(frozen=True)
class Answer:
    """A composed answer: text with [n] markers, the citations they point at, and why."""

    text: str
    citations: tuple[Citation, ...]
    abstained: bool
    programme: str | None
    kind: str  # the kind of question: eligibility, deadline, budget, …
    language: str
    retrieved: tuple[str, ...] = ()  # sources of the distinct documents retrieved, best first
    # why a language model's reply was replaced by this offline answer (None: not replaced)
    fallback: str | None = None
