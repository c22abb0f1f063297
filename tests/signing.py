"""Test helpers: sign Alexa requests as Amazon does, with certificates made at test time.

Nothing here touches the network. Typical use::

    pki = TestPKI.create()
    verifier = pki.verifier()                       # trusts pki.root, fetches pki.chain_pem
    body = encode(intent_request("HelpIntent"))
    headers = pki.sign(body)                        # SignatureCertChainUrl + Signature-256
    client.post("/", data=body, headers=headers)

Other certificates for negative tests: ``pki.issue_leaf(...)`` (another name, other
dates), ``TestPKI.create()`` again for an untrusted root. ``start_server`` runs a
command on a free port of 127.0.0.1 and waits until it answers ``GET /healthz``.
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
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

REPO = Path(__file__).resolve().parent.parent
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"
SIGNING_NAME = "echo-api.amazon.com"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001"


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


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


@dataclass
class TestPKI:
    """A root CA and an echo-api.amazon.com leaf under it, with the leaf's key."""

    __test__ = False  # not a pytest test class

    root_key: rsa.RSAPrivateKey
    root: x509.Certificate
    leaf_key: rsa.RSAPrivateKey
    leaf: x509.Certificate
    fetched: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, root_name: str = "Test Root CA") -> "TestPKI":
        root_key, leaf_key = new_key(), new_key()
        root = make_root(root_key, root_name)
        return cls(root_key, root, leaf_key, make_leaf(root, root_key, leaf_key))

    @property
    def root_pem(self) -> bytes:
        return pem(self.root)

    @property
    def chain_pem(self) -> bytes:
        return pem(self.leaf)

    def issue_leaf(self, **kwargs: Any) -> x509.Certificate:
        """Another leaf for ``self.leaf_key`` under this root (see ``make_leaf`` for options)."""
        return make_leaf(self.root, self.root_key, self.leaf_key, **kwargs)

    def fetch_chain(self, url: str) -> bytes:
        """A ``fetch_chain`` for RequestVerifier: records the URL, answers this chain."""
        self.fetched.append(url)
        return self.chain_pem

    def verifier(self, **kwargs: Any):
        from skill.verify import RequestVerifier

        kwargs.setdefault("fetch_chain", self.fetch_chain)
        return RequestVerifier(roots=self.root_pem, **kwargs)

    def sign(self, body: bytes, *, key: rsa.RSAPrivateKey | None = None,
             cert_url: str = CERT_URL) -> dict[str, str]:
        """The headers Alexa sends with ``body``, signed by ``key`` (default: the leaf's)."""
        return signed_headers(body, key or self.leaf_key, cert_url)

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write root.pem and chain.pem into ``folder``, for a server in another process."""
        root_path, chain_path = folder / "root.pem", folder / "chain.pem"
        root_path.write_bytes(self.root_pem)
        chain_path.write_bytes(self.chain_pem)
        return root_path, chain_path


def signed_headers(body: bytes, key: rsa.RSAPrivateKey, cert_url: str = CERT_URL) -> dict[str, str]:
    signature = key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    return {
        "Content-Type": "application/json; charset=utf-8",
        "SignatureCertChainUrl": cert_url,
        "Signature-256": base64.b64encode(signature).decode("ascii"),
    }


# --- request envelopes --------------------------------------------------------------------

def alexa_timestamp(when: datetime | None = None) -> str:
    return (when or now_utc()).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(request: dict[str, Any], *, skill_id: str = SKILL_ID, locale: str = "en-GB",
             new_session: bool = True, attributes: dict[str, Any] | None = None,
             timestamp: datetime | None = None) -> dict[str, Any]:
    """A realistic Alexa request envelope around ``request`` (type-specific fields)."""
    application = {"applicationId": skill_id}
    user = {"userId": "amzn1.ask.account.TESTUSER"}
    return {
        "version": "1.0",
        "session": {
            "new": new_session,
            "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
            "application": application,
            "attributes": attributes or {},
            "user": user,
        },
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": "amzn1.ask.device.TESTDEVICE", "supportedInterfaces": {}},
                "apiEndpoint": "https://api.eu.amazonalexa.com",
                "apiAccessToken": "test-token",
            },
        },
        "request": {
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": alexa_timestamp(timestamp),
            "locale": locale,
            **request,
        },
    }


def launch_request(**kwargs: Any) -> dict[str, Any]:
    return envelope({"type": "LaunchRequest"}, **kwargs)


def intent_request(intent: str, slots: dict[str, str] | None = None, **kwargs: Any) -> dict[str, Any]:
    slot_values = {name: {"name": name, "value": value, "confirmationStatus": "NONE"}
                   for name, value in (slots or {}).items()}
    return envelope({"type": "IntentRequest", "dialogState": "STARTED",
                     "intent": {"name": intent, "confirmationStatus": "NONE", "slots": slot_values}},
                    **kwargs)


def skill_event(event_type: str = "AlexaSkillEvent.SkillEnabled", **kwargs: Any) -> dict[str, Any]:
    data = envelope({"type": event_type, "eventCreationTime": alexa_timestamp()}, **kwargs)
    del data["session"]
    return data


def encode(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


# --- a real server in another process -------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_env(*extra_paths: Path, **env: str) -> dict[str, str]:
    """os.environ with the repository (and ``extra_paths``) importable, plus ``env``."""
    merged = dict(os.environ)
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


def python_command(*args: str) -> list[str]:
    return [sys.executable, *args]
