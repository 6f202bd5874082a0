"""Loading real corpus files of every format, and broken files that must fail clearly."""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from assistant.errors import DocumentLoadError
from assistant.loaders import (
    SUPPORTED_SUFFIXES,
    count_corpus_files,
    load_corpus,
    load_document,
)
from assistant.types import Document
from tests.pdfs import pdf_bytes, pdf_pages_bytes

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"

# Page furniture of the saved pages: navigation, cookie banners, breadcrumbs, footers, sidebars.
FURNITURE_XPATH = (
    "//nav | //footer | //aside | //body/header | //form"
    " | //*[contains(@class, 'cookie') or contains(@id, 'cookie') or contains(@class, 'consent')"
    " or contains(@class, 'breadcrumb') or contains(@class, 'byline')"
    " or contains(@class, 'messages') or contains(@id, 'notice')]"
)


def load(name: str) -> Document:
    """A real corpus document."""
    return load_document(CORPUS / name, CORPUS)


def headings(document: Document) -> list[str]:
    return [section.heading for section in document.sections]


def section(document: Document, heading: str) -> str:
    """The text of the section with exactly this heading."""
    matches = [s.text for s in document.sections if s.heading == heading]
    assert len(matches) == 1, f"{heading!r} in {headings(document)}"
    return matches[0]


# --- plain text -------------------------------------------------------------------------------


def test_txt_labels_become_sections_and_the_programme_block_a_heading_path() -> None:
    document = load("erasmus-ka210-kleinschalige-partnerschappen.txt")
    found = headings(document)
    assert found[:4] == ["Deadline", "Code", "Inleiding", "Doelstellingen"]
    assert {"Waar indienen?", "Indiendata oproep 2025", "Info & contact"} <= set(found)
    # The call's own budget and the programme's budget are told apart by their path.
    assert "30.000 euro" in section(document, "Budget")
    assert "26,2 miljard" in section(document, "Erasmus+ Onderwijs en Opleiding › Budget")
    assert "26,2 miljard" not in section(document, "Budget")
    assert "Erasmus+ Onderwijs en Opleiding › Begunstigden" in found
    # A date or a code after its label is that label's content, never a heading.
    assert section(document, "Deadline") == "05 maart 2025 en 01 oktober 2025"
    assert not any(re.search(r"\d{4}$", h) and "Indiendata" not in h for h in found)
    # The title is metadata, not a section.
    assert document.title == "Erasmus+: Kleinschalige partnerschappen (KA210)"
    assert "Erasmus+: Kleinschalige partnerschappen (KA210)" not in found


def test_txt_bullets_become_dash_lines_and_paragraphs_stay_apart() -> None:
    document = load("erasmus-ka210-kleinschalige-partnerschappen.txt")
    budget = section(document, "Budget")
    assert "- 30.000 euro\n- 60.000 euro" in budget
    assert "•" not in document.text
    introduction = section(document, "Inleiding")
    assert introduction.count("\n\n") == 2  # three paragraphs
    assert "- Scholen\n- Non-profit organisaties" in document.text


@pytest.mark.parametrize("bullet", ["\uf0b7 ", "\uf0b7", "\uf0a7\t", "■ ", "➢ ", "✓ "])
def test_bullets_of_word_processor_pdfs_become_dash_lines(tmp_path: Path, bullet: str) -> None:
    path = tmp_path / "gids.txt"
    path.write_text(
        f"Testoproep\n\nWie komt in aanmerking?\n\n{bullet}Verenigingen\n{bullet}Lokale besturen\n",
        encoding="utf-8",
    )
    document = load_document(path, tmp_path)
    assert section(document, "Wie komt in aanmerking?") == "- Verenigingen\n- Lokale besturen"


def test_txt_headings_after_a_list_and_question_headings_are_found() -> None:
    document = load("horizon-msca-postdoctoral-fellowships-2024.txt")
    found = headings(document)
    assert "Wie komt in aanmerking?" in found
    assert "Extra mogelijkheden" in found
    assert "Horizon Europe – Marie Skłodowska-Curie-acties › Info & contact" in found
    # The value of a bullet label ("- Website fonds") stays content, even when it looks like one.
    contact = section(document, "Horizon Europe – Marie Skłodowska-Curie-acties › Info & contact")
    assert "- Website fonds\n\nHorizon Europe – Marie Skłodowska-Curie Actions" in contact


