"""The skill as a Flask web service that only Alexa can talk to.

``POST /`` (or ``/alexa``) takes an Alexa request envelope and answers with the
skill's response envelope; ``GET /healthz`` is for load balancers. Each request goes:
size cap, signature over the raw bytes, JSON, envelope shape, skill id, timestamp,
then ``skill.alexa.build.handle_event``. Anything wrong with what the client sent is a 4xx
with a short JSON error, ``{"error": "..."}``, and one log line saying why.

Configuration, from ``create_app(config)`` first, then environment variables of the
same names, then the defaults:

- ``ASK_SDK_VERIFY_SIGNATURE`` (default true): check the request came from Alexa.
  Off is for local testing only.
- ``ASK_SDK_VERIFY_TIMESTAMP`` (default true): refuse requests older than 150 s.
- ``ALEXA_SKILL_ID``: the skill id(s), comma separated, whose requests are answered.
  Required (the app refuses to start without it) unless signature checks are off.
- ``ALEXA_MAX_BODY_BYTES`` (default 131072): larger bodies are answered 413.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from flask import Flask, Response, g, request
from werkzeug.datastructures import Headers
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed, RequestEntityTooLarge

from skill.alexa.build import handle_event
from skill.alexa.services import check_settings
from skill.alexa.skill_ids import application_ids, is_ours, parse_skill_ids
from skill.web.verify import RequestVerificationError, RequestVerifier

log = logging.getLogger(__name__)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Settings:
    verify_signature: bool = True
    verify_timestamp: bool = True
    skill_ids: frozenset[str] = frozenset()
    max_body_bytes: int = 128 * 1024

    @classmethod
    def load(cls, config: Mapping[str, Any] | None = None,
             environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``config``, falling back to ``environ`` (default os.environ).
        An unreadable value raises ValueError: better not to start than to guess."""
        config = config or {}
        environ = os.environ if environ is None else environ

        def value(name: str) -> Any:
            return config[name] if name in config else environ.get(name)

        defaults = cls()
        return cls(
            verify_signature=_flag("ASK_SDK_VERIFY_SIGNATURE", value("ASK_SDK_VERIFY_SIGNATURE"),
                                   defaults.verify_signature),
            verify_timestamp=_flag("ASK_SDK_VERIFY_TIMESTAMP", value("ASK_SDK_VERIFY_TIMESTAMP"),
                                   defaults.verify_timestamp),
            skill_ids=parse_skill_ids(value("ALEXA_SKILL_ID")),
            max_body_bytes=_size("ALEXA_MAX_BODY_BYTES", value("ALEXA_MAX_BODY_BYTES"),
                                 defaults.max_body_bytes),
        )


