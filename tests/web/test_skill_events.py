"""Skill events through ``serve``: the real server (gunicorn, several workers) with
an SQLite store, spoken to with signed requests. Disabling the skill deletes the
person's record, even when the event was sent most of an hour ago."""

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from skill.devtools import envelopes
from skill.speech.ssml import to_text
from tests.support.requests import SKILL_ID, encode, envelope, launch_envelope, skill_event
from tests.support.server import start_test_server

USER = envelopes.USER_ID


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return tmp_path_factory.mktemp("store") / "preferences.sqlite3"


@pytest.fixture(scope="module")
def server(pki, tmp_path_factory, store_path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEG_CRAMP_STORE", f"sqlite://{store_path}")
        server = start_test_server(pki, tmp_path_factory.mktemp("server"), {"ALEXA_SKILL_ID": SKILL_ID})
    yield server
    log = server.stop()
    assert "Traceback" not in log, log


def post(server, pki, data):
    body = encode(data)
    return server.post(body, pki.sign(body))


def record(store_path):
    with sqlite3.connect(store_path) as db:
        row = db.execute("SELECT attributes FROM preferences WHERE id = ?", (USER,)).fetchone()
    return json.loads(row[0]) if row else None


def set_hold(seconds: int) -> dict:
    return envelope(envelopes.intent_request("SetHoldIntent", {
        "seconds": envelopes.slot("seconds", str(seconds), slot_type="AMAZON.NUMBER"),
        "change": envelopes.slot("change")}))


def speech(answer) -> str:
    return to_text(answer["response"]["outputSpeech"]["ssml"])


def test_skill_disabled_through_serve_deletes_the_record(server, pki, store_path):
    status, answer = post(server, pki, launch_envelope())
    assert status == 200 and speech(answer).startswith("I'm not a doctor, but I can talk you through a stretch")
    status, answer = post(server, pki, set_hold(20))
    assert status == 200 and "20 seconds" in speech(answer)
    assert record(store_path)["hold"] == 20
    status, answer = post(server, pki, launch_envelope())
    assert status == 200 and speech(answer).startswith("Let's ease it now.")

    sent_long_ago = datetime.now(UTC) - timedelta(minutes=50)  # skill events may be an hour old
    status, answer = post(server, pki, skill_event("AlexaSkillEvent.SkillDisabled", timestamp=sent_long_ago))
    assert status == 200 and answer["response"] == {}
    assert record(store_path) is None
    status, answer = post(server, pki, launch_envelope())
    assert speech(answer).startswith("I'm not a doctor, but I can talk you through a stretch")


def test_a_skill_event_older_than_an_hour_is_refused_and_deletes_nothing(server, pki, store_path):
    post(server, pki, set_hold(25))
    too_old = datetime.now(UTC) - timedelta(minutes=61)
    status, _ = post(server, pki, skill_event("AlexaSkillEvent.SkillDisabled", timestamp=too_old))
    assert status == 400
    assert record(store_path)["hold"] == 25


def test_an_unsigned_skill_disabled_deletes_nothing(server, store_path):
    body = encode(skill_event("AlexaSkillEvent.SkillDisabled"))
    before = record(store_path)
    status, _ = server.post(body, {"Content-Type": "application/json"})
    assert status == 400
    assert record(store_path) == before
