"""What a question is: its language and its kind (eligibility, deadline, budget, …)."""

from __future__ import annotations

import re

KINDS = ("eligibility", "objectives", "deadline", "budget", "contact", "application", "other")

# "deadline" is no sign of English: Dutch uses it as it is ("deadline cove 2025?"). A few words
# of the programmes' Dutch tell a terse query without function words.
_ENGLISH = frozenset(
    "the is are what when who how can could we our my i you your does do for of to and which "
    "where there much many would should apply funding grant please".split()
)
_DUTCH = frozenset(
    "de het een is zijn wat wanneer wie hoe kan kunnen we wij ons onze mijn ik je jij u voor "
    "van naar en welke waar er hoeveel moet moeten mag mogen bij dat die nog ook al dan "
    "oproep volgende subsidie aanvraag indienen".split()
)

# A question about how long something lasts ("hoe lang", "hoelang", "looptijd"); "duur", not
# "duurzaam".
DURATION_ASKED = r"\bhoe ?lang\b|\bduur(?:t|tijd)?\b|how long|looptijd|\bduration\b"

# Cues per kind, Dutch and English; a question may hit several, the strongest kind wins.
_CUES: dict[str, tuple[str, ...]] = {
    "deadline": (
        r"\bdeadline",
        r"tot wanneer",
        r"\bwanneer\b",
        r"uiterste (?:in)?dien",
        r"indiendatum",
        r"\bsluit\b",
        r"\bcut-?off",
        r"\bwhen\b",
        r"closing date",
        r"\bdue\b",
        r"\bdatum\b",
        r"\bnog (?:open|indienen|indiene|instappen|aanvragen|inschrijven)",
        r"\bstaat\b.*\bopen\b",
        r"\bstill (?:open|submit|apply)",
    ),
    "budget": (
        r"hoeveel (?:geld|subsidie|budget|euro|krijg|bedraagt|steun|procent)",
        r"\bbudget",
        r"\bbedrag",
        r"\beuro\b",
        r"€",
        r"subsidiebedrag",
        r"cofinancier",
        r"co-financ",
        r"\bprocent\b",
        r"\bpercent",
        r"%",
        r"forfait",
        r"vergoeding",
        r"\bmaximaal\b.*(?:krijg|steun)",
        r"\bmax(?:imale?|imum|\.)?\s+(?:eu-?)?(?:subsidie|steun|bijdrage|beurs|financiering"
        r"|grant|amount|funding|contribution)",
        r"how much",
        r"\bgrant (?:size|amount)",
        r"\b(?:co-?financing|funding) rate",
        r"\bshare of\b",
        r"\bcost",
        r"\bkosten\b",
        r"\bzakgeld|\btoelage|\ballowance|\bstipend|\bsalar",
    ),
    "contact": (
        r"\bcontact",
        r"\bbij (?:wie|welke)\b",
        r"\bmailadres",
        r"e-?mail",
        r"telefoon",
        r"\bnummer\b",
        r"aanspreekpunt",
        r"contactpunt",
        r"\bhelpdesk",
        r"terecht",
        r"\bwho (?:can|should) i",
        r"phone",
        r"\bbeheert\b",
        r"\bloket\b",
        r"\bwelke (?:instantie|organisatie|dienst|agentschap)",
        r"\bwho (?:handles|manages|runs)",
        # who is responsible or in charge asks for an organisation or a person to turn to
        r"\bverantwoordelijk|\bbevoegd|\bresponsible\b|\bin charge\b|\bdirect(?:eur|or)\b"
        r"|\badvis(?:eur|or)\b",
    ),
    "application": (
        r"hoe (?:dien|vraag|verloopt)",
        r"aanvra(?:ag|gen)",
        r"indienen",
        r"\bdien\b.*\bin\b",
        # the verb split in a question: "dienen we dat bij jullie in?"
        r"\bdien(?:en|t) (?:we|wij|jullie|u|ze|zij|ik|je)\b.*\bin\b",
        r"formulier",
        r"platform",
        r"procedure",
        r"\bapply\b",
        r"application",
        r"\bsubmit",
        r"\bwaar (?:dien|vraag)",
        r"where do we apply",
        r"\bpunten\b",
        r"\bbijlage",
        r"\bvoegen\b",
        r"\bvra(?:ag|agt|gen)\b.*\baan\b",
        r"\bwaar (?:vind|staat|staan)\b|\bwhere (?:can|do) (?:i|we) find\b",
    ),
    "eligibility": (
        r"wie (?:mag|kan|komt)",
        r"in aanmerking",
        r"\bmogen\b",
        r"\bmag\b",
        r"kunnen (?:we|wij)",
        r"\bkan (?:ik|een|onze|ons)",
        r"leeftijd",
        r"voorwaarde",
        r"\bpartners?\b",
        r"\beligib",
        r"who can",
        r"\bcan (?:we|i|our)\b",
        r"\ballowed",
        r"\bminim",
        r"\bmin\b\.?",
        r"\bgenoeg\b",
        r"\bvoldoende\b",
        r"\biets voor (?:ons|mij|jou|u|hem|haar|hen)\b",
        r"\bgeschikt voor\b",
        r"\bopen voor\b",
    ),
    "objectives": (
        r"\bdoel",
        r"\bbedoel(?:ing|d)\b",
        r"\bthema",
        r"prioriteit",
        r"waarover",
        r"\bbereiken\b",
        r"welke (?:soort|activiteit|projecten)",
        r"financiert",
        r"\baim",
        r"objective",
        r"\bpriorit",
        r"\bover\b.*\bgaat",
        r"\bgaat het\b",
        r"\bgaat\b.*\bover\b",
        # the English of "thema", "welke soort projecten", "financiert", "bereiken", "waarover"
        r"\bthem(?:e|es|atic)\b",
        r"\b(?:which|what) (?:(?:kinds?|sorts?|types?) of )?(?:projects|activities|actions)\b",
        r"\b(?:does|do|will) (?:[\w+-]+ ){0,8}(?:fund|finance|support)\b",
        r"\bachieve\b",
        r"\bwhat is\b.*\babout\b",
    ),
    # what none of the six asks: how long something lasts, how many projects or proposals a
    # call had, which code or page names it
    "other": (
        DURATION_ASKED,
        r"\b(?:hoeveel|how many)\b.*\b(?:projecten|voorstellen|aanvragen|topics|proposals"
        r"|projects|applications)\b",
        r"\bcode\b|callcode|\bpagina|\bpages?\b",
    ),
}
# Patterns that count once more than a cue: a yes/no question opening on "kan/mag …?" asks
# whether something is allowed, "hoeveel …-steun?" asks for an amount, "nog indienen?" whether
# the call is still open and "wanneer … indienen?" for a date, even when the same sentence also
# says "indienen" or "aanvragen".
_STRONG: dict[str, tuple[str, ...]] = {
    "deadline": (
        r"\bnog (?:open|indien\w*|instappen|aanvragen|inschrijven|op tijd)\b",
        r"\bstill (?:open|submit|apply)",
        # when to submit asks for a date, though "indienen" is also an application word
        r"\b(?:wanneer|when)\b.*\b(?:indien\w*|aanvra\w*|inschrijv\w*|submit\w*|apply|applications?)\b",
    ),
    "budget": (
        r"\bhoeveel [\w-]*(?:geld|subsidie|steun|budget|euro|procent|krijg|bedra|financ|betaal)",
        r"\bhow much (?:money|funding|grant|support|can|will|does|do|is)\b",
    ),
    "eligibility": (
        # who may apply asks who is eligible, though "aanvragen" is also an application word
        r"\bwie (?:kan|kunnen|mag|mogen)\b.*\b(?:aanvra\w*|indien\w*|deelnemen|meedoen)\b",
        r"\bwho (?:can|may|is allowed to|are allowed to)\b"
        r".*\b(?:apply|submit|participate|take part)\b",
        r"^(?:en )?(?:kan|kunnen|mag|mogen|kom|komen) (?:ik|we|wij|jij|je|u|hij|zij|ze|een|ons|onze"
        r"|mijn|de|het|dat|dit|zoiets|die|deze)\b",
        r"^(?:and )?(?:can|may|could) (?:i|we|a|an|our|my|the|they|he|she|it|that|this)\b",
        r"^(?:am i|are we|is (?:my|our|a|an|that|this)) (?:still )?(?:\w+ )?(?:eligible|allowed)",
    ),
}
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
# Where a sentence goes on to ask another thing: ", en …", "… en wanneer …".
PART_BREAK = (
    r",\s*(?:en|and|of|or)\s+|\s+(?:en|and|of|or)\s+(?=(?:wie|wat|wanneer|hoeveel|hoe|"
    r"welke?|waar|bij wie|tot wanneer|who|what|when|how|which|where)\b)"
)
_PART = re.compile(PART_BREAK)
_CONTEXT_WEIGHT = 0.3  # statements around the question ("we are a school in …") weigh less


