"""Dates and metadata: parsed from Dutch text and really extracted from every corpus document."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.loaders import load_document
from assistant.metadata import extract_metadata, organisations_in, parse_dutch_dates
from assistant.triage import route
from assistant.types import DocumentMetadata, Section

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
ALL_DOCUMENTS = sorted(p.name for p in CORPUS.iterdir() if not p.name.startswith("."))


def metadata(name: str) -> DocumentMetadata:
    return load_document(CORPUS / name, CORPUS).metadata


# --- parse_dutch_dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05 maart 2025 en 01 oktober 2025", [date(2025, 3, 5), date(2025, 10, 1)]),
        ("19 februari 2025, 12:00 uur", [date(2025, 2, 19)]),
        ("2025-02-19 12:00 (Brusselse tijd)", [date(2025, 2, 19)]),
        ("11-09-2024", [date(2024, 9, 11)]),
        ("13 maart 2024", [date(2024, 3, 13)]),
        (
            "maandag 18 november 2024 / vrijdag 7 februari 2025",
            [date(2024, 11, 18), date(2025, 2, 7)],
        ),
        ("12 februari 2025 – 01 oktober 2025", [date(2025, 2, 12), date(2025, 10, 1)]),
        ("Deadlines 12 februari en 1 oktober 2025.", [date(2025, 2, 12), date(2025, 10, 1)]),
        ("deadline 5 March 2025, or March 26, 2025", [date(2025, 3, 5), date(2025, 3, 26)]),
        ("5 mrt. 2025 en 1 sept 2024", [date(2025, 3, 5), date(2024, 9, 1)]),
        ("11/09/2024 en 11.09.2024", [date(2024, 9, 11)]),
        ("2025-02-19T12:00", [date(2025, 2, 19)]),
    ],
)
def test_parse_dutch_dates_reads_the_forms_call_texts_use(text: str, expected: list[date]) -> None:
    assert parse_dutch_dates(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Erasmus+ 2021-2027 heeft 26,2 miljard euro.",
        "om 12:00 uur, 02 553 97 31",
        "31 februari 2025",  # no such day
        "op 12 juni",  # no year anywhere
        "Op 2 mei waren er al veel aanvragen; de oproep zelf sluit pas ergens in 2025.",
        "",
    ],
)
def test_parse_dutch_dates_ignores_what_is_not_a_date(text: str) -> None:
    assert parse_dutch_dates(text) == []


# --- every corpus document --------------------------------------------------------------------


def test_the_corpus_is_what_these_tests_expect() -> None:
    assert len(ALL_DOCUMENTS) == 35


@pytest.mark.parametrize("name", ALL_DOCUMENTS)
def test_every_corpus_document_has_a_title_deadline_code_and_programme(name: str) -> None:
    # Checked by hand: all 35 documents state a deadline (front matter, a labelled field or a
    # "Deadline"/"Indiendatum" section), a call code and, one way or another, a programme.
    found = metadata(name)
    assert found.title.strip()
    assert found.deadline is not None
    assert 2020 <= found.deadline.year <= 2030
    assert found.deadlines == tuple(sorted(found.deadlines))
    assert found.deadline == max(found.deadlines)
    assert found.call_code and found.programme
    assert found.handling_organisation and len(found.handling_organisation) <= 200
    assert found.contact and len(found.contact) <= 620
    assert found.language == "nl"


# --- exact values, a few files of each format -------------------------------------------------


def test_txt_metadata_of_a_call_with_two_rounds() -> None:
    found = metadata("erasmus-ka210-kleinschalige-partnerschappen.txt")
    assert found.title == "Erasmus+: Kleinschalige partnerschappen (KA210)"
    assert found.deadline == date(2025, 10, 1)
    assert found.deadlines == (date(2025, 3, 5), date(2025, 10, 1))
    assert found.call_code is not None and "KA210-SCH" in found.call_code
    assert found.programme == "Erasmus+ Onderwijs en Opleiding"
    assert found.action == "Kleinschalige partnerschappen (KA210)"
    assert found.handling_organisation is not None
    assert "Epos vzw" in found.handling_organisation and "JINT vzw" in found.handling_organisation
    assert found.contact is not None and "02 553 97 31" in found.contact
    assert found.source_url is None  # the text names no web address


def test_txt_metadata_comes_from_the_call_not_the_programme_block() -> None:
    found = metadata("horizon-msca-postdoctoral-fellowships-2024.txt")
    assert found.deadline == date(2024, 9, 11)
    assert found.call_code == "HORIZON-MSCA-2024-PF-01-01"
    assert found.programme == "Horizon Europe – Marie Skłodowska-Curie-acties"
    assert found.handling_organisation is not None
    assert found.handling_organisation.startswith("NCP Flanders – MSCA")
    assert found.contact is not None and "Leuvenseweg 38" in found.contact


def test_txt_contact_block_leaves_out_link_text() -> None:
    found = metadata("esf-plus-leerecosystemen-fase-2-oproep-65.txt")
    assert found.call_code == "Oproep 65"
    assert found.deadline == date(2025, 9, 12)
    assert found.handling_organisation is not None
    assert found.handling_organisation.startswith("Europa WSE")
    assert found.contact is not None and "Koning Albert II-laan 35" in found.contact
    assert "Naar Programma pagina" not in found.contact
    assert "Naar Programma pagina" not in found.handling_organisation


def test_markdown_front_matter_wins() -> None:
    found = metadata("cerv-stedenbanden-2024.md")
    assert found.title == "CERV: Stedenbanden (Town Twinning) 2024"
    assert found.programme == "Burgers, Gelijkheid, Rechten en Waarden (CERV)"
    assert found.action == "Luik Betrokkenheid en participatie van burgers – Stedenbanden"
    assert found.call_code == "CERV-2024-CITIZENS-TOWN-TT"
    assert found.deadline == date(2024, 9, 19)
    assert found.handling_organisation is not None and "EACEA" in found.handling_organisation
    assert found.source_url == "https://www.vleva.eu/call/eu-subsidies/cerv-stedenbanden-2024"
    assert found.contact is not None and "Bischoffsheimlaan 1-8" in found.contact


def test_markdown_deadline_with_a_time_and_contact_under_a_bold_heading() -> None:
    found = metadata("erasmus-ka120-accreditatie.md")
    assert found.deadline == date(2025, 10, 1)
    assert found.call_code is not None and "KA120-VET" in found.call_code
    assert found.handling_organisation is not None
    assert found.handling_organisation.startswith("Epos vzw")
    assert (
        found.source_url == "https://www.epos-vlaanderen.be/projectaanvraag/erasmus-accreditatie/"
    )
    assert found.contact is not None and "info@epos-vlaanderen.be" in found.contact


def test_markdown_contact_prefers_the_flemish_contact_point() -> None:
    found = metadata("interreg-noordzee-2021-2027.md")
    assert found.deadline == date(2024, 3, 8)
    assert found.handling_organisation is not None
    assert "Danish Business Authority" in found.handling_organisation
    assert found.contact is not None
    assert found.contact.startswith("Nationaal contactpunt Interreg Noordzee – Vlaanderen")


def test_html_definition_list_fields() -> None:
    found = metadata("erasmus-ka1-schoolonderwijs.html")
    assert (
        found.title
        == "Schoolonderwijs: leerlingen en personeel op Erasmus (KA121-SCH en KA122-SCH)"
    )
    assert found.deadline == date(2025, 2, 19)
    assert found.call_code is not None and "KA122-SCH" in found.call_code
    assert (
        found.handling_organisation == "Epos vzw, Nationaal Agentschap voor de Vlaamse Gemeenschap"
    )
    assert found.programme == "Erasmus+ 2025"
    assert found.action == "Kernactie 1 – Leermobiliteit van individuen in het schoolonderwijs"
    assert found.language == "nl"  # the page says nl-BE
    assert found.source_url is None  # no canonical link on this page


def test_html_label_elements_and_two_rounds() -> None:
    found = metadata("erasmus-jeugd-ka152-groepsuitwisselingen.html")
    assert found.deadlines == (date(2025, 2, 12), date(2025, 10, 1))
    assert found.deadline == date(2025, 10, 1)
    assert found.call_code == "KA152-YOU"
    assert found.programme == "Erasmus+ Jeugd"
    assert found.handling_organisation is not None
    assert found.handling_organisation.startswith("JINT vzw")


def test_html_canonical_link_and_programme_block() -> None:
    found = metadata("amif-integratie-en-inclusie-lokaal-regionaal-2023.html")
    assert found.source_url == (
        "https://www.vleva.eu/call/eu-subsidies/amif-integratie-en-inclusie-op-regionaal-en-lokaal-niveau"
    )
    assert found.deadline == date(2023, 5, 16)
    assert found.call_code == "AMIF-2023-TF2-AG-CALL-02-LOCAL"
    assert found.programme == "Fonds voor Asiel, Migratie en Integratie (AMIF) 2021-2027"
    # the text says the Commission manages this call directly (Europa WSE runs another strand)
    assert found.handling_organisation == (
        "Directoraat-generaal Migratie en Binnenlandse Zaken (DG HOME)"
    )


def test_html_deadline_field_with_two_steps_and_a_managing_authority() -> None:
    efro = metadata("efro-vlaanderen-onderzoeks-en-innovatiecapaciteit-2024.html")
    assert efro.deadlines == (date(2024, 11, 18), date(2025, 2, 7))
    assert efro.deadline == date(2025, 2, 7)
    assert efro.handling_organisation is not None and "VLAIO" in efro.handling_organisation
    interreg = metadata("interreg-vlaanderen-nederland-derde-oproep-2024.html")
    assert interreg.deadline == date(2024, 3, 14)
    assert interreg.handling_organisation == "Provincie Antwerpen"  # "Beheersautoriteit: …"


def test_html_inline_bold_labels() -> None:
    found = metadata("erasmus-teacher-academies-2025.html")
    assert found.deadline == date(2025, 3, 26)
    assert found.call_code == "ERASMUS-EDU-2025-PEX-TEACH-ACA"
    assert found.handling_organisation == "EACEA (niet Epos)"


# --- extract_metadata rules on small inputs ---------------------------------------------------


def test_front_matter_wins_over_the_text() -> None:
    sections = [Section("Deadline", "1 mei 2025"), Section("Code", "IN-DE-TEKST")]
    found = extract_metadata(
        sections,
        title="Uit de tekst",
        front_matter={"title": "Uit front matter", "deadline": date(2025, 6, 1), "code": "FM-1"},
    )
    assert (found.title, found.deadline, found.call_code) == (
        "Uit front matter",
        date(2025, 6, 1),
        "FM-1",
    )


def test_programme_from_block_heading_or_title_prefix() -> None:
    block = [Section("Budget", "10 euro"), Section("Programma Y › Inleiding", "Over Y.")]
    assert extract_metadata(block, title="Y: oproep").programme == "Programma Y"
    labelled = [Section("Over Z – Goed om weten › Begunstigden", "- Scholen")]
    assert extract_metadata(labelled, title="Oproep").programme == "Over Z"
    nested = [Section("Welke activiteiten? › Voor leerlingen", "- Uitwisseling")]
    found = extract_metadata(nested, title="Horizon Europe: MSCA Doctoral Networks")
    assert found.programme == "Horizon Europe"
    assert found.action == "MSCA Doctoral Networks"


def test_deadline_falls_back_on_a_sentence_that_names_one() -> None:
    sections = [
        Section("Inleiding", "De oproep opende op 1 maart 2025. Indienen kan tot 3 juni 2025.")
    ]
    assert extract_metadata(sections, title="T").deadline == date(2025, 6, 3)
    assert extract_metadata([Section("Inleiding", "Geen datum.")], title="T").deadline is None


def test_contact_point_block_gives_organisation_and_contact() -> None:
    text = (
        "- Website fonds\n\nProgramma X\n\n- Vlaams contactpunt\n\n"
        "Agentschap A – team B\nDienst C\nStraat 1\n1000 Brussel\n\nNaar Programma pagina"
    )
    found = extract_metadata([Section("Info & contact", text)], title="T", language="nl-BE")
    assert found.handling_organisation == "Agentschap A – team B, Dienst C"
    assert found.contact == "Agentschap A – team B\nDienst C\nStraat 1\n1000 Brussel"
    assert found.language == "nl"


def test_structure_fields_and_text_urls() -> None:
    found = extract_metadata(
        [Section("Meer info", "Zie https://example.org/oproep-1 voor alles.")],
        title="T",
        fields=[
            ("Beheerd door", "Agentschap Q – indienen via het portaal"),
            ("Deadline", "1-2-2026"),
        ],
    )
    assert found.handling_organisation == "Agentschap Q"
    assert found.deadline == date(2026, 2, 1)
    assert found.source_url == "https://example.org/oproep-1"


def test_fields_written_inline_end_where_the_next_field_starts(tmp_path: Path) -> None:
    # a portal page: "Programme: Digital Europe Programme. Call: DIGITAL-2026-GRIDS-01. …"
    page = Path(__file__).parent / "fixtures" / "portal" / "budget-table.html"
    found = load_document(page, page.parent).metadata
    assert found.programme == "Digital Europe Programme"
    # one field that goes on in sentences of its own keeps them
    text = [Section("Contact", "Organisatie: Epos vzw. Meer info op de website.")]
    assert extract_metadata(text, title="T").handling_organisation == "Epos vzw"


@pytest.mark.parametrize(
    "name",
    ["jean-monnet-hoger-onderwijs.html", "erasmus-capaciteitsopbouw-beroepsonderwijs-2025.txt"],
)
def test_a_call_the_text_says_is_managed_centrally_names_the_commission_body(name: str) -> None:
    """ "Deze actie wordt centraal beheerd" / "Epos beheert deze actie niet": the manager is the
    Commission body of the document's contact line, not the national contact point."""
    found = metadata(name)
    assert found.handling_organisation is not None
    assert "EACEA" in found.handling_organisation and "Epos" not in found.handling_organisation
    assert found.managed_centrally


