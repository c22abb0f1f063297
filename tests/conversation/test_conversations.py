"""Whole conversations through the Lambda entry point, read as transcripts.

Every response here has already passed Alexa's rules (see conversation.check).
"""

import re

import pytest

from skill.devtools.envelopes import request_envelope
from skill.devtools.simulator import resolved_intent_request
from skill.speech.ssml import spoken_seconds, to_text
from tests.support.conversation import DAY, NIGHT, TOKEN, Conversation, check, lambda_handler

EASING = "Is it easing?"


def holds(said) -> list[float]:
    """The silences of each hold in a response, as heard: [10 s] 10. [10 s] ..."""
    return [float(s) for s in re.findall(r"\[(\d+(?:\.\d+)?) s\]", said.speech)]


# --- the relief walkthrough -------------------------------------------------

def test_launch_at_night_goes_straight_into_the_first_round_with_no_question_first(alexa_api):
    said = Conversation(at=NIGHT, token=TOKEN).open()
    assert said.speech.startswith("I'm not a doctor, but let's ease it now. Straighten your leg, pushing")
    assert "?" not in said.speech[:-len(EASING)]
    assert said.speech.endswith("And slowly let go. Is it easing?")
    assert holds(said) == [10, 10, 10]
    assert not said.ended and "Say yes" in said.reprompt


def test_launch_when_the_time_is_unknown_counts_as_night():
    assert Conversation().open().speech.endswith("And slowly let go. Is it easing?")


def test_launch_in_the_daytime_is_unchanged(alexa_api):
    said = Conversation(at=DAY, token=TOKEN).open()
    assert said.speech == ("Hi. I'm not a doctor, but I can help with leg cramps in pregnancy. "
                           "Would you like to know why cramps happen, or how to prevent them?")
    assert '<prosody' not in said.ssml and not said.ended


def test_every_night_answer_is_soft_and_slower_and_no_day_answer_is(alexa_api):
    night, day = Conversation(at=NIGHT, token=TOKEN), Conversation(at=DAY, token=TOKEN)
    for said in (night.open(), night.say("AMAZON.NoIntent"), night.say("AMAZON.HelpIntent"),
                 night.say("AMAZON.YesIntent"), Conversation(at=NIGHT).say("WhyCrampsIntent")):
        assert said.ssml.startswith('<speak><prosody rate="90%" volume="soft">')
        assert said.reprompt is None or said.response["reprompt"]["outputSpeech"]["ssml"].startswith(
            '<speak><prosody rate="90%" volume="soft">')
    for said in (day.open(), day.say("WhyCrampsIntent"), day.say("AMAZON.YesIntent")):
        assert "<prosody" not in said.ssml


def test_help_at_night_is_short_and_offers_the_stretch():
    said = Conversation().say("AMAZON.HelpIntent")
    assert said.speech == ("I'm not a doctor, but I can talk you through a calf stretch, or tell you when to "
                           "get help. Is your leg cramping now?")
    assert len(said.speech) < 130


def test_a_session_keeps_the_time_of_day_it_began_with(alexa_api):
    chat = Conversation(at=DAY, token=TOKEN)
    chat.open()
    chat.say("WhyCrampsIntent")
    assert len(alexa_api.calls_to("settings")) == 1
    assert "<prosody" not in chat.say("AMAZON.YesIntent").ssml


def test_three_rounds_that_do_not_ease_end_with_massage_warmth_walking_and_when_to_call():
    chat = Conversation()
    first = chat.open()
    assert "Straighten your leg, pushing your heel away" in first.speech
    assert "pull your toes back toward you" in first.speech
    assert "It may hurt at first" in first.speech
    assert first.speech.endswith("And slowly let go. Is it easing?")
    assert holds(first) == [10, 10, 10]
    assert "[10 s] 10. [10 s] 20. [10 s] And slowly let go." in first.speech

    second = chat.say("AMAZON.NoIntent")
    assert second.speech.startswith("A stretch can hurt at first, and then the pain fades. Let's go again.")
    assert "It may hurt" not in second.speech
    assert second.speech.endswith(EASING)

    third = chat.say("AMAZON.NoIntent")
    assert "Let's try one last time." in third.speech and third.speech.endswith(EASING)

    after = chat.say("AMAZON.NoIntent")
    assert after.ended
    for words in ("massage", "warm it with a heating pad", "Walking around",
                  "contact your doctor or midwife", "call nine one one"):
        assert words in after.speech


