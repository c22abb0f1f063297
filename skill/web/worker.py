"""A gunicorn worker that slow or stalled clients cannot starve, and that answers
malformed HTTP with the service's short JSON errors.

gunicorn's ``gthread`` worker hands a connection to a thread as soon as its first
byte arrives; the thread then reads the request with no deadline, so a few dozen
clients sending a byte every few seconds (headers, body, or a TLS handshake) hold
every thread. This worker does what a buffering reverse proxy does, inside
gunicorn: one event loop per worker process does the TLS handshakes and reads
every request, without blocking, until it is complete; only a complete request
(headers and body, within the size caps) goes to a thread, which runs the app on
bytes already in memory. Each connection has deadlines:

- a new connection: the TLS handshake and the whole first request within
  ``REQUEST_SECONDS``;
- a kept-alive connection: the next request's first byte within gunicorn's
  ``keepalive`` seconds, the rest within ``REQUEST_SECONDS`` of it;
- writing a response: ``WRITE_SECONDS``.

Past a deadline the connection is answered 408 (if it had started a request) and
closed. So slow clients cost a socket and a small buffer each, never a thread, and
at most ``worker_connections`` are held per process.

Only HTTP/1.x: Alexa speaks HTTP/1.1.
"""

from __future__ import annotations

import errno
import json
import os
import queue
import selectors
import socket
import ssl
import time
from collections.abc import Iterable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from gunicorn import http, sock, util
from gunicorn.http import errors as http_errors
from gunicorn.http import wsgi
from gunicorn.workers import base

from skill.web.app import LogBudget

REQUEST_SECONDS = 10.0
WRITE_SECONDS = 10.0
MAX_HEAD_BYTES = 32 * 1024       # request line and headers
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # buffered at most; the app's own cap (128 KiB) is smaller
READ_CHUNK = 64 * 1024

_HEAD_END = b"\r\n\r\n"


def error_response(status: int, error: str) -> bytes:
    """A complete HTTP/1.1 response with the service's JSON error, closing the connection."""
    body = json.dumps({"error": error}, separators=(",", ":")).encode("ascii")
    reason = _REASONS.get(status, "Error")
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode("ascii") + body


_REASONS = {400: "Bad Request", 403: "Forbidden", 408: "Request Timeout", 413: "Content Too Large",
            414: "URI Too Long", 417: "Expectation Failed", 431: "Request Header Fields Too Large",
            500: "Internal Server Error", 501: "Not Implemented"}


def _error_for(exc: BaseException) -> tuple[int, str]:
    """The status and JSON error for what gunicorn's parser (or the app) raised."""
    by_class = [
        ("LimitRequestLine", 414, "uri too long"),
        ("LimitRequestHeaders", 431, "request header fields too large"),
        ("ExpectationFailed", 417, "expectation failed"),
        ("UnsupportedTransferCoding", 501, "not implemented"),
        ("ForbiddenProxyRequest", 403, "forbidden"),
        ("InvalidResponseHeader", 500, "internal error"),  # the app's fault, not the client's
        ("InvalidResponseHeaderName", 500, "internal error"),
        ("ConfigurationProblem", 500, "internal error"),
    ]
    for name, status, error in by_class:
        cls = getattr(http_errors, name, None)
        if cls is not None and isinstance(exc, cls):
            return status, error
    if isinstance(exc, http_errors.ParseException):
        return 400, "bad request"
    return 500, "internal error"


