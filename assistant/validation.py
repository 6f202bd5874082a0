"""Checks an LLM's reply against the passages it was given, before anything is shown.

A reply is shown only when every marker points at a given passage, every date, amount,
percentage, call code, e-mail address, phone number and web address it states occurs in a
passage it cites, its words come from those passages rather than from somewhere else, and it
is in the question's language, and it states every date, amount and contact detail that the
offline answer's first sentence gives (a model's reply may say it better, never say less).
Otherwise the reason is returned and the offline answer is shown instead."""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.classify import detect_language
from assistant.composition import contact_details
from assistant.facts import CALL_CODE, amounts_in
from assistant.lexical import analyse
from assistant.metadata import parse_dutch_dates
from assistant.ranking import DATE

MARKER = re.compile(r"\[(\d+)\]")

# The share of a reply's content words that must occur in the passages it cites: a reply
# written from elsewhere (or obeying an instruction inside a passage) shares few of them.
_MIN_GROUNDED = 0.5
# The share of the words of the offline answer's best quote a Dutch reply must keep: a reply
# that rewords the sentence keeps most of them; one about something else keeps few.
_MIN_KEPT = 0.5


def unsupported(reply: str, passages: Mapping[int, str], language: str) -> str | None:
    """Why the reply may not be shown, or None when it passes every check."""
    text = reply.strip()
    if not text:
        return "empty reply"
    markers = [int(m) for m in MARKER.findall(text)]
    if not markers:
        return "no citation marker"
    unknown = sorted({m for m in markers if m not in passages})
    if unknown:
        return f"marker [{unknown[0]}] points at no passage"
    plain = MARKER.sub(" ", text)
    if detect_language(plain) != language:
        return f"reply not in the question's language ({language})"
    cited = " ".join(passages[m] for m in sorted(set(markers)))
    reason = _unsupported_fact(plain, cited)
    if reason:
        return reason
    words = [t for t in analyse(plain) if not t.isdigit()]
    if not words:
        return "reply says nothing"
    known = set(analyse(cited))
    # the documents are Dutch: an English reply is held to its facts and markers only
    if language == "nl" and sum(t in known for t in words) / len(words) < _MIN_GROUNDED:
        return "reply not grounded in the cited passages"
    return None


def left_out(reply: str, offline: str, quote: str = "", language: str = "nl") -> str | None:
    """What the reply leaves out of the offline answer: the first date, amount or contact
    detail of its first sentence (the fact the question asks for, as the composer found it),
    or, for a Dutch reply, most of the words of the sentence its first marker quotes."""
    missing = _first_missing(MARKER.split(offline, maxsplit=1)[0], reply, codes=False)
    if missing:
        return f"reply leaves out {missing[1]}"
    terms = {t for t in analyse(quote) if not t.isdigit()}
    said = set(analyse(MARKER.sub(" ", reply)))
    # an English reply translates the Dutch quote: it is held to the facts above only
    if language == "nl" and terms and len(terms & said) / len(terms) < _MIN_KEPT:
        return "reply leaves out what the quoted sentence says"
    return None


def _unsupported_fact(reply: str, cited: str) -> str | None:
    """The first date, amount, code or contact detail of the reply that no cited passage has."""
    missing = _first_missing(reply, cited, codes=True)
    return f"unsupported {missing[0]} {missing[1]}" if missing else None


def _first_missing(text: str, within: str, codes: bool) -> tuple[str, str] | None:
    """The first fact of `text` (its kind and span) that `within` does not state, however
    either writes it: a date, an amount or percentage, a call code, a contact detail."""
    dates = set(parse_dutch_dates(within))
    for match in DATE.finditer(text):
        if not set(parse_dutch_dates(match.group(0))) <= dates:
            return "date", match.group(0)
    numbers = {_digits(a) for a in amounts_in(within)}
    for amount in amounts_in(text):
        if _digits(amount) not in numbers:
            return "amount", amount
    flat = _flat(within)
    for code in CALL_CODE.findall(text) if codes else ():
        if _flat(code) not in flat:
            return "call code", code
    for detail in contact_details(text):
        if _flat(detail) not in flat:
            return "contact detail", detail
    return None


def _digits(amount: str) -> str:
    """An amount's number and unit kind, however it is written ("€ 60.000" = "60 000 euro")."""
    number = re.sub(r"\D", "", amount)
    share = "%" if re.search(r"%|procent|percent", amount, re.IGNORECASE) else ""
    scale = re.search(r"miljoen|miljard|mln|million|billion", amount, re.IGNORECASE)
    return f"{number}{share}{scale.group(0)[:3].casefold() if scale else ''}"


def _flat(text: str) -> str:
    return re.sub(r"[\s./-]+", "", text.casefold())