def test_a_call_with_a_flemish_contact_point_is_not_marked_central() -> None:
    assert not metadata(
        "life-natuur-biodiversiteit-standaard-actieprojecten-2024.md"
    ).managed_centrally


# --- the handling organisation is a name, in the document's own words -------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "contact"


def fixture(name: str) -> DocumentMetadata:
    return load_document(FIXTURES / name, FIXTURES).metadata


@pytest.mark.parametrize(
    ("name", "organisation"),
    [
        # "Voor vragen kun je terecht bij het team … van het Agentschap Voorbeeld (AV), <street>"
        ("team-in-agentschap.txt", "team Europese projecten van het Agentschap Voorbeeld (AV)"),
        # "Neem tijdig contact op met je contactpunt." above the department and its address
        (
            "advies-voor-contactpunt.txt",
            "dienst Internationalisering van het Departement Cultuur (DCJM)",
        ),
        # "For questions, please contact the … team of the Example Agency (EA), <street>"
        ("english-contact.html", "European Projects team of the Example Agency (EA)"),
        # <dl><dt>Organisatie</dt><dd>het Nationaal Contactpunt (NCP) bij het FWO</dd>…</dl>
        ("contact-definitielijst.html", "Nationaal Contactpunt (NCP) bij het FWO"),
        # <div class="contact"><strong>Name</strong><br>street<br>town<br>e-mail</div>
        (
            "contactkaart.html",
            "Dienst Internationalisering van het Departement Onderwijs en Vorming",
        ),
        # a table row "Contact | Org – team, street, town"
        ("contact-tabelrij.html", "Vlaamse Milieumaatschappij (VMM) – team Klimaatadaptatie"),
        # a PDF whose contact point runs onto a page with a running footer and page number
        ("koptekst-op-elke-pagina.pdf", "Team Stedenbeleid, Agentschap Voorbeeld (AV)"),
    ],
)
def test_the_handling_organisation_is_the_name_the_contact_text_gives(
    name: str, organisation: str
) -> None:
    assert fixture(name).handling_organisation == organisation


