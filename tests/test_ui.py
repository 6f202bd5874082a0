"""The web app: its /ask API through gradio_client on a real server, and the sources panel."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.service import turns_from
from assistant.settings import Settings
from assistant.types import Answer, Citation
from assistant.webapp import (
    build_app,
    highlighted_snippet,
    history_items,
    remembered,
    sources_html,
)
from tests.conftest import SMALL_CORPUS

KA210 = "Wie mag een aanvraag indienen voor een kleinschalig partnerschap (KA210)?"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_app(settings: Settings, tmp: Path) -> Iterator[str]:
    """Serve the app on a free local port in a thread; yields its URL, closes it at the end."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HF_HUB_OFFLINE", "1")
        env.setenv("GRADIO_ANALYTICS_ENABLED", "False")
        if "GRADIO_TEMP_DIR" not in os.environ:
            env.setenv("GRADIO_TEMP_DIR", str(tmp / "gradio"))
        port = free_port()
        app = build_app(settings)
        app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
        try:
            yield f"http://127.0.0.1:{port}/"
        finally:
            app.close()


@pytest.fixture(scope="module")
def client(small_index: Settings, tmp_path_factory: pytest.TempPathFactory):
    from gradio_client import Client

    tmp = tmp_path_factory.mktemp("ui")
    settings = small_index.model_copy(update={"feedback_db": tmp / "feedback.sqlite3"})
    with running_app(settings, tmp) as url:
        yield Client(url, verbose=False)


@pytest.mark.slow
def test_ask_endpoint_answers_with_citations(client) -> None:
    result = client.predict(KA210, "[]", api_name="/ask")
    assert isinstance(result, dict)
    assert {"answer", "citations", "abstained", "programme"} <= result.keys()
    assert result["abstained"] is False
    assert "[1]" in result["answer"]
    assert result["citations"][0]["file"] in SMALL_CORPUS
    assert all(c["file"] in SMALL_CORPUS for c in result["citations"])


@pytest.mark.slow
def test_ask_endpoint_takes_history_as_json_or_list(client) -> None:
    history = [
        {"role": "user", "content": KA210},
        {"role": "assistant", "content": "Elke organisatie uit een EU-lidstaat [1]."},
    ]
    follow_up = "en tot wanneer kan ik indienen?"
    as_json = client.predict(follow_up, json.dumps(history), api_name="/ask")
    as_list = client.predict(follow_up, history, api_name="/ask")
    assert as_json == as_list
    assert "erasmus-ka210-kleinschalige-partnerschappen.txt" in {
        c["file"] for c in as_json["citations"]
    }


@pytest.mark.slow
def test_ask_endpoint_keeps_the_topic_an_earlier_answer_cited(client) -> None:
    history = [
        {"role": "user", "content": "Welke projecten zijn er voor jongeren?"},
        {
            "role": "assistant",
            "content": "Er zijn verschillende mogelijkheden [1].",
            "sources": ["cerv-stedenbanden-2024.md"],
        },
    ]
    result = client.predict("en tot wanneer kan ik indienen?", history, api_name="/ask")
    assert result["citations"][0]["file"] == "cerv-stedenbanden-2024.md"
    # without the earlier answer's sources the vague question decides: not stedenbanden
    without = [history[0], {k: v for k, v in history[1].items() if k != "sources"}]
    plain = client.predict("en tot wanneer kan ik indienen?", without, api_name="/ask")
    assert plain["citations"][0]["file"] != "cerv-stedenbanden-2024.md"
    assert (
        client.predict("en tot wanneer kan ik indienen?", json.dumps(history), api_name="/ask")
        == result
    )


def test_the_session_history_keeps_the_files_an_answer_cited() -> None:
    def cite(n: int, source: str) -> Citation:
        return Citation(n, source, "T", "", None, "p", "p")

    answer = Answer(
        "A [1] B [2] C [3].",
        (cite(1, "b.txt"), cite(2, "a.md"), cite(3, "b.txt")),
        False,
        None,
        "other",
        "nl",
    )
    earlier = [{"role": "user", "content": "eerder"}]
    history = remembered(earlier, "Wat?", answer)
    assert history == [
        *earlier,
        {"role": "user", "content": "Wat?"},
        {"role": "assistant", "content": "A [1] B [2] C [3].", "sources": ["b.txt", "a.md"]},
    ]
    assert turns_from(history)[-1].sources == ("b.txt", "a.md")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "history"), [("", "[]"), (KA210, "{geen json"), ("x" * 5000, "[]")]
)
def test_ask_endpoint_answers_bad_input_with_a_message(client, question, history) -> None:
    result = client.predict(question, history, api_name="/ask")
    assert result["answer"].strip()
    assert "Traceback" not in result["answer"]


