"""Safety beyond the leg, the fallback as a safety net, and a partner speaking for her:
conversations through the real Lambda entry point, in every state and locale."""

from __future__ import annotations

import pytest

from skill.devtools import hearing
from skill.speech.ssml import NIGHT_VOICE
from skill.speech.words import LOCALES, words_for
from tests.conversation.test_listening import STATES, _in_state
from tests.support.conversation import Conversation

HOLD = "Hold it there."


def _text(locale: str, key: str, **params) -> str:
    return words_for(locale).text(key, **params)


# --- the pregnancy warning signs, a crisis, medicines, the number ----------------------------

@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("state", STATES)
def test_a_pregnancy_warning_sign_gets_the_maternity_answer_in_every_state(state, locale):
    said = _in_state(state, locale).say("PregnancyWarningIntent")
    assert _text(locale, "safety.pregnancy") in said.speech
    assert HOLD not in said.speech and said.ended


@pytest.mark.parametrize("state", STATES)
def test_thoughts_of_harm_get_the_crisis_line_and_the_session_stays_open(state):
    chat = _in_state(state, "en-GB")
    said = chat.say("CrisisIntent")
    assert said.speech.startswith(_text("en-GB", "safety.crisis"))
    assert "Samaritans, on one one six, one two three" in said.speech
    assert not said.ended and said.reprompt
    again = chat.say("AMAZON.YesIntent")
    assert again.speech.startswith(_text("en-GB", "safety.crisis.number"))
    assert _text("en-GB", "safety.crisis.close") in again.speech and again.ended
    assert again.speech.count("one one six, one two three") == 1  # the number once, not again in the goodbye


def test_no_to_saying_the_crisis_number_again_still_ends_kindly_with_it():
    chat = Conversation("en-AU")
    chat.say("CrisisIntent")
    said = chat.say("AMAZON.NoIntent")
    assert said.speech == _text("en-AU", "safety.crisis.goodbye")
    assert "Lifeline, on thirteen eleven fourteen" in said.speech


@pytest.mark.parametrize("locale, number", [("en-US", "nine one one"), ("en-GB", "nine nine nine"),
                                            ("en-AU", "triple zero"), ("en-IN", "one one two"),
                                            ("en-CA", "nine one one")])
def test_asking_for_the_emergency_number_gets_it_calmly(locale, number):
    said = Conversation(locale).say("EmergencyNumberIntent")
    assert said.speech.startswith(f"The emergency number is {number}.")
    assert "Please call" not in said.speech and "now" not in said.speech


def test_asking_for_the_number_mid_stretch_keeps_the_stretch():
    chat = _in_state("round", "en-US")
    said = chat.say("EmergencyNumberIntent")
    assert said.speech.startswith(_text("en-US", "safety.emergency_number"))
    assert said.speech.endswith("Is it easing?") and not said.ended


def test_a_medicine_question_sends_to_the_clinician_or_pharmacist_never_a_product():
    said = Conversation("en-IN").say("MedicineIntent")
    assert said.speech == _text("en-IN", "medicine.answer")
    assert "pharmacist" in said.speech and "doctor" in said.speech


@pytest.mark.parametrize("state", ["fresh", "round", "bedtime"])
def test_urgent_answers_are_spoken_at_normal_volume_even_at_night(state):
    chat = _in_state(state, "en-US")  # no API token: the skill cannot tell the time, so it is night
    assert NIGHT_VOICE[0] in chat.say("WhyCrampsIntent").ssml  # the night voice is on
    for intent in ("EmergencyIntent", "PregnancyWarningIntent", "ClotSignsIntent", "EmergencyNumberIntent"):
        said = _in_state(state, "en-US").say(intent)
        assert NIGHT_VOICE[0] not in said.ssml, intent
    for answer in ("AMAZON.YesIntent", "AMAZON.NoIntent"):  # the crisis line said again, or the goodbye with it
        chat = _in_state(state, "en-US")
        chat.say("CrisisIntent")
        assert NIGHT_VOICE[0] not in chat.say(answer).ssml, answer


