"""Prove that a request really came from Alexa, as Amazon requires of a web-service endpoint.

Checks (Amazon's requirements for a skill hosted as a web service):

- ``SignatureCertChainUrl``: https, host s3.amazonaws.com, port 443 or none, path under
  ``/echo.api/`` once normalised;
- the certificate chain it names leads to a trusted root and is in date
  (``cryptography``'s web-PKI path validation), and its leaf is as Amazon requires:
  RSA of at least 2048 bits, digitalSignature key usage where the extension is
  present, and the exact name echo-api.amazon.com (no wildcard);
- ``Signature-256``: RSA PKCS#1 v1.5 with SHA-256 over the exact raw body bytes;
- the request timestamp is within 150 s of now (one hour for ``AlexaSkillEvent.*``).

A validated leaf certificate is cached by URL (bounded, never past its expiry), so a
warm request costs one RSA verify. A request that cannot pass causes no download:
see RequestVerifier. Only the web service imports this module: the
Lambda path never pays for ``cryptography``.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import io
import ipaddress
import posixpath
import re
import socket
import ssl
import threading
import time
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

FETCH_TIMEOUT_SECONDS = 3.0   # the whole download: lookup, connect, TLS, headers, body
FETCH_MAX_BYTES = 64 * 1024  # Amazon's chain is about 6 KB
CACHE_SIZE = 16
FAILURE_MEMORY_SECONDS = 60.0  # a URL whose chain could not be had is not asked for again meanwhile
FAILURE_MEMORY_SIZE = 256
MAX_DOWNLOADS_AT_ONCE = 2  # per process; each holds a server thread for up to FETCH_TIMEOUT_SECONDS
MAX_CERT_URL_CHARS = 512
MIN_RSA_BITS = 2048
SIGNATURE_BYTES = range(256, 1025)  # an RSA signature of 2048 to 8192 bits


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


def _resolve(host: str, port: int, deadline: float) -> list[tuple[Any, ...]]:
    """The addresses of ``host``, or OSError once ``deadline`` (time.monotonic) passes.

    ``getaddrinfo`` takes no timeout, so the lookup runs in a helper thread that the
    caller stops waiting for at the deadline; one lookup per host runs at a time, and
    an answer is kept for a minute, so a stuck resolver holds at most one thread."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    with _lookups_lock:
        lookup = _lookups.get(host)
        if lookup is None or (lookup.done.is_set() and lookup.expires < time.monotonic()):
            lookup = _lookups[host] = _Lookup(host)
    if not lookup.done.wait(max(0.0, deadline - time.monotonic())):
        raise OSError(f"looking up {host} took too long")
    if lookup.error is not None:
        with _lookups_lock:  # a failed lookup is not kept: the next request asks again
            if _lookups.get(host) is lookup:
                del _lookups[host]
        raise lookup.error
    return [(family, kind, proto, "", (address[0], port, *address[2:]))
            for family, kind, proto, _, address in lookup.addresses]


class _Lookup:
    def __init__(self, host: str) -> None:
        self.done = threading.Event()
        self.addresses: list[tuple[Any, ...]] = []
        self.error: OSError | None = None
        self.expires = 0.0
        threading.Thread(target=self._run, args=(host,), daemon=True, name=f"lookup {host}").start()

    def _run(self, host: str) -> None:
        try:
            self.addresses = socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
        except OSError as error:
            self.error = error
        except Exception as error:  # anything else the resolver raises is a failed lookup too
            self.error = OSError(str(error))
        self.expires = time.monotonic() + 60
        self.done.set()


_lookups: dict[str, _Lookup] = {}
_lookups_lock = threading.Lock()


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError(f"certificate download took over {FETCH_TIMEOUT_SECONDS:g} s")
    return left


class _DeadlineReader(io.RawIOBase):
    """Reads a socket, each read waiting at most until the download's deadline, so that
    however the server paces its bytes (status line, headers, body) the whole read
    ends by then. (A socket timeout alone bounds each wait, not the download.)"""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(_remaining(self._deadline))
        return self._sock.recv_into(buffer)


