"""The one place the skill is wired. Lambda, the web service and the terminal all use it.

``build_skill(services)`` builds a skill on the given services; ``answer(skill, event)``
answers one request envelope with it; ``handle_event`` answers with the process's own
skill, built once from ``services_from_environment()``.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.response_envelope import ResponseEnvelope

from skill.alexa import handlers
from skill.alexa.services import Services, services_from_environment
from skill.conversation import policy
from skill.conversation.reply import render
from skill.conversation.state import State
from skill.speech.words import words_for

log = logging.getLogger(__name__)

Envelope = dict[str, Any]


def build_skill(services: Services) -> CustomSkill:
    remembers = services.persistence_adapter is not None
    builder = CustomSkillBuilder(persistence_adapter=services.persistence_adapter,
                                 api_client=services.api_client)
    builder.add_request_handler(handlers.ReminderHandler())
    builder.add_request_handler(handlers.TurnHandler(remembers))
    builder.add_request_handler(handlers.SessionEndedHandler())
    builder.add_request_handler(handlers.SkillEventHandler(remembers))
    builder.add_request_handler(handlers.UnsupportedRequestHandler())
    builder.add_exception_handler(handlers.ErrorHandler())
    return builder.create()


@cache
def _skill(host: str = "lambda") -> CustomSkill:
    return build_skill(services_from_environment(host=host))


def answer(skill: CustomSkill, event: Any, context: Any = None) -> Envelope:
    """Answer one Alexa request envelope (a dict, as Lambda hands it over) with
    ``skill``, as a response envelope (a dict). Never raises: an envelope the SDK
    cannot read still gets a spoken apology."""
    try:
        envelope = skill.serializer.deserialize(json.dumps(event), RequestEnvelope)
        if not isinstance(envelope, RequestEnvelope) or envelope.request is None:
            raise ValueError("not an Alexa request envelope")
        return _as_envelope(skill.serializer.serialize(skill.invoke(envelope, context)))
    except Exception:
        log.exception("could not answer the request")
        return _apology(skill, event)


def handle_event(event: Any, context: Any = None, *, host: str = "lambda") -> Envelope:
    """Answer one request envelope with this process's skill (see ``answer``), built
    on the services the environment configures for ``host``: "lambda", or "local"
    for serve, chat and say (see ``services_from_environment``)."""
    return answer(_skill(host), event, context)


def _as_envelope(serialized: object) -> Envelope:
    if not isinstance(serialized, dict):
        raise TypeError("the serializer did not give a JSON object")
    return serialized


def _apology(skill: CustomSkill, event: Any) -> Envelope:
    request = event.get("request") if isinstance(event, dict) else None
    locale = request.get("locale") if isinstance(request, dict) else None
    reply, _ = policy.failed(State(), None)
    spoken = render(reply, words_for(locale if isinstance(locale, str) else None))
    response = ResponseEnvelope(version="1.0", response=handlers.build_response(spoken))
    return _as_envelope(skill.serializer.serialize(response))
