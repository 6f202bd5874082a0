"""Hybrid retrieval on a real index: the right document for Dutch questions, filters, fusion."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from assistant.indexing import build_index
from assistant.retrieval import (
    HybridRetriever,
    ProgrammeRetriever,
    SearchFilter,
    fuse,
    general_before_special,
    group_by_document,
    is_open,
)
from assistant.settings import Settings
from assistant.types import Chunk, DocumentHit, Hit
from tests.conftest import copy_corpus

pytestmark = pytest.mark.slow

QUESTIONS = [
    (
        "Wie mag een aanvraag indienen voor een kleinschalig partnerschap?",
        "erasmus-ka210-kleinschalige-partnerschappen.txt",
    ),
    (
        "Hoeveel bedraagt de beurs voor een postdoctoraal onderzoeker?",
        "horizon-msca-postdoctoral-fellowships-2024.txt",
    ),
    (
        "Kan onze basisschool leerkrachten laten meelopen in een school in het buitenland?",
        "erasmus-ka1-schoolonderwijs.html",
    ),
    (
        "Vanaf welke leeftijd mogen jongeren mee op een jeugduitwisseling?",
        "erasmus-jeugd-ka152-groepsuitwisselingen.html",
    ),
    (
        "Onze gemeente wil een jumelage met een Duitse stad organiseren: welke subsidie?",
        "cerv-stedenbanden-2024.md",
    ),
    (
        "Welke natuurprojecten rond biodiversiteit worden gefinancierd?",
        "life-natuur-biodiversiteit-standaard-actieprojecten-2024.md",
    ),
]


@pytest.fixture(scope="module")
def retriever(small_index: Settings) -> HybridRetriever:
    retriever = HybridRetriever.from_settings(small_index)
    retriever.warm_up()
    return retriever


@pytest.mark.parametrize(("question", "expected"), QUESTIONS)
def test_right_document_first(retriever: HybridRetriever, question: str, expected: str) -> None:
    documents = retriever.search(question, k=3)
    assert documents[0].source == expected
    assert len({d.source for d in documents}) == len(documents)  # distinct documents
    assert documents[0].hits and documents[0].hits[0].chunk.source == expected


@pytest.mark.parametrize("fusion", ["dense", "lexical", "weighted", "rrf"])
def test_every_fusion_mode_finds_an_obvious_document(small_index: Settings, fusion: str) -> None:
    retriever = HybridRetriever.from_settings(small_index.model_copy(update={"fusion": fusion}))
    retriever.warm_up()
    top = retriever.search("Marie Skłodowska-Curie postdoctorale beurzen", k=1)
    assert top[0].source == "horizon-msca-postdoctoral-fellowships-2024.txt"


def test_programme_filter_keeps_only_that_programme(retriever: HybridRetriever) -> None:
    documents = retriever.search(
        "Wat is de deadline?", k=10, where=SearchFilter(programme="horizon")
    )
    assert [d.source for d in documents] == ["horizon-msca-postdoctoral-fellowships-2024.txt"]


def test_open_only_filter_uses_the_deadline(retriever: HybridRetriever) -> None:
    everything = retriever.search("subsidie", k=10)
    assert len(everything) == 6
    assert (
        retriever.search(
            "subsidie", k=10, where=SearchFilter(open_only=True, today=date(2099, 1, 1))
        )
        == []
    )
    early = retriever.search(
        "subsidie", k=10, where=SearchFilter(open_only=True, today=date(2024, 1, 1))
    )
    assert len(early) == 6


def test_langchain_retriever_returns_passages_with_sources(retriever: HybridRetriever) -> None:
    adapter = ProgrammeRetriever(retriever=retriever, k=2)
    docs = adapter.invoke("leeftijd deelnemers jeugduitwisseling")
    assert docs and docs[0].metadata["source"] == "erasmus-jeugd-ka152-groepsuitwisselingen.html"
    assert {"title", "section", "score"} <= set(docs[0].metadata)


def test_rrf_rewards_agreement() -> None:
    settings = Settings()
    fused = fuse([("a", 0.9), ("b", 0.8)], [("b", 12.0), ("c", 3.0)], settings)
    assert fused[0][0] == "b"


def test_deadline_openness() -> None:
    assert is_open("2025-03-05,2025-10-01", date(2025, 6, 1))
    assert not is_open("2025-03-05", date(2025, 6, 1))
    assert is_open("", date(2025, 6, 1))


def test_document_fields_break_a_tie_between_sibling_calls() -> None:
    settings = Settings()
    dense = [("a1", 0.9), ("b1", 0.8)]
    lexical = [("b1", 9.0), ("a1", 8.0)]
    source = {"a1": "call-2024.txt", "b1": "call-2025.txt"}.__getitem__
    fields = [("call-2025.txt", 3.0), ("call-2024.txt", 1.0)]
    assert fuse(dense, lexical, settings, fields, source)[0][0] == "b1"
    fields.reverse()
    assert fuse(dense, lexical, settings, fields, source)[0][0] == "a1"


def test_of_two_tied_calls_the_one_the_question_does_not_narrow_comes_first() -> None:
    titles = {
        "sport.md": ("Erasmus+ Sport: kleinschalige partnerschappen (2025)", "Erasmus+ Sport"),
        "ka210.txt": ("Erasmus+: Kleinschalige partnerschappen (KA210)", "Erasmus+"),
        "ka210-2026.txt": (
            "Erasmus+: Kleinschalige partnerschappen (KA210) – oproep 2026",
            "Erasmus+",
        ),
        "ka220.txt": ("Erasmus+: Samenwerkingspartnerschappen (KA220)", "Erasmus+"),
    }

    def hit(source: str, score: float) -> DocumentHit:
        return DocumentHit(source, titles[source][0], score, ())

    def chunk(source: str) -> Chunk:
        title, programme = titles[source]
        return Chunk("c", source, title, "", "", 0, 1, {"programme": programme})

    special, general, other = (
        hit("sport.md", 0.0531),
        hit("ka210.txt", 0.0529),
        hit("ka220.txt", 0.04),
    )
    tied = [special, general, other]
    asked = "Hoeveel subsidie krijgt een kleinschalig partnerschap?"
    assert general_before_special(asked, tied, chunk) == [general, special, other]
    # the question that names the special case keeps it first
    assert general_before_special(f"{asked[:-1]} in de sport?", tied, chunk) == tied
    # no tie: retrieval's order stands
    far = [replace(special, score=0.06), general, other]
    assert general_before_special(asked, far, chunk) == far
    # two rounds of one action are no special case of each other ("oproep 2026")
    rounds = [hit("ka210-2026.txt", 0.0531), hit("ka210.txt", 0.0529)]
    assert general_before_special(asked, rounds, chunk) == rounds


def test_dutch_compounds_in_a_question_are_split_against_the_vocabulary() -> None:
    from assistant.lexical import Decompounder

    split = Decompounder({"jeugd", "uitwisseling", "groep", "uitwisselingen", "kleinschalig"})
    assert split("jeugduitwisseling") == ["jeugd", "uitwisseling"]
    assert split("groepsuitwisselingen") == ["groep", "uitwisselingen"]  # linking -s-
    assert split("kleinschalig") == []
    assert split("treinticket") == []


def test_the_vocabulary_knows_a_word_in_another_inflection() -> None:
    from assistant.lexical import LexicalIndex, analyse

    index = LexicalIndex(["a"], ["De Teacher Academies en de Fellowships van het programma."])
    assert all(index.knows(t) for t in analyse("Academies"))
    assert all(index.knows(t) for t in analyse("Academy"))  # singular: academy / academie
    assert all(index.knows(t) for t in analyse("Teachers"))
    assert not all(index.knows(t) for t in analyse("Euregio"))
    assert not all(index.knows(t) for t in analyse("Fellow"))  # a stem, not an inflection


def test_a_numbered_round_is_one_term_however_it_is_written() -> None:
    from assistant.lexical import LexicalIndex, analyse

    rounds = [
        "Oproep 1: geopend op 10 februari 2022, gesloten op 31 maart 2022.",
        "Oproep 2: geopend op 10 november 2022, gesloten op 9 februari 2023.",
        "Oproep 3: geopend op 1 december 2023, gesloten op 14 maart 2024.",
    ]
    index = LexicalIndex(["1", "2", "3"], rounds)
    for question in ("Wanneer sloot de tweede projectoproep?", "When did the second call close?",
                     "Wanneer sloot de 2de oproep?"):  # fmt: skip
        assert index.search(question, 1)[0][0] == "2", question
    assert set(analyse("de derde oproep")) & set(analyse("Call 3 of the programme")) - set(
        analyse("oproep call")
    )
    # a year, a day or a third country is no numbered round
    for text in ("oproep 2025", "de oproep 5 februari", "partners uit derde landen"):
        assert not [t for t in analyse(text) if t.startswith("oproepnr")], text


def test_a_compound_question_finds_the_document_with_the_separate_words(
    retriever: HybridRetriever,
) -> None:
    top = retriever.search("Wat is een Erasmus+-jeugduitwisseling?", k=1)
    assert top[0].source == "erasmus-jeugd-ka152-groepsuitwisselingen.html"


PORTAL_TOPIC = """<html lang="en"><head><title>Next-generation batteries for stationary storage
</title></head><body><main><h1>Next-generation batteries for stationary storage</h1>
<p>This topic funds research and innovation actions that develop new battery chemistries for
grid storage, with pilot lines in at least two Member States.</p>
<h2>Budget overview</h2>
<table><thead><tr><th>Topic</th><th>Type of action</th><th>Budget (EUR)</th><th>Deadline</th>
</tr></thead><tbody>
<tr><td>HORIZON-CL5-2026-D3-07</td><td>RIA</td><td>24 000 000</td><td>17 September 2026</td></tr>
<tr><td>HORIZON-CL5-2026-D3-08</td><td>IA</td><td>30 000 000</td><td>17 September 2026</td></tr>
</tbody></table></main></body></html>"""


@pytest.fixture(scope="module")
def with_a_portal_page(
    tmp_path_factory: pytest.TempPathFactory, embedding_cache: Path
) -> HybridRetriever:
    """The small corpus and a short English topic page of one chunk that lists its topics'
    codes in a table (no "Code" field)."""
    root = tmp_path_factory.mktemp("portal")
    corpus = copy_corpus(root / "corpus")
    (corpus / "batteries-topic.html").write_text(PORTAL_TOPIC, encoding="utf-8")
    settings = Settings(
        corpus_dir=corpus, index_dir=root / "index", embedding_cache_dir=embedding_cache
    )
    assert not build_index(settings).failures
    retriever = HybridRetriever.from_settings(settings)
    retriever.warm_up()
    assert len(retriever.chunks_of("batteries-topic.html")) == 1
    return retriever


@pytest.mark.parametrize(
    "question",
    [
        # first in both rankings, the page lost to a long document's second-best passage
        "How much budget is there for next-generation batteries for grid storage?",
        # a topic code written out names the page that lists it
        "Hoeveel budget is er voor HORIZON-CL5-2026-D3-08?",
    ],
)
def test_a_short_page_first_in_the_rankings_is_the_first_document(
    with_a_portal_page: HybridRetriever, question: str
) -> None:
    assert with_a_portal_page.search(question, k=1)[0].source == "batteries-topic.html"


def test_a_document_of_one_chunk_counts_its_passage_as_its_second_too() -> None:
    def hit(source: str, score: float) -> Hit:
        return Hit(Chunk(f"{source}{score}", source, source, "", "x", 0, 1), score)

    hits = [hit("short", 1.0), hit("long", 0.9), hit("long", 0.8)]
    chunks = {"short": [hits[0].chunk], "long": [hits[1].chunk] * 20}
    ranked = group_by_document(hits, 2, 3, 0.5, chunks)
    assert [d.source for d in ranked] == ["short", "long"]
    assert ranked[0].score == pytest.approx(1.5)
    # a long document whose second passage did not come up gets nothing for it
    alone = group_by_document([hit("long", 0.9)], 1, 3, 0.5, chunks)
    assert alone[0].score == pytest.approx(0.9)
