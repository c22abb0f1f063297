"""The test PKI: ``skill.devtools.signing``'s root and good chain, plus the bad chains
a verifier must refuse, all made at test time.

- ``echo-api-cert.pem``: a good echo-api.amazon.com leaf (``CERT_URL``);
- ``expired.pem``, ``not-yet-valid.pem``: the same leaf out of date;
- ``wrong-name.pem``: a leaf for another name;
- ``untrusted-root.pem``: a good-looking leaf issued by a root nobody trusts.

Every leaf has ``leaf_key``, so a request signed by it fails only because of the
certificate its URL names: ``pki.sign(body, cert_url=cert_url("expired.pem"))``.
"""

from __future__ import annotations

from datetime import timedelta

from skill.devtools.signing import SigningPKI, make_root, new_key, now_utc

CHAIN_FILES = ("echo-api-cert.pem", "expired.pem", "not-yet-valid.pem", "wrong-name.pem",
               "untrusted-root.pem")


class TestPKI(SigningPKI):
    __test__ = False  # not a pytest test class

    @classmethod
    def create(cls) -> TestPKI:
        good = SigningPKI.create()
        pki = cls(good.root_key, good.root, good.leaf_key, dict(good.chains))
        now = now_utc()
        stranger_key = new_key()
        pki.add_chain("expired.pem", not_before=now - timedelta(days=30), not_after=now - timedelta(days=1))
        pki.add_chain("not-yet-valid.pem", not_before=now + timedelta(days=1), not_after=now + timedelta(days=30))
        pki.add_chain("wrong-name.pem", names=("echo-api.example.com",))
        pki.add_chain("untrusted-root.pem", make_root(stranger_key, "Untrusted Root CA"), stranger_key)
        return pki
