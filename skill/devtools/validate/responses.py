"""The walk through every response: each request (intents with each slot value) in
each dialogue state and locale, sent through ``skill.alexa.build.answer`` as a real
envelope and judged by ``skill.devtools.judge.response_problems`` and the screens'
``directive_problems``."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from skill.conversation import policy
from skill.conversation.routines import ROUTINES
from skill.conversation.state import QUESTIONS, ROUTINE_QUESTIONS, State
from skill.devtools import envelopes
from skill.devtools.validate.code import HANDLED_INTENTS
from skill.devtools.validate.models import intents_by_name, types_by_name
from skill.speech.words import LOCALES

NIGHT = "2026-01-01T03:00:00Z"  # the walk's request time; the daytime greeting is walked too


#: The walk talks from an Echo Show, so that each answer's screen is judged with it
#: (the speech is the same with a screen or without).
WALK_SCREEN = "echo-show-5"


def _envelope(request: dict[str, Any], locale: str, attributes: dict[str, Any] | None, new: bool) -> dict[str, Any]:
    return envelopes.request_envelope(request, locale=locale, session_id="amzn1.echo-api.session.validate",
                                      new=new, attributes=attributes, timestamp=NIGHT, screen=WALK_SCREEN)


def _slot(name: str, value: str | None, type_entry: dict[str, Any] | None) -> dict[str, Any]:
    if value is None or type_entry is None:
        return envelopes.slot(name, value)
    return envelopes.slot(name, value, slot_type=type_entry["name"],
                          resolved=envelopes.resolve(type_entry, value))


#: What Alexa may put in a built-in slot: a good value, edge values and "?" (heard, not understood).
BUILT_IN_VALUES = {"AMAZON.NUMBER": ["20", "5", "90", "?"]}


def slot_variants(intent: dict[str, Any], types: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(label, slots) to send with one intent: none filled, then each slot with
    each of its values, plus one value the model does not know."""
    declared = [slot for slot in intent.get("slots") or [] if isinstance(slot, dict) and slot.get("name")]
    empty = {slot["name"]: _slot(slot["name"], None, None) for slot in declared}
    variants = [("no slots", empty)]
    for slot in declared:
        slot_type = str(slot.get("type"))
        type_entry = types.get(slot_type)
        if type_entry is not None:
            values = [v["name"]["value"] for v in type_entry.get("values") or []] + ["something else"]
        else:
            values = BUILT_IN_VALUES.get(slot_type, ["something"])
        for value in values:
            variants.append((f"{slot['name']}={value!r}",
                             {**empty, slot["name"]: _slot(slot["name"], value, type_entry)}))
    return variants


def dialogue_states() -> list[tuple[str, dict[str, Any]]]:
    """(label, session attributes) for every state the dialogue can be in: each
    question asked with no routine, and each routine at each round, paused or not,
    with each question a routine asks."""
    states: list[tuple[str, dict[str, Any]]] = [("a fresh session", {})]
    for asked in sorted(QUESTIONS - ROUTINE_QUESTIONS):
        states.append((f"asked {asked}", State(asked=asked).to_attributes()))
        states.append((f"asked {asked}, left leg", State(asked=asked, leg="left").to_attributes()))
    for name, routine in sorted(ROUTINES.items()):
        for round_ in range(routine.rounds + 1):
            for paused in (False, True):
                for asked in sorted(ROUTINE_QUESTIONS):
                    state = State(routine=name, round=round_, hold=routine.default_hold,
                                  paused=paused, asked=asked, leg="right" if round_ % 2 else None)
                    label = f"{name} routine, round {round_}{', paused' if paused else ''}, asked {asked}"
                    states.append((label, state.to_attributes()))
    return states


