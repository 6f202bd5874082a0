"""English → Dutch words of EU-funding language, so that an English question finds the Dutch
sentences that answer it by their words, not by meaning alone. No translation model runs
offline here; this glossary covers the vocabulary applicants use (who may apply, deadlines,
money, contacts, procedures), not any particular programme. Read backwards, it gives a Dutch
question the English words of a document written in English."""

from __future__ import annotations

import re
from functools import cache

from assistant.lexical import analyse, dutch_stopwords

# English word or phrase → Dutch words as the documents write them (the analyser stems both).
_GLOSSARY: dict[str, str] = {
    "apply": "aanvragen indienen aanvraag",
    "applying": "aanvragen indienen aanvraag",
    "application": "aanvraag indiening",
    "applications": "aanvragen",
    "applicant": "aanvrager",
    "applicants": "aanvragers",
    "submit": "indienen",
    "submitted": "ingediend",
    "submission": "indiening",
    "deadline": "deadline uiterste datum",
    "deadlines": "deadlines",
    "call": "oproep",
    "calls": "oproepen",
    "proposal": "voorstel projectvoorstel",
    "proposals": "voorstellen",
    "project": "project",
    "projects": "projecten",
    "partner": "partner",
    "partners": "partners",
    "partnership": "partnerschap",
    "partnerships": "partnerschappen",
    "consortium": "consortium",
    "coordinator": "coördinator",
    "organisation": "organisatie",
    "organisations": "organisaties",
    "organization": "organisatie",
    "organizations": "organisaties",
    "eligible": "in aanmerking komen voorwaarden",
    "eligibility": "in aanmerking voorwaarden",
    "allowed": "mag mogen toegelaten",
    "who": "wie",
    "where": "waar",
    "when": "wanneer",
    "how much": "hoeveel bedrag",
    "how many": "hoeveel aantal",
    "how long": "duur looptijd",
    "funding": "financiering subsidie steun",
    "funded": "gefinancierd",
    "grant": "subsidie beurs",
    "grants": "subsidies beurzen",
    "subsidy": "subsidie",
    "budget": "budget",
    "amount": "bedrag",
    "co-financing": "cofinanciering",
    "cofinancing": "cofinanciering",
    "co-funding": "cofinanciering",
    "rate": "percentage",
    "percentage": "percentage procent",
    "share": "deel aandeel",
    "costs": "kosten",
    "cost": "kosten",
    "pay": "betaalt dekt",
    "maximum": "maximaal maximum",
    "minimum": "minimaal minstens",
    "at least": "minstens",
    "lump sum": "vast bedrag forfait",
    "per month": "per maand",
    "per day": "per dag",
    "allowance": "vergoeding",
    "travel": "reis reiskosten",
    "scholarship": "beurs",
    "fellowship": "beurs",
    "contact": "contact",
    "email": "e-mail",
    "e-mail": "e-mail",
    "phone": "telefoon",
    "helpdesk": "helpdesk",
    "agency": "agentschap",
    "national agency": "nationaal agentschap",
    "selected": "geselecteerd",
    "select": "selecteren",
    "large-scale": "grootschalige",
    "small-scale": "kleinschalige",
    "school": "school",
    "schools": "scholen",
    "pupils": "leerlingen",
    "student": "student",
    "students": "studenten",
    "teacher": "leerkracht leraar",
    "teachers": "leerkrachten leraren",
    "staff": "personeel",
    "young people": "jongeren",
    "youth": "jeugd jongeren",
    "volunteer": "vrijwilliger",
    "volunteers": "vrijwilligers",
    "training": "opleiding",
    "vocational": "beroepsonderwijs beroepsopleiding",
    "higher education": "hoger onderwijs",
    "adult education": "volwasseneneducatie",
    "university": "universiteit",
    "universities": "universiteiten",
    "research": "onderzoek",
    "researcher": "onderzoeker",
    "researchers": "onderzoekers",
    "innovation": "innovatie",
    "company": "bedrijf onderneming",
    "companies": "bedrijven ondernemingen",
    "business": "bedrijf onderneming",
    "sme": "kmo",
    "smes": "kmo's",
    "city": "stad",
    "cities": "steden",
    "municipality": "gemeente",
    "municipalities": "gemeenten",
    "town": "stad gemeente",
    "towns": "steden gemeenten",
    "twinning": "stedenband",
    "region": "regio",
    "regions": "regio's",
    "regional": "regionaal",
    "country": "land",
    "countries": "landen",
    "member state": "lidstaat",
    "member states": "lidstaten",
    "associated": "geassocieerd",
    "third country": "derde land",
    "third countries": "derde landen",
    "non-profit": "non-profit",
    "public": "publieke overheid",
    "private": "private",
    "duration": "duur looptijd",
    "months": "maanden",
    "years": "jaar",
    "age": "leeftijd",
    "old": "jaar",
    "mobility": "mobiliteit",
    "exchange": "uitwisseling",
    "exchanges": "uitwisselingen",
    "portal": "portaal",
    "form": "formulier",
    "accreditation": "accreditatie",
    "priority": "prioriteit",
    "priorities": "prioriteiten",
    "objective": "doelstelling doel",
    "objectives": "doelstellingen",
    "aim": "doel",
    "aims": "doelen",
    "goal": "doel",
    "theme": "thema",
    "themes": "thema's",
    "topic": "topic onderwerp",
    "activities": "activiteiten",
    "activity": "activiteit",
    "sport": "sport",
    "culture": "cultuur",
    "climate": "klimaat",
    "nature": "natuur",
    "biodiversity": "biodiversiteit",
    "health": "gezondheid",
    "mental health": "geestelijke gezondheid",
    "integration": "integratie",
    "migrants": "migranten nieuwkomers",
    "digital": "digitaal",
    "energy": "energie",
    "first": "eerste",
    "second": "tweede",
    "third": "derde",
    "fourth": "vierde",
    "next": "volgende",
    "new": "nieuwe",
    "closed": "gesloten",
    "still": "nog",
    "rules": "regels",
    "required": "verplicht",
    "mandatory": "verplicht",
    "attachments": "bijlagen",
    "evaluation": "beoordeling evaluatie",
    "assessment": "beoordeling",
    "award criteria": "gunningscriteria",
    "criteria": "criteria",
    "points": "punten",
    "score": "score punten",
    "experience": "ervaring",
    "career break": "loopbaanonderbreking",
    "career breaks": "loopbaanonderbreking",
    "doctorate": "doctoraat",
    "phd": "doctoraat",
    "result": "resultaat",
    "results": "resultaten",
    "attract": "ontvangen ingediend",
    "received": "ontvangen",
    "erdf": "efro",
    "flemish": "vlaamse",
    "flanders": "vlaanderen",
    "belgian": "belgische",
    "belgium": "belgië",
    "netherlands": "nederland",
    "dutch": "nederlandse",
    "norwegian": "noorse noorwegen",
    "norway": "noorwegen",
    "same": "zelfde dezelfde",
    "manage": "beheert beheer",
    "manages": "beheert",
    "managed": "beheerd",
}

