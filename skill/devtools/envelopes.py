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


def now() -> str:
    """A request timestamp for this moment, as Alexa writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_envelope(request: dict[str, Any], *, locale: str = "en-US",
                     session_id: str | None = None, new: bool = True,
                     attributes: dict[str, Any] | None = None, application_id: str = SKILL_ID,
                     timestamp: str | None = None, api_access_token: str | None = None,
                     granted: tuple[str, ...] = ()) -> dict[str, Any]:
    """A whole envelope around one request (``{"type": ..., ...}``), in a session.
    With ``api_access_token`` the skill may call Alexa's API; ``granted`` lists the
    permission scopes the user has granted (``context.System.user.permissions``)."""
    request = {"requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
               "timestamp": timestamp or now(), "locale": locale, **request}
    application = {"applicationId": application_id}
    user: dict[str, Any] = {"userId": USER_ID}
    if granted:
        user["permissions"] = {"consentToken": api_access_token,
                               "scopes": {scope: {"status": "GRANTED"} for scope in granted}}
    return {
        "version": "1.0",
        "session": {"new": new,
                    "sessionId": session_id or f"amzn1.echo-api.session.{uuid.uuid4()}",
                    "application": application, "user": user,
                    "attributes": dict(attributes or {})},
        "context": {"System": {"application": application, "user": user,
                               "device": {"deviceId": DEVICE_ID, "supportedInterfaces": {}},
                               "apiEndpoint": "https://api.amazonalexa.com",
                               **({"apiAccessToken": api_access_token} if api_access_token else {})}},
        "request": request,
    }


def intent_request(name: str, slots: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """An IntentRequest; ``slots`` maps each declared slot name to its ``slot()``."""
    return {"type": "IntentRequest", "dialogState": "COMPLETED",
            "intent": {"name": name, "confirmationStatus": "NONE", "slots": slots or {}}}


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
