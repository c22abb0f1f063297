"""Robustness of the real server: a walkthrough that survives a restart, many
conversations at once without state leaking between them, and a certificate
download that hangs cut off by the verifier's timeout.

The servers are real (gunicorn subprocesses on 127.0.0.1, started as
tests/web/test_serve.py starts them) and every request is signed with the test CA.
"""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from skill.devtools import envelopes
from skill.devtools.judge import response_problems
from skill.devtools.simulator import Session
from skill.speech.ssml import to_text
from skill.web import verify
from tests.support.pki import TestPKI
from tests.support.requests import SKILL_ID, encode
from tests.support.server import start_test_server


class SignedPost:
    """The simulator's handler for a real server: each envelope signed and POSTed, as
    Alexa sends it (``server`` may change between turns: a restart)."""

    def __init__(self, pki: TestPKI, server):
        self.pki, self.server = pki, server

    def __call__(self, event: dict, _context=None) -> dict:
        body = encode(event)
        status, answer = self.server.post(body, self.pki.sign(body))
        assert status == 200, (status, answer)
        assert not response_problems(answer), response_problems(answer)
        return answer


def user_of(pki: TestPKI, server, locale: str = "en-US") -> Session:
    """One user's conversation with a server, over HTTP, signed; the session
    attributes are carried from turn to turn as Alexa carries them."""
    return Session(locale, SignedPost(pki, server))


def speech(answer: dict) -> str:
    return to_text(answer["response"]["outputSpeech"]["ssml"])


def stage(answer: dict) -> tuple:
    """Where the walkthrough is, by the session attributes the server answered."""
    attributes = answer.get("sessionAttributes") or {}
    return attributes.get("routine"), attributes.get("round"), attributes.get("leg")


# --- a restart between turns ------------------------------------------------------------------

def test_a_relief_walkthrough_continues_across_a_server_restart(pki, tmp_path):
    config = {"ALEXA_SKILL_ID": SKILL_ID}
    first = start_test_server(pki, tmp_path / "first", config)
    try:
        user = user_of(pki, first)
        answer = user.say("RelieveCrampIntent", leg="left").envelope
        assert stage(answer) == ("relief", 1, "left")
        assert speech(answer).endswith("Is it easing?")
    finally:
        log = first.stop()
    assert "Traceback" not in log, log

    second = start_test_server(pki, tmp_path / "second", config)  # a new process, a new port
    try:
        user.handler.server = second
        answer = user.say("AMAZON.NoIntent").envelope
        assert stage(answer) == ("relief", 2, "left")
        assert "left leg" in speech(answer)
        assert user.say("AMAZON.RepeatIntent").envelope["response"] == answer["response"]
        # The repeat was the third hold in a row (the count survived the restart too):
        # now the massage, warmth and walking, never a fourth hold.
        answer = user.say("AMAZON.NoIntent").envelope
        assert answer["response"]["shouldEndSession"] is True
        assert "massage" in speech(answer)
    finally:
        log = second.stop()
    assert "Traceback" not in log, log


# --- many conversations at once -----------------------------------------------------------------

CONVERSATIONS = 20


def test_concurrent_conversations_keep_their_own_leg_and_round(pki, tmp_path):
    """20 users on one server (2 workers, 4 threads each), turns interleaved by a barrier
    so that every turn of every user is in flight at the same time. Each user's leg and
    round stay their own."""
    server = start_test_server(pki, tmp_path / "server", {"ALEXA_SKILL_ID": SKILL_ID})
    barrier = threading.Barrier(CONVERSATIONS, timeout=60)

    def walkthrough(number: int) -> list[tuple]:
        leg = ("left", "right")[number % 2]
        rounds = 1 + number % 3  # 1, 2 or 3 rounds of the relief stretch
        user = user_of(pki, server, locale=("en-US", "en-GB", "en-AU", "en-CA", "en-IN")[number % 5])
        seen = []
        barrier.wait()
        answer = user.say("RelieveCrampIntent", leg=leg).envelope
        seen.append(stage(answer))
        assert f"{leg} leg" in speech(answer)
        for _ in range(2):
            barrier.wait()
            if stage(answer)[1] < rounds:
                answer = user.say("AMAZON.NoIntent").envelope
                assert f"{leg} leg" in speech(answer)
            else:  # this user has had enough rounds: a question, mid-stretch
                answer = user.say("AMAZON.HelpIntent").envelope
            seen.append(stage(answer))
        barrier.wait()
        answer = user.say("AMAZON.YesIntent").envelope
        assert answer["response"]["shouldEndSession"] is True
        return seen

    try:
        with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
            results = list(pool.map(walkthrough, range(CONVERSATIONS)))
    finally:
        log = server.stop()
    assert "Traceback" not in log, log
    for number, seen in enumerate(results):
        leg = ("left", "right")[number % 2]
        rounds = 1 + number % 3
        expected = [("relief", min(turn + 1, rounds), leg) for turn in range(3)]
        assert seen == expected, (number, seen)


# --- a certificate download that hangs ---------------------------------------------------------

