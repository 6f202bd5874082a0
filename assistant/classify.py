"""What a question is: its language and its kind (eligibility, deadline, budget, …)."""

from __future__ import annotations

import re

KINDS = ("eligibility", "objectives", "deadline", "budget", "contact", "application", "other")

_ENGLISH = frozenset(
    "the is are what when who how can could we our my i you your does do for of to and which "
    "where there much many would should apply deadline funding grant please".split()
)
_DUTCH = frozenset(
    "de het een is zijn wat wanneer wie hoe kan kunnen we wij ons onze mijn ik je jij u voor "
    "van naar en welke waar er hoeveel moet moeten mag mogen bij dat die nog ook al dan".split()
)

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
        r"how much",
        r"\bmaximum (?:grant|amount|funding|contribution)",
        r"\bgrant (?:size|amount)",
        r"\bfunding rate",
        r"\bshare of\b",
        r"\bcost",
        r"\bkosten\b",
    ),
    "contact": (
        r"\bcontact",
        r"bij wie",
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
    ),
    "application": (
        r"hoe (?:dien|vraag|verloopt)",
        r"aanvra(?:ag|gen)",
        r"indienen",
        r"\bdien\b.*\bin\b",
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
        r"\bhoe lang\b",
        r"\bduur\b",
    ),
    "objectives": (
        r"\bdoel",
        r"bedoeling",
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
    ),
}
_PRIORITY = ("deadline", "contact", "budget", "application", "objectives", "eligibility")


def detect_language(text: str) -> str:
    """'en' or 'nl' by function words; Dutch when in doubt (the documents' language)."""
    words = re.findall(r"[a-zà-ÿ']+", text.casefold())
    english = sum(w in _ENGLISH for w in words)
    dutch = sum(w in _DUTCH for w in words)
    return "en" if english > dutch else "nl"


def classify_kind(question: str) -> str:
    """The kind of question, one of KINDS, from Dutch and English cue phrases."""
    lowered = question.casefold()
    scores = {kind: sum(1 for cue in _CUES[kind] if re.search(cue, lowered)) for kind in _PRIORITY}
    best = max(scores.values())
    if best == 0:
        return "other"
    return next(kind for kind in _PRIORITY if scores[kind] == best)


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