def test_contact_details_without_advice_page_furniture_or_a_missing_table_row() -> None:
    row = fixture("contact-tabelrij.html")
    assert row.contact is not None and "Dokter De Moorstraat 24, 9300 Aalst" in row.contact
    pdf = fixture("koptekst-op-elke-pagina.pdf")
    assert pdf.contact is not None and "Agentschap Voorbeeld (AV)" in pdf.contact
    assert "pagina" not in pdf.contact and "Europese projecten in Vlaanderen" not in pdf.contact


@pytest.mark.parametrize(
    ("line", "organisation"),
    [
        (
            "het Nationaal Contactpunt (NCP) bij het FWO, Egmontstraat 5, 1000 Brussel",
            "Nationaal Contactpunt (NCP) bij het FWO",
        ),
        (
            "de dienst Internationalisering van het Departement X – Havenlaan 88, 1000 Brussel",
            "dienst Internationalisering van het Departement X",
        ),
        (
            "the European Projects team of the Example Agency (EA), 1 Example Street, Brussels",
            "European Projects team of the Example Agency (EA)",
        ),
    ],
)
def test_a_team_inside_an_agency_keeps_its_agency_and_acronym(line: str, organisation: str) -> None:
    assert organisations_in(line) == organisation


@pytest.mark.parametrize(
    "label",
    ["Organisatie", "Contactpunt", "Beheerd door", "Contact", "Organisation", "Managed by",
     "Contact point"],
)  # fmt: skip
def test_labelled_organisation_fields_in_dutch_and_english(label: str) -> None:
    text = (
        "Neem tijdig contact op met je contactpunt.\n\n"
        f"{label}: de dienst Internationalisering van het Departement X (DX), "
        "Havenlaan 88, 1000 Brussel"
    )
    found = extract_metadata([Section("Praktisch", text)], title="T")
    assert found.handling_organisation == "dienst Internationalisering van het Departement X (DX)"


