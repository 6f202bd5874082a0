"""Load test of the web app: many concurrent conversations through `/ask`, as the UI has them.

Usage:
    python evals/load_test.py --index-dir /tmp/load/index          # starts the app itself
    python evals/load_test.py --url http://127.0.0.1:7860/         # a running app
    python evals/load_test.py --index-dir /tmp/load/index --reindex-corpus /tmp/load/corpus2 \
        --rebuild                                                  # re-index while it runs

Each of `--sessions` clients (50) holds conversations of `--turns` questions (4): an opening
question drawn from the question sets (../shared/evals/*.jsonl), then vague follow-ups ("en tot
wanneer kan ik indienen?") that only make sense with the conversation, sent with the history as
the web app keeps it (the assistant's replies included, with their "sources"), until
`--questions` (1,000) have been asked in all. Reported: errors (exceptions, error replies),
refusals, follow-ups answered about another programme than the conversation's first answer,
latency p50/p95, overall and per phase (before, during and after each re-index run), and, for
`--replay` follow-ups asked again one at a time afterwards with the same history, how many got
another answer than under load: state leaking between concurrent sessions would show there
(after a re-index run some difference is expected: the index changed).

Not a unit test and not run in CI: it measures. Point the app at a copy of the index
(`--index-dir`); `--reindex-corpus DIR` runs `assistant index` once with a changed corpus and
`--rebuild` runs `assistant index --rebuild` once, each while the load goes on.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
EVALS = PROJECT.parent / "shared" / "evals"

# Follow-ups that name nothing: answered right, they stay on the conversation's programme.
VAGUE_FOLLOW_UPS = {
    "nl": (
        "en tot wanneer kan ik indienen?",
        "hoeveel subsidie kan ik dan krijgen?",
        "bij wie kan ik terecht met vragen?",
        "wie mag er aanvragen?",
        "hoe lang mag zo'n project duren?",
        "wat is het doel daarvan?",
    ),
    "en": (
        "and what is the deadline?",
        "how much funding can we get?",
        "whom can I contact about it?",
        "who can apply?",
    ),
}


@dataclass
class Result:
    """One question asked: who asked, what came back, how long it took."""

    session: int
    conversation: int
    turn: int
    question: str
    seconds: float
    phase: str
    kind: str = ""  # the reply's kind; "exception" when the call failed
    programme: str | None = None
    cited: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)  # as sent
    answer: str = ""


def load_openings(paths: list[Path]) -> list[tuple[str, str]]:
    """Opening questions (answerable, without history) with their language. The question sets'
    own follow-ups are not used: several change the topic on purpose ("en voor jeugd?")."""
    openings: list[tuple[str, str]] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            if record.get("answerable") and not record.get("history"):
                openings.append((str(record["question"]), str(record.get("lang", "nl"))))
    return openings


class Phases:
    """The phase the run is in ('steady', 'reindex', 'after-reindex', 'rebuild', …)."""

    def __init__(self) -> None:
        self._name = "steady"
        self._lock = threading.Lock()

    def set(self, name: str) -> None:
        with self._lock:
            self._name = name

    def get(self) -> str:
        with self._lock:
            return self._name


def run_session(
    url: str,
    session: int,
    questions: int,
    turns: int,
    openings: list[tuple[str, str]],
    follow_ups: dict[str, list[str]],
    phases: Phases,
    done: Counter[str],
    seed: int,
) -> list[Result]:
    """One client: conversations of `turns` questions until `questions` are asked."""
    from gradio_client import Client

    rng = random.Random(seed)
    client = Client(url, verbose=False)
    results: list[Result] = []
    conversation = 0
    while len(results) < questions:
        opening, language = rng.choice(openings)
        history: list[dict[str, Any]] = []
        for turn in range(min(turns, questions - len(results))):
            question = opening if turn == 0 else rng.choice(follow_ups[language])
            phase = phases.get()
            started = time.perf_counter()
            result = Result(session, conversation, turn, question, 0.0, phase, history=history)
            try:
                reply = client.predict(question, history, "", api_name="/ask")
                result.kind = str(reply.get("kind"))
                result.programme = reply.get("programme")
                result.cited = list(dict.fromkeys(c["file"] for c in reply.get("citations", [])))
                result.notes = list(reply.get("notes") or [])
                result.answer = str(reply.get("answer"))
                if result.kind == "error":
                    result.error = str(reply.get("answer"))[:200]
            except Exception as exc:  # a load test counts failures instead of stopping
                result.kind, result.error = "exception", f"{type(exc).__name__}: {exc}"[:300]
            result.seconds = time.perf_counter() - started
            results.append(result)
            done["asked"] += 1
            if result.kind in ("exception", "error", "refused"):
                break  # the UI does not build on a failed turn
            history = [
                *history,
                {"role": "user", "content": question},
                {"role": "assistant", "content": result.answer, "sources": result.cited},
            ]
        conversation += 1
    return results


def replay(url: str, results: list[Result], sample: int, seed: int) -> dict[str, Any]:
    """Ask a sample of the follow-ups again, one at a time, with the history they were sent
    with: an answer that differs from the one given under load means the concurrent requests
    influenced each other (one session's state in another's answer)."""
    from gradio_client import Client

    follow_ups = [r for r in results if r.turn > 0 and r.kind not in ("exception", "error")]
    chosen = random.Random(seed).sample(follow_ups, min(sample, len(follow_ups)))
    client = Client(url, verbose=False)
    differ: list[dict[str, Any]] = []
    for r in chosen:
        reply = client.predict(r.question, r.history, "", api_name="/ask")
        if reply.get("answer") != r.answer:
            cited = list(dict.fromkeys(c["file"] for c in reply.get("citations", [])))
            differ.append(
                {
                    "question": r.question,
                    "phase": r.phase,
                    "under_load": {"programme": r.programme, "cited": r.cited[:2]},
                    "alone": {"programme": reply.get("programme"), "cited": cited[:2]},
                }
            )
    steady = sum(1 for d in differ if d["phase"] == "steady")
    return {
        "replayed": len(chosen),
        "different_answers": len(differ),
        "different_answers_before_any_reindex": steady,
        "examples": differ[:5],
    }


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summarise(results: list[Result], seconds: float) -> dict[str, Any]:
    """The numbers the run is judged by."""
    by_conversation: dict[tuple[int, int], list[Result]] = {}
    for r in results:
        by_conversation.setdefault((r.session, r.conversation), []).append(r)
    compared = other_programme = other_document = no_programme = 0
    examples: list[dict[str, Any]] = []
    for turns in by_conversation.values():
        first = turns[0]
        if not first.programme:
            continue  # an abstained opening sets no programme to stay on
        for r in turns[1:]:
            if r.kind in ("exception", "error", "refused"):
                continue
            compared += 1
            if not r.programme:
                no_programme += 1
            elif r.programme != first.programme:
                other_programme += 1
                if len(examples) < 5:
                    examples.append(
                        {
                            "opening": first.question,
                            "programme": first.programme,
                            "follow_up": r.question,
                            "answered_about": r.programme,
                        }
                    )
            if r.cited and first.cited and r.cited[0] != first.cited[0]:
                other_document += 1
    latencies = [r.seconds for r in results if r.kind != "exception"]
    phases: dict[str, dict[str, float]] = {}
    for phase in dict.fromkeys(r.phase for r in results):
        values = [r.seconds for r in results if r.phase == phase and r.kind != "exception"]
        phases[phase] = {
            "questions": len(values),
            "p50_s": round(percentile(values, 50), 3),
            "p95_s": round(percentile(values, 95), 3),
        }
    kinds = Counter(r.kind for r in results)
    return {
        "questions": len(results),
        "conversations": len(by_conversation),
        "seconds": round(seconds, 1),
        "questions_per_second": round(len(results) / seconds, 2) if seconds else 0.0,
        "errors": kinds["exception"] + kinds["error"],
        "error_examples": [r.error for r in results if r.error][:5],
        "refused": kinds["refused"],
        "with_notes": sum(1 for r in results if r.notes),
        "follow_ups_compared": compared,
        "follow_ups_other_programme": other_programme,
        "follow_ups_without_programme": no_programme,
        "follow_ups_other_first_document": other_document,
        "other_programme_examples": examples,
        "latency_p50_s": round(percentile(latencies, 50), 3),
        "latency_p95_s": round(percentile(latencies, 95), 3),
        "latency_mean_s": round(statistics.fmean(latencies), 3) if latencies else 0.0,
        "latency_max_s": round(max(latencies), 3) if latencies else 0.0,
        "phases": phases,
        "kinds": dict(kinds),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_app(
    index_dir: Path, corpus: Path | None, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """`assistant serve` on a free port over `index_dir`; returns the process and its URL."""
    port = free_port()
    command = [sys.executable, "-m", "assistant.cli", "--index-dir", str(index_dir)]
    if corpus:
        command += ["--corpus", str(corpus)]
    command += ["serve", "--port", str(port)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 300
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The app stopped (see {log}).")
        try:
            with urllib.request.urlopen(f"{url}config", timeout=2):
                return process, url
        except OSError:
            time.sleep(1)
    process.terminate()
    raise SystemExit(f"The app did not start within 300 s (see {log}).")


def run_index(index_dir: Path, corpus: Path, rebuild: bool, log: Path) -> dict[str, Any]:
    """`assistant index` (or `index --rebuild`) on the app's index folder; its exit and time."""
    command = [sys.executable, "-m", "assistant.cli", "--index-dir", str(index_dir)]
    command += ["--corpus", str(corpus), "index"] + (["--rebuild"] if rebuild else [])
    started = time.perf_counter()
    with log.open("ab") as out:
        code = subprocess.call(command, cwd=PROJECT, stdout=out, stderr=out)
    return {
        "rebuild": rebuild,
        "exit_code": code,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="A running app; without it the app is started here.")
    parser.add_argument("--index-dir", type=Path, help="Index folder of the app started here.")
    parser.add_argument("--corpus", type=Path, default=PROJECT / "corpus")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--questions", type=int, default=1000, help="Questions in all.")
    parser.add_argument("--turns", type=int, default=4, help="Questions per conversation (≥3).")
    parser.add_argument(
        "--question-sets", type=Path, nargs="*", default=sorted(EVALS.glob("*.jsonl"))
    )
    parser.add_argument("--reindex-corpus", type=Path, help="Run `assistant index` on this corpus.")
    parser.add_argument("--rebuild", action="store_true", help="Run `index --rebuild` too.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--replay", type=int, default=200, help="Follow-ups asked again alone afterwards."
    )
    parser.add_argument("--out", type=Path, help="Write the report as JSON here.")
    args = parser.parse_args()
    if args.turns < 3:
        parser.error("--turns must be at least 3")
    if not args.url and not args.index_dir:
        parser.error("give --url of a running app, or --index-dir of a copy of the index")

    openings = load_openings(args.question_sets)
    if not openings:
        parser.error("no opening questions: give --question-sets (JSON Lines, FORMAT.md)")
    follow_ups = {language: list(questions) for language, questions in VAGUE_FOLLOW_UPS.items()}
    log = Path(args.out or "load-test").with_suffix(".log")
    process = None
    url = args.url
    if not url:
        process, url = start_app(args.index_dir, args.corpus, log)
    print(f"App at {url}; {args.sessions} sessions, {args.questions} questions.", flush=True)

    phases = Phases()
    done: Counter[str] = Counter()
    indexing: list[dict[str, Any]] = []

    def reindex() -> None:
        """Re-index while the load goes on: after a third, and (--rebuild) after two thirds."""
        plan = []
        if args.reindex_corpus:
            plan.append((args.questions // 3, "reindex", args.reindex_corpus, False))
        if args.rebuild:
            plan.append((2 * args.questions // 3, "rebuild", args.corpus, True))
        for at, name, corpus, rebuild in plan:
            while done["asked"] < at and not done["finished"]:
                time.sleep(0.5)
            if done["finished"]:
                return
            phases.set(name)
            print(f"{name}: assistant index{' --rebuild' if rebuild else ''} …", flush=True)
            indexing.append({"phase": name, **run_index(args.index_dir, corpus, rebuild, log)})
            phases.set(f"after-{name}")

    share = [args.questions // args.sessions] * args.sessions
    for i in range(args.questions % args.sessions):
        share[i] += 1
    watcher = threading.Thread(target=reindex, daemon=True)
    started = time.perf_counter()
    try:
        if args.index_dir and (args.reindex_corpus or args.rebuild):
            watcher.start()
        with ThreadPoolExecutor(args.sessions) as pool:
            futures = [
                pool.submit(
                    run_session,
                    url,
                    s,
                    share[s],
                    args.turns,
                    openings,
                    follow_ups,
                    phases,
                    done,
                    args.seed + s,
                )
                for s in range(args.sessions)
            ]
            results = [r for f in futures for r in f.result()]
        seconds = time.perf_counter() - started
        done["finished"] = 1
        if watcher.is_alive():
            watcher.join()
        print(f"{len(results)} questions in {seconds:.0f} s; replaying …", flush=True)
        replayed = replay(url, results, args.replay, args.seed) if args.replay else {}
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    report = summarise(results, seconds)
    report["replay_alone"] = replayed
    report["indexing"] = indexing
    report["settings"] = {k: v for k, v in vars(args).items() if k != "question_sets"} | {
        "question_sets": [str(p) for p in args.question_sets]
    }
    text = json.dumps(report, ensure_ascii=False, indent=2, default=str)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
        rows = [{k: v for k, v in asdict(r).items() if k != "history"} for r in results]
        args.out.with_suffix(".results.json").write_text(
            json.dumps(rows, ensure_ascii=False) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
