"""ask-sdk plumbing: read the request, ask the dialogue, write the response.

Handlers hold no words and no conversation logic; see ``skill.conversation.policy``.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components.exception_components import AbstractExceptionHandler
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, get_request_type, get_slot, get_supported_interfaces, is_request_type
from ask_sdk_model.directive import Directive
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.response import Response
from ask_sdk_model.session_ended_request import SessionEndedRequest
from ask_sdk_model.slot import Slot
from ask_sdk_model.ui.reprompt import Reprompt
from ask_sdk_model.ui.ssml_output_speech import SsmlOutputSpeech

from skill.alexa import local_time, preferences, redact, reminders
from skill.alexa.memory import Memory
from skill.alexa.preferences import Preferences
from skill.conversation import bedtime_reminder, policy, state
from skill.conversation.reply import Rendered, Reply, render, spoken
from skill.speech.words import Words, words_for

log = logging.getLogger(__name__)

HOLD_CHANGES = frozenset({"longer", "shorter"})
# The slots read_turn reads, and what each must hold in every interaction model:
# a built-in type, or a custom type whose value ids are exactly these.
SLOTS = {
    "leg": policy.LEG_IDS,
    "seconds": "AMAZON.NUMBER",
    "symptom": policy.EMERGENCY_SYMPTOMS | policy.CLOT_SYMPTOMS,
    "change": HOLD_CHANGES,
    "time": "AMAZON.TIME",   # read by ReminderHandler
    "who": frozenset({policy.PARTNER}),
}
# Besides the first turn of each session, the only turn that reads the record.
READS_RECORD = frozenset({"SetHoldIntent"})


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


def seconds_since_epoch(timestamp: Any) -> int:
    """The request's own time, as the record keeps times (now, if it has none)."""
    return int(timestamp.timestamp()) if isinstance(timestamp, datetime) else int(time.time())


def _device_id(handler_input: HandlerInput) -> str | None:
    system = getattr(handler_input.request_envelope.context, "system", None)
    device_id = getattr(getattr(system, "device", None), "device_id", None)
    return device_id if isinstance(device_id, str) and device_id else None


def _time_zone(handler_input: HandlerInput, memory: Memory | None, known: Preferences | None,
               now: int) -> str | None:
    """The device's time zone: as stored less than a day ago, else as Alexa's
    Settings API (or this process's cache of it) gives it, and then stored."""
    device_id = _device_id(handler_input)
    stored = preferences.fresh_time_zone(known, device_id, now) if known else None
    if stored is not None:
        return stored
    zone = local_time.device_time_zone(handler_input)
    if zone and device_id and memory is not None and memory.writable:
        memory.note(**preferences.time_zone_read(memory.record, device_id, zone, now))
    return zone


def _night(handler_input: HandlerInput, current: state.State, new_session: bool, memory: Memory | None,
           known: Preferences | None, now: int) -> bool:
    """Night at the device: read when a session begins, then kept for the session."""
    if current.night is not None and not new_session:
        return current.night
    request = handler_input.request_envelope.request
    timestamp = request.timestamp if request is not None else None
    return local_time.is_night(_time_zone(handler_input, memory, known, now), timestamp)


