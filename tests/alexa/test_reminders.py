"""The nightly stretch reminder, end to end: the conversation through the Lambda entry
point, ask-sdk's ReminderManagementServiceClient over the skill's API client, and the
local stand-in of the Alexa Reminders API (a real HTTP server on 127.0.0.1)."""

import pytest

from skill.devtools.envelopes import connections_response, request_envelope
from skill.devtools.hearing import understand
from skill.speech.ssml import to_text
from skill.speech.words import words_for
from tests.support.conversation import DAY, TOKEN, Conversation, check, lambda_handler

READWRITE = "alexa::alerts:reminders:skill:readwrite"


def granted():
    return Conversation(at=DAY, token=TOKEN, granted=(READWRITE,))


def test_create_read_change_and_cancel_a_reminder(alexa_api):
    chat = granted()
    asked = chat.say("BedtimeReminderIntent", time="21:30")
    assert asked.speech == "So that's 9:30 p.m. every night. Is that right?" and not asked.ended
    assert alexa_api.reminders() == []  # nothing is set before the yes
    said = chat.say("AMAZON.YesIntent")
    assert said.speech == "Done. I'll remind you to stretch at 9:30 p.m. every night." and said.ended
    [held] = alexa_api.reminders(TOKEN)
    assert held["trigger"]["type"] == "SCHEDULED_ABSOLUTE"
    assert held["trigger"]["timeZoneId"] == "America/New_York"
    assert held["trigger"]["scheduledTime"].endswith("T21:30:00")
    assert held["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=DAILY;BYHOUR=21;BYMINUTE=30;BYSECOND=0;INTERVAL=1;"]
    [content] = held["alertInfo"]["spokenInfo"]["content"]
    assert content["locale"] == "en-US" and "ask leg cramp helper for the bedtime stretch" in content["text"]
    assert held["pushNotification"] == {"status": "ENABLED"}

    assert granted().say("CheckBedtimeReminderIntent").speech == \
        "You have a bedtime stretch reminder at 9:30 p.m. every night."
    change = granted()
    asked = change.say("ChangeBedtimeReminderIntent", time="10:00")  # "change it to ten"
    assert asked.speech == "So that's 10 p.m. every night. Is that right?"
    assert alexa_api.reminders(TOKEN)[0]["trigger"]["scheduledTime"].endswith("T21:30:00")
    changed = change.say("AMAZON.YesIntent")
    assert changed.speech == "Done. Your bedtime reminder is now at 10 p.m. every night."
    [held] = alexa_api.reminders(TOKEN)
    assert held["trigger"]["scheduledTime"].endswith("T22:00:00") and held["version"] == "2"
    assert granted().say("CancelBedtimeReminderIntent").speech == "Okay, I've cancelled your bedtime reminder."
    assert alexa_api.reminders(TOKEN) == []
    assert granted().say("CheckBedtimeReminderIntent").speech.startswith("You don't have a bedtime reminder")


def test_the_reminder_is_spoken_in_the_users_locale(alexa_api):
    chat = Conversation("en-GB", at=DAY, token=TOKEN, granted=(READWRITE,))
    chat.say("BedtimeReminderIntent", time="21:00")
    chat.say("AMAZON.YesIntent")
    [held] = alexa_api.reminders(TOKEN)
    assert held["alertInfo"]["spokenInfo"]["content"][0]["locale"] == "en-GB"


def test_without_the_permission_it_asks_by_voice_carrying_the_time(alexa_api):
    chat = Conversation(at=DAY, token=TOKEN)
    assert chat.say("BedtimeReminderIntent", time="21:30").speech == "So that's 9:30 p.m. every night. Is that right?"
    said = chat.say("AMAZON.YesIntent")
    [directive] = said.directives
    assert directive["type"] == "Connections.SendRequest" and directive["name"] == "AskFor"
    assert directive["payload"] == {"@type": "AskForPermissionsConsentRequest", "@version": "1",
                                    "permissionScope": READWRITE}
    assert directive["token"] == "bedtime-reminder:21:30"
    assert alexa_api.reminders() == []


