"""Time from the request, bounded by the clock: a request stamped in the far future
(9999-12-31) cannot be stored as the last time the disclaimer was said, and so cannot
silence the weekly "I'm not a doctor"; no stored time is ever later than the clock
plus a few minutes; and a far-future time an older version stored counts as missing."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import pytest

from skill.alexa import memory, preferences
from skill.alexa.api_client import AlexaApiClient
from skill.alexa.build import build_skill
from skill.alexa.services import Services
from skill.alexa.store import SQLiteAdapter
from skill.speech.words import words_for
from tests.support.conversation import Conversation

WORDS = words_for("en-US")
FULL = WORDS.text("relief.first")
SHORT = WORDS.text("disclaimer.short")
AGAIN = WORDS.text("relief.start")
DAY = 24 * 3600
FAR_FUTURE = "9999-12-31T23:59:59Z"


def seconds(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


def stamp(at: int) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


NOW = seconds("2026-11-10T03:00:00Z")  # the clock, in these tests


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(memory, "clock", lambda: float(NOW))


@pytest.fixture
def path(tmp_path):
    return tmp_path / "preferences.sqlite3"


def stored(path, user="amzn1.ask.account.LOCAL"):
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT attributes FROM preferences WHERE id = ?", (user,)).fetchone()
    return json.loads(row[0]) if row else None


def later_than_the_clock(record) -> list[str]:
    """Every time in a record later than the clock allows."""
    late = [name for name in preferences.TIMES if (record.get(name) or 0) > NOW + preferences.CLOCK_SLACK]
    late += [device for device, entry in (record.get("time_zones") or {}).items()
             if entry["read_at"] > NOW + preferences.CLOCK_SLACK]
    return late


def end(chat):
    if chat.in_session:
        chat.say("AMAZON.StopIntent")


def test_a_far_future_request_is_stored_as_now_and_the_weekly_disclaimer_still_comes(path):
    chat = Conversation(skill=build_skill(Services(persistence_adapter=SQLiteAdapter(path))))
    chat.timestamp = FAR_FUTURE
    assert chat.open().speech.startswith(FULL)
    assert stored(path)["disclaimer_full_at"] == NOW
    end(chat)

    chat.timestamp = stamp(NOW + DAY)
    assert chat.open().speech.startswith(AGAIN)  # heard yesterday: not again
    end(chat)
    chat.timestamp = stamp(NOW + 8 * DAY)
    assert chat.open().speech.startswith(SHORT)  # a week on: the short form, as always


def test_a_far_future_request_after_the_first_cannot_silence_it_either(path):
    chat = Conversation(skill=build_skill(Services(persistence_adapter=SQLiteAdapter(path))))
    chat.timestamp = stamp(NOW - 9 * DAY)
    chat.open()
    end(chat)
    chat.timestamp = FAR_FUTURE  # due, by its own time: the short form is said, and stored as now
    assert chat.open().speech.startswith(SHORT)
    assert stored(path)["disclaimer_short_at"] == NOW
    end(chat)
    chat.timestamp = stamp(NOW + 8 * DAY)
    assert chat.open().speech.startswith(SHORT)


def test_a_far_future_time_an_older_version_stored_counts_as_missing(path):
    adapter = SQLiteAdapter(path)
    chat = Conversation(skill=build_skill(Services(persistence_adapter=adapter)))
    chat.timestamp = stamp(NOW - DAY)
    chat.open()
    end(chat)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE preferences SET attributes = ?",
                   (json.dumps({"v": 1, "disclaimer_full_at": seconds(FAR_FUTURE), "hold": 20}),))
    chat.timestamp = stamp(NOW)
    said = chat.open()
    assert said.speech.startswith(FULL)  # never truly heard: in full again
    record = stored(path)
    assert record["disclaimer_full_at"] == NOW and record["hold"] == 20


def test_no_time_stored_is_later_than_the_clock_allows(path, alexa_api):
    alexa_api.state.zones["amzn1.ask.device.LOCAL"] = "Europe/London"
    skill = build_skill(Services(persistence_adapter=SQLiteAdapter(path),
                                 api_client=AlexaApiClient(stand_in=alexa_api.url)))
    chat = Conversation(skill=skill, token="token-1", at=FAR_FUTURE)
    chat.open()
    chat.say("SetHoldIntent", seconds=20)
    record = stored(path)
    assert record["time_zones"]["amzn1.ask.device.LOCAL"]["read_at"] == NOW
    assert not later_than_the_clock(record)


def test_a_request_a_little_ahead_of_the_clock_keeps_its_own_time(path):
    chat = Conversation(skill=build_skill(Services(persistence_adapter=SQLiteAdapter(path))))
    chat.timestamp = stamp(NOW + 60)  # Alexa's clock a minute ahead of this one
    chat.open()
    assert stored(path)["disclaimer_full_at"] == NOW + 60


@pytest.mark.parametrize("changes, bounded", [
    ({"disclaimer_full_at": 10**12}, {"disclaimer_full_at": NOW}),
    ({"disclaimer_short_at": NOW + 100, "hold": 10**12}, {"disclaimer_short_at": NOW + 100, "hold": 10**12}),
    ({"reminder_offered_at": NOW + preferences.CLOCK_SLACK + 1}, {"reminder_offered_at": NOW}),
    ({"time_zones": {"d": {"zone": "UTC", "read_at": 10**12}, "e": {"zone": "UTC", "read_at": 5}}},
     {"time_zones": {"d": {"zone": "UTC", "read_at": NOW}, "e": {"zone": "UTC", "read_at": 5}}}),
])
def test_bounded(changes, bounded):
    assert preferences.bounded(changes, NOW) == bounded


def test_a_disclaimer_time_in_the_future_is_never_a_reason_for_silence():
    future = preferences.Preferences(disclaimer_full_at=NOW + DAY)
    assert preferences.disclaimer_due(future, NOW) == "full"
    short_future = preferences.Preferences(disclaimer_full_at=NOW - 8 * DAY, disclaimer_short_at=NOW + DAY)
    assert preferences.disclaimer_due(short_future, NOW) == "short"
    assert preferences.disclaimer_due(preferences.Preferences(disclaimer_full_at=NOW - DAY), NOW) is None
