"""``leg-cramp-helper validate [DIR]``: what certification and the ASK tools would reject, offline.

It judges the files in DIR (a checkout of the project), so a changed copy is
judged as it is:

- each interaction model ``DIR/interaction_models/<locale>.json``: in step with its
  source (``interaction_models/source/``, see ``skill.devtools.models``), ASK structure,
  the invocation name rules, intents, samples, slots and slot types;
- the code and each model agree on intents and slots;
- what the samples let through: no catch-all sample in a safety intent (a cramp
  would get the warning answer), every built-in's extension samples its own, no
  pain in a Stop or Cancel sample;
- the skill manifest ``DIR/skill.json``: store text, example phrases that are
  real samples, the medical disclaimer, privacy and compliance answered;
- every response the skill can give: each intent in each dialogue state, in
  each locale, sent through ``skill.alexa.build.answer`` as a real envelope and
  judged by ``skill.speech.ssml.response_problems``.

The responses come from the code that is imported (the installed ``skill``
package), the models and manifest from DIR.

Output: one line per problem, ``file: problem``, then a summary. Exit status 1
when there is any problem, 0 otherwise. Warnings (things only certification
needs, such as icons) are printed but do not fail.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.alexa.handlers import SLOTS
from skill.conversation import policy, symptoms
from skill.conversation.routines import ROUTINES
from skill.conversation.state import QUESTIONS, ROUTINE_QUESTIONS, State
from skill.devtools import envelopes, hearing, icons, strict
from skill.devtools import models as model_source
from skill.devtools.hearing import LAUNCH_VERBS
from skill.speech.words import LOCALES

MODELS_DIR = "interaction_models"
MANIFEST = "skill.json"

# --- what the code expects of the models ------------------------------------

#: The intents the code answers (a LaunchRequest is not an intent).
HANDLED_INTENTS = frozenset(policy.INTENTS) - {"LaunchRequest"}

#: Built-in intents certification requires every custom skill to handle.
REQUIRED_BUILT_INS = ("AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent",
                      "AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent")

# --- problems ---------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.file}: {'warning: ' if self.warning else ''}{self.message}"


# --- the interaction model --------------------------------------------------

LAUNCH_AND_WAKE_WORDS = frozenset({
    "alexa", "amazon", "echo", "computer", "skill", "app",
    "launch", "ask", "tell", "open", "start", "load", "begin", "enable", "run", "play", "use",
})
CONNECTING_WORDS = frozenset({"to", "from", "by", "if", "and", "whether", "about", "for", "with", "using"})
_INVOCATION_CHARS = re.compile(r"^[a-z' .]+$")
_CUSTOM_INTENT = re.compile(r"^[A-Za-z][A-Za-z_]*$")
_BUILT_IN_INTENT = re.compile(r"^AMAZON\.[A-Za-z]+$")
_SLOT_NAME = re.compile(r"^[A-Za-z][A-Za-z_]*$")
_SLOT_TYPE_NAME = re.compile(r"^[A-Za-z][A-Za-z_]*$")
_SLOT_REFERENCE = re.compile(r"\{([^{}]*)\}")
# One spoken word of a sample: letters, with an apostrophe, a hyphen or an abbreviation's period.
_WORD = re.compile(r"^[^\W\d_]+(?:['\-][^\W\d_]+)*\.?$|^(?:[^\W\d_]\.)+$")


def normal(text: str) -> str:
    return " ".join(text.lower().split())


def _shape(sample: str) -> str:
    """A sample with each slot name blanked, so "{a} leg" and "{b} leg" count as the same."""
    return _SLOT_REFERENCE.sub("{}", normal(sample))


def invocation_problems(name: Any) -> list[str]:
    if not isinstance(name, str) or not name.strip():
        return ["no invocation name (interactionModel.languageModel.invocationName)"]
    found = []
    if name != name.lower():
        found.append(f"invocation name {name!r} must be lower case")
    if not _INVOCATION_CHARS.match(name.lower()):
        found.append(f"invocation name {name!r} may hold only letters, spaces, apostrophes and periods")
    words = re.findall(r"[a-z'.]+", name.lower())
    if len(words) < 2:
        found.append(f"invocation name {name!r} must have at least two words")
    if not 2 <= len(name) <= 50:
        found.append(f"invocation name {name!r} must be 2 to 50 characters")
    for word in words:
        if word.strip(".'") in LAUNCH_AND_WAKE_WORDS:
            found.append(f"invocation name {name!r} contains the launch or wake word {word!r}")
    if words and (words[0] in CONNECTING_WORDS or words[-1] in CONNECTING_WORDS):
        found.append(f"invocation name {name!r} starts or ends with a connecting word")
    return found


MAX_SAMPLE_CHARS = 200       # ASK's limit on one sample utterance
MAX_SLOT_VALUE_CHARS = 140   # and on one slot value or synonym


def _sample_problems(intent: str, sample: Any, declared: set[str]) -> list[str]:
    if not isinstance(sample, str) or not sample.strip():
        return [f"{intent}: an empty sample"]
    found = []
    if len(sample) > MAX_SAMPLE_CHARS:
        found.append(f"{intent}: sample {sample[:40]!r}... is over {MAX_SAMPLE_CHARS} characters")
    slots = _SLOT_REFERENCE.findall(sample)
    for slot in sorted({slot for slot in slots if slots.count(slot) > 1}):
        found.append(f"{intent}: sample {sample!r} uses the slot {{{slot}}} twice")
    for slot in slots:
        if slot not in declared:
            found.append(f"{intent}: sample {sample!r} uses the slot {{{slot}}}, "
                         "which the intent does not declare")
    words = _SLOT_REFERENCE.sub(" ", sample)
    if "{" in words or "}" in words:
        found.append(f"{intent}: sample {sample!r} has an unmatched brace")
    elif re.search(r"\d", words):
        found.append(f"{intent}: sample {sample!r} has digits; spell numbers out")
    else:
        bad = [word for word in words.split() if not _WORD.match(word)]
        if bad:
            found.append(f"{intent}: sample {sample!r} has characters Alexa does not accept: "
                         + ", ".join(repr(word) for word in bad))
    return found


def _named(entries: list[Any], found: list[str], *, kind: str, nameless: str, twice: str,
           pattern: Callable[[str], object]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, entry) for each model entry (a slot type, an intent) that has a name,
    noting in ``found`` one without (``nameless``), a name used again (``twice``,
    given the name) and a name ``pattern`` refuses."""
    seen: set[str] = set()
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            found.append(nameless)
            continue
        if name in seen:
            found.append(twice.format(name=name))
        seen.add(name)
        if not pattern(name):
            found.append(f"{kind} name {name!r} may hold only letters and underscores")
        yield name, entry


