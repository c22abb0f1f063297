"""Alexa request envelopes, built the way Alexa sends them.

Used wherever the project speaks to the skill without Alexa: the terminal
(``say``, ``chat``), ``validate``'s walk through every response, the tests and
the benchmarks. One builder, so they all send the same shape.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000000"  # a local stand-in
USER_ID = "amzn1.ask.account.LOCAL"
DEVICE_ID = "amzn1.ask.device.LOCAL"


#: Screens as Alexa describes them in a request's Viewport context: the Echo Show
#: 5, 8, 10 and 15 and the round Echo Spot. A device without a screen has none.
SCREENS: dict[str, dict[str, Any]] = {
    "echo-show-5": {"shape": "RECTANGLE", "pixelWidth": 960, "pixelHeight": 480, "dpi": 160},
    "echo-show-8": {"shape": "RECTANGLE", "pixelWidth": 1280, "pixelHeight": 800, "dpi": 160},
    "echo-show-10": {"shape": "RECTANGLE", "pixelWidth": 1280, "pixelHeight": 800, "dpi": 160},
    "echo-show-15": {"shape": "RECTANGLE", "pixelWidth": 1920, "pixelHeight": 1080, "dpi": 160},
    "echo-spot": {"shape": "ROUND", "pixelWidth": 480, "pixelHeight": 480, "dpi": 160},
}
APL_MAX_VERSION = "2024.2"


def viewport(screen: str) -> dict[str, Any]:
    """The Viewport context of one of the SCREENS."""
    size = SCREENS[screen]
    return {"experiences": [{"canRotate": False, "canResize": False}], "mode": "HUB",
            "shape": size["shape"], "pixelWidth": size["pixelWidth"], "pixelHeight": size["pixelHeight"],
            "currentPixelWidth": size["pixelWidth"], "currentPixelHeight": size["pixelHeight"],
            "dpi": size["dpi"], "touch": ["SINGLE"], "keyboard": [],
            "video": {"codecs": ["H_264_42", "H_264_41"]}}


def now() -> str:
    """A request timestamp for this moment, as Alexa writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_envelope(request: dict[str, Any], *, locale: str = "en-US",
                     session_id: str | None = None, new: bool = True,
                     attributes: dict[str, Any] | None = None, application_id: str = SKILL_ID,
                     timestamp: str | None = None, api_access_token: str | None = None,
                     granted: tuple[str, ...] = (), screen: str | None = None,
                     user_id: str = USER_ID, device_id: str = DEVICE_ID) -> dict[str, Any]:
    """A whole envelope around one request (``{"type": ..., ...}``), in a session.
    With ``api_access_token`` the skill may call Alexa's API; ``granted`` lists the
    permission scopes the user has granted (``context.System.user.permissions``);
    ``screen`` names one of the SCREENS the device has (None: no screen)."""
    request = {"requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
               "timestamp": timestamp or now(), "locale": locale, **request}
    application = {"applicationId": application_id}
    user: dict[str, Any] = {"userId": user_id}
    if granted:
        user["permissions"] = {"consentToken": api_access_token,
                               "scopes": {scope: {"status": "GRANTED"} for scope in granted}}
    interfaces: dict[str, Any] = {}
    context: dict[str, Any] = {}
    if screen is not None:
        interfaces["Alexa.Presentation.APL"] = {"runtime": {"maxVersion": APL_MAX_VERSION}}
        context["Viewport"] = viewport(screen)
        context["Viewports"] = [{"type": "APL", "id": "main", "shape": SCREENS[screen]["shape"],
                                 "dpi": SCREENS[screen]["dpi"], "presentationType": "STANDARD",
                                 "canRotate": False, "configuration": {"current": {
                                     "mode": "HUB", "video": {"codecs": ["H_264_42", "H_264_41"]},
                                     "size": {"type": "DISCRETE",
                                              "pixelWidth": SCREENS[screen]["pixelWidth"],
                                              "pixelHeight": SCREENS[screen]["pixelHeight"]}}}}]
    return {
        "version": "1.0",
        "session": {"new": new,
                    "sessionId": session_id or f"amzn1.echo-api.session.{uuid.uuid4()}",
                    "application": application, "user": user,
                    "attributes": dict(attributes or {})},
        "context": {"System": {"application": application, "user": user,
                               "device": {"deviceId": device_id, "supportedInterfaces": interfaces},
                               "apiEndpoint": "https://api.amazonalexa.com",
                               **({"apiAccessToken": api_access_token} if api_access_token else {})},
                    **context},
        "request": request,
    }