def test_a_cramp_that_eases_gets_aftercare_and_goodbye():
    chat = Conversation()
    chat.open()
    said = chat.say("AMAZON.YesIntent")
    assert said.ended
    assert said.speech.startswith("Good. Rub the muscle gently")
    assert "a heating pad" in said.speech and "short walk" in said.speech
    assert said.reprompt is None


def test_the_named_leg_personalises_the_cue():
    said = Conversation().say("RelieveCrampIntent", leg="left")
    assert "Straighten your left leg, pushing your heel away" in said.speech
    said = Conversation().say("RelieveCrampIntent", leg="right side")
    assert "Straighten your right leg" in said.speech


def test_an_unknown_leg_value_falls_back_to_your_leg():
    said = Conversation().say("RelieveCrampIntent", leg="middle")
    assert "Straighten your leg," in said.speech


@pytest.mark.parametrize("asked, heard", [(45, 45), (10, 10), (60, 60)])
def test_a_hold_length_within_ten_to_sixty_seconds_is_honoured(asked, heard):
    said = Conversation().say("RelieveCrampIntent", seconds=asked)
    assert f"We'll hold for {heard} seconds." in said.speech
    assert sum(holds(said)) == heard == spoken_seconds(said.ssml)
    assert max(holds(said)) <= 10


@pytest.mark.parametrize("asked", [5, 90, 0, 100000])
def test_an_unsafe_hold_length_gets_the_default_and_a_word_saying_so(asked):
    said = Conversation().say("RelieveCrampIntent", seconds=asked)
    assert "I'll hold for 30 seconds instead, which is a gentle length." in said.speech
    assert sum(holds(said)) == 30


def test_a_hold_that_is_not_a_number_is_ignored():
    said = Conversation().say("RelieveCrampIntent", seconds="?")
    assert "hold for" not in said.speech.lower()
    assert sum(holds(said)) == 30


def test_the_chosen_hold_and_leg_carry_into_later_rounds():
    chat = Conversation()
    chat.say("RelieveCrampIntent", leg="right", seconds=25)
    said = chat.say("AMAZON.NoIntent")
    assert "Straighten your right leg again" in said.speech
    assert holds(said) == [10, 10, 5]


def test_asking_for_a_new_hold_mid_routine_changes_the_next_round():
    chat = Conversation()
    chat.say("RelieveCrampIntent")
    said = chat.say("RelieveCrampIntent", seconds=40)
    assert said.speech.startswith("We'll hold for 40 seconds. Let's go again.")
    assert sum(holds(said)) == 40


def test_saying_it_still_cramps_mid_routine_is_another_round():
    chat = Conversation()
    chat.say("RelieveCrampIntent")
    assert chat.say("RelieveCrampIntent").speech.startswith("A stretch can hurt at first, and then the pain "
                                                            "fades. Let's go again.")
    assert chat.say("AMAZON.NextIntent").speech.startswith("Let's try one last time.")
    assert chat.say("AMAZON.NextIntent").ended


def test_pause_and_resume_carry_on_with_the_next_round():
    chat = Conversation()
    chat.say("RelieveCrampIntent")
    paused = chat.say("AMAZON.PauseIntent")
    assert paused.speech == "Okay, we'll pause here. Shall we carry on when you're ready?"
    assert chat.say("AMAZON.ResumeIntent").speech.startswith("Let's go again.")


def test_yes_to_carry_on_after_a_pause_resumes():
    chat = Conversation()
    chat.say("BedtimeStretchIntent")
    chat.say("AMAZON.PauseIntent")
    assert chat.say("AMAZON.YesIntent").speech.endswith("That's round 2 of 3. Ready for the next round?")


