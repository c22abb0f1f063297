"""A learned stand-in for Alexa's NLU, trained on nothing but the interaction models.

The terminal's hearing (``skill.devtools.hearing``) aligns text with samples by
hand-set edit costs; strict matching (``skill.devtools.strict``) takes samples
word for word. Alexa does neither: it trains a statistical model on the samples
and generalises from them. This is a small model of that kind, for the tests
only (scikit-learn is a test dependency): TF-IDF over word 1-2-grams and
character 2-5-grams (within words), and a multinomial logistic regression, one
per locale, trained once per process on

* every sample of every intent in ``interaction_models/<locale>.json`` (read
  through ``skill.devtools.model_files``), slot references filled in with the
  slot type's values and synonyms, spoken numbers (AMAZON.NUMBER) or times of
  day (AMAZON.TIME), a few fillings per sample so training stays fast;
* for the built-in intents the model declares, the phrases Alexa's built-ins
  know by default (``skill.devtools.hearing.BUILT_IN_PHRASES``, the one list the
  terminal's hearing uses too), as a model carries none for them;
* for AMAZON.FallbackIntent, a class of generic requests meant for other skills
  (``OUT_OF_DOMAIN``), and a floor on the top class's probability
  (``MIN_CONFIDENCE``): below it, the text is out of domain, as Alexa's
  out-of-domain model would send it to the fallback.

Nothing here reads the test corpora. A text that is word for word one of the
training texts is that text's intent (Alexa routes an exact sample to its
intent). Slots are filled after the intent is chosen: the words are matched
against the slot types' values and synonyms (custom types, resolved to their
ids), numbers (``hearing.number``) and times of day (``hearing.time_of_day``,
plus the few ways of telling the time it leaves out: "half past ten", "quarter
to eleven", British "half nine", "nine at night"). A bare everyday word that is
a value ("right" in "right now") fills a slot only where the samples put that
slot (after "my", before "leg"...). While the skill elicits a slot
(Dialog.ElicitSlot), a text that holds a value for it and otherwise only words
of that slot's samples is the elicited intent with the slot filled.

``understand(text, locale, eliciting)`` returns ``hearing.Understood``, as the
other hearings do, so ``.request()`` builds the IntentRequest Alexa would send.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

from skill.devtools.hearing import (
    BUILT_IN_PHRASES,
    FALLBACK,
    Filled,
    Understood,
    compiled,
    number,
    strip_invocation,
    time_of_day,
    words,
)
from skill.devtools.model_files import language_model
from skill.speech.words import DEFAULT_LOCALE

# Requests meant for other skills or for Alexa herself: the out-of-domain class.
OUT_OF_DOMAIN: tuple[str, ...] = (
    # weather
    "what's the weather like", "will it rain today", "is it going to snow this weekend",
    "how hot will it be this afternoon", "what's the forecast for the week", "do I need an umbrella",
    "how cold is it outside", "is it windy out there",
    # music and radio
    "play my playlist", "play the latest album by adele", "put on some jazz", "turn the volume up",
    "skip this song", "who sings this song", "play the radio", "shuffle my liked songs",
    "play some lullabies for the baby",
    # timers, alarms, time, calendar
    "set a timer for ten minutes", "set an alarm for six in the morning", "how long is left on my timer",
    "cancel my alarm", "what's on my calendar tomorrow", "what day is it today", "when is my next meeting",
    "snooze the alarm",
    # shopping and lists
    "add milk to my shopping list", "order more nappies", "what's on my to do list", "where's my parcel",
    "reorder paper towels", "put eggs on the list",
    # trivia, knowledge, maths
    "how tall is mount everest", "who won the football last night", "what is the capital of canada",
    "how many days until christmas", "what's twelve times eight", "spell necessary",
    "how far away is the moon", "who wrote pride and prejudice", "what does photosynthesis mean",
    "convert five miles to kilometres", "how do you make pancakes",
    # jokes and chit-chat
    "tell me something funny", "do you know any jokes", "sing me a song", "how old are you",
    "are you a robot", "what's your favourite colour", "do you like cats", "tell me a story",
    "what's the meaning of life",
    # smart home
    "turn off the lights", "turn on the bedroom lamp", "set the heating to twenty degrees",
    "lock the front door", "dim the lights in the living room", "is the back door locked",
    "turn the fan on",
    # news, sport, traffic
    "what's the news", "give me my flash briefing", "what's the traffic like on the way to work",
    "what's the score in the cricket", "any headlines this morning",
    # calls, messages, other skills and devices
    "call my mum", "send a message to sarah", "read my emails", "find my phone", "drop in on the kitchen",
    "open spotify", "ask uber for a ride", "book a table for two", "how much is a taxi to the station",
    "what's a good name for a baby girl", "how big is my baby at twenty weeks",
    "recommend a good film", "what's on tv tonight", "translate hello into french",
)

NUMBERS = ("twenty", "forty five", "30", "fifteen", "sixty", "ten", "25")      # AMAZON.NUMBER
TIMES = ("nine thirty", "ten p.m.", "nine o'clock", "10:30", "eight forty five", "half past nine")  # AMAZON.TIME
FILLINGS_PER_SAMPLE = 3   # each sample with slots is learned with up to this many fillings
C = 20.0                  # the logistic regression's inverse regularisation: samples are few and exact
MIN_CONFIDENCE = 0.35     # below this top-class probability the text is out of domain
MIN_KNOWN = 0.5           # below this share of words the training texts hold, the text is out of domain
EVERYDAY_VALUES = frozenset({"right", "left", "other", "more", "less", "one"})  # "right now", "the other day"
MAX_SPAN = 6              # the most words one slot value takes
MAX_UNRESOLVED = 3        # the most words a custom slot takes that are none of its values

_SLOT = re.compile(r"\{(\w+)\}")


# --- what the model is trained on ------------------------------------------------------


def _values(slot_type: dict[str, Any]) -> list[str]:
    return [said for entry in slot_type.get("values") or []
            for said in [entry["name"]["value"], *entry["name"].get("synonyms", [])]]


def fillings(language: dict[str, Any]) -> dict[str, list[str]]:
    """What each slot type's references are filled with: its values and synonyms for a
    custom type, spoken numbers and times for AMAZON.NUMBER and AMAZON.TIME."""
    table = {slot_type["name"]: _values(slot_type) for slot_type in language.get("types") or []}
    return {**table, "AMAZON.NUMBER": list(NUMBERS), "AMAZON.TIME": list(TIMES)}


def training_texts(locale: str) -> list[tuple[str, str]]:
    """(text, intent) for every sample of the locale's model, slot references filled in,
    the built-ins' default phrases and the out-of-domain requests."""
    language = language_model(locale)
    filling = fillings(language)
    cycles = {name: itertools.cycle(values) for name, values in filling.items() if values}
    texts: list[tuple[str, str]] = []
    intents = [intent for intent in language.get("intents") or [] if isinstance(intent.get("name"), str)]
    for intent in intents:
        slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots") or []}
        for sample in intent.get("samples") or []:
            names = _SLOT.findall(sample)
            if not names:
                texts.append((sample, intent["name"]))
                continue
            for _ in range(FILLINGS_PER_SAMPLE):
                filled = sample
                for name in names:
                    cycle = cycles.get(slot_types.get(name, ""))
                    filled = filled.replace("{" + name + "}", next(cycle) if cycle else name, 1)
                texts.append((filled, intent["name"]))
        texts += [(text, intent["name"]) for text in BUILT_IN_PHRASES.get(intent["name"], ())]
    texts += [(text, FALLBACK) for text in OUT_OF_DOMAIN]
    return texts