def read_turn(handler_input: HandlerInput, memory: Memory | None = None,
              current: state.State | None = None) -> policy.Turn:
    """What the user said, from the request envelope; and, when this turn needs it
    (the session's first turn, set-hold), what the record says about them."""
    envelope = handler_input.request_envelope
    request = envelope.request
    if request is None:  # answer() refuses such envelopes; the error handler apologises
        raise ValueError("an envelope without a request")
    new_session = _is_new_session(handler_input)
    if isinstance(request, IntentRequest) and request.intent is not None:
        name = request.intent.name or "AMAZON.FallbackIntent"
    else:
        name = request.object_type or ""
    now = seconds_since_epoch(request.timestamp)
    known = memory.read() if memory is not None and (new_session or name in READS_RECORD) else None
    usual_hold = known.hold if known else None
    disclaimer = (preferences.disclaimer_due(known, now) or "none") if known else None
    night = _night(handler_input, current or state.State(), new_session, memory, known, now)
    if name == policy.TOUCH:
        # APL's models and the screens load only when a screen is touched or drawn: a
        # cold start on a device without one does not pay for them
        from ask_sdk_model.interfaces.alexa.presentation.apl.user_event import UserEvent

        assert isinstance(request, UserEvent)  # the SDK reads this request type as one
        pressed = request.arguments[0] if isinstance(request.arguments, list) and request.arguments else None
        button = pressed if isinstance(pressed, str) and pressed in policy.BUTTONS else "unknown"
        return policy.Turn(name, new_session=new_session, night=night, button=button,
                           usual_hold=usual_hold, disclaimer=disclaimer)
    if not isinstance(request, IntentRequest) or request.intent is None:
        return policy.Turn(name, new_session=new_session, night=night, usual_hold=usual_hold,
                           disclaimer=disclaimer)
    change = _resolved_id(get_slot(handler_input, "change"))
    leg_slot, symptom_slot = get_slot(handler_input, "leg"), get_slot(handler_input, "symptom")
    leg_heard = _heard(leg_slot)
    leg = _resolved_id(leg_slot) or leg_heard.lower()
    symptom = _resolved_id(symptom_slot)
    unresolved = [] if leg in policy.LEG_IDS or not leg_heard else [leg_heard]
    who_slot = get_slot(handler_input, "who")
    partner = _resolved_id(who_slot) == policy.PARTNER
    if not partner and _heard(who_slot):
        unresolved.append(_heard(who_slot))
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
        change=change if change in HOLD_CHANGES else None,
        usual_hold=usual_hold,
        disclaimer=disclaimer,
        partner=partner,
    )


def _set_hold(memory: Memory, turn: policy.Turn, current: state.State) -> policy.Turn:
    """Store the hold asked for, before the dialogue says whether it was kept."""
    usual = turn.usual_hold or current.usual_hold
    wanted, _ = policy.hold_wanted(usual, turn.seconds, turn.change)
    if wanted is None:
        outcome = None
    elif not memory.remembers:
        outcome = "off"
    else:
        outcome = "saved" if memory.update(hold=wanted) else "failed"
    return turn._replace(usual_hold=usual, memory=outcome)


def _forget(memory: Memory, turn: policy.Turn) -> policy.Turn:
    if not memory.remembers:
        return turn._replace(memory="off")
    return turn._replace(memory="deleted" if memory.forget() else "failed")


def _remember_what_was_said(memory: Memory, turn: policy.Turn, reply: Reply, now: int) -> None:
    """Note a disclaimer said to someone the record knows; write what changed."""
    form = policy.disclaimer_said(reply)
    if form and turn.disclaimer is not None:
        memory.note(**preferences.disclaimer_heard(form, now))
    memory.flush()


def _may_offer_reminder(handler_input: HandlerInput, memory: Memory) -> bool:
    """Offer the nightly reminder once: only where the store can remember that it was
    offered, Alexa lets the skill set reminders (the request carries an API token),
    and none is set (as far as the skill may know: without the permission, none of
    its reminders can be)."""
    if not memory.remembers:
        return False
    known = memory.read()
    if known is None or known.reminder_offered_at is not None:
        return False
    system = getattr(handler_input.request_envelope.context, "system", None)
    if not getattr(system, "api_access_token", None):
        return False
    return not reminders.granted(handler_input) or reminders.current(handler_input).kind == "none"


def _elicit_time(handler_input: HandlerInput) -> list[Directive]:
    """Asking for the reminder's time: a Dialog.ElicitSlot for BedtimeReminderIntent's
    time, so that Alexa hears a bare time ("nine thirty") as that slot (the model's
    slot samples), which it does only while that slot is elicited. Dialog directives
    answer intent requests only."""
    if not is_request_type("IntentRequest")(handler_input):
        return []
    from ask_sdk_model.dialog.elicit_slot_directive import ElicitSlotDirective
    from ask_sdk_model.intent import Intent
    from ask_sdk_model.intent_confirmation_status import IntentConfirmationStatus

    intent, slot = bedtime_reminder.ELICITED
    return [ElicitSlotDirective(slot_to_elicit=slot, updated_intent=Intent(
        name=intent, slots={slot: Slot(name=slot)}, confirmation_status=IntentConfirmationStatus.NONE))]


def _has_screen(handler_input: HandlerInput) -> bool:
    try:
        return get_supported_interfaces(handler_input).alexa_presentation_apl is not None
    except AttributeError:  # no context, system or device: no screen either
        return False


