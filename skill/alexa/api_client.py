"""The one way the skill calls Alexa's service API (Settings, Reminders).

``AlexaApiClient`` is an ask-sdk ``ApiClient``: ask-sdk's own service clients
(``UpsServiceClient``, ``ReminderManagementServiceClient``) build each request
and read each answer; this class only carries it, under three rules.

- **Amazon only.** A call goes over https, port 443, to one of Amazon's API hosts
  (``AMAZON_API_HOSTS``). Anything else the request envelope's ``apiEndpoint``
  may name is refused before a socket is opened, so no token leaves the process.
- **One deadline per call.** Name lookup, connecting, the TLS handshake, sending,
  the headers and the body all share one deadline; every socket operation waits at
  most for what is left of it. The call runs in the calling thread, so nothing is
  left running when it ends. A name lookup cannot be interrupted, so it runs in a
  helper thread, at most one per host at a time, shared by every call waiting for
  that name; its answer is kept for a minute.
- **One development setting.** ``LEG_CRAMP_ALEXA_API`` (a base URL such as
  ``http://127.0.0.1:8765``) sends every call to a local stand-in of the API
  instead (see ``skill.devtools.alexa_api``); the skill logs loudly when it is set.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from ask_sdk_model.services.api_client import ApiClient
from ask_sdk_model.services.api_client_request import ApiClientRequest
from ask_sdk_model.services.api_client_response import ApiClientResponse

from skill.alexa.redact import redacted

if TYPE_CHECKING:  # socket and ssl load on the first call, not on a launch's cold start (~10 ms)
    import socket
    import ssl

log = logging.getLogger(__name__)

AMAZON_API_HOSTS = frozenset({"api.amazonalexa.com", "api.eu.amazonalexa.com", "api.fe.amazonalexa.com"})
STAND_IN_SETTING = "LEG_CRAMP_ALEXA_API"
# The launch greeting waits for the time zone, so that call gets little time; a
# reminder the user asked for is worth a little longer. Alexa allows 8 s in all.
SETTINGS_DEADLINE_SECONDS = 1.0
DEADLINE_SECONDS = 3.0
MAX_API_ANSWER_BYTES = 256 * 1024
METHODS = frozenset({"GET", "POST", "PUT", "DELETE"})
NAME_TTL_SECONDS = 60.0


class RefusedCall(Exception):
    """The call was not made: a host, scheme or header the rules do not allow."""


class CallFailed(Exception):
    """The call was made but gave no usable HTTP answer (timeout, reset, garbage)."""


def describe(problem: BaseException) -> str:
    """A failed call as it may be logged: the exception's type, and for this module's
    own failures their message (the method, the path's shape, the cause's type); for
    an HTTP error answer, its status. Never an id from the path, the answer or the token."""
    from ask_sdk_model.services.service_exception import ServiceException

    name = type(problem).__name__
    if isinstance(problem, ServiceException):  # its message is ask-sdk's, or "Call to service failed: " + ours
        return f"{name} (HTTP {problem.status_code}): {redacted(str(problem), 200)}"
    if isinstance(problem, (RefusedCall, CallFailed)):
        return f"{name}: {redacted(str(problem), 200)}"
    return name


class Target(NamedTuple):
    scheme: str
    host: str
    port: int
    path: str      # with the query string

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def check_stand_in(url: str) -> None:
    """ValueError, naming the setting, unless ``url`` is a stand-in's base URL."""
    _base(url)


def _base(url: str) -> Target:
    """A stand-in's base URL (the development setting), checked."""
    refusal = f"{STAND_IN_SETTING} must be a base URL such as http://127.0.0.1:8765, not {url!r}"
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or parts.username or parts.password:
        raise ValueError(refusal)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is no number, or out of range
        raise ValueError(refusal) from None
    return Target(parts.scheme, parts.hostname, port, parts.path.rstrip("/"))