def normal(text: str) -> str:
    """The text as the model sees it: the hearing's words (lower case, no punctuation,
    no filler), joined by spaces."""
    return " ".join(words(text))


# --- the trained model ------------------------------------------------------------------


@dataclass(frozen=True)
class Learned:
    """One locale's trained model, and what slot filling needs of its interaction model."""

    pipeline: Any
    exact: dict[str, str]                                  # a training text -> its intent
    vocabulary: frozenset[str]                             # every word of the training texts
    invocation: tuple[str, ...]
    declared: dict[str, tuple[tuple[str, str], ...]]      # intent -> ((slot, slot type), ...)
    values: dict[str, dict[tuple[str, ...], tuple[str, str]]]  # slot type -> words -> (id, name)
    beside: dict[tuple[str, str], frozenset[tuple[str, str]]]  # (intent, slot) -> (word before, word after)
    bare: dict[str, tuple[str, str]]                       # slot type -> (intent, slot) of a sample "{slot}"
    carriers: dict[str, frozenset[str]]                    # intent -> the words of its samples, slots left out
    elicited: dict[tuple[str, str], frozenset[str]]        # (intent, slot) -> the words of its own samples


def _neighbours(intent: dict[str, Any], slot: str) -> frozenset[tuple[str, str]]:
    """The (word before, word after) a slot has in the intent's samples ("" at either end)."""
    pairs: set[tuple[str, str]] = set()
    for sample in intent.get("samples") or []:
        pieces = _SLOT.split(sample)
        for index in range(1, len(pieces), 2):
            if pieces[index] == slot:
                left, right = words(pieces[index - 1]), words(pieces[index + 1])
                pairs.add((left[-1] if left else "", right[0] if right else ""))
    return frozenset(pairs)