def detect_language(text: str) -> str:
    """'en' or 'nl' by function words; Dutch when in doubt (the documents' language)."""
    english, dutch = function_words(text)
    return "en" if english > dutch else "nl"


def function_words(text: str) -> tuple[int, int]:
    """How many English and how many Dutch function words a text has."""
    words = re.findall(r"[a-zà-ÿ']+", text.casefold())
    return sum(w in _ENGLISH for w in words), sum(w in _DUTCH for w in words)


def kind_scores(question: str) -> dict[str, float]:
    """How strongly a question points at each kind. The sentences that ask (those with a
    question mark, else the last one) count fully, their first part most; the sentences that
    tell the asker's situation count a little."""
    sentences, asking = _sentences_asking(question)
    scores = dict.fromkeys(_CUES, 0.0)
    for sentence in sentences:
        if sentence in asking:
            parts = [p for p in _PART.split(sentence) if p.strip()]
            weighted = [(p, 1.0 / (1 + 0.25 * i)) for i, p in enumerate(parts)]
        else:
            weighted = [(sentence, _CONTEXT_WEIGHT)]
        for part, weight in weighted:
            for kind, hits in _cue_hits(part).items():
                scores[kind] += weight * hits
    return scores


def first_asked_scores(question: str) -> dict[str, float]:
    """The kind cues of the first thing a question asks (the first part of its first sentence
    that asks): a question that asks two things is mostly about the first ("Dienen we dat bij
    jullie in, en wanneer was de deadline?" is about applying)."""
    asking = _sentences_asking(question)[1]
    parts = [p for p in _PART.split(asking[0]) if p.strip()] if asking else []
    return _cue_hits(parts[0]) if parts else dict.fromkeys(_CUES, 0.0)


