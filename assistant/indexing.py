"""The indexing façade: load → split → embed → store, into a new index generation that is put
in use only when complete (see generations.py). An unchanged corpus writes nothing."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant import generations
from assistant.chunking import split_document
from assistant.embeddings import Embedder, EmbeddingCache, create_embedder, embed_cached
from assistant.errors import AssistantError, IndexIncompleteError, IndexNotBuiltError
from assistant.loaders import count_corpus_files, load_corpus
from assistant.settings import Settings
from assistant.store import ChunkStore
from assistant.tokens import get_encoding
from assistant.types import Chunk, LoadFailure
from assistant.units import Unit, units_of


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
    # could not be read this time: their chunks and sentence vectors of the index are kept
    kept_documents: list[str] = field(default_factory=list)
    completed_previous: bool = False  # the index in use lacked a stage; this run completed it
    generation: str | None = None  # the generation written and put in use; None: none written
    removed_generations: int = 0
    seconds: float = 0.0

    @property
    def wrote_nothing(self) -> bool:
        changes = (self.added_chunks, self.deleted_chunks, self.added_units, self.deleted_units)
        return not any(changes) and self.generation is None


def cache_path(settings: Settings) -> Path:
    """Where the embedding cache lives: beside the embedded index (also with a Chroma server)."""
    return (settings.embedding_cache_dir or settings.index_dir) / "embedding-cache.sqlite3"


def build_index(
    settings: Settings, *, rebuild: bool = False, progress: Progress | None = None
) -> IndexReport:
    """Bring the index in line with the corpus folder and say what changed.

    Any change is written as a new generation, copied from the one in use where unchanged
    (with rebuild: from the corpus and the embedding cache), and put in use once complete;
    a run that dies half-way leaves the index in use as it was. A document that cannot be read
    is reported in `failures` and keeps the chunks and sentence vectors it had, so a file
    broken by accident loses nothing; a link out of the corpus or a file over the size limit
    is reported and its chunks go. Raises IndexBusyError while another run holds the index,
    ModelMismatchError for an index of another model (without rebuild).
    """
    started = time.perf_counter()
    embedder = create_embedder(settings.embedding_model, settings.embedding_batch_size)
    with generations.exclusive(settings.index_dir):
        _remove_leftovers(settings)
        previous = _open_previous(settings, embedder.model_id, rebuild=rebuild)
        try:
            report = _build(settings, embedder, previous, rebuild, progress or _Silent())
        finally:
            if previous is not None:
                previous.close()
    report.seconds = time.perf_counter() - started
    return report


def index_is_ready(settings: Settings) -> bool:
    """Whether there is an index to answer from; False when none was built yet (a first build
    that was stopped leaves none: building again finishes it from the embedding cache).

    Raises IndexIncompleteError for an index that lacks a stage, ModelMismatchError for an
    index of another embedding model.
    """
    embedder = create_embedder(settings.embedding_model, settings.embedding_batch_size)
    try:
        store = ChunkStore.open(settings, embedder.model_id)
    except IndexNotBuiltError:
        return False
    store.close()
    return True


def _build(
    settings: Settings,
    embedder: Embedder,
    previous: ChunkStore | None,
    rebuild: bool,
    progress: Progress,
) -> IndexReport:
    report = IndexReport()
    reading = _stage(progress, "Reading documents", count_corpus_files(settings.corpus_dir))
    documents, report.failures = load_corpus(
        settings.corpus_dir, progress=reading, max_bytes=settings.max_document_bytes
    )
    report.documents = len(documents)
    encoding = get_encoding(settings.tokenizer)
    chunks: list[Chunk] = []
    for document in documents:
        chunks.extend(
            split_document(document, encoding, settings.chunk_tokens, settings.chunk_overlap_tokens)
        )
    unreadable = {f.source for f in report.failures if not f.excluded}
    if previous is not None and unreadable:
        kept = [c for c in previous.chunks() if c.source in unreadable]
        chunks.extend(kept)
        report.kept_documents = sorted({c.source for c in kept})
    report.chunks = len(chunks)
    units = {u.id: u for chunk in chunks for u in units_of(chunk)}

    # What the index in use holds; a rebuild reports against an empty index.
    compare = previous if previous is not None and not rebuild else None
    stored_by_source: dict[str, set[str]] = defaultdict(set)
    for ref in compare.refs() if compare else []:
        stored_by_source[ref.source].add(ref.id)
    stored_ids = {id_ for ids in stored_by_source.values() for id_ in ids}
    stored_units = compare.unit_ids() if compare else set()
    new_by_source: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks:
        new_by_source[chunk.source].add(chunk.id)
    for source, ids in stored_by_source.items():
        if source not in new_by_source:
            report.removed_documents.append(source)
        elif ids != new_by_source[source]:
            report.changed_documents.append(source)
    report.new_documents = sorted(set(new_by_source) - set(stored_by_source))
    report.added_chunks = sum(1 for c in chunks if c.id not in stored_ids)
    report.deleted_chunks = len(stored_ids - {c.id for c in chunks})
    report.added_units = len(units.keys() - stored_units)
    report.deleted_units = len(stored_units - units.keys())
    if compare is not None:
        try:
            compare.check_complete(settings)
        except IndexIncompleteError:
            report.completed_previous = True
        except IndexNotBuiltError:
            pass
        if report.wrote_nothing and not report.completed_previous:
            return report

    # Vectors: the unchanged ones from the index in use, the rest from the cache or the model.
    cache = EmbeddingCache(cache_path(settings))
    try:
        before = cache.count(embedder.model_id)
        chunk_vectors = compare.vectors([c.id for c in chunks]) if compare else {}
        fresh = [c for c in chunks if c.id not in chunk_vectors]
        if fresh:
            embedding = _stage(progress, "Embedding chunks", len(fresh))
            vectors = embed_cached(embedder, [c.embedding_text() for c in fresh], cache, embedding)
            chunk_vectors.update(zip([c.id for c in fresh], vectors, strict=True))
        unit_vectors = compare.unit_vectors() if compare else {}
        fresh_units = [u for id_, u in units.items() if id_ not in unit_vectors]
        if fresh_units:
            embedding = _stage(progress, "Embedding sentences", len(fresh_units))
            vectors = embed_cached(embedder, [u.text for u in fresh_units], cache, embedding)
            unit_vectors.update(zip([u.id for u in fresh_units], vectors, strict=True))
        report.embedded_texts = cache.count(embedder.model_id) - before
    finally:
        cache.close()

    in_use = generations.current(settings.index_dir)
    generation = generations.start(settings.index_dir)
    _write(
        settings,
        embedder.model_id,
        generation,
        chunks,
        chunk_vectors,
        units,
        unit_vectors,
        progress,
    )
    generations.finish(
        generation,
        {
            "generation": generation.id,
            "previous": in_use.id,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "embedding_model": embedder.model_id,
            "documents": report.documents + len(report.kept_documents),
            "chunks": len(chunks),
            "units": len(units),
            "kept_documents": report.kept_documents,
            "tokenizer": settings.tokenizer,
            "chunk_tokens": settings.chunk_tokens,
            "chunk_overlap_tokens": settings.chunk_overlap_tokens,
        },
    )
    generations.publish(settings.index_dir, generation)
    report.generation = generation.id
    # The generation just replaced stays: a running app may be reading it until its next request.
    removed = generations.remove_unused(settings.index_dir, {generation.id, in_use.id})
    ChunkStore.remove(settings, removed)
    report.removed_generations = len(removed)
    return report


def _write(
    settings: Settings,
    model_id: str,
    generation: generations.Generation,
    chunks: Sequence[Chunk],
    chunk_vectors: dict[str, np.ndarray],
    units: dict[str, Unit],
    unit_vectors: dict[str, np.ndarray],
    progress: Progress,
) -> None:
    """Fill the new generation's collections and check that they hold everything."""
    store = ChunkStore.create(settings, model_id, generation)
    try:
        writing = _stage(progress, "Writing index", len(chunks) + len(units))
        if chunks:
            store.upsert(chunks, _matrix(chunk_vectors, [c.id for c in chunks]), writing)
        if units:
            ids = list(units)
            chunk_ids = [units[id_].chunk.id for id_ in ids]
            store.upsert_units(ids, chunk_ids, _matrix(unit_vectors, ids), writing)
        written = (store.count(), store.unit_count())
    finally:
        store.close()
    if written != (len(chunks), len(units)):
        raise AssistantError(
            f"The new index generation holds {written[0]} chunks and {written[1]} sentence "
            f"vectors instead of {len(chunks)} and {len(units)}; the index in use is unchanged."
        )


