"""A conversation with the skill, turn by turn, through the real Lambda entry point.

Each turn builds the request envelope Alexa would send (session id, the "new"
flag, the session attributes the skill returned last time, slots resolved
against the locale's interaction model), sends it through
``lambda_function.lambda_handler`` and checks the response against Alexa's
rules before a test sees it. A test reads like a transcript:

    chat = Conversation()
    assert "stretch" in chat.open().speech
    assert chat.say("AMAZON.YesIntent").speech.endswith("Is it easing?")
"""

from __future__ import annotations

import importlib.util
import json
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from skill.devtools import envelopes
from skill.speech.screens import directive_problems
from skill.speech.ssml import response_problems, to_text

ROOT = Path(__file__).resolve().parents[2]


def _load_lambda_handler():
    spec = importlib.util.spec_from_file_location("lambda_function", ROOT / "lambda" / "lambda_function.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


lambda_handler = _load_lambda_handler()


@cache
def model(locale: str) -> dict:
    """The locale's interaction model (en-US's for a locale the skill does not have)."""
    path = ROOT / "interaction_models" / f"{locale}.json"
    if not path.exists():
        path = ROOT / "interaction_models" / "en-US.json"
    return json.loads(path.read_text("utf-8"))["interactionModel"]["languageModel"]


def _intent(locale: str, name: str) -> dict:
    return next((i for i in model(locale)["intents"] if i["name"] == name), {})


def intent_request(intent: str, slots: dict | None = None, locale: str = "en-US") -> dict:
    """An IntentRequest as Alexa sends it: every declared slot present, filled or
    not, and custom slot values resolved against the locale's model."""
    types = {t["name"]: t for t in model(locale).get("types", [])}
    declared = {s["name"]: s["type"] for s in _intent(locale, intent).get("slots", [])}
    filled = {}
    for name in {*declared, *(slots or {})}:
        value = None if (slots or {}).get(name) is None else str(slots[name])
        slot_type = types.get(declared.get(name))
        filled[name] = envelopes.slot(
            name, value, slot_type=declared.get(name),
            resolved=envelopes.resolve(slot_type, value) if slot_type and value else None)
    return envelopes.intent_request(intent, filled)


@dataclass
class Said:
    """One response, as the user hears it."""

    envelope: dict

    @property
    def response(self) -> dict:
        return self.envelope["response"]

    @property
    def ssml(self) -> str:
        return self.response["outputSpeech"]["ssml"]

    @property
    def speech(self) -> str:
        """The speech as text, pauses shown as [10 s]."""
        return to_text(self.ssml)

    @property
    def reprompt(self) -> str | None:
        reprompt = self.response.get("reprompt")
        return to_text(reprompt["outputSpeech"]["ssml"]) if reprompt else None

    @property
    def ended(self) -> bool:
        return self.response.get("shouldEndSession") is not False

    @property
    def attributes(self) -> dict:
        return self.envelope.get("sessionAttributes") or {}

    @property
    def directives(self) -> list:
        return self.response.get("directives") or []

    @property
    def screen(self) -> dict | None:
        """The data the screen shows (the RenderDocument's data source), or None."""
        documents = [d for d in self.directives if d["type"] == "Alexa.Presentation.APL.RenderDocument"]
        assert len(documents) <= 1, documents
        return documents[0]["datasources"]["screen"] if documents else None


def check(response: dict) -> dict:
    """Fail at once if Alexa would reject this response."""
    problems = response_problems(response) + directive_problems(response)
    assert not problems, f"{problems} in {json.dumps(response)[:2000]}"
    return response


class Conversation:
    """One user talking to the skill; the session is carried from turn to turn, and
    a new one starts after the skill ends one (as the next "Alexa, open ...").

    ``skill``: a skill of the test's own (``build_skill(Services(...))``), answered
    through ``build.answer`` as the Lambda entry point answers; by default the
    Lambda entry point itself. ``timestamp`` (ISO 8601, UTC) stands for the time
    of the next requests; ``system`` adds to the envelope's context.System."""

    def __init__(self, locale: str = "en-US", screen: str | None = None, *, skill=None,
                 user_id: str = envelopes.USER_ID, device_id: str = envelopes.DEVICE_ID):
        self.locale = locale
        self.screen = screen  # one of envelopes.SCREENS, or None: a device without a screen
        self.session_id: str | None = None
        self.attributes: dict = {}
        self.transcript: list[tuple[str, Said]] = []
        self.skill, self.user_id, self.device_id = skill, user_id, device_id
        self.timestamp: str | None = None
        self.system: dict = {}

    def handler(self, event: dict) -> dict:
        if self.skill is None:
            return lambda_handler(event, None)
        from skill.alexa.build import answer

        return answer(self.skill, event)

    def send(self, request: dict) -> Said:
        new = self.session_id is None
        if new:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        event = envelopes.request_envelope(
            request, locale=self.locale, session_id=self.session_id, new=new,
            attributes=self.attributes, timestamp=self.timestamp, user_id=self.user_id,
            device_id=self.device_id, screen=self.screen)
        event["context"]["System"].update(self.system)
        said = Said(check(self.handler(event)))
        self.transcript.append((request.get("intent", {}).get("name", request["type"]), said))
        if said.ended:
            self.session_id, self.attributes = None, {}
        else:
            self.attributes = said.attributes
        return said

    def open(self) -> Said:
        """'Alexa, open leg cramp helper'."""
        return self.send({"type": "LaunchRequest"})

    def say(self, intent: str, **slots) -> Said:
        """An intent, in this session; a one-shot invocation when no session is open."""
        return self.send(intent_request(intent, slots, self.locale))

    def touch(self, action: str) -> Said:
        """A button on the screen: the UserEvent its SendEvent sends."""
        return self.send(envelopes.user_event(action))

    def event(self, name: str, **body) -> dict:
        """A skill event for this user (no session); the raw response envelope."""
        return self.handler(envelopes.skill_event(name, user_id=self.user_id, timestamp=self.timestamp,
                                                  body=body or None))

    @property
    def in_session(self) -> bool:
        return self.session_id is not None