def test_txt_tolerates_a_byte_order_mark_and_windows_line_ends(tmp_path: Path) -> None:
    text = "Oproep X: Test\r\n\r\nDeadline\r\n\r\n1 mei 2025\r\n\r\nInleiding\r\n\r\nEen zin.\r\n"
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    document = load_document(path, tmp_path)
    assert document.title == "Oproep X: Test"
    assert headings(document) == ["Deadline", "Inleiding"]
    assert document.metadata.deadline == date(2025, 5, 1)


# --- markdown ---------------------------------------------------------------------------------


def test_markdown_front_matter_headings_and_bold_labels() -> None:
    document = load("cerv-stedenbanden-2024.md")
    found = headings(document)
    assert found[:3] == ["Deadline", "Code", "Inleiding"]
    assert "Doelstellingen › Welke activiteiten?" in found
    assert "Burgers, Gelijkheid, Rechten en Waarden (CERV) › Budget" in found
    assert "Burgers, Gelijkheid, Rechten en Waarden (CERV) › Info & contact" in found
    text = document.text
    assert "source_url:" not in text and "managed_by" not in text  # front matter is metadata
    assert not re.search(r"\*\*|^#", text, re.MULTILINE)  # no markdown markup left
    assert "Het luik Betrokkenheid en participatie van burgers ondersteunt" in text
    assert "- Inwoners van verschillende landen ontmoeten elkaar" in text
    assert "- Projecttype\n\nOntmoeting, uitwisseling" in text


def test_markdown_tables_become_labelled_lines() -> None:
    document = load("erasmus-europese-universiteiten-2026.md")
    first = document.sections[0]
    assert first.heading == ""
    assert "Deadline: 4 maart 2026, 17:00 uur (Brusselse tijd)" in first.text
    assert "Code: ERASMUS-EDU-2026-EUR-UNIV" in first.text
    assert "|" not in first.text


def test_markdown_with_broken_front_matter_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text("---\ntitle: [niet gesloten\n---\n\n# Titel\n\nTekst.\n", encoding="utf-8")
    with pytest.raises(DocumentLoadError, match="invalid YAML front matter"):
        load_document(path, tmp_path)


# --- HTML -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "boilerplate", "article"),
    [
        (
            "erasmus-ka220-samenwerkingspartnerschappen.html",
            [
                "Wij gebruiken cookies",
                "Alles accepteren",
                "Overslaan en naar de inhoud gaan",
                "Je volgt al enkele thema's",
                "Het verbindingsagentschap tussen Vlaanderen en de Europese Unie",
                "Privacyverklaring",
                "Cookie-instellingen",
                "Alle open calls",
            ],
            [
                "Samenwerkingspartnerschappen zijn de grotere Europese samenwerkingsprojecten",
                "Een samenwerkingspartnerschap loopt tussen 12 en 36 maanden.",
            ],
        ),
        (
            "erasmus-ka1-schoolonderwijs.html",
            [
                "Lopende projecten",
                "Over Erasmus+",
                "Erasmus+ individuele leermobiliteit",
                "Gefinancierd door de Europese Unie. De standpunten",
                "LinkedIn",
            ],
            [
                "Met Erasmus+ kan je school leerlingen en personeelsleden een tijd laten leren",
                "Hendrik Consciencegebouw 3B",
            ],
        ),
        (
            "cerv-gendergelijkheid-2024.html",
            [
                "Jouw privacy, onze zorg.",
                "Alles toestaan",
                "Gerelateerde calls",
                "We bewaren je gegevens niet langer dan nodig",
                "Alle rechten voorbehouden",
            ],
            ["Vrouwen nemen in heel Europa nog steeds het grootste deel van de zorgtaken op"],
        ),
        (
            "erasmus-teacher-academies-2025.html",
            ["Epos gebruikt cookies", "Gepubliceerd op 9 januari 2025", "Andere Europese acties"],
            ["Europa kampt met een tekort aan leraren"],
        ),
        (
            "horizon-eic-accelerator-2024.html",
            ["Meld je aan om deze call aan je favorieten toe te voegen", "Kruimelpad"],
            ["De EIC Accelerator is het instrument van de Europese Innovatieraad"],
        ),
    ],
)
def test_html_boilerplate_is_gone_and_the_article_stays(
    name: str, boilerplate: list[str], article: list[str]
) -> None:
    raw = (CORPUS / name).read_text(encoding="utf-8")
    text = load(name).text
    for phrase in boilerplate:
        assert phrase in raw, phrase  # it really was on the page …
        assert phrase not in text, phrase  # … and is gone from the document
    for sentence in article:
        assert sentence in text, sentence