class _Errors(logging.Handler):
    """Collects errors the skill logs while answering (its error handler hides them)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _requests(locale: str, document: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "LaunchRequest", {"type": "LaunchRequest"}
    intents = intents_by_name(document)
    types = types_by_name(document)
    for name in sorted(HANDLED_INTENTS | set(intents)):
        for label, slots in slot_variants(intents.get(name, {}), types):
            suffix = "" if label == "no slots" else f" ({label})"
            yield f"{name}{suffix}", {"type": "IntentRequest", "dialogState": "COMPLETED",
                                      "intent": {"name": name, "confirmationStatus": "NONE",
                                                 "slots": slots}}
    yield "an intent the skill does not know", {
        "type": "IntentRequest", "intent": {"name": "UnknownIntent", "confirmationStatus": "NONE"}}
    yield "SessionEndedRequest", {"type": "SessionEndedRequest", "reason": "USER_INITIATED"}


def _in_the_daytime(intent: str, locale: str, attributes: dict[str, Any], new: bool) -> dict[str, Any]:
    """The answer in the daytime at the device. Only the Settings API tells day from
    night, so the walk (at night otherwise) asks the handlers' own dialogue, words
    and response builder with the time known."""
    from ask_sdk_core.serialize import DefaultSerializer

    from skill.alexa.handlers import build_response
    from skill.conversation.reply import render
    from skill.conversation.state import from_attributes
    from skill.speech.words import words_for

    reply, _ = policy.respond(from_attributes(attributes),
                              policy.Turn(intent, new_session=new, night=False))
    return {"response": DefaultSerializer().serialize(build_response(render(reply, words_for(locale))))}


def response_walk(models: dict[str, Any], locales: Iterable[str] = LOCALES) -> list[tuple[str, str]]:
    """(where, problem) for every response the skill gives to each request in each
    dialogue state and locale. Requests use the locale's model for slots when there is one."""
    from skill.alexa.build import answer, build_skill
    from skill.alexa.services import Services

    skill = build_skill(Services())  # no store, no Alexa API: validate touches nothing outside

    found: list[tuple[str, str]] = []
    errors = _Errors()
    logger = logging.getLogger("skill")
    logger.addHandler(errors)
    try:
        for locale in locales:
            requests = list(_requests(locale, models.get(locale)))
            for state_label, attributes in dialogue_states():
                for new in ((True, False) if not attributes else (False,)):
                    for request_label, request in requests:
                        where = (f"{locale}, {request_label}, {state_label}"
                                 f"{' (new session)' if new else ''}")
                        errors.records.clear()
                        response = answer(skill, _envelope(request, locale, attributes, new))
                        found += [(where, problem) for problem in _judge(request, response)]
                        found += [(where, f"the skill logged an error: {record.getMessage()}"
                                   + (f" ({record.exc_info[1]!r})" if record.exc_info else ""))
                                  for record in errors.records]
                        if request_label in policy.MAY_GREET:
                            day = _in_the_daytime(request_label, locale, attributes, new)
                            found += [(where + ", in the daytime", problem) for problem in _judge(request, day)]
                        if (request["type"] != "SessionEndedRequest"
                                and response.get("response", {}).get("shouldEndSession") is False):
                            # "repeat" right after this response must say it again, as good as before
                            repeat = answer(skill, _envelope(
                                {"type": "IntentRequest", "intent": {"name": "AMAZON.RepeatIntent",
                                                                     "confirmationStatus": "NONE"}},
                                locale, response.get("sessionAttributes"), False))
                            found += [(where + ", then repeat", problem)
                                      for problem in _judge(request, repeat)]
    finally:
        logger.removeHandler(errors)
    return found


def _judge(request: dict[str, Any], envelope: dict[str, Any]) -> list[str]:
    from skill.devtools.judge import response_problems
    from skill.speech.screens import directive_problems

    response = envelope.get("response") or {}
    if request["type"] == "SessionEndedRequest":
        return ["a response to SessionEndedRequest must not speak"] if response.get("outputSpeech") else []
    found = response_problems(envelope) + directive_problems(envelope)
    if not (response.get("outputSpeech") or {}).get("ssml"):
        found.append("the response says nothing")
    if response.get("shouldEndSession") is None:
        found.append("shouldEndSession is not set")
    return found
