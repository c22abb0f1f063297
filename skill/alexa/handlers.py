"""ask-sdk plumbing: read the request, ask the dialogue, write the response.

Handlers hold no words and no conversation logic; see ``skill.conversation.policy``.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import Reprompt, SsmlOutputSpeech

from skill.alexa import local_time
from skill.conversation import policy, state
from skill.conversation.reply import Rendered, render
from skill.speech.words import words_for

log = logging.getLogger(__name__)

LEGS = frozenset({"left", "right"})
# The slots read_turn reads, and what each must hold in every interaction model:
# a built-in type, or a custom type whose value ids are exactly these.
SLOTS = {
    "leg": LEGS,
    "seconds": "AMAZON.NUMBER",
    "symptom": policy.EMERGENCY_SYMPTOMS | policy.CLOT_SYMPTOMS,
}


def _resolved_id(slot) -> str | None:
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        code = getattr(getattr(authority, "status", None), "code", None)
        if getattr(code, "value", code) == "ER_SUCCESS_MATCH" and authority.values:
            return authority.values[0].value.id
    return None


def _number(text: str | None) -> int | None:
    return int(text) if isinstance(text, str) and text.isascii() and text.isdigit() else None


def read_turn(handler_input: HandlerInput) -> policy.Turn:
    """What the user said, from the request envelope."""
    envelope = handler_input.request_envelope
    request = envelope.request
    new_session = bool(envelope.session.new) if envelope.session else True
    intent = request.intent if request.object_type == "IntentRequest" else None
    name = getattr(intent, "name", None) or (
        request.object_type if intent is None else "AMAZON.FallbackIntent")
    night = (local_time.is_night(getattr(envelope.context, "system", None), request.timestamp)
             if name in policy.MAY_GREET else True)
    if intent is None:
        return policy.Turn(name, new_session=new_session, night=night)
    slots = (intent.slots if intent else None) or {}
    leg_slot, symptom_slot = slots.get("leg"), slots.get("symptom")
    leg = _resolved_id(leg_slot) or str(getattr(leg_slot, "value", None) or "").lower()
    symptom = _resolved_id(symptom_slot)
    if symptom is None and getattr(symptom_slot, "value", None):
        symptom = "unknown"
    return policy.Turn(
        intent=name,
        leg=leg if leg in LEGS else None,
        seconds=_number(getattr(slots.get("seconds"), "value", None)),
        symptom=symptom,
        new_session=new_session,
        night=night,
    )


def _respond(handler_input: HandlerInput, outcome: policy.Outcome) -> Response:
    """Render the dialogue's reply, and keep the next state (with this response, for
    "repeat") in the session attributes."""
    reply, next_state = outcome
    envelope = handler_input.request_envelope
    rendered = reply if isinstance(reply, Rendered) else render(
        reply, words_for(getattr(envelope.request, "locale", None)))
    if envelope.session is not None:
        next_state = next_state.but(last_speech=rendered.speech, last_reprompt=rendered.reprompt)
        handler_input.attributes_manager.session_attributes = next_state.to_attributes()
    return build_response(rendered)


def build_response(rendered: Rendered) -> Response:
    return Response(
        output_speech=SsmlOutputSpeech(ssml=rendered.speech),
        reprompt=Reprompt(output_speech=SsmlOutputSpeech(ssml=rendered.reprompt))
        if rendered.reprompt else None,
        should_end_session=rendered.ends_session,
    )


def _state(handler_input: HandlerInput) -> state.State:
    session = handler_input.request_envelope.session
    return state.from_attributes(session.attributes if session else None)


class TurnHandler(AbstractRequestHandler):
    """A launch or any intent: the dialogue decides."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return handler_input.request_envelope.request.object_type in ("LaunchRequest", "IntentRequest")

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = read_turn(handler_input)
        log.debug("turn %s", turn.intent)
        return _respond(handler_input, policy.respond(_state(handler_input), turn))


class SessionEndedHandler(AbstractRequestHandler):
    """Alexa closed the session; nothing can be said, and nothing is kept."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return handler_input.request_envelope.request.object_type == "SessionEndedRequest"

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        log.info("session ended: %s", getattr(request, "reason", None))
        if getattr(request, "error", None) is not None:
            log.warning("session ended with an error: %s", getattr(request.error, "message", None))
        if handler_input.request_envelope.session is not None:  # keep nothing: echo no attributes
            handler_input.attributes_manager.session_attributes = {}
        return Response()


class UnsupportedRequestHandler(AbstractRequestHandler):
    """Any other request type: say so, and offer a way on."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info("unsupported request type %s", handler_input.request_envelope.request.object_type)
        return _respond(handler_input, policy.unsupported(_state(handler_input), None))


class ErrorHandler(AbstractExceptionHandler):
    """Whatever went wrong, the user hears an apology and a way on; the log gets the cause."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("request failed", exc_info=exception)
        try:
            current = _state(handler_input)
        except Exception:  # the session itself is unreadable
            current = state.State()
        return _respond(handler_input, policy.failed(current, None))
