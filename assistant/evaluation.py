"""The question-set runner: reads the documented JSONL format, measures, writes the report."""

from __future__ import annotations

import json
import re
import statistics
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import QuestionSetError
from assistant.triage import Triage
from assistant.types import Answer, DocumentHit, Turn

SUMMARY_KEYS = (
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr@10",
    "fact_accuracy",
    "citation_accuracy",
    "false_abstain_rate",
    "abstain_recall",
    "answer_words_p50",
    "route_accuracy",
    "category_accuracy",
    "latency_ms_p50",
    "latency_ms_p95",
)
CATEGORIES = ("eligibility", "objectives", "deadline", "budget", "contact", "application", "other")
RETRIEVED_DOCUMENTS = 10


@dataclass(frozen=True)
class Question:
    """One line of a question set."""

    id: str
    question: str
    answerable: bool
    expected_sources: tuple[str, ...]
    expected_facts: tuple[tuple[str, ...], ...]
    category: str | None
    route: tuple[str, ...]
    lang: str
    history: tuple[Turn, ...] = ()


@dataclass
class QuestionResult:
    """What the runner measured for one question (the report's `questions` record)."""

    id: str
    retrieved: list[str]
    answer: str | None = None
    cited: list[str] = field(default_factory=list)
    dangling_citations: int = 0
    abstained: bool | None = None
    route: str | None = None
    category: str | None = None
    latency_ms: float = 0.0
    ok: dict[str, bool] = field(default_factory=dict)
    reciprocal_rank: float = 0.0
    search_query: str = ""
    fallback: str | None = None  # why a language model's reply was replaced by the offline one


def load_questions(path: Path) -> list[Question]:
    """Read a question set; raises QuestionSetError naming the line that breaks the format."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionSetError(f"Cannot read question set {path}: {exc}") from exc
    questions: list[Question] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            question = _parse_question(json.loads(line))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise QuestionSetError(f"{path}:{number}: not a valid question ({exc})") from exc
        if question.id in seen:
            raise QuestionSetError(f"{path}:{number}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise QuestionSetError(f"{path} holds no questions")
    return questions


def _parse_question(raw: dict[str, Any]) -> Question:
    if not isinstance(raw, dict):
        raise TypeError("a line must be a JSON object")
    if not str(raw["question"]).strip():
        raise ValueError("empty question")
    history = tuple(
        Turn(str(turn["role"]), str(turn["content"])) for turn in raw.get("history") or []
    )
    category = raw.get("category")
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    return Question(
        id=str(raw["id"]),
        question=str(raw["question"]),
        answerable=bool(raw["answerable"]),
        expected_sources=tuple(str(s) for s in raw.get("expected_sources") or []),
        expected_facts=tuple(
            tuple(str(f) for f in fact) for fact in raw.get("expected_facts") or []
        ),
        category=category,
        route=tuple(str(r) for r in raw.get("route") or []),
        lang=str(raw.get("lang") or "nl"),
        history=history,
    )


def normalise(text: str) -> str:
    """FORMAT.md's matching form: NFKC, case-folded, white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def contains_any(text: str, forms: Sequence[str]) -> bool:
    """Whether one of the acceptable forms is a substring of `text` (after normalising both)."""
    haystack = normalise(text)
    return any(normalise(form) in haystack for form in forms)


def search_query_for(question: Question) -> str:
    """The retrieval query for a question.

    Until the conversation logic exists, a follow-up is searched with its conversation's last
    user turn prepended, so it is about the same programme.
    """
    earlier = [turn.content for turn in question.history if turn.role == "user"]
    return f"{earlier[-1]} {question.question}" if earlier else question.question


