"""Interaction-model rules: what the ASK tools would reject in one model (its
structure, the invocation name, intents, samples, slots and slot types) and the
built-ins certification requires; plus the readers of a model the other checks share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

#: Built-in intents certification requires every custom skill to handle.
REQUIRED_BUILT_INS = ("AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent",
                      "AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent")

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
SLOT_REFERENCE = re.compile(r"\{([^{}]*)\}")
# One spoken word of a sample: letters, with an apostrophe, a hyphen or an abbreviation's period.
_WORD = re.compile(r"^[^\W\d_]+(?:['\-][^\W\d_]+)*\.?$|^(?:[^\W\d_]\.)+$")


def normal(text: str) -> str:
    return " ".join(text.lower().split())


def _shape(sample: str) -> str:
    """A sample with each slot name blanked, so "{a} leg" and "{b} leg" count as the same."""
    return SLOT_REFERENCE.sub("{}", normal(sample))


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
    slots = SLOT_REFERENCE.findall(sample)
    for slot in sorted({slot for slot in slots if slots.count(slot) > 1}):
        found.append(f"{intent}: sample {sample!r} uses the slot {{{slot}}} twice")
    for slot in slots:
        if slot not in declared:
            found.append(f"{intent}: sample {sample!r} uses the slot {{{slot}}}, "
                         "which the intent does not declare")
    words = SLOT_REFERENCE.sub(" ", sample)
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
        declared_names = {str(s.get("name")) for s in slots if isinstance(s, dict)}
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
            slot_samples = slot.get("samples", [])
            if not isinstance(slot_samples, list):
                found.append(f"{name}: slot {slot_name}: samples must be a list")
                slot_samples = []
            for sample in slot_samples:
                found += _sample_problems(f"{name} slot {slot_name}", sample, declared_names)
                if isinstance(sample, str) and "{" + slot_name + "}" not in sample:
                    found.append(f"{name}: slot sample {sample!r} does not hold {{{slot_name}}}, "
                                 "the slot it answers")
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
    found += _slot_samples_said_as_another_intent(intents)
    for required in REQUIRED_BUILT_INS:
        if required not in names:
            found.append(f"the required built-in intent {required} is missing")
    return found + dialog_problems(document)


def _slot_samples_said_as_another_intent(intents: list[Any]) -> list[str]:
    """A slot sample that is word for word another intent's sample: said while the
    slot is elicited, it could mean either."""
    entries = [intent for intent in intents if isinstance(intent, dict)]
    said_as = {normal(sample): intent.get("name") for intent in entries
               for sample in intent.get("samples") or [] if isinstance(sample, str)}
    return [f"slot sample {normal(sample)!r} of {intent.get('name')} is also a sample of "
            f"{said_as[normal(sample)]}"
            for intent in entries for slot in intent.get("slots") or [] if isinstance(slot, dict)
            for sample in slot.get("samples") or [] if isinstance(sample, str)
            and said_as.get(normal(sample), intent.get("name")) != intent.get("name")]


DELEGATION = ("ALWAYS", "SKILL_RESPONSE")


def dialog_problems(document: Any) -> list[str]:
    """What ASK rejects in the dialog model and its prompts: an intent or slot the
    language model does not declare, a slot of another type, a prompt id that no
    prompt defines, a required slot without an elicitation prompt, a prompt without
    words; and what defeats its use here: a required slot with no slot samples
    (Alexa then hears no bare answer)."""
    model = document.get("interactionModel") if isinstance(document, dict) else None
    if not isinstance(model, dict) or "dialog" not in model:
        return []
    dialog, prompts = model.get("dialog"), model.get("prompts", [])
    if not isinstance(dialog, dict) or not isinstance(dialog.get("intents"), list):
        return ["interactionModel.dialog needs a list of intents"]
    found: list[str] = []
    if dialog.get("delegationStrategy", "ALWAYS") not in DELEGATION:
        found.append(f"dialog.delegationStrategy must be one of {', '.join(DELEGATION)}")
    defined: dict[str, Any] = {}
    for prompt in prompts if isinstance(prompts, list) else []:
        variations = prompt.get("variations") if isinstance(prompt, dict) else None
        if not (isinstance(variations, list) and variations and all(
                isinstance(v, dict) and v.get("type") in ("PlainText", "SSML")
                and isinstance(v.get("value"), str) and v["value"].strip() for v in variations)):
            found.append(f"prompt {prompt.get('id') if isinstance(prompt, dict) else prompt!r} "
                         "needs variations with a type (PlainText or SSML) and words")
        if isinstance(prompt, dict):
            defined[str(prompt.get("id"))] = prompt
    intents = intents_by_name(document)
    for entry in dialog["intents"]:
        name = entry.get("name") if isinstance(entry, dict) else None
        if name not in intents:
            found.append(f"dialog: intent {name!r} is not in the language model")
            continue
        assert isinstance(entry, dict) and isinstance(name, str)
        if entry.get("delegationStrategy", "ALWAYS") not in DELEGATION:
            found.append(f"dialog: {name}: delegationStrategy must be one of {', '.join(DELEGATION)}")
        declared = {slot.get("name"): slot for slot in intents[name].get("slots") or [] if isinstance(slot, dict)}
        for slot in entry.get("slots") or []:
            slot_name = slot.get("name") if isinstance(slot, dict) else None
            if slot_name not in declared:
                found.append(f"dialog: {name} has no slot {slot_name!r}")
                continue
            assert isinstance(slot, dict)
            if slot.get("type") != declared[slot_name].get("type"):
                found.append(f"dialog: {name}.{slot_name} has the type {slot.get('type')}, "
                             f"the language model {declared[slot_name].get('type')}")
            ids = slot.get("prompts") or {}
            for use, prompt_id in ids.items() if isinstance(ids, dict) else []:
                if prompt_id not in defined:
                    found.append(f"dialog: {name}.{slot_name}'s {use} prompt {prompt_id!r} is not defined")
            if slot.get("elicitationRequired"):
                if "elicitation" not in ids:
                    found.append(f"dialog: {name}.{slot_name} is required but has no elicitation prompt")
                if not declared[slot_name].get("samples"):
                    found.append(f"dialog: {name}.{slot_name} is elicited but has no slot samples, "
                                 "so Alexa would not hear a bare answer")
    return found


def elicitable(document: Any) -> set[tuple[str, str]]:
    """(intent, slot) pairs the skill may elicit with Dialog.ElicitSlot: in the dialog
    model, with slot samples."""
    model = document.get("interactionModel") if isinstance(document, dict) else None
    dialog = model.get("dialog") if isinstance(model, dict) else None
    intents = intents_by_name(document)
    pairs = set()
    for entry in (dialog or {}).get("intents") or [] if isinstance(dialog, dict) else []:
        name = entry.get("name") if isinstance(entry, dict) else None
        slots = {slot.get("name"): slot for slot in intents.get(str(name), {}).get("slots") or []
                 if isinstance(slot, dict)}
        for slot in entry.get("slots") or [] if isinstance(entry, dict) else []:
            slot_name = slot.get("name") if isinstance(slot, dict) else None
            if slot_name in slots and slots[slot_name].get("samples"):
                pairs.add((str(name), str(slot_name)))
    return pairs


def language_model(document: Any) -> dict[str, Any]:
    try:
        language = document["interactionModel"]["languageModel"]
        return language if isinstance(language, dict) else {}
    except (KeyError, TypeError):
        return {}


def intents_by_name(document: Any) -> dict[str, dict[str, Any]]:
    intents = language_model(document).get("intents")
    return {intent["name"]: intent for intent in intents or []
            if isinstance(intent, dict) and isinstance(intent.get("name"), str)}


def types_by_name(document: Any) -> dict[str, dict[str, Any]]:
    types = language_model(document).get("types")
    return {t["name"]: t for t in types or [] if isinstance(t, dict) and isinstance(t.get("name"), str)} \
        if isinstance(types, list) else {}
