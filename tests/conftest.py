"""Fixtures shared by the tests of the web service: the test PKI, and no network."""

import pytest
from signing import TestPKI, forbid_network


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    """A root CA, Alexa-like signing chains (good and bad) and signing keys, made for
    each test module at test time."""
    return TestPKI.create()


@pytest.fixture
def no_network(monkeypatch):
    """Any name lookup other than the loopback fails at once."""
    forbid_network(monkeypatch)
