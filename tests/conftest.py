"""Fixtures shared by the tests of the web service: the test PKI, and no network."""

import pytest

from tests.support.network import forbid_network
from tests.support.pki import TestPKI


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    """A root CA, Alexa-like signing chains (good and bad) and signing keys, made for
    each test module at test time."""
    return TestPKI.create()


@pytest.fixture
def no_network(monkeypatch):
    """Any name lookup other than the loopback fails at once."""
    forbid_network(monkeypatch)


@pytest.fixture
def alexa_api(monkeypatch):
    """A local stand-in of Alexa's service API (a real HTTP server on 127.0.0.1),
    which the skill calls through LEG_CRAMP_ALEXA_API (the skill is built afresh for
    each test, see ``own_data_folder``, so it is built on this setting)."""
    from skill.devtools.alexa_api import AlexaApiStandIn

    with AlexaApiStandIn() as api:
        monkeypatch.setenv("LEG_CRAMP_ALEXA_API", api.url)
        yield api


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path_factory, monkeypatch):
    """Each test its own data folder, so the local hosts' default store (``sqlite:``,
    a file in the user's data folder) starts empty, in this process and in the
    commands a test runs; and the skill is built afresh for it, with no device's time
    zone remembered from another test (a terminal run in the process remembers its own)."""
    from skill.alexa import build, local_time

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("LEG_CRAMP_STORE", raising=False)
    monkeypatch.delenv("DYNAMODB_PERSISTENCE_TABLE_NAME", raising=False)
    build._skill.cache_clear()
    local_time.ZONES.clear()
    yield
    build._skill.cache_clear()
    local_time.ZONES.clear()