def _types_problems(types: Any) -> tuple[list[str], set[str]]:
    if not isinstance(types, list):
        return ["languageModel.types must be a list"], set()
    found: list[str] = []
    names: set[str] = set()
    for name, slot_type in _named(types, found, kind="slot type", nameless="a slot type without a name",
                                  twice="slot type {name} is defined twice", pattern=_SLOT_TYPE_NAME.match):
        names.add(name)
        values = slot_type.get("values")
        if not isinstance(values, list) or not values:
            found.append(f"slot type {name} has no values")
            continue
        ids, spoken = set(), set()
        for value in values:
            said = (value.get("name") or {}) if isinstance(value, dict) else {}
            text = said.get("value") if isinstance(said, dict) else None
            if not isinstance(text, str) or not text.strip():
                found.append(f"slot type {name} has a value without name.value")
                continue
            if value.get("id") is not None:
                if value["id"] in ids:
                    found.append(f"slot type {name}: id {value['id']!r} is used twice")
                ids.add(value["id"])
            synonyms = said.get("synonyms", [])
            if not isinstance(synonyms, list) or not all(isinstance(s, str) and s.strip() for s in synonyms):
                found.append(f"slot type {name}: the synonyms of {text!r} must be non-empty strings")
                synonyms = []
            for word in [text, *synonyms]:
                if len(word) > MAX_SLOT_VALUE_CHARS:
                    found.append(f"slot type {name}: {word[:40]!r}... is over {MAX_SLOT_VALUE_CHARS} characters")
                if normal(word) in spoken:
                    found.append(f"slot type {name}: {word!r} names two values")
                spoken.add(normal(word))
    return found, names


def model_problems(document: Any) -> list[str]:
    """What the ASK tools would reject in one interaction model (a parsed JSON
    document), and the built-ins certification requires. Messages name no file."""
    language = ((document.get("interactionModel") or {}).get("languageModel")
                if isinstance(document, dict) else None)
    if not isinstance(language, dict):
        return ["not an ASK interaction model: no interactionModel.languageModel"]
    found = invocation_problems(language.get("invocationName"))
    type_problems, defined_types = _types_problems(language.get("types", []))
    found += type_problems
    intents = language.get("intents")
    if not isinstance(intents, list) or not intents:
        return found + ["languageModel.intents must be a non-empty list"]
    names: list[str] = []
    owner: dict[str, str] = {}
    for name, intent in _named(intents, found, kind="intent", nameless="an intent without a name",
                               twice="intent {name} is declared twice",
                               pattern=lambda name: (_BUILT_IN_INTENT if name.startswith("AMAZON.")
                                                     else _CUSTOM_INTENT).match(name)):
        names.append(name)
        built_in = name.startswith("AMAZON.")
        slots = intent.get("slots", [])
        if not isinstance(slots, list):
            found.append(f"{name}: slots must be a list")
            slots = []
        declared: set[str] = set()
        for slot in slots:
            slot_name = slot.get("name") if isinstance(slot, dict) else None
            slot_type = slot.get("type") if isinstance(slot, dict) else None
            if not isinstance(slot_name, str) or not _SLOT_NAME.match(slot_name):
                found.append(f"{name}: slot name {slot_name!r} may hold only letters and underscores")
                continue
            if slot_name in declared:
                found.append(f"{name}: slot {slot_name} is declared twice")
            declared.add(slot_name)
            if not isinstance(slot_type, str) or not slot_type:
                found.append(f"{name}: slot {slot_name} has no type")
            elif not slot_type.startswith("AMAZON.") and slot_type not in defined_types:
                found.append(f"{name}: slot {slot_name} has the type {slot_type}, which is not defined")
        samples = intent.get("samples", [])
        if not isinstance(samples, list):
            found.append(f"{name}: samples must be a list")
            samples = []
        if not built_in and not samples:
            found.append(f"{name}: a custom intent needs at least one sample")
        seen: set[str] = set()
        for sample in samples:
            problems = _sample_problems(name, sample, declared)
            found += problems
            if problems and not isinstance(sample, str):
                continue
            key = _shape(sample)
            if key in seen:
                found.append(f"{name}: sample {sample!r} appears twice")
            seen.add(key)
            other = owner.setdefault(key, name)
            if other != name:
                found.append(f"sample {sample!r} is in two intents, {other} and {name}")
    for required in REQUIRED_BUILT_INS:
        if required not in names:
            found.append(f"the required built-in intent {required} is missing")
    return found