def test_start_over_restarts_the_routine_from_round_one():
    chat = Conversation()
    chat.say("RelieveCrampIntent", leg="left", seconds=20)
    chat.say("AMAZON.NoIntent")
    said = chat.say("AMAZON.StartOverIntent")
    # Round one again, but announced as the last: it is the third hold in a row.
    assert said.speech.startswith("Let's try one last time. Straighten your left leg, pushing your heel away")
    assert holds(said) == [10, 10]
    # Starting over is not a way past the cap: that was the third hold in a row.
    after = chat.say("AMAZON.NoIntent")
    assert after.ended and after.speech.startswith("Let's try something else. Gently massage the muscle")


def test_start_over_outside_a_routine_starts_from_the_top():
    said = Conversation().say("AMAZON.StartOverIntent")
    assert said.speech.endswith("Is your leg cramping now?")


# --- why, prevention, bedtime -------------------------------------------------

def test_launch_why_then_prevention_then_the_bedtime_stretch():
    chat = Conversation()
    chat.open()
    why = chat.say("WhyCrampsIntent")
    assert "work harder" in why.speech and "womb" in why.speech and "phosphorus" in why.speech
    assert why.speech.endswith("Would you like some tips to help prevent them?")

    tips = chat.say("AMAZON.YesIntent")
    for tip in ("banana or a glass of milk", "legs crossed", "wiggle your toes",
                "stretch your calves a few times before bed", "herbal remedies or supplements"):
        assert tip in tips.speech
    assert tips.speech.endswith("Would you like me to guide you through that bedtime stretch now?")

    round_one = chat.say("AMAZON.YesIntent")
    assert round_one.speech.startswith("Let's stretch both calves, 3 times each, starting with your left leg.")
    assert "Straighten your left leg" in round_one.speech
    assert "Now switch legs. Straighten your right leg" in round_one.speech
    assert holds(round_one) == [10, 10, 10, 10]
    assert round_one.speech.endswith("That's round 1 of 3. Ready for the next round?")

    round_two = chat.say("AMAZON.YesIntent")
    assert round_two.speech.startswith("Straighten your left leg again, heel first")
    assert "Now switch legs. Straighten your right leg again" in round_two.speech
    assert round_two.speech.endswith("That's round 2 of 3. Ready for the next round?")
    last = chat.say("AMAZON.NextIntent")
    assert last.ended
    assert last.speech.endswith("That's both legs, 3 times each. Well done, and sleep well.")


def test_no_thanks_to_tips_ends_kindly():
    chat = Conversation()
    chat.say("WhyCrampsIntent")
    said = chat.say("AMAZON.NoIntent")
    assert said.ended and said.speech == "Okay. Take care."


def test_no_to_the_stretch_offer_turns_to_why_and_prevention():
    chat = Conversation()
    assert chat.say("AMAZON.HelpIntent").speech.endswith("Is your leg cramping now?")
    said = chat.say("AMAZON.NoIntent")
    assert said.speech == "Okay. Would you like to know why cramps happen, or how to prevent them?"
    assert chat.say("PreventCrampsIntent").speech.startswith("Here are a few tips.")


# --- safety ---------------------------------------------------------------------

@pytest.mark.parametrize("symptom", ["chest pain", "short of breath"])
def test_a_red_flag_mid_routine_stops_it_and_gives_the_emergency_answer(symptom):
    chat = Conversation()
    chat.say("RelieveCrampIntent")
    said = chat.say("WarningSignsIntent", symptom=symptom)
    assert said.ended
    assert said.speech.startswith("Please call nine one one now.")  # the emergency number first
    assert "that's an emergency" in said.speech
    assert "Let's go again" not in said.speech


