"""`assistant ask` and `assistant chat`, end to end on a real small index."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.settings import Settings
from tests.conftest import SMALL_CORPUS

pytestmark = pytest.mark.slow
runner = CliRunner()

KA210 = "Wie mag een aanvraag indienen voor een kleinschalig partnerschap (KA210)?"
KA210_FILE = "erasmus-ka210-kleinschalige-partnerschappen.txt"


def _options(settings: Settings) -> list[str]:
    return ["--corpus", str(settings.corpus_dir), "--index-dir", str(settings.index_dir)]


def _markers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def test_ask_prints_the_answer_and_its_sources(small_index: Settings) -> None:
    result = runner.invoke(app, [*_options(small_index), "ask", KA210, "--today", "2025-01-15"])
    assert result.exit_code == 0, result.output
    answer, _, sources = result.stdout.partition("\nBronnen\n")
    assert "[1]" in answer
    assert sources, result.stdout
    lines = sources.strip().splitlines()
    assert lines[0].startswith("[1] ")
    assert KA210_FILE in lines[0]
    for n, line in enumerate(lines, 1):  # one line per source: [n] title — section — file
        assert line.startswith(f"[{n}] ") and line.count(" — ") >= 2, line


def test_ask_json_is_the_api_object(small_index: Settings) -> None:
    result = runner.invoke(
        app, [*_options(small_index), "ask", KA210, "--json", "--today", "2025-01-15"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {"answer", "citations", "abstained", "programme"} <= payload.keys()
    assert payload["abstained"] is False
    assert payload["citations"][0]["file"] == KA210_FILE
    cited = {c["n"] for c in payload["citations"]}
    assert _markers(payload["answer"]) <= cited
    assert all(c["file"] in SMALL_CORPUS for c in payload["citations"])


@pytest.mark.parametrize(
    "question",
    [
        KA210,
        "Wanneer is de deadline voor de MSCA Postdoctoral Fellowships?",
        "Hoeveel subsidie krijg je voor een Erasmus+-jeugduitwisseling?",
        "Wat is de hoofdstad van Peru?",
    ],
)
def test_every_marker_points_at_a_citation(small_index: Settings, question: str) -> None:
    result = runner.invoke(app, [*_options(small_index), "ask", question, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    numbers = [c["n"] for c in payload["citations"]]
    assert numbers == list(range(1, len(numbers) + 1))
    assert _markers(payload["answer"]) <= set(numbers)


def test_ask_with_an_empty_question_is_a_one_line_error(small_index: Settings) -> None:
    result = runner.invoke(app, [*_options(small_index), "ask", "  "])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_ask_with_a_bad_date_is_a_one_line_error(small_index: Settings) -> None:
    result = runner.invoke(app, [*_options(small_index), "ask", KA210, "--today", "morgen"])
    assert result.exit_code == 1
    assert "YYYY-MM-DD" in result.output


def test_chat_answers_a_question_and_its_follow_up_until_end_of_input(
    small_index: Settings,
) -> None:
    lines = f"{KA210}\nen tot wanneer kan ik indienen?\n"
    result = runner.invoke(
        app, [*_options(small_index), "chat", "--today", "2025-01-15"], input=lines
    )
    assert result.exit_code == 0, result.output
    blocks = result.stdout.split("\nBronnen\n")
    assert len(blocks) == 3, result.stdout  # two answers, each with its sources
    assert "[1]" in blocks[0]
    follow_up_sources = blocks[2]
    # The follow-up is about KA210 without saying so: the conversation carries it.
    assert KA210_FILE in follow_up_sources
    assert re.search(
        r"\b\d{1,2} (?:januari|februari|maart|april|mei|juni|juli|augustus|"
        r"september|oktober|november|december) \d{4}",
        blocks[1] + blocks[2],
    )


def test_chat_stops_at_stop(small_index: Settings) -> None:
    result = runner.invoke(app, [*_options(small_index), "chat"], input=f"stop\n{KA210}\n")
    assert result.exit_code == 0, result.output
    assert "Bronnen" not in result.stdout