def _language(document: Any) -> dict[str, Any]:
    try:
        language = document["interactionModel"]["languageModel"]
        return language if isinstance(language, dict) else {}
    except (KeyError, TypeError):
        return {}


def _intents(document: Any) -> dict[str, dict[str, Any]]:
    intents = _language(document).get("intents")
    return {intent["name"]: intent for intent in intents or []
            if isinstance(intent, dict) and isinstance(intent.get("name"), str)}


def _types(document: Any) -> dict[str, dict[str, Any]]:
    types = _language(document).get("types")
    return {t["name"]: t for t in types or [] if isinstance(t, dict) and isinstance(t.get("name"), str)} \
        if isinstance(types, list) else {}


def code_problems(document: Any) -> list[str]:
    """Where one interaction model and the code disagree on intents and slots."""
    found = []
    intents = _intents(document)
    for name in sorted(set(intents) - HANDLED_INTENTS):
        found.append(f"intent {name} is in the model but the code does not handle it "
                     "(not in skill.policy.INTENTS)")
    for name in sorted(HANDLED_INTENTS - set(intents)):
        found.append(f"the code handles {name} but the model has no such intent")
    expected = SLOTS
    types = _types(document)
    seen: set[str] = set()
    for intent in intents.values():
        for slot in intent.get("slots") or []:
            if not isinstance(slot, dict) or not isinstance(slot.get("name"), str):
                continue
            name, slot_type = slot["name"], slot.get("type")
            seen.add(name)
            if name not in expected:
                found.append(f"{intent['name']}: the code never reads the slot {name}")
                continue
            rule = expected[name]
            if isinstance(rule, str):
                if slot_type != rule:
                    found.append(f"{intent['name']}: slot {name} must have the type {rule} "
                                 f"(the code reads it so), not {slot_type}")
            elif slot_type in types:
                ids = {value.get("id") for value in types[slot_type].get("values") or []
                       if isinstance(value, dict)}
                if ids != set(rule):
                    found.append(
                        f"{intent['name']}: slot {name} ({slot_type}) has the value ids "
                        f"{sorted(map(str, ids))}; the code reads {sorted(rule)}")
            else:
                found.append(f"{intent['name']}: slot {name} must be a custom slot type "
                             f"with the ids {sorted(rule)}, not {slot_type}")
    for name in sorted(set(expected) - seen):
        found.append(f"the code reads the slot {name} but no intent declares it")
    return found


# --- hearing: what the samples let through ------------------------------------

#: Cramp words a custom slot might catch, to show what a catch-all sample lets through.
CRAMP_FILLERS = ("cramping", "killing me", "a cramp")


def _said(sample: str) -> str:
    return " ".join(hearing.words(sample))


def hearing_problems(document: Any) -> list[str]:
    """Samples that would let the wrong thing through, in one interaction model:

    - a safety intent's sample that says nothing of a red flag or of danger itself
      (``my calf is {symptom}``): Alexa fills a custom slot with any words, so a
      cramp would reach the warning answer;
    - a built-in intent's extension sample that Alexa already hears as another
      built-in (``again`` on NextIntent and RepeatIntent), or that names a red
      flag (it would skip the safety answer);
    - a Stop or Cancel sample that speaks of pain ("it won't stop"): pain is never
      heard as stop."""
    found = []
    intents = _intents(document)
    custom_types = set(_types(document))
    known = {_said(phrase): name for name, phrases in hearing.BUILT_IN_PHRASES.items()
             if name in intents for phrase in phrases}
    for name, intent in intents.items():
        slot_types = {slot.get("name"): slot.get("type") for slot in intent.get("slots") or []
                      if isinstance(slot, dict)}
        for sample in intent.get("samples") or []:
            if not isinstance(sample, str):
                continue
            custom = [slot for slot in _SLOT_REFERENCE.findall(sample) if slot_types.get(slot) in custom_types]
            carrier = _SLOT_REFERENCE.sub(" ", sample)
            if name in policy.SAFETY_INTENTS and not symptoms.names_a_concern(carrier):
                if custom:
                    filled = _SLOT_REFERENCE.sub(CRAMP_FILLERS[0], sample)
                    found.append(f"{name}: sample {sample!r} is a catch-all: a cramp fills "
                                 f"{{{custom[0]}}} ({filled!r}) and gets the warning answer; give it words "
                                 "of its own (\"is {symptom} dangerous\") or write the red flags out")
                else:
                    found.append(f"{name}: sample {sample!r} names no red flag and no danger, "
                                 "so a cramp could get the warning answer")
            if not name.startswith("AMAZON."):
                continue
            other = known.get(_said(sample))
            if other is not None and other != name:
                found.append(f"{name}: extension sample {sample!r} is how Alexa hears {other}; "
                             "a built-in's extension samples must be its own")
            if symptoms.is_red_flag(sample):
                found.append(f"{name}: extension sample {sample!r} names a red flag; it belongs to a "
                             "safety intent, not to a built-in")
            if name in ("AMAZON.StopIntent", "AMAZON.CancelIntent") and symptoms.names_pain(sample):
                found.append(f"{name}: sample {sample!r} speaks of pain, which must never be heard as stop")
    return found