def test_running_headers_and_footers_of_pdf_text_are_no_organisation() -> None:
    """Text as a PDF gives it: every line a paragraph, a running title and a page number at
    every page's edge, one of them inside the contact block."""
    footer = "Gids 2025 – Europese projecten\n\nGids 2025 – pagina {}"
    sections = [
        Section("Inleiding", "Steden vergroenen hun pleinen.\n\n" + footer.format(1)),
        Section("Wie komt in aanmerking?", "- Steden\n- Gemeenten\n\n" + footer.format(2)),
        Section(
            "Info & contact",
            "Vlaams contactpunt\n\n" + footer.format(3) + "\n\nTeam Stedenbeleid\n\n"
            "Agentschap Voorbeeld (AV)\n\nKoning Albert II-laan 15\n\n1210 Brussel",
        ),
    ]
    found = extract_metadata(sections, title="T")
    assert found.handling_organisation == "Team Stedenbeleid, Agentschap Voorbeeld (AV)"
    assert found.contact is not None and found.contact.startswith("Team Stedenbeleid")
    assert "Gids 2025" not in found.contact
    # a running header taken for a heading does not cut the contact section short
    headed = [Section("Contact", "Agentschap Voorbeeld"), Section("Pagina 4 van 9", "Straat 1")]
    assert extract_metadata(headed, title="T").handling_organisation == "Agentschap Voorbeeld"


