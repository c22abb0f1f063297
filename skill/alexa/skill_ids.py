"""Which skills this endpoint answers: ``ALEXA_SKILL_ID`` (one id, or several comma
separated, e.g. the development and live skills).

The web host refuses another skill's request with HTTP 400; the Lambda entry point
raises ``ForeignSkill``, so the invocation fails and nothing is said. (ask-sdk's own
``CustomSkillBuilder(skill_id=...)`` takes one id and raises from ``invoke``, which
``build.answer`` would turn into a spoken apology: the wrong answer for a request
that is not ours.)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

VARIABLE = "ALEXA_SKILL_ID"
MAX_LOGGED_CHARS = 120


class ForeignSkill(Exception):
    """The request is for a skill this endpoint does not serve."""


def parse_skill_ids(raw: Any) -> frozenset[str]:
    """The ids in a setting: a comma-separated string (blanks ignored) or a list."""
    if raw is None:
        return frozenset()
    parts = raw.split(",") if isinstance(raw, str) else raw
    return frozenset(part.strip() for part in parts if isinstance(part, str) and part.strip())


def skill_ids_from_environment(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    return parse_skill_ids((os.environ if environ is None else environ).get(VARIABLE))


def application_ids(envelope: Any) -> set[str]:
    """Every applicationId the envelope states (context and session). All must be ours."""
    found = set()
    for path in (("context", "System", "application", "applicationId"),
                 ("session", "application", "applicationId")):
        node: Any = envelope
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node is not None:
            found.add(node if isinstance(node, str) else repr(node))
    return found


def is_ours(envelope: Any, skill_ids: frozenset[str]) -> bool:
    """True when the envelope names at least one application id and every one is in
    ``skill_ids``."""
    ids = application_ids(envelope)
    return bool(ids) and ids <= skill_ids


def refuse_foreign(envelope: Any, skill_ids: frozenset[str]) -> None:
    """Raise ForeignSkill unless the envelope is for one of ``skill_ids`` (no ids: any)."""
    if skill_ids and not is_ours(envelope, skill_ids):
        # the ids' last characters only: enough to tell a wrong ALEXA_SKILL_ID, and no Alexa id in the log
        stated = ", ".join(sorted(f"...{found[-8:]}" for found in application_ids(envelope)))[:MAX_LOGGED_CHARS]
        log.warning("refused a request for another skill (applicationId %s)", stated or "missing")
        raise ForeignSkill("the request is for another skill")