@cache
def trained(locale: str = DEFAULT_LOCALE) -> Learned:
    """The locale's model, trained once per process (a few seconds)."""
    language = language_model(locale)
    texts = training_texts(locale)
    exact: dict[str, str] = {}
    for text, intent in texts:
        exact.setdefault(normal(text), intent)
    vocabulary = frozenset(word for text in exact for word in text.split())
    features = FeatureUnion([
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+",
                                  dtype=numpy.float32)),
        ("letters", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=numpy.float32)),
    ])
    # A loose tolerance: the ranking settles long before the probabilities' last digits.
    pipeline = make_pipeline(features, LogisticRegression(C=C, tol=1e-3, max_iter=300))
    pipeline.fit(list(exact), list(exact.values()))  # each text once, with its first intent
    # the slot values as the terminal's hearing reads them: the same words, the same ids
    values = {slot_type: {said: (value.id, value.name) for said, value in table.items()}
              for slot_type, table in compiled(locale).values.items()}
    intents = [intent for intent in language.get("intents") or [] if isinstance(intent.get("name"), str)]
    declared = {intent["name"]: tuple((slot["name"], slot["type"]) for slot in intent.get("slots") or [])
                for intent in intents}
    beside = {(intent["name"], slot["name"]): _neighbours(intent, slot["name"])
              for intent in intents for slot in intent.get("slots") or []}
    carriers = {intent["name"]: frozenset(word for sample in intent.get("samples") or []
                                          for piece in _SLOT.split(sample)[::2] for word in words(piece))
                for intent in intents}
    bare = {}
    for intent in intents:
        slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots") or []}
        for sample in intent.get("samples") or []:
            alone = _SLOT.fullmatch(sample.strip())
            if alone and alone[1] in slot_types:
                bare.setdefault(slot_types[alone[1]], (intent["name"], alone[1]))
    elicited = {(intent["name"], slot["name"]): frozenset(
        word for sample in slot["samples"] for piece in _SLOT.split(sample)[::2] for word in words(piece))
        for intent in intents for slot in intent.get("slots") or [] if slot.get("samples")}
    return Learned(pipeline, exact, vocabulary, tuple(words(str(language.get("invocationName", "")))),
                   declared, values, beside, bare, carriers, elicited)


# --- slot filling -------------------------------------------------------------------------


def _spans(heard: tuple[str, ...]) -> list[tuple[int, int]]:
    """Every span of up to MAX_SPAN words, longest first, then leftmost."""
    return sorted(((start, end) for start in range(len(heard))
                   for end in range(start + 1, min(len(heard), start + MAX_SPAN) + 1)),
                  key=lambda span: (span[0] - span[1], span[0]))


def _value(model: Learned, slot_type: str, span: tuple[str, ...]) -> Filled | None:
    if slot_type == "AMAZON.NUMBER":
        value = number(span)
        return None if value is None else Filled("", str(value), slot_type)
    if slot_type == "AMAZON.TIME":
        heard = time_of_day(span)
        return None if heard is None else Filled("", heard, slot_type)
    resolved = model.values.get(slot_type, {}).get(span)
    return None if resolved is None else Filled("", " ".join(span), slot_type, *resolved)