class RequestEnd:
    """Where the first request in a buffer ends: ``(end, complete, wants_continue)``.

    ``end`` is None while more bytes are needed. A complete request ends where its
    body does. Anything odd (a header block over MAX_HEAD_BYTES, an unreadable or
    doubled length, broken chunks, a body over ``max_body``) ends the request at
    once, incomplete: gunicorn's parser or the app then judges it (a JSON error)
    and the connection is closed after the answer. ``wants_continue``: the client
    waits for "100 Continue" before it sends the body."""

    def __init__(self, max_body: int) -> None:
        self.max_body = max_body

    def __call__(self, buffer: bytearray) -> tuple[int | None, bool, bool]:
        head_end = buffer.find(_HEAD_END)
        if head_end < 0:
            return (len(buffer), False, False) if len(buffer) > MAX_HEAD_BYTES else (None, False, False)
        body_start = head_end + len(_HEAD_END)
        length, chunked, expect = None, False, False
        for line in bytes(buffer[:head_end]).split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                if not value.isdigit() or (length is not None and int(value) != length):
                    return body_start, False, False
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = chunked or b"chunked" in value
            elif name == b"expect":
                expect = value == b"100-continue"
        if chunked:
            end, complete = self._chunked_end(buffer, body_start)
            return end, complete, expect and end is None
        if not length:
            return body_start, True, False
        if length > self.max_body:
            return body_start, False, False  # the app answers 413 from the headers alone
        if len(buffer) - body_start >= length:
            return body_start + length, True, False
        return None, False, expect

    def _chunked_end(self, buffer: bytearray, position: int) -> tuple[int | None, bool]:
        decoded = 0
        while True:
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                return (len(buffer), False) if len(buffer) - position > 1024 else (None, False)
            try:
                size = int(bytes(buffer[position:line_end]).split(b";", 1)[0].strip(), 16)
            except ValueError:
                return len(buffer), False
            if size == 0:  # the last chunk, then trailers (usually none) and an empty line
                if buffer[line_end + 2:line_end + 4] == b"\r\n":
                    return line_end + 4, True
                trailers_end = buffer.find(_HEAD_END, line_end)
                if trailers_end >= 0:
                    return trailers_end + len(_HEAD_END), True
                too_long = len(buffer) - line_end > MAX_HEAD_BYTES
                return (len(buffer), False) if too_long else (None, False)
            decoded += size
            if decoded > self.max_body:
                return len(buffer), False
            chunk_end = line_end + 2 + size
            if len(buffer) < chunk_end + 2:
                return None, False
            if buffer[chunk_end:chunk_end + 2] != b"\r\n":
                return len(buffer), False
            position = chunk_end + 2


class _Connection:
    """One client connection, as the event loop sees it."""

    def __init__(self, client: socket.socket, address: Any, listener_address: Any,
                 deadline: float) -> None:
        self.sock: socket.socket = client
        self.address = address
        self.listener_address = listener_address
        self.buffer = bytearray()
        self.deadline = deadline
        self.handshaking = False
        self.idle = False        # kept alive, waiting for the next request's first byte
        self.started = False     # some bytes of the current request have arrived
        self.continued = False   # "100 Continue" sent for the current request
        self.eof = False         # the client will send no more
        self.events = 0          # what the event loop waits for on it (0: not registered)


