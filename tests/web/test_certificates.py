"""The signing certificate is checked as strictly as Amazon checks it, beyond what
web-PKI validation allows: real certificates, made at test time under the test root."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from skill.devtools.signing import SIGNING_NAME, cert_url, make_leaf, new_key, now_utc, pem
from skill.web.verify import RequestVerificationError
from tests.support.requests import encode, launch_envelope

pytestmark = pytest.mark.usefixtures("no_network")


def leaf_with_key_usage(pki, key, *, digital_signature: bool | None) -> x509.Certificate:
    """A leaf for SIGNING_NAME whose KeyUsage allows digital signatures or not; None:
    no KeyUsage extension at all."""
    start = now_utc() - timedelta(hours=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SIGNING_NAME)]))
        .issuer_name(pki.root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(SIGNING_NAME)]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(pki.root_key.public_key()),
                       critical=False)
    )
    if digital_signature is not None:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=digital_signature, content_commitment=False, key_encipherment=True,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
    return builder.sign(pki.root_key, hashes.SHA256())


WEAK = ("rsa-1024", "no-digital-signature", "wildcard-name", "name-among-others-missing")


def weak_leaf(pki, name: str):
    """(a leaf that web-PKI validation accepts but Amazon's rules refuse, its key)."""
    if name == "rsa-1024":
        key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        return make_leaf(pki.root, pki.root_key, key), key
    key = new_key()
    if name == "no-digital-signature":
        return leaf_with_key_usage(pki, key, digital_signature=False), key
    if name == "wildcard-name":
        return make_leaf(pki.root, pki.root_key, key, names=("*.amazon.com",)), key
    if name == "name-among-others-missing":
        return make_leaf(pki.root, pki.root_key, key, names=("*.amazon.com", "api.amazon.com")), key
    raise KeyError(name)


def verifier_serving(pki, chain: bytes):
    return pki.verifier(fetch_chain=lambda url: chain)


def signed_for(pki, body: bytes, key) -> dict[str, str]:
    """Headers signed by ``key``; a 1024-bit key's signature is refused before any
    download (too short), so that leaf's request carries a 2048-bit signature: the
    certificate is refused before the signature is tried."""
    return pki.sign(body, key=key if key.key_size >= 2048 else new_key())


@pytest.mark.parametrize("name", WEAK)
def test_each_weak_signing_certificate_is_refused(pki, name):
    leaf, key = weak_leaf(pki, name)
    body = encode(launch_envelope())
    with pytest.raises(RequestVerificationError) as refused:
        verifier_serving(pki, pem(leaf)).verify_signature(signed_for(pki, body, key), body)
    assert refused.value.reason == "bad certificate chain"


def test_a_signature_too_short_for_a_2048_bit_key_is_refused_before_any_download(pki):
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    fetched = []
    verifier = pki.verifier(fetch_chain=lambda url: fetched.append(url) or pki.chains["echo-api-cert.pem"])
    body = encode(launch_envelope())
    with pytest.raises(RequestVerificationError) as refused:
        verifier.verify_signature(pki.sign(body, key=key), body)
    assert (refused.value.reason, fetched) == ("bad signature", [])


@pytest.mark.parametrize("name", WEAK)
def test_a_weak_certificate_is_refused_by_the_web_service_with_400(pki, name):
    from skill.web.app import create_app

    leaf, key = weak_leaf(pki, name)
    client = create_app({"ALEXA_SKILL_ID": "amzn1.ask.skill.test"},
                        verifier=verifier_serving(pki, pem(leaf))).test_client()
    body = encode(launch_envelope(skill_id="amzn1.ask.skill.test"))
    headers = {**signed_for(pki, body, key), "SignatureCertChainUrl": cert_url("weak.pem")}
    answer = client.post("/", data=body, headers=headers)
    assert (answer.status_code, answer.get_json()) == (400, {"error": "bad certificate chain"})


@pytest.mark.parametrize("leaf_maker", [
    lambda pki, key: leaf_with_key_usage(pki, key, digital_signature=True),
    lambda pki, key: leaf_with_key_usage(pki, key, digital_signature=None),  # nothing forbids signing
    lambda pki, key: make_leaf(pki.root, pki.root_key, key, names=(SIGNING_NAME, "other.example")),
], ids=["digital-signature", "no-key-usage", "exact-name-among-others"])
def test_a_strict_enough_certificate_still_passes(pki, leaf_maker):
    key = new_key()
    body = encode(launch_envelope())
    verifier_serving(pki, pem(leaf_maker(pki, key))).verify_signature(pki.sign(body, key=key), body)


def test_a_3072_bit_signing_key_passes(pki):
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    leaf = make_leaf(pki.root, pki.root_key, key)
    body = encode(launch_envelope())
    verifier_serving(pki, pem(leaf)).verify_signature(pki.sign(body, key=key), body)
