"""The seam: a skill is built on the services it is given, and any skill answers an
envelope the same way the process's own skill (Lambda, web, terminal) does."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.api_client import ApiClient
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model.services import ApiClientRequest, ApiClientResponse

from skill.alexa import build
from skill.alexa.services import Services, services_from_environment
from skill.devtools.envelopes import request_envelope


class DictStore(AbstractPersistenceAdapter):
    """Persistent attributes in a dict: enough to see the builder hand the store on."""

    def __init__(self) -> None:
        self.saved: dict[str, Any] = {}

    def get_attributes(self, request_envelope: Any) -> dict[str, Any]:
        return dict(self.saved)

    def save_attributes(self, request_envelope: Any, attributes: dict[str, Any]) -> None:
        self.saved = dict(attributes)

    def delete_attributes(self, request_envelope: Any) -> None:
        self.saved = {}


class RefusingApiClient(ApiClient):
    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        raise RuntimeError("no Alexa API in this test")


def test_the_skill_is_built_on_the_services_it_is_given():
    store, client = DictStore(), RefusingApiClient()
    skill = build.build_skill(Services(persistence_adapter=store, api_client=client))
    assert skill.persistence_adapter is store
    assert skill.api_client is client


def test_without_services_the_skill_has_no_store_and_no_api_client():
    skill = build.build_skill(Services())
    assert skill.persistence_adapter is None and skill.api_client is None


def test_an_environment_that_asks_for_nothing_gives_no_store_and_the_amazon_only_api_client():
    from skill.alexa.api_client import AlexaApiClient

    services = services_from_environment({})
    assert services.persistence_adapter is None
    assert isinstance(services.api_client, AlexaApiClient) and services.api_client.stand_in is None


def test_any_skill_answers_as_the_process_skill_does():
    event = request_envelope({"type": "LaunchRequest"}, timestamp="2026-01-01T03:00:00Z")
    own = build.handle_event(event)
    given = build.answer(build.build_skill(Services()), event)
    assert given["response"]["outputSpeech"]["ssml"] == own["response"]["outputSpeech"]["ssml"]
    assert "Straighten your leg" in given["response"]["outputSpeech"]["ssml"]


def test_an_envelope_the_sdk_cannot_read_gets_an_apology_from_the_given_skill():
    answered = build.answer(build.build_skill(Services()), {"version": "1.0", "request": "nonsense"})
    assert answered["response"]["shouldEndSession"] is False
    assert "Sorry, something went wrong" in answered["response"]["outputSpeech"]["ssml"]
