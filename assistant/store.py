"""The Chroma collection that holds every chunk, its vector and metadata: the source of truth."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.errors import ConfigurationError, IndexNotBuiltError, ModelMismatchError
from assistant.settings import Settings
from assistant.types import Chunk

_PAGE = 1000
_MODEL_KEY = "embedding_model"
_CHUNK_FIELDS = ("source", "title", "section", "position", "tokens")


@dataclass(frozen=True)
class StoredChunkRef:
    """What the index knows of a stored chunk without reading its text."""

    id: str
    source: str
    file_hash: str


class ChunkStore:
    """One Chroma collection, embedded (PersistentClient in index_dir) or on a Chroma server.

    Vectors are always computed by us and passed in: Chroma's own embedding function would
    download a model, so the collection is created without one and never asked to embed.
    """

    def __init__(self, collection: Any, model_id: str, units: Any = None) -> None:
        self._collection = collection
        self._units = units  # vectors of the chunks' quotable units, beside the chunks
        self.model_id = model_id

    @classmethod
    def open(cls, settings: Settings, model_id: str, *, create: bool) -> ChunkStore:
        """Open the configured collection for `model_id`.

        With create=False a missing or empty collection raises IndexNotBuiltError. A collection
        built with another model raises ModelMismatchError.
        """
        client = _client(settings, create=create)
        try:
            collection = client.get_collection(settings.collection, embedding_function=None)
        except Exception as exc:  # chromadb raises NotFoundError or ValueError depending on backend
            if not create:
                raise IndexNotBuiltError(
                    f"No index found ({_where(settings)}). Build it with: assistant index"
                ) from exc
            collection = client.create_collection(
                settings.collection,
                metadata={_MODEL_KEY: model_id},
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        built_with = (collection.metadata or {}).get(_MODEL_KEY)
        if built_with != model_id:
            if collection.count() == 0 and create:
                collection.modify(metadata={_MODEL_KEY: model_id})
            else:
                raise ModelMismatchError(
                    f"The index was built with embedding model {built_with!r}, but the configured "
                    f"model is {model_id!r}. Re-index with: assistant index --rebuild "
                    "(or set ASSISTANT_EMBEDDING_MODEL back)."
                )
        if not create and collection.count() == 0:
            raise IndexNotBuiltError(
                f"The index ({_where(settings)}) holds no chunks. Build it with: assistant index"
            )
        units = client.get_or_create_collection(
            f"{settings.collection}-units",
            metadata={_MODEL_KEY: model_id},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
        return cls(collection, model_id, units)

    @staticmethod
    def drop(settings: Settings) -> None:
        """Delete the configured collection, if it exists."""
        client = _client(settings, create=True)
        # a missing collection is what we wanted
        for name in (settings.collection, f"{settings.collection}-units"):
            with contextlib.suppress(Exception):
                client.delete_collection(name)

    def count(self) -> int:
        """Number of chunks in the collection."""
        return int(self._collection.count())

    def refs(self) -> list[StoredChunkRef]:
        """Id, source and file hash of every stored chunk."""
        return [
            StoredChunkRef(id_, str(meta.get("source", "")), str(meta.get("file_hash", "")))
            for id_, meta, _ in self._pages(include=["metadatas"])
        ]

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Write chunks with their vectors, in batches the backend accepts."""
        batch = _max_batch(self._collection)
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + batch],
                documents=[c.text for c in part],
                metadatas=[_to_record(c) for c in part],
            )

    def delete(self, ids: Sequence[str]) -> None:
        """Remove chunks by id."""
        batch = _max_batch(self._collection)
        for start in range(0, len(ids), batch):
            self._collection.delete(ids=list(ids[start : start + batch]))

    def chunks(self) -> list[Chunk]:
        """Every stored chunk with its text and metadata, in document order."""
        chunks = [
            _from_record(id_, meta, text)
            for id_, meta, text in self._pages(include=["metadatas", "documents"])
        ]
        return sorted(chunks, key=lambda c: (c.source, c.position))

    def query(
        self, vector: np.ndarray, n: int, sources: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the `n` nearest chunks, optionally within `sources`."""
        where = {"source": {"$in": list(sources)}} if sources is not None else None
        if sources is not None and not sources:
            return []
        n = min(n, self.count())
        if n <= 0:
            return []
        result = self._collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=n,
            where=where,
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = (result.get("distances") or [[]])[0]
        return [(id_, 1.0 - float(d)) for id_, d in zip(ids, distances, strict=True)]

    def unit_ids(self) -> set[str]:
        """Ids of the stored unit vectors."""
        return {id_ for id_, _, _ in _pages(self._units, include=[])}

    def upsert_units(
        self, ids: Sequence[str], chunk_ids: Sequence[str], vectors: np.ndarray
    ) -> None:
        """Store the vectors of quotable units, each tied to its chunk."""
        batch = _max_batch(self._units)
        for start in range(0, len(ids), batch):
            self._units.upsert(
                ids=list(ids[start : start + batch]),
                embeddings=vectors[start : start + batch],
                metadatas=[{"chunk_id": c} for c in chunk_ids[start : start + batch]],
            )

    def delete_units(self, ids: Sequence[str]) -> None:
        """Remove unit vectors by id."""
        batch = _max_batch(self._units)
        for start in range(0, len(ids), batch):
            self._units.delete(ids=list(ids[start : start + batch]))

    def unit_vectors(self) -> dict[str, np.ndarray]:
        """Every stored unit vector by unit id."""
        vectors: dict[str, np.ndarray] = {}
        offset = 0
        while True:
            page = self._units.get(limit=_PAGE, offset=offset, include=["embeddings"])
            ids = page["ids"]
            if not ids:
                return vectors
            for id_, vector in zip(ids, page["embeddings"], strict=True):
                vectors[id_] = np.asarray(vector, dtype=np.float32)
            offset += len(ids)

    def _pages(self, include: list[str]) -> Iterator[tuple[str, dict[str, Any], str]]:
        return _pages(self._collection, include)


def _pages(collection: Any, include: list[str]) -> Iterator[tuple[str, dict[str, Any], str]]:
    offset = 0
    while True:
        page = collection.get(limit=_PAGE, offset=offset, include=include)
        ids = page["ids"]
        if not ids:
            return
        metadatas = page.get("metadatas") or [{}] * len(ids)
        documents = page.get("documents") or [""] * len(ids)
        yield from zip(ids, metadatas, documents, strict=True)
        offset += len(ids)


def _client(settings: Settings, *, create: bool) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:
            raise ConfigurationError(
                f"Cannot reach the Chroma server at {_where(settings)}: {exc}"
            ) from exc
    if not create and not settings.index_dir.exists():
        raise IndexNotBuiltError(
            f"No index found ({_where(settings)}). Build it with: assistant index"
        )
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)


def _where(settings: Settings) -> str:
    if settings.chroma_host:
        return f"Chroma server {settings.chroma_host}:{settings.chroma_port}"
    return f"folder {settings.index_dir}"


def _max_batch(collection: Any) -> int:
    try:
        return max(1, min(5000, int(collection._client.get_max_batch_size())))
    except Exception:  # older or remote clients may not say; a modest batch always works
        return 500


def _to_record(chunk: Chunk) -> dict[str, str | int | float | bool]:
    record: dict[str, str | int | float | bool] = dict(chunk.metadata)
    record.update(
        source=chunk.source,
        title=chunk.title,
        section=chunk.section,
        position=chunk.position,
        tokens=chunk.tokens,
    )
    return record


def _from_record(chunk_id: str, record: dict[str, Any], text: str) -> Chunk:
    metadata = {k: v for k, v in record.items() if k not in _CHUNK_FIELDS}
    return Chunk(
        id=chunk_id,
        source=str(record.get("source", "")),
        title=str(record.get("title", "")),
        section=str(record.get("section", "")),
        text=text,
        position=int(record.get("position", 0)),
        tokens=int(record.get("tokens", 0)),
        metadata=metadata,
    )
