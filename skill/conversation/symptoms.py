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
from functools import lru_cache

EMERGENCY = "emergency"
CRISIS = "crisis"
PREGNANCY = "pregnancy"
CLOT = "clot"
MEDICINE = "medicine"
CRAMP = "cramp"

#: Chest pain, breathlessness, an ambulance or the emergency number: the emergency answer first.
EMERGENCY_TERMS = frozenset({
    "chest", "breath", "breathe", "breathing", "breathless", "breathlessness", "gasping", "ambulance", "paramedic",
    "paramedics", "emergency", "nine one one", "nine nine nine", "triple zero", "zero zero zero", "one one two",
    "ambo", "keeled over", "floppy", "gone limp", "is limp", "she's limp", "not answering", "will not wake up",
    "not waking up", "won't wake up", "unresponsive", "not responding", "hit the floor", "out cold", "faint",
    "fainted", "fainting", "passed out", "pass out", "passing out", "blacked out", "collapse", "collapsed",
    "collapsing", "coughing blood", "coughing up blood", "cough up blood", "coughed up blood", "coughing blood up",
    "blood when i cough", "blood when she coughs", "bringing up blood", "coughed blood", "unconscious",
    "not breathing",
})
#: Thoughts of harming oneself or the baby (FACTS 24): the crisis line, and the session stays open.
CRISIS_TERMS = frozenset({
    "hurt herself", "harm herself", "end her life", "wants to die", "wants to not be here", "want to not be here",
    "ending her life", "take her life", "take her own life", "take my own life", "take my life", "kill herself",
    "hurting herself", "harming herself", "killing herself", "point in living", "point of living",
    "point in going on", "something to myself", "something to the baby", "not being here", "ending my life",
    "not want to be here", "not want to live", "wish i was dead", "wish i could die", "wasn't here", "end my life",
    "hurt myself", "harm myself", "hurting myself", "harming myself", "kill myself", "killing myself", "end it all",
    "suicide", "suicidal", "don't want to be here", "don't want to live", "want to die", "better off dead",
    "can't go on", "not want to be alive", "don't want to be alive", "go on any more", "go on anymore",
    "cannot go on", "want to go on", "ending it", "dark thoughts", "bad thoughts", "scary thoughts",
    "frightening thoughts", "suicidal thoughts", "thoughts about myself", "thoughts about the baby",
    "wants to hurt", "wants to harm", "wants to kill", "might hurt", "might harm", "is going to hurt",
    "is going to harm", "feel like harming", "feel like killing", "thoughts about killing", "thoughts of killing",
    "thinking about killing", "thinking of killing", "could kill", "might kill", "want to hurt", "want to harm",
    "want to kill", "wanting to hurt", "wanting to harm", "feel like hurting", "thoughts of hurting",
    "thoughts about hurting", "thoughts of harming", "thoughts about harming", "thinking about hurting",
    "thinking of hurting", "thinking about harming", "thinking of harming", "going to hurt", "going to harm",
    "i'll hurt", "i'll harm", "i will hurt", "i will harm", "i might hurt", "i might harm", "i could hurt",
    "i could harm", "better off without me", "better off if i wasn't", "better off if i was gone", "kill the baby",
    "kill my baby", "ending everything",
})
#: The pregnancy warning signs beyond the leg (FACTS 19-23): the doctor, midwife or maternity unit now.
PREGNANCY_TERMS = frozenset(
    f"{not_felt} {what}"
    for not_felt in ("can't feel", "cannot feel", "did not feel", "didn't feel", "has not felt", "hasn't felt",
                     "have not felt", "haven't felt", "not felt")
    for what in ("a kick", "any kicks", "any movement", "baby", "bub", "bubs", "my baby", "our baby", "the baby",
                 "the bub")
) | frozenset({
    "bleeding", "bleed", "bled", "spotting", "there's blood", "some blood", "passing blood", "waters",
    "water broke", "water's broken", "leaking", "fluid", "baby isn't moving", "baby's not moving",
    "baby not moving", "baby hasn't moved", "baby stopped moving", "baby moving less", "baby's moving less",
    "baby is moving less", "not moving as much", "stopped kicking", "not kicking", "no kicks", "headache",
    "migraine", "vision", "blurry", "blurred", "blurring", "flashing", "flashes", "seeing stars",
    "can't see properly", "belly", "stomach", "tummy", "abdomen", "abdominal", "fever", "temperature", "feverish",
    "vomiting", "throwing up", "being sick", "keep being sick", "can't stop being sick", "dizzy", "dizziness",
    "lightheaded", "light headed", "woozy", "racing", "pounding", "palpitations", "heart is beating fast",
    "heartbeat", "face has puffed", "face has suddenly", "face is puffed", "face is suddenly", "fingers are puffed",
    "fingers are suddenly", "fingers have puffed", "fingers have suddenly", "hands are puffed",
    "hands are suddenly", "hands have puffed", "hands have suddenly", "movements are", "heart is beating like",
    "heart's beating like", "burning up", "i'm boiling hot", "i am boiling hot", "been boiling hot",
    "she's boiling hot", "she is boiling hot", "wife is boiling hot", "partner is boiling hot", "feel boiling hot",
    "feeling boiling hot", "hot and shivery", "bright red blood", "fresh blood", "dark red blood", "dark blood",
    "cramping in my belly", "cramps in my belly", "pains in my belly", "cramping in her belly", "been kicking",
    "felt a kick", "baby is moving", "baby movement", "baby's movement", "baby's movements", "face is swollen",
    "face is puffy", "face has swollen", "hands are swollen", "hands are puffy", "hands have swollen",
    "fingers are swollen", "fingers are puffy", "fingers have swollen", "heart is racing", "heart is pounding",
    "heart is thumping", "heart's racing", "heart's pounding", "heart's thumping", "heart is going so fast",
    "heart's going so fast", "heart is beating so hard", "heart's beating so hard", "heart is fluttering",
    "heart is beating really fast", "heart is going really fast", "eyes are blurring", "eyes are blurry",
    "eyes are going", "eyes are hazy", "seeing spots", "spots in front of", "baby's quiet", "baby's really quiet",
    "baby's very quiet", "crook and hot", "sick and hot", "unwell and hot", "rough and hot", "awful and hot",
    "terrible and hot", "hot and shaky", "puked", "puking", "thrown up", "chucking up", "vomited", "been sick",
    "keep anything down", "water bag", "sparkly lights", "seeing bright lights", "bright lights in my eyes",
    "sparkling lights", "flickering lights", "zigzag lights", "corner of my eye", "hardly any movement",
    "hardly any movements", "barely any movement", "barely any movements", "hardly any kicks", "barely any kicks",
    "so quiet", "hardly moving", "barely moving", "seeing dots", "see spots", "see dots", "spots floating",
    "dots floating", "floaters", "sparkles", "spots in my eyes", "dots in my eyes", "dots in front of",
    "spots everywhere", "dots everywhere", "heart is going a mile", "heart's going a mile",
    "heart is going like mad", "heart's going like mad", "heart's going really fast", "room is spinning",
    "head is spinning", "everything is spinning", "baby has been quiet", "baby has been really quiet",
    "baby has been very quiet", "baby is quiet", "baby is really quiet", "baby is very quiet", "bub is quiet",
    "gone still", "really still", "very still", "completely still", "my sight is", "her sight is", "my sight has",
    "her sight has", "my sight went", "her sight went", "head pain", "blood when i wipe", "blood when i wiped",
    "blood when i went", "giddy", "giddiness", "spinny", "hazy", "less than normal", "foggy", "fuzzy", "any kicks",
    "a single kick", "movement is less", "movements are less", "head is paining", "pulse is", "heart rate",
    "swollen face", "puffy face", "swollen hands", "face and hands", "hands and face", "feet and hands",
    "water has broken", "water is leaking", "water might have", "water just broke", "bit of blood", "little blood",
    "hasn't kicked", "not moved", "not kicked", "moving a lot less", "moves less", "moves a lot less",
    "moves much less", "head is pounding", "head won't stop hurting", "head has been hurting", "head has hurt",
    "losing blood", "blood in", "there is blood", "is blood", "lot of blood", "blood on", "moving less",
    "less than usual", "not moving", "isn't moving", "hasn't been moving", "has not been moving", "stopped moving",
    "moving as much", "moving much", "moving at all", "really moving", "isn't kicking", "really kicking",
    "hasn't moved", "eyesight", "see straight", "seeing things", "see properly", "see clearly",
})
#: Signs in the leg that point away from a cramp (FACTS 15-17).
CLOT_TERMS = frozenset({
    "swollen", "swelling", "swell", "swelled", "puffy", "bigger", "fatter", "red", "redness", "reddish", "redder",
    "hot", "warm", "warmth", "tender", "tenderness", "to touch", "to the touch", "when i touch it", "constant",
    "all the time", "won't go", "won't stop", "won't ease", "doesn't go", "doesn't stop", "never goes",
    "never stops", "isn't going", "hasn't gone", "hasn't stopped", "keeps going", "for hours", "for days",
    "all day", "all night", "an hour", "for ages", "a long time", "from morning", "since monday", "since tuesday",
    "since the weekend", "non stop", "nonstop", "won't settle", "isn't settling", "not settling", "hasn't settled",
    "never stopped", "never really stopped", "never went away", "six hours", "seven hours", "eight hours",
    "ten hours", "twelve hours", "six days", "since teatime", "not going since", "is not going",
    "pain is not going", "continuously", "since morning", "from yesterday", "since yesterday", "since last night",
    "all week", "over a day", "more than a day", "than the other", "two days", "two hours", "three days",
    "three hours", "four days", "four hours", "five days", "five hours", "a couple of days", "a couple of hours",
    "a few days", "a few hours", "several days", "several hours", "back of my knee", "behind my knee",
    "back of her knee", "behind her knee", "clot", "clots", "blood clot", "dvt", "d v t", "thrombosis",
})
#: Medicines and painkillers (FACTS 25): ask the doctor, midwife or pharmacist first.
MEDICINE_TERMS = frozenset({
    "paracetamol", "ibuprofen", "tylenol", "advil", "aspirin", "acetaminophen", "nurofen", "panadol", "panadeine",
    "codeine", "naproxen", "co codamol", "crocin", "combiflam", "dolo", "lemsip", "painkiller", "painkillers",
    "pain killer", "pain killers", "pain relief", "pain medication", "pain meds", "muscle relaxant",
    "muscle relaxants", "anti inflammatory", "anti inflammatories", "antihistamines",
})
#: Words of a cramp: judged as a cramp when no red flag is among them.
CRAMP_TERMS = frozenset({
    "cramp", "cramps", "cramping", "cramped", "crampy", "spasm", "spasms", "spasming", "seized", "seizing", "tight",
    "knot", "knotted", "charley horse", "charlie horse", "killing me", "paining", "hurts", "hurting", "sore",
    "ache", "aching", "achy", "ow", "ouch",
})
#: Words that make a sample itself about danger or getting help (a question, not a symptom).
CONCERN_TERMS = frozenset({
    "dangerous", "danger", "serious", "worry", "worried", "warning", "sign", "signs", "mean", "means", "wrong",
    "doctor", "midwife", "g p", "gp", "nhs", "hospital", "a and e", "get help", "help now", "one one one", "e r",
    "emergency room", "emerg",
})

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_LONGEST = 8  # words in the longest term; the test of the term lists checks it


