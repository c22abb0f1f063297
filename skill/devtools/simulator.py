"""Alexa's side of a conversation: the one session simulator, used by the terminal
(``say``, ``chat``), the tests and the benchmarks.

A ``Session`` builds each request envelope as Alexa would (a session id, the ``new``
flag, the session attributes the skill answered last turn, the device's screen) and
sends it to a handler with Lambda's signature, ``handler(event, context)``: by
default ``skill.alexa.build.handle_event``, or the Lambda entry point, or any skill
through ``build.answer``. Nothing here decides what the skill says.

    session = Session("en-GB")
    session.open().speech            # "Hi. I'm not a doctor, ..."
    session.say("RelieveCrampIntent", leg="left")

``resolved_intent_request`` is an IntentRequest as Alexa sends it for an intent and
slot values: every declared slot present, custom values resolved against the
locale's interaction model.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from skill.alexa.skill_ids import skill_ids_from_environment
from skill.devtools import envelopes
from skill.devtools.model_files import language_model
from skill.speech.ssml import to_text
from skill.speech.words import DEFAULT_LOCALE, LOCALES

if TYPE_CHECKING:
    from skill.devtools.hearing import Understood

Envelope = dict[str, Any]
Handler = Callable[[Envelope, Any], Envelope]


def load_lambda_entry(name: str = "lambda_function", path: Path | None = None) -> ModuleType:
    """The checkout's Lambda entry point (``lambda/lambda_function.py``), imported
    afresh as module ``name``, as a new Lambda instance imports it; its
    ``lambda_handler`` is a ``Handler``."""
    if path is None:
        from skill.devtools.package import project_root

        path = project_root() / "lambda" / "lambda_function.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def resolved_intent_request(intent: str, slots: dict[str, Any] | None = None,
                            locale: str = DEFAULT_LOCALE) -> Envelope:
    """An IntentRequest for ``intent`` with these slot values (None: not said).
    A locale the skill has no model for reads en-US's."""
    model = language_model(locale if locale in LOCALES else DEFAULT_LOCALE)
    types = {entry["name"]: entry for entry in model.get("types", [])}
    declared_intent: dict[str, Any] = next((entry for entry in model["intents"] if entry["name"] == intent), {})
    declared = {entry["name"]: entry["type"] for entry in declared_intent.get("slots", [])}
    given = slots or {}
    filled = {}
    for name in {*declared, *given}:
        value = None if given.get(name) is None else str(given[name])
        slot_type = types.get(declared.get(name, ""))
        filled[name] = envelopes.slot(
            name, value, slot_type=declared.get(name),
            resolved=envelopes.resolve(slot_type, value) if slot_type and value else None)
    return envelopes.intent_request(intent, filled)


