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
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from skill.ssml import response_problems, to_text

ROOT = Path(__file__).resolve().parent.parent
SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000000"


def _load_lambda_handler():
    spec = importlib.util.spec_from_file_location("lambda_function", ROOT / "lambda" / "lambda_function.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


lambda_handler = _load_lambda_handler()


@lru_cache(maxsize=None)
def model(locale: str) -> dict:
    """The locale's interaction model (en-US's for a locale the skill does not have)."""
    path = ROOT / "interaction_models" / f"{locale}.json"
    if not path.exists():
        path = ROOT / "interaction_models" / "en-US.json"
    return json.loads(path.read_text("utf-8"))["interactionModel"]["languageModel"]


def _slot_type(locale: str, intent: str, slot: str) -> str | None:
    for entry in model(locale)["intents"]:
        if entry["name"] == intent:
            for declared in entry.get("slots", []):
                if declared["name"] == slot:
                    return declared["type"]
    return None


def slot_json(locale: str, intent: str, name: str, value: str) -> dict:
    """A slot as Alexa fills it: custom types resolved against the model's values."""
    slot = {"name": name, "value": value, "confirmationStatus": "NONE"}
    slot_type = _slot_type(locale, intent, name)
    if slot_type is None or slot_type.startswith("AMAZON."):
        return slot
    authority = f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{slot_type}"
    for entry in next(t for t in model(locale)["types"] if t["name"] == slot_type)["values"]:
        names = [entry["name"]["value"], *entry["name"].get("synonyms", [])]
        if value.lower() in (n.lower() for n in names):
            slot["resolutions"] = {"resolutionsPerAuthority": [{
                "authority": authority, "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": entry["name"]["value"], "id": entry["id"]}}]}]}
            return slot
    slot["resolutions"] = {"resolutionsPerAuthority": [{
        "authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}]}
    return slot


def envelope(request: dict, *, locale: str = "en-US", session_id: str | None = None,
             new: bool = True, attributes: dict | None = None,
             application_id: str = SKILL_ID) -> dict:
    """A complete request envelope around one request."""
    request = {"requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
               "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "locale": locale, **request}
    application = {"applicationId": application_id}
    user = {"userId": "amzn1.ask.account.TESTUSER"}
    return {
        "version": "1.0",
        "session": {"new": new, "sessionId": session_id or f"amzn1.echo-api.session.{uuid.uuid4()}",
                    "application": application, "user": user, "attributes": attributes or {}},
        "context": {"System": {"application": application, "user": user,
                               "device": {"deviceId": "amzn1.ask.device.TESTDEVICE",
                                          "supportedInterfaces": {}},
                               "apiEndpoint": "https://api.amazonalexa.com"}},
        "request": request,
    }


def _declared_slots(locale: str, intent: str) -> list[str]:
    entry = next((i for i in model(locale)["intents"] if i["name"] == intent), {})
    return [slot["name"] for slot in entry.get("slots", [])]


def intent_request(intent: str, slots: dict | None = None, locale: str = "en-US") -> dict:
    """An IntentRequest as Alexa sends it: every declared slot present, filled or not."""
    slots = slots or {}
    filled = {name: slot_json(locale, intent, name, str(value)) for name, value in slots.items()}
    empty = {name: {"name": name, "confirmationStatus": "NONE"}
             for name in _declared_slots(locale, intent) if name not in slots}
    return {"type": "IntentRequest", "dialogState": "COMPLETED", "intent": {
        "name": intent, "confirmationStatus": "NONE", "slots": {**empty, **filled}}}


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


def check(response: dict) -> dict:
    """Fail at once if Alexa would reject this response."""
    problems = response_problems(response)
    assert not problems, f"{problems} in {json.dumps(response)[:2000]}"
    return response


class Conversation:
    """One user talking to the skill; the session is carried from turn to turn."""

    def __init__(self, locale: str = "en-US"):
        self.locale = locale
        self.session_id: str | None = None
        self.attributes: dict = {}
        self.transcript: list[tuple[str, Said]] = []

    def send(self, request: dict) -> Said:
        new = self.session_id is None
        if new:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        said = Said(check(lambda_handler(envelope(
            request, locale=self.locale, session_id=self.session_id, new=new,
            attributes=self.attributes), None)))
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

    @property
    def in_session(self) -> bool:
        return self.session_id is not None