# --- the fallback is a safety net, not a loop -------------------------------------------------

@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("state", STATES)
def test_misses_never_repeat_name_help_by_the_second_and_end_kindly_at_the_third(state, locale):
    chat = _in_state(state, locale)
    first = chat.say("AMAZON.FallbackIntent")
    assert not first.ended
    second = chat.say("AMAZON.FallbackIntent")
    assert second.speech != first.speech
    clinician = words_for(locale).text("fallback.again")
    assert clinician in second.speech and not second.ended
    third = chat.say("AMAZON.FallbackIntent")
    assert third.speech == _text(locale, "fallback.last") and third.ended
    assert "leg cramp helper" in third.speech


def test_a_turn_that_is_understood_starts_the_count_again():
    chat = _in_state("round", "en-US")
    chat.say("AMAZON.FallbackIntent")
    chat.say("AMAZON.FallbackIntent")
    chat.say("AMAZON.HelpIntent")
    again = chat.say("AMAZON.FallbackIntent")
    assert again.speech.startswith(_text("en-US", "fallback") + " ")
    assert not again.ended


# --- a partner speaking for her -------------------------------------------------------------

@pytest.mark.parametrize("locale", LOCALES)
def test_a_partner_is_talked_through_helping_her(locale):
    chat = Conversation(locale)
    said = chat.say("RelieveCrampIntent", who="my wife", leg="left")
    assert "Help her straighten her left leg, pushing her heel away." in said.speech
    assert said.speech.endswith("Ask her, is it easing?")
    again = chat.say("AMAZON.NoIntent")
    assert "Help her straighten her left leg again" in again.speech
    done = chat.say("AMAZON.YesIntent")
    assert done.speech == words_for(locale).partner().text("relief.eased")
    assert "she can get back to sleep" in done.speech


@pytest.mark.parametrize("phrase", ["my wife has a cramp", "the missus has got a cramp", "she's got cramp again",
                                    "my partner has a cramp in her calf"])
def test_partner_phrasing_is_heard_and_answered_to_the_helper(phrase):
    chat = Conversation("en-GB")
    said = chat.hear(hearing.understand(phrase, "en-GB"))
    assert said.speech.endswith("Ask her, is it easing?"), said.speech


@pytest.mark.parametrize("phrase", ["she fainted", "she can't breathe properly", "my wife has chest pain"])
def test_an_emergency_said_about_her_gets_the_emergency_number_first(phrase):
    said = Conversation("en-US").hear(hearing.understand(phrase, "en-US"))
    assert said.speech.startswith(_text("en-US", "safety.emergency")), said.speech


# --- the slips -------------------------------------------------------------------------------

def test_after_three_holds_no_routine_starts_more_holds():
    chat = _in_state("last-round", "en-US")
    said = chat.say("BedtimeStretchIntent")
    assert HOLD not in said.speech
    assert said.speech == _text("en-US", "relief.not_eased")


@pytest.mark.parametrize("phrase, key", [
    ("how long should I hold it", "hold.length"),
    ("can I use a heating pad", "warmth.answer"),
    ("can I take ibuprofen", "medicine.answer"),
    ("what's the emergency number", "safety.emergency_number"),
])
def test_the_questions_that_once_slipped_get_their_own_answer(phrase, key):
    said = Conversation("en-US").hear(hearing.understand(phrase, "en-US"))
    assert _text("en-US", key, hold=30) in said.speech, said.speech


def test_please_stop_the_pain_is_a_stretch_not_a_goodbye():
    said = Conversation("en-US").hear(hearing.understand("please stop the pain", "en-US"))
    assert HOLD in said.speech and not said.ended


def test_uh_huh_to_is_it_easing_is_yes():
    chat = _in_state("round", "en-US")
    said = chat.hear(hearing.understand("uh huh", "en-US"))
    assert said.speech.startswith(_text("en-US", "relief.eased"))
