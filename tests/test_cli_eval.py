"""The command line and the evaluation runner, end to end on a real small index."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import EXIT_SKIPPED, app
from assistant.errors import QuestionSetError
from assistant.evaluation import (
    CATEGORIES,
    SUMMARY_KEYS,
    load_questions,
    normalise,
    percentile,
)
from assistant.settings import Settings
from tests.conftest import copy_corpus

pytestmark = pytest.mark.slow
runner = CliRunner()


def _options(settings: Settings) -> list[str]:
    return ["--corpus", str(settings.corpus_dir), "--index-dir", str(settings.index_dir)]


def test_index_command_reports_and_is_idempotent(make_settings, monkeypatch) -> None:
    settings = make_settings()
    monkeypatch.setenv("ASSISTANT_EMBEDDING_CACHE_DIR", str(settings.embedding_cache_dir))
    copy_corpus(settings.corpus_dir, ("cerv-stedenbanden-2024.md",))
    first = runner.invoke(app, [*_options(settings), "index"])
    assert first.exit_code == 0, first.output
    assert "Indexed 1 documents" in first.output
    second = runner.invoke(app, [*_options(settings), "index"])
    assert second.exit_code == 0
    assert "nothing written" in second.output


def test_index_command_exit_code_says_something_was_skipped(make_settings, monkeypatch) -> None:
    settings = make_settings()
    monkeypatch.setenv("ASSISTANT_EMBEDDING_CACHE_DIR", str(settings.embedding_cache_dir))
    copy_corpus(settings.corpus_dir, ("cerv-stedenbanden-2024.md",))
    (settings.corpus_dir / "binair.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00")
    result = runner.invoke(app, [*_options(settings), "index"])
    assert result.exit_code == EXIT_SKIPPED
    assert "binair.txt" in result.output


def test_search_prints_title_section_file_and_score(small_index: Settings) -> None:
    result = runner.invoke(
        app, [*_options(small_index), "search", "wie mag een aanvraag indienen voor KA210?"]
    )
    assert result.exit_code == 0, result.output
    assert "erasmus-ka210-kleinschalige-partnerschappen.txt" in result.output
    assert "score" in result.output


def test_search_json_and_programme_filter(small_index: Settings) -> None:
    result = runner.invoke(
        app, [*_options(small_index), "search", "deadline", "--json", "--programme", "CERV"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [d["file"] for d in payload] == ["cerv-stedenbanden-2024.md"]
    assert payload[0]["passages"][0]["section"] is not None


def test_search_without_index_is_a_one_line_error(make_settings) -> None:
    result = runner.invoke(app, [*_options(make_settings()), "search", "deadline"])
    assert result.exit_code == 1
    assert "assistant index" in result.output
    assert "Traceback" not in result.output


def test_eval_writes_the_contract_report(small_index: Settings, tmp_path: Path) -> None:
    questions = tmp_path / "vragen.jsonl"
    lines = [
        {
            "id": "q1",
            "question": "Hoe oud moeten jongeren zijn voor een jeugduitwisseling?",
            "answerable": True,
            "expected_sources": ["erasmus-jeugd-ka152-groepsuitwisselingen.html"],
            "expected_facts": [["13"]],
            "category": "eligibility",
            "route": ["JINT"],
            "lang": "nl",
        },
        {
            "id": "q2",
            "question": "en tot wanneer kan ik indienen?",
            "history": [
                {"role": "user", "content": "Vertel me over stedenbanden voor gemeenten"},
                {"role": "assistant", "content": "..."},
            ],
            "answerable": True,
            "expected_sources": ["cerv-stedenbanden-2024.md"],
            "expected_facts": [],
            "category": "deadline",
            "route": [],
            "lang": "nl",
        },
        {
            "id": "q3",
            "question": "Hoeveel kost een treinticket naar Parijs?",
            "answerable": False,
            "expected_sources": [],
            "expected_facts": [],
            "category": "other",
            "route": [],
            "lang": "nl",
        },
    ]
    questions.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    out = tmp_path / "report.json"
    args = [*_options(small_index), "eval", "--questions", str(questions), "--out", str(out)]
    cheap = runner.invoke(app, [*args, "--retrieval-only"])
    assert cheap.exit_code == 0, cheap.output
    cheap_report = json.loads(out.read_text(encoding="utf-8"))
    assert cheap_report["summary"]["hit@1"] == 1.0
    assert cheap_report["summary"]["fact_accuracy"] is None
    assert cheap_report["summary"]["route_accuracy"] is None

    result = runner.invoke(app, [*args, "--today", "2024-06-01"])
    assert result.exit_code == 0, result.output
    assert "hit@1" in result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert tuple(report["summary"]) == SUMMARY_KEYS
    assert report["summary"]["hit@1"] == 1.0
    for metric in ("fact_accuracy", "citation_accuracy", "abstain_recall", "latency_ms_p50"):
        assert isinstance(report["summary"][metric], float), metric
    # triage: the youth exchange goes to JINT, and every category is predicted
    assert report["summary"]["route_accuracy"] == 1.0
    assert report["questions"][0]["route"] and "JINT" in report["questions"][0]["route"]
    assert report["summary"]["category_accuracy"] is not None
    assert {r["category"] for r in report["questions"]} <= set(CATEGORIES)
    assert "route_accuracy" in result.output
    assert all(r["answer"] for r in report["questions"])
    assert all(r["dangling_citations"] == 0 for r in report["questions"])
    markdown = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "| fact_accuracy |" in markdown and "report.png" in markdown
    assert out.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
    records = report["questions"]
    assert [r["id"] for r in records] == ["q1", "q2", "q3"]
    required = {
        "id",
        "retrieved",
        "answer",
        "cited",
        "dangling_citations",
        "abstained",
        "route",
        "category",
        "latency_ms",
        "ok",
    }
    assert all(required <= set(r) for r in records)
    assert len(records[0]["retrieved"]) == 6  # every document of the small corpus, best first
    assert records[1]["ok"]["hit@1"] is True


def test_eval_and_triage_batch_show_progress_beside_their_output(
    small_index: Settings, tmp_path: Path, monkeypatch
) -> None:
    """With a terminal the bars are drawn on stderr; the report and --json output are intact."""
    from rich.console import Console

    from assistant import cli

    shown = io.StringIO()
    monkeypatch.setattr(
        cli, "errors", Console(file=shown, force_terminal=True, color_system=None, width=100)
    )
    questions = tmp_path / "vragen.jsonl"
    lines = [
        {"id": "a", "question": "Wie mag stedenbanden aanvragen?", "answerable": True,
         "expected_sources": ["cerv-stedenbanden-2024.md"], "category": "eligibility"},
        {"id": "b", "question": "Hoeveel kost een treinticket?", "answerable": False},
    ]  # fmt: skip
    questions.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    out = tmp_path / "report.json"
    args = [*_options(small_index), "eval", "--questions", str(questions), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert re.search(r"Questions\s+━+ 2/2", shown.getvalue()), shown.getvalue()
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in report["questions"]] == ["a", "b"]
    assert report["summary"]["hit@1"] == 1.0

    batch = tmp_path / "vragen.csv"
    batch.write_text("id,question\n1,Wie mag stedenbanden aanvragen?\n", encoding="utf-8")
    command = ["triage", "--in", str(batch), "--out", str(tmp_path / "t.csv"), "--json"]
    result = runner.invoke(app, [*_options(small_index), *command])
    assert result.exit_code == 0, result.output
    assert re.search(r"Triage\s+━+ 1/1", shown.getvalue()), shown.getvalue()
    assert [r["id"] for r in json.loads(result.stdout)] == ["1"]


def test_question_set_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "question": "x", "answerable": true}\n{not json}\n', "utf-8")
    with pytest.raises(QuestionSetError, match=r"bad.jsonl:2"):
        load_questions(bad)


def test_shared_dev_set_parses() -> None:
    dev = Path(__file__).resolve().parents[2] / "shared" / "evals" / "dev.jsonl"
    if not dev.exists():
        pytest.skip("shared dev set not present beside the project")
    questions = load_questions(dev)
    assert len(questions) >= 80
    assert any(q.history for q in questions)


def test_matching_and_percentiles() -> None:
    assert normalise("  19  Februari\u00a02025 ") == "19 februari 2025"
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([], 50) is None
