"""ask-sdk plumbing: read the request, ask the dialogue, write the response.

Handlers hold no words and no conversation logic; see ``skill.conversation.policy``.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components.exception_components import AbstractExceptionHandler
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, get_request_type, get_slot, get_supported_interfaces, is_request_type
from ask_sdk_model.directive import Directive
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.interfaces.alexa.presentation.apl.render_document_directive import RenderDocumentDirective
from ask_sdk_model.interfaces.alexa.presentation.apl.user_event import UserEvent
from ask_sdk_model.response import Response
from ask_sdk_model.session_ended_request import SessionEndedRequest
from ask_sdk_model.slot import Slot
from ask_sdk_model.ui.reprompt import Reprompt
from ask_sdk_model.ui.ssml_output_speech import SsmlOutputSpeech

from skill.alexa import local_time
from skill.conversation import policy, state
from skill.conversation.reply import Rendered, Reply, render, spoken
from skill.speech import screens
from skill.speech.words import Words, words_for

log = logging.getLogger(__name__)

# The slots read_turn reads, and what each must hold in every interaction model:
# a built-in type, or a custom type whose value ids are exactly these.
SLOTS = {
    "leg": policy.LEG_IDS,
    "seconds": "AMAZON.NUMBER",
    "symptom": policy.EMERGENCY_SYMPTOMS | policy.CLOT_SYMPTOMS,
}


def _resolved_id(slot: Slot | None) -> str | None:
    """The id entity resolution matched the slot's words to, if it did."""
    if slot is None or slot.resolutions is None:
        return None
    for authority in slot.resolutions.resolutions_per_authority or []:
        code = authority.status.code if authority.status else None
        if getattr(code, "value", code) == "ER_SUCCESS_MATCH" and authority.values:
            value = authority.values[0].value
            return value.id if value is not None else None
    return None


def _heard(slot: Slot | None) -> str:
    """The words Alexa heard in a slot ("" when it is empty or not text)."""
    value = slot.value if slot is not None else None
    return value.strip() if isinstance(value, str) else ""


def _number(text: str | None) -> int | None:
    return int(text) if isinstance(text, str) and text.isascii() and text.isdigit() else None


def _slot_text(slot: Slot | None) -> str | None:
    return slot.value if slot is not None and slot.value else None


def _locale(handler_input: HandlerInput) -> str | None:
    locale = get_locale(handler_input)
    return locale if isinstance(locale, str) else None


def _is_new_session(handler_input: HandlerInput) -> bool:
    """A request outside any session (Alexa sends some) counts as a new one."""
    session = handler_input.request_envelope.session
    return bool(session.new) if session is not None else True


def read_turn(handler_input: HandlerInput) -> policy.Turn:
    """What the user said, from the request envelope."""
    envelope = handler_input.request_envelope
    request = envelope.request
    if request is None:  # answer() refuses such envelopes; the error handler apologises
        raise ValueError("an envelope without a request")
    new_session = _is_new_session(handler_input)
    if isinstance(request, IntentRequest) and request.intent is not None:
        name = request.intent.name or "AMAZON.FallbackIntent"
    else:
        name = request.object_type or ""
    night = (local_time.is_night(local_time.device_time_zone(handler_input), request.timestamp)
             if name in policy.MAY_GREET else True)
    if isinstance(request, UserEvent):
        pressed = request.arguments[0] if isinstance(request.arguments, list) and request.arguments else None
        button = pressed if isinstance(pressed, str) and pressed in policy.BUTTONS else "unknown"
        return policy.Turn(name, new_session=new_session, night=night, button=button)
    if not isinstance(request, IntentRequest) or request.intent is None:
        return policy.Turn(name, new_session=new_session, night=night)
    leg_slot, symptom_slot = get_slot(handler_input, "leg"), get_slot(handler_input, "symptom")
    leg_heard = _heard(leg_slot)
    leg = _resolved_id(leg_slot) or leg_heard.lower()
    symptom = _resolved_id(symptom_slot)
    unresolved = [] if leg in policy.LEG_IDS or not leg_heard else [leg_heard]
    if symptom is None and _heard(symptom_slot):
        symptom = "unknown"
        unresolved.append(_heard(symptom_slot))
    return policy.Turn(
        intent=name,
        leg=leg if leg in policy.LEG_IDS else None,
        seconds=_number(_slot_text(get_slot(handler_input, "seconds"))),
        symptom=symptom,
        unresolved=" ".join(unresolved) or None,
        new_session=new_session,
        night=night,
    )


def _has_screen(handler_input: HandlerInput) -> bool:
    try:
        return get_supported_interfaces(handler_input).alexa_presentation_apl is not None
    except AttributeError:  # no context, system or device: no screen either
        return False


def _screen(handler_input: HandlerInput, reply: Reply, words: Words, night: bool) -> list[Directive]:
    """The RenderDocument directive for a device with a screen, when the reply has a screen."""
    if not _has_screen(handler_input):
        return []
    screen = screens.screen_for(spoken(reply, words), words, night=night, ask=reply.ask)
    if screen is None:
        return []
    return [RenderDocumentDirective(token=screen.token, document=screen.document,
                                    datasources=screen.datasources)]


def _respond(handler_input: HandlerInput, outcome: policy.Outcome, night: bool = True) -> Response:
    """Render the dialogue's reply (and its screen, on a device with one), and keep
    the next state (with this response, for "repeat") in the session attributes."""
    reply, next_state = outcome
    envelope = handler_input.request_envelope
    words = words_for(_locale(handler_input))
    rendered = reply if isinstance(reply, Rendered) else render(reply, words)
    if envelope.session is not None:
        next_state = next_state.but(last_speech=rendered.speech, last_reprompt=rendered.reprompt)
        handler_input.attributes_manager.session_attributes = next_state.to_attributes()
    response = build_response(rendered)
    if isinstance(reply, Reply):
        response.directives = _screen(handler_input, reply, words, night) or None
    return response


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
    """A launch, any intent, or a touch on the screen: the dialogue decides."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (is_request_type("LaunchRequest")(handler_input) or is_request_type("IntentRequest")(handler_input)
                or is_request_type(policy.TOUCH)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = read_turn(handler_input)
        log.debug("turn %s", turn.intent)
        return _respond(handler_input, policy.respond(_state(handler_input), turn), turn.night)


class SessionEndedHandler(AbstractRequestHandler):
    """Alexa closed the session; nothing can be said, and nothing is kept."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        assert isinstance(request, SessionEndedRequest)  # can_handle saw to it
        log.info("session ended: %s", request.reason)
        if request.error is not None:
            log.warning("session ended with an error: %s", request.error.message)
        if handler_input.request_envelope.session is not None:  # keep nothing: echo no attributes
            handler_input.attributes_manager.session_attributes = {}
        return Response()


class UnsupportedRequestHandler(AbstractRequestHandler):
    """Any other request type: say so, and offer a way on."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info("unsupported request type %s", get_request_type(handler_input))
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
