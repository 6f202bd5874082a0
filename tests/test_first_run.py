"""`assistant serve` and `python ui.py` as started from a terminal: the first run builds the index
with progress bars before the app starts; no share hint. Real servers on 127.0.0.1."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.settings import Settings
from tests.conftest import PROJECT, copy_corpus
from tests.test_ui import free_port

pytestmark = pytest.mark.slow

CERV = "cerv-stedenbanden-2024.md"
START_TIMEOUT_S = 300


@contextmanager
def serving(command: list[str], settings: Settings, tmp: Path) -> Iterator[tuple[str, list[str]]]:
    """Run a server command with ASSISTANT_* pointed at `settings`; yields its URL and its
    output lines so far (stdout and stderr), and stops it as Ctrl+C does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env |= {
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_EMBEDDING_CACHE_DIR": str(settings.embedding_cache_dir),
        "ASSISTANT_FEEDBACK_DB": str(tmp / "feedback.sqlite3"),
        "GRADIO_TEMP_DIR": str(tmp / "gradio"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(
        command,
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # a child of a non-interactive shell may inherit an ignored SIGINT: let Ctrl+C work
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    assert server.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(server.stdout or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        url = None
        while url is None:
            found = [re.search(r"running on (\S+)", line) for line in list(lines)]
            url = next((m.group(1) for m in found if m), None)
            if url is None:
                assert server.poll() is None, "".join(lines)
                assert time.monotonic() < deadline, "".join(lines)
                time.sleep(0.2)
        yield url, lines
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        reader.join(timeout=5)
    assert server.returncode == 0, "".join(lines)


def _position(lines: list[str], text: str) -> int:
    return next(i for i, line in enumerate(lines) if text in line)


def test_first_serve_builds_the_index_with_progress_then_answers(
    make_settings, tmp_path: Path
) -> None:
    settings = make_settings()
    copy_corpus(settings.corpus_dir, (CERV,))
    (settings.corpus_dir / "binair.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    port = str(free_port())
    command = [sys.executable, "-m", "assistant.cli", "serve", "--port", port]
    with serving(command, settings, tmp_path) as (url, lines):
        from gradio_client import Client

        reply = Client(url, verbose=False).predict(
            "Tot wanneer kan een gemeente een stedenband indienen?", "[]", api_name="/ask"
        )
    assert url == f"http://127.0.0.1:{port}/"
    assert reply["citations"] and reply["citations"][0]["file"] == CERV
    output = "".join(lines)
    # before, the stages as bars, the broken document, after (with its time), then the address
    order = [
        _position(lines, "First run: no index yet. Building it from the 2 files in"),
        _position(lines, "Embedding chunks"),
        _position(lines, "Embedding sentences"),
        _position(lines, "Skipped binair.txt: "),
        _position(lines, "Index built in"),
        _position(lines, "Web app running on"),
    ]
    assert order == sorted(order), output
    assert re.search(r"Index built in \d+ s: 1 documents, \d+ chunks\.", output), output
    assert re.search(r"Embedding chunks\s+━+ (\d+)/\1 ", output), output
    assert "share" not in output.lower(), output  # no hint to publish an offline tool


def test_ui_py_starts_at_once_on_a_built_index(small_index: Settings, tmp_path: Path) -> None:
    command = [sys.executable, "ui.py", "--port", str(free_port())]
    with (
        serving(command, small_index, tmp_path) as (url, lines),
        urllib.request.urlopen(url, timeout=30) as page,
    ):
        assert page.status == 200
    output = "".join(lines)
    assert "First run" not in output and "Embedding" not in output, output
    assert "share" not in output.lower(), output
