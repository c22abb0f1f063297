"""Words that tell a red flag from a cramp: the one place these lists live.

Alexa fills a custom slot with whatever words it heard, even words that are not
among the slot's values, and sends them unresolved. The dialogue judges such
words here: a red flag anywhere in them wins over everything (the emergency
first, then the signs of a clot), then a cramp; anything else is unknown.
``validate`` uses the same lists to keep catch-all samples out of the safety
intents. These are data for judging what was heard, not sentences to speak.

The safety terms follow content/FACTS.md 15-24: swelling, redness, warmth or
tenderness in one leg, pain that is constant or does not go; chest pain,
breathlessness, coughing blood, fainting, and asking for an ambulance or the
emergency number; the pregnancy warning signs beyond the leg; and thoughts of
harming oneself or the baby. The order of judging is the order of urgency:
the emergency, then a crisis, then the pregnancy signs, then a clot.
"""

from __future__ import annotations

import re

EMERGENCY = "emergency"
CRISIS = "crisis"
PREGNANCY = "pregnancy"
CLOT = "clot"
CRAMP = "cramp"

#: Chest pain, breathlessness, an ambulance or the emergency number: the emergency answer first.
EMERGENCY_TERMS = frozenset({
    "chest", "breath", "breathe", "breathing", "breathless", "breathlessness", "gasping",
    "ambulance", "paramedic", "paramedics", "emergency",
    "nine one one", "nine nine nine", "triple zero", "zero zero zero", "one one two", "ambo",
    "keeled over", "will not wake up", "not waking up", "won't wake up", "unresponsive", "not responding",
    "hit the floor", "out cold",
    "faint", "fainted", "fainting", "passed out", "pass out", "passing out", "blacked out",
    "collapse", "collapsed", "collapsing", "coughing blood", "coughing up blood", "cough up blood",
    "coughed up blood", "coughing blood up", "blood when i cough", "blood when she coughs", "bringing up blood",
    "coughed blood", "unconscious",
    "not breathing",
})
#: Thoughts of harming oneself or the baby (FACTS 24): the crisis line, and the session stays open.
CRISIS_TERMS = frozenset({
    "hurt herself", "harm herself", "kill herself", "hurting herself",
    "harming herself", "killing herself", "point in living", "point of living", "point in going on",
    "something to myself", "something to the baby", "not being here", "ending my life", "not want to be here",
    "not want to live",
    "wish i was dead",
    "wish i could die", "wasn't here", "end my life", "hurt myself", "harm myself", "hurting myself",
    "harming myself", "kill myself", "killing myself",
    "end it all", "suicide", "suicidal",

    "don't want to be here", "don't want to live", "want to die", "better off dead", "can't go on",
    "not want to be alive", "don't want to be alive", "go on any more", "go on anymore", "cannot go on",
    "want to go on", "ending it", "dark thoughts", "bad thoughts", "scary thoughts",
    "frightening thoughts", "suicidal thoughts", "thoughts about myself", "thoughts about the baby",
    "wants to hurt", "wants to harm", "wants to kill", "might hurt", "might harm", "is going to hurt",
    "is going to harm", "feel like harming", "feel like killing", "thoughts about killing", "thoughts of killing",
    "thinking about killing", "thinking of killing", "could kill", "might kill", "want to hurt", "want to harm",
    "want to kill", "wanting to hurt", "wanting to harm", "feel like hurting",
    "thoughts of hurting", "thoughts about hurting", "thoughts of harming", "thoughts about harming",
    "thinking about hurting", "thinking of hurting", "thinking about harming", "thinking of harming",
    "going to hurt", "going to harm", "i'll hurt", "i'll harm", "i will hurt", "i will harm", "i might hurt",
    "i might harm", "i could hurt", "i could harm", "kill the baby", "kill my baby", "ending everything",
})
#: The pregnancy warning signs beyond the leg (FACTS 19-23): the doctor, midwife or maternity unit now.
PREGNANCY_TERMS = frozenset({
    "bleeding", "bleed", "bled", "spotting", "there's blood", "some blood", "passing blood",
    "waters", "water broke", "water's broken", "leaking", "leak", "fluid",
    "baby isn't moving", "baby's not moving", "baby not moving", "baby hasn't moved",
    "baby stopped moving",
    "baby moving less", "baby's moving less", "baby is moving less", "not moving as much", "stopped kicking",
    "not kicking", "no kicks", "haven't felt the baby", "can't feel the baby", "not felt the baby",
    "headache", "migraine", "vision", "blurry", "blurred", "blurring", "flashing", "flashes",
    "spots", "seeing stars", "can't see properly",
    "belly", "stomach", "tummy", "abdomen", "abdominal",
    "fever", "temperature", "feverish", "vomiting", "throwing up", "being sick", "keep being sick",
    "can't stop being sick", "dizzy", "dizziness", "lightheaded", "light headed", "woozy",
    "racing", "pounding", "palpitations", "heart is beating fast", "heartbeat",
    "been kicking", "head pain", "blood when i wipe", "blood when i wiped", "blood when i went", "spinning",
    "giddy", "spinny", "eyes are", "hazy", "less than normal", "gone still",
    "completely still", "foggy", "fuzzy",
    "really still", "very still", "felt a kick", "any kicks", "a single kick", "any movement", "movement is less",
    "movement is", "movements are",
    "movements are less", "baby movement", "head is paining", "pulse is", "heart rate", "face is swollen",
    "swollen face", "face has swollen", "face is puffy", "puffy face",
    "hands are swollen", "swollen hands", "hands have swollen", "hands are puffy", "fingers are swollen",
    "face and hands", "hands and face", "feet and hands", "heart is", "heart's", "my sight", "her sight",
    "face is", "face has", "hands are", "hands have", "fingers are", "fingers have", "water has broken",
    "water is leaking", "water might have", "water just broke", "water's",
    "felt bubs", "felt bub", "felt the bub", "bit of blood", "little blood", "hasn't kicked",
    "not moved",
    "not kicked", "felt baby",
    "felt our baby", "felt my baby",
    "moving a lot less", "moves less", "moves a lot less", "moves much less", "head is pounding",
    "head won't stop hurting", "head has been hurting", "head has hurt", "losing blood", "blood in", "there is blood",
    "is blood", "lot of blood", "blood on", "moving less",
    "less than usual",
    "not moving", "isn't moving", "hasn't been moving", "has not been moving", "stopped moving", "moving as much",
    "moving much", "moving at all", "really moving", "isn't kicking", "really kicking", "hasn't moved",
    "feel the baby", "felt the baby", "quiet today", "really quiet",
    "very quiet", "been quiet", "baby is quiet", "eyesight", "see straight", "seeing things",
    "see properly", "see clearly",
})
#: Signs in the leg that point away from a cramp (FACTS 15-17).
CLOT_TERMS = frozenset({
    "swollen", "swelling", "swell", "swelled", "puffy", "bigger", "fatter",
    "red", "redness", "reddish", "redder", "hot", "warm", "warmth", "tender", "tenderness",
    "to touch", "to the touch", "when I touch it",
    "constant", "all the time", "won't go", "won't stop", "won't ease", "doesn't go", "doesn't stop",
    "never goes", "never stops", "isn't going", "hasn't gone", "hasn't stopped", "keeps going",
    "for hours", "for days", "all day", "all night", "an hour", "for ages", "a long time",
    "days", "hours", "from morning", "since monday", "since tuesday", "since the weekend",
    "non stop", "continuously", "since morning", "from yesterday", "not going", "since yesterday",
    "since last night", "all week", "over a day", "more than a day",
    "than the other", "back of my knee", "behind my knee", "back of her knee", "behind her knee",
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
    "get help", "help now", "one one one", "e r", "emergency room", "emerg",
})

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _words(text: str) -> str:
    """Lower-case words joined by single spaces, apostrophes kept, periods of
    abbreviations dropped (``d. v. t.`` is ``d v t``), with a space either side."""
    return " " + " ".join(_WORD.findall(text.lower().replace("\u2019", "'"))) + " "