def _sentences_asking(question: str) -> tuple[list[str], list[str]]:
    """A question's lower-cased sentences, and those that ask (with a question mark, else the
    last one)."""
    sentences = [s.strip() for s in _SENTENCE_END.split(question.casefold()) if s.strip()]
    return sentences, [s for s in sentences if "?" in s] or sentences[-1:]


def _cue_hits(part: str) -> dict[str, float]:
    """How many cues of each kind a (lower-cased) part of a question holds."""
    hits = {}
    for kind, cues in _CUES.items():
        found = sum(1 for cue in cues if re.search(cue, part))
        found += sum(1 for cue in _STRONG.get(kind, ()) if re.search(cue, part.lstrip("¿ ")))
        hits[kind] = float(found)
    return hits


# A name in a list of names ("Limburg", "de Kempen", "Noord-Macedonië"): at most four words, so
# that a long run of capitalised words is read in linear time.
_NAME = r"(?:(?:de|het|the) )?[A-Z][a-zà-ÿ][\w'’-]*(?: [A-Z][\w'’-]*){0,3}"

_CONTACT_PERSON = r"\bcontactpersoon\b|\bcontact person\b"

DETAILS = {
    # a detail the question asks for, and how a unit that states it looks
    "percentage": (
        r"%|procent|percent|\baandeel|\bshare\b|cofinanc|co-financ|welk deel",
        r"\d\s?%|procent",
    ),
    "email": (r"e-?mail|mailadres|\bmail\b", r"@"),
    "phone": (
        # "call" is mostly a funding call: only calling someone asks for a number
        # "mobile" and "cell" alone are as often about apps or biology
        r"telefoon|\bnummer|\bphone|\bbellen|telefoonnr|\bgsm\b|\bmobiel\w* (?:nummer|telefoon)"
        r"|\bmobile (?:number|phone)|\bcell ?phone"
        r"|\bcall (?:you|them|him|her|us|me|someone|somebody)\b|\b(?:to|i|we) call\b",
        r"\b0\d{1,3}[ /.]?\d{2,3}",
    ),
    "age": (r"leeftijd|\boud\b|\bage\b|\bjaar oud", r"\d+\s*(?:tot|en|-)\s*\d+\s*jaar|\bjaar\b"),
    "duration": (
        DURATION_ASKED,
        r"\d+\s*(?:tot|à|-)?\s*\d*\s*(?:maanden|jaar|dagen|weken)",
    ),
    # a score a proposal must reach or can get: "60 op 100", "30 punten"
    "score": (
        r"\bpunten\b|\bscore\w*|\bpoints\b|\bgescoord\b|\bdrempel\b|\bthreshold\b",
        r"\d+\s*(?:punten|points)\b|\d+\s*(?:op|/|out of)\s*100\b",
    ),
    # which places, companies or countries: a document that names them lists three or more
    "names": (
        r"\b(?:welke|which|what)\s+(?:\w+\s+)?(?:steden|gemeenten|bedrijven|ondernemingen|landen"
        r"|universiteiten|regio'?s|cities|towns|municipalities|companies|firms|countries"
        r"|universities|regions)\b",
        # case matters here (names): "(?-i:…)" keeps it under detail_matches' IGNORECASE
        rf"(?-i:{_NAME}, {_NAME}, (?:(?:en|and|of|or|de|het|the) )?[A-Z][a-zà-ÿ])",
    ),
    # a person: who the director or adviser is, a contact person's name or her own address or
    # number. A document that names one says "contactpersoon", puts a title before the name or
    # gives a personal address
    "person": (
        rf"{_CONTACT_PERSON}"
        r"|\b(?:haar|zijn|hun|her|his|their) (?:naam|name)\b"
        # "hun / their number" is as often an organisation's
        r"|\b(?:haar|zijn|her|his) (?:e-?mail\w*|mailadres|gsm\w*|rechtstreekse|direct|mobile)\b"
        r"|\bnaam van (?:de|het|onze|mijn|jullie) (?:\w+ )?(?:adviseur|beheerder|projectbeheerder"
        r"|directeur|medewerker|persoon|verantwoordelijke|coördinator)\b"
        r"|\bname of (?:the|our|my|your) (?:\w+ )?(?:advis[eo]r|officer|manager|director|person"
        r"|contact|coordinator)\b"
        r"|\bwie is (?:de|het|onze|hun) (?:directeur|voorzitter|adviseur|coördinator"
        r"|projectbeheerder)\b"
        r"|\bwho is (?:the|our|their) (?:director|head|chair|advis[eo]r|coordinator)\b",
        rf"{_CONTACT_PERSON}"
        r"|(?-i:\b(?:[Dd]hr|[Mm]evr|Mr|Mrs|Ms|[Dd]r|[Pp]rof)\.? [A-Z][a-zà-ÿ])"
        r"|\b[a-z]+\.[a-z]+@",
    ),
    # a call's identifier on the Funding & Tenders portal ("ERASMUS-EDU-2024-PEX-COVE",
    # "EU4H-2024-PJ-03-1"): upper-case parts joined by at least two hyphens
    "code": (
        r"\bcall ?-?code|\boproepcode|\btopiccode|\btopic ?(?:code|id)\b|\bcall (?:id|identifier)\b"
        r"|\bcode van (?:de|het|die|dat) (?:oproep|topic|call)\b|\bidentif",
        r"(?-i:\b[A-Z][A-Z0-9]+(?:-[A-Z0-9]+){2,}\b)",
    ),
    "count": (
        r"\baantal\b|hoeveel (?:partners|organisaties|landen|deelnemers)|how many|\bmin\.?\b"
        r"|\bgenoeg\b|\bvoldoende\b|\benough\b|\beentje\b|\balleen\b|\balone\b"
        r"|\bpartners? nodig\b",
        r"\b(?:minstens|minimaal|ten minste|maximaal|hoogstens)\b",
    ),
}


