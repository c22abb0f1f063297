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

from skill.alexa import handlers, redact
from skill.alexa.services import Services, services_from_environment
from skill.conversation import policy
from skill.conversation.reply import render
from skill.conversation.state import State
from skill.speech.words import words_for

log = logging.getLogger(__name__)

Envelope = dict[str, Any]


def build_skill(services: Services) -> CustomSkill:
    builder = CustomSkillBuilder(persistence_adapter=services.persistence_adapter,
                                 api_client=services.api_client)
    builder.add_request_handler(handlers.ReminderHandler())
    builder.add_request_handler(handlers.TurnHandler(services.persistence_adapter))
    builder.add_request_handler(handlers.SessionEndedHandler())
    builder.add_request_handler(handlers.SkillEventHandler(services.persistence_adapter))
    builder.add_request_handler(handlers.UnsupportedRequestHandler())
    builder.add_exception_handler(handlers.ErrorHandler())
    return builder.create()


@cache
def _skill(host: str = "lambda") -> CustomSkill:
    return build_skill(services_from_environment(host=host))


# Bounds on what a request may carry, checked before ask-sdk reads (and deep-copies) it.
# The skill's own session attributes are a few levels deep and well under 2 KB; Alexa's
# envelopes about ten levels.
MAX_ATTRIBUTES_DEPTH = 16
MAX_ATTRIBUTES_BYTES = 24 * 1024
MAX_ENVELOPE_DEPTH = 64


class Unreadable(ValueError):
    """The envelope is not one the skill reads (not an object, nested too deep, no request)."""


def answer(skill: CustomSkill, event: Any, context: Any = None) -> Envelope:
    """Answer one Alexa request envelope (a dict, as Lambda hands it over) with
    ``skill``, as a response envelope (a dict). Never raises: an envelope the SDK
    cannot read still gets a spoken apology. Session attributes too deep or too large
    are dropped before ask-sdk copies them: the conversation starts afresh."""
    try:
        event = bounded(event)
        try:
            envelope = skill.serializer.deserialize(json.dumps(event), RequestEnvelope)
        except Exception as problem:  # the SDK's SerializationException, and the like
            raise Unreadable(f"the SDK cannot read it ({type(problem).__name__})") from None
        if not isinstance(envelope, RequestEnvelope) or envelope.request is None:
            raise Unreadable("not an Alexa request envelope")
        return _as_envelope(skill.serializer.serialize(skill.invoke(envelope, context)))
    except Unreadable as problem:
        log.warning("could not answer the request: %s", problem)
    except Exception as problem:
        log.error("could not answer the request\n%s", redact.failure(problem))
    return _apology(skill, event)


def bounded(event: Any) -> Any:
    """``event`` if its session attributes are within MAX_ATTRIBUTES_DEPTH and
    MAX_ATTRIBUTES_BYTES, else a copy without them (logged, one line). Unreadable if
    the envelope itself is nested deeper than MAX_ENVELOPE_DEPTH. Walked without
    recursion, and no further than the bounds."""
    if not isinstance(event, dict):
        raise Unreadable(f"the envelope is a {type(event).__name__}, not an object")
    session = event.get("session")
    attributes = session.get("attributes") if isinstance(session, dict) else None
    if attributes is not None:
        problem = _beyond(attributes, MAX_ATTRIBUTES_DEPTH, MAX_ATTRIBUTES_BYTES)
        if problem:
            log.warning("session attributes %s; starting fresh", problem)
            event = {**event, "session": {**session, "attributes": {}}}  # type: ignore[dict-item]
    problem = _beyond(event, MAX_ENVELOPE_DEPTH, None)
    if problem:
        raise Unreadable(f"the envelope is {problem}")
    return event


def _beyond(value: Any, max_depth: int, max_bytes: int | None) -> str | None:
    """Why ``value`` is out of bounds ("nested too deep", "too large"), or None. Its
    size is counted as its JSON would be, near enough."""
    size, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
            size += 2 + sum(len(key) + 4 if isinstance(key, str) else 8 for key in node)
        elif isinstance(node, list):
            children = node
            size += 2 + len(node)
        else:
            size += len(node) + 2 if isinstance(node, str) else 8
            children = ()
        if children and depth >= max_depth:
            return f"nested deeper than {max_depth}"
        if max_bytes is not None and size > max_bytes:
            return f"over {max_bytes} bytes"
        stack.extend((child, depth + 1) for child in children)
    return None


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
