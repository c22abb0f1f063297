"""Typed text is understood as Alexa would hear it, through each locale's own model.

Every sample utterance of every model (and every built-in phrase for a built-in
intent the model declares) must come back as its own intent with its slots
resolved: that is a test of the models as much as of the matcher. A clash
between two intents' samples fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skill.devtools import hearing as u
from skill.devtools.hearing import BUILT_IN_PHRASES, FALLBACK, number, understand, words
from skill.devtools.model_files import language_model, model_file
from skill.speech.words import LOCALES

ROOT = Path(__file__).resolve().parents[2]

TIME_WORDS = [("nine thirty", "09:30"), ("ten p m", "22:00"), ("nine", "09:00"), ("eight forty five", "08:45")]
NUMBER_WORDS = [("forty five", "45"), ("30", "30"), ("twenty", "20"), ("sixty", "60"),
                ("fifteen", "15"), ("a hundred and ten", "110")]


def _cases(locale: str):
    """(text, intent, {slot: expected id or digits}) for every sample and built-in phrase;
    slot placeholders are filled in turn with every value and synonym of the slot type."""
    model = language_model(locale)
    types = {entry["name"]: entry["values"] for entry in model.get("types", [])}
    turn = 0
    for intent in model["intents"]:
        slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in [*intent.get("samples", []), *BUILT_IN_PHRASES.get(intent["name"], ())]:
            expected = {}

            def fill(match, slot_types=slot_types, expected=expected):
                nonlocal turn
                name = match.group(1)
                turn += 1
                if slot_types[name] == "AMAZON.NUMBER":
                    said, expected[name] = NUMBER_WORDS[turn % len(NUMBER_WORDS)]
                    return said
                if slot_types[name] == "AMAZON.TIME":
                    said, expected[name] = TIME_WORDS[turn % len(TIME_WORDS)]
                    return said
                choices = [(said, value["id"]) for value in types[slot_types[name]]
                           for said in [value["name"]["value"], *value["name"].get("synonyms", [])]]
                said, expected[name] = choices[turn % len(choices)]
                return said

            yield re.sub(r"\{(\w+)\}", fill, sample), intent["name"], expected


@pytest.mark.parametrize("locale", LOCALES)
def test_every_sample_of_the_model_comes_back_as_its_own_intent_with_its_slots(locale):
    wrong = []
    count = 0
    for text, intent, expected in _cases(locale):
        count += 1
        heard = understand(text, locale)
        got = {slot.name: slot.id or slot.value for slot in heard.slots}
        if heard.intent != intent or got != expected:
            wrong.append(f"{text!r}: wanted {intent} {expected}, heard {heard.describe()}")
    assert count > 150
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_slot_value_and_synonym_resolves_to_its_id(locale):
    model = language_model(locale)
    for slot_type, sample in (("LEG_SIDE", "my {} calf is cramping"), ("SYMPTOM", "is {} dangerous")):
        for value in next(t for t in model["types"] if t["name"] == slot_type)["values"]:
            for said in [value["name"]["value"], *value["name"].get("synonyms", [])]:
                heard = understand(sample.format(said), locale)
                slot = next(iter(heard.slots), None)
                assert slot is not None and slot.id == value["id"], (said, heard.describe())
                assert slot.resolved == value["name"]["value"]


@pytest.mark.parametrize("text, intent, slots", [
    ("Um, my LEFT calf is cramping!!", "RelieveCrampIntent", {"leg": "left"}),
    ("please say that again", "AMAZON.RepeatIntent", {}),
    ("Alexa, stop.", "AMAZON.StopIntent", {}),
    ("YES!", "AMAZON.YesIntent", {}),
    ("uh, no thanks", "AMAZON.NoIntent", {}),
    ("why do I get cramp", "WhyCrampsIntent", {}),                  # a small change
    ("why do get cramps", "WhyCrampsIntent", {}),                   # a dropped word
    ("why do I always get cramps", "WhyCrampsIntent", {}),          # an added word
    ("my right calf is cramping really badly", "RelieveCrampIntent", {"leg": "right"}),
    ("stretch my left calf for forty-five seconds", "RelieveCrampIntent",
     {"leg": "left", "seconds": "45"}),
    ("hold the stretch for 20 seconds please", "RelieveCrampIntent", {"seconds": "20"}),
    ("I've got a cramp in my right-hand leg", "RelieveCrampIntent", {"leg": "right"}),
    ("my leg is swollen", "ClotSignsIntent", {}),
    ("is chest pain dangerous?", "WarningSignsIntent", {"symptom": "chest_pain"}),
    ("signs of D.V.T.", "WarningSignsIntent", {}),
    ("go home", "AMAZON.NavigateHomeIntent", {}),
    ("Start over.", "AMAZON.StartOverIntent", {}),
    ("hang on", "AMAZON.PauseIntent", {}),
    ("carry on", "AMAZON.ResumeIntent", {}),
    ("next round", "AMAZON.NextIntent", {}),
    ("never mind", "AMAZON.CancelIntent", {}),
    ("what can I say", "AMAZON.HelpIntent", {}),
])
def test_sloppy_wording_still_lands(text, intent, slots):
    heard = understand(text, "en-GB")
    assert heard.intent == intent, heard.describe()
    assert {slot.name: slot.id or slot.value for slot in heard.slots} == slots


@pytest.mark.parametrize("text", [
    "purple monkey dishwasher", "asdf qwerty", "what's the weather in Paris",
    "play some music", "tell me a joke", "", "?!", "um", "hello",
])
def test_gibberish_and_other_requests_go_to_fallback(text):
    heard = understand(text, "en-US")
    assert heard.intent == FALLBACK, heard.describe()
    assert heard.request()["intent"] == {"name": FALLBACK, "confirmationStatus": "NONE", "slots": {}}


def test_the_skills_name_is_understood_as_alexa_strips_it():
    assert understand("Alexa, ask leg cramp helper to help my cramp").intent == "RelieveCrampIntent"
    assert understand("tell leg cramp helper why do I get cramps").intent == "WhyCrampsIntent"
    assert understand("open leg cramp helper").intent is None          # a launch
    assert understand("Alexa, open Leg Cramp Helper.").intent is None


# --- the slot JSON, shaped as Alexa sends it ----------------------------------------

def test_a_resolved_custom_slot_has_the_value_id_and_every_declared_slot_is_present():
    intent = understand("my left hand calf is cramping", "en-US").request()["intent"]
    assert intent["name"] == "RelieveCrampIntent"
    assert intent["confirmationStatus"] == "NONE"
    leg = intent["slots"]["leg"]
    assert leg["value"] == "left hand"
    authority = leg["resolutions"]["resolutionsPerAuthority"][0]
    assert authority["status"]["code"] == "ER_SUCCESS_MATCH"
    assert authority["values"][0]["value"] == {"name": "left", "id": "left"}
    assert authority["authority"].endswith(".LEG_SIDE")
    assert intent["slots"]["seconds"] == {"name": "seconds", "confirmationStatus": "NONE"}


def test_words_outside_the_slot_values_are_kept_unresolved():
    slot = understand("is tingling dangerous", "en-US").request()["intent"]["slots"]["symptom"]
    assert "tingling" in slot["value"]
    authority = slot["resolutions"]["resolutionsPerAuthority"][0]
    assert authority["status"]["code"] == "ER_SUCCESS_NO_MATCH"
    assert "values" not in authority


def test_a_number_slot_holds_digits_and_no_resolutions():
    slot = understand("stretch for thirty seconds", "en-US").request()["intent"]["slots"]["seconds"]
    assert slot == {"name": "seconds", "value": "30", "confirmationStatus": "NONE"}


def test_the_skill_reads_what_understand_sends():
    from skill.devtools.simulator import Session

    said = Session("en-GB").hear(understand("my right calf is cramping", "en-GB")).speech
    assert "your right leg" in said


# --- the pieces ------------------------------------------------------------------

@pytest.mark.parametrize("said, value", [
    (["45"], 45), ("forty five".split(), 45), (["thirty"], 30), (["zero"], 0),
    ("a hundred".split(), 100), ("one hundred and twenty three".split(), 123),
    ("two thousand and five".split(), 2005),
    ("five forty".split(), None), ("twenty twenty".split(), None), ("ten five".split(), None),
    (["and"], None), ("thirty and".split(), None), (["seconds"], None), ([], None),
])
def test_number_words(said, value):
    assert number(said) == value


def test_words_are_lower_case_without_punctuation_filler_or_apostrophes():
    assert words("Um, Alexa... I'm OK, please!") == ["im", "ok"]
    assert words("signs of D. V. T.?") == ["signs", "of", "dvt"]
    assert words("is it a blood clot") == ["is", "it", "a", "blood", "clot"]
    assert words("it\u2019s easing") == ["its", "easing"]


def test_built_in_phrases_are_only_for_amazon_built_ins():
    assert all(name.startswith("AMAZON.") for name in BUILT_IN_PHRASES)


def test_each_model_is_compiled_once():
    """(How fast matching is belongs to a benchmark, not to a timed assertion here.)"""
    assert u.compiled("en-AU") is u.compiled("en-AU")
    assert understand.__wrapped__("my left calf has really seized up tonight", "en-AU").intent == "RelieveCrampIntent"


# --- where the models come from ------------------------------------------------------

def test_in_a_checkout_the_models_come_from_the_top_level_folder():
    assert Path(str(model_file("en-GB"))) == ROOT / "interaction_models" / "en-GB.json"


def test_a_locale_without_a_model_says_so():
    with pytest.raises(FileNotFoundError, match="xx-XX"):
        language_model("xx-XX")


def test_a_bare_time_is_heard_as_the_reminder_only_while_the_skill_asks_for_one():
    eliciting = ("BedtimeReminderIntent", "time")
    for locale in LOCALES:
        for said, value in (("nine thirty", "09:30"), ("ten p.m.", "22:00"), ("at nine", "09:00"),
                            ("around ten thirty", "10:30"), ("nine p.m. every night", "21:00")):
            heard = understand(said, locale, eliciting)
            assert (heard.intent, heard.slot("time").value) == ("BedtimeReminderIntent", value), said
        assert understand("nine thirty", locale).intent != "BedtimeReminderIntent"
        assert understand("no", locale, eliciting).intent == "AMAZON.NoIntent"
        assert understand("my chest hurts", locale, eliciting).intent == "EmergencyIntent"


@pytest.mark.parametrize("said, value", [(("nine", "oh", "five"), "09:05"), (("two", "three"), None),
                                         (("nine", "oh", "fifteen"), None), (("ten", "thirty", "p", "m"), "22:30")])
def test_a_minute_under_ten_is_said_with_oh(said, value):
    assert u.time_of_day(said) == value


def test_counting_is_not_a_time():
    assert understand("one two three").intent == FALLBACK


# --- a.m. and p.m., as AMAZON.TIME writes them ----------------------------------------

@pytest.mark.parametrize("said, value", [
    ("3 am", "03:00"), ("three a.m.", "03:00"), ("3 a. m.", "03:00"), ("3am", "03:00"), ("3 A.M.", "03:00"),
    ("three in the morning", "03:00"), ("four in the morning", "04:00"),  # Amazon's own example
    ("two p m", "14:00"), ("3 pm", "15:00"), ("three p.m.", "15:00"), ("3:30 a.m.", "03:30"),
    ("nine in the evening", "21:00"), ("four in the afternoon", "16:00"), ("ten at night", "22:00"),
    ("twelve thirty a.m.", "00:30"), ("12 pm", "12:00"), ("midnight", "00:00"), ("noon", "12:00"),
    ("three", "03:00"),  # said alone, as it was said: the same value as "three a.m."
])
def test_a_time_with_its_half_of_the_day_is_heard_as_alexa_writes_it(said, value):
    assert u.time_of_day(tuple(words(said))) == value
    eliciting = ("BedtimeReminderIntent", "time")
    heard = understand(said, "en-US", eliciting)
    assert (heard.intent, heard.slot("time").value) == ("BedtimeReminderIntent", value), said


@pytest.mark.parametrize("said", ["remind me at 3 am", "remind me at three a.m.", "remind me at 3 a. m.",
                                  "remind me at three in the morning"])
def test_remind_me_at_3_am_is_heard_with_the_value_alexa_sends(said):
    for locale in LOCALES:
        assert understand(said, locale).describe() == "BedtimeReminderIntent time=03:00", (said, locale)
