"""Safety first, in every state; and bad input gets a short, safe answer, never a crash.

Requests here are what Alexa sends when it fills a slot with words that are not
among the slot's values (unresolved), leaves a slot empty, or cannot place what
was said at all. The listening corpus (test_listening.py) covers the same ground
from typed phrases; these tests pin the dialogue's own judgement of slot words.
"""

from __future__ import annotations

import re

import pytest

from skill.conversation import symptoms
from skill.conversation.policy import Turn, respond
from skill.conversation.state import State
from skill.speech.words import LOCALES, words_for
from tests.conversation.test_listening import STATES, _in_state

HOLD = "Hold it there."


def _say(state: str, locale: str, intent: str, **slots):
    return _in_state(state, locale).say(intent, **slots)


def _text(locale: str, key: str) -> str:
    return words_for(locale).text(key)


# --- a red flag in any slot's words, in every state: the safety answer, never the stretch ---------

@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("intent, slots, answer", [
    ("RelieveCrampIntent", {"leg": "swollen red one"}, "safety.clot"),
    ("RelieveCrampIntent", {"leg": "chest hurts"}, "safety.emergency"),
    ("WarningSignsIntent", {"symptom": "a swollen and hot calf"}, "safety.clot"),
    ("WarningSignsIntent", {"symptom": "pain in my chest when I breathe"}, "safety.emergency"),
    ("WarningSignsIntent", {"symptom": "a pain that just won't go"}, "safety.clot"),
])
def test_a_red_flag_in_words_a_slot_caught_gets_the_safety_answer_in_every_state(state, intent, slots, answer):
    for locale in LOCALES:
        said = _say(state, locale, intent, **slots)
        assert _text(locale, answer) in said.speech, (locale, said.speech)
        assert HOLD not in said.speech
        assert said.ended
        if answer == "safety.emergency":
            assert said.speech.startswith(_text(locale, answer))  # the number first


@pytest.mark.parametrize("state", STATES)
def test_the_emergency_answer_comes_first_in_every_state(state):
    for locale in LOCALES:
        for intent, slots in (("EmergencyIntent", {}), ("WarningSignsIntent", {"symptom": "chest pain"}),
                              ("WarningSignsIntent", {"symptom": "short of breath"})):
            said = _say(state, locale, intent, **slots)
            assert said.speech.startswith(_text(locale, "safety.emergency")) and said.ended


@pytest.mark.parametrize("state", STATES)
def test_signs_of_a_clot_stop_any_routine_in_every_state(state):
    for locale in LOCALES:
        said = _say(state, locale, "ClotSignsIntent")
        assert _text(locale, "safety.clot") in said.speech and HOLD not in said.speech and said.ended


# --- unresolved words that are a cramp, or unknown --------------------------------------------

@pytest.mark.parametrize("symptom", ["cramping", "a cramp", "my calf is killing me", "a charley horse"])
def test_a_cramp_heard_as_a_symptom_gets_the_stretch_not_the_alarm(symptom):
    said = _say("fresh", "en-US", "WarningSignsIntent", symptom=symptom)
    assert HOLD in said.speech and "blood clot" not in said.speech
    assert not said.ended


@pytest.mark.parametrize("state", ["fresh", "launch", "round", "bedtime", "paused"])
@pytest.mark.parametrize("symptom", ["a funny feeling", "itchy toes", "blue", "zzz"])  # a headache: a pregnancy sign
def test_an_unknown_symptom_gets_a_short_safe_answer_and_one_question(state, symptom):
    for locale in LOCALES:
        said = _say(state, locale, "WarningSignsIntent", symptom=symptom)
        assert said.speech.startswith(_text(locale, "safety.unknown"))
        assert said.speech.count("?") == 1 and not said.ended
        assert HOLD not in said.speech
        assert "nothing to worry about" not in said.speech.lower()


# --- empty slots and values not in the list ------------------------------------------------

def test_an_empty_symptom_slot_gets_the_general_safety_answer():
    said = _say("round", "en-GB", "WarningSignsIntent", symptom=None)
    assert _text("en-GB", "safety.general") in said.speech and said.ended


@pytest.mark.parametrize("leg", [None, "wobbly", "middle one", "purple"])
def test_an_empty_or_unknown_leg_still_gets_the_stretch_for_your_leg(leg):
    said = _say("fresh", "en-US", "RelieveCrampIntent", leg=leg)
    assert "Straighten your leg, pushing your heel away" in said.speech


@pytest.mark.parametrize("seconds", ["?", "", "forty", "-5", "3.5"])
def test_a_hold_that_is_not_a_whole_number_is_ignored(seconds):
    said = _say("fresh", "en-US", "RelieveCrampIntent", seconds=seconds)
    assert HOLD in said.speech and "hold for" not in said.speech.lower()


def test_an_intent_nobody_declared_gets_a_short_apology_and_the_pending_question():
    said = _say("round", "en-US", "NoSuchIntent")
    assert said.speech == "Sorry, I didn't catch that. Is it easing?" and not said.ended


# --- the other leg --------------------------------------------------------------------

def test_the_other_leg_is_the_one_not_named_last():
    assert "your right leg" in _say("round-left", "en-US", "RelieveCrampIntent", leg="the other one").speech
    assert "your other leg" in _say("round", "en-US", "RelieveCrampIntent", leg="my other").speech


# --- the word lists, on their own --------------------------------------------------------

@pytest.mark.parametrize("words, judged", [
    ("my chest is tight", symptoms.EMERGENCY),
    ("I can't breathe and my calf is swollen", symptoms.EMERGENCY),
    ("it's swollen", symptoms.CLOT),
    ("a cramp that won't stop", symptoms.CLOT),   # pain that will not go: a red flag beats the cramp
    ("D. V. T.", symptoms.CLOT),
    ("cramping", symptoms.CRAMP),
    ("killing me", symptoms.CRAMP),
    ("a headache", symptoms.PREGNANCY),   # FACTS 21: a headache that will not go is a pregnancy sign
    ("itchy toes", None),
    ("I’m seeing spots. Floating!", symptoms.PREGNANCY),   # a term across punctuation, typographic apostrophe
    ("can I take paracetamol", symptoms.MEDICINE),
    ("", None),
    (None, None),
])
def test_judging_words(words, judged):
    assert symptoms.judge(words) == judged


def test_every_term_is_lower_case_words_no_longer_than_the_judge_reads():
    lists = {name: terms for name, terms in vars(symptoms).items() if name.endswith("_TERMS")}
    assert len(lists) == 7
    for name, terms in lists.items():
        for term in terms:
            assert re.fullmatch(r"[a-z0-9']+( [a-z0-9']+)*", term), (name, term)
            assert len(term.split()) <= symptoms._LONGEST, (name, term)


def test_the_policy_judges_slot_words_before_the_intent():
    reply, after = respond(State(routine="relief", round=1, hold=30, asked="easing", holds=1),
                           Turn("AMAZON.YesIntent", unresolved="my leg is red and hot"))
    assert [line.key for line in reply.say] == ["safety.stop_routine", "safety.clot"]
    assert after == State()