# --- the manifest -------------------------------------------------------------

DISCLAIMER = "not a substitute for professional medical advice"
CATEGORIES = frozenset({
    "ALARMS_AND_CLOCKS", "ASTROLOGY", "BUSINESS_AND_FINANCE", "CALCULATORS",
    "CALENDARS_AND_REMINDERS", "CHILDRENS_EDUCATION_AND_REFERENCE", "CHILDRENS_GAMES",
    "CHILDRENS_MUSIC_AND_AUDIO", "CHILDRENS_NOVELTY_AND_HUMOR", "COMMUNICATION",
    "CONNECTED_CAR", "COOKING_AND_RECIPE", "CURRENCY_GUIDES_AND_CONVERTERS", "DATING",
    "DELIVERY_AND_TAKEOUT", "DEVICE_TRACKING", "EDUCATION_AND_REFERENCE",
    "EVENT_FINDERS", "EXERCISE_AND_WORKOUT", "FASHION_AND_STYLE", "FLIGHT_FINDERS",
    "FRIENDS_AND_FAMILY", "GAME_INFO_AND_ACCESSORY", "GAMES", "HEALTH_AND_FITNESS",
    "HOTEL_FINDERS", "KNOWLEDGE_AND_TRIVIA", "MOVIE_AND_TV_KNOWLEDGE_AND_TRIVIA",
    "MOVIE_INFO_AND_REVIEWS", "MOVIE_SHOWTIMES", "MUSIC_AND_AUDIO_ACCESSORIES",
    "MUSIC_AND_AUDIO_KNOWLEDGE_AND_TRIVIA", "MUSIC_INFO_REVIEWS_AND_RECOGNITION_SERVICE",
    "NAVIGATION_AND_TRIP_PLANNER", "NEWS", "NOVELTY", "ORGANIZERS_AND_ASSISTANTS",
    "PETS_AND_ANIMAL", "PODCAST", "PUBLIC_TRANSPORTATION", "RELIGION_AND_SPIRITUALITY",
    "RESTAURANT_BOOKING_INFO_AND_REVIEW", "SCHOOLS", "SCORE_KEEPING", "SELF_IMPROVEMENT",
    "SHOPPING", "SMART_HOME", "SOCIAL_NETWORKING", "SPORTS_GAMES", "SPORTS_NEWS",
    "STREAMING_SERVICE", "TAXI_AND_RIDESHARING", "TO_DO_LISTS_AND_NOTES", "TRANSLATORS",
    "TV_GUIDES", "UNIT_CONVERTERS", "WEATHER", "WINE_AND_BEVERAGE", "ZIP_CODE_LOOKUP",
})
PRIVACY_QUESTIONS = ("allowsPurchases", "usesPersonalInfo", "isChildDirected",
                     "isExportCompliant", "containsAds")
MAX_EXAMPLE_PHRASES = 3
_EXAMPLE = re.compile(
    r"^alexa,?\s+(?P<verb>" + "|".join(sorted(LAUNCH_VERBS)) + r")\s+(?P<rest>.*?)[\s.?!]*$")
_SEPARATORS = ("to", "for", "about", "that", "if", "whether", "and")


def _utterance(phrase: str) -> str:
    return normal(re.sub(r"[,?!]", " ", phrase)).rstrip(".")


def example_problems(phrase: Any, document: Any) -> list[str]:
    """An example phrase must invoke the skill by name and, past the launch words,
    be a sample utterance of the locale's model."""
    if not isinstance(phrase, str) or not phrase.strip():
        return ["an empty example phrase"]
    invocation = normal(str(_language(document).get("invocationName", "")))
    match = _EXAMPLE.match(normal(phrase))
    if not match or not invocation or not (match["rest"] + " ").startswith(invocation + " "):
        return [f"example phrase {phrase!r} must start \"Alexa, open {invocation}\" "
                f"or \"Alexa, ask {invocation} ...\""]
    rest = _utterance(match["rest"][len(invocation):])
    if not rest:
        if match["verb"] in ("ask", "tell"):
            return [f"example phrase {phrase!r}: ask or tell needs something to ask"]
        return []
    candidates = [rest] + [rest[len(word) + 1:] for word in _SEPARATORS if rest.startswith(word + " ")]
    model = strict.compile_model(_language(document))
    if any(strict.match(candidate, model).intent not in (None, hearing.FALLBACK) for candidate in candidates):
        return []
    return [f"example phrase {phrase!r}: {candidates[-1]!r} is not a sample utterance of the model"]