# Details a document either states or not: no such detail anywhere in a document is a sign
# that it does not give what is asked (a count or a duration it may state in words).
EXACT_DETAILS = frozenset({"percentage", "email", "phone", "score", "names", "person"})


def asked_details(question: str) -> set[str]:
    """The specific details a question asks for (a percentage, an e-mail address, …)."""
    lowered = question.casefold()
    return {name for name, (asks, _) in DETAILS.items() if re.search(asks, lowered)}


def detail_matches(wants: set[str], unit_text: str) -> int:
    """How many of the asked details a unit states."""
    return sum(1 for name in wants if re.search(DETAILS[name][1], unit_text, re.IGNORECASE))


_JUDGEMENT = re.compile(
    "|".join(
        (
            r"\bhoe groot is (?:mijn|onze|de|hun) kans",
            r"\bkans(?:en)? (?:op|dat) (?:slagen|goedkeuring|we|ik|ons|mijn)",
            r"\bslaagkans",
            r"\binschatten\b",
            r"\bgoedgekeurd (?:zal|zullen) worden",
            r"\bzeker (?:binnenhaal|binnenhalen|goedgekeurd)",
            r"\bwhat are (?:my|our) chances",
            r"\bchances? (?:of|that) (?:success|approval|we|i|our|my)",
            r"\bwill (?:we|i|it|our \w+) (?:be approved|be funded|get funded)",
        )
    ),
    re.IGNORECASE,
)