def _open_previous(settings: Settings, model_id: str, *, rebuild: bool) -> ChunkStore | None:
    """The generation in use, read whatever stage it lacks; None where there is none.

    A rebuild reads it only for the chunks of documents that cannot be read now, and of any
    model; whatever is wrong with it, a rebuild goes on without it.
    """
    try:
        return ChunkStore.open(settings, None if rebuild else model_id, complete=False)
    except (IndexNotBuiltError, IndexIncompleteError):
        return None  # a generation without its data: build a complete one from the corpus
    except Exception:
        if rebuild:
            return None
        raise


def _remove_leftovers(settings: Settings) -> None:
    """Remove what runs that died half-way left: every generation but the one in use and the
    one it replaced."""
    in_use = generations.current(settings.index_dir)
    manifest = in_use.manifest() or {}
    keep = {in_use.id, manifest.get("previous")}
    ChunkStore.remove(settings, generations.remove_unused(settings.index_dir, keep))


def _matrix(vectors: dict[str, np.ndarray], ids: Sequence[str]) -> np.ndarray:
    return np.vstack([vectors[id_] for id_ in ids]).astype(np.float32, copy=False)


def _stage(progress: Progress, stage: str, total: int = 0) -> Callable[[int], None]:
    progress.start(stage, total)
    return progress.advance