def icon_problems(uri: Any, size: int, root: Path | None) -> list[str]:
    """An icon is an https URL, or a PNG of the right size that the ASK CLI packages
    (``file://assets/images/...``, under the project's ``assets/images``)."""
    if not isinstance(uri, str):
        return ["must be an https URL or file://assets/images/<name>.png"]
    if uri.startswith("https://"):
        return []
    relative = uri.removeprefix("file://")
    if not uri.startswith("file://") or not relative.startswith(f"{icons.IMAGES.as_posix()}/") or ".." in relative:
        return ["must be an https URL or file://assets/images/<name>.png"]
    if root is None:
        return []
    path = root / relative
    if not path.is_file():
        return [f"{relative} is not in the project"]
    found = icons.png_size(path.read_bytes())
    if found is None:
        return [f"{relative} is not a PNG"]
    if found != (size, size):
        return [f"{relative} is {found[0]} x {found[1]}; certification needs {size} x {size}"]
    return []


def manifest_problems(manifest: Any, models: dict[str, Any], root: Path | None = None) -> list[tuple[str, bool]]:
    """(message, is_warning) for the skill manifest, given the models by locale."""
    found: list[tuple[str, bool]] = []

    def problem(message: str) -> None:
        found.append((message, False))

    body = manifest.get("manifest") if isinstance(manifest, dict) else None
    if not isinstance(body, dict):
        return [("not a skill manifest: no top-level \"manifest\" object", False)]
    if body.get("manifestVersion") != "1.0":
        problem('manifest.manifestVersion must be "1.0"')
    publishing = body.get("publishingInformation")
    if not isinstance(publishing, dict):
        problem("no manifest.publishingInformation")
        publishing = {}
    if publishing.get("category") not in CATEGORIES:
        problem(f"publishingInformation.category {publishing.get('category')!r} is not an Alexa category")
    if not isinstance(publishing.get("testingInstructions"), str) or not publishing["testingInstructions"].strip():
        problem("publishingInformation.testingInstructions: certification needs testing instructions")
    worldwide = publishing.get("isAvailableWorldwide")
    countries = publishing.get("distributionCountries")
    if not isinstance(worldwide, bool):
        problem("publishingInformation.isAvailableWorldwide must be true or false")
    elif not worldwide and (not isinstance(countries, list) or not countries
                            or not all(isinstance(c, str) and re.fullmatch(r"[A-Z]{2}", c) for c in countries)):
        problem("publishingInformation.distributionCountries must list ISO country codes "
                "when isAvailableWorldwide is false")
    locales = publishing.get("locales")
    if not isinstance(locales, dict) or not locales:
        problem("publishingInformation.locales is missing")
        locales = {}
    for locale in sorted(models):
        if locale not in locales:
            problem(f"publishingInformation.locales has no {locale}, though there is a model for it")
    for locale in sorted(set(locales) - set(models)):
        problem(f"publishingInformation.locales.{locale} has no interaction model")
    if worldwide is False and isinstance(countries, list):
        served = {locale.split("-")[-1] for locale in locales}
        for country in countries:
            if country not in served:
                problem(f"distributionCountries has {country}, but no {country} locale "
                        "(its emergency number would be wrong)")
    for locale, entry in sorted(locales.items()):
        where = f"publishingInformation.locales.{locale}"
        if not isinstance(entry, dict):
            problem(f"{where} must be an object")
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not 2 <= len(name.strip()) <= 50:
            problem(f"{where}.name must be 2 to 50 characters")
        summary = entry.get("summary")
        if not isinstance(summary, str) or not summary.strip() or len(summary) > 160:
            problem(f"{where}.summary must be 1 to 160 characters")
        description = entry.get("description")
        if not isinstance(description, str) or not description.strip() or len(description) > 4000:
            problem(f"{where}.description must be 1 to 4000 characters")
        elif DISCLAIMER not in normal(description):
            problem(f"{where}.description must say it is {DISCLAIMER!r} (certification of health skills)")
        keywords = entry.get("keywords", [])
        if not isinstance(keywords, list) or len(keywords) > 30 or not all(
                isinstance(k, str) and k.strip() for k in keywords):
            problem(f"{where}.keywords must be at most 30 non-empty strings")
        phrases = entry.get("examplePhrases")
        if not isinstance(phrases, list) or not 1 <= len(phrases) <= MAX_EXAMPLE_PHRASES:
            problem(f"{where}.examplePhrases must hold 1 to {MAX_EXAMPLE_PHRASES} phrases")
            phrases = phrases if isinstance(phrases, list) else []
        if locale in models:
            for phrase in phrases:
                found += [(f"{where}: {message}", False) for message in example_problems(phrase, models[locale])]
        for icon, size in icons.SIZES.items():
            uri = entry.get(icon)
            if uri is None or (isinstance(uri, str) and re.search(r"placeholder|replace|example\.", uri, re.I)):
                found.append((f"{where}.{icon}: certification needs a {size} x {size} PNG icon; "
                              "add it before submitting", True))
            else:
                for message in icon_problems(uri, size, root):
                    problem(f"{where}.{icon} {message}")
    privacy = body.get("privacyAndCompliance")
    if not isinstance(privacy, dict):
        problem("manifest.privacyAndCompliance is missing: the privacy and compliance questions are unanswered")
        privacy = {}
    for question in PRIVACY_QUESTIONS:
        if question in privacy and not isinstance(privacy[question], bool):
            problem(f"privacyAndCompliance.{question} must be true or false")
        elif question not in privacy and body.get("privacyAndCompliance") is not None:
            problem(f"privacyAndCompliance.{question} is unanswered")
    if privacy.get("isExportCompliant") is False:
        problem("privacyAndCompliance.isExportCompliant is false: the skill cannot be published")
    privacy_locales = privacy.get("locales") or {}
    if privacy.get("usesPersonalInfo") or privacy.get("allowsPurchases"):
        for locale in locales:
            url = (privacy_locales.get(locale) or {}).get("privacyPolicyUrl")
            if not isinstance(url, str) or not url.startswith("http"):
                problem(f"privacyAndCompliance.locales.{locale}.privacyPolicyUrl is required "
                        "when the skill uses personal information or allows purchases")
    custom = ((body.get("apis") or {}).get("custom")) if isinstance(body.get("apis"), dict) else None
    if not isinstance(custom, dict):
        problem("manifest.apis.custom is missing: this is a custom skill")
    else:
        endpoint = custom.get("endpoint")
        if endpoint is not None:  # absent: `ask deploy` fills it, or the console
            uri = endpoint.get("uri") if isinstance(endpoint, dict) else None
            if not isinstance(uri, str) or not (uri.startswith("arn:aws:lambda:") or uri.startswith("https://")):
                problem("apis.custom.endpoint.uri must be a Lambda ARN or an https URL (or leave the "
                        "endpoint out for `ask deploy` to fill)")
            elif uri.startswith("https://") and endpoint.get("sslCertificateType") not in (
                    "Wildcard", "SelfSigned", "Trusted"):
                problem("apis.custom.endpoint.sslCertificateType must be Wildcard, SelfSigned or Trusted "
                        "for an https endpoint")
    for message in events_problems(body.get("events")) + permissions_problems(body.get("permissions")):
        problem(message)
    return found