@contextmanager
def silent_server():
    """A TCP server on 127.0.0.1 that accepts connections, reads what it is sent
    and never answers. Yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            held.append(connection)  # kept open, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


pytestmark = pytest.mark.usefixtures("no_network")


def test_the_default_fetch_gives_up_on_a_silent_server_after_its_timeout():
    """The verifier's real fetch function, pointed at a server that never answers
    (the URL rules allow only s3.amazonaws.com, which a test cannot stand in for;
    the fetch function itself takes any URL)."""
    with silent_server() as port:
        start = time.monotonic()
        with pytest.raises(OSError):
            verify.fetch_chain_over_https(f"https://127.0.0.1:{port}/echo.api/echo-api-cert.pem")
        waited = time.monotonic() - start
    # the server might still answer, so it waits, but never past the download's deadline
    assert verify.FETCH_TIMEOUT_SECONDS * 0.9 <= waited < verify.FETCH_TIMEOUT_SECONDS + 1.5, waited


def test_a_hanging_certificate_download_is_answered_400_after_the_timeout(pki):
    """The whole path: a signed request whose certificate URL is good, a verifier whose
    fetch is the real default fetcher's code sent to the silent server instead of S3."""
    from skill.web.app import create_app

    with silent_server() as port:
        silent_url = f"https://127.0.0.1:{port}/echo.api/echo-api-cert.pem"
        fetched: list[str] = []

        def fetch_from_the_silent_server(url: str) -> bytes:
            fetched.append(url)
            return verify.fetch_chain_over_https(silent_url)

        verifier = verify.RequestVerifier(roots=pki.root_pem, fetch_chain=fetch_from_the_silent_server)
        client = create_app({"ALEXA_SKILL_ID": SKILL_ID}, verifier=verifier).test_client()
        body = encode(envelopes.request_envelope({"type": "LaunchRequest"}, application_id=SKILL_ID))
        start = time.monotonic()
        response = client.post("/", data=body, headers=pki.sign(body))
        waited = time.monotonic() - start
    assert response.status_code == 400
    assert response.get_json() == {"error": "certificate unavailable"}
    assert fetched == ["https://s3.amazonaws.com/echo.api/echo-api-cert.pem"]
    assert waited < verify.FETCH_TIMEOUT_SECONDS + 2, waited


@contextmanager
def dripping_server(first: bytes = b"", drip: bytes = b"-", seconds: float = 8.0):
    """A TCP server on 127.0.0.1 that reads the request, sends ``first`` and then one
    byte of ``drip`` every half second for ``seconds``: never silent long enough
    for a per-read timeout. Yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.settimeout(seconds)
            if not first.startswith(b"\x16"):  # a TLS server speaks after the client's hello
                connection.recv(65536)
            connection.sendall(first)
            end, sent = time.monotonic() + seconds, 0
            while time.monotonic() < end:
                try:
                    connection.sendall(drip[sent % len(drip):][:1])
                except OSError:
                    return
                sent += 1
                time.sleep(0.5)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        thread.join(timeout=seconds + 5)


DRIPS = {
    # the status line and headers, a byte at a time (the 20 s hold of issue 10)
    "headers": (b"", b"HTTP/1.1 200 OK\r\nX-Filler: " + b"a" * 200),
    # a prompt status and headers, then the body a byte at a time
    "body": (b"HTTP/1.1 200 OK\r\nContent-Length: 65536\r\n\r\n", b"-"),
    # a TLS record header announcing 16 KiB of handshake, then its bytes a byte at a time
    "tls-handshake": (b"\x16\x03\x03\x40\x00", b"\x00"),
}


@pytest.mark.parametrize("part", DRIPS)
def test_a_certificate_download_that_drips_any_part_is_cut_off_at_its_deadline(part):
    """http for the dripped headers and body (a local server can stand in; the reading
    is the same code over TLS), https for the handshake."""
    first, drip = DRIPS[part]
    scheme = "https" if part == "tls-handshake" else "http"
    with dripping_server(first, drip, seconds=verify.FETCH_TIMEOUT_SECONDS + 5) as port:
        start = time.monotonic()
        with pytest.raises(TimeoutError):  # a fetch that returns, or fails for another reason, fails here
            verify.fetch_chain_over_https(f"{scheme}://127.0.0.1:{port}/echo.api/echo-api-cert.pem")
        waited = time.monotonic() - start
    # cut off at the deadline: not before it (the server was still sending), and not long after
    assert verify.FETCH_TIMEOUT_SECONDS - 0.5 <= waited < verify.FETCH_TIMEOUT_SECONDS + 1.5, \
        f"the download took {waited:.1f} s"


def test_a_slow_name_lookup_counts_against_the_download_deadline(monkeypatch):
    """The resolver is the one piece no local server can make slow, so the lookup of
    one made-up name sleeps; all else is the real fetch."""
    real_getaddrinfo = socket.getaddrinfo
    released = threading.Event()

    def slow_for_one_name(host, *args, **kwargs):
        if host == "slow-dns.invalid":
            released.wait(verify.FETCH_TIMEOUT_SECONDS + 10)
            raise socket.gaierror("gave up")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_for_one_name)
    threads_before = threading.active_count()
    try:
        start = time.monotonic()
        for _ in range(2):  # the second download shares the lookup still under way
            with pytest.raises(OSError):
                verify.fetch_chain_over_https("https://slow-dns.invalid/echo.api/echo-api-cert.pem")
        waited = time.monotonic() - start
        assert threading.active_count() <= threads_before + 1
    finally:
        released.set()
    assert waited < 2 * verify.FETCH_TIMEOUT_SECONDS + 1.5, f"the downloads took {waited:.1f} s"