def skill_event(name: str, *, user_id: str = USER_ID, application_id: str = SKILL_ID,
                timestamp: str | None = None, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """A skill event (``AlexaSkillEvent.SkillDisabled`` and the like) as Alexa sends
    it: no session, the user in the context, the event's own fields in ``body``."""
    application, user = {"applicationId": application_id}, {"userId": user_id}
    return {
        "version": "1.0",
        "context": {"System": {"application": application, "user": user,
                               "apiEndpoint": "https://api.amazonalexa.com"}},
        "request": {"type": name, "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
                    "timestamp": timestamp or now(), "locale": "en-US",
                    "eventCreationTime": timestamp or now(), "eventPublishingTime": timestamp or now(),
                    **({"body": body} if body else {})},
    }


def intent_request(name: str, slots: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """An IntentRequest; ``slots`` maps each declared slot name to its ``slot()``."""
    return {"type": "IntentRequest", "dialogState": "COMPLETED",
            "intent": {"name": name, "confirmationStatus": "NONE", "slots": slots or {}}}


def user_event(*arguments: Any, token: str = "leg-cramp-helper.round") -> dict[str, Any]:
    """A touch on the screen: the Alexa.Presentation.APL.UserEvent a SendEvent sends."""
    return {"type": "Alexa.Presentation.APL.UserEvent", "token": token, "arguments": list(arguments),
            "source": {"type": "TouchWrapper", "handler": "Press", "id": ""}, "components": {}}


def connections_response(token: str, scope: str, status: str) -> dict[str, Any]:
    """Alexa's answer to the skill's voice consent request (AskFor): ``status`` is
    "ACCEPTED", "DENIED" or "NOT_ANSWERED"; ``token`` is the one the skill sent."""
    return {"type": "Connections.Response", "name": "AskFor", "token": token,
            "status": {"code": "200", "message": "OK"},
            "payload": {"permissionScope": scope, "status": status}}


def resolve(slot_type: dict[str, Any], heard: str) -> tuple[str, str] | None:
    """(id, name) of the value of a model's slot type that ``heard`` names, by its
    name or a synonym, as Alexa's entity resolution does; None if none does."""
    wanted = " ".join(heard.lower().split())
    for value in slot_type.get("values") or []:
        said = value["name"]
        if wanted in (" ".join(word.lower().split())
                      for word in [said["value"], *said.get("synonyms", [])]):
            return value.get("id"), said["value"]
    return None


def slot(name: str, value: str | None = None, *, slot_type: str | None = None,
         resolved: tuple[str, str] | None = None, skill_id: str = SKILL_ID) -> dict[str, Any]:
    """One slot as Alexa fills it. A value of a custom ``slot_type`` carries its
    entity resolution: ``resolved`` (id, name) is a match, None is no match."""
    filled: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if value is None:
        return filled
    filled["value"] = value
    if slot_type and not slot_type.startswith("AMAZON."):
        authority: dict[str, Any] = {
            "authority": f"amzn1.er-authority.echo-sdk.{skill_id}.{slot_type}",
            "status": {"code": "ER_SUCCESS_MATCH" if resolved else "ER_SUCCESS_NO_MATCH"}}
        if resolved:
            authority["values"] = [{"value": {"id": resolved[0], "name": resolved[1]}}]
        filled["resolutions"] = {"resolutionsPerAuthority": [authority]}
    return filled
