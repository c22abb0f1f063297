"""No outbound work for a request that cannot pass: the certificate chain is fetched
only for a request whose headers could be Alexa's, once per URL at a time, and a
failure is remembered. Against the real server (gunicorn on 127.0.0.1) and the
verifier itself."""

from __future__ import annotations

import base64
import http.client
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from skill.devtools.signing import CERT_URL, cert_url
from skill.web.verify import RequestVerificationError
from tests.support.requests import SKILL_ID, encode, launch_envelope
from tests.support.server import start_test_server

pytestmark = pytest.mark.usefixtures("no_network")

REQUESTS = 2000


def well_formed_signature() -> str:
    return base64.b64encode(os.urandom(256)).decode("ascii")


def unsigned_headers(number: int) -> tuple[dict[str, str], str]:
    """The headers of the ``number``th request that cannot pass, each with a certificate
    URL no other request names, and the error it must get."""
    kind = number % 6
    if kind == 0:  # Amazon's URL made distinct by a query, and no signature
        return {"SignatureCertChainUrl": f"{CERT_URL}?n={number}"}, "missing signature"
    if kind == 1:  # a distinct path under /echo.api/, no signature
        return {"SignatureCertChainUrl": cert_url(f"n-{number}.pem")}, "missing signature"
    if kind == 2:  # a signature that is not base64
        return {"SignatureCertChainUrl": cert_url(f"n-{number}.pem"),
                "Signature-256": "not base64!"}, "bad signature"
    if kind == 3:  # base64, but no RSA key's length
        return {"SignatureCertChainUrl": cert_url(f"n-{number}.pem"),
                "Signature-256": base64.b64encode(os.urandom(40)).decode()}, "bad signature"
    if kind == 4:  # a well-formed signature, and a query
        return {"SignatureCertChainUrl": f"{CERT_URL}?n={number}",
                "Signature-256": well_formed_signature()}, "bad certificate URL"
    return {"SignatureCertChainUrl": f"{CERT_URL}#n={number}",  # ... and a fragment
            "Signature-256": well_formed_signature()}, "bad certificate URL"


def test_unsigned_requests_with_distinct_certificate_urls_cause_no_download(pki, tmp_path):
    import json

    server = start_test_server(pki, tmp_path, {"ALEXA_SKILL_ID": SKILL_ID})
    record = tmp_path / "fetched.log"
    host, port = server.base_url.rsplit("/", 1)[1].split(":")
    try:
        for _ in range(4):  # the genuine chain: fetched at most once per worker process
            genuine = encode(launch_envelope())
            assert server.post(genuine, pki.sign(genuine))[0] == 200
        body = encode(launch_envelope())

        def send(numbers: range) -> list[tuple[int, str, str]]:
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            answers = []
            for number in numbers:
                headers, expected = unsigned_headers(number)
                connection.request("POST", "/", body=body,
                                   headers={"Content-Type": "application/json", **headers})
                response = connection.getresponse()
                answers.append((response.status, json.loads(response.read())["error"], expected))
            connection.close()
            return answers

        share = REQUESTS // 4
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = [answer for part in pool.map(send, [range(n * share, (n + 1) * share)
                                                          for n in range(4)]) for answer in part]
        assert len(answers) == REQUESTS
        assert all(status == 400 and error == expected for status, error, expected in answers), \
            [answer for answer in answers if answer[:2] != (400, answer[2])][:5]
        for _ in range(4):  # and a genuine request is still answered
            genuine = encode(launch_envelope())
            assert server.post(genuine, pki.sign(genuine))[0] == 200
        downloads = record.read_text().split()
        # the 2,000 distinct URLs made no download: only the genuine chain, once per worker (2)
        assert set(downloads) == {CERT_URL} and len(downloads) <= 2, downloads
    finally:
        server.stop()


def test_concurrent_requests_for_one_new_url_share_one_download(pki):
    """Eight threads ask at once for a chain whose download takes a while: one download."""
    fetched, started = [], threading.Event()

    def slow_fetch(url: str) -> bytes:
        fetched.append(url)
        started.set()
        time.sleep(0.5)
        return pki.chains["echo-api-cert.pem"]

    verifier = pki.verifier(fetch_chain=slow_fetch)
    body = encode(launch_envelope())
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: verifier.verify_signature(pki.sign(body), body), range(8)))
    assert fetched == [CERT_URL]


def test_downloads_at_once_are_capped_and_the_rest_refused_without_one(pki):
    from skill.web import verify

    release, fetched = threading.Event(), []

    def held_fetch(url: str) -> bytes:
        fetched.append(url)
        release.wait(10)
        return pki.chains["echo-api-cert.pem"]

    verifier = pki.verifier(fetch_chain=held_fetch)
    body = encode(launch_envelope())
    urls = [cert_url(f"held-{n}.pem") for n in range(verify.MAX_DOWNLOADS_AT_ONCE)]
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        held = [pool.submit(verifier.verify_signature, pki.sign(body, cert_url=url), body)
                for url in urls]
        deadline = time.monotonic() + 10
        while len(fetched) < len(urls) and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(RequestVerificationError) as refused:
            verifier.verify_signature(pki.sign(body, cert_url=cert_url("one-more.pem")), body)
        release.set()
        for future in held:
            future.result()
    assert refused.value.reason == "certificate unavailable"
    assert sorted(fetched) == sorted(urls)