def consent(status: str, token: str = "bedtime-reminder:21:30") -> dict:
    event = request_envelope(connections_response(token, READWRITE, status),
                             timestamp=DAY, api_access_token=TOKEN,
                             granted=(READWRITE,) if status == "ACCEPTED" else ())
    return check(lambda_handler(event, None))


def test_consent_accepted_creates_the_reminder_asked_for_and_says_so(alexa_api):
    answer = consent("ACCEPTED")
    assert to_text(answer["response"]["outputSpeech"]["ssml"]) == \
        "Done. I'll remind you to stretch at 9:30 p.m. every night."
    assert len(alexa_api.reminders(TOKEN)) == 1


@pytest.mark.parametrize("status", ["DENIED", "NOT_ANSWERED"])
def test_consent_denied_or_not_answered_says_how_to_grant_it_with_a_card(alexa_api, status):
    answer = consent(status)
    assert "Alexa app" in to_text(answer["response"]["outputSpeech"]["ssml"])
    assert answer["response"]["card"] == {"type": "AskForPermissionsConsent", "permissions": [READWRITE]}
    assert alexa_api.reminders() == []


@pytest.mark.parametrize("status, code, words", [
    (401, None, "I don't have permission to set reminders."),
    (403, None, "I don't have permission to set reminders."),
    (400, None, "Sorry, Alexa couldn't set a reminder for that time."),
    (429, None, "Please try again a little later."),
    (500, None, "Please try again a little later."),
    (503, None, "Please try again a little later."),
    (403, "MAX_REMINDERS_EXCEEDED", "You have too many reminders from this skill already."),
])
def test_every_failure_is_answered_in_words(alexa_api, status, code, words):
    alexa_api.fail("reminders", status, code)
    chat = granted()
    chat.say("BedtimeReminderIntent", time="21:30")
    said = chat.say("AMAZON.YesIntent")
    assert words in said.speech
    if status in (401, 403) and code is None:
        assert said.response["card"]["type"] == "AskForPermissionsConsent"


def test_a_revoked_permission_is_answered_in_words(alexa_api):
    alexa_api.state.permission = False
    said = granted().say("CancelBedtimeReminderIntent")
    assert "I don't have permission to set reminders." in said.speech


def test_the_reminder_limit_is_answered_in_words(alexa_api):
    alexa_api.state.reminder_limit = 0
    chat = granted()
    chat.say("BedtimeReminderIntent", time="21:30")
    assert "too many reminders" in chat.say("AMAZON.YesIntent").speech


def test_a_timeout_is_try_later(alexa_api):
    alexa_api.state.drip = 0.5
    said = granted().say("CheckBedtimeReminderIntent")
    assert "try again a little later" in said.speech


@pytest.mark.parametrize("value", ["EV", "NI", None])
def test_a_value_that_is_not_a_time_of_day_gets_a_question_back(alexa_api, value):
    chat = granted()
    said = chat.say("BedtimeReminderIntent", time=value)
    assert said.speech.endswith("What time should I remind you each night, for example nine thirty p.m.?")
    assert not said.ended
    assert alexa_api.reminders() == []
    assert chat.say("BedtimeReminderIntent", time="21:00").speech == "So that's 9 p.m. every night. Is that right?"
    assert chat.say("AMAZON.YesIntent").speech.endswith("at 9 p.m. every night.")


def test_asking_for_the_time_elicits_the_slot_so_a_bare_time_is_heard(alexa_api):
    said = granted().say("BedtimeReminderIntent")
    [directive] = said.directives
    assert directive["type"] == "Dialog.ElicitSlot" and directive["slotToElicit"] == "time"
    assert directive["updatedIntent"]["name"] == "BedtimeReminderIntent"
    changed = granted().say("ChangeBedtimeReminderIntent")  # "change my reminder": to what time?
    assert changed.eliciting == ("BedtimeReminderIntent", "time")


def test_an_accepted_consent_with_a_token_not_ours_asks_for_the_time_without_a_dialog_directive(alexa_api):
    answer = consent("ACCEPTED", token="something else")
    assert to_text(answer["response"]["outputSpeech"]["ssml"]).startswith("What time should I remind you")
    assert not answer["response"].get("directives")  # Dialog directives answer intent requests only
    assert alexa_api.reminders() == []


