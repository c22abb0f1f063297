"""The launch greeting follows the device's local time, read through ask-sdk's
UpsServiceClient from the local stand-in of the Alexa Settings API (a real HTTP
server on 127.0.0.1, reached through LEG_CRAMP_ALEXA_API)."""

import time

import pytest

from skill.alexa import local_time
from skill.devtools.envelopes import DEVICE_ID, request_envelope
from skill.speech.ssml import to_text
from tests.support.conversation import check, lambda_handler

NIGHT_OFFER = "And slowly let go. Is it easing?"  # night: straight into the first round
DAY_MENU = "Would you like to know why cramps happen, or how to prevent them?"
AFTERNOON = "2026-11-25T19:00:00Z"  # 2 p.m. in New York


def launch(utc_time: str, token: str | None = "token-123", endpoint: str | None = None) -> str:
    event = request_envelope({"type": "LaunchRequest"}, timestamp=utc_time, api_access_token=token)
    if endpoint is not None:
        event["context"]["System"]["apiEndpoint"] = endpoint
    return to_text(check(lambda_handler(event, None))["response"]["outputSpeech"]["ssml"])


@pytest.mark.parametrize("zone, utc_time, expected", [
    ("America/New_York", AFTERNOON, DAY_MENU),
    ("America/New_York", "2026-11-25T08:00:00Z", NIGHT_OFFER),  # 3 a.m. in New York
    ("Europe/London", "2026-07-01T21:30:00Z", NIGHT_OFFER),     # 10.30 p.m. in summer time
    ("Asia/Kolkata", "2026-11-25T06:30:00Z", DAY_MENU),         # noon in India
])
def test_the_greeting_follows_the_devices_local_time(alexa_api, zone, utc_time, expected):
    alexa_api.state.zones[DEVICE_ID] = zone
    assert launch(utc_time).endswith(expected)
    [call] = alexa_api.calls_to("settings")
    assert call.path == f"/v2/devices/{DEVICE_ID}/settings/System.timeZone"
    assert call.authorization == "Bearer token-123"


def test_a_warm_process_asks_once_per_device_per_day(alexa_api):
    for _ in range(5):
        assert launch(AFTERNOON).endswith(DAY_MENU)
    assert len(alexa_api.calls_to("settings")) == 1
    local_time.ZONES.remember(DEVICE_ID, "America/New_York", time.time() - local_time.FRESH_SECONDS)
    assert launch(AFTERNOON).endswith(DAY_MENU)  # a day old: read afresh
    assert len(alexa_api.calls_to("settings")) == 2


@pytest.mark.parametrize("status", [401, 403, 429, 500, 503])
def test_night_is_assumed_when_the_settings_api_fails_and_it_is_not_asked_again_at_once(alexa_api, status):
    alexa_api.fail("settings", status)
    assert launch(AFTERNOON).endswith(NIGHT_OFFER)
    alexa_api.clear_failures()
    assert launch(AFTERNOON).endswith(NIGHT_OFFER)  # still backing off: night, and no call
    assert len(alexa_api.calls_to("settings")) == 1
    local_time.ZONES.failed(DEVICE_ID, time.time() - local_time.RETRY_SECONDS)
    assert launch(AFTERNOON).endswith(DAY_MENU)  # a few minutes on, it asks again
    assert len(alexa_api.calls_to("settings")) == 2


def test_night_is_assumed_when_the_zone_is_nonsense(alexa_api):
    alexa_api.state.zones[DEVICE_ID] = "../../etc/passwd"
    assert launch(AFTERNOON).endswith(NIGHT_OFFER)


def test_a_dripping_settings_api_does_not_hold_up_the_answer(alexa_api):
    alexa_api.state.drip = 0.2
    started = time.monotonic()
    assert launch(AFTERNOON).endswith(NIGHT_OFFER)
    assert time.monotonic() - started < 2.5


def test_without_a_token_no_call_is_made_and_night_is_assumed(alexa_api):
    assert launch(AFTERNOON, token=None).endswith(NIGHT_OFFER)
    assert alexa_api.calls_to("settings") == []


def test_without_the_development_setting_the_stand_in_named_by_the_request_is_never_called(
        alexa_api, monkeypatch):
    """The envelope's apiEndpoint names a local server: Amazon's rules refuse it, token unsent."""
    from skill.alexa import build

    monkeypatch.delenv("LEG_CRAMP_ALEXA_API")
    build._skill.cache_clear()
    for endpoint in (alexa_api.url, alexa_api.url.replace("http:", "https:"), "https://evil.example"):
        local_time.ZONES.clear()
        assert launch(AFTERNOON, endpoint=endpoint).endswith(NIGHT_OFFER)
    assert alexa_api.state.calls == []
