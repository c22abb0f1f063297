"""Alexa's side of request signing, made locally: a root CA and an echo-api.amazon.com
signing chain made at run time, the headers Alexa sends with a signed body, and a
``RequestVerifier`` that trusts that root. Nothing here touches the network.

    pki = SigningPKI.create()
    verifier = pki.verifier()            # trusts pki.root; "fetches" chains from pki.chains
    headers = pki.sign(body)             # SignatureCertChainUrl + Signature-256

Used to try the web host without Amazon, by the tests and by the benchmarks.
"""

from __future__ import annotations

import base64
import ipaddress
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

if TYPE_CHECKING:
    from skill.web.verify import RequestVerifier

CERT_FOLDER = "https://s3.amazonaws.com/echo.api/"
GOOD_CHAIN = "echo-api-cert.pem"
CERT_URL = CERT_FOLDER + GOOD_CHAIN
SIGNING_NAME = "echo-api.amazon.com"


def now_utc() -> datetime:
    return datetime.now(UTC)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


def cert_url(name: str) -> str:
    """The URL of a chain file in Alexa's certificate folder."""
    return CERT_FOLDER + name


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not signs_certificates, content_commitment=False,
                         key_encipherment=not signs_certificates, data_encipherment=False,
                         key_agreement=False, key_cert_sign=signs_certificates,
                         crl_sign=signs_certificates, encipher_only=False, decipher_only=False)


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
        .add_extension(_key_usage(signs_certificates=True), critical=True)
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
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                              ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                       critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def signed_headers(body: bytes, key: rsa.RSAPrivateKey, url: str = CERT_URL) -> dict[str, str]:
    """The headers Alexa sends with ``body``: the chain's URL and the body's signature."""
    signature = key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    return {
        "Content-Type": "application/json; charset=utf-8",
        "SignatureCertChainUrl": url,
        "Signature-256": base64.b64encode(signature).decode("ascii"),
    }


@dataclass
class SigningPKI:
    """A root CA and, under it, certificate chains for one signing key (``leaf_key``),
    published as files in Alexa's certificate folder (see ``fetch_chain``). ``create``
    makes the good chain, ``echo-api-cert.pem``; ``add_chain`` publishes others."""

    root_key: rsa.RSAPrivateKey
    root: x509.Certificate
    leaf_key: rsa.RSAPrivateKey
    chains: dict[str, bytes]
    fetched: list[str] = field(default_factory=list)

    @classmethod
    def create(cls) -> SigningPKI:
        root_key, leaf_key = new_key(), new_key()
        root = make_root(root_key)
        return cls(root_key, root, leaf_key, {GOOD_CHAIN: pem(make_leaf(root, root_key, leaf_key))})

    def add_chain(self, name: str, issuer: x509.Certificate | None = None,
                  issuer_key: rsa.RSAPrivateKey | None = None, **leaf: Any) -> None:
        """Publish another chain for ``leaf_key`` as ``name`` (by default issued by this
        root; ``leaf`` as for ``make_leaf``)."""
        certificate = make_leaf(issuer or self.root, issuer_key or self.root_key, self.leaf_key, **leaf)
        self.chains[name] = pem(certificate)

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

    def verifier(self, **kwargs: Any) -> RequestVerifier:
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