def amazon_target(url: str) -> Target:
    """Where a request URL goes, if Amazon's rules allow it; RefusedCall if not."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as problem:
        raise RefusedCall(f"unreadable API URL ({type(problem).__name__})") from None
    host = (parts.hostname or "").lower()
    if parts.scheme != "https":
        raise RefusedCall(f"Alexa API calls go over https only, not {parts.scheme or 'no scheme'}")
    if host not in AMAZON_API_HOSTS or parts.username is not None or parts.password is not None:
        raise RefusedCall(f"{host or 'no host'} is not one of Amazon's Alexa API hosts")
    if port not in (None, 443):
        raise RefusedCall(f"Alexa API calls go to port 443, not {port}")
    return Target("https", host, 443, _path(parts.path, parts.query))


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}(?:\.[A-Za-z][A-Za-z0-9]{0,31})?", re.ASCII)


def path_shape(path: str) -> str:
    """An API path as it may be logged: each segment that is not a plain word
    (``v2``, ``devices``, ``System.timeZone``) is ``{id}``, and the query is dropped.
    ``/v2/devices/amzn1.ask.device.X/settings/System.timeZone`` is
    ``/v2/devices/{id}/settings/System.timeZone``."""
    segments = path.split("?", 1)[0].split("/")
    return "/".join(segment if not segment or (_WORD.fullmatch(segment) and not segment.lower().startswith("amzn"))
                    else "{id}" for segment in segments)


def _path(path: str, query: str) -> str:
    path = path if path.startswith("/") else "/" + path
    return f"{path}?{query}" if query else path


class _Lookup:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.addresses: list[tuple[Any, ...]] = []
        self.problem: BaseException | None = None


class _Resolver:
    """Name lookups with a deadline: one helper thread per host at a time, answers kept a minute."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[tuple[str, int], tuple[float, list[tuple[Any, ...]]]] = {}
        self._pending: dict[tuple[str, int], _Lookup] = {}

    def addresses(self, host: str, port: int, deadline: float) -> list[tuple[Any, ...]]:
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            import socket

            family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
            return [(family, (host, port))]
        key = (host, port)
        with self._lock:
            known = self._known.get(key)
            if known and time.monotonic() - known[0] < NAME_TTL_SECONDS:
                return known[1]
            lookup = self._pending.get(key)
            if lookup is None:
                lookup = self._pending[key] = _Lookup()
                threading.Thread(target=self._look_up, args=(key, lookup), name=f"dns-{host}",
                                 daemon=True).start()
        if not lookup.done.wait(max(0.0, deadline - time.monotonic())):
            raise TimeoutError(f"no address for {host} in time")
        if lookup.problem is not None:
            raise CallFailed(f"no address for {host}: {lookup.problem}")
        return lookup.addresses

    def _look_up(self, key: tuple[str, int], lookup: _Lookup) -> None:
        import socket

        try:
            found = socket.getaddrinfo(key[0], key[1], type=socket.SOCK_STREAM)
            lookup.addresses = [(family, address) for family, _, _, _, address in found]
            if not lookup.addresses:
                raise OSError("the name has no addresses")
        except Exception as problem:  # noqa: BLE001 - handed to the waiting calls
            lookup.problem = problem
        with self._lock:
            self._pending.pop(key, None)
            if lookup.problem is None:
                self._known[key] = (time.monotonic(), lookup.addresses)
        lookup.done.set()