def fill(model: Learned, intent: str, heard: tuple[str, ...]) -> tuple[Filled, ...]:
    """The intent's slots found in the words: a slot's longest value, where the samples
    put that slot if one is there (a bare number or everyday word only there); for a
    custom slot with none of its values, up to three words between the words the
    samples put around it, unresolved (ER_SUCCESS_NO_MATCH), as Alexa fills it, if
    they are not all words of the samples themselves ("is this dangerous")."""
    taken: set[int] = set()
    slots: list[Filled] = []
    for name, slot_type in model.declared.get(intent, ()):
        pairs = model.beside.get((intent, name), frozenset())
        before = {left for left, _ in pairs if left}
        after = {right for _, right in pairs if right}
        found: list[tuple[bool, int, int, Filled]] = []
        for start, end in _spans(heard):
            if taken & set(range(start, end)):
                continue
            value = _value(model, slot_type, heard[start:end])
            if value is None:
                continue
            left = heard[start - 1] if start else ""
            right = heard[end] if end < len(heard) else ""
            alone = (left, right) == ("", "") and ("", "") in pairs  # the text is the value, as a sample is
            placed = left in before or right in after or alone
            bare = slot_type == "AMAZON.NUMBER" or (end - start == 1 and heard[start] in EVERYDAY_VALUES)
            if placed or not bare:
                found.append((placed, start, end, value))
        if not found and not slot_type.startswith("AMAZON."):
            found = [(True, start, end, Filled("", " ".join(heard[start:end]), slot_type))
                     for start, end in _spans(heard) if end - start <= MAX_UNRESOLVED
                     and not taken & set(range(start, end))
                     and not set(heard[start:end]) <= model.carriers.get(intent, frozenset())
                     and start > 0 and (heard[start - 1], heard[end] if end < len(heard) else "") in pairs]
        if found:
            _, start, end, value = max(found, key=lambda item: (item[0], item[2] - item[1], -item[1]))
            taken.update(range(start, end))
            slots.append(Filled(name, value.value, slot_type, value.id, value.resolved))
    return tuple(slots)


def _alone(model: Learned, heard: tuple[str, ...]) -> Understood | None:
    """A text that is nothing but one slot value: the intent whose sample is that slot
    alone, its slot filled; with no such sample, out of domain (no sample says it)."""
    for slot_type in [*model.values, "AMAZON.NUMBER", "AMAZON.TIME"]:
        value = _value(model, slot_type, heard)
        if value is None:
            continue
        if slot_type not in model.bare:
            return Understood(FALLBACK, (), model.declared.get(FALLBACK, ()), 0.0)
        intent, name = model.bare[slot_type]
        return Understood(intent, (Filled(name, value.value, slot_type, value.id, value.resolved),),
                          model.declared[intent], 1.0)
    return None


def _elicited(model: Learned, eliciting: tuple[str, str], heard: tuple[str, ...]) -> Understood | None:
    """The elicited intent, its slot filled, when the words are a value for that slot
    and otherwise only words of the slot's own samples."""
    intent, name = eliciting
    slot_type = dict(model.declared.get(intent, ())).get(name)
    if slot_type is None or (intent, name) not in model.elicited:
        return None
    for start, end in _spans(heard):
        value = _value(model, slot_type, heard[start:end])
        if value is not None and set(heard[:start] + heard[end:]) <= model.elicited[(intent, name)]:
            filled = Filled(name, value.value, slot_type, value.id, value.resolved)
            others = tuple(slot for slot in fill(model, intent, heard) if slot.name != name)
            return Understood(intent, (filled, *others), model.declared[intent], 1.0)
    return None


# --- hearing ----------------------------------------------------------------------------------


def ranked(text: str, locale: str = DEFAULT_LOCALE) -> list[tuple[str, float]]:
    """Every intent with the model's probability for the text, the likeliest first."""
    model = trained(locale)
    probabilities = model.pipeline.predict_proba([normal(text)])[0]
    return sorted(((str(intent), float(probability)) for intent, probability
                   in zip(model.pipeline.classes_, probabilities, strict=True)), key=lambda pair: -pair[1])


@lru_cache(maxsize=16384)
def understand(text: str, locale: str = DEFAULT_LOCALE, eliciting: tuple[str, str] | None = None) -> Understood:
    """The intent (with slots) this model hears in the text; while the skill elicits
    ``eliciting`` (intent, slot), a value for that slot is heard as its answer."""
    model = trained(locale)
    heard_list, invoked = strip_invocation(words(text), model.invocation)
    heard = tuple(heard_list)
    if not heard:
        return Understood(None if invoked else FALLBACK, similarity=1.0 if invoked else 0.0)
    if eliciting is not None:
        answer = _elicited(model, eliciting, heard)
        if answer is not None:
            return answer
    said = " ".join(heard)
    if said in model.exact:
        intent, confidence = model.exact[said], 1.0
    else:
        alone = _alone(model, heard)
        if alone is not None:
            return alone
        intent, confidence = ranked(said, locale)[0]
        if sum(word in model.vocabulary for word in heard) < MIN_KNOWN * len(heard):
            intent = FALLBACK
    if intent == FALLBACK or confidence < MIN_CONFIDENCE:
        return Understood(FALLBACK, (), model.declared.get(FALLBACK, ()), confidence)
    return Understood(intent, fill(model, intent, heard), model.declared.get(intent, ()), confidence)
