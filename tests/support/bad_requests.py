"""Requests an endpoint must refuse, as a table: each row names what is wrong with a
signed HelpIntent request and the JSON error the endpoint must answer (400).

``bad_request(pki, name)`` makes the row's request now (so timestamps are fresh) for
an endpoint with ``pki.verifier()`` and ALEXA_SKILL_ID=SKILL_ID.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from skill.devtools.signing import CERT_URL, cert_url, new_key, now_utc
from tests.support.pki import TestPKI
from tests.support.requests import encode, intent_envelope

GOOD_CERT_URLS = (
    CERT_URL,
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "HTTPS://S3.AmazonAWS.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
)

BAD_CERT_URLS = {
    "http": "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "other-host": "https://notamazon.com/echo.api/echo-api-cert.pem",
    "host-suffix": "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
    "credentials": "https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert.pem",
    "other-port": "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
    "path-case": "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
    "outside-echo-api": "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
    "echo-api-prefix": "https://s3.amazonaws.com/echo.api.evil/echo-api-cert.pem",
    "dot-dot": "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
    "encoded-dot-dot": "https://s3.amazonaws.com/echo.api/%2e%2e/invalid.path/echo-api-cert.pem",
    "backslash-dot-dot": "https://s3.amazonaws.com/echo.api/..\\invalid.path/echo-api-cert.pem",
    "relative": "echo.api/echo-api-cert.pem",
    "query": "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?n=1",
    "empty-query": "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?",
    "fragment": "https://s3.amazonaws.com/echo.api/echo-api-cert.pem#n=1",
    "too-long": "https://s3.amazonaws.com/echo.api/" + "a" * 600 + ".pem",
}


@dataclass(frozen=True)
class Bad:
    """One way a request goes wrong. Unset fields are as Alexa sends them."""

    error: str                                   # the JSON error the endpoint must answer
    cert_url: str = CERT_URL                     # the SignatureCertChainUrl header
    other_key: bool = False                      # signed by a key the chain is not for
    tampered: bool = False                       # the body changed after signing
    dropped: tuple[str, ...] = ()                # headers left out
    replaced: dict[str, str] = field(default_factory=dict)  # headers with other values
    seconds_off: int = 0                         # the request's timestamp this far from now
    skill_id: str | None = None                  # another skill's id


BAD_REQUESTS: dict[str, Bad] = {
    "tampered-body": Bad("bad signature", tampered=True),
    "other-key": Bad("bad signature", other_key=True),
    "expired-leaf": Bad("bad certificate chain", cert_url=cert_url("expired.pem")),
    "not-yet-valid-leaf": Bad("bad certificate chain", cert_url=cert_url("not-yet-valid.pem")),
    "wrong-name-leaf": Bad("bad certificate chain", cert_url=cert_url("wrong-name.pem")),
    "untrusted-root": Bad("bad certificate chain", cert_url=cert_url("untrusted-root.pem")),
    "certificate-unavailable": Bad("certificate unavailable", cert_url=cert_url("missing.pem")),
    "missing-cert-url": Bad("missing certificate URL", dropped=("SignatureCertChainUrl",)),
    "missing-signature": Bad("missing signature", dropped=("Signature-256",)),
    "signature-not-base64": Bad("bad signature", replaced={"Signature-256": "not*base64!"}),
    "old-timestamp": Bad("bad timestamp", seconds_off=-300),
    "future-timestamp": Bad("bad timestamp", seconds_off=300),
    "foreign-skill-id": Bad("unknown skill", skill_id="amzn1.ask.skill.someone-else"),
    **{f"url-{name}": Bad("bad certificate URL", cert_url=url) for name, url in BAD_CERT_URLS.items()},
}


def bad_request_names() -> list[str]:
    """The names ``bad_request`` knows, for pytest.mark.parametrize."""
    return list(BAD_REQUESTS)


def bad_request(pki: TestPKI, name: str) -> tuple[bytes, dict[str, str], str]:
    """(body, headers, the expected JSON error) for the row ``name``."""
    bad = BAD_REQUESTS[name]
    extra = {"skill_id": bad.skill_id} if bad.skill_id else {}
    if bad.seconds_off:
        extra["timestamp"] = now_utc() + timedelta(seconds=bad.seconds_off)
    body = encode(intent_envelope("AMAZON.HelpIntent", **extra))
    headers = pki.sign(body, key=new_key() if bad.other_key else None, cert_url=bad.cert_url)
    for header in bad.dropped:
        del headers[header]
    headers.update(bad.replaced)
    if bad.tampered:
        body = body.replace(b"HelpIntent", b"StopIntent")
    return body, headers, bad.error