def test_html_menu_items_do_not_survive_as_lines() -> None:
    lines = set(load("erasmus-ka1-schoolonderwijs.html").text.splitlines())
    for item in ("Home", "Over Erasmus+", "Lopende projecten", "Inspiratie", "Nieuws", "Zoek"):
        assert item not in lines


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.html")), ids=lambda p: p.name)
def test_no_html_page_keeps_text_of_its_navigation_banners_or_footer(path: Path) -> None:
    page = lxml.html.fromstring(path.read_bytes())
    text = load(path.name).text
    # Short pieces (a theme name, an address line) may also be article text; long ones may not.
    pieces = {
        re.sub(r"\s+", " ", piece).strip()
        for element in page.xpath(FURNITURE_XPATH)
        for piece in element.itertext()
    }
    leaked = [piece for piece in pieces if len(piece) >= 40 and piece in text]
    assert pieces and not leaked


def test_html_headings_become_paths_and_lists_become_bullets() -> None:
    document = load("erasmus-jeugd-ka152-groepsuitwisselingen.html")
    found = headings(document)
    assert {"Inleiding", "Doelstellingen", "Indiendata oproep 2025"} <= set(found)
    assert "Erasmus+ Jeugd › Inleiding" in found
    assert "Erasmus+ Jeugd › Vlaams contactpunt" in found
    assert "- jongeren laten deelnemen aan internationale" in section(document, "Doelstellingen")
    assert "- Projecttype: Mobiliteit, niet-formeel leren" in document.text  # a <dl>
    assert "Leeftijd deelnemers: 13 tot 30 jaar" in document.text  # a <th>/<td> table


def test_a_list_inside_a_list_item_keeps_its_place_in_the_item(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html lang='nl'><head><title>Oproep</title></head><body><article><h1>Oproep</h1>"
        "<p>Een oproep met een procedure in stappen, zoals hieronder beschreven.</p><ul>"
        "<li><strong>Aanvraagprocedure</strong><br>De procedure verloopt in twee stappen:"
        "<ol><li>een korte aanvraag;</li><li>een volledige aanvraag.</li></ol>"
        "Zonder korte aanvraag geen volledige.</li><li><strong>Looptijd</strong><br>Twee jaar."
        "</li></ul></article></body></html>",
        encoding="utf-8",
    )
    text = load_document(page, tmp_path).text
    expected = (
        "De procedure verloopt in twee stappen:\n1. een korte aanvraag;\n"
        "2. een volledige aanvraag.\nZonder korte aanvraag geen volledige."
    )
    assert expected in text


def test_html_labelled_fields_that_trafilatura_drops_are_kept() -> None:
    # The "Deadline"/"Code" label elements of this page are not paragraphs.
    document = load("erasmus-ka220-samenwerkingspartnerschappen.html")
    assert section(document, "Deadline") == "05 maart 2025"
    assert "ERASMUS-EDU-2025-PCOOP-ENGO" in section(document, "Code")
    # A definition list above the article.
    school = load("erasmus-ka1-schoolonderwijs.html")
    assert section(school, "Indiendatum") == "19 februari 2025, 12:00 uur (Brusselse tijd)"
    assert section(school, "Beheerd door").startswith("Epos vzw")


TABLE_HTML = """<html><body><main><h1>Clean energy 2026</h1>
<p>Deze oproep steunt projecten rond de energietransitie in steden.</p>
<h2>Budget overview</h2>
<table><thead><tr><th>Topic</th><th>Budget (EUR)</th><th>Wat?</th><th>Deadline</th></tr></thead>
<tbody>
<tr><td>CL5-D3-01</td><td>15 000 000</td><td>Pilots in steden.</td><td>16 april 2026</td></tr>
<tr><td>CL5-D3-02</td><td>€ 8 500 000</td><td></td><td>3 september 2026</td></tr></tbody></table>
</main></body></html>"""
TABLE_MARKDOWN = """# Clean energy 2026

| Topic | Budget in euro | Deadline |
|---|---|---|
| CL5-D3-01 | 15 000 000 | 16 april 2026 |
| CL5-D3-02 | 8 500 000 | 3 september 2026 |
"""


@pytest.mark.parametrize(("name", "content"), [("p.html", TABLE_HTML), ("p.md", TABLE_MARKDOWN)])
def test_a_table_row_names_its_columns_and_its_currency(
    tmp_path: Path, name: str, content: str
) -> None:
    # A row quoted alone must still say which number is the budget and which date the deadline.
    (tmp_path / name).write_text(content, encoding="utf-8")
    text = load_document(tmp_path / name, tmp_path).text
    assert "Topic: CL5-D3-01; Budget: EUR 15 000 000" in text, text
    assert "Deadline: 16 april 2026" in text
    if name.endswith(".html"):
        # a cell that ends a sentence takes no semicolon; an empty cell is left out; an amount
        # with its own currency keeps it
        assert "Wat? Pilots in steden. Deadline: 16 april 2026" in text
        assert "Topic: CL5-D3-02; Budget: € 8 500 000; Deadline: 3 september 2026" in text
    assert "|" not in text