class AlexaApiClient(ApiClient):
    """ask-sdk's ApiClient, calling Amazon's API hosts only (or the development stand-in)."""

    def __init__(self, stand_in: str | None = None, *,
                 deadlines: Mapping[str, float] | None = None) -> None:
        self.stand_in = _base(stand_in) if stand_in else None
        if self.stand_in is not None:
            log.warning("%s is set: every Alexa API call goes to %s://%s:%d, NOT to Amazon. "
                        "This is for development only.", STAND_IN_SETTING, self.stand_in.scheme,
                        self.stand_in.host, self.stand_in.port)
        self._deadlines = dict(deadlines or {"/v2/devices/": SETTINGS_DEADLINE_SECONDS})
        self._resolver = _Resolver()
        self._tls: ssl.SSLContext | None = None
        self._tls_lock = threading.Lock()

    # --- ApiClient -----------------------------------------------------------------

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        method = (request.method or "").upper()
        if method not in METHODS:
            raise RefusedCall(f"unexpected method {request.method!r}")
        target = self.target(request.url or "")
        headers = [(str(name), str(value)) for name, value in request.headers or []]
        for name, value in headers:
            if any(c in name + value for c in "\r\n\0") or not name or ":" in name:
                raise RefusedCall(f"header {name[:40]!r} is not allowed")
        body = self._body(request.body)
        deadline = time.monotonic() + self.deadline_for(target.path)
        started = time.monotonic()
        try:
            status, answer_headers, answer = self._exchange(target, method, headers, body, deadline)
        except (OSError, ValueError, CallFailed) as problem:  # TimeoutError is an OSError
            raise CallFailed(f"{method} {path_shape(target.path)}: {type(problem).__name__}") from None
        log.debug("%s %s -> %d in %.0f ms", method, path_shape(target.path), status,
                  (time.monotonic() - started) * 1000)
        return ApiClientResponse(headers=answer_headers, body=answer.decode("utf-8", "replace"),
                                 status_code=status)

    # --- the rules -----------------------------------------------------------------

    def target(self, url: str) -> Target:
        if self.stand_in is None:
            return amazon_target(url)
        parts = urlsplit(url)
        return self.stand_in._replace(path=self.stand_in.path + _path(parts.path, parts.query))

    def deadline_for(self, path: str) -> float:
        for prefix, seconds in self._deadlines.items():
            if path.startswith(prefix):
                return seconds
        return DEADLINE_SECONDS

    @staticmethod
    def _body(body: Any) -> bytes | None:
        if body is None:
            return None
        if isinstance(body, bytes):
            return body
        text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
        return text.encode("utf-8")

    def _context(self) -> ssl.SSLContext:
        with self._tls_lock:
            if self._tls is None:
                import ssl

                import certifi

                self._tls = ssl.create_default_context(cafile=certifi.where())
            return self._tls

    # --- the exchange, every step bounded by the deadline --------------------------

    def _exchange(self, target: Target, method: str, headers: list[tuple[str, str]], body: bytes | None,
                  deadline: float) -> tuple[int, list[tuple[str, str]], bytes]:
        addresses = self._resolver.addresses(target.host, target.port, deadline)
        sock = self._connect(addresses, deadline)
        try:
            if target.scheme == "https":
                sock = self._context().wrap_socket(sock, server_hostname=target.host,
                                                   do_handshake_on_connect=False)
                sock.settimeout(_left(deadline))
                sock.do_handshake()
            lines = [f"{method} {target.path} HTTP/1.1", f"Host: {target.host_header}",
                     *(f"{name}: {value}" for name, value in headers
                       if name.lower() not in ("host", "content-length", "connection")),
                     "Connection: close", "Accept: application/json"]
            if body is not None or method in ("POST", "PUT"):
                lines.append(f"Content-Length: {len(body or b'')}")
            message = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + (body or b"")
            view = memoryview(message)
            while view:
                sock.settimeout(_left(deadline))
                sent = sock.send(view)
                view = view[sent:]
            return _Reader(sock, deadline).response(method)
        finally:
            sock.close()

    @staticmethod
    def _connect(addresses: list[tuple[Any, ...]], deadline: float) -> socket.socket:
        import socket

        problem: OSError = OSError("no address to connect to")
        for family, address in addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(_left(deadline))
                sock.connect(address)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock
            except OSError as error:
                sock.close()
                problem = error
                if isinstance(error, TimeoutError):
                    break
        raise problem


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the call's deadline passed")
    return left


class _Reader:
    """Reads one HTTP/1.1 response (Content-Length, chunked, or to the close)."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock, self.deadline, self.buffer = sock, deadline, bytearray()

    def _more(self) -> bool:
        self.sock.settimeout(_left(self.deadline))
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self.buffer.extend(chunk)
        if len(self.buffer) > MAX_API_ANSWER_BYTES:
            raise CallFailed(f"the answer is over {MAX_API_ANSWER_BYTES} bytes")
        return True

    def _need(self, count: int) -> None:
        while len(self.buffer) < count:
            if not self._more():
                raise CallFailed("the connection closed mid-answer")

    def _line(self) -> bytes:
        while (end := self.buffer.find(b"\r\n")) < 0:
            if not self._more():
                raise CallFailed("the connection closed mid-answer")
        line = bytes(self.buffer[:end])
        del self.buffer[:end + 2]
        return line

    def _head(self) -> tuple[int, list[tuple[str, str]]]:
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            if not self._more():
                raise CallFailed("the connection closed before the headers ended")
        head = bytes(self.buffer[:end]).decode("iso-8859-1")
        del self.buffer[:end + 4]
        status_line, *header_lines = head.split("\r\n")
        version, _, rest = status_line.partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise CallFailed(f"not an HTTP answer: {status_line[:60]!r}")
        headers = []
        for line in header_lines:
            name, colon, value = line.partition(":")
            if colon:
                headers.append((name.strip(), value.strip()))
        return int(code), headers

    def response(self, method: str) -> tuple[int, list[tuple[str, str]], bytes]:
        status, headers = self._head()
        while 100 <= status < 200:  # an interim answer; the real one follows
            status, headers = self._head()
        named = {name.lower(): value for name, value in headers}
        if status in (204, 304) or method == "HEAD":
            return status, headers, b""
        if "chunked" in named.get("transfer-encoding", "").lower():
            body = bytearray()
            while size := int(self._line().split(b";")[0].strip() or b"0", 16):
                self._need(size + 2)
                body += self.buffer[:size]
                del self.buffer[:size + 2]
            return status, headers, bytes(body)
        if "content-length" in named:
            length = int(named["content-length"])
            if length > MAX_API_ANSWER_BYTES:
                raise CallFailed(f"the answer is over {MAX_API_ANSWER_BYTES} bytes")
            self._need(length)
            return status, headers, bytes(self.buffer[:length])
        while self._more():
            pass
        return status, headers, bytes(self.buffer)
