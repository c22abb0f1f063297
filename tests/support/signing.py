"""Test helpers: sign Alexa requests as Amazon does, with certificates made at test time.

Nothing here touches the network. Typical use::

    pki = TestPKI.create()
    verifier = pki.verifier()            # trusts pki.root; "fetches" chains from pki.chains
    body = encode(intent_request("AMAZON.HelpIntent"))
    headers = pki.sign(body)             # SignatureCertChainUrl + Signature-256
    client.post("/", data=body, headers=headers)

- ``TestPKI`` also publishes bad chains (expired, not yet valid, another name, an
  untrusted root) under their own URLs: ``pki.sign(body, cert_url=cert_url("expired.pem"))``.
- ``bad_request(pki, name)`` for each of ``bad_request_names()``: a request an endpoint
  must answer 400, with the JSON error it must give.
- ``start_test_server(pki, folder, config)``: the real server (gunicorn) trusting the
  test root, on a free port (each download it makes is a line of FOLDER/fetched.log);
  ``start_server(command, port)`` for any other command.
  Both wait until ``GET /healthz`` answers; ``server.stop()`` returns its log.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from skill.devtools import envelopes

REPO = Path(__file__).resolve().parents[2]
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"
SIGNING_NAME = "echo-api.amazon.com"
SKILL_ID = envelopes.SKILL_ID


def now_utc() -> datetime:
    return datetime.now(UTC)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_root(key: rsa.RSAPrivateKey, common_name: str = "Test Root CA") -> x509.Certificate:
    """A self-signed root CA, valid from yesterday for ten years."""
    start = now_utc() - timedelta(days=1)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def make_leaf(
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    key: rsa.RSAPrivateKey,
    *,
    names: tuple[str, ...] = (SIGNING_NAME,),
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    ip_addresses: tuple[str, ...] = (),
) -> x509.Certificate:
    """A server certificate signed by ``issuer``; by default an echo-api.amazon.com leaf
    valid from an hour ago for a year."""
    import ipaddress

    not_before = not_before or now_utc() - timedelta(hours=1)
    not_after = not_after or not_before + timedelta(days=365)
    alt_names: list[x509.GeneralName] = [x509.DNSName(name) for name in names]
    alt_names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    return (
        x509.CertificateBuilder()
        .subject_name(_name(names[0] if names else "no-name"))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                     key_encipherment=True, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                              ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                       critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


CHAIN_FILES = ("echo-api-cert.pem", "expired.pem", "not-yet-valid.pem", "wrong-name.pem",
               "untrusted-root.pem")


@dataclass
class TestPKI:
    """A root CA and, under it, certificate chains for one signing key, published as
    files under https://s3.amazonaws.com/echo.api/ (see ``fetch_chain``):

    - ``echo-api-cert.pem``: a good echo-api.amazon.com leaf (``CERT_URL``);
    - ``expired.pem``, ``not-yet-valid.pem``: the same leaf out of date;
    - ``wrong-name.pem``: a leaf for another name;
    - ``untrusted-root.pem``: a good-looking leaf issued by a root nobody trusts.

    Every leaf has ``leaf_key``, so a request signed by it fails only because of the
    certificate its URL names.
    """

    __test__ = False  # not a pytest test class

    root_key: rsa.RSAPrivateKey
    root: x509.Certificate
    leaf_key: rsa.RSAPrivateKey
    chains: dict[str, bytes]
    fetched: list[str] = field(default_factory=list)

    @classmethod
    def create(cls) -> TestPKI:
        root_key, leaf_key, stranger_key = new_key(), new_key(), new_key()
        root = make_root(root_key)
        stranger = make_root(stranger_key, "Untrusted Root CA")
        now = now_utc()

        def leaf(issuer=root, issuer_key=root_key, **kwargs: Any) -> bytes:
            return pem(make_leaf(issuer, issuer_key, leaf_key, **kwargs))

        chains = {
            "echo-api-cert.pem": leaf(),
            "expired.pem": leaf(not_before=now - timedelta(days=30), not_after=now - timedelta(days=1)),
            "not-yet-valid.pem": leaf(not_before=now + timedelta(days=1),
                                      not_after=now + timedelta(days=30)),
            "wrong-name.pem": leaf(names=("echo-api.example.com",)),
            "untrusted-root.pem": leaf(stranger, stranger_key),
        }
        return cls(root_key, root, leaf_key, chains)

    @property
    def root_pem(self) -> bytes:
        return pem(self.root)

    def fetch_chain(self, url: str) -> bytes:
        """A ``fetch_chain`` for RequestVerifier: records the URL and answers the chain
        its file name names; an unknown name fails as a 404 would."""
        self.fetched.append(url)
        name = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
        if name not in self.chains:
            raise OSError(f"HTTP Error 404: {url}")
        return self.chains[name]

    def verifier(self, **kwargs: Any):
        """A RequestVerifier trusting this root and fetching from ``self.fetch_chain``."""
        from skill.web.verify import RequestVerifier

        kwargs.setdefault("fetch_chain", self.fetch_chain)
        return RequestVerifier(roots=self.root_pem, **kwargs)

    def sign(self, body: bytes, *, key: rsa.RSAPrivateKey | None = None,
             cert_url: str = CERT_URL) -> dict[str, str]:
        """The headers Alexa sends with ``body``, signed by ``key`` (default: the leaf's)."""
        return signed_headers(body, key or self.leaf_key, cert_url)

    def write(self, folder: Path) -> Path:
        """Write root.pem and chains/*.pem into ``folder``, for a server in another process."""
        (folder / "chains").mkdir(parents=True, exist_ok=True)
        (folder / "root.pem").write_bytes(self.root_pem)
        for name, chain in self.chains.items():
            (folder / "chains" / name).write_bytes(chain)
        return folder


def cert_url(name: str) -> str:
    return f"https://s3.amazonaws.com/echo.api/{name}"


def signed_headers(body: bytes, key: rsa.RSAPrivateKey, cert_url: str = CERT_URL) -> dict[str, str]:
    signature = key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    return {
        "Content-Type": "application/json; charset=utf-8",
        "SignatureCertChainUrl": cert_url,
        "Signature-256": base64.b64encode(signature).decode("ascii"),
    }


# --- request envelopes (skill.envelopes builds them; these add what signing tests vary) ---

def alexa_timestamp(when: datetime | None = None) -> str:
    return (when or now_utc()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(request: dict[str, Any], *, skill_id: str = SKILL_ID, locale: str = "en-GB",
             new_session: bool = True, attributes: dict[str, Any] | None = None,
             timestamp: datetime | None = None) -> dict[str, Any]:
    """A realistic Alexa request envelope around ``request`` (``{"type": ..., ...}``),
    for skill ``skill_id``, stamped ``timestamp`` (default now). Like
    skill.envelopes it carries no apiAccessToken, so the skill calls no Alexa API."""
    return envelopes.request_envelope(request, locale=locale, new=new_session,
                                      attributes=attributes, application_id=skill_id,
                                      timestamp=alexa_timestamp(timestamp))


def launch_request(**kwargs: Any) -> dict[str, Any]:
    return envelope({"type": "LaunchRequest"}, **kwargs)


def intent_request(intent: str, **kwargs: Any) -> dict[str, Any]:
    return envelope(envelopes.intent_request(intent), **kwargs)


def skill_event(event_type: str = "AlexaSkillEvent.SkillEnabled", **kwargs: Any) -> dict[str, Any]:
    data = envelope({"type": event_type, "eventCreationTime": alexa_timestamp()}, **kwargs)
    del data["session"]  # skill events come outside any session
    return data


def encode(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def forbid_network(monkeypatch) -> None:
    """Make any name lookup other than the loopback fail at once, so a test that would
    reach the network fails instead of waiting on DNS. For an autouse fixture."""
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "::1", None):
            raise OSError(f"tests make no network calls (asked for {host!r})")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


# --- a real server in another process -------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SETTINGS = ("ASK_SDK_VERIFY_SIGNATURE", "ASK_SDK_VERIFY_TIMESTAMP", "ALEXA_SKILL_ID",
            "ALEXA_MAX_BODY_BYTES")


def subprocess_env(*extra_paths: Path, **env: str) -> dict[str, str]:
    """os.environ without the skill's settings (SETTINGS), with the repository (and
    ``extra_paths``) importable, plus ``env``."""
    merged = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    paths = [str(REPO), *map(str, extra_paths)]
    if merged.get("PYTHONPATH"):
        paths.append(merged["PYTHONPATH"])
    merged["PYTHONPATH"] = os.pathsep.join(paths)
    merged.update(env)
    return merged


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    log_file: Any  # the server's stderr, a temporary file (a pipe could fill and block it)
    ssl_context: ssl.SSLContext | None = None

    def post(self, body: bytes, headers: dict[str, str] | None = None, path: str = "/") -> tuple[int, Any]:
        """POST ``body``; return the status and the decoded JSON answer (or raw bytes)."""
        return self.request("POST", path, body, headers or {"Content-Type": "application/json"})

    def get(self, path: str) -> tuple[int, Any]:
        return self.request("GET", path)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(self.base_url + path, data=body, method=method,
                                         headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10, context=self.ssl_context) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw

    def stop(self) -> str:
        """Stop the server; return what it wrote to stderr (its log)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.log()

    def log(self) -> str:
        """What the server has written to stderr so far."""
        self.log_file.flush()
        self.log_file.seek(0)
        return self.log_file.read().decode("utf-8", "replace")


def start_server(command: list[str], port: int, *, env: dict[str, str] | None = None,
                 scheme: str = "http", ssl_context: ssl.SSLContext | None = None,
                 timeout: float = 20.0) -> Server:
    """Run ``command`` (which must listen on 127.0.0.1:``port``) and wait for /healthz."""
    log_file = tempfile.TemporaryFile()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                               stderr=log_file)
    server = Server(process, f"{scheme}://127.0.0.1:{port}", log_file, ssl_context)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.stop()}")
        try:
            if server.get("/healthz")[0] == 200:
                return server
        except (OSError, ssl.SSLError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer within {timeout} s:\n{server.stop()}")


_SERVER_SCRIPT = '''"""skill.web under gunicorn (skill.serve.SkillServer), trusting a test root and
reading certificate chains from files instead of the network.
Usage: python test_server.py FOLDER PORT CONFIG_JSON [TLS] (FOLDER as written by TestPKI.write;
TLS: serve HTTPS with FOLDER/server.pem and FOLDER/server.key)."""
import argparse, json, pathlib, sys

from skill.web.serve import SkillServer, configure_logging, gunicorn_options
from skill.web.verify import RequestVerifier
from skill.web.app import create_app

folder, port, config = pathlib.Path(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
configure_logging()


def fetch_chain(url):
    with open(folder / "fetched.log", "a") as record:  # one line per download, for the tests
        record.write(url + "\\n")
    return (folder / "chains" / url.rsplit("/", 1)[-1]).read_bytes()


verifier = RequestVerifier(roots=(folder / "root.pem").read_bytes(), fetch_chain=fetch_chain)
tls = len(sys.argv) > 4 and sys.argv[4] == "TLS"
options = gunicorn_options(argparse.Namespace(
    host="127.0.0.1", port=port, workers=2,
    certfile=str(folder / "server.pem") if tls else None,
    keyfile=str(folder / "server.key") if tls else None))
SkillServer(create_app(config, verifier=verifier), options).run()
'''


def start_test_server(pki: TestPKI, folder: Path, config: dict[str, Any] | None = None, *,
                      tls: bool = False) -> Server:
    """The real server (gunicorn, skill.web, skill.verify) on a free port, trusting
    ``pki``'s root and serving its chains from ``folder`` without network. With
    ``tls``, it speaks HTTPS with a 127.0.0.1 certificate from ``pki``'s root (and
    ``server.ssl_context`` trusts that root)."""
    pki.write(folder)
    script = folder / "test_server.py"
    script.write_text(_SERVER_SCRIPT)
    port = free_port()
    command = [sys.executable, str(script), str(folder), str(port), json.dumps(config or {})]
    context = None
    if tls:
        key = new_key()
        certificate = make_leaf(pki.root, pki.root_key, key, names=("localhost",),
                                ip_addresses=("127.0.0.1",))
        (folder / "server.pem").write_bytes(pem(certificate))
        (folder / "server.key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        context = ssl.create_default_context(cadata=pki.root_pem.decode("ascii"))
        command.append("TLS")
    return start_server(command, port, env=subprocess_env(), scheme="https" if tls else "http",
                        ssl_context=context)


# --- requests an endpoint must refuse -------------------------------------------------------

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


def bad_request_names() -> list[str]:
    """The names ``bad_request`` knows, for pytest.mark.parametrize."""
    return ["tampered-body", "other-key", "expired-leaf", "not-yet-valid-leaf", "wrong-name-leaf",
            "untrusted-root", "certificate-unavailable", "missing-cert-url", "missing-signature",
            "signature-not-base64", "old-timestamp", "future-timestamp", "foreign-skill-id",
            *(f"url-{name}" for name in BAD_CERT_URLS)]


def bad_request(pki: TestPKI, name: str) -> tuple[bytes, dict[str, str], str]:
    """A request an endpoint with ``pki.verifier()`` and ALEXA_SKILL_ID=SKILL_ID must
    answer 400: (body, headers, the expected JSON error). Made now, so that timestamps
    are fresh."""
    body = encode(intent_request("AMAZON.HelpIntent"))
    if name.startswith("url-"):
        return body, pki.sign(body, cert_url=BAD_CERT_URLS[name[4:]]), "bad certificate URL"
    chain_files = {"expired-leaf": "expired.pem", "not-yet-valid-leaf": "not-yet-valid.pem",
                   "wrong-name-leaf": "wrong-name.pem", "untrusted-root": "untrusted-root.pem"}
    if name in chain_files:
        return body, pki.sign(body, cert_url=cert_url(chain_files[name])), "bad certificate chain"
    if name == "certificate-unavailable":
        return body, pki.sign(body, cert_url=cert_url("missing.pem")), "certificate unavailable"
    if name == "tampered-body":
        return body.replace(b"HelpIntent", b"StopIntent"), pki.sign(body), "bad signature"
    if name == "other-key":
        return body, pki.sign(body, key=new_key()), "bad signature"
    if name == "missing-cert-url":
        headers = pki.sign(body)
        del headers["SignatureCertChainUrl"]
        return body, headers, "missing certificate URL"
    if name == "missing-signature":
        headers = pki.sign(body)
        del headers["Signature-256"]
        return body, headers, "missing signature"
    if name == "signature-not-base64":
        return body, {**pki.sign(body), "Signature-256": "not*base64!"}, "bad signature"
    if name in ("old-timestamp", "future-timestamp"):
        offset = timedelta(seconds=-300 if name == "old-timestamp" else 300)
        body = encode(intent_request("AMAZON.HelpIntent", timestamp=now_utc() + offset))
        return body, pki.sign(body), "bad timestamp"
    if name == "foreign-skill-id":
        body = encode(intent_request("AMAZON.HelpIntent", skill_id="amzn1.ask.skill.someone-else"))
        return body, pki.sign(body), "unknown skill"
    raise KeyError(name)