SPANNED_HEADER_HTML = """<html><body><main><h1>Batteries 2026</h1>
<p>This topic funds new battery chemistries for storage on the grid.</p>
<h2>Budget overview</h2>
<table><thead>
<tr><th rowspan="2">Topic</th><th colspan="2">Budget (EUR)</th><th rowspan="2">Deadline</th></tr>
<tr><th>2026</th><th>2027</th></tr></thead>
<tbody><tr><td>CL5-D3-07</td><td>24 000 000</td><td>6 000 000</td><td>17 September 2026</td></tr>
<tr><td>CL5-D3-08</td><td>30 000 000</td><td></td><td>17 September 2026</td></tr></tbody></table>
</main></body></html>"""


def test_a_header_cell_spanning_columns_names_each_with_the_row_below(tmp_path: Path) -> None:
    # A budget per year under one "Budget (EUR)" cell: the years were a row of data of their
    # own ("Budget: EUR 2026; 2027") and the amounts said no year.
    (tmp_path / "p.html").write_text(SPANNED_HEADER_HTML, encoding="utf-8")
    text = load_document(tmp_path / "p.html", tmp_path).text
    assert (
        "Topic: CL5-D3-07; Budget 2026: EUR 24 000 000; Budget 2027: EUR 6 000 000; "
        "Deadline: 17 September 2026"
    ) in text, text
    assert "Topic: CL5-D3-08; Budget 2026: EUR 30 000 000; Deadline: 17 September 2026" in text
    assert "2026; 2027" not in text


def test_a_header_cell_over_the_whole_table_leaves_the_first_row_data(tmp_path: Path) -> None:
    # with no column outside the spanning cell, no row below it can be told from data
    page = (
        "<html><body><main><h1>Topics 2026</h1><p>Twee topics van deze oproep.</p><table>"
        '<thead><tr><th colspan="3">Topics 2026</th></tr></thead><tbody>'
        "<tr><td>CL5-D3-01</td><td>EUR 15 000 000</td><td>16 april 2026</td></tr>"
        "<tr><td>CL5-D3-02</td><td>EUR 8 500 000</td><td>3 september 2026</td></tr>"
        "</tbody></table></main></body></html>"
    )
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    text = load_document(tmp_path / "p.html", tmp_path).text
    assert "CL5-D3-01; EUR 15 000 000; 16 april 2026" in text, text
    assert "CL5-D3-02; EUR 8 500 000; 3 september 2026" in text


def test_a_two_column_table_reads_as_fields_without_its_header_line(tmp_path: Path) -> None:
    # The header line "Stap | Datum" stood before the first row and was quoted as its label
    # ("Stap | Datum: Publicatie oproep: …"); a first row that holds a value is a field itself.
    calendar = (
        "# Oproep\n\n## Kalender\n\n| Stap | Datum |\n|---|---|\n"
        "| Publicatie oproep | 19 november 2025 |\n| Indiendatum | 4 maart 2026, 12:00 uur |\n\n"
        "## Budget\n\n| Actie | Bedrag (EUR) |\n|---|---|\n"
        "| Kleinschalig partnerschap | 60 000 |\n\n"
        "## Kort\n\n| Deadline | 1 oktober 2026 |\n|---|---|\n| Code | KA210-SCH |\n"
    )
    (tmp_path / "t.md").write_text(calendar, encoding="utf-8")
    document = load_document(tmp_path / "t.md", tmp_path)
    assert section(document, "Kalender") == (
        "Publicatie oproep: 19 november 2025\nIndiendatum: 4 maart 2026, 12:00 uur"
    )
    assert section(document, "Budget") == "Kleinschalig partnerschap: EUR 60 000"
    assert section(document, "Kort") == "Deadline: 1 oktober 2026\nCode: KA210-SCH"


def test_a_table_whose_rows_do_not_fit_its_header_keeps_the_header_line(tmp_path: Path) -> None:
    rows = "| Vorm | Duur | Bedrag |\n|---|---|---|\n| Module | 3 jaar | 35.000 euro |\n| Extra |\n"
    (tmp_path / "t.md").write_text(rows, encoding="utf-8")
    text = load_document(tmp_path / "t.md", tmp_path).text
    assert text.splitlines()[:2] == ["Vorm | Duur | Bedrag", "Module | 3 jaar | 35.000 euro"]


