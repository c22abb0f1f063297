"""No Alexa id in any log line, ever: every kind of request, and every way a request can
fail (the store down or corrupt, Alexa's API failing, slow or refused, bad envelopes,
skill events, another skill's request), through the Lambda entry point's own code
(``build.answer``, ``lambda_function``), with the skill's loggers at DEBUG and every
other at INFO. Then the captured log, tracebacks included, is searched for ``amzn1.``.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import pytest

from skill.alexa import local_time, memory
from skill.alexa.api_client import AlexaApiClient, path_shape
from skill.alexa.build import answer, build_skill
from skill.alexa.services import Services
from skill.alexa.skill_ids import ForeignSkill
from skill.alexa.store import SQLiteAdapter
from skill.devtools import envelopes
from skill.devtools.model_files import language_model
from skill.devtools.simulator import load_lambda_entry, resolved_intent_request
from tests.support.conversation import Conversation

USER, DEVICE = "amzn1.ask.account.PRIVATE", "amzn1.ask.device.PRIVATE"
SLOT_VALUES = {"leg": "left", "seconds": "20", "symptom": "swelling", "change": "longer", "time": "21:30",
               "who": "my wife"}


@pytest.fixture
def logs(caplog):
    """Everything logged: the skill's loggers at DEBUG, the rest (ask-sdk, boto) at INFO."""
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="skill")
    yield caplog
    records = caplog.get_records("setup") + caplog.get_records("call")
    assert records, "nothing was logged: the test did not run the paths it means to"
    text = "\n".join(logging.Formatter("%(levelname)s %(name)s %(message)s").format(record) for record in records)
    leaks = [line for line in text.splitlines() if "amzn1." in line]
    assert not leaks, "\n".join(leaks[:20])


def intents() -> list[str]:
    return [intent["name"] for intent in language_model("en-US")["intents"]]


def slots_of(intent: str) -> dict[str, str]:
    model = {entry["name"]: entry for entry in language_model("en-US")["intents"]}
    return {slot["name"]: SLOT_VALUES.get(slot["name"], "thing") for slot in model[intent].get("slots", [])}


def skill(adapter=None, api=None):
    return build_skill(Services(persistence_adapter=adapter,
                                api_client=AlexaApiClient(stand_in=api.url) if api else None))


def chat(built, token: str | None = "amzn1.ask.token.PRIVATE", **kwargs: Any) -> Conversation:
    return Conversation(skill=built, user_id=USER, device_id=DEVICE, token=token, **kwargs)


def every_turn(built, token: str | None = "amzn1.ask.token.PRIVATE") -> None:
    """Every intent, one-shot and in a session; a touch; every skill event; the ends."""
    for intent in intents():
        chat(built, token).say(intent, **slots_of(intent))
        talk = chat(built, token, screen="echo-show-8")
        talk.open()
        talk.say(intent, **slots_of(intent))
        if talk.in_session:
            talk.touch("next")
        if talk.in_session:
            talk.end("ERROR")
    for event in ("SkillEnabled", "SkillDisabled", "SkillPermissionAccepted", "SkillPermissionChanged",
                  "SkillAccountLinked", "SomethingNew"):
        chat(built, token).event(f"AlexaSkillEvent.{event}")
    talk = chat(built, token, granted=())
    talk.open()
    talk.send({"type": "SessionEndedRequest", "reason": "ERROR",
               "error": {"type": "INVALID_RESPONSE", "message": f"bad answer for {USER} on {DEVICE}"}})
    talk = chat(built, token)
    talk.open()
    talk.send({"type": "CanFulfillIntentRequest", "intent": {"name": "RelieveCrampIntent"}})
    talk.send(envelopes.connections_response("bogus-token", "alexa::alerts:reminders:skill:readwrite",
                                             "ACCEPTED"))


def test_every_request_with_a_working_store_and_api(logs, tmp_path, alexa_api):
    alexa_api.state.zones[DEVICE] = "Europe/London"
    every_turn(skill(SQLiteAdapter(tmp_path / "p.db"), alexa_api))


@pytest.mark.parametrize("failure", ["500", "401", "429", "timeout"])
def test_every_request_with_alexas_api_failing(logs, tmp_path, alexa_api, failure):
    if failure == "timeout":
        alexa_api.state.drip = 0.5  # far slower than any call's deadline
    else:
        for kind in ("settings", "reminders"):
            alexa_api.fail(kind, int(failure))
    every_turn(skill(SQLiteAdapter(tmp_path / "p.db"), alexa_api))
    assert "time zone unknown" in logs.text


def test_the_settings_api_timing_out_is_logged_by_type_and_path_shape(logs, alexa_api):
    alexa_api.state.drip = 0.5
    chat(skill(None, alexa_api)).open()
    assert "GET /v2/devices/{id}/settings/System.timeZone: TimeoutError" in logs.text


def test_every_request_with_an_api_endpoint_that_is_not_amazons(logs, tmp_path):
    built = skill(SQLiteAdapter(tmp_path / "p.db"), None)
    built_api = build_skill(Services(persistence_adapter=SQLiteAdapter(tmp_path / "q.db"),
                                     api_client=AlexaApiClient()))
    every_turn(built)
    talk = chat(built_api)
    talk.open()
    local_time.ZONES.clear()
    envelope = envelopes.request_envelope({"type": "LaunchRequest"}, user_id=USER, device_id=DEVICE,
                                          api_access_token="amzn1.ask.token.PRIVATE")
    envelope["context"]["System"]["apiEndpoint"] = f"https://{DEVICE}.example:99/x"
    answer(built_api, envelope)


