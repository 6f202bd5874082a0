"""Measure batch triage speed: N questions through `assistant triage --in` end to end.

Usage:
    python scripts/benchmark_triage.py --questions ../shared/evals/dev.jsonl --count 500

The question set's questions (their text only, no history) are repeated in order until there
are `count` of them and written to a CSV; the command then triages that file against the
configured index (ASSISTANT_* settings; build it first with `assistant index`). Reports the
wall time of the whole command (start-up, model loading and writing included) and of the
triage loop alone, and writes both to evals/benchmark-triage.{md,json}.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.evaluation import load_questions, percentile
from assistant.intake import read_incoming
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.triage import triage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--out", type=Path, default=Path("evals/benchmark-triage"))
    args = parser.parse_args()
    texts = [q.question for q in load_questions(args.questions)]
    batch = [texts[i % len(texts)] for i in range(args.count)]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "vragen.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "question"])
            writer.writerows((str(i + 1), text) for i, text in enumerate(batch))
        out = Path(tmp) / "triage.csv"
        command = [sys.executable, "-m", "assistant.cli", "triage", "--in", str(source)]
        started = time.perf_counter()
        subprocess.run([*command, "--out", str(out)], check=True, capture_output=True)
        command_s = time.perf_counter() - started
        with out.open(encoding="utf-8-sig", newline="") as handle:
            rows = sum(1 for _ in csv.DictReader(handle))
        assert rows == args.count, f"{rows} rows triaged of {args.count}"

        settings = Settings()  # type: ignore[call-arg]
        assistant = Assistant.open(settings)
        items, _ = read_incoming([source])
        triage(assistant, settings, "warm-up")
        per_question = []
        started = time.perf_counter()
        for item in items:
            one = time.perf_counter()
            triage(assistant, settings, item.question, item.history, item_id=item.id)
            per_question.append((time.perf_counter() - one) * 1000)
        loop_s = time.perf_counter() - started
    result = {
        "questions": args.count,
        "distinct_questions": len(set(batch)),
        "command_s": round(command_s, 1),
        "questions_per_minute_command": round(args.count / command_s * 60),
        "loop_s": round(loop_s, 1),
        "ms_per_question_p50": round(percentile(per_question, 50) or 0, 1),
        "ms_per_question_p95": round(percentile(per_question, 95) or 0, 1),
        "peak_rss_mb_in_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    lines = [
        f"Batch triage of {args.count} questions ({result['distinct_questions']} distinct, "
        f"from {args.questions.name}, repeated):",
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in result.items()),
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