def _says(heard: str, terms: frozenset[str]) -> bool:
    return any(f" {term.lower()} " in heard for term in terms)


def judge(text: str | None) -> str | None:
    """What these words are: ``EMERGENCY``, ``CRISIS``, ``PREGNANCY``, ``CLOT``, ``CRAMP``,
    or None (unknown)."""
    if not text:
        return None
    heard = _words(text)
    if _says(heard, EMERGENCY_TERMS):
        return EMERGENCY
    if _says(heard, CRISIS_TERMS):
        return CRISIS
    if _says(heard, PREGNANCY_TERMS):
        return PREGNANCY
    if _says(heard, CLOT_TERMS):
        return CLOT
    if _says(heard, CRAMP_TERMS):
        return CRAMP
    return None


RED_FLAGS = frozenset({EMERGENCY, CRISIS, PREGNANCY, CLOT})


def is_red_flag(text: str | None) -> bool:
    return judge(text) in RED_FLAGS


def names_a_concern(text: str) -> bool:
    """The words say something about danger, a red flag or getting help."""
    heard = _words(text)
    return _says(heard, EMERGENCY_TERMS | CRISIS_TERMS | PREGNANCY_TERMS | CLOT_TERMS | CONCERN_TERMS)


def names_pain(text: str) -> bool:
    """The words speak of pain or a cramp (never to be heard as "stop")."""
    heard = _words(text)
    return _says(heard, CRAMP_TERMS | CLOT_TERMS | {"pain", "painful", "won't", "make it"})
