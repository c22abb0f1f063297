"""Prove that a request really came from Alexa, as Amazon requires of a web-service endpoint.

Checks (see "Alexa's limits" in DESIGN.md):

- ``SignatureCertChainUrl``: https, host s3.amazonaws.com, port 443 or none, path under
  ``/echo.api/`` once normalised;
- the certificate chain it names leads to a trusted root, is in date, and the leaf
  names echo-api.amazon.com (``cryptography``'s web-PKI path validation);
- ``Signature-256``: RSA PKCS#1 v1.5 with SHA-256 over the exact raw body bytes;
- the request timestamp is within 150 s of now (one hour for ``AlexaSkillEvent.*``).

A validated leaf certificate is cached by URL (bounded, never past its expiry), so a
warm request costs one RSA verify. Only the web service imports this module: the
Lambda path never pays for ``cryptography``.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
import threading
import time
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import DNSName
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

if TYPE_CHECKING:
    from werkzeug.datastructures import Headers

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"

CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
SIGNING_NAME = "echo-api.amazon.com"

REQUEST_TOLERANCE = timedelta(seconds=150)
SKILL_EVENT_TOLERANCE = timedelta(hours=1)
SKILL_EVENT_PREFIX = "AlexaSkillEvent."

FETCH_TIMEOUT_SECONDS = 3.0   # the whole download, however the server paces it
FETCH_READ_TIMEOUT_SECONDS = 1.0  # any one wait for the server (connect, or a read)
FETCH_MAX_BYTES = 64 * 1024  # Amazon's chain is about 6 KB
CACHE_SIZE = 16


class RequestVerificationError(Exception):
    """The request cannot be shown to come from Alexa.

    ``reason`` is short and safe to send back to the client; ``detail`` is for the log.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class _TrustedLeaf:
    public_key: rsa.RSAPublicKey
    not_before: datetime
    not_after: datetime

    def in_date(self, now: datetime) -> bool:
        return self.not_before <= now <= self.not_after


def _now() -> datetime:
    return datetime.now(UTC)


def _certifi_roots() -> bytes:
    import certifi

    with open(certifi.where(), "rb") as bundle:
        return bundle.read()


_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


def load_roots(bundle: bytes) -> list[x509.Certificate]:
    """The certificates in a PEM bundle, skipping any that cryptography will not load
    (certifi carries a few old roots that break RFC 5280), so one bad root cannot
    take the whole store down."""
    roots = []
    for block in _PEM_CERT.findall(bundle):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    if not roots:
        raise ValueError("no usable root certificate")
    return roots


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect then surfaces as an HTTPError


_opener = urllib.request.build_opener(_NoRedirect)


def fetch_chain_over_https(url: str) -> bytes:
    """GET a PEM chain within a deadline and a size cap. Raises OSError on failure.

    A socket timeout alone bounds each wait, not the download: a server sending a
    byte now and then would hold the request (and a server thread) for as long as
    it liked. So the body is read in pieces against a deadline."""
    deadline = time.monotonic() + FETCH_TIMEOUT_SECONDS
    chunks, size = [], 0
    with _opener.open(url, timeout=FETCH_READ_TIMEOUT_SECONDS) as response:
        while chunk := response.read1(FETCH_MAX_BYTES + 1 - size):
            chunks.append(chunk)
            size += len(chunk)
            if size > FETCH_MAX_BYTES:
                raise OSError(f"certificate chain larger than {FETCH_MAX_BYTES} bytes")
            if time.monotonic() > deadline:
                raise OSError(f"certificate download took over {FETCH_TIMEOUT_SECONDS:g} s")
    return b"".join(chunks)


