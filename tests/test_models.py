"""The interaction models and the code agree, and each model is a well-formed ASK model.

Alexa routes a request by the intent and slot names in the model; the code
dispatches on the same names (``skill.dialog.INTENTS``) and reads slot ids
(``EMERGENCY_SYMPTOMS | CLOT_SYMPTOMS``, ``left`` / ``right``). A name that
differs on either side fails silently in production, so it fails here instead.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
MODELS = ROOT / "interaction_models"
if str(ROOT) not in sys.path:  # so the test runs however pytest is started
    sys.path.insert(0, str(ROOT))

from skill.dialog import CLOT_SYMPTOMS, EMERGENCY_SYMPTOMS, INTENTS  # noqa: E402

LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
INVOCATION = "leg cramp helper"
HANDLED = frozenset(INTENTS) - {"LaunchRequest"}
CUSTOM = {
    "RelieveCrampIntent": {"leg": "LEG_SIDE", "seconds": "AMAZON.NUMBER"},
    "WhyCrampsIntent": {},
    "PreventCrampsIntent": {},
    "BedtimeStretchIntent": {},
    "WarningSignsIntent": {"symptom": "SYMPTOM"},
}
REQUIRED_BUILT_INS = frozenset(f"AMAZON.{name}Intent" for name in (
    "Help", "Stop", "Cancel", "NavigateHome", "Fallback", "Yes", "No",
    "Repeat", "StartOver", "Next", "Pause", "Resume"))
MIN_SAMPLES = 15

SLOT = re.compile(r"\{([^{}]*)\}")
# One word of a sample: a slot, a word with an apostrophe or an abbreviation's period.
TOKEN = re.compile(r"\{[A-Za-z_]+\}|[A-Za-z]+(?:'[A-Za-z]+)?\.?")


def load(locale: str) -> dict:
    return json.loads((MODELS / f"{locale}.json").read_text(encoding="utf-8"))


def language_model(locale: str) -> dict:
    return load(locale)["interactionModel"]["languageModel"]


def intents(locale: str) -> dict[str, dict]:
    return {intent["name"]: intent for intent in language_model(locale)["intents"]}


def types(locale: str) -> dict[str, dict]:
    return {slot_type["name"]: slot_type for slot_type in language_model(locale).get("types", [])}


def normal(sample: str) -> str:
    return " ".join(sample.lower().split())


def shape(sample: str) -> str:
    """The sample with every slot name replaced, so "{a} x" and "{b} x" compare equal."""
    return SLOT.sub("{}", normal(sample))


def type_ids(locale: str, name: str) -> set[str]:
    return {value["id"] for value in types(locale)[name]["values"]}


locales = pytest.mark.parametrize("locale", LOCALES)


def test_every_locale_has_a_model_and_no_stray_files():
    assert {path.stem for path in MODELS.glob("*.json")} == set(LOCALES)


@locales
def test_the_file_is_a_standard_ask_interaction_model(locale):
    document = load(locale)
    assert set(document) == {"interactionModel"}
    model = document["interactionModel"]
    assert isinstance(model["languageModel"], dict)
    language = model["languageModel"]
    assert isinstance(language["intents"], list) and language["intents"]
    assert isinstance(language.get("types", []), list)
    for intent in language["intents"]:
        assert isinstance(intent["name"], str) and intent["name"], intent
        assert isinstance(intent["samples"], list), intent["name"]
        assert all(isinstance(sample, str) and sample.strip() for sample in intent["samples"]), intent["name"]
        for slot in intent.get("slots", []):
            assert set(slot) >= {"name", "type"}, (intent["name"], slot)
    names = [intent["name"] for intent in language["intents"]]
    assert len(names) == len(set(names)), "an intent is declared twice"
    type_names = [slot_type["name"] for slot_type in language.get("types", [])]
    assert len(type_names) == len(set(type_names)), "a slot type is declared twice"


@locales
def test_invocation_name(locale):
    assert language_model(locale)["invocationName"] == INVOCATION


@locales
def test_every_intent_in_the_model_is_handled_by_the_code(locale):
    assert set(intents(locale)) - HANDLED == set()


@locales
def test_every_intent_the_code_handles_is_in_the_model(locale):
    assert HANDLED - set(intents(locale)) == set()


@locales
def test_required_built_ins_are_present(locale):
    assert REQUIRED_BUILT_INS - set(intents(locale)) == set()


@locales
def test_custom_intents_have_exactly_the_agreed_slots(locale):
    declared = intents(locale)
    for name, slots in CUSTOM.items():
        assert {slot["name"]: slot["type"] for slot in declared[name].get("slots", [])} == slots, name


@locales
def test_every_slot_type_is_defined_or_built_in(locale):
    defined = set(types(locale))
    for intent in intents(locale).values():
        for slot in intent.get("slots", []):
            assert slot["type"].startswith("AMAZON.") or slot["type"] in defined, (intent["name"], slot)


@locales
def test_slots_named_in_samples_are_declared_on_the_intent(locale):
    for intent in intents(locale).values():
        declared = {slot["name"] for slot in intent.get("slots", [])}
        for sample in intent["samples"]:
            assert set(SLOT.findall(sample)) <= declared, (intent["name"], sample)


@locales
def test_custom_intents_have_enough_samples(locale):
    declared = intents(locale)
    for name in CUSTOM:
        assert len(declared[name]["samples"]) >= MIN_SAMPLES, name


@locales
def test_fallback_has_no_samples(locale):
    assert intents(locale)["AMAZON.FallbackIntent"]["samples"] == []


@locales
def test_no_sample_belongs_to_two_intents(locale):
    owner: dict[str, str] = {}
    for intent in intents(locale).values():
        for sample in intent["samples"]:
            key = shape(sample)
            assert owner.setdefault(key, intent["name"]) == intent["name"], (
                f"{sample!r} is in {intent['name']} and {owner[key]}")


@locales
def test_no_sample_is_repeated_within_an_intent(locale):
    for intent in intents(locale).values():
        keys = [normal(sample) for sample in intent["samples"]]
        assert len(keys) == len(set(keys)), intent["name"]


@locales
def test_samples_are_spoken_words_only(locale):
    for intent in intents(locale).values():
        for sample in intent["samples"]:
            assert not re.search(r"\d", sample), f"digits in {sample!r}: spell numbers out"
            assert sample == " ".join(sample.split()), f"stray spaces in {sample!r}"
            for token in sample.split():
                assert TOKEN.fullmatch(token), f"{intent['name']}: {token!r} in {sample!r}"


@locales
def test_slot_type_values_are_well_formed(locale):
    for slot_type in types(locale).values():
        ids, spoken = set(), set()
        for value in slot_type["values"]:
            assert value["id"] and value["id"] not in ids, (slot_type["name"], value)
            ids.add(value["id"])
            name = value["name"]
            assert isinstance(name["value"], str) and name["value"], value
            assert isinstance(name["synonyms"], list) and name["synonyms"], value
            for said in [name["value"], *name["synonyms"]]:
                assert not re.search(r"\d", said), said
                key = normal(said)
                assert key not in spoken, f"{said!r} names two {slot_type['name']} values"
                spoken.add(key)


@locales
def test_leg_side_ids_are_what_the_code_reads(locale):
    assert type_ids(locale, "LEG_SIDE") == {"left", "right"}


@locales
def test_symptom_ids_are_what_the_code_reads(locale):
    assert type_ids(locale, "SYMPTOM") == set(EMERGENCY_SYMPTOMS | CLOT_SYMPTOMS)


def test_slot_types_are_identical_in_every_locale():
    first, *rest = LOCALES
    for locale in rest:
        assert types(locale) == types(first), locale
