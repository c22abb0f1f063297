"""The nightly stretch reminder, end to end: the conversation through the Lambda entry
point, ask-sdk's ReminderManagementServiceClient over the skill's API client, and the
local stand-in of the Alexa Reminders API (a real HTTP server on 127.0.0.1)."""

import pytest

from skill.devtools.envelopes import connections_response, request_envelope
from skill.speech.ssml import to_text
from tests.support.conversation import DAY, TOKEN, Conversation, check, lambda_handler

READWRITE = "alexa::alerts:reminders:skill:readwrite"


def granted():
    return Conversation(at=DAY, token=TOKEN, granted=(READWRITE,))


def test_create_read_change_and_cancel_a_reminder(alexa_api):
    chat = granted()
    said = chat.say("BedtimeReminderIntent", time="21:30")
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
    changed = granted().say("ChangeBedtimeReminderIntent", time="10:00")  # "change it to ten"
    assert changed.speech == "Done. Your bedtime reminder is now at 10 p.m. every night."
    [held] = alexa_api.reminders(TOKEN)
    assert held["trigger"]["scheduledTime"].endswith("T22:00:00") and held["version"] == "2"
    assert granted().say("CancelBedtimeReminderIntent").speech == "Okay, I've cancelled your bedtime reminder."
    assert alexa_api.reminders(TOKEN) == []
    assert granted().say("CheckBedtimeReminderIntent").speech.startswith("You don't have a bedtime reminder")


def test_the_reminder_is_spoken_in_the_users_locale(alexa_api):
    chat = Conversation("en-GB", at=DAY, token=TOKEN, granted=(READWRITE,))
    chat.say("BedtimeReminderIntent", time="21:00")
    [held] = alexa_api.reminders(TOKEN)
    assert held["alertInfo"]["spokenInfo"]["content"][0]["locale"] == "en-GB"


def test_without_the_permission_it_asks_by_voice_carrying_the_time(alexa_api):
    said = Conversation(at=DAY, token=TOKEN).say("BedtimeReminderIntent", time="21:30")
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
    said = granted().say("BedtimeReminderIntent", time="21:30")
    assert words in said.speech
    if status in (401, 403) and code is None:
        assert said.response["card"]["type"] == "AskForPermissionsConsent"


def test_a_revoked_permission_is_answered_in_words(alexa_api):
    alexa_api.state.permission = False
    said = granted().say("CancelBedtimeReminderIntent")
    assert "I don't have permission to set reminders." in said.speech


def test_the_reminder_limit_is_answered_in_words(alexa_api):
    alexa_api.state.reminder_limit = 0
    assert "too many reminders" in granted().say("BedtimeReminderIntent", time="21:30").speech


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
    assert chat.say("BedtimeReminderIntent", time="21:00").speech.endswith("at 9 p.m. every night.")


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