class _DeadlineSocket:
    """What http.client.HTTPResponse needs of a socket: ``makefile``."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._reader = _DeadlineReader(sock, deadline)

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(self._reader)


def _connect(host: str, port: int, deadline: float) -> socket.socket:
    last_error: OSError = OSError(f"no address for {host}")
    for family, kind, proto, _, address in _resolve(host, port, deadline):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(_remaining(deadline))
            sock.connect(address)
            return sock
        except OSError as error:
            sock.close()
            last_error = error
    raise last_error


def fetch_chain_over_https(url: str) -> bytes:
    """GET a PEM chain within one deadline and a size cap. Raises OSError on failure.

    The deadline covers everything: the name lookup, connecting, the TLS handshake,
    sending, the status line, the headers and the body. (``http`` URLs work too, for
    tests with a local server; the verifier only ever asks for ``https``.) No
    redirects and no proxies are followed."""
    deadline = time.monotonic() + FETCH_TIMEOUT_SECONDS
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise OSError(f"cannot fetch {url!r}")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    sock = _connect(host, port, deadline)
    try:
        if parts.scheme == "https":
            sock = _TLS.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
            sock.settimeout(_remaining(deadline))  # Python bounds a whole TLS call by its timeout
            sock.do_handshake()
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = host if parts.port is None else f"{host}:{port}"
        sock.settimeout(_remaining(deadline))
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host_header}\r\nAccept-Encoding: identity\r\n"
                     f"Connection: close\r\nUser-Agent: leg-cramp-helper\r\n\r\n".encode("ascii"))
        response = http.client.HTTPResponse(_DeadlineSocket(sock, deadline), method="GET")  # type: ignore[arg-type]
        try:
            response.begin()
            if response.status != 200:
                raise OSError(f"HTTP {response.status}")
            body = response.read(FETCH_MAX_BYTES + 1)
        except http.client.HTTPException as error:
            raise OSError(f"bad HTTP answer: {type(error).__name__}") from None
        finally:
            response.close()
        if len(body) > FETCH_MAX_BYTES:
            raise OSError(f"certificate chain larger than {FETCH_MAX_BYTES} bytes")
        return body
    finally:
        sock.close()


_TLS = ssl.create_default_context()  # the system's roots (S3's server certificate), hostname checked


@lru_cache(maxsize=64)  # every request names the same URL: work it out once
def normalise_cert_url(url: str) -> str:
    """The URL to fetch for a ``SignatureCertChainUrl``, or RequestVerificationError.

    Scheme and host compare case-insensitively, the path case-sensitively after
    percent-decoding and resolving ``.``/``..``, as Amazon's rules say. A query or a
    fragment is refused: Amazon's URLs have none, and each would name a new download.
    """
    if len(url) > MAX_CERT_URL_CHARS:
        raise RequestVerificationError("bad certificate URL", f"{len(url)} characters")
    if "?" in url or "#" in url:  # Amazon's URLs carry neither; each would be a new cache key
        raise RequestVerificationError("bad certificate URL", "query or fragment")
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
    return f"https://{CERT_HOST}{quote(path)}"


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


@dataclass(frozen=True)
class _Failure:
    error: RequestVerificationError
    until: float  # time.monotonic()


class RequestVerifier:
    """Checks a request's signature and timestamp. Safe to share between threads.

    ``roots``: trusted root certificates as PEM bytes (default: the certifi bundle).
    ``fetch_chain(url) -> bytes``: fetches a PEM chain (default: HTTPS GET under one
    deadline and a size cap). ``clock()``: the current time as an aware datetime.

    No outbound work for a request that cannot pass: the headers are checked first
    (present, a signature of a possible length, a URL Amazon could have sent); the
    validated leaf is cached by its normalised URL; a URL whose chain could not be
    fetched or was refused is remembered for ``failure_seconds``; one download per
    URL runs at a time (others asking for it wait for its outcome), and at most
    MAX_DOWNLOADS_AT_ONCE run at once.
    """

    def __init__(
        self,
        roots: bytes | None = None,
        fetch_chain: Callable[[str], bytes] | None = None,
        clock: Callable[[], datetime] | None = None,
        cache_size: int = CACHE_SIZE,
        failure_seconds: float = FAILURE_MEMORY_SECONDS,
    ) -> None:
        self._store = Store(load_roots(roots if roots is not None else _certifi_roots()))
        self._fetch_chain = fetch_chain or fetch_chain_over_https
        self.clock = clock or _now
        self._cache: OrderedDict[str, _TrustedLeaf] = OrderedDict()
        self._cache_size = cache_size
        self._failures: OrderedDict[str, _Failure] = OrderedDict()
        self._failure_seconds = failure_seconds
        self._in_flight: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def verify_signature(self, headers: Mapping[str, str] | Headers, body: bytes) -> None:
        """Raise RequestVerificationError unless ``body`` is signed by Alexa's certificate."""
        url = headers.get(CERT_URL_HEADER)
        signature_b64 = headers.get(SIGNATURE_HEADER)
        if not url:
            raise RequestVerificationError("missing certificate URL", f"no {CERT_URL_HEADER}")
        if not signature_b64:
            raise RequestVerificationError("missing signature", f"no {SIGNATURE_HEADER}")
        if len(signature_b64) > 2 * SIGNATURE_BYTES.stop:
            raise RequestVerificationError("bad signature", "too long")
        try:
            signature = base64.b64decode(signature_b64.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise RequestVerificationError("bad signature", "not base64") from None
        if len(signature) not in SIGNATURE_BYTES:
            raise RequestVerificationError("bad signature", f"{len(signature)} bytes")
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
        for _ in range(2):  # at most: wait for another thread's download, then take its outcome
            now = self.clock()
            with self._lock:
                cached = self._cache.get(url)
                if cached is not None:
                    if cached.in_date(now):
                        self._cache.move_to_end(url)
                        return cached
                    del self._cache[url]
                failure = self._failures.get(url)
                if failure is not None:
                    if failure.until > time.monotonic():
                        raise RequestVerificationError(failure.error.reason, failure.error.detail)
                    del self._failures[url]
                in_flight = self._in_flight.get(url)
                if in_flight is None:
                    if len(self._in_flight) >= MAX_DOWNLOADS_AT_ONCE:
                        raise RequestVerificationError("certificate unavailable", "too many downloads at once")
                    done = self._in_flight[url] = threading.Event()
                    break
            in_flight.wait(FETCH_TIMEOUT_SECONDS + 1)
        else:
            raise RequestVerificationError("certificate unavailable", "another download did not finish")
        # This thread downloads; outside the lock, so a slow download stalls no other request.
        try:
            leaf = self._validate_chain(self._fetch(url), now)
        except RequestVerificationError as error:
            with self._lock:
                self._failures[url] = _Failure(error, time.monotonic() + self._failure_seconds)
                while len(self._failures) > FAILURE_MEMORY_SIZE:
                    self._failures.popitem(last=False)
            raise
        else:
            with self._lock:
                self._cache[url] = leaf
                self._cache.move_to_end(url)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            return leaf
        finally:
            with self._lock:
                del self._in_flight[url]
            done.set()

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
        problem = _leaf_problem(leaf, public_key)
        if problem:
            raise RequestVerificationError("bad certificate chain", problem)
        assert isinstance(public_key, rsa.RSAPublicKey)
        # Trusted only while every certificate of the validated path is in date.
        return _TrustedLeaf(public_key,
                            max(cert.not_valid_before_utc for cert in chain),
                            min(cert.not_valid_after_utc for cert in chain))


def _leaf_problem(leaf: x509.Certificate, public_key: Any) -> str | None:
    """What Amazon's rules forbid in a leaf that web-PKI validation lets through: a key
    that is not RSA of at least 2048 bits, key usage without digitalSignature, or a
    name other than exactly echo-api.amazon.com (a wildcard such as *.amazon.com
    covers it for web browsing, not for signing Alexa's requests)."""
    if not isinstance(public_key, rsa.RSAPublicKey):
        return "leaf key is not RSA"
    if public_key.key_size < MIN_RSA_BITS:
        return f"leaf key of {public_key.key_size} bits"
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        pass
    else:
        if not usage.digital_signature:
            return "leaf key usage forbids digital signatures"
    try:
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return "leaf has no subject alternative name"
    if SIGNING_NAME not in [name.lower() for name in names.get_values_for_type(x509.DNSName)]:
        return f"leaf does not name {SIGNING_NAME} exactly"
    return None