# --- the time is said back, and set only after a yes ---------------------------------

WORDS = words_for("en-US")
ASK_TIME = WORDS.question("ask.reminder_time").speech


def hear(chat: Conversation, text: str):
    """What the person says, heard as Alexa would (the terminal's hearing), in this session."""
    return chat.hear(understand(text, chat.locale, chat.eliciting))


def scheduled(alexa_api) -> list[str]:
    return [held["trigger"]["scheduledTime"][11:16] for held in alexa_api.reminders(TOKEN)]


def test_a_one_shot_time_is_said_back_and_set_only_after_yes(alexa_api):
    chat = granted()
    asked = hear(chat, "remind me to stretch every night at nine thirty")
    assert asked.speech == "So that's 9:30 p.m. every night. Is that right?" and not asked.ended
    assert asked.reprompt == WORDS.question("ask.reminder_confirm").reprompt
    assert asked.eliciting == ("BedtimeReminderIntent", "time")  # a time said instead of yes is heard
    assert alexa_api.reminders() == []
    done = hear(chat, "yes")
    assert done.speech == "Done. I'll remind you to stretch at 9:30 p.m. every night." and done.ended
    assert scheduled(alexa_api) == ["21:30"]


def test_the_elicited_bare_time_is_said_back_too(alexa_api):
    chat = granted()
    assert hear(chat, "set a bedtime reminder").speech == ASK_TIME
    assert hear(chat, "ten").speech == "So that's 10 p.m. every night. Is that right?"
    assert alexa_api.reminders() == []
    hear(chat, "yes")
    assert scheduled(alexa_api) == ["22:00"]


def test_no_asks_for_the_time_again_and_sets_nothing(alexa_api):
    chat = granted()
    hear(chat, "remind me at nine thirty")
    again = hear(chat, "no")
    assert again.speech == f"Okay, not 9:30 p.m. then. {ASK_TIME}" and not again.ended
    assert again.eliciting == ("BedtimeReminderIntent", "time")
    assert alexa_api.reminders() == []
    assert hear(chat, "ten fifteen").speech == "So that's 10:15 p.m. every night. Is that right?"
    hear(chat, "yes")
    assert scheduled(alexa_api) == ["22:15"]


def test_a_time_instead_of_yes_or_no_is_the_corrected_time_said_back_again(alexa_api):
    chat = granted()
    hear(chat, "remind me at nine thirty")
    corrected = hear(chat, "ten forty five")  # heard as the time slot, elicited while the time is said back
    assert corrected.speech == "So that's 10:45 p.m. every night. Is that right?"
    assert alexa_api.reminders() == []
    assert hear(chat, "yes").speech == "Done. I'll remind you to stretch at 10:45 p.m. every night."
    assert scheduled(alexa_api) == ["22:45"]


def test_remind_me_at_3_am_typed_in_the_terminal_is_never_set_at_3_pm_unasked(alexa_api):
    # Alexa sends "03:00" for "3 am" and for "three" alike: the skill cannot tell them
    # apart, so it says back the bedtime reading and asks. Said again, it is a.m.
    assert understand("remind me at 3 am").describe() == "BedtimeReminderIntent time=03:00"
    chat = granted()
    asked = hear(chat, "remind me at 3 am")
    assert asked.speech == "So that's 3 p.m. every night. Is that right?"
    assert alexa_api.reminders() == []
    morning = hear(chat, "no, three a.m.")
    assert morning.speech == "So that's 3 a.m. every night. Is that right?"
    assert hear(chat, "yes").speech == "Done. I'll remind you to stretch at 3 a.m. every night."
    assert scheduled(alexa_api) == ["03:00"]


@pytest.mark.parametrize("said", ["3 a. m.", "three a.m.", "three in the morning"])
def test_after_no_the_same_hour_again_is_the_morning(alexa_api, said):
    chat = granted()
    hear(chat, "remind me at three")
    assert hear(chat, "no").speech == f"Okay, not 3 p.m. then. {ASK_TIME}"
    assert hear(chat, said).speech == "So that's 3 a.m. every night. Is that right?"
    hear(chat, "yes")
    assert scheduled(alexa_api) == ["03:00"]


