"""The one place the skill is wired. Lambda, the web service and the terminal all use it."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope, ResponseEnvelope

from skill.alexa import handlers
from skill.conversation import policy
from skill.conversation.reply import render
from skill.conversation.state import State
from skill.speech.words import words_for

log = logging.getLogger(__name__)


def build_skill() -> CustomSkill:
    builder = CustomSkillBuilder()
    builder.add_request_handler(handlers.TurnHandler())
    builder.add_request_handler(handlers.SessionEndedHandler())
    builder.add_request_handler(handlers.UnsupportedRequestHandler())
    builder.add_exception_handler(handlers.ErrorHandler())
    return builder.create()


@lru_cache(maxsize=1)
def _skill() -> CustomSkill:
    return build_skill()


def handle_event(event: Any, context: Any = None) -> dict:
    """Answer one Alexa request envelope (a dict, as Lambda hands it over) with a
    response envelope (a dict). Never raises: an envelope the SDK cannot read still
    gets a spoken apology."""
    skill = _skill()
    try:
        envelope = skill.serializer.deserialize(json.dumps(event), RequestEnvelope)
        if not isinstance(envelope, RequestEnvelope) or envelope.request is None:
            raise ValueError("not an Alexa request envelope")
        return skill.serializer.serialize(skill.invoke(envelope, context))
    except Exception:
        log.exception("could not answer the request")
        return _apology(event)


def _apology(event: Any) -> dict:
    request = event.get("request") if isinstance(event, dict) else None
    locale = request.get("locale") if isinstance(request, dict) else None
    reply, _ = policy.failed(State(), None)
    spoken = render(reply, words_for(locale if isinstance(locale, str) else None))
    response = ResponseEnvelope(version="1.0", response=handlers.build_response(spoken))
    return _skill().serializer.serialize(response)
