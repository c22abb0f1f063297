"""Words that tell a red flag from a cramp: the one place these lists live.

Alexa fills a custom slot with whatever words it heard, even words that are not
among the slot's values, and sends them unresolved. The dialogue judges such
words here: a red flag anywhere in them wins over everything (the emergency
first, then the signs of a clot), then a cramp; anything else is unknown.
``validate`` uses the same lists to keep catch-all samples out of the safety
intents. These are data for judging what was heard, not sentences to speak.

The safety terms follow content/FACTS.md 15-18: swelling, redness, warmth or
tenderness in one leg, pain that is constant or does not go, chest pain and
breathlessness, and asking for an ambulance or the emergency number.
"""

from __future__ import annotations

import re

EMERGENCY = "emergency"
CLOT = "clot"
CRAMP = "cramp"

#: Chest pain, breathlessness, an ambulance or the emergency number: the emergency answer first.
EMERGENCY_TERMS = frozenset({
    "chest", "breath", "breathe", "breathing", "breathless", "breathlessness", "gasping",
    "ambulance", "paramedic", "paramedics", "emergency",
    "nine one one", "nine nine nine", "triple zero", "zero zero zero", "one one two",
})
#: Signs in the leg that point away from a cramp (FACTS 15-17).
CLOT_TERMS = frozenset({
    "swollen", "swelling", "swell", "swelled", "puffy", "bigger", "fatter",
    "red", "redness", "reddish", "redder", "hot", "warm", "warmth", "tender", "tenderness",
    "to touch", "to the touch", "when I touch it",
    "constant", "all the time", "won't go", "won't stop", "won't ease", "doesn't go", "doesn't stop",
    "never goes", "never stops", "isn't going", "hasn't gone", "hasn't stopped", "keeps going",
    "for hours", "for days", "all day", "all night", "an hour", "for ages", "a long time",
    "clot", "clots", "blood clot", "dvt", "d v t", "thrombosis",
})
#: Words of a cramp: judged as a cramp when no red flag is among them.
CRAMP_TERMS = frozenset({
    "cramp", "cramps", "cramping", "cramped", "crampy", "spasm", "spasms", "spasming",
    "seized", "seizing", "tight", "knot", "knotted", "charley horse", "charlie horse",
    "killing me", "paining", "hurts", "hurting", "sore", "ache", "aching", "achy", "ow", "ouch",
})
#: Words that make a sample itself about danger or getting help (a question, not a symptom).
CONCERN_TERMS = frozenset({
    "dangerous", "danger", "serious", "worry", "worried", "warning", "sign", "signs",
    "mean", "means", "wrong", "doctor", "midwife", "g p", "gp", "nhs", "hospital", "a and e",
    "get help", "help now", "one one one",
})

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _words(text: str) -> str:
    """Lower-case words joined by single spaces, apostrophes kept, periods of
    abbreviations dropped (``d. v. t.`` is ``d v t``), with a space either side."""
    return " " + " ".join(_WORD.findall(text.lower().replace("\u2019", "'"))) + " "


def _says(heard: str, terms: frozenset[str]) -> bool:
    return any(f" {term.lower()} " in heard for term in terms)


def judge(text: str | None) -> str | None:
    """What these words are: ``EMERGENCY``, ``CLOT``, ``CRAMP``, or None (unknown)."""
    if not text:
        return None
    heard = _words(text)
    if _says(heard, EMERGENCY_TERMS):
        return EMERGENCY
    if _says(heard, CLOT_TERMS):
        return CLOT
    if _says(heard, CRAMP_TERMS):
        return CRAMP
    return None


def is_red_flag(text: str | None) -> bool:
    return judge(text) in (EMERGENCY, CLOT)


def names_a_concern(text: str) -> bool:
    """The words say something about danger, a red flag or getting help."""
    heard = _words(text)
    return _says(heard, EMERGENCY_TERMS | CLOT_TERMS | CONCERN_TERMS)


def names_pain(text: str) -> bool:
    """The words speak of pain or a cramp (never to be heard as "stop")."""
    heard = _words(text)
    return _says(heard, CRAMP_TERMS | CLOT_TERMS | {"pain", "painful", "won't", "make it"})