def _phrases(text: str) -> frozenset[str]:
    """Every run of up to ``_LONGEST`` words in the text: lower case, single spaces,
    apostrophes kept (and each 's also dropped), periods of abbreviations dropped (``d. v. t.`` has ``d v t``).
    A term (lower case, words split by single spaces) is said if it is one of them."""
    said = _WORD.findall(text.lower().replace("\u2019", "'"))
    # "my chest's killing me" names the chest: a word with 's is also read without it
    return frozenset(" ".join(words[start:end]) for words in (said, [word.removesuffix("'s") for word in said])
                     for start in range(len(words))
                     for end in range(start + 1, min(start + _LONGEST, len(words)) + 1))


def _says(heard: frozenset[str], terms: frozenset[str]) -> bool:
    return not heard.isdisjoint(terms)


def judge(text: str | None) -> str | None:
    """What these words are: ``EMERGENCY``, ``CRISIS``, ``PREGNANCY``, ``CLOT``, ``MEDICINE``
    (a question about a medicine), ``CRAMP``, or None (unknown)."""
    if not text:
        return None
    heard = _phrases(text)
    if _says(heard, EMERGENCY_TERMS):
        return EMERGENCY
    if _says(heard, CRISIS_TERMS):
        return CRISIS
    if _says(heard, PREGNANCY_TERMS):
        return PREGNANCY
    if _says(heard, CLOT_TERMS):
        return CLOT
    if _says(heard, MEDICINE_TERMS):
        return MEDICINE
    if _says(heard, CRAMP_TERMS):
        return CRAMP
    return None


RED_FLAGS = frozenset({EMERGENCY, CRISIS, PREGNANCY, CLOT})


def is_red_flag(text: str | None) -> bool:
    return judge(text) in RED_FLAGS


_CONCERNS = EMERGENCY_TERMS | CRISIS_TERMS | PREGNANCY_TERMS | CLOT_TERMS | CONCERN_TERMS
_PAIN = CRAMP_TERMS | CLOT_TERMS | {"pain", "painful", "won't", "make it"}


@lru_cache(maxsize=65536)  # validate asks of every sample, in every locale
def names_a_concern(text: str) -> bool:
    """The words say something about danger, a red flag or getting help."""
    return _says(_phrases(text), _CONCERNS)


def names_pain(text: str) -> bool:
    """The words speak of pain or a cramp (never to be heard as "stop")."""
    return _says(_phrases(text), _PAIN)