class BufferingWorker(base.Worker):
    """See the module docstring. Configured by gunicorn's usual settings: ``threads``
    (the app's threads per process), ``worker_connections``, ``keepalive``,
    ``certfile``/``keyfile``."""

    def init_process(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max(1, self.cfg.threads))
        self._selector = selectors.DefaultSelector()
        self._done: queue.SimpleQueue[tuple[_Connection, bool]] = queue.SimpleQueue()
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self._connections: set[_Connection] = set()
        self._busy = 0
        self._accepting = False
        self._tls = sock.ssl_context(self.cfg) if self.cfg.is_ssl else None
        if self._tls is not None:
            self._tls.set_alpn_protocols(["http/1.1"])
        self._log_budget = LogBudget(per_second=5, burst=20)
        super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        settings = getattr(self.wsgi, "extensions", {}).get("leg_cramp_helper")
        app_cap = getattr(settings, "max_body_bytes", 0)
        self._request_end = RequestEnd(max(DEFAULT_MAX_BODY_BYTES, app_cap + 1))

    def handle_exit(self, sig: int, frame: Any) -> None:
        self.alive = False
        self._wake()

    # --- the event loop ---------------------------------------------------------------

    def run(self) -> None:
        self._selector.register(self._wake_read, selectors.EVENT_READ, None)
        while self.alive:
            self.notify()
            if not self._parent_alive():
                break
            self._set_accepting(len(self._connections) < self.cfg.worker_connections)
            self._wait(timeout=1.0)
            self._expire()
        self._set_accepting(False)
        for connection in [c for c in self._connections if c.events]:
            self._close(connection)  # waiting, not being answered
        stop_by = time.monotonic() + self.cfg.graceful_timeout
        while self._busy and time.monotonic() < stop_by:
            self.notify()
            self._wait(timeout=0.5)
            for connection in [c for c in self._connections if c.events]:
                self._close(connection)
        self._pool.shutdown(wait=False)
        for listener in self.sockets:
            listener.close()

    def _parent_alive(self) -> bool:
        if self.ppid != os.getppid():
            self.log.info("Parent changed, shutting down: %s", self)
            return False
        return True

    def _wake(self) -> None:
        try:
            os.write(self._wake_write, b"\0")
        except OSError:
            pass  # the pipe is full: the loop is being woken anyway

    def _set_accepting(self, accepting: bool) -> None:
        if accepting == self._accepting:
            return
        for listener in self.sockets:
            if accepting:
                listener.setblocking(False)
                self._selector.register(listener, selectors.EVENT_READ, listener)
            else:
                self._selector.unregister(listener)
        self._accepting = accepting

    def _wait(self, timeout: float) -> None:
        try:
            events = self._selector.select(timeout)
        except OSError as error:
            if error.errno != errno.EINTR:
                raise
            return
        for key, _ in events:
            target = key.data
            if target is None:
                self._finish_jobs()
            elif isinstance(target, _Connection):
                self._progress(target)
            else:
                self._accept(target)

    def _accept(self, listener: Any) -> None:
        for _ in range(64):  # accept a burst, then let the other events in
            if len(self._connections) >= self.cfg.worker_connections:
                return
            try:
                client, address = listener.accept()
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED):
                    raise
                return
            client.setblocking(False)
            connection = _Connection(client, address, listener.getsockname(),
                                     time.monotonic() + REQUEST_SECONDS)
            self._connections.add(connection)
            if self._tls is not None:
                try:
                    connection.sock = self._tls.wrap_socket(
                        client, server_side=True, do_handshake_on_connect=False,
                        suppress_ragged_eofs=self.cfg.suppress_ragged_eofs)
                except (OSError, ValueError):
                    self._close(connection)
                    continue
                connection.handshaking = True
            self._listen(connection, selectors.EVENT_READ)

    def _listen(self, connection: _Connection, events: int) -> None:
        if connection.events == events:
            return
        if connection.events:
            self._selector.modify(connection.sock, events, connection)
        else:
            self._selector.register(connection.sock, events, connection)
        connection.events = events

    def _unlisten(self, connection: _Connection) -> None:
        if connection.events:
            try:
                self._selector.unregister(connection.sock)
            except (KeyError, ValueError, OSError):
                pass
            connection.events = 0

    def _close(self, connection: _Connection) -> None:
        self._unlisten(connection)
        self._connections.discard(connection)
        util.close(connection.sock)

    def _expire(self) -> None:
        now = time.monotonic()
        for connection in [c for c in self._connections if c.events and c.deadline <= now]:
            if connection.started and not connection.handshaking:
                try:
                    connection.sock.send(error_response(408, "request timeout"))
                except (OSError, ValueError):
                    pass
            self._close(connection)

    def _progress(self, connection: _Connection) -> None:
        """Move a connection on: handshake, read, and hand a complete request over."""
        try:
            if connection.handshaking:
                connection.sock.do_handshake()  # type: ignore[attr-defined]
                connection.handshaking = False
            self._read(connection)
        except ssl.SSLWantReadError:
            self._listen(connection, selectors.EVENT_READ)
            return
        except ssl.SSLWantWriteError:
            self._listen(connection, selectors.EVENT_WRITE)
            return
        except (OSError, ValueError):
            self._close(connection)
            return
        self._dispatch(connection)

    def _read(self, connection: _Connection) -> None:
        """Read what has arrived, without blocking, up to the buffer's cap."""
        limit = MAX_HEAD_BYTES + self._request_end.max_body + 2 * READ_CHUNK
        while len(connection.buffer) < limit:
            try:
                data = connection.sock.recv(READ_CHUNK)
            except (ssl.SSLWantReadError, BlockingIOError):
                break
            if not data:
                connection.eof = True
                break
            if connection.idle:  # the next request has begun: it gets its own time
                connection.idle = False
                connection.deadline = time.monotonic() + REQUEST_SECONDS
            connection.started = True
            connection.buffer += data
        self._listen(connection, selectors.EVENT_READ)

    def _dispatch(self, connection: _Connection) -> None:
        if not connection.buffer:
            if connection.eof:
                self._close(connection)
            return
        end, complete, wants_continue = self._request_end(connection.buffer)
        if end is None and connection.eof:
            end = len(connection.buffer)  # all there will be: the parser judges it
        if end is None:
            if wants_continue and not connection.continued:
                connection.continued = True
                try:
                    connection.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
                except (OSError, ValueError):
                    self._close(connection)
            return
        request = bytes(connection.buffer[:end])
        del connection.buffer[:end]
        self._unlisten(connection)
        self._busy += 1
        keep = complete and not connection.eof
        future = self._pool.submit(self._answer, connection, request)
        future.add_done_callback(lambda done: self._job_done(connection, done, keep))

    def _job_done(self, connection: _Connection, future: Any, keep: bool) -> None:
        keep = keep and not future.cancelled() and future.exception() is None and bool(future.result())
        self._done.put((connection, keep))
        self._wake()

    def _finish_jobs(self) -> None:
        try:
            os.read(self._wake_read, 4096)
        except OSError:
            pass
        while True:
            try:
                connection, keep = self._done.get_nowait()
            except queue.Empty:
                return
            self._busy -= 1
            if not keep or not self.alive or not self.cfg.keepalive:
                self._close(connection)
                continue
            try:
                connection.sock.setblocking(False)
            except OSError:
                self._close(connection)
                continue
            connection.started = bool(connection.buffer)
            connection.idle = not connection.started
            connection.continued = False
            now = time.monotonic()
            connection.deadline = now + (REQUEST_SECONDS if connection.started else self.cfg.keepalive)
            if connection.buffer:  # the client already sent (part of) its next request
                self._listen(connection, selectors.EVENT_WRITE)  # answer once it reads ours
            else:
                self._listen(connection, selectors.EVENT_READ)

    # --- in a thread: one complete request ---------------------------------------------

    def _answer(self, connection: _Connection, request: bytes) -> bool:
        """Parse and answer one request already in memory; True to keep the connection."""
        client = connection.sock
        client.setblocking(True)
        client.settimeout(WRITE_SECONDS)
        req = None
        try:
            parser = http.RequestParser(self.cfg, iter([request]), connection.address)
            req = next(parser)
            return self._handle_request(req, connection)
        except (StopIteration, http_errors.NoMoreData):
            return False
        except ssl.SSLError:
            return False
        except OSError as error:
            if error.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN, None):
                self.log.debug("socket error answering a request: %s", error)
            return False
        except Exception as error:
            self.handle_error(req, client, connection.address, error)
            return False

    def _handle_request(self, req: Any, connection: _Connection) -> bool:
        environ: MutableMapping[str, Any] = {}
        resp = None
        try:
            self.cfg.pre_request(self, req)
            started = datetime.now()
            resp, environ = wsgi.create(req, connection.sock, connection.address,
                                        connection.listener_address, self.cfg)
            environ["wsgi.multithread"] = True
            self.nr += 1
            if self.nr >= self.max_requests:
                if self.alive:
                    self.log.info("Autorestarting worker after current request.")
                    self.alive = False
                    self._wake()
            if not self.alive or not self.cfg.keepalive:
                resp.force_close()
            app: Any = self.wsgi
            respiter: Iterable[bytes] = app(environ, resp.start_response)
            try:
                for item in respiter:
                    resp.write(item)
                resp.close()
            finally:
                self.log.access(resp, req, environ, datetime.now() - started)
                close = getattr(respiter, "close", None)
                if close is not None:
                    close()
            return not resp.should_close()
        except OSError:
            raise
        except Exception:
            if resp is not None and resp.headers_sent:
                self.log.exception("Error handling request")
                return False
            raise
        finally:
            try:
                self.cfg.post_request(self, req, environ, resp)
            except Exception:
                self.log.exception("Exception in post_request hook")

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """gunicorn's error pages are HTML; the service answers its short JSON instead.
        Client errors are logged at a bounded rate, without what the client sent."""
        status, error = _error_for(exc)
        if status >= 500:
            self.log.exception("Error handling request")
        else:
            left_out = self._log_budget.take()
            if left_out is not None:
                suffix = f" ({left_out} more not logged)" if left_out else ""
                self.log.warning("malformed request: %s %s%s", status, type(exc).__name__, suffix)
        try:
            client.sendall(error_response(status, error))
        except (OSError, ValueError):
            self.log.debug("Failed to send error message.")