@pytest.mark.slow
def test_only_ask_and_triage_are_documented(client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/ask", "/triage"]
    assert [p["parameter_name"] for p in endpoints["/ask"]["parameters"]][:2] == [
        "question",
        "history",
    ]


def test_history_items_accepts_json_lists_and_nothing_else() -> None:
    turn = {"role": "user", "content": "Wie mag indienen?"}
    assert history_items(json.dumps([turn])) == [turn]
    assert history_items([turn]) == [turn]
    assert history_items("{kapot") == []
    assert history_items('{"role": "user"}') == []
    assert history_items("") == []
    assert history_items(None) == []


def test_sources_panel_escapes_documents_and_marks_the_quote() -> None:
    citation = Citation(
        n=1,
        source="a<b>.txt",
        title="Oproep <script>alert(1)</script>",
        section="Wie & wat",
        url="javascript:alert(1)",
        passage=(
            "Inleiding.\nAanvragers: <i>publieke</i> organisaties  uit\nde EU. Meer info volgt."
        ),
        quote="Aanvragers: <i>publieke</i> organisaties uit de EU.",
    )
    panel = sources_html([citation])
    assert "<script>" not in panel and "<i>" not in panel
    assert "Oproep &lt;script&gt;" in panel
    assert "Wie &amp; wat" in panel
    assert "a&lt;b&gt;.txt" in panel
    assert "<mark>Aanvragers: &lt;i&gt;publieke&lt;/i&gt; organisaties  uit\nde EU.</mark>" in panel
    assert "javascript:" not in panel  # only http(s) sources become links
    linked = sources_html([Citation(2, "f.md", "T", "", "https://x.eu/?a=1&b=2", "p", "p")])
    assert 'href="https://x.eu/?a=1&amp;b=2"' in linked
    assert "[2] T" in linked


def test_quote_of_joined_fields_marks_each_part() -> None:
    passage = "Deadline · Code\nDeadline\n11 september 2024\n\nCode\nHORIZON-MSCA-2024-PF-01-01"
    snippet = highlighted_snippet(passage, "Deadline · Code, Deadline, 11 september 2024")
    # The three fields stand one after another: one mark over all of them.
    assert snippet.startswith("<mark>Deadline · Code\nDeadline\n11 september 2024</mark>")
    apart = highlighted_snippet("Duur: 6 maanden.\n\n- Budget: 60 000 euro.", "Duur; Budget")
    assert apart.count("<mark>") == 2
    assert highlighted_snippet("iets anders", "niet te vinden").startswith("<mark>niet te vinden")


@pytest.mark.slow
def test_triage_endpoint_routes_a_question(client) -> None:
    result = client.predict(
        "Bij wie kan ik terecht met vragen over de MSCA Postdoctoral Fellowships?",
        api_name="/triage",
    )
    assert "NCP Flanders" in result["organisation"]
    assert result["handled_by_helpdesk"] is False
    assert result["category"] == "contact"
    assert result["draft_reply"]["citations"]


@pytest.mark.slow
def test_triage_tab_handler_takes_text_and_files(small_index: Settings, tmp_path: Path) -> None:
    from assistant.service import Assistant
    from assistant.webapp import triage_safely

    upload = tmp_path / "vragen.csv"
    upload.write_text("id,vraag\nq1,Wie mag stedenbanden aanvragen?\nq2,\n", encoding="utf-8")
    broken = tmp_path / "kapot.eml"
    broken.write_bytes(b"")
    rows, csv_path, chart, message = triage_safely(
        Assistant.open(small_index),
        small_index,
        "Tot wanneer kan ik een jeugduitwisseling indienen?",
        [str(upload), str(broken)],
        str(tmp_path),
    )
    assert [r[0] for r in rows] == ["0", "q1"]
    assert csv_path and Path(csv_path).read_text(encoding="utf-8-sig").startswith("id,question")
    assert chart and Path(chart).read_bytes().startswith(b"\x89PNG")
    assert "2 vragen getrieerd" in message
    assert "vragen.csv:3" in message and "kapot.eml" in message
    empty = triage_safely(Assistant.open(small_index), small_index, " ", [], str(tmp_path))
    assert empty[0] == [] and "Plak een vraag" in empty[3]