@pytest.mark.parametrize(
    "block",
    [
        "Neem tijdig contact op met je contactpunt.",
        "We raden aan om vooraf je idee voor te leggen.",
        "Vragen over je aanvraag? Neem contact op met ons.",
        "Please contact your national contact point before you apply.",
        "Gids 2025 – pagina 3",
        "Pagina 3 van 12\n1000 Brussel",
        "- Vlaams contactpunt",
    ],
)
def test_advice_labels_and_page_headers_are_never_an_organisation(block: str) -> None:
    assert organisations_in(block) is None


@pytest.mark.parametrize(
    ("block", "organisation"),
    [
        (
            "Vragen? Neem contact op met het team schoolonderwijs van Epos.",
            "team schoolonderwijs van Epos",
        ),
        (
            "Voor advies kan je bij de dienst Europa van de Provincie Y terecht.",
            "dienst Europa van de Provincie Y",
        ),
        ("Contacteer het Agentschap Z (AZ) om je idee af te toetsen.", "Agentschap Z (AZ)"),
        ("Het Departement Q (DQ) coördineert de oproep in Vlaanderen.", "Departement Q (DQ)"),
        (
            "Please get in touch with the Example Agency (EA) before you apply.",
            "Example Agency (EA)",
        ),
        # how the reader gets there is no part of the name
        (
            "For questions on this topic, contact the European Climate, Infrastructure and "
            "Environment Executive Agency (CINEA) via the Funding & Tenders Portal helpdesk.",
            "European Climate, Infrastructure and Environment Executive Agency (CINEA)",
        ),
        ("Neem contact op met het Agentschap Z via de helpdesk.", "Agentschap Z"),
    ],
)
def test_an_organisation_named_only_in_a_sentence_counts(block: str, organisation: str) -> None:
    assert organisations_in(block) == organisation