def asks_for_judgement(question: str) -> bool:
    """Whether the question asks to predict an outcome or judge a case ("hoe groot is mijn
    kans?", "zal ons project goedgekeurd worden?"): documents describe rules, not verdicts."""
    return bool(_JUDGEMENT.search(question))


# Who may apply or take part ("Wie mag een … indienen?", "Which organisations can apply?"):
# not whom to ask ("Bij wie kan ik terecht?").
_WHO_MAY_APPLY = re.compile(
    r"(?<!bij )(?<!met )(?<!aan )\bwie\s+(?:kan|kunnen|mag|mogen|komt|komen)\b"
    r"(?!\s+(?:ik|we|wij|je|u)\b)[^?]*"
    r"\b(?:aanvrag\w*|aanvraag|indien\w*|deelne\w*|in aanmerking|meedoen|meedingen)"
    r"|\bwelke\s+(?:soorten?\s+|types?\s+)?organisaties\s+(?:kunnen|mogen|komen)\b"
    r"|\bwho\b(?!\s+(?:do|should|can|could|may|must)\s+(?:i|we)\b)[^?]*"
    r"\b(?:apply|submit|take part|participate|eligible)\b"
    r"|\bwhich\s+(?:kinds?\s+of\s+|types?\s+of\s+)?organi[sz]ations\b[^?]*"
    r"\b(?:apply|submit|take part|participate|eligible)\b",
    re.IGNORECASE,
)


def asks_who_may_apply(question: str) -> bool:
    """Whether the question asks which persons or organisations may apply or take part."""
    return bool(_WHO_MAY_APPLY.search(question))


# Plain questions of every kind, in each language a question may be asked in. How close the
# documents of one language come to them is the similarity level of that pair of languages:
# a Dutch question matches an English page less closely than a Dutch one whatever it asks,
# so similarities are read against that level, not absolutely (retrieval.py, abstention.py).
REFERENCE_QUESTIONS: dict[str, tuple[str, ...]] = {
    "nl": (
        "Wat is de deadline van de oproep?",
        "Wie kan een aanvraag indienen?",
        "Hoeveel subsidie kan een project krijgen?",
        "Bij wie kan ik terecht met vragen?",
        "Wat is het doel van de oproep?",
        "Hoe dien ik een aanvraag in?",
        "Welke kosten worden vergoed?",
        "Hoeveel partners zijn nodig?",
    ),
    "en": (
        "What is the deadline of the call?",
        "Who can apply?",
        "How much funding can a project get?",
        "Who can I contact with questions?",
        "What is the aim of the call?",
        "How do I submit an application?",
        "Which costs are covered?",
        "How many partners are needed?",
    ),
}
