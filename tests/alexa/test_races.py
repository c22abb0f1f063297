"""Two turns of one person at once, on a real SQLite file and a real DynamoDB-compatible
server (moto in server mode): a write never undoes a delete, never loses another
turn's change, and never makes again a record that was deleted since it was read.

Not by luck: one turn is held at a barrier just before it writes, while the other
runs to the end; then it is let go. Each turn goes through the skill, as Alexa's
requests do."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from skill.alexa import store
from skill.alexa.build import build_skill
from skill.alexa.services import Services
from skill.alexa.store import SQLiteAdapter, VersionedAdapter
from skill.devtools.dynamodb_local import AWS_TEST_ENV, MotoServer, create_table
from skill.devtools.envelopes import request_envelope
from skill.speech.words import words_for
from tests.support.conversation import Conversation

WORDS = words_for("en-US")
USER = "amzn1.ask.account.RACE"
BEFORE = "2026-11-20T03:00:00Z"  # the launch held at the barrier
AFTER = "2026-11-20T03:00:05Z"   # the turn that runs meanwhile
WAIT = 20.0


def envelope_for(user: str = USER):
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    raw = request_envelope({"type": "LaunchRequest"}, user_id=user)
    return DefaultSerializer().deserialize(json.dumps(raw), RequestEnvelope)


def seconds(stamp: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


def turn_of(envelope: Any) -> str:
    request = envelope.request
    intent = getattr(request, "intent", None)
    return intent.name if intent is not None else request.object_type


class Barrier(VersionedAdapter):
    """The store, with one turn held just before its first write until ``release``:
    the first to write of the kind ``held`` names (an intent or a request type)."""

    def __init__(self, inner: VersionedAdapter, held: str) -> None:
        self.inner, self.held = inner, held
        self.reached, self._release = threading.Event(), threading.Event()
        self.writes: list[str] = []

    def release(self) -> None:
        self._release.set()

    def read(self, request_envelope):
        return self.inner.read(request_envelope)

    def write(self, request_envelope, attributes, expected):
        turn = turn_of(request_envelope)
        self.writes.append(turn)
        if turn == self.held and not self.reached.is_set():
            self.reached.set()
            assert self._release.wait(WAIT), "never let go"
        return self.inner.write(request_envelope, attributes, expected)

    def get_attributes(self, request_envelope):
        return self.inner.get_attributes(request_envelope)

    def save_attributes(self, request_envelope, attributes):
        return self.inner.save_attributes(request_envelope, attributes)

    def delete_attributes(self, request_envelope):
        return self.inner.delete_attributes(request_envelope)


# --- the two stores --------------------------------------------------------------------

@pytest.fixture(scope="module")
def moto_server():
    with MotoServer() as server:
        yield server


def sqlite_store(tmp_path, request) -> VersionedAdapter:
    return SQLiteAdapter(tmp_path / "preferences.sqlite3")


def dynamodb_store(tmp_path, request) -> VersionedAdapter:
    server = request.getfixturevalue("moto_server")
    monkeypatch = request.getfixturevalue("monkeypatch")
    for name, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", server.url)
    table = f"preferences-{uuid.uuid4().hex[:8]}"
    create_table(server.client(), table)
    adapter = store.dynamodb_adapter(table, "us-east-1")
    assert isinstance(adapter, VersionedAdapter)
    return adapter


@pytest.fixture(params=[sqlite_store, dynamodb_store], ids=["sqlite", "dynamodb"])
def inner(request, tmp_path) -> VersionedAdapter:
    maker: Callable[..., VersionedAdapter] = request.param
    return maker(tmp_path, request)


def stored(adapter: VersionedAdapter, user: str = USER) -> dict[str, Any] | None:
    record, stamp = adapter.read(envelope_for(user))
    return None if stamp is None else record


def seed(adapter: VersionedAdapter, record: dict[str, Any], user: str = USER) -> None:
    adapter.write(envelope_for(user), record, None)


def chat(adapter: VersionedAdapter, at: str, api: Any = None, **kwargs: Any) -> Conversation:
    """A conversation of USER's at ``at``; with ``api`` (the alexa_api fixture), the skill
    reads the device's time zone from it."""
    from skill.alexa.api_client import AlexaApiClient

    services = Services(persistence_adapter=adapter, api_client=AlexaApiClient(stand_in=api.url) if api else None)
    return Conversation(skill=build_skill(services), user_id=USER, at=at,
                        token="token-1" if api else None, **kwargs)