@pytest.mark.parametrize("value, back, held", [
    ("00:30", "12:30 a.m.", "00:30"),  # "twelve thirty a.m.": the value says a.m.
    ("00:00", "12 a.m.", "00:00"),     # "midnight"
    ("12:00", "12 p.m.", "12:00"),     # "noon"
    ("21:30", "9:30 p.m.", "21:30"),   # "nine thirty p.m."
    ("09:05", "9:05 p.m.", "21:05"),   # "nine oh five": a bare hour is the evening
])
def test_a_value_that_says_its_half_of_the_day_is_taken_as_it_is(alexa_api, value, back, held):
    chat = granted()
    assert chat.say("BedtimeReminderIntent", time=value).speech == f"So that's {back} every night. Is that right?"
    chat.say("AMAZON.YesIntent")
    assert scheduled(alexa_api) == [held]


def test_change_it_is_said_back_before_the_reminder_moves(alexa_api):
    first = granted()
    first.say("BedtimeReminderIntent", time="21:30")
    first.say("AMAZON.YesIntent")
    chat = granted()
    assert hear(chat, "change it to ten").speech == "So that's 10 p.m. every night. Is that right?"
    assert scheduled(alexa_api) == ["21:30"]
    refused = hear(chat, "no")
    assert refused.speech == f"Okay, not 10 p.m. then. {ASK_TIME}"
    assert scheduled(alexa_api) == ["21:30"]
    hear(chat, "ten thirty")
    assert hear(chat, "yes").speech == "Done. Your bedtime reminder is now at 10:30 p.m. every night."
    assert scheduled(alexa_api) == ["22:30"]


def test_without_the_permission_the_yes_asks_for_it_carrying_the_time_said_back(alexa_api):
    chat = Conversation(at=DAY, token=TOKEN)
    hear(chat, "remind me at 3 am")
    hear(chat, "three a.m.")
    said = hear(chat, "yes")
    assert said.asking_consent["token"] == "bedtime-reminder:03:00"
    assert chat.consent("ACCEPTED").speech == "Done. I'll remind you to stretch at 3 a.m. every night."
    assert scheduled(alexa_api) == ["03:00"]


@pytest.mark.parametrize("words", ["stop", "cancel"])
def test_stop_or_cancel_while_the_time_is_said_back_ends_at_once(alexa_api, words):
    chat = granted()
    hear(chat, "remind me at nine thirty")
    said = hear(chat, words)
    assert said.speech == WORDS.text("goodbye") and said.ended
    assert alexa_api.reminders() == []


def test_a_red_flag_while_the_time_is_said_back_still_gets_the_safety_answer(alexa_api):
    chat = granted()
    hear(chat, "remind me at nine thirty")
    said = hear(chat, "my chest hurts")
    assert said.speech.startswith(WORDS.text("safety.emergency")[:40]) and said.ended
    assert alexa_api.reminders() == []


def test_a_yes_once_the_time_said_back_is_gone_asks_for_the_time(alexa_api):
    chat = granted()
    hear(chat, "remind me at nine thirty")
    hear(chat, "help")  # the last answer is now the help, the question still pending
    said = hear(chat, "yes")
    assert said.speech == ASK_TIME and said.eliciting == ("BedtimeReminderIntent", "time")
    assert alexa_api.reminders() == []


def test_a_tampered_time_said_back_is_a_fresh_start(alexa_api):
    chat = granted()
    chat.say("BedtimeReminderIntent", time="21:30")
    kept = chat.attributes["last"]["say"][0][1]["time"]
    assert kept == ["time.pm", {"hour": 9, "minute": 30}]  # content keys and whole numbers only
    kept[1]["hour"] = 13  # renders ("13:30 p.m."), but is no time of day
    said = chat.say("AMAZON.YesIntent")
    assert said.speech == f"{WORDS.text('unexpected')} {WORDS.question('ask.start').speech}"
    assert alexa_api.reminders() == []
    assert chat.attributes.get("asked") == "start"
