"""What the skill remembers, heard over several sessions: a real SQLite file as the
store, each conversation through the same entry point as Lambda's.

Each session is a new Alexa session for the same user: the skill ends one (or the
test ends it) and the next request starts another, as "Alexa, open ..." does.
"""

import json
import logging
import re
import sqlite3

import pytest

from skill.alexa import memory, preferences
from skill.alexa.build import build_skill
from skill.alexa.services import Services
from skill.alexa.store import SQLiteAdapter
from skill.speech.words import words_for
from tests.support.conversation import Conversation

WORDS = words_for("en-US")
# Opened at night (these conversations cannot tell the time), the skill goes straight into
# the first round, after the "not a doctor" that is due: in full, in short, or none.
FULL_NIGHT = WORDS.text("relief.first")
SHORT = WORDS.text("disclaimer.short")
AGAIN = WORDS.text("relief.start")
DAY = 24 * 3600


def holds(said) -> float:
    """The seconds of silence in one response's hold."""
    return sum(float(s) for s in re.findall(r"\[(\d+(?:\.\d+)?) s\]", said.speech))


def stamp(day: int, hour: int = 3) -> str:
    """A request time: ``day`` days after 1 November 2026, at ``hour`` UTC (in the past:
    a time later than the clock is not stored as it is, see test_clock)."""
    return f"2026-11-{1 + day:02d}T{hour:02d}:00:00Z"


@pytest.fixture
def path(tmp_path):
    return tmp_path / "folder that does not exist yet" / "preferences.sqlite3"


@pytest.fixture
def skill(path):
    return build_skill(Services(persistence_adapter=SQLiteAdapter(path)))


def stored(path, user="amzn1.ask.account.LOCAL"):
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT attributes FROM preferences WHERE id = ?", (user,)).fetchone()
    return json.loads(row[0]) if row else None


def end(chat: Conversation) -> None:
    """The user goes away: the next request is a new session."""
    if chat.in_session:
        chat.say("AMAZON.StopIntent")


# --- "I'm not a doctor": in full once, then briefly now and then -----------------------

def test_the_first_launch_says_it_in_full_the_next_is_brief_and_a_week_later_it_is_said_again(skill, path):
    chat = Conversation(skill=skill)
    chat.timestamp = stamp(0)
    first = chat.open()
    assert first.speech.startswith(FULL_NIGHT)
    assert stored(path)["disclaimer_full_at"] == preferences.read(stored(path)).disclaimer_full_at
    end(chat)

    chat.timestamp = stamp(1)
    second = chat.open()
    assert second.speech.startswith(AGAIN + " Straighten your leg")
    assert "doctor" not in second.speech
    end(chat)

    chat.timestamp = stamp(7, 4)  # a week and an hour after the full sentence
    weekly = chat.open()
    assert weekly.speech.startswith(SHORT)
    end(chat)

    chat.timestamp = stamp(8)
    assert "doctor" not in chat.open().speech


def test_help_still_says_it_every_time(skill):
    chat = Conversation(skill=skill)
    chat.open()
    end(chat)
    chat.open()
    assert "I'm not a doctor" in chat.say("AMAZON.HelpIntent").speech


def test_a_one_shot_stretch_on_first_use_says_it_in_full(skill):
    chat = Conversation(skill=skill)
    said = chat.say("RelieveCrampIntent")
    assert said.speech.startswith(WORDS.text("relief.first"))
    end(chat)
    again = chat.say("RelieveCrampIntent")
    assert again.speech.startswith(WORDS.text("relief.start"))


def test_without_a_store_every_launch_says_it_as_before():
    for _ in range(2):
        chat = Conversation()
        assert chat.open().speech.startswith(SHORT)