class Held:
    """One turn run in a thread, held at the barrier before its write."""

    def __init__(self, barrier: Barrier, turn: Callable[[], Any]) -> None:
        self.barrier, self.said, self.failed = barrier, None, None

        def run() -> None:
            try:
                self.said = turn()
            except BaseException as problem:  # reported by finish()
                self.failed = problem

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert barrier.reached.wait(WAIT), "the held turn never came to write"

    def finish(self) -> Any:
        self.barrier.release()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        if self.failed is not None:
            raise self.failed
        return self.said


# --- a delete is never undone ------------------------------------------------------------

@pytest.mark.parametrize("forget", ["ForgetMeIntent", "AlexaSkillEvent.SkillDisabled"])
def test_a_forget_that_lands_while_a_launch_is_in_flight_is_not_undone(inner, forget):
    seed(inner, {"v": 1, "hold": 20})  # no disclaimer heard yet: the launch will note one
    barrier = Barrier(inner, "LaunchRequest")
    launch = Held(barrier, chat(barrier, BEFORE).open)
    other = chat(barrier, AFTER)
    if forget == "ForgetMeIntent":
        assert other.say("ForgetMeIntent").speech == WORDS.text("forget.done")
    else:
        assert other.event(forget)["response"] == {}
    assert stored(inner) is None
    said = launch.finish()
    assert said.speech.startswith(WORDS.text("relief.first"))  # the launch still answers in full
    assert stored(inner) is None  # and never makes the record again
    assert barrier.writes.count("LaunchRequest") == 1  # tried once, then left alone


def test_a_record_deleted_and_made_again_meanwhile_is_not_written_over_by_the_old_turn(inner):
    seed(inner, {"v": 1, "hold": 20})
    barrier = Barrier(inner, "LaunchRequest")
    launch = Held(barrier, chat(barrier, BEFORE).open)
    other = chat(barrier, AFTER)
    other.say("ForgetMeIntent")
    other.open()  # a new record, after the forget
    fresh = stored(inner)
    assert fresh["disclaimer_full_at"] == seconds(AFTER) and "hold" not in fresh
    launch.finish()
    assert stored(inner) == fresh  # the old launch's disclaimer is not put on the new record


def test_a_one_shot_forget_me_leaves_no_record_even_with_a_time_zone_read_first(inner, alexa_api):
    alexa_api.state.zones["amzn1.ask.device.LOCAL"] = "Europe/London"
    first = chat(inner, BEFORE, alexa_api)
    first.open()
    assert stored(inner)["time_zones"]
    from skill.alexa import local_time

    local_time.ZONES.clear()
    one_shot = chat(inner, "2026-11-23T03:00:00Z", alexa_api)  # days later: the zone is read again
    assert one_shot.say("ForgetMeIntent").speech == WORDS.text("forget.done")
    assert len(alexa_api.calls_to("settings")) == 2
    assert stored(inner) is None


# --- a confirmed change is never lost --------------------------------------------------------

def test_a_hold_set_while_a_launch_is_in_flight_survives_the_launch_finishing_after_it(inner):
    seed(inner, {"v": 1, "hold": 20})
    barrier = Barrier(inner, "LaunchRequest")
    launch = Held(barrier, chat(barrier, BEFORE).open)
    said = chat(barrier, AFTER).say("SetHoldIntent", seconds=40)
    assert said.speech.startswith(WORDS.text("hold.saved", hold=40))
    assert stored(inner)["hold"] == 40
    launch.finish()
    record = stored(inner)
    assert record["hold"] == 40  # the launch wrote only what it changed
    assert record["disclaimer_full_at"] == seconds(BEFORE)