@pytest.mark.parametrize("symptom", ["swollen", "red", "warm", "tender", "constant pain"])
def test_signs_of_a_clot_point_to_the_doctor_and_the_emergency_number(symptom):
    chat = Conversation()
    chat.say("BedtimeStretchIntent")
    said = chat.say("WarningSignsIntent", symptom=symptom)
    assert said.ended
    assert said.speech.startswith("Let's stop the stretch. Pain, swelling, warmth or redness in one leg")
    assert "contact your doctor or midwife now" in said.speech
    assert "call nine one one at once" in said.speech


def test_warning_signs_without_a_symptom_give_the_general_safety_answer():
    said = Conversation().say("WarningSignsIntent")
    assert said.ended
    assert said.speech.startswith("If you have chest pain, sudden shortness of breath, cough up blood or feel "
                                  "faint, that's an emergency: call nine one one at once.")
    assert "contact your doctor or midwife if the pain stays" in said.speech


def test_an_unknown_symptom_still_gets_safety_advice_and_never_a_diagnosis():
    said = Conversation().say("WarningSignsIntent", symptom="itchy toes")
    assert "call nine one one" in said.speech
    assert "nothing to worry about" not in said.speech.lower()


@pytest.mark.parametrize("locale, emergency, clinician, heat", [
    ("en-US", "nine one one", "doctor or midwife", "a heating pad"),
    ("en-CA", "nine one one", "doctor or midwife", "a heating pad or a hot-water bottle"),
    ("en-GB", "nine nine nine", "GP or midwife", "a hot-water bottle"),
    ("en-AU", "triple zero", "doctor or midwife", "a heat pack or a hot-water bottle"),
    ("en-IN", "one one two", "doctor", "a hot-water bottle"),
])
def test_each_locale_speaks_its_own_emergency_number_and_words(locale, emergency, clinician, heat):
    emergency_answer = Conversation(locale).say("WarningSignsIntent", symptom="chest pain")
    assert f"Please call {emergency} now." in emergency_answer.speech
    clot = Conversation(locale).say("WarningSignsIntent", symptom="swollen")
    assert f"contact your {clinician} now" in clot.speech
    assert f"call {emergency} at once" in clot.speech
    chat = Conversation(locale)
    chat.say("RelieveCrampIntent")
    assert heat in chat.say("AMAZON.YesIntent").speech


def test_the_uk_answer_mentions_nhs_111_for_urgent_advice():
    said = Conversation("en-GB").say("WarningSignsIntent", symptom="swollen")
    assert "or call NHS one one one for urgent advice" in said.speech


def test_a_locale_the_skill_does_not_have_answers_in_us_english():
    said = Conversation("en-NZ").say("WarningSignsIntent", symptom="chest pain")
    assert "Please call nine one one now." in said.speech


# --- repeat, stop, cancel, help, fallback, home ------------------------------------

def _reach(state: str, daytime: bool = False) -> Conversation:
    """A conversation left at one of the skill's open questions (in the daytime: needs alexa_api)."""
    chat = Conversation(at=DAY, token=TOKEN) if daytime else Conversation()
    steps = {
        "launch": [("open", {})],
        "easing": [("RelieveCrampIntent", {})],
        "easing round 3": [("RelieveCrampIntent", {}), ("AMAZON.NoIntent", {}), ("AMAZON.NoIntent", {})],
        "prevention": [("WhyCrampsIntent", {})],
        "bedtime": [("PreventCrampsIntent", {})],
        "next round": [("BedtimeStretchIntent", {})],
        "paused": [("RelieveCrampIntent", {}), ("AMAZON.PauseIntent", {})],
        "menu": [("open", {})] if daytime else [("AMAZON.HelpIntent", {}), ("AMAZON.NoIntent", {})],
        "help": [("AMAZON.HelpIntent", {})],
        "fallback": [("RelieveCrampIntent", {}), ("AMAZON.FallbackIntent", {})],
    }[state]
    for intent, slots in steps:
        chat.open() if intent == "open" else chat.say(intent, **slots)
    assert chat.in_session
    return chat


OPEN_STATES = ["launch", "easing", "easing round 3", "prevention", "bedtime", "next round",
               "paused", "menu", "help", "fallback"]


