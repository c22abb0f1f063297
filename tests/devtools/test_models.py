"""The interaction models and the code agree, and each model is a well-formed ASK model.

Alexa routes a request by the intent and slot names in the model; the code
dispatches on the same names (``skill.conversation.policy.INTENTS``) and reads slot ids
(``skill.handlers.SLOTS``). A name that differs on either side fails silently
in production, so it fails here instead. The ASK rules themselves live in
``skill.validate`` (the same checks ``leg-cramp-helper validate`` runs); this
file adds the project's own promises: its intents and slots, enough samples,
one set of slot values for every locale.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skill.conversation.policy import INTENTS
from skill.devtools.validate.code import code_problems
from skill.devtools.validate.models import model_problems
from skill.devtools.validate.samples import hearing_problems
from skill.speech.words import LOCALES

MODELS = Path(__file__).resolve().parents[2] / "interaction_models"
INVOCATION = "leg cramp helper"
CUSTOM = {
    "RelieveCrampIntent": {"leg": "LEG_SIDE", "seconds": "AMAZON.NUMBER", "who": "SPEAKER"},
    "WhyCrampsIntent": {},
    "PreventCrampsIntent": {},
    "BedtimeStretchIntent": {},
    "WarningSignsIntent": {"symptom": "SYMPTOM"},
    "ClotSignsIntent": {},
    "EmergencyIntent": {},
    "CrampsNormalIntent": {},
    "SupplementsIntent": {},
    "EmergencyNumberIntent": {},
    "PregnancyWarningIntent": {},
    "CrisisIntent": {},
    "MedicineIntent": {},
    "WarmthIntent": {},
    "HoldLengthIntent": {},
}
MIN_SAMPLES = 24          # dozens for every custom intent
MIN_RELIEF_SAMPLES = 300  # hundreds for the cramp itself


def load(locale: str) -> dict:
    return json.loads((MODELS / f"{locale}.json").read_text(encoding="utf-8"))


def intents(locale: str) -> dict[str, dict]:
    return {intent["name"]: intent for intent in load(locale)["interactionModel"]["languageModel"]["intents"]}


def types(locale: str) -> list[dict]:
    return load(locale)["interactionModel"]["languageModel"]["types"]


locales = pytest.mark.parametrize("locale", LOCALES)


def test_every_locale_the_skill_speaks_has_a_model_and_no_other():
    assert {path.stem for path in MODELS.glob("*.json")} == set(LOCALES)


@locales
def test_the_model_passes_the_ask_rules(locale):
    assert model_problems(load(locale)) == []


@locales
def test_the_model_and_the_code_agree_on_intents_and_slots(locale):
    assert code_problems(load(locale)) == []
    assert set(intents(locale)) == set(INTENTS) - {"LaunchRequest"}


@locales
def test_invocation_name(locale):
    assert load(locale)["interactionModel"]["languageModel"]["invocationName"] == INVOCATION


@locales
def test_custom_intents_have_exactly_the_agreed_slots_and_enough_samples(locale):
    declared = intents(locale)
    for name, slots in CUSTOM.items():
        assert {slot["name"]: slot["type"] for slot in declared[name].get("slots", [])} == slots, name
        assert len(declared[name]["samples"]) >= MIN_SAMPLES, name


@locales
def test_fallback_has_no_samples(locale):
    assert intents(locale)["AMAZON.FallbackIntent"]["samples"] == []


def test_slot_types_are_identical_in_every_locale():
    first, *rest = LOCALES
    for locale in rest:
        assert types(locale) == types(first), locale


def test_the_rules_catch_a_sample_in_two_intents():
    document = load("en-US")
    language = document["interactionModel"]["languageModel"]
    why = next(i for i in language["intents"] if i["name"] == "WhyCrampsIntent")
    why["samples"].append("Help  my CRAMP")
    assert any("is in two intents" in problem for problem in model_problems(document))


@locales
def test_no_sample_lets_the_wrong_thing_through(locale):
    assert hearing_problems(load(locale)) == []


@locales
def test_the_relief_intent_hears_hundreds_of_ways_of_saying_cramp(locale):
    assert len(intents(locale)["RelieveCrampIntent"]["samples"]) >= MIN_RELIEF_SAMPLES


@locales
@pytest.mark.parametrize("intent, samples", [
    ("RelieveCrampIntent", ["relieve cramp"]),   # the card's phrases, word for word
    ("WhyCrampsIntent", ["why cramps"]),
    ("EmergencyIntent", ["call an ambulance", "I'm coughing up blood", "she fainted"]),
    ("EmergencyNumberIntent", ["what's the emergency number"]),
    ("PregnancyWarningIntent", ["I'm bleeding", "the baby isn't moving"]),
    ("AMAZON.YesIntent", ["better", "much better", "a bit better", "it's gone", "all good"]),
    ("AMAZON.NoIntent", ["not yet", "worse", "nope"]),
    ("AMAZON.StopIntent", ["I'm done", "that's enough"]),
    ("AMAZON.RepeatIntent", ["what did you say", "sorry"]),
])
def test_the_phrases_the_issue_names_are_samples(locale, intent, samples):
    assert set(samples) <= set(intents(locale)[intent]["samples"])


@locales
def test_pain_that_will_not_stop_is_never_a_stop_sample(locale):
    stop = set(intents(locale)["AMAZON.StopIntent"]["samples"]) | set(intents(locale)["AMAZON.CancelIntent"]["samples"])
    assert not {"make it stop", "it won't stop", "the pain won't stop"} & stop
    assert {"make it stop", "it won't stop"} <= set(intents(locale)["RelieveCrampIntent"]["samples"])
    assert "the pain won't stop" in intents(locale)["ClotSignsIntent"]["samples"]
