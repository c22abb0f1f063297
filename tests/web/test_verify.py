"""skill.verify: Amazon's rules for proving a request came from Alexa, with real
signatures and certificates made at test time (see tests/support/ and skill/devtools/signing.py)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from skill.devtools.signing import CERT_URL, cert_url, now_utc
from skill.web.verify import RequestVerificationError, RequestVerifier, normalise_cert_url
from tests.support.bad_requests import BAD_CERT_URLS, GOOD_CERT_URLS, bad_request, bad_request_names
from tests.support.requests import encode, intent_envelope, launch_envelope, skill_event

pytestmark = pytest.mark.usefixtures("no_network")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = now_utc()

    def __call__(self):
        return self.now


def verify(verifier: RequestVerifier, body: bytes, headers: dict[str, str]) -> None:
    verifier.verify_signature(headers, body)
    verifier.verify_timestamp(json.loads(body))


def test_a_correctly_signed_request_passes(pki):
    body = encode(launch_envelope())
    verify(pki.verifier(), body, pki.sign(body))


@pytest.mark.parametrize("url", GOOD_CERT_URLS)
def test_every_allowed_url_form_passes_and_fetches_the_normalised_url(pki, url):
    pki.fetched.clear()
    body = encode(launch_envelope())
    pki.verifier().verify_signature(pki.sign(body, cert_url=url), body)
    assert pki.fetched == [CERT_URL]


# The skill id is the web layer's check (test_web).
@pytest.mark.parametrize("name", [name for name in bad_request_names() if name != "foreign-skill-id"])
def test_each_bad_request_is_refused_with_its_reason(pki, name):
    body, headers, reason = bad_request(pki, name)
    with pytest.raises(RequestVerificationError) as refused:
        verify(pki.verifier(), body, headers)
    assert refused.value.reason == reason


@pytest.mark.parametrize("url", BAD_CERT_URLS.values(), ids=BAD_CERT_URLS.keys())
def test_a_bad_certificate_url_is_never_fetched(pki, url):
    pki.fetched.clear()
    with pytest.raises(RequestVerificationError):
        normalise_cert_url(url)
    body = encode(launch_envelope())
    with pytest.raises(RequestVerificationError):
        pki.verifier().verify_signature(pki.sign(body, cert_url=url), body)
    assert pki.fetched == []


def test_the_chain_is_validated_once_then_reused(pki):
    pki.fetched.clear()
    verifier = pki.verifier()
    for _ in range(5):
        body = encode(launch_envelope())
        verifier.verify_signature(pki.sign(body), body)
    assert pki.fetched == [CERT_URL]


def test_a_cached_certificate_past_its_expiry_is_not_used(pki):
    clock = Clock()
    verifier = pki.verifier(clock=clock)
    pki.fetched.clear()
    body = encode(launch_envelope())
    verifier.verify_signature(pki.sign(body), body)
    clock.now += timedelta(days=400)  # past the leaf's not_after
    with pytest.raises(RequestVerificationError) as refused:
        verifier.verify_signature(pki.sign(body), body)
    assert refused.value.reason == "bad certificate chain"
    assert pki.fetched == [CERT_URL, CERT_URL]  # fetched again, and the fresh copy is expired too


@pytest.mark.parametrize("name", ["wrong-name.pem", "missing.pem"])
def test_a_refused_or_unavailable_chain_is_remembered_for_a_while(pki, name):
    pki.fetched.clear()
    url = cert_url(name)
    body = encode(launch_envelope())
    for failure_seconds, downloads in ((60, 1), (0, 2)):
        pki.fetched.clear()
        verifier = pki.verifier(failure_seconds=failure_seconds)
        reasons = set()
        for _ in range(2):
            with pytest.raises(RequestVerificationError) as refused:
                verifier.verify_signature(pki.sign(body, cert_url=url), body)
            reasons.add(refused.value.reason)
        assert len(reasons) == 1  # the remembered failure is answered as the first was
        assert pki.fetched == [url] * downloads


def test_the_cache_is_bounded(pki):
    urls = [cert_url(f"copy-{n}.pem") for n in range(3)]  # three cache keys, one chain
    fetched = []

    def any_name_is_the_good_chain(url):
        fetched.append(url)
        return pki.chains["echo-api-cert.pem"]

    verifier = pki.verifier(cache_size=2, fetch_chain=any_name_is_the_good_chain)
    body = encode(launch_envelope())
    for url in [*urls, urls[2], urls[0]]:
        verifier.verify_signature(pki.sign(body, cert_url=url), body)
    # urls[0] was evicted by urls[2]; urls[2] was still cached
    assert fetched == [*urls, urls[0]]


def test_the_verifier_is_safe_to_share_between_threads(pki):
    pki.fetched.clear()
    verifier = pki.verifier()
    failures = []

    def worker():
        for _ in range(20):
            body = encode(launch_envelope())
            try:
                verifier.verify_signature(pki.sign(body), body)
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert pki.fetched == [CERT_URL]  # one download in flight per URL: the others waited for it


def test_a_fetch_that_fails_in_any_way_is_a_verification_error(pki):
    def broken(url):
        raise RuntimeError("boom")

    body = encode(launch_envelope())
    with pytest.raises(RequestVerificationError) as refused:
        pki.verifier(fetch_chain=broken).verify_signature(pki.sign(body), body)
    assert refused.value.reason == "certificate unavailable"


@pytest.mark.parametrize("chain", [b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\nAAAA\n"
                                   b"-----END CERTIFICATE-----\n"])
def test_an_unreadable_chain_is_refused(pki, chain):
    body = encode(launch_envelope())
    with pytest.raises(RequestVerificationError) as refused:
        pki.verifier(fetch_chain=lambda url: chain).verify_signature(pki.sign(body), body)
    assert refused.value.reason == "bad certificate chain"


@pytest.mark.parametrize("seconds, accepted", [(-149, True), (149, True), (-151, False), (151, False)])
def test_requests_have_150_seconds(pki, seconds, accepted):
    clock = Clock()
    envelope = intent_envelope("AMAZON.HelpIntent", timestamp=clock.now + timedelta(seconds=seconds))
    check = pki.verifier(clock=clock).verify_timestamp
    if accepted:
        check(envelope)
    else:
        with pytest.raises(RequestVerificationError):
            check(envelope)


@pytest.mark.parametrize("minutes, accepted", [(-59, True), (-61, False)])
def test_skill_events_have_an_hour(pki, minutes, accepted):
    clock = Clock()
    envelope = skill_event(timestamp=clock.now + timedelta(minutes=minutes))
    check = pki.verifier(clock=clock).verify_timestamp
    if accepted:
        check(envelope)
    else:
        with pytest.raises(RequestVerificationError):
            check(envelope)


@pytest.mark.parametrize("stamp", [None, "", "yesterday", True, [], "2024-13-45T00:00:00Z"])
def test_an_unreadable_timestamp_is_refused(pki, stamp):
    envelope = launch_envelope()
    envelope["request"]["timestamp"] = stamp
    with pytest.raises(RequestVerificationError) as refused:
        pki.verifier().verify_timestamp(envelope)
    assert refused.value.reason == "bad timestamp"


def test_the_default_roots_are_the_certifi_bundle_and_do_not_trust_the_test_root(pki):
    body = encode(launch_envelope())
    with pytest.raises(RequestVerificationError) as refused:
        RequestVerifier(fetch_chain=pki.fetch_chain).verify_signature(pki.sign(body), body)
    assert refused.value.reason == "bad certificate chain"
