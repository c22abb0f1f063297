"""The nightly reminder, offered once: after the bedtime stretch, or when the person
says no to the bedtime stretch after the tips; only when the store can remember the
offer and no reminder is set. The conversations run on a real SQLite file as the
store and the local stand-in of the Alexa API (a real HTTP server on 127.0.0.1),
from the offer through the time, the voice consent and the reminder created."""

import json
import sqlite3

import pytest

from skill.alexa.api_client import AlexaApiClient
from skill.alexa.build import build_skill
from skill.alexa.services import Services
from skill.alexa.store import SQLiteAdapter
from skill.conversation.routines import BEDTIME
from skill.devtools.hearing import understand
from skill.speech.words import words_for
from tests.support.conversation import DAY, TOKEN, Conversation

READWRITE = "alexa::alerts:reminders:skill:readwrite"
WORDS = words_for("en-US")
OFFER = WORDS.question("ask.reminder_offer").speech
ASK_TIME = WORDS.question("ask.reminder_time").speech
EVENING = "2026-11-25T02:00:00Z"  # 9 p.m. in New York, the stand-in's time zone


@pytest.fixture
def path(tmp_path):
    return tmp_path / "preferences.sqlite3"


@pytest.fixture
def skill(path, alexa_api):
    return build_skill(Services(SQLiteAdapter(path), AlexaApiClient(stand_in=alexa_api.url)))


def stored(path):
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT attributes FROM preferences").fetchone()
    return json.loads(row[0]) if row else {}


def bedtime_to_the_end(chat: Conversation):
    said = chat.say("BedtimeStretchIntent")
    for _ in range(BEDTIME.rounds - 1):
        said = chat.say("AMAZON.YesIntent")
    return said


def test_after_the_bedtime_stretch_it_offers_the_reminder_and_sets_it_with_consent(skill, path, alexa_api):
    chat = Conversation(skill=skill, at=EVENING, token=TOKEN)
    done = bedtime_to_the_end(chat)
    assert WORDS.text("bedtime.done", rounds=BEDTIME.rounds) in done.speech
    assert done.speech.endswith(OFFER) and not done.ended
    assert stored(path)["reminder_offered_at"] > 0

    asked = chat.say("AMAZON.YesIntent")
    assert asked.speech == ASK_TIME
    assert asked.eliciting == ("BedtimeReminderIntent", "time")  # Alexa hears a bare time as the slot

    heard = understand("nine thirty", "en-US", chat.eliciting)
    assert heard.describe() == "BedtimeReminderIntent time=09:30"
    said_back = chat.hear(heard)
    assert said_back.speech == "So that's 9:30 p.m. every night. Is that right?"
    assert alexa_api.reminders() == []
    consent = chat.hear(understand("yes", "en-US", chat.eliciting))
    assert consent.asking_consent["token"] == "bedtime-reminder:21:30"
    assert alexa_api.reminders() == []

    created = chat.consent("ACCEPTED")
    assert created.speech == "Done. I'll remind you to stretch at 9:30 p.m. every night."
    [held] = alexa_api.reminders(TOKEN)
    assert held["trigger"]["scheduledTime"].endswith("T21:30:00")


def test_it_is_offered_once_only(skill):
    chat = Conversation(skill=skill, at=EVENING, token=TOKEN)
    bedtime_to_the_end(chat)
    declined = chat.say("AMAZON.NoIntent")
    assert declined.speech == WORDS.text("reminder.not_now") and declined.ended
    again = bedtime_to_the_end(Conversation(skill=skill, at=EVENING, token=TOKEN))
    assert again.ended and OFFER not in again.speech
    tips = Conversation(skill=skill, at=DAY, token=TOKEN)
    tips.say("PreventCrampsIntent")
    assert tips.say("AMAZON.NoIntent").speech == WORDS.text("goodbye")


def test_no_to_the_bedtime_stretch_after_the_tips_offers_it_instead_of_goodbye(skill, path):
    chat = Conversation(skill=skill, at=DAY, token=TOKEN)
    tips = chat.say("PreventCrampsIntent")
    assert tips.speech.endswith(WORDS.question("ask.bedtime").speech)
    offered = chat.say("AMAZON.NoIntent")
    assert offered.speech == f"{WORDS.text('okay')} {OFFER}" and not offered.ended
    assert stored(path)["reminder_offered_at"] > 0
    assert chat.say("AMAZON.YesIntent").speech == ASK_TIME