# --- PDF --------------------------------------------------------------------------------------


def test_a_real_pdf_yields_text_sections_and_its_deadline(tmp_path: Path) -> None:
    lines = [
        "Erasmus+: Testoproep voor kleine scholen",
        "Deadline",
        "12 maart 2025",
        "Code",
        "TEST-2025-PDF",
        "Inleiding",
        "Deze oproep steunt kleine scholen die voor het eerst een Europees project opzetten.",
        "Wie komt in aanmerking?",
        "• Basisscholen in Vlaanderen",
        "• Secundaire scholen",
        "Info & contact",
        "Vlaams contactpunt",
        "Epos vzw",
        "Koning Albert II-laan 15",
        "1210 Brussel",
    ]
    path = tmp_path / "oproep.pdf"
    path.write_bytes(pdf_bytes(lines))
    document = load_document(path, tmp_path)
    assert document.title == "Erasmus+: Testoproep voor kleine scholen"
    assert headings(document) == [
        "Deadline",
        "Code",
        "Inleiding",
        "Wie komt in aanmerking?",
        "Info & contact",
    ]
    assert section(document, "Wie komt in aanmerking?") == (
        "- Basisscholen in Vlaanderen\n- Secundaire scholen"
    )
    assert "Europees project opzetten" in document.text
    assert document.metadata.deadline == date(2025, 3, 12)
    assert document.metadata.call_code == "TEST-2025-PDF"
    assert document.metadata.handling_organisation == "Epos vzw"


RUNNING_HEADER = "Gids Testoproep 2025 – Agentschap Voorbeeld"


def guide_pages(footer: str) -> list[list[str]]:
    """Four pages of a guide, each with a running header and `footer` with {n} and {m} filled."""
    bodies = [
        [
            "Testoproep voor buurtprojecten",
            "Inleiding",
            "Deze oproep steunt buurtprojecten die bewoners van een wijk samenbrengen en die",
        ],
        [
            "lokale verenigingen een rol geven in de uitvoering van het project.",
            "Budget",
            "Per project is maximaal 20.000 euro beschikbaar; de subsidie-",
            "aanvraag dient u in voor 1 juni 2025.",
        ],
        [
            "Wie komt in aanmerking?",
            "• Verenigingen",
            "• Lokale besturen",
        ],
        [
            "Info & contact",
            "Contactpunt Voorbeeld",
            "Stationsstraat 1",
        ],
    ]
    total = len(bodies)
    return [
        [RUNNING_HEADER, *body, "Vertrouwelijk", footer.format(n=number, m=total)]
        for number, body in enumerate(bodies, start=1)
    ]


def load_pdf(tmp_path: Path, pages: list[list[str]]) -> Document:
    """A PDF written from `pages` and loaded as a corpus document."""
    path = tmp_path / "gids.pdf"
    path.write_bytes(pdf_pages_bytes(pages))
    return load_document(path, tmp_path)


@pytest.mark.parametrize(
    "footer",
    ["pagina {n}/{m}", "Pagina {n} van {m}", "- {n} -", "{n}", "p. {n}", "Page {n} of {m}"],
)
def test_pdf_running_headers_footers_and_page_numbers_are_gone(tmp_path: Path, footer: str) -> None:
    document = load_pdf(tmp_path, guide_pages(footer))
    assert document.title == "Testoproep voor buurtprojecten"
    assert headings(document) == [
        "Inleiding",
        "Budget",
        "Wie komt in aanmerking?",
        "Info & contact",
    ]
    for part in document.sections:
        assert "Agentschap Voorbeeld" not in part.text and "Vertrouwelijk" not in part.text
        assert not re.search(r"(?im)^(pagina|page|p\.|- \d)|\b\d/4\b|^\d$", part.text)
    assert section(document, "Wie komt in aanmerking?") == "- Verenigingen\n- Lokale besturen"
    assert section(document, "Info & contact") == "Contactpunt Voorbeeld\n\nStationsstraat 1"


def test_pdf_sentence_broken_over_a_page_boundary_is_one_paragraph(tmp_path: Path) -> None:
    document = load_pdf(tmp_path, guide_pages("pagina {n}/{m}"))
    assert section(document, "Inleiding") == (
        "Deze oproep steunt buurtprojecten die bewoners van een wijk samenbrengen en die"
        " lokale verenigingen een rol geven in de uitvoering van het project."
    )