def score_retrieval(result: QuestionResult, question: Question) -> None:
    """Fill in hit@k and reciprocal rank against the expected sources."""
    expected = {_base_name(s) for s in question.expected_sources}
    ranks = [i for i, source in enumerate(result.retrieved, 1) if _base_name(source) in expected]
    first = ranks[0] if ranks else None
    for k in (1, 3, 5):
        result.ok[f"hit@{k}"] = first is not None and first <= k
    result.ok["mrr@10"] = first is not None and first <= 10
    result.reciprocal_rank = 1.0 / first if first is not None and first <= 10 else 0.0


def _base_name(source: str) -> str:
    return source.rsplit("/", 1)[-1]


Searcher = Callable[[str], list[DocumentHit]]
# Answers a question; a triage (the answer with its routing and category) is scored for both.
Answerer = Callable[[Question], "Answer | Triage"]
_MARKER = re.compile(r"\[(\d+)\]")


def run_retrieval(
    questions: Sequence[Question], search: Searcher, progress: Callable[[], None] | None = None
) -> list[QuestionResult]:
    """Search every question once (after one warm-up search) and score the answerable ones.

    The cheap path: no answer is composed. Follow-ups are searched with their history's last
    user turn prepended. `progress` is called after each question.
    """
    search("warm-up")
    results = []
    for question in questions:
        query = search_query_for(question)
        started = time.perf_counter()
        documents = search(query)
        elapsed = (time.perf_counter() - started) * 1000
        result = QuestionResult(
            id=question.id,
            retrieved=[d.source for d in documents],
            latency_ms=round(elapsed, 2),
            search_query=query,
        )
        if question.answerable:
            score_retrieval(result, question)
        results.append(result)
        if progress is not None:
            progress()
    return results


def run_answers(
    questions: Sequence[Question], answer: Answerer, progress: Callable[[], None] | None = None
) -> list[QuestionResult]:
    """Answer every question through the user's code path (history included) and score it;
    `progress` is called after each question."""
    if questions:
        answer(questions[0])  # warm-up: latency is measured warm
    results = []
    for question in questions:
        started = time.perf_counter()
        response = answer(question)
        elapsed = (time.perf_counter() - started) * 1000
        triaged = response if isinstance(response, Triage) else None
        reply = triaged.answer if triaged else response
        assert isinstance(reply, Answer)
        numbers = {c.n: c.source for c in reply.citations}
        markers = [int(m) for m in _MARKER.findall(reply.text)]
        result = QuestionResult(
            id=question.id,
            retrieved=list(reply.retrieved),
            answer=reply.text,
            cited=[numbers[m] for m in markers if m in numbers],
            dangling_citations=sum(1 for m in markers if m not in numbers),
            abstained=reply.abstained,
            route=triaged.organisation if triaged else None,
            category=triaged.category if triaged else None,
            latency_ms=round(elapsed, 2),
            search_query=question.question,
            fallback=reply.fallback,
        )
        score_answer(result, question)
        if triaged:
            score_triage(result, question)
        results.append(result)
        if progress is not None:
            progress()
    return results


# Kinds of question whose fact the reply's first sentence states.
_STATED_FIRST = ("deadline", "budget", "contact")


def score_answer(result: QuestionResult, question: Question) -> None:
    """Fill in the answer metrics of one question (and its retrieval metrics)."""
    if question.answerable:
        score_retrieval(result, question)
        answer = result.answer or ""
        result.ok["fact_accuracy"] = all(contains_any(answer, f) for f in question.expected_facts)
        expected = {_base_name(s) for s in question.expected_sources}
        result.ok["citation_accuracy"] = (
            any(_base_name(s) in expected for s in result.cited) and result.dangling_citations == 0
        )
        result.ok["false_abstain"] = bool(result.abstained)
        if question.category in _STATED_FIRST and question.expected_facts:
            first = answer.split("[", 1)[0]  # the reply up to its first marker
            result.ok["first_sentence_fact_accuracy"] = all(
                contains_any(first, f) for f in question.expected_facts
            )
    else:
        result.ok["abstain_recall"] = bool(result.abstained)