@pytest.mark.parametrize("state", [state for state in OPEN_STATES if state != "easing round 3"])
def test_repeat_replays_the_last_response_exactly(state):
    chat = _reach(state)
    before = chat.transcript[-1][1]
    again = chat.say("AMAZON.RepeatIntent")
    assert again.ssml == before.ssml
    assert again.response.get("reprompt") == before.response.get("reprompt")
    assert chat.say("AMAZON.RepeatIntent").ssml == before.ssml  # and again


def test_repeat_of_the_third_hold_turns_to_massage_warmth_and_walking():
    chat = _reach("easing round 3")
    said = chat.say("AMAZON.RepeatIntent")
    assert said.ended and said.speech.startswith("Let's try something else. Gently massage the muscle")


def test_repeat_then_yes_still_answers_the_repeated_question():
    chat = _reach("easing")
    chat.say("AMAZON.RepeatIntent")
    assert chat.say("AMAZON.YesIntent").speech.startswith("Good. Rub the muscle")


def test_repeat_with_nothing_said_yet_offers_a_way_on():
    said = Conversation().say("AMAZON.RepeatIntent")
    assert said.speech.startswith("There's nothing to repeat yet.")
    assert not said.ended


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
@pytest.mark.parametrize("state", OPEN_STATES)
def test_stop_and_cancel_end_at_once_everywhere(state, intent):
    said = _reach(state).say(intent)
    assert said.ended
    assert said.speech == "Okay. Take care."


@pytest.mark.parametrize("state", OPEN_STATES)
def test_help_explains_and_asks_again_whatever_was_pending(state, alexa_api):
    chat = _reach(state, daytime=True)
    pending = chat.transcript[-1][1].reprompt
    said = chat.say("AMAZON.HelpIntent")
    assert said.speech.startswith("I'm not a doctor, but I can guide you through a calf stretch")
    assert not said.ended
    if state not in ("help", "fallback", "launch", "menu", "prevention", "bedtime"):
        assert "You can also say repeat, pause, start over, or stop." in said.speech
    assert said.reprompt == pending or state in ("help", "fallback")


def test_fallback_apologises_and_asks_the_pending_question_again():
    chat = _reach("easing")
    said = chat.say("AMAZON.FallbackIntent")
    assert said.speech == "Sorry, I didn't catch that. Is it easing?"
    assert chat.say("AMAZON.YesIntent").speech.startswith("Good.")


def test_fallback_with_nothing_pending_offers_the_two_main_choices():
    said = Conversation().say("AMAZON.FallbackIntent")
    assert said.speech == ("Sorry, I didn't catch that. You can say, help my cramp, "
                           "or, why do I get cramps. Which would you like?")


def test_navigate_home_leaves_the_routine_and_starts_again():
    chat = _reach("next round")
    said = chat.say("AMAZON.NavigateHomeIntent")
    assert said.speech.startswith("Okay, back to the start. Hi.")
    assert chat.say("AMAZON.NextIntent").speech.startswith("There's no stretch going on right now.")


# --- things said out of context --------------------------------------------------

@pytest.mark.parametrize("intent", ["AMAZON.YesIntent", "AMAZON.NoIntent"])
def test_yes_or_no_when_nothing_was_asked(intent):
    said = Conversation().say(intent)
    assert said.speech.startswith("Sorry, I'm not sure what that's for.")
    assert not said.ended


@pytest.mark.parametrize("intent", ["AMAZON.NextIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent"])
def test_routine_controls_outside_a_routine(intent):
    chat = _reach("prevention")
    said = chat.say(intent)
    assert said.speech.startswith("There's no stretch going on right now. You can say, help my cramp")


def test_an_intent_the_skill_does_not_know_is_treated_as_fallback():
    said = Conversation().say("AMAZON.ShuffleOnIntent")
    assert said.speech.startswith("Sorry, I didn't catch that.")


# --- one-shot invocations ------------------------------------------------------

