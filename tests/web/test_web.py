"""skill.web through Flask's test client: what a client really gets back, with real
signatures (see tests/support/ and skill/devtools/signing.py)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from skill.devtools.signing import now_utc
from skill.web.app import create_app
from tests.support.bad_requests import bad_request, bad_request_names
from tests.support.requests import SKILL_ID, encode, intent_envelope, launch_envelope
from tests.support.server import SETTINGS


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)


pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def client(pki):
    return create_app({"ALEXA_SKILL_ID": SKILL_ID}, verifier=pki.verifier()).test_client()


def post_signed(client, pki, data, path="/"):
    body = data if isinstance(data, bytes) else encode(data)
    return client.post(path, data=body, headers=pki.sign(body))


@pytest.mark.parametrize("path", ["/", "/alexa"])
def test_a_signed_request_gets_the_skills_answer(client, pki, path):
    answer = post_signed(client, pki, launch_envelope(), path)
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    envelope = answer.get_json()
    assert envelope["version"] == "1.0"
    assert envelope["response"]["outputSpeech"]["ssml"].startswith("<speak>")


@pytest.mark.parametrize("name", bad_request_names())
def test_each_bad_request_is_answered_400_with_a_short_error(client, pki, name):
    body, headers, reason = bad_request(pki, name)
    answer = client.post("/", data=body, headers=headers)
    assert answer.status_code == 400
    assert answer.get_json() == {"error": reason}
    assert post_signed(client, pki, launch_envelope()).status_code == 200


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


BAD_BODIES = {
    "empty": b"",
    "not-json": b"Alexa, help my cramp",
    "not-utf8": b"\xff\xfe{}",
    "truncated": encode(launch_envelope())[:-7],
    "json-list": b"[]",
    "json-string": b'"request"',
    "empty-object": b"{}",
    "request-not-object": b'{"version": "1.0", "request": "LaunchRequest"}',
    "type-not-string": encode({"version": "1.0", "request": {"type": 7, "requestId": "r"}}),
    "no-request-id": encode({"version": "1.0", "request": {"type": "LaunchRequest"}}),
    "session-not-object": encode({**launch_envelope(), "session": "s"}),
    "deeply-nested": nested(50_000),
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_signed_body_that_is_not_an_envelope_is_answered_400(client, pki, body):
    answer = post_signed(client, pki, body)
    assert answer.status_code == 400
    assert answer.get_json()["error"] in ("not JSON", "not an Alexa request", "bad timestamp")


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_an_unsigned_bad_body_is_answered_400_too(pki, body):
    client = create_app({"ASK_SDK_VERIFY_SIGNATURE": False}, verifier=pki.verifier()).test_client()
    answer = client.post("/", data=body)
    assert answer.status_code == 400
    assert list(answer.get_json()) == ["error"]


def test_a_body_over_the_cap_is_answered_413_before_any_check(pki):
    client = create_app({"ALEXA_SKILL_ID": SKILL_ID, "ALEXA_MAX_BODY_BYTES": 1000},
                        verifier=pki.verifier()).test_client()
    envelope = launch_envelope(attributes={"padding": "x" * 1000})
    pki.fetched.clear()
    answer = post_signed(client, pki, envelope)
    assert answer.status_code == 413
    assert answer.get_json() == {"error": "request entity too large"}
    assert pki.fetched == []


def test_a_body_of_exactly_the_cap_is_read_whole(pki):
    limit = 4000
    client = create_app({"ALEXA_SKILL_ID": SKILL_ID, "ALEXA_MAX_BODY_BYTES": limit},
                        verifier=pki.verifier()).test_client()
    envelope = launch_envelope(attributes={"padding": ""})
    envelope["session"]["attributes"]["padding"] = "x" * (limit - len(encode(envelope)))
    assert len(encode(envelope)) == limit
    assert post_signed(client, pki, envelope).status_code == 200
    envelope["session"]["attributes"]["padding"] += "x"
    assert post_signed(client, pki, envelope).status_code == 413


def test_the_default_cap_is_128_kib(client, pki):
    envelope = launch_envelope(attributes={"padding": "x" * (128 * 1024)})
    assert post_signed(client, pki, envelope).status_code == 413
    envelope = launch_envelope(attributes={"padding": "x" * (120 * 1024)})
    assert post_signed(client, pki, envelope).status_code == 200


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("path", ["/", "/alexa"])
def test_other_methods_are_answered_405(client, method, path):
    answer = client.open(path, method=method)
    assert answer.status_code == 405
    assert answer.get_json() == {"error": "method not allowed"}
    assert answer.headers["Allow"] == "POST"


def test_an_unknown_path_is_answered_404_in_json(client):
    answer = client.get("/admin")
    assert answer.status_code == 404
    assert answer.get_json() == {"error": "not found"}


def test_healthz(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok"}


def test_more_than_one_skill_id_may_be_allowed(pki):
    other = "amzn1.ask.skill.another-stage"
    app = create_app({"ALEXA_SKILL_ID": f" {SKILL_ID} , {other} "}, verifier=pki.verifier())
    client = app.test_client()
    for skill_id in (SKILL_ID, other):
        assert post_signed(client, pki, launch_envelope(skill_id=skill_id)).status_code == 200
    answer = post_signed(client, pki, launch_envelope(skill_id="amzn1.ask.skill.third"))
    assert (answer.status_code, answer.get_json()) == (400, {"error": "unknown skill"})


def test_every_stated_skill_id_must_be_ours(client, pki):
    envelope = launch_envelope()
    envelope["session"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
    assert post_signed(client, pki, envelope).status_code == 400
    del envelope["session"]
    del envelope["context"]
    assert post_signed(client, pki, envelope).get_json() == {"error": "unknown skill"}


@pytest.mark.parametrize("skill_id", [None, "", " , "], ids=["unset", "empty", "only-commas"])
def test_without_a_skill_id_the_app_refuses_to_start_while_signatures_are_checked(pki, monkeypatch,
                                                                                   skill_id):
    monkeypatch.delenv("ALEXA_SKILL_ID", raising=False)
    config = {} if skill_id is None else {"ALEXA_SKILL_ID": skill_id}
    with pytest.raises(ValueError, match="ALEXA_SKILL_ID is not set"):
        create_app(config, verifier=pki.verifier())


def test_without_a_skill_id_any_skill_is_answered_only_with_signature_checks_off(pki, monkeypatch):
    monkeypatch.delenv("ALEXA_SKILL_ID", raising=False)
    client = create_app({"ASK_SDK_VERIFY_SIGNATURE": False}).test_client()
    answer = client.post("/", data=encode(launch_envelope(skill_id="amzn1.ask.skill.anyone")))
    assert answer.status_code == 200


def test_settings_come_from_the_environment(pki, monkeypatch):
    monkeypatch.setenv("ASK_SDK_VERIFY_SIGNATURE", "false")
    monkeypatch.setenv("ALEXA_SKILL_ID", SKILL_ID)
    client = create_app(verifier=pki.verifier()).test_client()
    assert client.post("/", data=encode(launch_envelope())).status_code == 200
    answer = client.post("/", data=encode(launch_envelope(skill_id="amzn1.ask.skill.other")))
    assert answer.status_code == 400


def test_the_config_argument_wins_over_the_environment(pki, monkeypatch):
    monkeypatch.setenv("ASK_SDK_VERIFY_SIGNATURE", "false")
    client = create_app({"ALEXA_SKILL_ID": SKILL_ID, "ASK_SDK_VERIFY_SIGNATURE": "true"},
                        verifier=pki.verifier()).test_client()
    answer = client.post("/", data=encode(launch_envelope()))
    assert (answer.status_code, answer.get_json()) == (400, {"error": "missing certificate URL"})


@pytest.mark.parametrize("setting, value", [("ASK_SDK_VERIFY_SIGNATURE", "nope"),
                                            ("ASK_SDK_VERIFY_TIMESTAMP", "2"),
                                            ("ALEXA_MAX_BODY_BYTES", "lots"),
                                            ("ALEXA_MAX_BODY_BYTES", "0")])
def test_an_unreadable_setting_stops_the_start(pki, monkeypatch, setting, value):
    monkeypatch.setenv(setting, value)
    with pytest.raises(ValueError, match=setting):
        create_app({"ALEXA_SKILL_ID": SKILL_ID}, verifier=pki.verifier())


def test_verification_is_on_by_default(pki):
    client = create_app({"ALEXA_SKILL_ID": SKILL_ID}, verifier=pki.verifier()).test_client()
    answer = client.post("/", data=encode(launch_envelope()))
    assert answer.status_code == 400


def test_turning_signature_checks_off_is_said_loudly_at_start(pki, caplog):
    with caplog.at_level(logging.WARNING, logger="skill.web.app"):
        create_app({"ASK_SDK_VERIFY_SIGNATURE": "0"}, verifier=pki.verifier())
    assert any("ASK_SDK_VERIFY_SIGNATURE is off" in record.getMessage() for record in caplog.records)


def test_turning_timestamp_checks_off_lets_an_old_request_through(pki):
    client = create_app({"ALEXA_SKILL_ID": SKILL_ID, "ASK_SDK_VERIFY_TIMESTAMP": "off"},
                        verifier=pki.verifier()).test_client()
    envelope = launch_envelope(timestamp=now_utc() - timedelta(hours=2))
    assert post_signed(client, pki, envelope).status_code == 200


def web_log_lines(caplog) -> list[dict]:
    return [json.loads(record.getMessage().split(" ", 1)[1])
            for record in caplog.records if record.name == "skill.web.app"]


def test_one_log_line_per_request_without_user_ids_or_speech(client, pki, caplog):
    envelope = intent_envelope("AMAZON.HelpIntent")
    with caplog.at_level(logging.INFO):
        answer = post_signed(client, pki, envelope)
    assert answer.status_code == 200
    [line] = web_log_lines(caplog)
    assert line["status"] == 200
    assert line["request_id"] == envelope["request"]["requestId"]
    assert line["type"] == "IntentRequest"
    assert line["intent"] == "AMAZON.HelpIntent"
    assert line["verification"] == "ok"
    assert line["latency_ms"] >= 0
    everything_logged = caplog.text
    assert "amzn1.ask.account" not in everything_logged
    assert envelope["session"]["sessionId"] not in everything_logged
    speech = answer.get_json()["response"]["outputSpeech"]["ssml"]
    assert speech not in everything_logged


def test_a_refusal_is_logged_with_its_reason(client, pki, caplog):
    body, headers, reason = bad_request(pki, "tampered-body")
    with caplog.at_level(logging.INFO):
        client.post("/", data=body, headers=headers)
    [line] = web_log_lines(caplog)
    assert (line["status"], line["verification"], line["error"]) == (400, "failed", reason)
