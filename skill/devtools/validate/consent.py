"""The reminder conversation and its voice consent, as Alexa would judge it: asking
for the time (Dialog.ElicitSlot on an elicitable slot), saying the time back and
waiting for a yes before anything else, asking for the permission
(Connections.SendRequest AskFor, for a scope the manifest declares, the request in
its token), and the answers to each Connections.Response Alexa may send (accepted:
the reminder is created and said; denied or not answered: how to grant it, with a
permissions card). It talks to a local stand-in of the Alexa API
(``skill.devtools.alexa_api``) on 127.0.0.1, which it starts and stops itself."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from skill.conversation import bedtime_reminder
from skill.devtools.envelopes import connections_response
from skill.devtools.judge import response_problems
from skill.devtools.simulator import Said, Session
from skill.devtools.validate.models import elicitable

TOKEN = "amzn1.ask.token.VALIDATE"
DAY = "2026-01-01T19:00:00Z"
TIME = "21:30"
ASK_FOR_TYPE, ASK_FOR_VERSION = "AskForPermissionsConsentRequest", "1"
CONSENT_CARD = "AskForPermissionsConsent"
MAX_TOKEN_CHARS = 1024


def declared_scopes(manifest: Any) -> set[str]:
    permissions = (((manifest or {}).get("manifest") or {}).get("permissions") or []
                   if isinstance(manifest, dict) else [])
    return {entry["name"] for entry in permissions if isinstance(entry, dict) and isinstance(entry.get("name"), str)}


def ask_for_problems(said: Said, scopes: set[str]) -> list[str]:
    """What Alexa would refuse in a voice consent request: it must be the one
    Connections.SendRequest AskFor, of the documented type and version, for a scope
    the manifest declares, with a token, and leave the session to Alexa's question
    (no reprompt, no shouldEndSession false)."""
    found = []
    asks = [d for d in said.directives if d.get("type") == "Connections.SendRequest"]
    if len(asks) != 1 or asks[0].get("name") != "AskFor":
        return [f"expected one Connections.SendRequest AskFor directive, got {said.directives}"]
    payload = asks[0].get("payload") or {}
    if payload.get("@type") != ASK_FOR_TYPE or payload.get("@version") != ASK_FOR_VERSION:
        found.append(f"AskFor payload must be @type {ASK_FOR_TYPE}, @version {ASK_FOR_VERSION}: {payload}")
    if payload.get("permissionScope") not in scopes:
        found.append(f"AskFor asks for {payload.get('permissionScope')!r}, which skill.json's "
                     f"permissions do not declare ({sorted(scopes)})")
    token = asks[0].get("token")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        found.append("AskFor needs a token (what the user asked for, carried back to the skill)")
    if said.response.get("shouldEndSession") is False or said.response.get("reprompt"):
        found.append("a response with AskFor must leave the session to Alexa's question "
                     "(no reprompt, no shouldEndSession false)")
    if len(said.directives) != 1:
        found.append("AskFor must be the response's only directive")
    return found


def _spoken(said: Said, what: str) -> list[str]:
    found = [f"{what}: {problem}" for problem in response_problems(said.envelope)]
    if not said.speech:
        found.append(f"{what}: the skill says nothing")
    return found


def _card_problems(said: Said, scope: str, what: str) -> list[str]:
    card = said.response.get("card") or {}
    if card.get("type") != CONSENT_CARD or card.get("permissions") != [scope]:
        return [f"{what}: expected a {CONSENT_CARD} card for {scope}, got {card or 'no card'}"]
    return []


def consent_walk(manifest: Any, models: dict[str, Any], locales: Iterable[str]) -> list[tuple[str, str]]:
    """(where, problem) for the reminder conversation in each locale."""
    from skill.alexa.api_client import AlexaApiClient
    from skill.alexa.build import answer, build_skill
    from skill.alexa.services import Services
    from skill.devtools.alexa_api import AlexaApiStandIn, known_stand_in

    scopes = declared_scopes(manifest)
    found: list[tuple[str, str]] = []
    with AlexaApiStandIn() as api, known_stand_in():
        handler = partial(answer, build_skill(Services(api_client=AlexaApiClient(stand_in=api.url))))
        for locale in locales:
            api.state.reminders.clear()
            found += [(f"{locale}, {where}", problem)
                      for where, problem in _walk(handler, api, locale, models.get(locale), scopes)]
    return found


def _walk(handler: Any, api: Any, locale: str, model: Any, scopes: set[str]) -> Iterator[tuple[str, str]]:
    intent, _ = bedtime_reminder.ELICITED

    def session() -> Session:
        talk = Session(locale, handler, api_access_token=TOKEN)
        talk.timestamp = DAY
        return talk

    where = f"{intent} without a time"
    asked = session().say(intent)
    for message in _spoken(asked, "asking for the time"):
        yield where, message
    if asked.eliciting not in elicitable(model):
        yield where, (f"asks for the time with {asked.eliciting or 'no'} Dialog.ElicitSlot, not one the "
                      "model can elicit (a dialog model slot with samples)")
    where = f"{intent} at {TIME} without the permission"
    talk = session()
    said_back = talk.say(intent, time=TIME)
    for message in _spoken(said_back, "saying the time back"):
        yield where, message
    if said_back.ended or said_back.asking_consent is not None or api.reminders():
        yield where, "the time must be said back, and a yes waited for, before the permission is asked for"
    request = talk.say("AMAZON.YesIntent")
    for message in ask_for_problems(request, scopes):
        yield where, message
    if api.reminders():
        yield where, "a reminder was created before consent"
    if request.asking_consent is None:
        return
    scope = (request.asking_consent.get("payload") or {}).get("permissionScope", "")
    for status in ("DENIED", "NOT_ANSWERED"):
        again = session()
        again.say(intent, time=TIME)
        again.say("AMAZON.YesIntent")
        said = again.consent(status)
        for message in _spoken(said, f"consent {status}") + _card_problems(said, scope, status):
            yield f"Connections.Response {status}", message
        if api.reminders():
            yield f"Connections.Response {status}", "a reminder was created without consent"
    accepted = talk.consent("ACCEPTED")
    for message in _spoken(accepted, "consent ACCEPTED"):
        yield "Connections.Response ACCEPTED", message
    held = api.reminders(TOKEN)
    if len(held) != 1 or not str((held[0].get("trigger") or {}).get("scheduledTime", "")).endswith(f"T{TIME}:00"):
        yield "Connections.Response ACCEPTED", f"expected one reminder at {TIME}, the stand-in holds {len(held)}"
    tampered = session()
    tampered.grant(scope)
    said = tampered.send(connections_response("not ours", scope, "ACCEPTED"))
    for message in _spoken(said, "a token that is not the skill's"):
        yield "Connections.Response with a strange token", message