def test_a_name_line_wins_over_an_organisation_a_sentence_names() -> None:
    block = (
        "Vragen over je aanvraag? Neem contact op met het team schoolonderwijs van Epos.\n\n"
        "Epos vzw\n\nKoning Albert II-laan 15\n\n1210 Brussel"
    )
    assert organisations_in(block) == "Epos vzw"


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_a_triage_row_names_the_organisation_its_document_names(name: str) -> None:
    found = fixture(name)
    meta = {
        "handling_organisation": found.handling_organisation,
        "contact": found.contact,
        "managed_centrally": found.managed_centrally,
    }
    routing = route(meta, "Bij wie kan ik terecht met vragen?", "Epos")
    assert routing.organisation  # never empty when the document names one
    assert organisations_in(routing.organisation) == routing.organisation  # a name
    # in the document's own words: its contact text or the name read from it
    organisation = routing.organisation
    assert organisation == found.handling_organisation or organisation in (found.contact or "")


def test_routing_reads_a_name_out_of_stored_sentences() -> None:
    """Metadata that holds only sentences (an index built before names were read) still routes
    to the organisation they name, never to the sentence."""
    meta = {
        "handling_organisation": "Vragen? Neem contact op met het team Europa van Agentschap W.",
        "contact": "Voor vragen kun je terecht bij het Agentschap W (AW), Straat 1, 1000 Brussel.",
    }
    routing = route(meta, "Wie helpt me?", "Epos")
    assert routing.organisation == "Agentschap W (AW)"
    assert routing.contact and "Straat 1" in routing.contact
    assert routing.managed_by == "team Europa van Agentschap W"