def test_pdf_word_hyphenated_at_a_line_end_is_joined(tmp_path: Path) -> None:
    document = load_pdf(tmp_path, guide_pages("pagina {n}/{m}"))
    assert section(document, "Budget") == (
        "Per project is maximaal 20.000 euro beschikbaar; de subsidieaanvraag dient u in"
        " voor 1 juni 2025."
    )


def test_pdf_line_wrapped_before_a_name_or_number_continues_its_sentence(tmp_path: Path) -> None:
    # A line that ran to the margin goes on in the next one, also when that starts with a
    # name or a number; lines that end short of the margin (an unpunctuated list) stand alone.
    pages = [
        [
            "Testoproep voor kleine scholen",
            "Inleiding",
            "Omdat de actie op nieuwkomers gericht is, krijgen organisaties zonder eerdere",
            "Erasmus+-ervaring voorrang. Een partnerschap krijgt een forfait van maximaal",
            "60.000 euro. De aanvraag gebeurt voor scholen, volwassenen en jeugd via het",
        ],
        [
            "Erasmus+ and European Solidarity Corps Platform, en voor sport via het portaal",
            "Funding & Tenders van de Europese Commissie, met deadline 5 maart 2025.",
            "Kernactie 1 – leermobiliteit van lerenden en personeel",
            "Kernactie 2 – samenwerking tussen organisaties",
        ],
    ]
    text = section(load_pdf(tmp_path, pages), "Inleiding")
    assert "zonder eerdere Erasmus+-ervaring voorrang." in text
    assert "een forfait van maximaal 60.000 euro." in text
    assert "via het Erasmus+ and European Solidarity Corps Platform, en voor sport" in text
    assert "via het portaal Funding & Tenders van de Europese Commissie" in text
    assert text.endswith(
        "5 maart 2025.\n\nKernactie 1 – leermobiliteit van lerenden en personeel\n\n"
        "Kernactie 2 – samenwerking tussen organisaties"
    )


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("organisaties die een subsidie-", "aanvraag indienen", "een subsidieaanvraag indienen"),
        ("organisaties uit alle EU-", "lidstaten en daarbuiten", "uit alle EU-lidstaten en"),
        ("organisaties die KA2-", "projecten uitvoeren", "die KA2-projecten uitvoeren"),
        ("organisaties uit niet-", "EU-landen en partnerlanden", "uit niet-EU-landen en"),
        ("scholen voor beroeps-", "en volwassenenonderwijs", "beroeps- en volwassenenonderwijs"),
    ],
    ids=["cut-word", "after-capitals", "after-a-digit", "before-a-capital", "left-out-part"],
)
def test_pdf_hyphen_at_a_line_end_goes_only_where_it_cut_a_word(
    tmp_path: Path, left: str, right: str, joined: str
) -> None:
    lines = ["Testoproep", "Inleiding", f"Deze oproep is bedoeld voor {left}", f"{right}."]
    document = load_pdf(tmp_path, [lines])
    assert joined in section(document, "Inleiding")
    assert "\n" not in section(document, "Inleiding")


def test_a_soft_hyphen_in_a_pdf_is_no_letter_and_at_a_line_end_cuts_a_word(
    tmp_path: Path,
) -> None:
    lines = [
        "Testoproep",
        "Inleiding",
        "De oproep steunt projecten over de finan\u00adciering van lokale buurtprojecten"
        " en sub\u00ad",
        "sidies voor verenigingen.",
    ]
    document = load_pdf(tmp_path, [lines])
    assert section(document, "Inleiding") == (
        "De oproep steunt projecten over de financiering van lokale buurtprojecten en subsidies"
        " voor verenigingen."
    )


@pytest.mark.parametrize("suffix", [".html", ".txt", ".md"])
def test_typesetting_characters_are_no_part_of_the_words(tmp_path: Path, suffix: str) -> None:
    sentence = (
        "De ﬁnan&shy;ciering van pro\u00adjecten in EU\u2011lidstaten loopt tot\u200b 12 maart"
        " 2025 via het aﬄiatieplatform."
    )
    typed = sentence.replace("&shy;", "\u00ad")  # the entity is HTML's way to write it
    body = {
        ".html": f"<html lang='nl'><body><main><h1>Oproep</h1><p>{sentence}</p></main></body>",
        ".txt": f"Oproep\n\nInleiding\n\n{typed}\n",
        ".md": f"# Oproep\n\n## Inleiding\n\n{typed}\n",
    }[suffix]
    path = tmp_path / f"oproep{suffix}"
    path.write_text(body, encoding="utf-8")
    document = load_document(path, tmp_path)
    text = " ".join(part.text for part in document.sections)
    assert (
        "De financiering van projecten in EU-lidstaten loopt tot 12 maart 2025 via het"
        " affliatieplatform." in text
    )


