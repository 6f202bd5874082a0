"""The indexing façade: load → split → embed → store, writing only what changed."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from assistant.chunking import split_document
from assistant.embeddings import Embedder, EmbeddingCache, create_embedder, embed_cached
from assistant.errors import IndexNotBuiltError
from assistant.loaders import count_corpus_files, load_corpus
from assistant.settings import Settings
from assistant.store import ChunkStore
from assistant.tokens import get_encoding
from assistant.types import Chunk, LoadFailure
from assistant.units import units_of


class Progress(Protocol):
    """Receives progress of the long stages; the CLI shows it as a progress bar."""

    def start(self, stage: str, total: int) -> None: ...

    def advance(self, amount: int) -> None: ...


class _Silent:
    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass


@dataclass
class IndexReport:
    """What an indexing run did."""

    documents: int = 0
    chunks: int = 0
    added_chunks: int = 0
    deleted_chunks: int = 0
    embedded_texts: int = 0  # texts computed by the model; the rest came from the cache
    added_units: int = 0  # vectors of quotable sentences, fields and list items
    deleted_units: int = 0
    new_documents: list[str] = field(default_factory=list)
    changed_documents: list[str] = field(default_factory=list)
    removed_documents: list[str] = field(default_factory=list)
    failures: list[LoadFailure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def wrote_nothing(self) -> bool:
        changes = (self.added_chunks, self.deleted_chunks, self.added_units, self.deleted_units)
        return not any(changes)


def cache_path(settings: Settings) -> Path:
    """Where the embedding cache lives: beside the embedded index (also with a Chroma server)."""
    return (settings.embedding_cache_dir or settings.index_dir) / "embedding-cache.sqlite3"


def build_index(
    settings: Settings, *, rebuild: bool = False, progress: Progress | None = None
) -> IndexReport:
    """Bring the index in line with the corpus folder and say what changed.

    A document that cannot be read is reported in `failures` and skipped; the chunks it had
    from an earlier run are kept, so a file broken by accident loses nothing from the index.
    """
    started = time.perf_counter()
    progress = progress or _Silent()
    report = IndexReport()
    embedder = create_embedder(settings.embedding_model, settings.embedding_batch_size)
    if rebuild:
        ChunkStore.drop(settings)
    store = ChunkStore.open(settings, embedder.model_id, create=True)

    reading = _stage(progress, "Reading documents", count_corpus_files(settings.corpus_dir))
    documents, report.failures = load_corpus(settings.corpus_dir, progress=reading)
    report.documents = len(documents)
    encoding = get_encoding(settings.tokenizer)
    chunks: list[Chunk] = []
    for document in documents:
        chunks.extend(
            split_document(document, encoding, settings.chunk_tokens, settings.chunk_overlap_tokens)
        )
    report.chunks = len(chunks)

    stored_by_source: dict[str, set[str]] = defaultdict(set)
    for ref in store.refs():
        stored_by_source[ref.source].add(ref.id)
    stored_ids = {id_ for ids in stored_by_source.values() for id_ in ids}
    new_by_source: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks:
        new_by_source[chunk.source].add(chunk.id)

    to_add = [c for c in chunks if c.id not in stored_ids]
    failed = {f.source for f in report.failures}
    to_delete: list[str] = []
    for source, ids in stored_by_source.items():
        if source in new_by_source:
            stale = ids - new_by_source[source]
            to_delete.extend(sorted(stale))
            if stale or new_by_source[source] - ids:
                report.changed_documents.append(source)
        elif source not in failed:
            to_delete.extend(sorted(ids))
            report.removed_documents.append(source)
    report.new_documents = sorted(set(new_by_source) - set(stored_by_source))

    cache = EmbeddingCache(cache_path(settings))
    try:
        before = cache.count(embedder.model_id)
        if to_add:
            embed_progress = _stage(progress, "Embedding chunks", len(to_add))
            vectors = embed_cached(
                embedder, [c.embedding_text() for c in to_add], cache, embed_progress
            )
            store.upsert(to_add, vectors)
        if to_delete:
            store.delete(to_delete)
        report.added_units, report.deleted_units = _sync_units(
            store, embedder, chunks, cache, progress
        )
        report.embedded_texts = cache.count(embedder.model_id) - before
    finally:
        cache.close()
    report.added_chunks = len(to_add)
    report.deleted_chunks = len(to_delete)
    report.seconds = time.perf_counter() - started
    return report


def index_is_ready(settings: Settings) -> bool:
    """Whether the configured index holds chunks and their sentence vectors.

    False before the first build, and after a first build stopped before its sentence vectors
    were written (building again finishes it: what was embedded is in the cache). Raises
    ModelMismatchError for an index of another embedding model.
    """
    embedder = create_embedder(settings.embedding_model, settings.embedding_batch_size)
    try:
        store = ChunkStore.open(settings, embedder.model_id, create=False)
    except IndexNotBuiltError:
        return False
    return bool(store.unit_ids())


def _sync_units(
    store: ChunkStore,
    embedder: Embedder,
    chunks: list[Chunk],
    cache: EmbeddingCache,
    progress: Progress,
) -> tuple[int, int]:
    """Give every quotable unit of the current chunks its vector, and drop vectors of units
    that no longer exist; returns (added, deleted)."""
    units = {u.id: u for chunk in chunks for u in units_of(chunk)}
    stored = store.unit_ids()
    missing = [u for id_, u in units.items() if id_ not in stored]
    stale = sorted(stored - set(units))
    if missing:
        embed_progress = _stage(progress, "Embedding sentences", len(missing))
        vectors = embed_cached(embedder, [u.text for u in missing], cache, embed_progress)
        store.upsert_units([u.id for u in missing], [u.chunk.id for u in missing], vectors)
    if stale:
        store.delete_units(stale)
    return len(missing), len(stale)


def _stage(progress: Progress, stage: str, total: int = 0) -> Callable[[int], None]:
    progress.start(stage, total)
    return progress.advance
