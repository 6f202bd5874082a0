"""Measure the first run: `assistant serve` on a fresh copy of the corpus, no index, no cache.

Usage:
    python scripts/benchmark_first_run.py [--corpus corpus] [--out evals/first-run.json]

Copies the corpus to a temporary folder and starts `assistant serve` there on a free port of
127.0.0.1, as a fresh clone's first run does: ASSISTANT_INDEX_DIR points at an empty folder
and the embedding cache (which lives beside the index) is empty too, so every text is embedded.
Reports the seconds the index build took (as the command reports it), and from the command's
start until the index is built, until the app says it runs, and until it has answered one
question through its /ask API; then stops the app as Ctrl+C does.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

QUESTION = "Wie mag een aanvraag indienen voor een kleinschalig partnerschap (KA210)?"
TIMEOUT_S = 1800


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--out", type=Path, help="Also write the numbers to this JSON file.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="first-run-") as tmp:
        root = Path(tmp)
        corpus = shutil.copytree(args.corpus, root / "corpus")
        result = measure(corpus, root)
    result["cpus"] = os.cpu_count()
    lines = [
        f"First run of `assistant serve` on {result['documents']} documents "
        f"({result['chunks']} chunks), {result['cpus']} CPUs, no index and no embedding cache:",
        "",
        "| measure | seconds |",
        "|---|---|",
        f"| index build (as the command reports it) | {result['index_build_s']} |",
        f"| command start → index built | {result['until_index_s']} |",
        f"| command start → app running | {result['until_running_s']} |",
        f"| command start → first answer through /ask | {result['until_answer_s']} |",
    ]
    print("\n".join(lines))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def measure(corpus: Path, root: Path) -> dict[str, float | int | None]:
    """Start `assistant serve` over `corpus` with everything else empty under `root`; time it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env |= {
        "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_INDEX_DIR": str(root / "index"),
        "ASSISTANT_FEEDBACK_DB": str(root / "feedback.sqlite3"),
        "GRADIO_TEMP_DIR": str(root / "gradio"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    port = _free_port()
    command = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)]
    started = time.perf_counter()
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert server.stdout is not None
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    threading.Thread(target=_read, args=(server.stdout, lines, started), daemon=True).start()
    try:
        until_index, built = _wait_for(
            lines, server, r"Index built in (\d+) s: (\d+) documents, (\d+)"
        )
        until_running, running = _wait_for(lines, server, r"running on (\S+)")
        from gradio_client import Client

        reply = Client(running.group(1), verbose=False).predict(QUESTION, "[]", api_name="/ask")
        until_answer = time.perf_counter() - started
        assert "[1]" in reply["answer"], reply
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return {
        "documents": int(built.group(2)),
        "chunks": int(built.group(3)),
        "index_build_s": int(built.group(1)),
        "until_index_s": round(until_index, 1),
        "until_running_s": round(until_running, 1),
        "until_answer_s": round(until_answer, 1),
    }


def _read(stream: IO[str], lines: queue.Queue[tuple[float, str]], started: float) -> None:
    """Pass the command's output on (to stderr) and queue each line with its time."""
    for line in stream:
        sys.stderr.write(line)
        lines.put((time.perf_counter() - started, line))


def _wait_for(
    lines: queue.Queue[tuple[float, str]], server: subprocess.Popen[str], pattern: str
) -> tuple[float, re.Match[str]]:
    """The time and match of the first output line that matches `pattern`."""
    deadline = time.perf_counter() + TIMEOUT_S
    while time.perf_counter() < deadline:
        try:
            at, line = lines.get(timeout=1)
        except queue.Empty:
            if server.poll() is not None:
                raise SystemExit(
                    f"assistant serve stopped (exit code {server.returncode})"
                ) from None
            continue
        found = re.search(pattern, line)
        if found:
            return at, found
    raise SystemExit(f"no line matching {pattern!r} within {TIMEOUT_S} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    main()
