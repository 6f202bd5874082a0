"""The Chroma collections of one index generation: every chunk, its vector and metadata, and
the vectors of the chunks' quotable units. The source of truth the retriever reads."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant import generations
from assistant.errors import (
    ConfigurationError,
    GenerationRemovedError,
    IndexIncompleteError,
    IndexNotBuiltError,
    ModelMismatchError,
)
from assistant.generations import Generation
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
    """The two collections of one generation, embedded (a PersistentClient in the generation's
    folder) or on a Chroma server (collection names carry the generation's id).

    Vectors are always computed by us and passed in: Chroma's own embedding function would
    download a model, so the collections are created without one and never asked to embed.
    """

    def __init__(
        self,
        collection: Any,
        model_id: str,
        units: Any = None,
        client: Any = None,
        generation: Generation | None = None,
    ) -> None:
        self._collection = collection
        self._units = units  # vectors of the chunks' quotable units, beside the chunks
        self._client = client
        self.model_id = model_id  # the model the vectors were made with
        self.generation = generation
        self.exact_limit = 0  # up to this many chunks `query` is exact (0: always Chroma's)
        self._exact: _Vectors | None = None
        self._exact_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, model_id: str | None, *, complete: bool = True) -> ChunkStore:
        """Open the generation in use for reading, built with `model_id` (None: any model).

        Raises IndexNotBuiltError when there is no index, ModelMismatchError for one built with
        another model, and, with complete=True, IndexIncompleteError for one that lacks a stage
        (chunks without their sentence vectors, or fewer than its build wrote).
        """
        generation = generations.current(settings.index_dir)
        missing = IndexNotBuiltError(
            f"No index found ({_where(settings)}). Build it with: assistant index"
        )
        manifest = generation.manifest()
        if generation.legacy and not settings.chroma_host:
            if not generations.legacy_exists(settings.index_dir):
                raise missing
        elif not generation.legacy and manifest is None:
            # CURRENT only ever names a finished generation: its folder was removed under us
            raise IndexIncompleteError(
                f"The index generation {generation.id} in {settings.index_dir} has no manifest; "
                "build the index again with: assistant index"
            )
        client = _client(settings, generation)
        chunks_name, units_name = _names(settings, generation)
        collection = _get(client, chunks_name)
        units = _get(client, units_name)
        if collection is None or (units is None and not generation.legacy):
            _close(client)
            if generation.legacy:
                raise missing
            raise IndexIncompleteError(
                f"The index generation {generation.id} lacks its collections "
                f"({_where(settings)}); build the index again with: assistant index"
            )
        store = cls(collection, "", units, client, generation)
        store.exact_limit = settings.exact_search_max_chunks
        try:
            store.model_id = str((collection.metadata or {}).get(_MODEL_KEY, ""))
            if model_id is not None and store.model_id != model_id:
                raise ModelMismatchError(
                    f"The index was built with embedding model {store.model_id!r}, but the "
                    f"configured model is {model_id!r}. Re-index with: assistant index --rebuild "
                    "(or set ASSISTANT_EMBEDDING_MODEL back)."
                )
            if complete:
                store.check_complete(settings)
        except Exception:
            store.close()
            raise
        return store

    @classmethod
    def create(cls, settings: Settings, model_id: str, generation: Generation) -> ChunkStore:
        """Empty collections for a new generation, to be filled by one index run."""
        client = _client(settings, generation)
        chunks_name, units_name = _names(settings, generation)
        made = [
            client.create_collection(
                name,
                metadata={_MODEL_KEY: model_id},
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
            for name in (chunks_name, units_name)
        ]
        return cls(made[0], model_id, made[1], client, generation)

    @staticmethod
    def remove(settings: Settings, removed: Sequence[str | None]) -> None:
        """Delete the server collections of generations whose folders were removed; the
        embedded backend's data went with their folders."""
        if not settings.chroma_host or not removed:
            return
        client = _client(settings, generations.current(settings.index_dir))
        try:
            for id_ in removed:
                gone = Generation(id_, settings.index_dir)
                for name in _names(settings, gone):
                    with contextlib.suppress(Exception):  # already gone is what we wanted
                        client.delete_collection(name)
        finally:
            _close(client)

    def check_complete(self, settings: Settings) -> None:
        """Raise IndexIncompleteError unless the index holds every stage its build wrote."""
        chunks, units = self.count(), self.unit_count()
        if chunks == 0:
            raise IndexNotBuiltError(
                f"The index ({_where(settings)}) holds no chunks. Build it with: assistant index"
            )
        manifest = self.generation.manifest() if self.generation else None
        if manifest is None:  # legacy: all that can be told is whether the stage ran at all
            if units == 0:
                raise IndexIncompleteError(_lacks_units(settings))
            return
        expected = (int(manifest.get("chunks", -1)), int(manifest.get("units", -1)))
        if (chunks, units) != expected:
            raise IndexIncompleteError(
                f"The index ({_where(settings)}) holds {chunks} chunks and {units} sentence "
                f"vectors, but its build wrote {expected[0]} and {expected[1]}. Answers from it "
                "would be incomplete; build it again with: assistant index"
            )

    def close(self) -> None:
        """Release the Chroma client (its database and segment files)."""
        if self._client is not None:
            _close(self._client)
            self._client = None

    def unit_count(self) -> int:
        """Number of stored unit vectors."""
        return int(self._units.count()) if self._units is not None else 0

    def count(self) -> int:
        """Number of chunks in the collection."""
        return int(self._collection.count())

    def refs(self) -> list[StoredChunkRef]:
        """Id, source and file hash of every stored chunk."""
        return [
            StoredChunkRef(id_, str(meta.get("source", "")), str(meta.get("file_hash", "")))
            for id_, meta, _ in self._pages(include=["metadatas"])
        ]

    def upsert(
        self,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        progress: Callable[[int], None] | None = None,
    ) -> None:
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
            if progress is not None:
                progress(len(part))

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunk ids (ids not stored are left out)."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), _PAGE):
            page = self._collection.get(
                ids=list(ids[start : start + _PAGE]), include=["embeddings"]
            )
            for id_, vector in zip(page["ids"], page["embeddings"], strict=True):
                found[id_] = np.asarray(vector, dtype=np.float32)
        return found

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
        """Ids and cosine similarities of the `n` nearest chunks, optionally within `sources`.

        Raises GenerationRemovedError when the generation was replaced and its files removed
        (two builds came while a request was reading it)."""
        if sources is not None and not sources:
            return []
        vector = np.asarray(vector, dtype=np.float32)
        try:
            exact = self._exact_vectors()
            if exact is not None:
                return exact.nearest(vector, n, sources)
            n = min(n, self.count())
            if n <= 0:
                return []
            result = self._collection.query(
                query_embeddings=[vector],
                n_results=n,
                where={"source": {"$in": list(sources)}} if sources is not None else None,
                include=["distances"],
            )
        except Exception as exc:
            if self.generation is not None and self.generation.replaced:
                raise GenerationRemovedError(
                    f"The index generation {self.generation.id} was replaced and removed."
                ) from exc
            raise
        ids = result["ids"][0]
        distances = (result.get("distances") or [[]])[0]
        return [(id_, 1.0 - float(d)) for id_, d in zip(ids, distances, strict=True)]

    def _exact_vectors(self) -> _Vectors | None:
        """Every chunk vector, read once, when the index is small enough to search exactly
        (None above `exact_limit`: `query` asks Chroma).

        Chroma's HNSW graph is rebuilt as each process loads the index, and the same query on
        the same 568-chunk index left a document's two chunks out of the 60 nearest in 3 of 8
        processes: the answer to a question depended on the process. Exact search over tens of
        thousands of vectors costs milliseconds and always gives the same chunks."""
        if self._exact is not None or self.exact_limit <= 0:
            return self._exact
        with self._exact_lock:
            if self._exact is None and self.count() <= self.exact_limit:
                self._exact = _Vectors.read(self._collection)
        return self._exact

    def unit_ids(self) -> set[str]:
        """Ids of the stored unit vectors."""
        if self._units is None:  # a legacy index of before the unit vectors
            return set()
        return {id_ for id_, _, _ in _pages(self._units, include=[])}

    def upsert_units(
        self,
        ids: Sequence[str],
        chunk_ids: Sequence[str],
        vectors: np.ndarray,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Store the vectors of quotable units, each tied to its chunk."""
        batch = _max_batch(self._units)
        for start in range(0, len(ids), batch):
            self._units.upsert(
                ids=list(ids[start : start + batch]),
                embeddings=vectors[start : start + batch],
                metadatas=[{"chunk_id": c} for c in chunk_ids[start : start + batch]],
            )
            if progress is not None:
                progress(len(ids[start : start + batch]))

    def delete_units(self, ids: Sequence[str]) -> None:
        """Remove unit vectors by id."""
        batch = _max_batch(self._units)
        for start in range(0, len(ids), batch):
            self._units.delete(ids=list(ids[start : start + batch]))

    def unit_vectors(self) -> dict[str, np.ndarray]:
        """Every stored unit vector by unit id."""
        vectors: dict[str, np.ndarray] = {}
        if self._units is None:
            return vectors
        for page in _raw_pages(self._units, ["embeddings"]):
            for id_, vector in zip(page["ids"], page["embeddings"], strict=True):
                vectors[id_] = np.asarray(vector, dtype=np.float32)
        return vectors

    def _pages(self, include: list[str]) -> Iterator[tuple[str, dict[str, Any], str]]:
        return _pages(self._collection, include)


@dataclass(frozen=True)
class _Vectors:
    """The chunk vectors of a collection in memory, normalised, for exact cosine search."""

    ids: list[str]
    sources: np.ndarray
    matrix: np.ndarray

    @classmethod
    def read(cls, collection: Any) -> _Vectors:
        ids: list[str] = []
        sources: list[str] = []
        rows: list[np.ndarray] = []
        for page in _raw_pages(collection, ["embeddings", "metadatas"]):
            ids += page["ids"]
            sources += [str((m or {}).get("source", "")) for m in page["metadatas"]]
            rows += [np.asarray(v, dtype=np.float32) for v in page["embeddings"]]
        if not rows:
            return cls([], np.array([]), np.zeros((0, 0), dtype=np.float32))
        matrix = np.vstack(rows)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return cls(ids, np.array(sources), matrix / np.where(norms == 0, 1.0, norms))

    def nearest(
        self, vector: np.ndarray, n: int, sources: Sequence[str] | None
    ) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the `n` nearest chunks, optionally within `sources`;
        ties keep the collection's order."""
        if not self.ids or n <= 0:
            return []
        norm = float(np.linalg.norm(vector)) or 1.0
        similarities = self.matrix @ (vector / norm)
        candidates = np.arange(len(self.ids))
        if sources is not None:
            candidates = candidates[np.isin(self.sources, list(sources))]
        order = candidates[np.argsort(-similarities[candidates], kind="stable")[:n]]
        return [(self.ids[i], float(similarities[i])) for i in order]


def _raw_pages(collection: Any, include: list[str]) -> Iterator[dict[str, Any]]:
    """A collection's records, a page of `_PAGE` at a time, as Chroma returns them."""
    offset = 0
    while True:
        page = collection.get(limit=_PAGE, offset=offset, include=include)
        if not page["ids"]:
            return
        yield page
        offset += len(page["ids"])


def _pages(collection: Any, include: list[str]) -> Iterator[tuple[str, dict[str, Any], str]]:
    for page in _raw_pages(collection, include):
        ids = page["ids"]
        metadatas = page.get("metadatas") or [{}] * len(ids)
        documents = page.get("documents") or [""] * len(ids)
        yield from zip(ids, metadatas, documents, strict=True)


# Chroma's clients of one folder or server share a system that the last one to close stops;
# creating one (look the system up, then count it) races with closing another in a second
# thread (the app switching to an index generation the indexer just closed): the new client
# gets a stopped or vanished system. Both steps are done under this lock.
_CLIENTS = threading.Lock()


def _client(settings: Settings, generation: Generation) -> Any:
    """A Chroma client: the server's, or an embedded one on the generation's folder."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            with _CLIENTS:
                return chromadb.HttpClient(
                    host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
                )
        except Exception as exc:
            raise ConfigurationError(
                f"Cannot reach the Chroma server at {_where(settings)}: {exc}"
            ) from exc
    with _CLIENTS:
        return chromadb.PersistentClient(path=str(generation.path), settings=chroma_settings)


def _get(client: Any, name: str) -> Any:
    """The named collection, or None where it does not exist."""
    try:
        return client.get_collection(name, embedding_function=None)
    except Exception:  # chromadb raises NotFoundError or ValueError depending on backend
        return None


def _close(client: Any) -> None:
    with _CLIENTS, contextlib.suppress(Exception):  # one that cannot close holds nothing
        client.close()


def _names(settings: Settings, generation: Generation) -> tuple[str, str]:
    """Names of the chunk and unit collections of a generation (a server holds several)."""
    base = settings.collection if generation.legacy else f"{settings.collection}-{generation.id}"
    return base, f"{base}-units"


def _lacks_units(settings: Settings) -> str:
    return (
        f"The index ({_where(settings)}) holds chunks but no sentence vectors (an interrupted "
        "build); answers from it would be worse. Finish it with: assistant index"
    )


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