def score_triage(result: QuestionResult, question: Question) -> None:
    """Route and category against the question's own, where it has them."""
    if question.route:
        result.ok["route_accuracy"] = contains_any(result.route or "", question.route)
    if question.category:
        result.ok["category_accuracy"] = result.category == question.category


def summarise(questions: Sequence[Question], results: Sequence[QuestionResult]) -> dict[str, Any]:
    """The report's `summary`: every metric of FORMAT.md, null where its part does not exist."""
    summary: dict[str, Any] = {key: None for key in SUMMARY_KEYS}
    answerable = [r for q, r in zip(questions, results, strict=True) if q.answerable]
    if answerable:
        for k in (1, 3, 5):
            summary[f"hit@{k}"] = _mean(r.ok[f"hit@{k}"] for r in answerable)
        summary["mrr@10"] = _mean(r.reciprocal_rank for r in answerable)
    answered = [r for r in results if r.answer is not None]
    if answered:
        answered_ok = [r for r in answerable if r.answer is not None]
        if answered_ok:
            summary["fact_accuracy"] = _mean(r.ok["fact_accuracy"] for r in answered_ok)
            summary["citation_accuracy"] = _mean(r.ok["citation_accuracy"] for r in answered_ok)
            summary["false_abstain_rate"] = _mean(r.ok["false_abstain"] for r in answered_ok)
            summary["answer_words_p50"] = percentile(
                [len((r.answer or "").split()) for r in answered_ok], 50
            )
        unanswerable = [
            r for q, r in zip(questions, results, strict=True) if not q.answerable and r.answer
        ]
        if unanswerable:
            summary["abstain_recall"] = _mean(r.ok["abstain_recall"] for r in unanswerable)
        for metric in ("route_accuracy", "category_accuracy"):
            scored = [r.ok[metric] for r in results if metric in r.ok]
            if scored:
                summary[metric] = _mean(scored)
        latencies = [r.latency_ms for r in answered]
        summary["latency_ms_p50"] = percentile(latencies, 50)
        summary["latency_ms_p95"] = percentile(latencies, 95)
    return summary


def first_sentence_fact_accuracy(results: Sequence[QuestionResult]) -> float | None:
    """The share of deadline, budget and contact questions whose reply states every expected
    fact before its first marker (outside the format's summary, whose keys are fixed)."""
    scored = [
        r.ok["first_sentence_fact_accuracy"]
        for r in results
        if "first_sentence_fact_accuracy" in r.ok
    ]
    return _mean(scored) if scored else None


# The kinds of reasons validation and llm.LLMWriter give, without their values.
_FALLBACK_KINDS = (
    "reply leaves out",
    "unsupported date",
    "unsupported amount",
    "unsupported call code",
    "unsupported contact detail",
    "marker",
    "no citation marker",
    "empty reply",
    "reply says nothing",
    "reply not in the question's language",
    "reply not grounded",
    "language model failed",
)


def fallbacks(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """How often a language model's reply was replaced by the offline answer, and why (the
    reason's kind: "unsupported date", "language model failed", …)."""
    answered = [r for r in results if r.answer is not None and not r.abstained]
    reasons: dict[str, int] = {}
    for r in answered:
        if r.fallback:
            kind = next((k for k in _FALLBACK_KINDS if r.fallback.startswith(k)), r.fallback)
            reasons[kind] = reasons.get(kind, 0) + 1
    replaced = sum(reasons.values())
    return {
        "answers": len(answered),
        "fallback_share": replaced / len(answered) if answered else None,
        "reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
    }


def by_category(
    questions: Sequence[Question], results: Sequence[QuestionResult]
) -> dict[str, dict[str, Any]]:
    """Retrieval metrics per question category (answerable questions only)."""
    table: dict[str, dict[str, Any]] = {}
    for category in sorted({q.category or "other" for q in questions}):
        pairs = [
            (q, r)
            for q, r in zip(questions, results, strict=True)
            if (q.category or "other") == category and q.answerable
        ]
        if not pairs:
            continue
        table[category] = {"n": len(pairs)} | summarise(
            [q for q, _ in pairs], [r for _, r in pairs]
        )
    return table


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation, or None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(sorted(values), n=100, method="inclusive")[int(q) - 1])