def test_a_one_page_pdf_keeps_its_short_lines_but_not_its_page_number(tmp_path: Path) -> None:
    lines = ["Testoproep", "Code", "KA2", "Inleiding", "Een korte oproep.", "Ja", "1"]
    document = load_pdf(tmp_path, [lines])
    assert document.title == "Testoproep"
    assert section(document, "Code") == "KA2"
    assert section(document, "Inleiding") == "Een korte oproep.\n\nJa"


def test_a_section_label_opening_every_page_is_content_not_a_running_header(
    tmp_path: Path,
) -> None:
    pages = [
        [f"Oproep {name}", "Deadline", deadline, "Inleiding", f"Een oproep over {name}."]
        for name, deadline in (("natuur", "3 maart 2025"), ("cultuur", "9 april 2025"))
    ]
    document = load_pdf(tmp_path, pages)
    assert headings(document) == [
        "Deadline",
        "Inleiding",
        "Oproep cultuur › Deadline",
        "Oproep cultuur › Inleiding",
    ]
    assert "3 maart 2025" in document.text and "9 april 2025" in document.text


# --- documents, corpus, failures --------------------------------------------------------------


def test_document_source_hash_and_path() -> None:
    path = CORPUS / "cerv-stedenbanden-2024.md"
    document = load_document(path, CORPUS)
    assert document.source == "cerv-stedenbanden-2024.md"
    assert document.path == path
    assert document.file_hash == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_whole_corpus_loads_without_failures() -> None:
    documents, failures = load_corpus(CORPUS)
    assert failures == []
    names = sorted(p.name for p in CORPUS.iterdir() if p.suffix in SUPPORTED_SUFFIXES)
    assert [d.source for d in documents] == names
    assert all(d.sections and d.text.strip() for d in documents)
    assert count_corpus_files(CORPUS) == len(names)


