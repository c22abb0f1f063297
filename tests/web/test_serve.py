"""The real server: gunicorn on 127.0.0.1 in another process, spoken to over HTTP(S).

The signed-request tests run skill.web under skill.serve.SkillServer with a verifier
that trusts the test root and reads chains from files (tests/support/server.py, start_test_server), so
production code carries no test hook. ``leg-cramp-helper serve`` itself is tested as
a user runs it.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.hazmat.primitives import serialization

from skill.devtools.local_server import free_port, start_server
from skill.devtools.signing import make_leaf, new_key, pem
from tests.support.bad_requests import bad_request, bad_request_names
from tests.support.requests import SKILL_ID, encode, launch_envelope
from tests.support.server import start_test_server, subprocess_env


@pytest.fixture(scope="module")
def server(pki, tmp_path_factory):
    server = start_test_server(pki, tmp_path_factory.mktemp("server"), {"ALEXA_SKILL_ID": SKILL_ID})
    yield server
    log = server.stop()
    assert "Traceback" not in log, log


def post_signed(server, pki, envelope, path="/"):
    body = encode(envelope)
    return server.post(body, pki.sign(body), path)


@pytest.mark.parametrize("path", ["/", "/alexa"])
def test_a_signed_request_is_answered(server, pki, path):
    status, answer = post_signed(server, pki, launch_envelope(), path)
    assert status == 200
    assert answer["response"]["outputSpeech"]["ssml"].startswith("<speak>")


@pytest.mark.parametrize("name", bad_request_names())
def test_each_bad_request_is_answered_400_and_the_server_keeps_serving(server, pki, name):
    body, headers, reason = bad_request(pki, name)
    assert server.post(body, headers) == (400, {"error": reason})
    assert post_signed(server, pki, launch_envelope())[0] == 200


@pytest.mark.parametrize("body", [b"", b"not json", encode(launch_envelope())[:-5], b"[]", b"{}"],
                         ids=["empty", "not-json", "truncated", "list", "empty-object"])
def test_a_bad_body_is_answered_400(server, pki, body):
    status, answer = server.post(body, pki.sign(body))
    assert status == 400
    assert list(answer) == ["error"]


def test_a_body_over_the_cap_is_answered_413(server, pki):
    status, answer = server.post(b"{" + b" " * (200 * 1024) + b"}", pki.sign(b"{}"))
    assert (status, answer) == (413, {"error": "request entity too large"})


def test_a_chunked_body_over_the_cap_is_answered_413(server, pki):
    host, port = server.base_url.rsplit("/", 1)[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    chunks = (b"x" * 4096 for _ in range(64))  # 256 KiB, no Content-Length
    connection.request("POST", "/", body=chunks, headers=pki.sign(b"{}"), encode_chunked=True)
    response = connection.getresponse()
    assert response.status == 413
    connection.close()


@pytest.mark.parametrize("chunks", [b"zz\r\nhello\r\n0\r\n\r\n", b"5\r\nhello0\r\n\r\n"],
                         ids=["bad-size", "no-terminator"])
def test_a_broken_chunked_body_is_a_client_error(server, chunks):
    host, port = server.base_url.rsplit("/", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n"
                           b"Connection: close\r\n\r\n" + chunks)
        answer = b""
        while data := connection.recv(65536):
            answer += data
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_are_answered_405(server, method):
    assert server.request(method, "/") == (405, {"error": "method not allowed"})


def test_concurrent_requests_are_all_answered(server, pki):
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda _: post_signed(server, pki, launch_envelope())[0], range(36)))
    assert statuses == [200] * 36


def test_the_server_logs_one_line_per_request_without_user_ids(server, pki):
    envelope = launch_envelope()
    post_signed(server, pki, envelope)
    log = server.log()
    assert envelope["request"]["requestId"] in log
    assert '"verification": "ok"' in log
    assert "amzn1.ask.account" not in log


# --- leg-cramp-helper serve --------------------------------------------------------------------

def serve_command(port: int, *options: str) -> list[str]:
    return [sys.executable, "-m", "skill.cli", "serve", "--port", str(port), "--workers", "1",
            *options]


def test_serve_starts_and_answers_with_verification_off_for_local_testing():
    port = free_port()
    server = start_server(serve_command(port), port,
                          env=subprocess_env(ASK_SDK_VERIFY_SIGNATURE="false"))
    try:
        assert server.get("/healthz") == (200, {"status": "ok"})
        status, answer = server.post(encode(launch_envelope()))
        assert status == 200
        assert answer["response"]["outputSpeech"]["type"] == "SSML"
    finally:
        log = server.stop()
    assert "ASK_SDK_VERIFY_SIGNATURE is off" in log
    assert "BufferingWorker" in log  # gunicorn with the project's worker, not Flask's development server


def test_serve_speaks_tls_and_verifies_by_default(pki, tmp_path):
    key = new_key()
    certificate = make_leaf(pki.root, pki.root_key, key, names=("localhost",),
                            ip_addresses=("127.0.0.1",))
    certfile, keyfile = tmp_path / "server.pem", tmp_path / "server.key"
    certfile.write_bytes(pem(certificate))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    context = ssl.create_default_context(cadata=pki.root_pem.decode("ascii"))
    port = free_port()
    server = start_server(serve_command(port, "--certfile", str(certfile), "--keyfile", str(keyfile)),
                          port, env=subprocess_env(ALEXA_SKILL_ID=SKILL_ID), scheme="https",
                          ssl_context=context)
    try:
        assert server.get("/healthz") == (200, {"status": "ok"})
        # Verification is on by default: an unsigned request is refused.
        assert server.post(encode(launch_envelope())) == (400, {"error": "missing certificate URL"})
    finally:
        server.stop()


@pytest.mark.parametrize("options, env, message", [
    (["--certfile", "cert.pem"], {}, "--certfile and --keyfile go together"),
    (["--certfile", "no-cert.pem", "--keyfile", "no-key.pem"], {}, "no such file"),
    ([], {"ASK_SDK_VERIFY_SIGNATURE": "perhaps"}, "ASK_SDK_VERIFY_SIGNATURE must be true or false"),
    ([], {}, "ALEXA_SKILL_ID is not set"),
    ([], {"ALEXA_SKILL_ID": ""}, "ALEXA_SKILL_ID is not set"),
    ([], {"ALEXA_SKILL_ID": " , "}, "ALEXA_SKILL_ID is not set"),
    ([], {"ASK_SDK_VERIFY_SIGNATURE": "true"}, "ALEXA_SKILL_ID is not set"),
], ids=["certfile-alone", "no-such-file", "unreadable-flag", "no-skill-id", "empty-skill-id",
        "only-commas", "verification-on-no-skill-id"])
def test_serve_refuses_to_start_on_bad_settings(options, env, message):
    finished = subprocess.run(serve_command(free_port(), *options), env=subprocess_env(**env),
                              capture_output=True, text=True, timeout=30)
    assert finished.returncode == 2
    assert message in finished.stderr


# --- malformed HTTP gets the service's short JSON too (gunicorn's own pages are HTML) ---------

def raw_exchange(server, data: bytes) -> bytes:
    host, port = server.base_url.rsplit("/", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(data)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


MALFORMED = {
    "garbage-request-line": (b"HELLO\r\n\r\n", 400),
    "bad-method": (b"P@ST / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "bad-version": (b"POST / HTTP/9.9\r\nHost: x\r\n\r\n", 400),
    "bad-header-name": (b"POST / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400),
    "line-too-long": (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    "too-many-headers": (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % n for n in range(200))
                         + b"\r\n", 431),
    "header-block-too-large": (b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n", 431),
    "two-lengths": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
                    400),
    "bad-length": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n", 400),
    "unknown-transfer-coding": (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
    "bad-chunk-size": (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhi\r\n0\r\n\r\n",
                       400),
    "bad-expectation": (b"POST / HTTP/1.1\r\nHost: x\r\nExpect: tea\r\nContent-Length: 2\r\n\r\n{}", 417),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_http_is_answered_with_a_short_json_error(server, name):
    data, status = MALFORMED[name]
    answer = raw_exchange(server, data)
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    assert status_line.startswith(f"HTTP/1.1 {status} "), answer[:200]
    headers = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in header_lines}
    assert headers["content-type"] == "application/json"
    error = json.loads(body)
    assert list(error) == ["error"] and len(error["error"]) < 40
    assert b"<html" not in answer.lower()


def test_the_server_keeps_serving_after_malformed_http(server, pki):
    for data, _ in MALFORMED.values():
        raw_exchange(server, data)
    assert post_signed(server, pki, launch_envelope())[0] == 200


def test_a_pipelined_pair_of_requests_is_answered_in_order(server):
    answer = raw_exchange(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                                  b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.count(b"HTTP/1.1 ") == 2
    assert answer.index(b"HTTP/1.1 200") < answer.index(b"HTTP/1.1 404")


def test_a_client_that_half_closes_after_its_request_is_answered(server):
    host, port = server.base_url.rsplit("/", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b'{"status":"ok"}')


def test_expect_100_continue_gets_its_go_ahead_and_then_the_answer(server, pki):
    body = encode(launch_envelope())
    headers = "".join(f"{name}: {value}\r\n" for name, value in pki.sign(body).items())
    host, port = server.base_url.rsplit("/", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                           f"Content-Length: {len(body)}\r\nConnection: close\r\n{headers}\r\n".encode())
        assert connection.recv(65536).startswith(b"HTTP/1.1 100 Continue")
        connection.sendall(body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert b"HTTP/1.1 200 OK" in answer


def test_a_flood_of_malformed_http_writes_a_bounded_log(server):
    import time

    before = server.log().count("malformed request")
    start = time.monotonic()
    for _ in range(300):
        raw_exchange(server, b"HELLO " + b"x" * 3000 + b"\r\n\r\n")
    elapsed = time.monotonic() - start
    lines = [line for line in server.log().splitlines() if "malformed request" in line]
    written = len(lines) - before
    # per worker process (2): a burst of 20, then 5 a second, each line short
    assert written <= 2 * (20 + 5 * elapsed + 1), (written, elapsed)
    assert all(len(line) < 300 for line in lines)
    assert "x" * 100 not in server.log()