def _mean(values: Any) -> float:
    items = [float(v) for v in values]
    return round(sum(items) / len(items), 4) if items else 0.0


def build_report(
    questions: Sequence[Question],
    results: Sequence[QuestionResult],
    settings_used: dict[str, Any],
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """The JSON report of FORMAT.md's runner contract, plus per-category metrics and notes."""
    latency = [r.latency_ms for r in results]
    return {
        "summary": summarise(questions, results),
        "by_category": by_category(questions, results),
        "first_sentence_fact_accuracy": first_sentence_fact_accuracy(results),
        "latency_ms": {"p50": percentile(latency, 50), "p95": percentile(latency, 95)},
        "notes": list(notes),
        "settings": settings_used,
        "questions": [question_record(r) for r in results],
    }


def question_record(result: QuestionResult) -> dict[str, Any]:
    """One question's record of the report (FORMAT.md's keys, and the search query)."""
    return {
        "id": result.id,
        "retrieved": result.retrieved,
        "answer": result.answer,
        "cited": result.cited,
        "dangling_citations": result.dangling_citations,
        "abstained": result.abstained,
        "route": result.route,
        "category": result.category,
        "latency_ms": result.latency_ms,
        "ok": result.ok,
        "fallback": result.fallback,
        "search_query": result.search_query,
    }


def write_report(report: dict[str, Any], path: Path) -> None:
    """Write the report as UTF-8 JSON, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_markdown(report: dict[str, Any], path: Path) -> None:
    """A Markdown report beside the JSON: summary, per-category table, and a plot (PNG) of
    per-category scores and the latency histogram."""
    plot = path.with_suffix(".png")
    _plot(report, plot)
    summary = report["summary"]
    lines = [
        "# Evaluation report",
        "",
        f"Question set: `{report['settings'].get('questions', '')}`; embedding model "
        f"`{report['settings'].get('embedding_model', '')}`, fusion "
        f"`{report['settings'].get('fusion', '')}`.",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [f"| {k} | {format_metric(v)} |" for k, v in summary.items()]
    metrics = [m for m in ("hit@1", "hit@5", "mrr@10", "fact_accuracy", "citation_accuracy")
               if summary.get(m) is not None]  # fmt: skip
    lines += ["", "| category | n | " + " | ".join(metrics) + " |",
              "|---|---|" + "---|" * len(metrics)]  # fmt: skip
    for name, values in report["by_category"].items():
        cells = " | ".join(format_metric(values.get(m)) for m in metrics)
        lines.append(f"| {name} | {values['n']} | {cells} |")
    lines += ["", f"![per-category scores and latency]({plot.name})", ""]
    lines += [f"- {note}" for note in report.get("notes", [])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def format_metric(value: Any) -> str:
    """A metric as the Markdown reports print it."""
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt

    categories = list(report["by_category"])
    metrics = [m for m in ("hit@1", "fact_accuracy") if report["summary"].get(m) is not None]
    figure, (bars, histogram) = plt.subplots(1, 2, figsize=(11, 4))
    width = 0.8 / max(1, len(metrics))
    for i, metric in enumerate(metrics):
        values = [report["by_category"][c].get(metric) or 0.0 for c in categories]
        positions = [x + i * width for x in range(len(categories))]
        bars.bar(positions, values, width, label=metric)
    bars.set_xticks([x + width * (len(metrics) - 1) / 2 for x in range(len(categories))])
    bars.set_xticklabels(categories, rotation=30, ha="right")
    bars.set_ylim(0, 1.05)
    bars.set_title("per category")
    bars.legend()
    latencies = [q["latency_ms"] for q in report["questions"]]
    histogram.hist(latencies, bins=20)
    histogram.set_title("latency per question (ms)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