def test_broken_files_fail_clearly_while_good_files_still_load(tmp_path: Path) -> None:
    good = ("erasmus-ka210-kleinschalige-partnerschappen.txt", "cerv-stedenbanden-2024.md")
    for name in good:
        shutil.copy(CORPUS / name, tmp_path / name)
    (tmp_path / "sub").mkdir()
    shutil.copy(CORPUS / "jean-monnet-hoger-onderwijs.html", tmp_path / "sub" / "jm.html")
    (tmp_path / "a-empty.txt").write_bytes(b"")
    (tmp_path / "b-image.txt").write_bytes(PNG_HEADER)
    (tmp_path / "c-latin1.txt").write_bytes(
        "Oproep\n\nDeadline: 1 mei 2025 – café".encode("cp1252")
    )
    (tmp_path / "d-broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    (tmp_path / "e-notes.docx").write_bytes(b"PK\x03\x04 whatever")
    (tmp_path / "f-spaces.txt").write_text("  \n\n \t\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("verborgen", encoding="utf-8")
    (tmp_path / "README.md").write_text("# Over deze map", encoding="utf-8")

    progress: list[int] = []
    documents, failures = load_corpus(tmp_path, progress=progress.append)

    assert sorted(d.source for d in documents) == sorted([*good, "sub/jm.html"])
    reasons = {failure.source: failure.reason for failure in failures}
    assert reasons == {
        "a-empty.txt": "file is empty",
        "b-image.txt": "binary file",
        "c-latin1.txt": "not UTF-8 text (invalid byte 0x96 at position 29)",
        "d-broken.pdf": reasons["d-broken.pdf"],
        "e-notes.docx": "unsupported file type .docx",
        "f-spaces.txt": "no text could be extracted",
    }
    assert reasons["d-broken.pdf"].startswith("PDF could not be read: ")
    assert len(progress) == len(documents) + len(failures) == count_corpus_files(tmp_path)


def test_load_document_raises_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "kapot.txt"
    path.write_bytes(b"Titel\n\n\xff\xfe rest")
    with pytest.raises(DocumentLoadError, match=r"invalid byte 0xff at position 7"):
        load_document(path, tmp_path)
    with pytest.raises(DocumentLoadError, match="corpus folder not found"):
        load_corpus(tmp_path / "bestaat-niet")


@pytest.mark.parametrize(
    ("first", "second", "whole"),
    [
        (  # a field's value wrapped after a comma onto a line shaped like a heading
            "Contact Europese Commissie: European Education and Culture Executive Agency (EACEA),",
            "Bourgetlaan 1, 1049 Brussel",
            "Executive Agency (EACEA), Bourgetlaan 1, 1049 Brussel",
        ),
        (  # a list item wrapped after a word no line ends on
            "- Europese prijzen en initiatieven zoals de Culturele Hoofdstad van Europa en het",
            "Europees Erfgoedlabel",
            "Culturele Hoofdstad van Europa en het Europees Erfgoedlabel",
        ),
        (  # a line that ends on a number or a capital
            "De regels en de regionale prioriteiten van deze oproep staan in de programmagids 2025",
            "(hoofdstuk capaciteitsopbouw in beroepsonderwijs en -opleiding).",
            "de programmagids 2025 (hoofdstuk capaciteitsopbouw",
        ),
        (  # a lead-in's colon with its list in lower case on the next line
            "Studenten uit elk studiegebied en uit elke cyclus van het hoger onderwijs komen in:",
            "graduaatsopleidingen (korte cyclus), bachelor, master en doctoraat.",
            "komen in: graduaatsopleidingen (korte cyclus)",
        ),
        (  # prose with a colon after a comma is no field
            "Het programma staat naast de andere Europese programma's voor jongeren, naast het",
            "Erasmus+, maar werkt met dezelfde logica: organisaties vragen een subsidie aan.",
            "naast het Erasmus+, maar werkt met dezelfde logica:",
        ),
        (  # a field's value wrapped after a word
            "Contact Europese Commissie: European Climate, Infrastructure and Environment",
            "Executive Agency (CINEA)",
            "and Environment Executive Agency (CINEA)",
        ),
        (  # a semicolon's list goes on in lower case
            "Gedecentraliseerde acties via het Erasmus+ and European Solidarity Corps Platform;",
            "gecentraliseerde acties via het Funding & Tenders-portaal.",
            "Corps Platform; gecentraliseerde acties",
        ),
    ],
    ids=[
        "field-after-comma",
        "item-after-function-word",
        "after-a-number",
        "colon",
        "no-field",
        "field-after-word",
        "semicolon",
    ],
)
def test_pdf_line_wrapped_at_the_margin_is_joined_to_the_next(
    tmp_path: Path, first: str, second: str, whole: str
) -> None:
    filler = "Deze oproep steunt projecten die organisaties uit verschillende landen samenbrengen."
    lines = ["Testoproep", "Inleiding", filler, first, second, "Kort slot."]
    text = section(load_pdf(tmp_path, [lines]), "Inleiding")
    assert whole in text


def test_pdf_list_item_that_ends_on_a_word_keeps_a_heading_after_it(tmp_path: Path) -> None:
    # The rule the joins above must not break: an unpunctuated list item near the margin,
    # then a heading.
    lines = [
        "Testoproep",
        "Begunstigden",
        "- Organisaties voor volwasseneneducatie en lokale besturen uit alle lidstaten",
        "Contact",
        "Agentschap Voorbeeld, Stationsstraat 1, 1000 Brussel",
    ]
    document = load_pdf(tmp_path, [lines])
    assert "Contact" in headings(document)
    assert section(document, "Begunstigden").endswith("uit alle lidstaten")


def test_pdf_address_block_is_one_paragraph_as_in_a_text_file(tmp_path: Path) -> None:
    # A PDF has no blank lines: without this each line of an address stood alone, and a quote
    # or the contact details held the name without its address or number.
    body = "Deze oproep steunt projecten die organisaties uit verschillende landen samenbrengen."
    lines = [
        "Testoproep",
        "Inleiding",
        *[body] * 6,
        "Info & contact",
        "- Vlaams contactpunt",
        "Departement Voorbeeld – team Internationaal beleid",
        "Ellipsgebouw",
        "Koning Albert II-laan 35 bus 12",
        "1030 Brussel",
        "02 553 00 00",
        "Agentschap Twee",
        "Stationsstraat 1",
        "9000 Gent",
        "www.agentschap-twee.be",
        "Na de infosessie volgen de presentaties.",
    ]
    document = load_pdf(tmp_path, [lines])
    assert section(document, "Info & contact") == (
        "- Vlaams contactpunt\n\n"
        "Departement Voorbeeld – team Internationaal beleid\nEllipsgebouw\n"
        "Koning Albert II-laan 35 bus 12\n1030 Brussel\n02 553 00 00\n\n"
        "Agentschap Twee\nStationsstraat 1\n9000 Gent\nwww.agentschap-twee.be\n\n"
        "Na de infosessie volgen de presentaties."
    )
    assert "Departement Voorbeeld" in document.metadata.contact