@dataclass
class Said:
    """One response envelope, as the person hears it."""

    envelope: Envelope

    @property
    def response(self) -> dict[str, Any]:
        response: dict[str, Any] = self.envelope.get("response") or {}
        return response

    @property
    def ssml(self) -> str | None:
        ssml: str | None = (self.response.get("outputSpeech") or {}).get("ssml")
        return ssml

    @property
    def speech(self) -> str:
        """The speech as text, pauses shown as [10 s]; empty when nothing is said."""
        return to_text(self.ssml) if self.ssml else ""

    @property
    def reprompt_ssml(self) -> str | None:
        ssml: str | None = ((self.response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
        return ssml

    @property
    def reprompt(self) -> str | None:
        return to_text(self.reprompt_ssml) if self.reprompt_ssml else None

    @property
    def ended(self) -> bool:
        return self.response.get("shouldEndSession") is not False

    @property
    def attributes(self) -> dict[str, Any]:
        attributes: dict[str, Any] = self.envelope.get("sessionAttributes") or {}
        return attributes

    @property
    def directives(self) -> list[dict[str, Any]]:
        directives: list[dict[str, Any]] = self.response.get("directives") or []
        return directives

    @property
    def eliciting(self) -> tuple[str, str] | None:
        """(intent, slot) when this response elicits a slot (Dialog.ElicitSlot)."""
        for directive in self.directives:
            if directive.get("type") == "Dialog.ElicitSlot":
                return str((directive.get("updatedIntent") or {}).get("name")), str(directive.get("slotToElicit"))
        return None

    @property
    def asking_consent(self) -> dict[str, Any] | None:
        """The Connections.SendRequest AskFor directive, when this response asks for consent."""
        return next((d for d in self.directives
                     if d.get("type") == "Connections.SendRequest" and d.get("name") == "AskFor"), None)

    @property
    def screen(self) -> dict[str, Any] | None:
        """The data the screen shows (the RenderDocument's data source), or None."""
        documents = [d for d in self.directives if d.get("type") == "Alexa.Presentation.APL.RenderDocument"]
        if len(documents) > 1:
            raise ValueError(f"{len(documents)} RenderDocument directives in one response")
        screen: dict[str, Any] | None = documents[0]["datasources"]["screen"] if documents else None
        return screen


def _process_skill(event: Envelope, context: Any = None) -> Envelope:
    from skill.alexa import build  # looked up at each call: the skill is built when first spoken to

    return build.handle_event(event, context, host="local")


class Session:
    """One person talking to the skill; the session is carried from turn to turn, and
    a new one starts after the skill ends one (as the next "Alexa, open ...").

    ``handler`` answers each envelope (default: the process's own skill, on the
    services a local host has, as ``chat`` and ``say`` use it); ``check`` sees every
    response envelope first (a test's judge, say). ``timestamp`` (ISO 8601, UTC)
    stands for the time of the next requests. With ``api_access_token`` the skill may call Alexa's API (the
    stand-in ``LEG_CRAMP_ALEXA_API`` names); ``grant`` gives the user's permission
    for scopes, as the envelope's user then shows.

    A voice consent request (Connections.SendRequest AskFor) keeps the session for
    Alexa's own question; ``consent(status)`` answers it as Alexa does, with a
    Connections.Response (and, when accepted, the scope granted)."""

    def __init__(self, locale: str = DEFAULT_LOCALE, handler: Handler | None = None, *,
                 screen: str | None = None, check: Callable[[Envelope], Any] | None = None,
                 user_id: str = envelopes.USER_ID, device_id: str = envelopes.DEVICE_ID,
                 session_id: str | None = None, api_access_token: str | None = None):
        self.locale = locale
        self.handler = handler or _process_skill
        self.screen = screen  # one of envelopes.SCREENS, or None: a device without a screen
        self.check = check
        self.user_id, self.device_id = user_id, device_id
        self.fixed_session_id = session_id  # every session gets this id (default: a new one each)
        self.timestamp: str | None = None
        self.api_access_token = api_access_token
        self.granted: set[str] = set()
        self.session_id: str | None = None
        self.attributes: dict[str, Any] = {}
        self.transcript: list[tuple[str, Said]] = []

    @property
    def in_session(self) -> bool:
        return self.session_id is not None

    def grant(self, *scopes: str) -> None:
        """The user grants these permission scopes, from the next request on."""
        self.granted.update(scopes)

    @property
    def last(self) -> Said | None:
        """The skill's last answer in the open session (None when no session is open)."""
        return self.transcript[-1][1] if self.in_session and self.transcript else None

    @property
    def asking_consent(self) -> dict[str, Any] | None:
        """The AskFor directive of the skill's last answer, while Alexa asks for consent."""
        return self.last.asking_consent if self.last else None

    def consent(self, status: str) -> Said:
        """Alexa's answer to the skill's AskFor: "ACCEPTED" (the scope is granted),
        "DENIED" or "NOT_ANSWERED", as a Connections.Response."""
        asked = self.asking_consent
        if asked is None:
            raise ValueError("the skill is not asking for consent")
        scope = str((asked.get("payload") or {}).get("permissionScope") or "")
        if status == "ACCEPTED" and scope:
            self.grant(scope)
        return self.send(envelopes.connections_response(asked.get("token", ""), scope, status))

    @property
    def eliciting(self) -> tuple[str, str] | None:
        """(intent, slot) the skill's last answer in this session elicits, if any."""
        return self.last.eliciting if self.last else None

    def envelope(self, request: Envelope) -> Envelope:
        """The envelope the next request goes in (starting a session if none is open)."""
        new = self.session_id is None
        if self.session_id is None:
            self.session_id = self.fixed_session_id or f"amzn1.echo-api.session.{uuid.uuid4()}"
            self.attributes = {}
        return envelopes.request_envelope(
            request, locale=self.locale, session_id=self.session_id, new=new, attributes=self.attributes,
            timestamp=self.timestamp, user_id=self.user_id, device_id=self.device_id, screen=self.screen,
            api_access_token=self.api_access_token, granted=tuple(sorted(self.granted)))

    def send(self, request: Envelope) -> Said:
        """Send one request in this session; what the skill answered."""
        answer = self.handler(self.envelope(request), None)
        if self.check is not None:
            self.check(answer)
        said = Said(answer)
        self.transcript.append((request.get("intent", {}).get("name", request["type"]), said))
        if request["type"] == "SessionEndedRequest" or (said.ended and said.asking_consent is None):
            self.session_id, self.attributes = None, {}
        else:
            self.attributes = said.attributes
        return said

    def open(self) -> Said:
        """'Alexa, open leg cramp helper'."""
        return self.send({"type": "LaunchRequest"})

    def say(self, intent: str, **slots: Any) -> Said:
        """An intent, in this session; a one-shot invocation when no session is open."""
        return self.send(resolved_intent_request(intent, slots, self.locale))

    def hear(self, understood: Understood) -> Said:
        """What the terminal heard: an IntentRequest, or a launch if only the skill was named."""
        if understood.intent is None:
            return self.open()
        request = understood.request()
        eliciting = self.eliciting
        if eliciting is not None and understood.intent == eliciting[0]:
            request["dialogState"] = "IN_PROGRESS"  # as Alexa sends the answer to an elicitation
        return self.send(request)

    def touch(self, action: str) -> Said:
        """A button on the screen: the UserEvent its SendEvent sends."""
        return self.send(envelopes.user_event(action))

    def event(self, name: str, **body: Any) -> Envelope:
        """A skill event for this user (outside any session); the raw response envelope."""
        return self.handler(envelopes.skill_event(name, user_id=self.user_id, timestamp=self.timestamp,
                                                  body=body or None), None)

    def end(self, reason: str) -> Said | None:
        """Alexa closes the session (the person left, or said nothing twice)."""
        if not self.in_session:
            return None
        return self.send({"type": "SessionEndedRequest", "reason": reason})


def envelope_command(args: argparse.Namespace) -> int:
    """``leg-cramp-helper envelope launch`` or ``envelope intent NAME [SLOT=VALUE ...]``:
    print one request envelope, as Alexa would send it, to try ``serve`` by hand."""
    if args.kind == "launch":
        if args.name or args.slots:
            print("leg-cramp-helper envelope: launch takes no intent or slots", file=sys.stderr)
            return 2
        request: Envelope = {"type": "LaunchRequest"}
    else:
        known = {entry["name"]: {slot["name"] for slot in entry.get("slots", [])}
                 for entry in language_model(args.locale)["intents"]}
        if args.name not in known:
            print(f"leg-cramp-helper envelope: {args.locale} has no intent {args.name!r}; "
                  f"one of {', '.join(sorted(known))}", file=sys.stderr)
            return 2
        slots: dict[str, str] = {}
        for pair in args.slots:
            name, equals, value = pair.partition("=")
            if not equals or name not in known[args.name]:
                slots_known = ", ".join(sorted(known[args.name])) or "none"
                print(f"leg-cramp-helper envelope: {pair!r} is not SLOT=VALUE for a slot of {args.name} "
                      f"({slots_known})", file=sys.stderr)
                return 2
            slots[name] = value
        request = resolved_intent_request(args.name, slots, args.locale)
    skill_ids = sorted(skill_ids_from_environment())
    envelope = envelopes.request_envelope(request, locale=args.locale,
                                          application_id=skill_ids[0] if skill_ids else envelopes.SKILL_ID)
    print(json.dumps(envelope, indent=2))
    return 0