# English function words: some occur in the documents' English names ("Funding & Tenders",
# "Space for Nature"), so they would match units by accident.
ENGLISH_STOPWORDS = frozenset(
    "a an the and or of for to in on at by with from up as is are was were be been being do does "
    "did can could may might will would should shall must i we you he she it they our my your "
    "their its this that these those there here what which who whom whose when where why how "
    "many much more most some any all each other such no not only also than then so if about "
    "into over after before under again further once very just get got have has had want wants "
    "else somewhere anything something".split()
)

_PHRASE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(re.escape(k) for k in sorted(_GLOSSARY, key=len, reverse=True))
    + r")(?!\w)"
)


@cache
def english_stop_terms() -> frozenset[str]:
    """The analysed terms of the English function words (stemmed once)."""
    return frozenset(t for word in ENGLISH_STOPWORDS for t in analyse(word))


def dutch_terms(question: str) -> str:
    """The Dutch words for the EU-funding words of an English question, space-separated."""
    return " ".join(_GLOSSARY[m.group(0)] for m in _PHRASE.finditer(question.casefold()))


def with_dutch_terms(question: str, language: str) -> str:
    """An English question followed by its Dutch glossary words; other questions unchanged."""
    if language != "en":
        return question
    extra = dutch_terms(question)
    return f"{question} {extra}" if extra else question


@cache
def _english_of() -> dict[str, str]:
    """Dutch word → the English words the glossary gives it (the glossary read backwards)."""
    english: dict[str, list[str]] = {}
    for key, dutch in _GLOSSARY.items():
        for word in dutch.split():
            if word not in dutch_stopwords():  # "in" of "in aanmerking" means no "eligible"
                english.setdefault(word, []).append(key)
    return {word: " ".join(dict.fromkeys(keys)) for word, keys in english.items()}


def with_english_terms(question: str) -> str:
    """A Dutch question followed by the English glossary words of its EU-funding words, for
    a document written in English."""
    english = _english_of()
    extra = " ".join(english[w] for w in re.findall(r"\w+", question.casefold()) if w in english)
    return f"{question} {extra}" if extra else question


@cache
def funding_terms() -> frozenset[str]:
    """The analysed terms of the glossary's EU-funding words, in English and in Dutch: a text
    without any of them (and without a programme's name) is not about funding."""
    terms = {t for key, dutch in _GLOSSARY.items() for t in analyse(f"{key} {dutch}")}
    return frozenset(terms - english_stop_terms())
