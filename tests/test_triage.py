"""Triage on a real index: routing from the documents' own text, urgency, ambiguity; the CSV and
.eml intake and the CSV output; the batch command."""

from __future__ import annotations

import csv
import json
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.chunking import chunk_metadata
from assistant.cli import EXIT_SKIPPED, app
from assistant.intake import (
    OUTPUT_COLUMNS,
    Incoming,
    parse_csv,
    read_eml,
    read_incoming,
    strip_quotes_and_signature,
    triage_each,
    write_csv,
)
from assistant.limits import Limits
from assistant.loaders import load_document
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.triage import (
    route,
    summarise,
    summary_figure,
    triage,
    triage_all,
    urgency_of,
    write_summary_chart,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def assistant(small_index: Settings) -> Assistant:
    return Assistant.open(small_index)


# --- routing from a document's own management and contact text -----------------------------

EPOS_CONTACT = "Epos vzw\nKoning Albert II-laan 15\n1210 Brussel\n02 553 97 31"


def test_a_document_is_routed_to_its_contact_point() -> None:
    meta = {
        "handling_organisation": "Europese Commissie – CINEA",
        "contact": "LIFE-contactpunt Vlaanderen\nDepartement Omgeving\nHavenlaan 88\n1000 Brussel",
    }
    routing = route(meta, "Wie kan ik contacteren over LIFE?", "Epos")
    assert routing.organisation and "LIFE-contactpunt" in routing.organisation
    assert routing.contact and "Havenlaan 88" in routing.contact
    assert routing.handled_by_helpdesk is False


def test_an_action_the_helpdesk_does_not_manage_goes_to_its_manager() -> None:
    meta = {"handling_organisation": "EACEA (niet Epos)", "contact": EPOS_CONTACT}
    routing = route(meta, "Wie beheert deze actie?", "Epos")
    assert routing.organisation == "EACEA (niet Epos)"
    assert routing.handled_by_helpdesk is False
    own = route({"handling_organisation": "Epos vzw", "contact": EPOS_CONTACT}, "Vraag", "Epos")
    assert own.organisation == "Epos vzw" and own.handled_by_helpdesk is True


def test_a_call_the_commission_manages_itself_goes_to_the_commission() -> None:
    """The listed Flemish contact point serves another strand of the fund."""
    meta = {
        "handling_organisation": "Directoraat-generaal Migratie en Binnenlandse Zaken (DG HOME)",
        "contact": "Europa WSE – AMIF (Vlaams integratieluik)\nwww.europawse.be",
        "managed_centrally": True,
    }
    routing = route(meta, "Kan onze stad meedoen?", "Epos")
    assert routing.organisation and "DG HOME" in routing.organisation
    assert route({**meta, "managed_centrally": False}, "Kan onze stad meedoen?", "Epos") != routing


def test_a_portal_call_goes_to_the_commission_body_not_the_helpdesk_as_contact_point() -> None:
    """A call with a Funding & Tenders identifier ("VBP-EDU-2026-NETWERK") whose page lists the
    help desk as Flemish contact point is the Commission body's to handle; an action with a
    national agency's key-action code stays with the help desk."""
    fixtures = Path(__file__).resolve().parent / "fixtures" / "contact"
    document = load_document(fixtures / "portaaloproep-vlaams-contactpunt.txt", fixtures)
    assert document.metadata.commission_body == "Voorbeeld Uitvoerend Agentschap onderwijs (VUAO)"
    meta = chunk_metadata(document)
    routing = route(meta, "Wie behandelt onze aanvraag?", "Epos")
    assert routing.organisation == "Voorbeeld Uitvoerend Agentschap onderwijs (VUAO)"
    assert routing.handled_by_helpdesk is False
    national = route({**meta, "call_code": "KA210-SCH"}, "Wie behandelt onze aanvraag?", "Epos")
    assert national.organisation and national.organisation.startswith("Epos vzw")
    assert national.handled_by_helpdesk is True


def test_the_questions_words_pick_the_organisation_of_its_sector() -> None:
    meta = {
        "handling_organisation": "Epos vzw (school, volwasseneneducatie); JINT vzw (jeugd)",
        "contact": EPOS_CONTACT + "\n\nJINT vzw (jeugd)\nGrétrystraat 26\n1000 Brussel",
    }
    youth = route(meta, "Wij zijn een jeugd organisatie. Waar dienen we in?", "Epos")
    assert youth.organisation == "JINT vzw (jeugd)"
    assert youth.contact and "Grétrystraat 26" in youth.contact and "Albert" not in youth.contact
    school = route(meta, "Onze school wil een partnerschap. Waar dienen we in?", "Epos")
    assert school.organisation and school.organisation.startswith("Epos vzw")


def test_a_contact_answer_names_the_organisation_of_the_sector_asked_about(
    assistant: Assistant, small_index: Settings
) -> None:
    """KA210 lists Epos for schools and adults and JINT for youth: a youth centre's question
    is answered with JINT and its phone number, and routed there; a school's with Epos. (The
    questions name the action as well as its code: asked with the code alone, "Bij wie kan
    onze school terecht voor een KA210?", the abstainer's probability sits at its threshold.)"""
    action = "een kleinschalig partnerschap (KA210)"
    for question, named, phone in (
        (f"Bij wie kan ons jeugdhuis terecht met vragen over {action}?", "JINT", "209 07 20"),
        (f"Bij wie kan onze school terecht met vragen over {action}?", "Epos", "553 97 31"),
    ):
        answer = assistant.ask(question, today=date(2025, 2, 1))
        first_sentence = answer.text.split("[")[0]
        assert named in first_sentence and phone in first_sentence, answer.text
        result = triage(assistant, small_index, question, (), date(2025, 2, 1))
        assert result.organisation and named in result.organisation


def test_urgency_with_an_injected_date() -> None:
    deadlines = "2025-03-05,2025-10-01"
    assert urgency_of(deadlines, date(2025, 9, 20), 14) == ("high", date(2025, 10, 1))
    assert urgency_of(deadlines, date(2025, 5, 1), 14) == ("normal", date(2025, 10, 1))
    assert urgency_of(deadlines, date(2025, 10, 2), 14) == ("closed", date(2025, 10, 1))
    assert urgency_of("", date(2025, 1, 1), 14) == ("unknown", None)


# --- triage on the small real index -----------------------------------------------------------


@pytest.mark.slow
def test_a_programme_the_helpdesk_does_not_handle_goes_to_its_own_contact_point(
    assistant: Assistant, small_index: Settings
) -> None:
    result = triage(
        assistant,
        small_index,
        "Bij wie kan ik terecht met vragen over de MSCA Postdoctoral Fellowships?",
        today=date(2024, 9, 1),
    )
    assert result.source == "horizon-msca-postdoctoral-fellowships-2024.txt"
    assert result.organisation and "NCP Flanders" in result.organisation
    assert result.routing.handled_by_helpdesk is False
    assert result.routing.contact and "FWO" in result.routing.contact
    assert result.category == "contact"
    assert result.urgency == "high"  # the call closes on 11 September 2024
    assert result.confidence >= 0.6 and not result.ambiguous
    assert result.answer.citations and not result.answer.abstained


@pytest.mark.slow
def test_an_erasmus_question_is_handled_by_the_helpdesk_itself(
    assistant: Assistant, small_index: Settings
) -> None:
    result = triage(
        assistant,
        small_index,
        "Onze basisschool wil leerkrachten op job shadowing sturen met Erasmus+ KA122-SCH.",
        today=date(2026, 1, 1),
    )
    assert result.organisation and "Epos" in result.organisation
    assert result.routing.handled_by_helpdesk is True
    assert result.urgency == "closed"


@pytest.mark.slow
def test_an_ambiguous_question_is_flagged_with_candidates(
    assistant: Assistant, small_index: Settings
) -> None:
    result = triage(assistant, small_index, "Wanneer is de deadline?", today=date(2024, 1, 1))
    assert result.ambiguous
    assert len(result.candidates) >= 2
    assert all(" → " in c for c in result.candidates)
    assert result.confidence < 0.5
    named = triage(assistant, small_index, "Wanneer is de deadline voor stedenbanden bij CERV?")
    assert not named.ambiguous and named.confidence > result.confidence


@pytest.mark.slow
def test_summary_counts_a_batch(assistant: Assistant, small_index: Settings) -> None:
    results = triage_all(
        assistant,
        small_index,
        [
            ("a", "Wie mag stedenbanden aanvragen bij CERV?", ()),
            ("b", "Tot wanneer kan je een stedenband indienen?", ()),
            ("c", "Bij wie kan ik terecht voor de MSCA Postdoctoral Fellowships?", ()),
        ],
        date(2024, 6, 1),
    )
    summary = summarise(results)
    assert sum(summary["category"].values()) == 3
    assert summary["programme"]["Burgers, Gelijkheid, Rechten en Waarden (CERV)"] == 2
    assert set(summary) == {"programme", "organisation", "category", "urgency"}


def test_the_summary_chart_has_the_readers_titles_and_whole_counts(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    summary = {
        "programme": {"CERV": 2, "Erasmus+": 1},
        "organisation": {"VVSG": 2, "Epos vzw": 1},
        "category": {"aanvraag": 2, "wie mag aanvragen": 1},
        "urgency": {"gesloten": 3},
    }
    titles = {name: f"vragen per {name}" for name in summary}
    figure = summary_figure(summary, titles, "aantal vragen")
    try:
        axes = figure.axes
        assert [a.get_title() for a in axes] == [f"vragen per {name}" for name in summary]
        assert {a.get_xlabel() for a in axes} == {"aantal vragen"}
        assert [t.get_text() for t in axes[2].get_yticklabels()] == [
            "wie mag aanvragen",
            "aanvraag",
        ]
        figure.canvas.draw()
        for axis in axes:  # a count of questions has no fractions
            ticks = [t for t in axis.get_xticks() if axis.get_xlim()[0] <= t <= axis.get_xlim()[1]]
            assert ticks and all(float(t).is_integer() for t in ticks), ticks
    finally:
        plt.close(figure)
    assert "questions per urgency" in [a.get_title() for a in summary_figure(summary).axes]
    plt.close("all")
    chart = tmp_path / "chart.png"
    write_summary_chart(summary, chart, titles, "aantal vragen")
    assert chart.read_bytes().startswith(b"\x89PNG")


# --- intake: CSV and e-mail ---------------------------------------------------------------------


def test_csv_rows_non_ascii_empty_and_malformed() -> None:
    text = (
        "id;vraag;extra\n"
        "1;Wat is het budget voor één stedenband in België? (€);x\n"
        ";;\n"
        "2;Kan een vzw uit Liège deelnemen?;;te veel\n"
        "3;;iets\n"
        '4;"Meerdere\nregels ‘met’ aanhalingstekens";\n'
    )
    items, problems = parse_csv(text, "vragen.csv")
    assert [i.id for i in items] == ["1", "4"]
    assert items[0].question == "Wat is het budget voor één stedenband in België? (€)"
    assert items[1].question == "Meerdere\nregels ‘met’ aanhalingstekens"
    assert [p.where for p in problems] == ["vragen.csv:4", "vragen.csv:5"]
    assert "fields" in problems[0].reason and "empty" in problems[1].reason


def test_a_batch_is_bounded_by_the_limits(tmp_path: Path) -> None:
    rows = "".join(f"{i},Vraag {i}?\n" for i in range(5))
    source = tmp_path / "vragen.csv"
    source.write_text(f"id,vraag\n{rows}9,{'x' * 31}\n", encoding="utf-8")
    limits = Limits(question_chars=30, batch_questions=3)
    items, problems = read_incoming([source], limits, "nl")
    assert [i.id for i in items] == ["0", "1", "2"]
    assert [(p.where, p.reason) for p in problems] == [
        ("9", "de vraag is te lang (31 tekens; hoogstens 30)"),
        ("3", "hoogstens 3 vragen per keer: de 2 volgende vragen zijn niet getrieerd"),
    ]
    items, problems = read_incoming([source], Limits(upload_bytes=10))
    assert items == [] and problems[0].reason.startswith("the file is too large (")


def test_a_csv_history_keeps_its_latest_turns(tmp_path: Path) -> None:
    turns = [{"role": ("user", "assistant")[i % 2], "content": f"beurt {i}"} for i in range(30)]
    cell = json.dumps(turns).replace('"', '""')
    source = tmp_path / "vragen.csv"
    source.write_text(f'vraag,history\nEn dan?,"{cell}"\n', encoding="utf-8")
    (item,), problems = read_incoming([source], Limits(history_turns=4))
    assert problems == [] and [t.content for t in item.history] == [
        "beurt 26", "beurt 27", "beurt 28", "beurt 29",
    ]  # fmt: skip


@pytest.mark.slow
def test_one_failing_question_does_not_stop_a_batch(
    assistant: Assistant, small_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.intake as intake

    real = intake.triage

    def failing(helpdesk, settings, question, *rest):  # type: ignore[no-untyped-def]
        if "kapot" in question:
            raise RuntimeError("boom")
        return real(helpdesk, settings, question, *rest)

    monkeypatch.setattr(intake, "triage", failing)
    items = [Incoming("a", "kapot"), Incoming("b", "Wie mag stedenbanden aanvragen?")]
    results, problems = triage_each(assistant, small_index, items)
    assert [r.id for r in results] == ["b"]
    assert [(p.where, p.reason) for p in problems] == [
        ("a", "triage failed unexpectedly (details in the log)")
    ]


def test_csv_without_a_question_column_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("naam,adres\nAn,Gent\n", encoding="utf-8")
    items, problems = read_incoming([bad])
    assert items == [] and len(problems) == 1
    assert "question column" in problems[0].reason


def _email(subject: str, body: str, html: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = "Jan <jan@example.be>"
    message["To"] = "info@epos.be"
    message["Subject"] = subject
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return bytes(message)


def test_an_email_keeps_subject_and_new_text_without_quotes_and_signature(tmp_path: Path) -> None:
    body = (
        "Goedemiddag,\n\nKan onze gemeente een stedenband met Düsseldorf aanvragen?\n\n"
        "Met vriendelijke groeten,\nJan Peeters\nSchepen, gemeente Zele\n\n"
        "Op 3 maart 2025 schreef Epos <info@epos.be>:\n> Beste Jan,\n> Dank voor je vraag.\n"
    )
    path = tmp_path / "vraag-001.eml"
    path.write_bytes(_email("Re: Vraag over stedenbanden – CERV", body))
    item = read_eml(path)
    assert item.id == "vraag-001"
    assert item.question.startswith("Vraag over stedenbanden – CERV")
    assert "Düsseldorf" in item.question
    assert "Jan Peeters" not in item.question and "Dank voor je vraag" not in item.question


def test_an_html_only_email_is_read_as_text(tmp_path: Path) -> None:
    message = EmailMessage()
    message["Subject"] = "Deadline"
    message.set_content("<p>Tot wanneer kan ik <b>indienen</b>?</p><p>-- <br>Piet</p>", "html")
    path = tmp_path / "html.eml"
    path.write_bytes(bytes(message))
    assert "Tot wanneer kan ik indienen?" in read_eml(path).question


def test_quoted_lines_and_forward_headers_are_cut() -> None:
    text = "Mijn vraag?\n> oud\nVan: iemand\nOnderwerp: oud bericht\nnog oud"
    assert strip_quotes_and_signature(text) == "Mijn vraag?"


@pytest.mark.slow
def test_csv_round_trip_through_triage(
    assistant: Assistant, small_index: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "id,question\nä1,Wie mag stedenbanden aanvragen? Ook een vzw uit Liège?\n,\n",
        encoding="utf-8",
    )
    items, problems = read_incoming([source])
    assert problems == []
    results = triage_all(assistant, small_index, [(i.id, i.question, i.history) for i in items])
    out = tmp_path / "out.csv"
    write_csv(results, out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(OUTPUT_COLUMNS)
    assert rows[0]["id"] == "ä1" and "Liège" in rows[0]["question"]
    assert rows[0]["draft_reply"] == results[0].answer.text and "[1]" in rows[0]["draft_reply"]
    assert rows[0]["sources"].endswith(".md")


@pytest.mark.slow
def test_triage_command_batch_writes_csv_and_chart_and_reports_skips(
    small_index: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "mails"
    folder.mkdir()
    (folder / "a.eml").write_bytes(
        _email("Vraag", "Tot wanneer kan je een stedenband bij CERV indienen?")
    )
    (folder / "leeg.eml").write_bytes(b"")
    out = tmp_path / "triage.csv"
    options = [
        "--corpus", str(small_index.corpus_dir),
        "--index-dir", str(small_index.index_dir),
    ]  # fmt: skip
    result = runner.invoke(
        app, [*options, "triage", "--in", str(folder), "--out", str(out), "--today", "2024-09-10"]
    )
    assert result.exit_code == EXIT_SKIPPED, result.output
    assert "leeg.eml" in result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == ["a"]
    assert rows[0]["urgency"] == "high" and rows[0]["category"] == "deadline"
    assert out.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