ENGLISH_TEXT = (
    "This call funds pilots in which port authorities and companies test digital solutions. "
    "Applicants from at least two member states can apply. The deadline is 12 March 2026, "
    "and the grant covers 70% of the costs of the project."
)
DUTCH_TEXT = (
    "Met deze oproep financiert de Commissie pilots waarin havenbesturen en bedrijven digitale "
    "oplossingen testen. Wie kan een aanvraag indienen? Organisaties uit minstens twee "
    "lidstaten; de deadline is 12 maart 2026 en de subsidie dekt 70% van de kosten. Wie "
    "twijfelt, kan het idee eerst voorleggen aan het contactpunt."
)


@pytest.mark.parametrize(
    ("text", "declared", "expected"),
    [
        (ENGLISH_TEXT, None, "en"),  # a PDF or .txt declares nothing
        (ENGLISH_TEXT, "nl", "en"),  # a saved page's template may declare another language
        (DUTCH_TEXT, "en-GB", "nl"),
        (DUTCH_TEXT, None, "nl"),
        ("Contact: info@example.eu", "en-GB", "en"),  # too short to tell: as declared
        ("Contact: info@example.eu", None, "nl"),
    ],
)
def test_the_language_is_the_one_the_text_is_written_in(
    text: str, declared: str | None, expected: str
) -> None:
    meta = extract_metadata([Section("Intro", text)], title="Pilot call", language=declared)
    assert meta.language == expected


def test_an_english_topic_page_gives_its_fields_and_agency_by_their_english_labels() -> None:
    page = Path(__file__).parent / "fixtures" / "portal" / "english-topic-page.html"
    found = load_document(page, page.parent).metadata
    assert found.language == "en"
    assert found.call_code == "EXAMPLE-2026-HEAT-PUMPS"  # "Topic identifier"
    assert found.action == "Coordination and Support Actions"  # "Type of action"
    assert found.deadline == date(2026, 6, 16)  # "Deadline date", not the opening date
    # the agency's name has commas in it and ends at its acronym, not at its e-mail address
    assert found.handling_organisation == (
        "European Health, Digital and Housing Executive Agency (EHDHEA); "
        "Example Housing Agency (EHA)"
    )


def test_a_portal_page_without_a_programme_takes_the_one_its_sibling_calls_name(
    tmp_path: Path,
) -> None:
    from assistant.loaders import load_corpus

    page = Path(__file__).parent / "fixtures" / "portal" / "english-topic-page.html"
    (tmp_path / page.name).write_bytes(page.read_bytes())
    for name, programme, code in [
        ("een.md", "Example Europe – Cluster 2", "EXAMPLE-2024-CL2-01"),
        ("twee.md", "Example Europe", "EXAMPLE-2025-MISSION-03"),
        ("ander.md", "Ander Programma", "OTHER-2025-TOPIC-01"),
    ]:
        front = f"---\ntitle: Oproep {code}\nprogramme: {programme}\ncall_code: {code}\n---\n"
        (tmp_path / name).write_text(f"{front}\n# Oproep\n\nDeadline: 1 maart 2025.\n")
    documents, failures = load_corpus(tmp_path)
    assert not failures
    programmes = {d.source: d.metadata.programme for d in documents}
    # the page gives only its identifier (EXAMPLE-2026-HEAT-PUMPS): its siblings name it
    assert programmes[page.name] == "Example Europe"
    assert programmes["een.md"] == "Example Europe – Cluster 2"  # a named programme stays
    assert programmes["ander.md"] == "Ander Programma"


def test_the_programme_siblings_share_is_their_common_name_without_a_strand() -> None:
    from assistant.metadata import programme_of_siblings

    assert programme_of_siblings(["Creative Europe – MEDIA"]) == "Creative Europe"
    assert programme_of_siblings(["Erasmus+ 2021-2027", "Erasmus+ Teacher Academies"]) == (
        "Erasmus+"
    )
    assert programme_of_siblings(["LIFE", "Horizon Europe"]) is None