# Skill events Alexa can send (manifest names); the skill must hear SKILL_DISABLED, since
# it keeps a preferences record that is deleted when the skill is disabled.
SKILL_EVENTS = frozenset({"SKILL_ENABLED", "SKILL_DISABLED", "SKILL_PERMISSION_ACCEPTED",
                          "SKILL_PERMISSION_CHANGED", "SKILL_ACCOUNT_LINKED",
                          "SKILL_PROACTIVE_SUBSCRIPTION_CHANGED", "SKILL_NOTIFICATION_SUBSCRIPTION_CHANGED"})
REQUIRED_EVENTS = frozenset({"SKILL_DISABLED"})


def events_problems(events: Any) -> list[str]:
    """manifest.events: the subscriptions the skill needs, only known ones, and an
    endpoint (when given) that Alexa can call."""
    if not isinstance(events, dict):
        return ['manifest.events is missing: subscribe to SKILL_DISABLED ({"subscriptions": '
                '[{"eventName": "SKILL_DISABLED"}]}), so that disabling the skill deletes what it keeps']
    problems = []
    subscriptions = events.get("subscriptions")
    names = [entry.get("eventName") if isinstance(entry, dict) else None
             for entry in subscriptions] if isinstance(subscriptions, list) else []
    if not isinstance(subscriptions, list):
        problems.append("manifest.events.subscriptions must be a list of {\"eventName\": ...}")
    for name in names:
        if name not in SKILL_EVENTS:
            problems.append(f"manifest.events.subscriptions: {name!r} is not a skill event")
    for name in sorted(REQUIRED_EVENTS - set(names)):
        problems.append(f"manifest.events.subscriptions must include {name}: the skill deletes the "
                        "person's preferences when it is disabled")
    endpoint = events.get("endpoint")
    if endpoint is not None:  # absent: `ask deploy` fills it (ask-resources.json targetEndpoint)
        uri = endpoint.get("uri") if isinstance(endpoint, dict) else None
        if not isinstance(uri, str) or not (uri.startswith("arn:aws:lambda:") or uri.startswith("https://")):
            problems.append("manifest.events.endpoint.uri must be a Lambda ARN or an https URL")
    return problems


def _permissions_the_code_asks_for() -> dict[str, str]:
    """Each permission scope the skill may ask a user for, and what it is for. The
    reminders scope counts once the handlers can set a reminder."""
    from skill.alexa import handlers, reminders

    return {reminders.READWRITE: "the nightly bedtime reminder"} if hasattr(handlers, "reminders") else {}


def permissions_problems(permissions: Any) -> list[str]:
    """manifest.permissions: exactly the scopes the code asks for (certification
    refuses a permission a skill does not use)."""
    if permissions is None:
        permissions = []
    if not isinstance(permissions, list) or not all(
            isinstance(entry, dict) and isinstance(entry.get("name"), str) for entry in permissions):
        return ["manifest.permissions must be a list of {\"name\": scope}"]
    listed = {entry["name"] for entry in permissions}
    used = _permissions_the_code_asks_for()
    problems = [f"manifest.permissions lists {scope}, which the skill never asks for"
                for scope in sorted(listed - set(used))]
    problems += [f"manifest.permissions must list {scope} ({why})"
                 for scope, why in sorted(used.items()) if scope not in listed]
    return problems


