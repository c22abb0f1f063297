"""The one Alexa API client: Amazon's hosts only, one deadline per call, no thread left behind.

Calls go through ask-sdk's own service clients (UpsServiceClient,
ReminderManagementServiceClient) over AlexaApiClient, to the local stand-in of
the Alexa API: a real HTTP server on 127.0.0.1."""

import socket
import threading
import time

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model.services import ApiClientRequest, ApiConfiguration, ServiceClientFactory, ServiceException

from skill.alexa.api_client import AlexaApiClient, RefusedCall
from skill.alexa.services import services_from_environment
from skill.devtools.alexa_api import AlexaApiStandIn


@pytest.fixture
def api():
    with AlexaApiStandIn() as server:
        yield server


def factory(client: AlexaApiClient, endpoint: str = "https://api.amazonalexa.com") -> ServiceClientFactory:
    return ServiceClientFactory(ApiConfiguration(serializer=DefaultSerializer(), api_client=client,
                                                 authorization_value="secret-token", api_endpoint=endpoint))


def own_threads() -> set[threading.Thread]:
    """This process's threads, but not the stand-in's request threads."""
    return {t for t in threading.enumerate() if "process_request" not in t.name}


def test_the_time_zone_comes_through_the_ups_service_client(api):
    api.state.zones["dev-1"] = "Europe/London"
    ups = factory(AlexaApiClient(stand_in=api.url)).get_ups_service()
    assert ups.get_system_time_zone("dev-1") == "Europe/London"
    [call] = api.state.calls
    assert call.authorization == "Bearer secret-token"


@pytest.mark.parametrize("endpoint", [
    "http://api.amazonalexa.com",            # not https
    "https://api.amazonalexa.com:8443",      # not port 443
    "https://api.amazonalexa.com.evil.example",
    "https://evil.example",
    "https://user@api.amazonalexa.com",
    "https://127.0.0.1",
])
def test_a_host_that_is_not_amazons_is_refused_before_any_connection(api, monkeypatch, endpoint):
    connections = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: connections.append(address))
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: connections.append(a) or [])
    with pytest.raises(ServiceException) as refused:
        factory(AlexaApiClient(), endpoint).get_ups_service().get_system_time_zone("dev-1")
    assert "secret-token" not in str(refused.value)
    assert connections == []


def test_the_stand_in_named_by_a_request_is_refused_and_hears_no_token(api):
    with pytest.raises(ServiceException):
        factory(AlexaApiClient(), api.url).get_ups_service().get_system_time_zone("dev-1")
    assert api.state.calls == []


@pytest.mark.parametrize("host", ["api.amazonalexa.com", "api.eu.amazonalexa.com", "api.fe.amazonalexa.com",
                                  "API.AmazonAlexa.com"])
def test_amazons_three_api_hosts_are_allowed(host):
    target = AlexaApiClient().target(f"https://{host}/v2/devices/x/settings/System.timeZone")
    assert (target.scheme, target.host, target.port) == ("https", host.lower(), 443)


def test_a_dripping_answer_is_cut_off_at_the_deadline_and_leaves_no_thread(api):
    api.state.drip = 0.1  # a byte every 0.1 s: the answer would take many seconds
    client = AlexaApiClient(stand_in=api.url, deadlines={"/": 0.5})
    ups = factory(client).get_ups_service()
    before = own_threads()
    for _ in range(5):
        started = time.monotonic()
        with pytest.raises(ServiceException) as failed:
            ups.get_system_time_zone("dev-1")
        assert time.monotonic() - started < 1.5
        assert str(failed.value).endswith("GET /v2/devices/{id}/settings/System.timeZone: TimeoutError")
    assert own_threads() == before


def test_a_name_lookup_that_hangs_is_cut_off_and_one_lookup_thread_serves_all_callers(monkeypatch):
    release = threading.Event()

    def hanging_lookup(*args, **kwargs):
        release.wait(10)
        raise OSError("no answer from the resolver")

    monkeypatch.setattr(socket, "getaddrinfo", hanging_lookup)
    client = AlexaApiClient(deadlines={"/": 0.3})
    before = threading.active_count()
    for _ in range(5):
        started = time.monotonic()
        with pytest.raises(ServiceException):
            factory(client).get_ups_service().get_system_time_zone("dev-1")
        assert time.monotonic() - started < 1.5
    assert threading.active_count() <= before + 1  # the one lookup still waiting, shared
    release.set()


def test_reminders_round_trip_through_the_reminder_management_service_client(api):
    from skill.alexa import reminders

    client = factory(AlexaApiClient(stand_in=api.url)).get_reminder_management_service()
    request = reminders.daily_request(21, 30, "America/New_York", "en-US", "Time to stretch.",
                                      now_utc=reminders.utc_now())
    created = client.create_reminder(request)
    assert created.alert_token and created.status.value == "ON"
    [held] = client.get_reminders().alerts
    assert held.alert_token == created.alert_token
    assert held.trigger.recurrence.recurrence_rules == ["FREQ=DAILY;BYHOUR=21;BYMINUTE=30;BYSECOND=0;INTERVAL=1;"]
    client.delete_reminder(created.alert_token)
    assert not client.get_reminders().alerts


def test_a_body_is_sent_as_json_and_errors_come_back_with_their_status(api):
    client = AlexaApiClient(stand_in=api.url)
    answer = client.invoke(ApiClientRequest(
        url="https://api.amazonalexa.com/v1/alerts/reminders", method="POST",
        headers=[("Authorization", "Bearer t"), ("Content-type", "application/json")], body={"nonsense": 1}))
    assert answer.status_code == 400 and "INVALID_REQUEST_TIME" in answer.body


def test_a_header_that_would_split_the_request_is_refused(api):
    with pytest.raises(RefusedCall):
        AlexaApiClient(stand_in=api.url).invoke(ApiClientRequest(
            url="https://api.amazonalexa.com/v1/alerts/reminders", method="GET",
            headers=[("Authorization", "Bearer t\r\nX-Evil: 1")]))
    assert api.state.calls == []


def test_the_development_setting_is_logged_loudly(caplog):
    with caplog.at_level("WARNING"):
        services = services_from_environment({"LEG_CRAMP_ALEXA_API": "http://127.0.0.1:8765"})
    assert services.api_client.stand_in.port == 8765
    assert "LEG_CRAMP_ALEXA_API is set" in caplog.text and "NOT to Amazon" in caplog.text


def test_without_the_setting_the_client_calls_amazon_only():
    services = services_from_environment({})
    assert isinstance(services.api_client, AlexaApiClient) and services.api_client.stand_in is None


@pytest.mark.parametrize("value", ["127.0.0.1:8765", "ftp://127.0.0.1", "http://127.0.0.1:8765/?x=1"])
def test_a_malformed_development_setting_is_refused(value):
    with pytest.raises(ValueError, match="LEG_CRAMP_ALEXA_API"):
        AlexaApiClient(stand_in=value)