@lru_cache(maxsize=64)  # every request names the same URL: work it out once
def normalise_cert_url(url: str) -> str:
    """The URL to fetch for a ``SignatureCertChainUrl``, or RequestVerificationError.

    Scheme and host compare case-insensitively, the path case-sensitively after
    percent-decoding and resolving ``.``/``..``, as Amazon's rules say.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise RequestVerificationError("bad certificate URL", str(error)) from None
    if parts.scheme.lower() != "https":
        raise RequestVerificationError("bad certificate URL", f"scheme {parts.scheme!r}")
    if parts.username is not None or parts.password is not None:
        raise RequestVerificationError("bad certificate URL", "credentials in URL")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise RequestVerificationError("bad certificate URL", f"host {parts.hostname!r}")
    if port not in (None, 443):
        raise RequestVerificationError("bad certificate URL", f"port {port}")
    raw_path = unquote(parts.path)
    if "\\" in raw_path or not raw_path.startswith("/"):
        raise RequestVerificationError("bad certificate URL", f"path {parts.path!r}")
    path = posixpath.normpath(raw_path)
    if not path.startswith(CERT_PATH_PREFIX):
        raise RequestVerificationError("bad certificate URL", f"path {parts.path!r}")
    query = f"?{parts.query}" if parts.query else ""
    return f"https://{CERT_HOST}{quote(path)}{query}"


def parse_timestamp(value: Any) -> datetime:
    """An Alexa request timestamp (ISO 8601, or epoch seconds/milliseconds) as aware UTC."""
    if isinstance(value, bool):
        raise ValueError("not a timestamp")
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed
    raise ValueError("not a timestamp")


class RequestVerifier:
    """Checks a request's signature and timestamp. Safe to share between threads.

    ``roots``: trusted root certificates as PEM bytes (default: the certifi bundle).
    ``fetch_chain(url) -> bytes``: fetches a PEM chain (default: HTTPS GET with a short
    timeout and a size cap). ``clock()``: the current time as an aware datetime.
    """

    def __init__(
        self,
        roots: bytes | None = None,
        fetch_chain: Callable[[str], bytes] | None = None,
        clock: Callable[[], datetime] | None = None,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self._store = Store(load_roots(roots if roots is not None else _certifi_roots()))
        self._fetch_chain = fetch_chain or fetch_chain_over_https
        self.clock = clock or _now
        self._cache: OrderedDict[str, _TrustedLeaf] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def verify_signature(self, headers: Mapping[str, str] | Headers, body: bytes) -> None:
        """Raise RequestVerificationError unless ``body`` is signed by Alexa's certificate."""
        url = headers.get(CERT_URL_HEADER)
        signature_b64 = headers.get(SIGNATURE_HEADER)
        if not url:
            raise RequestVerificationError("missing certificate URL", f"no {CERT_URL_HEADER}")
        if not signature_b64:
            raise RequestVerificationError("missing signature", f"no {SIGNATURE_HEADER}")
        try:
            signature = base64.b64decode(signature_b64.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise RequestVerificationError("bad signature", "not base64") from None
        leaf = self._trusted_leaf(normalise_cert_url(url))
        try:
            leaf.public_key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise RequestVerificationError("bad signature", "does not match the body") from None

    def verify_timestamp(self, envelope: Mapping[str, Any]) -> None:
        """Raise RequestVerificationError unless the request is recent (150 s; skill events 1 h)."""
        request = envelope.get("request")
        if not isinstance(request, Mapping):
            raise RequestVerificationError("bad timestamp", "no request")
        try:
            stamp = parse_timestamp(request.get("timestamp"))
        except (ValueError, OverflowError, OSError):
            raise RequestVerificationError("bad timestamp", "missing or unreadable") from None
        request_type = request.get("type")
        is_skill_event = isinstance(request_type, str) and request_type.startswith(SKILL_EVENT_PREFIX)
        tolerance = SKILL_EVENT_TOLERANCE if is_skill_event else REQUEST_TOLERANCE
        skew = abs(self.clock() - stamp)
        if skew > tolerance:
            raise RequestVerificationError("bad timestamp", f"{skew.total_seconds():.0f} s off")

    def _trusted_leaf(self, url: str) -> _TrustedLeaf:
        now = self.clock()
        with self._lock:
            cached = self._cache.get(url)
            if cached is not None:
                if cached.in_date(now):
                    self._cache.move_to_end(url)
                    return cached
                del self._cache[url]
        # Fetch and validate outside the lock: a slow download must not stall other requests.
        leaf = self._validate_chain(self._fetch(url), now)
        with self._lock:
            self._cache[url] = leaf
            self._cache.move_to_end(url)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return leaf

    def _fetch(self, url: str) -> bytes:
        try:
            return self._fetch_chain(url)
        except Exception as error:  # any failure to fetch is the client's problem: 400
            raise RequestVerificationError("certificate unavailable", f"{url}: {error}") from None

    def _validate_chain(self, pem: bytes, now: datetime) -> _TrustedLeaf:
        try:
            certs = x509.load_pem_x509_certificates(pem)
        except ValueError as error:
            raise RequestVerificationError("bad certificate chain", f"unreadable: {error}") from None
        leaf, intermediates = certs[0], certs[1:]
        verifier = (PolicyBuilder().store(self._store).time(now)
                    .build_server_verifier(DNSName(SIGNING_NAME)))
        try:
            chain = verifier.verify(leaf, intermediates)
            public_key = leaf.public_key()
        except (VerificationError, ValueError, UnsupportedAlgorithm) as error:
            raise RequestVerificationError("bad certificate chain", str(error)) from None
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise RequestVerificationError("bad certificate chain", "leaf key is not RSA")
        # Trusted only while every certificate of the validated path is in date.
        return _TrustedLeaf(public_key,
                            max(cert.not_valid_before_utc for cert in chain),
                            min(cert.not_valid_after_utc for cert in chain))