def _flag(name: str, raw: Any, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false, not {raw!r}")


def _size(name: str, raw: Any, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        size = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number of bytes, not {raw!r}") from None
    if size <= 0:
        raise ValueError(f"{name} must be positive, not {size}")
    return size


class Refused(Exception):
    """What the client sent is not an acceptable Alexa request. Answered 400."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def create_app(config: Mapping[str, Any] | None = None, *,
               verifier: RequestVerifier | None = None) -> Flask:
    settings = Settings.load(config)
    check_settings("local")  # a store or API setting that cannot work: better not to start
    if settings.verify_signature and not settings.skill_ids:
        raise ValueError("ALEXA_SKILL_ID is not set: without it this server would answer any "
                         "skill that points at it. Set it to your skill id (amzn1.ask.skill...); "
                         "only local testing with ASK_SDK_VERIFY_SIGNATURE=false may go without")
    verifier = verifier or RequestVerifier()
    app = Flask(__name__)
    _warn_about_unsafe(settings)

    @app.before_request
    def start_clock() -> None:
        g.started = time.perf_counter()
        g.fields = {}

    @app.post("/", provide_automatic_options=False)
    @app.post("/alexa", provide_automatic_options=False)
    def alexa() -> Response:
        body = _read_body(settings.max_body_bytes)
        try:
            envelope = _accept(body, request.headers, settings, verifier, g.fields)
        except (Refused, RequestVerificationError) as error:
            g.fields["error"] = error.reason
            g.fields["detail"] = error.detail
            return _json({"error": error.reason}, 400)
        return _json(handle_event(envelope, host="local"), 200)

    @app.get("/healthz")
    def healthz() -> Response:
        return _json({"status": "ok"}, 200)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = _json({"error": (error.name or "error").lower()}, error.code or 400)
        if isinstance(error, MethodNotAllowed):
            response.headers["Allow"] = ", ".join(error.valid_methods or ["POST"])
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        log.exception("unexpected error")
        return _json({"error": "internal error"}, 500)

    log_budget = LogBudget()

    @app.after_request
    def log_request(response: Response) -> Response:
        if request.endpoint != "healthz":
            _log_line(response.status_code, log_budget)
        return response

    return app


def _read_body(limit: int) -> bytes:
    """The raw body, or RequestEntityTooLarge (413) past ``limit`` bytes, whether the
    client sent a Content-Length or chunks. (Flask's MAX_CONTENT_LENGTH would silently
    cut a chunked body at the limit instead.)"""
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    chunks, size = [], 0
    while size <= limit:
        try:
            chunk = request.stream.read(limit + 1 - size)
        except HTTPException:
            raise
        except Exception:  # the WSGI server's own error for a broken chunked body or connection
            raise BadRequest() from None
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise RequestEntityTooLarge()
    return b"".join(chunks)


def _accept(body: bytes, headers: Mapping[str, str] | Headers, settings: Settings,
            verifier: RequestVerifier, fields: dict[str, Any]) -> dict[str, Any]:
    """The envelope in ``body`` if it is an acceptable Alexa request, else an exception.
    Notes what it learns for the log line in ``fields``."""
    if settings.verify_signature:
        fields["verification"] = "failed"
        verifier.verify_signature(headers, body)
        fields["verification"] = "ok"
    else:
        fields["verification"] = "off"
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        raise Refused("not JSON") from None
    if not _is_envelope(envelope):
        raise Refused("not an Alexa request")
    request_body = envelope["request"]
    fields["request_id"] = request_body["requestId"]
    fields["type"] = request_body["type"]
    intent = request_body.get("intent")
    if isinstance(intent, dict) and isinstance(intent.get("name"), str):
        fields["intent"] = intent["name"]
    if settings.skill_ids and not is_ours(envelope, settings.skill_ids):
        raise Refused("unknown skill", f"applicationId {sorted(application_ids(envelope))}")
    if settings.verify_timestamp:
        verifier.verify_timestamp(envelope)
    return envelope


def _is_envelope(data: Any) -> TypeGuard[dict[str, Any]]:
    if not isinstance(data, dict):
        return False
    request_body = data.get("request")
    return (isinstance(request_body, dict)
            and isinstance(request_body.get("type"), str)
            and isinstance(request_body.get("requestId"), str)
            and all(isinstance(data.get(key, {}), dict) for key in ("session", "context")))


def _json(data: Any, status: int) -> Response:
    return Response(json.dumps(data, separators=(",", ":")), status=status,
                    mimetype="application/json")


MAX_LOGGED_CHARS = 120  # of any one value the client sent (Alexa's ids are under 100)


def _short(value: Any) -> Any:
    """A value from the request, cut to MAX_LOGGED_CHARS: a client cannot make a line long."""
    if isinstance(value, str) and len(value) > MAX_LOGGED_CHARS:
        return value[:MAX_LOGGED_CHARS] + "..."
    return value


class LogBudget:
    """A token bucket for log lines about refused requests: ``burst`` lines at once,
    then ``per_second``. Past that, lines are counted, not written, and the next line
    written says how many were left out. So a flood of bad requests writes at most
    about ``per_second`` short lines a second, per worker process."""

    def __init__(self, per_second: float = 20.0, burst: int = 100,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._rate, self._burst, self._clock = per_second, float(burst), clock
        self._tokens, self._last = float(burst), clock()
        self._left_out = 0
        self._lock = threading.Lock()

    def take(self) -> int | None:
        """None if the line must be left out; else how many were left out before it."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
            self._last = now
            if self._tokens < 1:
                self._left_out += 1
                return None
            self._tokens -= 1
            left_out, self._left_out = self._left_out, 0
            return left_out


def _log_line(status: int, budget: LogBudget) -> None:
    """One line per request: what it was, how verification went, how long it took.
    Never user ids or what was said. Every value from the request is cut short, and
    lines about refused requests are rate-limited (``budget``)."""
    fields = getattr(g, "fields", {})
    line = {
        "status": status,
        "method": _short(request.method),
        "path": _short(request.path),
        "request_id": _short(fields.get("request_id")),
        "type": _short(fields.get("type")),
        "intent": _short(fields.get("intent")),
        "verification": fields.get("verification"),
        "error": fields.get("error"),
        "latency_ms": round((time.perf_counter() - g.started) * 1000, 2),
    }
    if fields.get("detail"):
        line["detail"] = _short(fields["detail"])
    if status >= 400:
        left_out = budget.take()
        if left_out is None:
            return
        if left_out:
            line["left_out"] = left_out  # refused requests not logged since the last line
    log.log(logging.WARNING if status >= 400 else logging.INFO,
            "request %s", json.dumps({k: v for k, v in line.items() if v is not None}))


def _warn_about_unsafe(settings: Settings) -> None:
    if not settings.verify_signature:
        log.warning("!!! ASK_SDK_VERIFY_SIGNATURE is off: this server answers ANYONE, not only "
                    "Alexa. For local testing only; Amazon refuses such an endpoint. !!!")
    if not settings.verify_timestamp:
        log.warning("ASK_SDK_VERIFY_TIMESTAMP is off: old requests can be replayed. "
                    "For local testing only.")
    if not settings.skill_ids:
        log.warning("ALEXA_SKILL_ID is not set: requests for any skill are answered "
                    "(allowed only with ASK_SDK_VERIFY_SIGNATURE off).")