def test_each_person_has_their_own_record(skill):
    her, him = Conversation(skill=skill, user_id="amzn1.ask.account.A"), Conversation(
        skill=skill, user_id="amzn1.ask.account.B")
    assert her.open().speech.startswith(FULL_NIGHT)
    end(her)
    assert him.open().speech.startswith(FULL_NIGHT)
    end(him)
    assert her.open().speech.startswith(AGAIN)


# --- the hold she likes ---------------------------------------------------------------

def test_after_set_hold_a_later_relief_round_holds_that_long(skill, path):
    chat = Conversation(skill=skill)
    assert holds(chat.open()) == 30
    said = chat.say("SetHoldIntent", seconds=20)
    assert said.speech.startswith("Okay. From now on, I'll hold each stretch for 20 seconds.")
    assert said.speech.endswith("Is it easing?")  # the question still pending
    assert stored(path)["hold"] == 20
    end(chat)

    assert holds(chat.open()) == 20
    assert holds(chat.say("AMAZON.NoIntent")) == 20
    end(chat)
    assert holds(chat.say("RelieveCrampIntent")) == 20


def test_the_bedtime_stretch_uses_the_kept_hold_for_each_leg(skill):
    chat = Conversation(skill=skill)
    chat.say("SetHoldIntent", seconds=40)
    assert holds(chat.say("BedtimeStretchIntent")) == 80


def test_a_hold_asked_for_in_one_request_applies_to_that_routine_only(skill, path):
    chat = Conversation(skill=skill)
    chat.say("SetHoldIntent", seconds=20)
    assert holds(chat.say("RelieveCrampIntent", seconds=45)) == 45
    assert holds(chat.say("AMAZON.NoIntent")) == 45
    end(chat)
    assert holds(chat.say("RelieveCrampIntent")) == 20
    assert stored(path)["hold"] == 20


def test_make_my_holds_longer_adds_ten_seconds_up_to_a_minute(skill, path):
    chat = Conversation(skill=skill)
    said = chat.say("SetHoldIntent", change="longer")
    assert said.ended and "40 seconds" in said.speech  # a one-shot: said, and done
    for _ in range(3):
        said = chat.say("SetHoldIntent", change="longer")
    assert stored(path)["hold"] == 60
    assert said.speech == WORDS.text("hold.longest", hold=60)
    said = chat.say("SetHoldIntent", change="shorter")
    assert stored(path)["hold"] == 50


def test_a_hold_out_of_range_keeps_the_old_one_and_says_the_range(skill, path):
    chat = Conversation(skill=skill)
    chat.say("SetHoldIntent", seconds=25)
    said = chat.say("SetHoldIntent", seconds=90)
    assert said.speech == WORDS.text("hold.range", shortest=10, longest=60, hold=25)
    assert stored(path)["hold"] == 25


def test_set_hold_mid_stretch_changes_the_next_round_too(skill):
    chat = Conversation(skill=skill)
    chat.say("RelieveCrampIntent")
    said = chat.say("SetHoldIntent", seconds=15)
    assert said.speech.endswith("Is it easing?")
    assert holds(chat.say("AMAZON.NoIntent")) == 15


def test_set_hold_without_a_store_holds_for_this_session_and_says_so():
    chat = Conversation()
    chat.open()
    said = chat.say("SetHoldIntent", seconds=20)
    assert said.speech.startswith(WORDS.text("hold.this_session", hold=20))
    assert holds(chat.say("AMAZON.NoIntent")) == 20


# --- forgetting ---------------------------------------------------------------------------

def test_after_forget_me_the_next_launch_is_a_first_launch_again(skill, path):
    chat = Conversation(skill=skill)
    chat.open()
    chat.say("SetHoldIntent", seconds=20)
    said = chat.say("ForgetMeIntent")
    assert said.ended and said.speech == WORDS.text("forget.done")
    assert stored(path) is None
    first_again = chat.open()
    assert first_again.speech.startswith(FULL_NIGHT)
    assert holds(first_again) == 30