# --- every response -----------------------------------------------------------

NIGHT = "2026-01-01T03:00:00Z"  # the walk's request time; the daytime greeting is walked too


#: The walk talks from an Echo Show, so that each answer's screen is judged with it
#: (the speech is the same with a screen or without).
WALK_SCREEN = "echo-show-5"


def _envelope(request: dict[str, Any], locale: str, attributes: dict[str, Any] | None, new: bool) -> dict[str, Any]:
    return envelopes.request_envelope(request, locale=locale, session_id="amzn1.echo-api.session.validate",
                                      new=new, attributes=attributes, timestamp=NIGHT, screen=WALK_SCREEN)


def _slot(name: str, value: str | None, type_entry: dict[str, Any] | None) -> dict[str, Any]:
    if value is None or type_entry is None:
        return envelopes.slot(name, value)
    return envelopes.slot(name, value, slot_type=type_entry["name"],
                          resolved=envelopes.resolve(type_entry, value))


#: What Alexa may put in a built-in slot: a good value, edge values and "?" (heard, not understood).
BUILT_IN_VALUES = {"AMAZON.NUMBER": ["20", "5", "90", "?"]}


def slot_variants(intent: dict[str, Any], types: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(label, slots) to send with one intent: none filled, then each slot with
    each of its values, plus one value the model does not know."""
    declared = [slot for slot in intent.get("slots") or [] if isinstance(slot, dict) and slot.get("name")]
    empty = {slot["name"]: _slot(slot["name"], None, None) for slot in declared}
    variants = [("no slots", empty)]
    for slot in declared:
        slot_type = str(slot.get("type"))
        type_entry = types.get(slot_type)
        if type_entry is not None:
            values = [v["name"]["value"] for v in type_entry.get("values") or []] + ["something else"]
        else:
            values = BUILT_IN_VALUES.get(slot_type, ["something"])
        for value in values:
            variants.append((f"{slot['name']}={value!r}",
                             {**empty, slot["name"]: _slot(slot["name"], value, type_entry)}))
    return variants


def dialogue_states() -> list[tuple[str, dict[str, Any]]]:
    """(label, session attributes) for every state the dialogue can be in: each
    question asked with no routine, and each routine at each round, paused or not,
    with each question a routine asks."""
    states: list[tuple[str, dict[str, Any]]] = [("a fresh session", {})]
    for asked in sorted(QUESTIONS - ROUTINE_QUESTIONS):
        states.append((f"asked {asked}", State(asked=asked).to_attributes()))
        states.append((f"asked {asked}, left leg", State(asked=asked, leg="left").to_attributes()))
    for name, routine in sorted(ROUTINES.items()):
        for round_ in range(routine.rounds + 1):
            for paused in (False, True):
                for asked in sorted(ROUTINE_QUESTIONS):
                    state = State(routine=name, round=round_, hold=routine.default_hold,
                                  paused=paused, asked=asked, leg="right" if round_ % 2 else None)
                    label = f"{name} routine, round {round_}{', paused' if paused else ''}, asked {asked}"
                    states.append((label, state.to_attributes()))
    return states


class _Errors(logging.Handler):
    """Collects errors the skill logs while answering (its error handler hides them)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _requests(locale: str, document: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "LaunchRequest", {"type": "LaunchRequest"}
    intents = _intents(document)
    types = _types(document)
    for name in sorted(HANDLED_INTENTS | set(intents)):
        for label, slots in slot_variants(intents.get(name, {}), types):
            suffix = "" if label == "no slots" else f" ({label})"
            yield f"{name}{suffix}", {"type": "IntentRequest", "dialogState": "COMPLETED",
                                      "intent": {"name": name, "confirmationStatus": "NONE",
                                                 "slots": slots}}
    yield "an intent the skill does not know", {
        "type": "IntentRequest", "intent": {"name": "UnknownIntent", "confirmationStatus": "NONE"}}
    yield "SessionEndedRequest", {"type": "SessionEndedRequest", "reason": "USER_INITIATED"}


def _in_the_daytime(intent: str, locale: str, attributes: dict[str, Any], new: bool) -> dict[str, Any]:
    """The answer in the daytime at the device. Only the Settings API tells day from
    night, so the walk (at night otherwise) asks the handlers' own dialogue, words
    and response builder with the time known."""
    from ask_sdk_core.serialize import DefaultSerializer

    from skill.alexa.handlers import build_response
    from skill.conversation.reply import render
    from skill.conversation.state import from_attributes
    from skill.speech.words import words_for

    reply, _ = policy.respond(from_attributes(attributes),
                              policy.Turn(intent, new_session=new, night=False))
    return {"response": DefaultSerializer().serialize(build_response(render(reply, words_for(locale))))}


def response_walk(models: dict[str, Any], locales: Iterable[str] = LOCALES) -> list[tuple[str, str]]:
    """(where, problem) for every response the skill gives to each request in each
    dialogue state and locale. Requests use the locale's model for slots when there is one."""
    from skill.alexa.build import answer, build_skill
    from skill.alexa.services import Services

    skill = build_skill(Services())  # no store, no Alexa API: validate touches nothing outside

    found: list[tuple[str, str]] = []
    errors = _Errors()
    logger = logging.getLogger("skill")
    logger.addHandler(errors)
    try:
        for locale in locales:
            requests = list(_requests(locale, models.get(locale)))
            for state_label, attributes in dialogue_states():
                for new in ((True, False) if not attributes else (False,)):
                    for request_label, request in requests:
                        where = (f"{locale}, {request_label}, {state_label}"
                                 f"{' (new session)' if new else ''}")
                        errors.records.clear()
                        response = answer(skill, _envelope(request, locale, attributes, new))
                        found += [(where, problem) for problem in _judge(request, response)]
                        found += [(where, f"the skill logged an error: {record.getMessage()}"
                                   + (f" ({record.exc_info[1]!r})" if record.exc_info else ""))
                                  for record in errors.records]
                        if request_label in policy.MAY_GREET:
                            day = _in_the_daytime(request_label, locale, attributes, new)
                            found += [(where + ", in the daytime", problem) for problem in _judge(request, day)]
                        if (request["type"] != "SessionEndedRequest"
                                and response.get("response", {}).get("shouldEndSession") is False):
                            # "repeat" right after this response must say it again, as good as before
                            repeat = answer(skill, _envelope(
                                {"type": "IntentRequest", "intent": {"name": "AMAZON.RepeatIntent",
                                                                     "confirmationStatus": "NONE"}},
                                locale, response.get("sessionAttributes"), False))
                            found += [(where + ", then repeat", problem)
                                      for problem in _judge(request, repeat)]
    finally:
        logger.removeHandler(errors)
    return found


def _judge(request: dict[str, Any], envelope: dict[str, Any]) -> list[str]:
    from skill.speech.screens import directive_problems
    from skill.speech.ssml import response_problems

    response = envelope.get("response") or {}
    if request["type"] == "SessionEndedRequest":
        return ["a response to SessionEndedRequest must not speak"] if response.get("outputSpeech") else []
    found = response_problems(envelope) + directive_problems(envelope)
    if not (response.get("outputSpeech") or {}).get("ssml"):
        found.append("the response says nothing")
    if response.get("shouldEndSession") is None:
        found.append("shouldEndSession is not set")
    return found


# --- putting it together --------------------------------------------------------

def _read_json(path: Path, problems: list[Problem], name: str) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        problems.append(Problem(name, "missing"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append(Problem(name, f"not valid JSON: {error}"))
    return None


def validate(directory: str | Path, *, responses: bool = True) -> list[Problem]:
    """Every problem (and warning) in the project checkout at ``directory``."""
    root = Path(directory)
    problems: list[Problem] = []
    models: dict[str, Any] = {}
    paths = sorted((root / MODELS_DIR).glob("*.json"))
    if not paths:
        problems.append(Problem(MODELS_DIR, "no interaction models (<locale>.json)"))
    for path in paths:
        name = f"{MODELS_DIR}/{path.name}"
        document = _read_json(path, problems, name)
        if document is None:
            continue
        models[path.stem] = document
        if path.stem not in LOCALES:
            problems.append(Problem(name, f"the skill has no words for the locale {path.stem} "
                                          f"(skill.speech.words.LOCALES: {', '.join(LOCALES)})"))
        problems += [Problem(name, message) for message in model_problems(document)]
        problems += [Problem(name, message) for message in code_problems(document)]
        problems += [Problem(name, message) for message in hearing_problems(document)]
    for locale in LOCALES:
        if paths and locale not in models and not (root / MODELS_DIR / f"{locale}.json").exists():
            problems.append(Problem(MODELS_DIR, f"no model for {locale}, a locale the skill speaks"))
    if (root / model_source.SOURCE_DIR / f"{model_source.BASE}.json").exists():
        try:
            problems += [Problem(name, f"not what {model_source.SOURCE_DIR}/ generates; "
                                       "run `leg-cramp-helper models`")
                         for name in model_source.stale(root)]
        except model_source.SourceError as error:
            problems.append(Problem(model_source.SOURCE_DIR, str(error)))
    manifest = _read_json(root / MANIFEST, problems, MANIFEST)
    if manifest is not None:
        problems += [Problem(MANIFEST, message, warning)
                     for message, warning in manifest_problems(manifest, models, root)]
    if responses:
        walked = response_walk(models, sorted(set(LOCALES) | set(models)))
        problems += [Problem("responses", f"{where}: {problem}") for where, problem in walked]
    return problems


def validate_command(args: argparse.Namespace) -> int:
    problems = validate(args.dir, responses=getattr(args, "responses", True))
    for problem in problems:
        print(problem)
    failures = sum(not problem.warning for problem in problems)
    warnings = len(problems) - failures
    where = Path(args.dir).resolve()
    if failures:
        print(f"{failures} problem{'s' * (failures != 1)}, {warnings} warning{'s' * (warnings != 1)} in {where}")
        return 1
    print(f"no problems, {warnings} warning{'s' * (warnings != 1)} in {where}: "
          "models, manifest and every response pass")
    return 0
