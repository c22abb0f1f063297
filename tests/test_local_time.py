"""The launch greeting follows the device's local time, read from a real HTTP
settings endpoint on 127.0.0.1 standing in for the Alexa Settings API."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conversation import check, lambda_handler

from skill.devtools.envelopes import DEVICE_ID, request_envelope
from skill.speech.ssml import to_text

NIGHT_OFFER = "Is your leg cramping now?"
DAY_MENU = "Would you like to know why cramps happen, or how to prevent them?"


class SettingsAPI:
    """Answers GET /v2/devices/{id}/settings/System.timeZone like Alexa does."""

    def __init__(self):
        self.zone, self.status, self.delay, self.calls = "Europe/London", 200, 0.0, []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                api.calls.append((self.path, self.headers.get("Authorization")))
                time.sleep(api.delay)
                body = json.dumps(api.zone).encode()
                self.send_response(api.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except BrokenPipeError:  # the skill stopped waiting, as it should
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()


@pytest.fixture
def api():
    server = SettingsAPI()
    yield server
    server.server.shutdown()


def launch(utc_time: str, endpoint: str | None, token: str | None = "token-123") -> str:
    event = request_envelope({"type": "LaunchRequest", "timestamp": utc_time})
    system = event["context"]["System"]
    system["apiEndpoint"] = endpoint
    if token:
        system["apiAccessToken"] = token
    return to_text(check(lambda_handler(event, None))["response"]["outputSpeech"]["ssml"])


@pytest.mark.parametrize("zone, utc_time, expected", [
    ("America/New_York", "2026-11-25T19:00:00Z", DAY_MENU),     # 2 p.m. in New York
    ("America/New_York", "2026-11-25T08:00:00Z", NIGHT_OFFER),  # 3 a.m. in New York
    ("Europe/London", "2026-07-01T21:30:00Z", NIGHT_OFFER),     # 10.30 p.m. in summer time
    ("Asia/Kolkata", "2026-11-25T06:30:00Z", DAY_MENU),         # noon in India
])
def test_the_greeting_follows_the_devices_local_time(api, zone, utc_time, expected):
    api.zone = zone
    assert launch(utc_time, api.endpoint).endswith(expected)
    path, authorization = api.calls[-1]
    assert path == f"/v2/devices/{DEVICE_ID}/settings/System.timeZone"
    assert authorization == "Bearer token-123"


def test_night_is_assumed_when_the_settings_api_fails(api):
    api.status = 403
    assert launch("2026-11-25T19:00:00Z", api.endpoint).endswith(NIGHT_OFFER)


def test_night_is_assumed_when_the_zone_is_nonsense(api):
    api.zone = "../../etc/passwd"
    assert launch("2026-11-25T19:00:00Z", api.endpoint).endswith(NIGHT_OFFER)


def test_a_slow_settings_api_does_not_hold_up_the_answer(api):
    api.delay = 2
    started = time.monotonic()
    assert launch("2026-11-25T19:00:00Z", api.endpoint).endswith(NIGHT_OFFER)
    assert time.monotonic() - started < 2.5


def test_without_a_token_no_call_is_made_and_night_is_assumed(api):
    assert launch("2026-11-25T19:00:00Z", api.endpoint, token=None).endswith(NIGHT_OFFER)
    assert api.calls == []


def test_a_plain_http_endpoint_off_this_machine_is_never_called():
    assert launch("2026-11-25T19:00:00Z", "http://settings.example.invalid").endswith(NIGHT_OFFER)


def test_a_name_that_takes_long_to_look_up_does_not_hold_up_the_answer(monkeypatch):
    """The socket timeout does not cover the name lookup; the whole call has a deadline."""
    import socket

    def slow_lookup(*args, **kwargs):
        time.sleep(3)
        raise OSError("no answer from the resolver")

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    started = time.monotonic()
    assert launch("2026-11-25T19:00:00Z", "https://api.amazonalexa.com").endswith(NIGHT_OFFER)
    assert time.monotonic() - started < 2