def test_forget_me_without_a_store_says_there_is_nothing_to_delete():
    said = Conversation().say("ForgetMeIntent")
    assert said.ended and said.speech == WORDS.text("forget.nothing")


def test_skill_disabled_deletes_the_record_and_says_nothing(skill, path):
    chat = Conversation(skill=skill)
    chat.say("SetHoldIntent", seconds=20)
    assert stored(path) is not None
    answer = chat.event("AlexaSkillEvent.SkillDisabled", userInformationPersistenceStatus="PERSISTED")
    assert answer["response"] == {} and "sessionAttributes" not in answer
    assert stored(path) is None
    assert chat.open().speech.startswith(FULL_NIGHT)


def test_other_skill_events_change_nothing_and_say_nothing(skill, path):
    chat = Conversation(skill=skill)
    chat.say("SetHoldIntent", seconds=20)
    assert chat.event("AlexaSkillEvent.SkillEnabled")["response"] == {}
    assert stored(path)["hold"] == 20


# --- cost: only the turns that need the record touch the store ------------------------------

class CountingAdapter(SQLiteAdapter):
    def __init__(self, path):
        super().__init__(path)
        self.calls: list[str] = []

    def read(self, request_envelope):
        self.calls.append("get")
        return super().read(request_envelope)

    def write(self, request_envelope, attributes, expected):
        self.calls.append("save")
        return super().write(request_envelope, attributes, expected)

    def delete_attributes(self, request_envelope):
        self.calls.append("delete")
        return super().delete_attributes(request_envelope)


def test_routine_turns_touch_no_store_and_nothing_unchanged_is_written(path):
    adapter = CountingAdapter(path)
    chat = Conversation(skill=build_skill(Services(persistence_adapter=adapter)))
    chat.open()
    assert adapter.calls == ["get", "save"]  # the full disclaimer was heard: noted
    adapter.calls.clear()
    for intent in ("AMAZON.NoIntent", "AMAZON.HelpIntent", "AMAZON.PauseIntent", "AMAZON.RepeatIntent",
                   "AMAZON.ResumeIntent", "WhyCrampsIntent"):
        chat.say(intent)
        assert chat.in_session, intent
    assert adapter.calls == []
    end(chat)
    chat.open()
    assert adapter.calls == ["get"]  # nothing changed: nothing written
    adapter.calls.clear()
    chat.say("SetHoldIntent", seconds=30)
    chat.say("SetHoldIntent", seconds=30)
    assert adapter.calls == ["get", "save", "get"]


# --- faults ---------------------------------------------------------------------------------

class BrokenAdapter(SQLiteAdapter):
    """A store that is down: every call fails, as a real one does."""

    def __init__(self, path):
        super().__init__(path)
        self.down = True

    def _cursor(self, what, statement, parameters):
        if self.down:
            from ask_sdk_core.exceptions import PersistenceException

            raise PersistenceException(f"could not {what} the store: connection refused")
        return super()._cursor(what, statement, parameters)


def test_with_the_store_down_the_skill_answers_anyway_and_logs_it_once(path, caplog):
    adapter = BrokenAdapter(path)
    skill = build_skill(Services(persistence_adapter=adapter))
    chat = Conversation(skill=skill)
    with caplog.at_level(logging.WARNING, logger="skill.alexa.memory"):
        first = chat.open()
        assert first.speech.startswith(SHORT) and holds(first) == 30  # nothing known: as without a store
        end(chat)
        memory.HEALTH.failed_at -= memory.QUIET_AFTER_FAULT_SECONDS  # past the quiet time: tried again
        assert chat.open().speech.startswith(SHORT)
        said = chat.say("SetHoldIntent", seconds=20)
        assert said.speech.startswith(WORDS.text("hold.not_saved", hold=20))
        assert holds(chat.say("AMAZON.NoIntent")) == 20  # for this session, all the same
        end(chat)
        forgot = chat.say("ForgetMeIntent")
        assert forgot.speech == WORDS.text("forget.failed")
    faults = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(faults) == 1 and "could not read the record" in faults[0].getMessage()


