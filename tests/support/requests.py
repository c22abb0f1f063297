"""Whole request envelopes for the web tests, on ``skill.devtools.envelopes``: these
add what signing tests vary (the skill id, the timestamp as a datetime) and the
compact JSON body a signature covers. Like ``envelopes`` they carry no
apiAccessToken, so the skill calls no Alexa API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from skill.devtools import envelopes
from skill.devtools.signing import now_utc

SKILL_ID = envelopes.SKILL_ID


def alexa_timestamp(when: datetime | None = None) -> str:
    return (when or now_utc()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(request: dict[str, Any], *, skill_id: str = SKILL_ID, locale: str = "en-GB",
             new_session: bool = True, attributes: dict[str, Any] | None = None,
             timestamp: datetime | None = None) -> dict[str, Any]:
    """A request envelope around ``request`` (``{"type": ..., ...}``) for skill
    ``skill_id``, stamped ``timestamp`` (default now)."""
    return envelopes.request_envelope(request, locale=locale, new=new_session,
                                      attributes=attributes, application_id=skill_id,
                                      timestamp=alexa_timestamp(timestamp))


def launch_envelope(**kwargs: Any) -> dict[str, Any]:
    return envelope({"type": "LaunchRequest"}, **kwargs)


def intent_envelope(intent: str, **kwargs: Any) -> dict[str, Any]:
    return envelope(envelopes.intent_request(intent), **kwargs)


def skill_event(event_type: str = "AlexaSkillEvent.SkillEnabled", **kwargs: Any) -> dict[str, Any]:
    data = envelope({"type": event_type, "eventCreationTime": alexa_timestamp()}, **kwargs)
    del data["session"]  # skill events come outside any session
    return data


def encode(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("utf-8")