class BrokenStore(SQLiteAdapter):
    """Every call fails, with the user id in the store's own message."""

    def _cursor(self, what, statement, parameters):
        from ask_sdk_core.exceptions import PersistenceException

        raise PersistenceException(f"could not {what} the record of {parameters[0] if parameters else USER}")


def test_every_request_with_the_store_down(logs, tmp_path, alexa_api):
    built = skill(BrokenStore(tmp_path / "p.db"), alexa_api)
    every_turn(built)
    memory.HEALTH.failed_at = None
    chat(built).say("SetHoldIntent", seconds="20")
    assert "could not read the record" in logs.text


def test_every_request_with_a_corrupt_record(logs, tmp_path, alexa_api):
    path = tmp_path / "p.db"
    chat(skill(SQLiteAdapter(path), alexa_api)).open()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE preferences SET attributes = ?", (f'["{USER}"]',))
    every_turn(skill(SQLiteAdapter(path), alexa_api))


def test_the_dynamodb_store_failing(logs, monkeypatch):
    from skill.devtools.dynamodb_local import AWS_TEST_ENV, Throttling

    for name, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(name, value)
    with Throttling() as bad:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", bad.url)
        from skill.alexa import store

        built = skill(store.dynamodb_adapter("preferences", "us-east-1"))
        chat(built, None).open()
        memory.HEALTH.failed_at = None
        chat(built, None).say("ForgetMeIntent")
        chat(built, None).event("AlexaSkillEvent.SkillDisabled")
    assert "ProvisionedThroughputExceededException" in logs.text


def deep(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {}
    top = node
    for _ in range(levels):
        node["next"] = {USER: DEVICE}
        node = node["next"]
    return top


@pytest.mark.parametrize("envelope", [
    "not an envelope", [USER], {"version": "1.0", "context": {"System": {"user": {"userId": USER}}}},
    {"request": {"type": "LaunchRequest", "requestId": USER, "timestamp": USER, "locale": USER}},
    {"request": {"type": "IntentRequest", "requestId": USER, "intent": USER}},
    {"request": {"type": "Alexa.Presentation.APL.UserEvent", "arguments": deep(900)}},
    {"session": {"attributes": {"v": 1, "deep": deep(900)}}, "request": {"type": "LaunchRequest"}},
    {"session": {"attributes": {"v": 1, "last": USER * 2000}}, "request": {"type": "LaunchRequest"}},
    {"session": {"attributes": {"v": 1, "routine": USER, "round": USER}}, "request": {"type": "LaunchRequest"}},
    {"session": {"attributes": USER}, "request": {"type": "LaunchRequest"}},
], ids=["text", "list", "no-request", "bad-fields", "bad-intent", "deep-request", "deep-attributes",
        "large-attributes", "bad-attributes", "attributes-not-a-map"])
def test_bad_envelopes(logs, tmp_path, envelope):
    built = skill(SQLiteAdapter(tmp_path / "p.db"))
    if isinstance(envelope, dict):
        whole = envelopes.request_envelope({"type": "LaunchRequest"}, user_id=USER, device_id=DEVICE, new=False)
        for part, value in envelope.items():
            whole[part] = {**whole.get(part, {}), **value} if isinstance(value, dict) else value
        envelope = whole
    said = answer(built, envelope)
    assert said["response"]["outputSpeech"]


def test_another_skills_request_through_the_lambda_entry(logs, monkeypatch):
    monkeypatch.setenv("ALEXA_SKILL_ID", envelopes.SKILL_ID)
    entry = load_lambda_entry("lambda_function_under_test")
    other = envelopes.request_envelope({"type": "LaunchRequest"}, user_id=USER,
                                       application_id="amzn1.ask.skill.someone-elses-skill")
    with pytest.raises(ForeignSkill):
        entry.lambda_handler(other, None)
    assert "refused a request for another skill (applicationId ...es-skill)" in logs.text


def test_a_turn_that_fails_inside_the_skill(logs, monkeypatch, tmp_path):
    from skill.conversation import policy

    def broken(*args):
        raise RuntimeError(f"something about {USER} and {DEVICE}")

    monkeypatch.setattr(policy, "respond", broken)
    said = answer(skill(SQLiteAdapter(tmp_path / "p.db")),
                  envelopes.request_envelope(resolved_intent_request("WhyCrampsIntent"), user_id=USER))
    assert said["response"]["outputSpeech"]


@pytest.mark.parametrize("path, shape", [
    ("/v2/devices/amzn1.ask.device.AEXAMPLE/settings/System.timeZone", "/v2/devices/{id}/settings/System.timeZone"),
    ("/v1/alerts/reminders/0b4f9c5e-1b1d-4c3e-9a51-3f0e0f6e6d0a", "/v1/alerts/reminders/{id}"),
    ("/v1/alerts/reminders?status=ON", "/v1/alerts/reminders"),
    ("/v2/accounts/~current/settings/Profile.email", "/v2/accounts/{id}/settings/Profile.email"),
])
def test_the_shape_of_an_api_path(path, shape):
    assert path_shape(path) == shape