def test_not_offered_when_a_reminder_is_set(skill, path, alexa_api):
    chat = Conversation(skill=skill, at=EVENING, token=TOKEN, granted=(READWRITE,))
    chat.say("BedtimeReminderIntent", time="21:00")
    chat.say("AMAZON.YesIntent")
    assert len(alexa_api.reminders(TOKEN)) == 1
    done = bedtime_to_the_end(Conversation(skill=skill, at=EVENING, token=TOKEN, granted=(READWRITE,)))
    assert done.ended and OFFER not in done.speech
    assert "reminder_offered_at" not in stored(path)


def test_offered_when_the_permission_is_given_and_none_is_set(skill):
    done = bedtime_to_the_end(Conversation(skill=skill, at=EVENING, token=TOKEN, granted=(READWRITE,)))
    assert done.speech.endswith(OFFER)


def test_not_offered_or_marked_when_the_reminders_cannot_be_read(skill, path, alexa_api):
    alexa_api.fail("reminders", 503)
    done = bedtime_to_the_end(Conversation(skill=skill, at=EVENING, token=TOKEN, granted=(READWRITE,)))
    assert done.ended and OFFER not in done.speech
    assert "reminder_offered_at" not in stored(path)
    alexa_api.clear_failures()
    assert bedtime_to_the_end(Conversation(skill=skill, at=EVENING, token=TOKEN)).speech.endswith(OFFER)


def test_not_offered_where_nothing_is_remembered(alexa_api):
    # Lambda's default store is none: the offer could not be kept to once.
    done = bedtime_to_the_end(Conversation(at=EVENING, token=TOKEN))
    assert done.ended and OFFER not in done.speech


def test_not_offered_without_an_api_token(skill):
    done = bedtime_to_the_end(Conversation(skill=skill, at=EVENING))
    assert done.ended and OFFER not in done.speech


def test_asked_for_a_time_a_yes_asks_again_and_a_no_ends_kindly(skill):
    chat = Conversation(skill=skill, at=EVENING, token=TOKEN)
    bedtime_to_the_end(chat)
    chat.say("AMAZON.YesIntent")
    again = chat.say("AMAZON.YesIntent")
    assert again.speech == ASK_TIME and again.eliciting
    repeated = chat.say("AMAZON.RepeatIntent")
    assert repeated.speech == ASK_TIME and repeated.eliciting
    assert chat.say("AMAZON.NoIntent").speech == WORDS.text("reminder.not_now")


def test_a_red_flag_while_asked_for_a_time_still_gets_the_safety_answer(skill):
    chat = Conversation(skill=skill, at=EVENING, token=TOKEN)
    bedtime_to_the_end(chat)
    chat.say("AMAZON.YesIntent")
    said = chat.hear(understand("my chest hurts", "en-US", chat.eliciting))
    assert said.speech.startswith(WORDS.text("safety.emergency")[:40]) and said.ended


def test_after_the_offer_the_time_is_said_back_and_no_asks_for_it_again(skill, alexa_api):
    chat = Conversation(skill=skill, at=EVENING, token=TOKEN, granted=(READWRITE,))
    bedtime_to_the_end(chat)
    chat.say("AMAZON.YesIntent")
    said_back = chat.hear(understand("nine", "en-US", chat.eliciting))
    assert said_back.speech == "So that's 9 p.m. every night. Is that right?"
    again = chat.hear(understand("no", "en-US", chat.eliciting))
    assert again.speech == f"Okay, not 9 p.m. then. {ASK_TIME}" and again.eliciting
    assert chat.hear(understand("nine thirty", "en-US", chat.eliciting)).speech == \
        "So that's 9:30 p.m. every night. Is that right?"
    assert chat.say("AMAZON.YesIntent").speech == "Done. I'll remind you to stretch at 9:30 p.m. every night."
    [held] = alexa_api.reminders(TOKEN)
    assert held["trigger"]["scheduledTime"].endswith("T21:30:00")
