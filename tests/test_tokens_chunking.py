"""Offline tiktoken and section-aware chunking."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.chunking import split_document
from assistant.errors import ConfigurationError
from assistant.tokens import count_tokens, get_encoding
from assistant.types import Document, DocumentMetadata, Section


def _document(*sections: Section) -> Document:
    return Document(
        source="test.txt",
        path=Path("test.txt"),
        file_hash="abc",
        metadata=DocumentMetadata(title="Testoproep"),
        sections=sections,
    )


def test_encodings_load_offline_from_the_installed_package() -> None:
    for name in ("cl100k_base", "o200k_base"):
        encoding = get_encoding(name)
        assert count_tokens("Wie mag een aanvraag indienen?", encoding) > 3


def test_unknown_encoding_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="Unknown tokenizer"):
        get_encoding("r50k_nonexistent")


def test_long_section_is_split_under_budget_without_losing_text() -> None:
    encoding = get_encoding("cl100k_base")
    paragraphs = [
        f"Paragraaf {i}: organisaties uit Vlaanderen kunnen samenwerken met partners "
        f"uit andere lidstaten, en dat is regel nummer {i}."
        for i in range(40)
    ]
    document = _document(Section("Voorwaarden", "\n\n".join(paragraphs)))
    chunks = split_document(document, encoding, budget=80, overlap=0)
    assert len(chunks) > 5
    assert all(c.tokens <= 80 for c in chunks)
    assert all(count_tokens(c.text, encoding) <= 80 for c in chunks)
    joined = "\n".join(c.text for c in chunks)
    assert all(p in joined for p in paragraphs)
    assert {c.section for c in chunks} == {"Voorwaarden"}
    assert all(c.title == "Testoproep" for c in chunks)


def test_small_labelled_fields_share_a_chunk_and_keep_their_labels() -> None:
    encoding = get_encoding("cl100k_base")
    document = _document(
        Section("Deadline", "11 september 2024"),
        Section("Code", "HORIZON-MSCA-2024-PF-01-01"),
        Section("Inleiding", "Een lange inleiding. " * 60),
    )
    chunks = split_document(document, encoding, budget=200)
    first = chunks[0]
    assert "Deadline" in first.section and "Code" in first.section
    assert "Deadline\n11 september 2024" in first.text
    assert "HORIZON-MSCA-2024-PF-01-01" in first.text


def test_chunk_ids_are_stable_content_hashes() -> None:
    encoding = get_encoding("cl100k_base")
    a = split_document(_document(Section("Budget", "60.000 euro")), encoding, 200)
    b = split_document(_document(Section("Budget", "60.000 euro")), encoding, 200)
    c = split_document(_document(Section("Budget", "30.000 euro")), encoding, 200)
    assert [x.id for x in a] == [x.id for x in b]
    assert a[0].id != c[0].id


def test_overlong_sentence_is_cut_into_token_windows() -> None:
    encoding = get_encoding("cl100k_base")
    document = _document(Section("Lijst", " ".join(["woord"] * 500)))
    chunks = split_document(document, encoding, budget=64)
    assert all(c.tokens <= 64 for c in chunks)
    assert sum(c.text.count("woord") for c in chunks) == 500


def test_a_list_that_does_not_fit_is_not_cut_from_its_lead_in() -> None:
    encoding = get_encoding("cl100k_base")
    intro = " ".join(["Deze oproep steunt samenwerking tussen steden en regio's."] * 6)
    step = "stap met een korte uitleg over wat de aanvrager dan precies moet doen"
    body = "\n\n".join(
        [intro, "De procedure verloopt in drie stappen:", f"- Eerste {step}.",
         f"- Tweede {step}.", f"- Derde {step}."]
    )  # fmt: skip
    budget = count_tokens(f"{intro}\n\nDe procedure verloopt in drie stappen:", encoding) + 25
    chunks = split_document(_document(Section("Procedure", body)), encoding, budget, overlap=20)
    with_first_step = next(c for c in chunks if "- Eerste" in c.text)
    assert with_first_step.text.startswith("De procedure verloopt in drie stappen:")
    assert all(count_tokens(c.text, encoding) <= budget for c in chunks)
    assert "".join(c.text for c in chunks).count("- Derde") == 1


def test_an_over_budget_paragraph_is_cut_between_its_lines_first() -> None:
    """A list item of several sentences stays one piece; "1." is never cut from its step."""
    encoding = get_encoding("cl100k_base")
    step = "Korte aanvraag: kan op elk moment worden ingediend. Experts geven een GO of NO GO."
    lines = ["De procedure verloopt in drie stappen:", f"1. {step}", f"2. {step}", f"3. {step}"]
    body = "\n".join(lines)  # one paragraph, over budget
    budget = count_tokens("\n".join(lines[:3]), encoding)
    chunks = split_document(_document(Section("Procedure", body)), encoding, budget)
    pieces = [p for c in chunks for p in c.text.split("\n\n")]
    assert f"1. {step}" in pieces and f"3. {step}" in pieces
    assert "1." not in pieces


def test_a_list_written_as_one_paragraph_keeps_its_first_items_with_its_lead_in() -> None:
    encoding = get_encoding("cl100k_base")
    intro = " ".join(["Het topic wil besturen helpen om integratie vlotter te laten verlopen."] * 4)
    lead = "Een project omvat een of meer van de volgende soorten activiteiten:"
    item = "met lokale partners een plan opstellen en uitvoeren met meetbare doelen"
    items = [f"- {n} {item};" for n in ("eerste", "tweede", "derde", "vierde", "vijfde")]
    items[1] += "\n  E-mail: info@voorbeeld.be"  # a line under an item stays with it
    body = "\n\n".join([intro, lead, "\n".join(items)])
    # the list fits a chunk, but not with its lead-in
    budget = count_tokens("\n".join(items), encoding) + 5
    chunks = split_document(_document(Section("Doelstellingen", body)), encoding, budget)
    with_lead = next(c for c in chunks if lead in c.text)
    assert not with_lead.text.endswith(lead)  # never the last words of a chunk
    assert "- eerste" in with_lead.text
    assert all(count_tokens(c.text, encoding) <= budget for c in chunks)
    text = "".join(c.text for c in chunks)
    assert all(text.count(i.split("\n")[0]) == 1 for i in items)
    assert "tweede " + item + ";\n  E-mail: info@voorbeeld.be" in text
