"""A local stand-in of Alexa's service API: a real HTTP server on 127.0.0.1.

It answers the calls the skill makes, with the request and response shapes
Amazon documents:

- Settings API: ``GET /v2/devices/{deviceId}/settings/System.timeZone`` -> a JSON
  string such as ``"America/New_York"``.
- Reminders API: ``POST /v1/alerts/reminders`` (create), ``GET /v1/alerts/reminders``
  (all of this skill's reminders), ``GET``/``PUT``/``DELETE /v1/alerts/reminders/{alertToken}``.
  Requests are checked as Amazon checks them (a ``requestTime``; a
  ``SCHEDULED_ABSOLUTE`` trigger with a ``scheduledTime`` without an offset, a known
  ``timeZoneId`` and a ``DAILY`` recurrence or ``recurrenceRules``; spoken content
  with a locale and text; a push notification status) and answered with an
  ``alertToken``, ``status`` and the rest; errors come as ``{"code", "message"}``.

Reminders belong to the bearer token, as they belong to the user on Alexa. Switches
make each failure happen: ``permission`` (401 without it), ``fail(kind, status)``
(any status, for example 400, 403, 429 or 5xx), ``drip`` (the answer dribbles out a
byte at a time), and ``reminder_limit`` (the per-skill limit per user).

The tests start it on port 0 and point ``LEG_CRAMP_ALEXA_API`` (or
``AlexaApiClient(stand_in=...)``) at ``url``; ``chat`` starts one itself, and
``python -m skill.devtools.alexa_api [PORT]`` runs one on its own.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "America/New_York"
READWRITE = "alexa::alerts:reminders:skill:readwrite"
REMINDERS = "/v1/alerts/reminders"
SETTINGS = re.compile(r"^/v2/devices/([^/?]+)/settings/System\.timeZone$")
ONE_REMINDER = re.compile(r"^/v1/alerts/reminders/([^/?]+)$")
LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$")
MAX_TEXT = 250  # characters of spoken reminder text


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    authorization: str | None
    body: Any


@dataclass
class Failure:
    status: int
    code: str
    times: int | None  # None: until cleared


@dataclass
class StandInState:
    zones: dict[str, str] = field(default_factory=dict)
    default_zone: str = DEFAULT_ZONE
    permission: bool = True
    reminder_limit: int = 100
    drip: float = 0.0
    reminders: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # token -> id -> reminder
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, Failure] = field(default_factory=dict)  # "settings" / "reminders"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def _check_reminder(body: Any) -> dict[str, Any]:
    """A reminder request as Amazon reads it; ApiError(400, ...) when it is malformed."""
    def bad(code: str, message: str) -> ApiError:
        return ApiError(400, code, message)

    if not isinstance(body, dict):
        raise bad("INVALID_REQUEST", "the body is not a JSON object")
    if not isinstance(body.get("requestTime"), str) or not LOCAL_TIME.match(body["requestTime"][:23]):
        raise bad("INVALID_REQUEST_TIME", "requestTime is missing or not an ISO 8601 time")
    trigger = body.get("trigger")
    if not isinstance(trigger, dict) or trigger.get("type") not in ("SCHEDULED_ABSOLUTE", "SCHEDULED_RELATIVE"):
        raise bad("INVALID_TRIGGER", "trigger.type must be SCHEDULED_ABSOLUTE or SCHEDULED_RELATIVE")
    if trigger["type"] == "SCHEDULED_ABSOLUTE":
        scheduled = trigger.get("scheduledTime")
        if not isinstance(scheduled, str) or not LOCAL_TIME.match(scheduled):
            raise bad("INVALID_TRIGGER_SCHEDULED_TIME_FORMAT",
                      "scheduledTime must be a local ISO 8601 time without an offset")
        zone = trigger.get("timeZoneId")
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError, TypeError):
                raise bad("INVALID_TIMEZONE", f"unknown timeZoneId {zone!r}") from None
        recurrence = trigger.get("recurrence")
        if recurrence is not None:
            rules = recurrence.get("recurrenceRules") if isinstance(recurrence, dict) else None
            freq = recurrence.get("freq") if isinstance(recurrence, dict) else None
            if not (freq in ("DAILY", "WEEKLY") or (isinstance(rules, list) and rules and all(
                    isinstance(rule, str) and rule.startswith("FREQ=") for rule in rules))):
                raise bad("INVALID_RECURRENCE", "recurrence needs freq DAILY or WEEKLY, or recurrenceRules")
    elif not isinstance(trigger.get("offsetInSeconds"), int):
        raise bad("INVALID_TRIGGER", "a SCHEDULED_RELATIVE trigger needs offsetInSeconds")
    content = ((body.get("alertInfo") or {}).get("spokenInfo") or {}).get("content")
    if not isinstance(content, list) or not content or not all(
            isinstance(item, dict) and isinstance(item.get("locale"), str)
            and isinstance(item.get("text"), str) and 0 < len(item["text"]) <= MAX_TEXT for item in content):
        raise bad("INVALID_ALERT_INFO", "alertInfo.spokenInfo.content needs a locale and a text for each entry")
    push = body.get("pushNotification")
    if push is not None and (not isinstance(push, dict) or push.get("status") not in ("ENABLED", "DISABLED")):
        raise bad("INVALID_PUSH_NOTIFICATION", "pushNotification.status must be ENABLED or DISABLED")
    return body


class AlexaApiStandIn:
    """The stand-in server. ``with AlexaApiStandIn() as api: ... api.url ...``"""

    def __init__(self, port: int = 0) -> None:
        self.state = StandInState()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread: threading.Thread | None = None

    # --- running ------------------------------------------------------------------

    def start(self) -> AlexaApiStandIn:
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                        name="alexa-api-stand-in", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> AlexaApiStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- switches -------------------------------------------------------------------

    def fail(self, kind: str, status: int, code: str | None = None, times: int | None = None) -> None:
        """Answer calls of ``kind`` ("settings" or "reminders") with this status."""
        self.state.failures[kind] = Failure(status, code or {
            400: "INVALID_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
            429: "TOO_MANY_REQUESTS"}.get(status, "INTERNAL_SERVER_ERROR"), times)

    def clear_failures(self) -> None:
        self.state.failures.clear()
        self.state.drip = 0.0

    def reminders(self, token: str | None = None) -> list[dict[str, Any]]:
        """The reminders the stand-in holds (for one bearer token, or for all)."""
        with self._lock:
            held = self.state.reminders
            owners = [held.get(token, {})] if token else list(held.values())
            return [dict(reminder) for owner in owners for reminder in owner.values()]

    def calls_to(self, kind: str) -> list[Call]:
        prefix = "/v2/devices/" if kind == "settings" else REMINDERS
        return [call for call in self.state.calls if call.path.startswith(prefix)]

    # --- answering -----------------------------------------------------------------

    def _failure(self, kind: str) -> ApiError | None:
        with self._lock:
            failure = self.state.failures.get(kind)
            if failure is None:
                return None
            if failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    del self.state.failures[kind]
            return ApiError(failure.status, failure.code, f"the stand-in was told to answer {failure.status}")

    def answer(self, method: str, path: str, authorization: str | None, body: Any) -> tuple[int, Any]:
        """The status and JSON body for one call (the HTTP layer is in ``_handler``)."""
        path = path.split("?", 1)[0]
        self.state.calls.append(Call(method, path, authorization, body))
        token = authorization[7:] if authorization and authorization.startswith("Bearer ") else None
        try:
            if not token:
                raise ApiError(401, "UNAUTHORIZED", "no bearer token")
            if (match := SETTINGS.match(path)) and method == "GET":
                if (failure := self._failure("settings")) is not None:
                    raise failure
                return 200, self.state.zones.get(match.group(1), self.state.default_zone)
            if path == REMINDERS or ONE_REMINDER.match(path):
                if (failure := self._failure("reminders")) is not None:
                    raise failure
                if not self.state.permission:
                    raise ApiError(401, "UNAUTHORIZED", f"the user has not granted {READWRITE}")
                return self._reminders(method, path, token, body)
            raise ApiError(404, "NOT_FOUND", f"no such resource {path}")
        except ApiError as error:
            return error.status, {"code": error.code, "message": error.message}

    def _reminders(self, method: str, path: str, token: str, body: Any) -> tuple[int, Any]:
        with self._lock:
            held = self.state.reminders.setdefault(token, {})
            if path == REMINDERS and method == "POST":
                request = _check_reminder(body)
                if sum(r["status"] == "ON" for r in held.values()) >= self.state.reminder_limit:
                    raise ApiError(403, "MAX_REMINDERS_EXCEEDED",
                                   "the skill has reached its reminder limit for this user")
                alert_token = str(uuid.uuid4())
                now = _now()
                held[alert_token] = {"alertToken": alert_token, "createdTime": now, "updatedTime": now,
                                     "status": "ON", "version": "1", "trigger": request["trigger"],
                                     "alertInfo": request["alertInfo"],
                                     "pushNotification": request.get("pushNotification",
                                                                     {"status": "ENABLED"})}
                return 200, self._response(held[alert_token])
            if path == REMINDERS and method == "GET":
                alerts = [dict(r) for r in held.values()]
                return 200, {"totalCount": str(len(alerts)), "alerts": alerts, "links": None}
            match = ONE_REMINDER.match(path)
            if match is None:
                raise ApiError(405, "METHOD_NOT_ALLOWED", f"{method} {path}")
            reminder = held.get(match.group(1))
            if reminder is None:
                raise ApiError(404, "NOT_FOUND", "no reminder with that alertToken")
            if method == "GET":
                return 200, dict(reminder)
            if method == "DELETE":
                del held[match.group(1)]
                return 200, None
            if method == "PUT":
                request = _check_reminder(body)
                reminder.update(trigger=request["trigger"], alertInfo=request["alertInfo"],
                                pushNotification=request.get("pushNotification", reminder["pushNotification"]),
                                updatedTime=_now(), version=str(int(reminder["version"]) + 1))
                return 200, self._response(reminder)
            raise ApiError(405, "METHOD_NOT_ALLOWED", f"{method} {path}")

    @staticmethod
    def _response(reminder: dict[str, Any]) -> dict[str, Any]:
        return {key: reminder[key] for key in ("alertToken", "createdTime", "updatedTime", "status", "version")} \
            | {"href": f"{REMINDERS}/{reminder['alertToken']}"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                status, answer = api.answer(self.command, self.path, self.headers.get("Authorization"), body)
                payload = b"" if answer is None else json.dumps(answer).encode("utf-8")
                head = (f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\n"
                        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                        "Connection: close\r\n\r\n").encode("iso-8859-1")
                self.close_connection = True
                try:
                    if api.state.drip:
                        for byte in head + payload:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(api.state.drip)
                    else:
                        self.wfile.write(head + payload)
                except (BrokenPipeError, ConnectionResetError):  # the caller gave up, as it should
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@contextmanager
def known_stand_in() -> Iterator[None]:
    """While a tool builds a skill on a stand-in it started itself (chat, say,
    validate), the API client's warning that calls go to a stand-in is no news."""
    logger = logging.getLogger("skill.alexa.api_client")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def main(argv: list[str] | None = None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    with AlexaApiStandIn(int(args[0]) if args else 8765) as api:
        print(f"Alexa API stand-in on {api.url}; run the skill with LEG_CRAMP_ALEXA_API={api.url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
