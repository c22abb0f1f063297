"""Slow or stalled clients cannot starve the real server (gunicorn with the project's
worker, on 127.0.0.1): 200 connections that drip their headers, their body, or their
TLS handshake a byte every half second are cut off after bounded times, while a
genuine signed request is still answered within a second."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from skill.web import worker
from tests.support.requests import SKILL_ID, encode, launch_envelope
from tests.support.server import start_test_server

SLOW_CONNECTIONS = 200
DRIP_SECONDS = 0.5
GENUINE_WITHIN_SECONDS = 1.0  # generous: the request itself takes a few milliseconds
CUT_OFF_WITHIN_SECONDS = worker.REQUEST_SECONDS + 5  # the deadline, plus slack for a busy machine

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture(scope="module")
def plain_server(pki, tmp_path_factory):
    server = start_test_server(pki, tmp_path_factory.mktemp("plain"), {"ALEXA_SKILL_ID": SKILL_ID})
    yield server
    log = server.stop()
    assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def tls_server(pki, tmp_path_factory):
    server = start_test_server(pki, tmp_path_factory.mktemp("tls"), {"ALEXA_SKILL_ID": SKILL_ID}, tls=True)
    yield server
    log = server.stop()
    assert "Traceback" not in log, log


# What each kind of slow client sends at once, then what it drips a byte at a time.
KINDS = {
    "slow-headers": (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X-Slow: " + b"a" * 4000),
    "slow-body": (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 4000\r\n\r\n", b"{" + b" " * 3999),
    # a TLS record header announcing a 512-byte ClientHello, then the hello a byte at a time
    "slow-tls-handshake": (b"\x16\x03\x01\x02\x00", b"\x01" + b"\x00" * 511),
}


class SlowClients:
    """``count`` connections to ``port`` that each send ``first``, then one byte of
    ``drip`` every DRIP_SECONDS, and note when the server closes them."""

    def __init__(self, port: int, first: bytes, drip: bytes, count: int) -> None:
        self.drip = drip
        self.sockets: list[socket.socket] = []
        self.opened: list[float] = []
        self.closed: dict[int, float] = {}
        self.answers: dict[int, bytes] = {}
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(first)
            sock.setblocking(False)
            self.sockets.append(sock)
            self.opened.append(time.monotonic())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        sent = 0
        while not self._stop.is_set() and len(self.closed) < len(self.sockets):
            for number, sock in enumerate(self.sockets):
                if number in self.closed:
                    continue
                try:
                    data = sock.recv(65536)
                except BlockingIOError:
                    data = None
                except OSError:
                    data = b""
                if data == b"":
                    self.closed[number] = time.monotonic()
                    continue
                if data:
                    self.answers[number] = self.answers.get(number, b"") + data
                try:
                    sock.send(self.drip[sent % len(self.drip):][:1])
                except BlockingIOError:
                    pass
                except OSError:
                    self.closed[number] = time.monotonic()
            sent += 1
            self._stop.wait(DRIP_SECONDS)

    def wait_until_all_closed(self, seconds: float) -> None:
        self._thread.join(timeout=seconds)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def timed_genuine_request(server, pki) -> float:
    body = encode(launch_envelope())
    start = time.monotonic()
    status, answer = server.post(body, pki.sign(body))
    took = time.monotonic() - start
    assert status == 200, (status, answer)
    assert answer["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    return took


@pytest.mark.parametrize("kind", KINDS)
def test_slow_clients_are_cut_off_and_cannot_starve_a_genuine_request(plain_server, tls_server, pki, kind):
    server = tls_server if kind == "slow-tls-handshake" else plain_server
    port = int(server.base_url.rsplit(":", 1)[1])
    timed_genuine_request(server, pki)  # warm: the certificate is cached in the worker that answers
    first, drip = KINDS[kind]
    clients = SlowClients(port, first, drip, SLOW_CONNECTIONS)
    try:
        time.sleep(2 * DRIP_SECONDS)  # every slow client has dripped: each holds a request open
        assert not clients.closed, "the slow clients must still be open while we measure"
        waits = []
        for _ in range(3):  # three separate measurements, no retries: the slowest must pass
            waits.append(timed_genuine_request(server, pki))
            time.sleep(DRIP_SECONDS)
        assert server.get("/healthz") == (200, {"status": "ok"})
        clients.wait_until_all_closed(CUT_OFF_WITHIN_SECONDS)
        open_for = [clients.closed[n] - clients.opened[n] for n in clients.closed]
    finally:
        clients.stop()
    assert max(waits) < GENUINE_WITHIN_SECONDS, f"genuine requests took {waits} s beside {kind}"
    assert len(open_for) == SLOW_CONNECTIONS, f"{SLOW_CONNECTIONS - len(open_for)} slow clients never cut off"
    assert max(open_for) < CUT_OFF_WITHIN_SECONDS, max(open_for)
    assert min(open_for) > worker.REQUEST_SECONDS - 1  # cut off by the deadline, not at once
    for answer in clients.answers.values():  # a request begun over HTTP is told why, in JSON
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408 "), answer
        assert json.loads(body) == {"error": "request timeout"}
    if kind != "slow-tls-handshake":
        assert len(clients.answers) == SLOW_CONNECTIONS