def test_a_hold_set_from_a_record_a_launch_then_changed_is_still_kept(inner):
    seed(inner, {"v": 1, "hold": 20})
    barrier = Barrier(inner, "SetHoldIntent")
    setting = Held(barrier, lambda: chat(barrier, BEFORE).say("SetHoldIntent", seconds=40))
    chat(barrier, AFTER).open()  # writes its disclaimer first
    said = setting.finish()
    assert said.speech.startswith(WORDS.text("hold.saved", hold=40))  # confirmed, and kept
    record = stored(inner)
    assert record["hold"] == 40 and record["disclaimer_full_at"] == seconds(AFTER)


def test_two_first_turns_of_a_new_person_both_count(inner):
    barrier = Barrier(inner, "LaunchRequest")
    launch = Held(barrier, chat(barrier, BEFORE).open)  # read: no record
    chat(barrier, AFTER).say("SetHoldIntent", seconds=40)  # made it meanwhile
    launch.finish()
    record = stored(inner)
    assert record["hold"] == 40 and record["disclaimer_full_at"] in (seconds(BEFORE), seconds(AFTER))


def test_two_devices_launched_at_once_both_keep_their_time_zone(inner, alexa_api):
    alexa_api.state.zones.update({"amzn1.ask.device.KITCHEN": "Europe/London",
                                  "amzn1.ask.device.BEDROOM": "Australia/Sydney"})
    seed(inner, {"v": 1, "hold": 20, "disclaimer_full_at": seconds(BEFORE) - 3600})
    barrier = Barrier(inner, "LaunchRequest")
    kitchen = Held(barrier, chat(barrier, BEFORE, alexa_api, device_id="amzn1.ask.device.KITCHEN").open)
    chat(barrier, AFTER, alexa_api, device_id="amzn1.ask.device.BEDROOM").open()
    kitchen.finish()
    zones = stored(inner)["time_zones"]
    assert {device: entry["zone"] for device, entry in zones.items()} == {
        "amzn1.ask.device.KITCHEN": "Europe/London", "amzn1.ask.device.BEDROOM": "Australia/Sydney"}


# --- records written before stamps ------------------------------------------------------------

def legacy(inner: VersionedAdapter, record: dict[str, Any]) -> None:
    """A record as an older version (or ask-sdk's own save) wrote it: no stamp."""
    if isinstance(inner, SQLiteAdapter):
        inner.read(envelope_for())  # the table, with its stamp columns
        inner._run("write", "INSERT INTO preferences (id, attributes) VALUES (?, ?)", (USER, json.dumps(record)))
    else:
        inner.save_attributes(envelope_for(), record)  # the official adapter's PutItem
    assert inner.read(envelope_for())[1] == store.Stamp("", 0)


def test_a_record_written_before_stamps_is_written_conditionally_too(inner):
    legacy(inner, {"v": 1, "hold": 20})
    chat(inner, BEFORE).open()
    assert stored(inner)["disclaimer_full_at"] == seconds(BEFORE)
    chat(inner, AFTER).say("SetHoldIntent", seconds=40)
    record, stamp = inner.read(envelope_for())
    assert record["hold"] == 40 and stamp == store.Stamp("", 2)


def test_a_forget_of_a_record_written_before_stamps_is_not_undone_either(inner):
    legacy(inner, {"v": 1, "hold": 20})
    barrier = Barrier(inner, "LaunchRequest")
    launch = Held(barrier, chat(barrier, BEFORE).open)
    chat(barrier, AFTER).say("ForgetMeIntent")
    launch.finish()
    assert stored(inner) is None