def _screen(handler_input: HandlerInput, reply: Reply, words: Words, night: bool) -> list[Directive]:
    """The RenderDocument directive for a device with a screen, when the reply has a screen."""
    if not _has_screen(handler_input):
        return []
    from ask_sdk_model.interfaces.alexa.presentation.apl.render_document_directive import RenderDocumentDirective

    from skill.speech import screens

    screen = screens.screen_for(spoken(reply, words), words, night=night, ask=reply.ask)
    if screen is None:
        return []
    return [RenderDocumentDirective(token=screen.token, document=screen.document,
                                    datasources=screen.datasources)]


def _respond(handler_input: HandlerInput, outcome: policy.Outcome, night: bool = True) -> Response:
    """Render the dialogue's reply (softly at night, and its screen on a device with
    one), and keep the next state (with this response, for "repeat", and the time of
    day) in the session attributes."""
    reply, next_state = outcome
    envelope = handler_input.request_envelope
    words = words_for(_locale(handler_input))
    if next_state.partner:
        words = words.partner()
    rendered = render(reply, words, night)
    if envelope.session is not None:
        next_state = next_state.but(last=reply, night=night)
        handler_input.attributes_manager.session_attributes = next_state.to_attributes()
    response = build_response(rendered)
    elicit = _elicit_time(handler_input) if reply.ask == bedtime_reminder.ASKED_TIME else []
    response.directives = _screen(handler_input, reply, words, night) + elicit or None
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
    """A launch, any intent, or a touch on the screen: the dialogue decides.
    ``adapter``: the store the skill is built with, if any."""

    def __init__(self, adapter: AbstractPersistenceAdapter | None = None) -> None:
        self.adapter = adapter

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (is_request_type("LaunchRequest")(handler_input) or is_request_type("IntentRequest")(handler_input)
                or is_request_type(policy.TOUCH)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        memory = Memory(handler_input, self.adapter)
        current = _state(handler_input)
        turn = read_turn(handler_input, memory, current)
        log.debug("turn %s", turn.intent)
        if turn.intent == "SetHoldIntent":
            turn = _set_hold(memory, turn, current)
        elif turn.intent == "ForgetMeIntent":
            turn = _forget(memory, turn)
        outcome = policy.respond(current, turn)
        request = handler_input.request_envelope.request
        now = seconds_since_epoch(getattr(request, "timestamp", None))
        if policy.reminder_offer_point(current, turn, outcome[0]) and _may_offer_reminder(handler_input, memory):
            outcome = policy.with_reminder_offer(outcome[0])
            memory.note(**preferences.reminder_offered(now))
        _remember_what_was_said(memory, turn, outcome[0], now)
        return _respond(handler_input, outcome, turn.night)


class SkillEventHandler(AbstractRequestHandler):
    """Skill events (``AlexaSkillEvent.*``): nothing is said. When the skill is
    disabled, the person's record is deleted."""

    def __init__(self, adapter: AbstractPersistenceAdapter | None = None) -> None:
        self.adapter = adapter

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return str(get_request_type(handler_input)).startswith("AlexaSkillEvent.")

    def handle(self, handler_input: HandlerInput) -> Response:
        event = str(get_request_type(handler_input))
        if event == "AlexaSkillEvent.SkillDisabled":
            forgotten = Memory(handler_input, self.adapter).forget()
            log.info("skill disabled: record %s", "deleted" if forgotten else "NOT deleted (store failing)")
        else:
            log.info("skill event %s", event)
        if handler_input.request_envelope.session is not None:  # events come without one; echo nothing
            handler_input.attributes_manager.session_attributes = {}
        return Response()


class SessionEndedHandler(AbstractRequestHandler):
    """Alexa closed the session; nothing can be said, and nothing is kept."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        assert isinstance(request, SessionEndedRequest)  # can_handle saw to it
        log.info("session ended: %s", request.reason)
        if request.error is not None:
            log.warning("session ended with an error: %s", redact.redacted(str(request.error.message)))
        if handler_input.request_envelope.session is not None:  # keep nothing: echo no attributes
            handler_input.attributes_manager.session_attributes = {}
        return Response()


class UnsupportedRequestHandler(AbstractRequestHandler):
    """Any other request type: say so, and offer a way on."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info("unsupported request type %s", get_request_type(handler_input))
        current = _state(handler_input)
        return _respond(handler_input, policy.unsupported(current, None), current.night is not False)


class ErrorHandler(AbstractExceptionHandler):
    """Whatever went wrong, the user hears an apology and a way on; the log gets the cause."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("request failed\n%s", redact.failure(exception))  # no Alexa id, and not thousands of lines
        try:
            current = _state(handler_input)
        except Exception:  # the session itself is unreadable
            current = state.State()
        return _respond(handler_input, policy.failed(current, None), current.night is not False)


class ReminderHandler(AbstractRequestHandler):
    """The nightly stretch reminder: set, change, check, cancel, the yes or no to the
    time said back before it is set, and the voice consent (Connections.SendRequest
    AskFor, then the Connections.Response). The words and the decisions are in
    ``skill.conversation.bedtime_reminder``; the calls in ``reminders``."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        if is_request_type("Connections.Response")(handler_input):
            return getattr(request, "name", None) == "AskFor"
        if is_request_type("IntentRequest")(handler_input):
            name = getattr(getattr(request, "intent", None), "name", None)
            if name in bedtime_reminder.ANSWERS:  # yes or no: to the time said back, if that was asked
                return _state(handler_input).asked == bedtime_reminder.CONFIRM
            return name in bedtime_reminder.INTENTS
        return False

    def handle(self, handler_input: HandlerInput) -> Response:
        from ask_sdk_model.interfaces.connections.send_request_directive import SendRequestDirective
        from ask_sdk_model.ui.ask_for_permissions_consent_card import AskForPermissionsConsentCard

        current = _state(handler_input)
        request = handler_input.request_envelope.request
        night = _night(handler_input, current, _is_new_session(handler_input), None, None,
                       seconds_since_epoch(getattr(request, "timestamp", None)))
        locale = _locale(handler_input) or "en-US"
        words = words_for(locale)
        card = False
        if is_request_type("Connections.Response")(handler_input):
            payload = getattr(request, "payload", None) or {}
            status = payload.get("status") if isinstance(payload, dict) else None
            time_ = bedtime_reminder.from_token(getattr(request, "token", None))
            plan = bedtime_reminder.Plan("set", time_) if time_ else bedtime_reminder.Plan("ask_time")
            if status != "ACCEPTED":
                outcome: bedtime_reminder.Outcome | None = bedtime_reminder.Outcome("denied")
                card = True
            elif time_ is None:
                outcome = None
            else:
                outcome = self._set(handler_input, time_, locale, words)
        else:
            intent = request.intent  # type: ignore[union-attr]
            heard = _slot_text(get_slot(handler_input, "time"))
            try:
                plan = bedtime_reminder.plan(intent.name, heard, current)
            except ValueError as problem:  # a time said back that the skill never said: not ours
                log.warning("session attributes unusable (%s); starting fresh", problem)
                current = state.State()
                if intent.name in bedtime_reminder.ANSWERS:  # a yes or no to nothing asked
                    return _respond(handler_input, policy.respond(current, policy.Turn(intent.name, night=night)),
                                    night)
                plan = bedtime_reminder.plan(intent.name, heard, current)
            if plan.action == "set" and plan.time is not None and not reminders.granted(handler_input):
                # Ask for the permission by voice, carrying the time the user confirmed.
                log.info("asking for the reminders permission by voice")
                return Response(directives=[SendRequestDirective(
                    name="AskFor", token=bedtime_reminder.token(plan.time),
                    payload={"@type": "AskForPermissionsConsentRequest", "@version": "1",
                             "permissionScope": bedtime_reminder.READWRITE})])
            if plan.action == "set" and plan.time is not None:
                outcome = self._set(handler_input, plan.time, locale, words)
            elif plan.action == "check":
                outcome = reminders.current(handler_input)
            elif plan.action == "cancel":
                outcome = reminders.cancel(handler_input)
            else:
                outcome = None
        if outcome is not None and outcome.kind == "no_permission":
            card = True
        reply, next_state = bedtime_reminder.said(current, plan, outcome)
        response = _respond(handler_input, (reply, next_state), night)
        if reply.ask == bedtime_reminder.CONFIRM:
            # While the time is said back, a time said instead of yes or no ("no, ten
            # thirty") is heard as the time slot, as it is while the time is asked for.
            response.directives = (response.directives or []) + _elicit_time(handler_input) or None
        if card:
            response.card = AskForPermissionsConsentCard(permissions=[bedtime_reminder.READWRITE])
        return response

    @staticmethod
    def _set(handler_input: HandlerInput, time_: tuple[int, int], locale: str,
             words: Words) -> bedtime_reminder.Outcome:
        zone = local_time.device_time_zone(handler_input)
        text = words.text(bedtime_reminder.REMINDER_TEXT)
        return reminders.set_daily(handler_input, time_[0], time_[1], zone, locale, text)