@pytest.mark.parametrize("intent, opening", [
    ("RelieveCrampIntent", "I'm not a doctor, but let's ease it now. Straighten your leg"),
    ("WhyCrampsIntent", "In pregnancy, your heart, kidneys and circulation work harder"),
    ("PreventCrampsIntent", "Here are a few tips."),
    ("BedtimeStretchIntent", "Let's stretch both calves"),
    ("WarningSignsIntent", "If you have chest pain, sudden shortness of breath, cough up blood or feel faint"),
    ("AMAZON.HelpIntent", "I'm not a doctor, but I can talk you through a calf stretch"),
])
def test_one_shot_invocations_answer_straight_away(intent, opening):
    assert Conversation().say(intent).speech.startswith(opening)


# --- requests the skill cannot use as they are -------------------------------------

def _send(event):
    return check(lambda_handler(event, None))


@pytest.mark.parametrize("attributes", [
    {"v": 1, "routine": "relief", "round": 99, "hold": 30},
    {"v": 1, "routine": "juggling", "round": 1, "hold": 30},
    {"v": 1, "routine": "relief", "round": 1, "hold": 3600},
    {"v": 1, "asked": "launch_missiles"},
    {"v": 1, "leg": ["left"]},
    {"v": 1, "last": {"speech": "not ssml"}},
    {"v": 2, "routine": "relief"},
    {"routine": "relief"},
    {"v": True, "round": "1"},
])
def test_tampered_session_attributes_start_fresh(attributes):
    said = _send(request_envelope(resolved_intent_request("AMAZON.YesIntent"), new=False, attributes=attributes))
    assert to_text(said["response"]["outputSpeech"]["ssml"]).startswith("Sorry, I'm not sure what that's for.")
    assert said["sessionAttributes"]["v"] == 1


def test_missing_session_attributes_start_fresh():
    event = request_envelope(resolved_intent_request("AMAZON.NoIntent"), new=False)
    del event["session"]["attributes"]
    assert "not sure what that's for" in _send(event)["response"]["outputSpeech"]["ssml"]


def test_a_request_type_the_skill_does_not_handle_gets_a_spoken_answer():
    said = _send(request_envelope({"type": "Display.ElementSelected", "token": "x"}))
    assert to_text(said["response"]["outputSpeech"]["ssml"]).startswith("Sorry, I can't help with that.")


def test_session_ended_gets_an_empty_response():
    said = _send(request_envelope({"type": "SessionEndedRequest", "reason": "USER_INITIATED"}, new=False))
    assert "outputSpeech" not in said["response"]


@pytest.mark.parametrize("event", [
    {}, {"request": None}, {"version": "1.0", "request": {"type": 5}}, "not even a dict",
    {"version": "1.0", "session": "broken", "request": {"type": "LaunchRequest", "locale": "en-GB"}},
])
def test_an_envelope_the_sdk_cannot_read_still_gets_a_spoken_apology(event):
    said = _send(event)
    assert said["response"]["outputSpeech"]["ssml"].startswith("<speak>Sorry, something went wrong on my side.")


def test_odd_slot_shapes_are_not_errors():
    request = resolved_intent_request("RelieveCrampIntent")
    request["intent"]["slots"] = {"leg": {"name": "leg", "value": None,
                                          "resolutions": {"resolutionsPerAuthority": []}},
                                  "seconds": {"name": "seconds", "value": "-5"},
                                  "unknown": {"name": "unknown", "value": "x" * 5000}}
    said = _send(request_envelope(request))
    assert "Straighten your leg," in said["response"]["outputSpeech"]["ssml"]


@pytest.mark.parametrize("asked", ["easing", "next_round", "resume"])
def test_a_routine_question_without_a_routine_is_read_as_a_fresh_start(asked):
    said = _send(request_envelope(resolved_intent_request("AMAZON.YesIntent"), new=False,
                                  attributes={"v": 1, "asked": asked}))
    assert to_text(said["response"]["outputSpeech"]["ssml"]).startswith("Sorry, I'm not sure what that's for.")
