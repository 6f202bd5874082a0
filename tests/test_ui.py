"""The web app: its /ask API through gradio_client on a real server, the sources panel and the
documents it links to, and the Triage screen's Dutch table, labels and row details."""

from __future__ import annotations

import http.client
import inspect
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from assistant.service import Assistant, turns_from
from assistant.settings import Settings
from assistant.triage import Routing, Triage
from assistant.types import Answer, Citation
from assistant.webapp import (
    build_app,
    corpus_file,
    document_route,
    history_items,
    remembered,
    selected_detail,
    triage_safely,
)
from assistant.webviews import (
    highlighted_snippet,
    labelled_summary,
    md_code,
    md_text,
    sources_html,
    triage_detail_html,
    triage_row,
    triaged_message,
    value_label,
)
from tests.conftest import SMALL_CORPUS

KA210 = "Wie mag een aanvraag indienen voor een kleinschalig partnerschap (KA210)?"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_app(settings: Settings, tmp: Path, assistant: Assistant | None = None) -> Iterator[str]:
    """Serve the app on a free local port in a thread; yields its URL, closes it at the end."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HF_HUB_OFFLINE", "1")
        env.setenv("GRADIO_ANALYTICS_ENABLED", "False")
        if "GRADIO_TEMP_DIR" not in os.environ:
            env.setenv("GRADIO_TEMP_DIR", str(tmp / "gradio"))
        port = free_port()
        app = build_app(settings, assistant)
        app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
        try:
            yield f"http://127.0.0.1:{port}/"
        finally:
            app.close()


@pytest.fixture(scope="module")
def app_url(small_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ui")
    settings = small_index.model_copy(update={"feedback_db": tmp / "feedback.sqlite3"})
    with running_app(settings, tmp) as url:
        yield url


@pytest.fixture(scope="module")
def client(app_url: str):
    from gradio_client import Client

    return Client(app_url, verbose=False)


def raw_get(url: str, path: str) -> tuple[int, str, str]:
    """GET `path` exactly as written (no client-side clean-up of `..`): status, type, body."""
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        return response.status, response.getheader("Content-Type") or "", body
    finally:
        connection.close()


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
    assert history_items("[" * 100_000 + "]" * 100_000) == []  # too large to parse
    assert history_items("[" * 40_000 + "]" * 40_000) == []  # too deep to parse


# --- limits and concurrency -------------------------------------------------------------------


@pytest.fixture(scope="module")
def helpdesk(small_index: Settings) -> Assistant:
    return Assistant.open(small_index)


def handler(app: object, name: str):  # type: ignore[no-untyped-def]
    """The function behind one of the app's (private) events, by its name; a streaming
    handler gives what it shows last."""
    fn = next(f.fn for f in app.fns.values() if f.name == name)  # type: ignore[attr-defined]

    def call(*args: object) -> object:
        result = fn(*args)
        if inspect.isgenerator(result):
            *_, result = result
        return result

    return call


@pytest.mark.slow
def test_the_chat_keeps_a_bounded_history_and_says_when_it_drops_turns(
    small_index: Settings, helpdesk: Assistant, tmp_path: Path
) -> None:
    settings = small_index.model_copy(
        update={"max_history_turns": 4, "feedback_db": tmp_path / "f.sqlite3"}
    )
    respond = handler(build_app(settings, helpdesk), "respond")
    chat: list = []
    history: list = []
    statuses = []
    for question in (KA210, "en tot wanneer?", "en hoeveel krijg je?", "wie is het contact?"):
        chat, history, _, box, _, status = respond(question, chat, history, "Alle programma's")
        assert box == "" and len(history) <= 6
        statuses.append(status)
    assert statuses[:3] == ["", "", ""]
    assert "De 2 oudste beurt(en) van het gesprek zijn weggelaten" in statuses[3]
    assert history[-2]["content"] == "wie is het contact?"
    # too long: refused in a sentence, kept in the box, not remembered
    chat, kept, _, box, last, _ = respond("x" * 2001, chat, history, "Alle programma's")
    assert "Je vraag is te lang (2001 tekens)" in chat[-1]["content"]
    assert kept == history and box == "x" * 2001 and last is None
    # a lone surrogate (invalid UTF-8 from a browser extension, say) never breaks the page
    chat, _, _, _, _, _ = respond("Wie mag \ud800 KA210?", [], [], "Alle programma's")
    json.dumps(chat).encode("utf-8")
    assert "\ufffd" in chat[0]["content"]


@pytest.mark.slow
def test_feedback_comments_are_length_limited(
    small_index: Settings, helpdesk: Assistant, tmp_path: Path
) -> None:
    from assistant.feedback import FeedbackStore

    settings = small_index.model_copy(
        update={"max_comment_chars": 20, "feedback_db": tmp_path / "f.sqlite3"}
    )
    thumbs_up = handler(build_app(settings, helpdesk), "feedback_up")
    last = {"question": "Wie?", "answer": "Iedereen [1].", "sources": ["a.txt"]}
    status, comment = thumbs_up(last, "c" * 21)
    assert "Je opmerking is te lang (21 tekens)" in status and comment == "c" * 21
    assert FeedbackStore(settings.feedback_path).recent() == []
    status, comment = thumbs_up(last, "kort \ud800")
    assert status.startswith("Bedankt") and comment == ""
    assert FeedbackStore(settings.feedback_path).recent()[0]["comment"] == "kort \ufffd"


def test_the_feedback_database_lives_in_the_index_folder_in_use(tmp_path: Path) -> None:
    # as `assistant --index-dir i serve` makes them
    in_use = Settings(index_dir=tmp_path / "i")  # type: ignore[call-arg]
    assert in_use.feedback_path == tmp_path / "i" / "feedback.sqlite3"
    chosen = in_use.model_copy(update={"feedback_db": tmp_path / "elders.sqlite3"})
    assert chosen.feedback_path == tmp_path / "elders.sqlite3"


def test_markdown_messages_show_names_and_reasons_literally() -> None:
    assert md_code("[x](javascript:alert(1))<b>_*.csv") == "`[x](javascript:alert(1))<b>_*.csv`"
    assert md_code("a`b``c\nd") == "``` a`b``c d ```"
    assert md_text("cannot read [x](y) *z* <b>_") == ("cannot read \\[x\\](y) \\*z\\* &lt;b&gt;\\_")


@pytest.mark.slow
def test_the_triage_tab_refuses_a_long_question_and_escapes_file_names(
    small_index: Settings, helpdesk: Assistant, tmp_path: Path
) -> None:
    upload = tmp_path / "[klik](javascript:alert(1))<img src=x>.csv"
    upload.write_text("id,vraag\nq1,\n", encoding="utf-8")
    settings = small_index.model_copy(update={"max_upload_bytes": 1000})
    big = tmp_path / "groot.csv"
    big.write_text("id,vraag\n" + "1,Wie?\n" * 500, encoding="utf-8")
    view = triage_safely(helpdesk, settings, "y" * 2001, [str(upload), str(big)], str(tmp_path))
    assert view.rows == []
    lines = view.message.splitlines()
    assert lines[1] == "- Overgeslagen: `geplakte vraag`: " + (
        "Je vraag is te lang (2001 tekens). Houd ze op hoogstens 2000 tekens."
    )
    # the uploaded file's name is a code span: shown as typed, never a link or HTML
    assert "- Overgeslagen: `[klik](javascript:alert(1))<img src=x>.csv:2`: the question" in (
        view.message
    )
    assert "- Overgeslagen: `groot.csv`: het bestand is te groot (3.5 kB; hoogstens 1.0 kB)" in (
        view.message
    )


@pytest.mark.slow
def test_one_slow_request_does_not_hold_up_the_others(
    small_index: Settings, helpdesk: Assistant, tmp_path: Path
) -> None:
    from gradio_client import Client

    class SlowAssistant(Assistant):
        def stream(self, question, history=(), today=None, programme=None):  # type: ignore[no-untyped-def]
            if question.startswith("traag"):
                time.sleep(6)
            yield from super().stream(question, history, today, programme)

    slow = SlowAssistant(helpdesk.retriever, helpdesk.composer.models)
    settings = small_index.model_copy(
        update={"feedback_db": tmp_path / "f.sqlite3", "server_workers": 2}
    )
    with running_app(settings, tmp_path, slow) as url:
        first, second = Client(url, verbose=False), Client(url, verbose=False)
        job = first.submit("traag: " + KA210, "[]", api_name="/ask")
        time.sleep(1)
        started = time.perf_counter()
        answer = second.predict(KA210, "[]", api_name="/ask")
        took = time.perf_counter() - started
        assert "[1]" in answer["answer"]
        assert took < 4 and not job.done(), took
        assert "[1]" in job.result()["answer"]


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
    assert "javascript:" not in panel  # only http(s) addresses are linked as such
    assert 'href="bron/a%3Cb%3E.txt"' in panel  # … otherwise the app's copy of the file
    linked = sources_html([Citation(2, "f.md", "T", "", "https://x.eu/?a=1&b=2", "p", "p")])
    assert 'href="https://x.eu/?a=1&amp;b=2"' in linked
    assert "[2] T" in linked
    assert "bron/f.md" not in linked


def test_a_source_without_a_web_address_links_to_the_served_document() -> None:
    for name in ("erasmus-ka210.txt", "cerv stedenbanden.md", "map/pagina.html"):
        panel = sources_html([Citation(1, name, "T", "", "", "p", "p")])
        assert panel.count("<a ") == 1
        assert 'target="_blank"' in panel and "Bekijk het document" in panel
    assert 'href="bron/cerv%20stedenbanden.md"' in sources_html(
        [Citation(1, "cerv stedenbanden.md", "T", "", None, "p", "p")]
    )


def test_the_quoted_field_is_marked_once_and_not_repeated() -> None:
    """A quote that joins a label and its value ("Deadline: 11 september 2024") is marked where
    the passage has that field on two lines, instead of being shown a second time."""
    passage = (
        "Deadline\n11 september 2024\n\nCode\nHORIZON-MSCA-2024-PF-01-01\n\nInleiding\nDe MSCA"
    )
    snippet = highlighted_snippet(passage, "Deadline: 11 september 2024")
    assert snippet.startswith("<mark>Deadline\n11 september 2024</mark>")
    assert snippet.count("<mark>") == 1 and snippet.count("11 september 2024") == 1
    rounds = "- Ronde 1: 12 februari 2025, 12:00 uur (Brusselse tijd)\n- Ronde 2: 1 oktober 2025"
    quote = "Ronde 1: 12 februari 2025, 12:00 uur (Brusselse tijd); Ronde 2: 1 oktober 2025"
    assert highlighted_snippet(rounds, quote) == f"- <mark>{rounds[2:]}</mark>"
    cut = highlighted_snippet("- Vlaams contactpunt\nCreative Europe Desk", "contactpunt: Crea")
    assert cut == "- Vlaams <mark>contactpunt\nCreative</mark> Europe Desk"


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
    assistant = Assistant.open(small_index)
    view = triage_safely(
        assistant,
        small_index,
        "Tot wanneer kan ik een jeugduitwisseling indienen?",
        [str(upload), str(broken)],
        str(tmp_path),
    )
    assert [r[0] for r in view.rows] == ["0", "q1"]
    assert len(view.details) == 2 and "Wie mag stedenbanden aanvragen?" in view.details[1]
    # the screen is Dutch: category and urgency values, the summary's values
    assert view.rows[1][2] == "wie mag aanvragen"
    assert {r[4] for r in view.rows} <= {"hoog", "normaal", "gesloten", "onbekend"}
    assert (
        "| wie mag aanvragen | 1 |" in view.summary and "| soort vraag | vragen |" in view.summary
    )
    # … while the CSV keeps its machine-readable English values
    csv_text = Path(str(view.csv_path)).read_text(encoding="utf-8-sig")
    assert csv_text.startswith("id,question") and ",eligibility," in csv_text
    assert view.chart_path and Path(view.chart_path).read_bytes().startswith(b"\x89PNG")
    assert "2 vragen getrieerd" in view.message
    assert "vragen.csv:3" in view.message and "kapot.eml" in view.message
    one = triage_safely(
        assistant, small_index, "Wie mag stedenbanden aanvragen?", [], str(tmp_path)
    )
    assert one.message.startswith("1 vraag getrieerd.")
    empty = triage_safely(assistant, small_index, " ", [], str(tmp_path))
    assert empty.rows == [] and "Plak een vraag" in empty.message


# --- the Triage screen's labels, rows and details ---------------------------------------------


def test_category_and_urgency_values_have_dutch_labels() -> None:
    expected = {
        "application": "aanvraag",
        "eligibility": "wie mag aanvragen",
        "objectives": "doelstellingen",
        "other": "andere",
        "deadline": "deadline",
        "budget": "budget",
        "contact": "contact",
    }
    assert {k: value_label("category", k) for k in expected} == expected
    urgencies = {"high": "hoog", "normal": "normaal", "closed": "gesloten", "unknown": "onbekend"}
    assert {k: value_label("urgency", k) for k in urgencies} == urgencies
    assert value_label("urgency", "closed", "en") == "closed"
    assert value_label("category", "iets nieuws") == "iets nieuws"  # no label: shown as it is


def test_the_count_of_triaged_questions_is_singular_for_one() -> None:
    assert triaged_message(1) == "1 vraag getrieerd."
    assert triaged_message(3) == "3 vragen getrieerd."
    assert triaged_message(0) == "0 vragen getrieerd."
    assert triaged_message(1, "en") == "1 question triaged."


def test_the_summary_counts_dutch_values() -> None:
    summary = {
        "programme": {"CERV": 2},
        "category": {"application": 2, "eligibility": 1},
        "urgency": {"closed": 3},
    }
    assert labelled_summary(summary) == {
        "programme": {"CERV": 2},
        "category": {"aanvraag": 2, "wie mag aanvragen": 1},
        "urgency": {"gesloten": 3},
    }


def _triaged(**changes: object) -> Triage:
    contact = "Epos vzw\nKoning Albert II-laan 15\n1210 Brussel\n02 553 97 31"
    answer = Answer(
        "Elke organisatie uit een EU-lidstaat [1].",
        (Citation(1, "ka210.txt", "KA210", "Wie", "", "Elke organisatie.", "Elke organisatie."),),
        False,
        "Erasmus+",
        "eligibility",
        "nl",
    )
    values: dict[str, object] = {
        "id": "q7",
        "question": "Wie mag <b>een</b> KA210\n indienen?",
        "language": "nl",
        "category": "eligibility",
        "programme": "Erasmus+",
        "action": "KA210",
        "call_code": None,
        "title": "Kleinschalige partnerschappen",
        "source": "ka210.txt",
        "routing": Routing("Epos vzw", contact, "Epos vzw", True),
        "urgency": "closed",
        "deadline": date(2024, 3, 5),
        "confidence": 0.4,
        "candidates": ("Erasmus+ → Epos vzw", "CERV → VVSG"),
        "answer": answer,
        "sources": ("ka210.txt",),
    }
    values.update(changes)
    return Triage(**values)  # type: ignore[arg-type]


def test_a_triage_row_holds_the_key_fields_in_dutch_and_no_draft_reply() -> None:
    row = triage_row(_triaged(programme="P" * 200))
    assert row == [
        "q7",
        "P" * 69 + "…",
        "wie mag aanvragen",
        "Epos vzw",
        "gesloten",
        "2024-03-05",
        "ja",
        "0,40",
        "Wie mag <b>een</b> KA210 indienen?",
    ]
    assert not any("EU-lidstaat" in cell for cell in row)


def test_a_triage_detail_shows_the_draft_reply_sources_contact_and_candidates() -> None:
    detail = triage_detail_html(_triaged())
    assert "Vraag q7" in detail
    assert "Wie mag &lt;b&gt;een&lt;/b&gt; KA210" in detail and "<b>" not in detail
    assert "Elke organisatie uit een EU-lidstaat [1]." in detail  # the draft reply
    assert "Bronnen" in detail and 'href="bron/ka210.txt"' in detail  # its sources, linked
    # the contact as the document writes it: its own line breaks, no separators added
    assert "Epos vzw\nKoning Albert II-laan 15\n1210 Brussel\n02 553 97 31" in detail
    assert "white-space:pre-line" in detail
    assert "Erasmus+ → Epos vzw" in detail and "CERV → VVSG" in detail
    assert "gesloten (deadline 5 maart 2024)" in detail
    assert "closed" not in detail and "eligibility" not in detail
    assert "Kandidaten" in detail and "Ontwerp-antwoord" in detail
    assert "Kandidaten" not in triage_detail_html(_triaged(candidates=()))


def test_a_selected_row_finds_its_detail_even_in_a_sorted_table() -> None:
    views = [{"row": ["a", "x"], "html": "A"}, {"row": ["b", "y"], "html": "B"}]
    assert selected_detail(views, ["b", "y"], 0) == "B"  # sorted: shown first, still B
    assert selected_detail(views, None, 1) == "B"
    assert "Kies een rij" in selected_detail(views, ["c", "z"], 5)


# --- the documents the sources link to -------------------------------------------------------


@pytest.fixture
def corpus_with_escapes(tmp_path: Path) -> Path:
    """A corpus with a document, a sub-folder, a hidden file, and symlinks in and out of it."""
    corpus = tmp_path / "corpus"
    (corpus / "map").mkdir(parents=True)
    (corpus / "oproep.txt").write_text("Deadline: 5 maart 2024 – é\n", encoding="utf-8")
    (corpus / "map" / "pagina.html").write_text(
        "<html><body><p>Opgeslagen pagina</p></body></html>", encoding="utf-8"
    )
    (corpus / "map" / "notities.docx").write_bytes(b"PK")
    (corpus / ".verborgen.txt").write_text("verborgen", encoding="utf-8")
    (tmp_path / "geheim.txt").write_text("GEHEIM", encoding="utf-8")
    (corpus / "uitweg.txt").symlink_to(tmp_path / "geheim.txt")
    (corpus / "uitmap").symlink_to(tmp_path)
    (corpus / "binnen.md").symlink_to(corpus / "oproep.txt")
    return corpus


def test_only_documents_inside_the_corpus_are_served(corpus_with_escapes: Path) -> None:
    corpus = corpus_with_escapes
    assert corpus_file(corpus, "oproep.txt") == (corpus / "oproep.txt").resolve()
    assert corpus_file(corpus, "map/pagina.html") is not None
    assert corpus_file(corpus, "binnen.md") is not None  # a symlink that stays inside
    for refused in (
        "../geheim.txt",
        "map/../../geheim.txt",
        str(corpus.parent / "geheim.txt"),  # absolute
        "uitweg.txt",  # a symlink that points out
        "uitmap/geheim.txt",  # a symlinked folder that points out
        ".verborgen.txt",
        "map",
        "map/notities.docx",
        "ontbreekt.txt",
        "",
        "oproep.txt\x00.md",
    ):
        assert corpus_file(corpus, refused) is None, refused


def test_the_document_route_serves_text_and_pages_and_refuses_the_rest(
    corpus_with_escapes: Path,
) -> None:
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    web = TestClient(Starlette(routes=[document_route(corpus_with_escapes)]))
    text = web.get("/bron/oproep.txt")
    assert text.status_code == 200
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert text.text == "Deadline: 5 maart 2024 – é\n"
    page = web.get("/bron/map/pagina.html")
    assert page.headers["content-type"].startswith("text/html")
    assert page.text == "<html><body><p>Opgeslagen pagina</p></body></html>"
    assert page.headers["content-security-policy"] == "sandbox"  # its scripts never run
    for refused in ("/bron/uitweg.txt", "/bron/..%2Fgeheim.txt", "/bron/uitmap/geheim.txt"):
        response = web.get(refused)
        assert response.status_code == 404 and "GEHEIM" not in response.text
    assert web.post("/bron/oproep.txt").status_code == 405  # read-only


@pytest.mark.slow
def test_the_running_app_serves_corpus_documents_and_nothing_outside(
    app_url: str, small_index: Settings
) -> None:
    name = "erasmus-ka210-kleinschalige-partnerschappen.txt"
    status, kind, body = raw_get(app_url, f"/bron/{name}")
    assert status == 200 and kind.startswith("text/plain")
    assert body == (small_index.corpus_dir / name).read_text(encoding="utf-8")
    secret = small_index.corpus_dir.parent / "buiten-het-corpus.txt"
    secret.write_text("GEHEIM", encoding="utf-8")
    try:
        for path in (
            "/bron/../buiten-het-corpus.txt",
            "/bron/..%2Fbuiten-het-corpus.txt",
            "/bron/%2E%2E/buiten-het-corpus.txt",
            f"/bron/{secret}",
            "/bron//etc/passwd",
        ):
            status, _, body = raw_get(app_url, path)
            assert status in (403, 404), path
            assert "GEHEIM" not in body and "root:" not in body
    finally:
        secret.unlink()


@pytest.mark.slow
def test_the_app_mounted_in_a_larger_site_serves_its_documents_under_its_path(
    small_index: Settings, helpdesk: Assistant, tmp_path: Path
) -> None:
    from fastapi import FastAPI
    from starlette.testclient import TestClient

    from assistant.webapp import mount

    site = FastAPI()

    @site.get("/")
    def home() -> dict[str, str]:  # the larger site's own route stays its own
        return {"site": "intranet"}

    settings = small_index.model_copy(update={"feedback_db": tmp_path / "f.sqlite3"})
    mount(site, settings, "/helpdesk", helpdesk)
    with TestClient(site) as web:
        assert web.get("/").json() == {"site": "intranet"}
        page = web.get("/helpdesk/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        name = "erasmus-ka210-kleinschalige-partnerschappen.txt"
        document = web.get(f"/helpdesk/bron/{name}")
        assert document.status_code == 200
        assert document.text == (small_index.corpus_dir / name).read_text(encoding="utf-8")
        assert web.get("/helpdesk/bron/..%2F..%2Fetc%2Fpasswd").status_code == 404
        assert web.get(f"/bron/{name}").status_code == 404  # only under the app's own path