def test_a_saved_preference_is_never_overwritten_by_a_default(path):
    adapter = BrokenAdapter(path)
    adapter.down = False
    chat = Conversation(skill=build_skill(Services(persistence_adapter=adapter)))
    chat.say("SetHoldIntent", seconds=20)
    record = stored(path)
    adapter.down = True
    chat.open()
    end(chat)
    adapter.down = False
    memory.HEALTH.failed_at = None
    assert stored(path) == record
    assert holds(chat.say("RelieveCrampIntent")) == 20


@pytest.mark.parametrize("corrupt", ["not json at all", "[1, 2, 3]", '"a string"'])
def test_a_corrupt_record_gets_defaults_and_is_left_as_it_is(path, corrupt):
    adapter = SQLiteAdapter(path)
    chat = Conversation(skill=build_skill(Services(persistence_adapter=adapter)))
    chat.open()
    end(chat)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE preferences SET attributes = ?", (corrupt,))
    said = chat.open()
    assert said.speech.startswith(SHORT)  # nothing usable known: as without a store
    chat.say("SetHoldIntent", seconds=20)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT attributes FROM preferences").fetchone()[0] == corrupt


def test_unknown_fields_and_bad_values_survive_a_write(path, skill):
    with sqlite3.connect(path.parent.mkdir(parents=True) or path) as db:
        db.execute("CREATE TABLE preferences (id TEXT PRIMARY KEY, attributes TEXT NOT NULL)")
        db.execute("INSERT INTO preferences VALUES (?, ?)", (
            "amzn1.ask.account.LOCAL",
            json.dumps({"v": 2, "future_field": {"x": 1}, "hold": "twenty", "disclaimer_full_at": 1})))
    chat = Conversation(skill=skill)
    said = chat.open()
    assert said.speech.startswith(SHORT)  # heard in full long ago: the weekly short form
    end(chat)
    record = stored(path)
    assert record["future_field"] == {"x": 1} and record["hold"] == "twenty" and record["v"] == 2
    assert record["disclaimer_short_at"] > 1


# --- the device's time zone: read once a day, not at every launch ------------------------------

def test_a_launch_with_a_fresh_stored_time_zone_makes_no_settings_api_call(alexa_api, path):
    from skill.alexa import local_time
    from skill.alexa.api_client import AlexaApiClient

    skill = build_skill(Services(persistence_adapter=SQLiteAdapter(path),
                                 api_client=AlexaApiClient(stand_in=alexa_api.url)))
    device = "amzn1.ask.device.LOCAL"
    alexa_api.state.zones[device] = "Australia/Sydney"  # 03:00 UTC is 14:00 there: daytime
    chat = Conversation(skill=skill)
    chat.api_access_token = "token-123"
    chat.timestamp = stamp(0)
    assert "how to prevent them?" in chat.open().speech
    assert len(alexa_api.calls_to("settings")) == 1
    zones = stored(path)["time_zones"]
    assert zones == {device: {"zone": "Australia/Sydney", "read_at": zones[device]["read_at"]}}
    end(chat)

    local_time.ZONES.clear()  # another worker, or a cold Lambda: only the record knows
    chat.timestamp = stamp(0, 20)  # the same day, 07:00 in Sydney: still daytime, from the record
    assert "how to prevent them?" in chat.open().speech
    assert len(alexa_api.calls_to("settings")) == 1
    end(chat)

    local_time.ZONES.clear()
    alexa_api.state.zones[device] = "America/New_York"  # a day later it is read again (she moved)
    chat.timestamp = stamp(1, 4)
    assert chat.open().speech.endswith("Is it easing?")  # 23:00 in New York: the first round
    assert len(alexa_api.calls_to("settings")) == 2
    assert stored(path)["time_zones"][device]["zone"] == "America/New_York"
