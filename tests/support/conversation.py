"""A conversation with the skill through the real Lambda entry point, judged at every
turn: ``skill.devtools.simulator.Session`` sending to ``lambda_function.lambda_handler``
and checking each response against Alexa's rules before a test sees it. A test
reads like a transcript:

    chat = Conversation()
    assert chat.open().speech.endswith("Is it easing?")
    assert chat.say("AMAZON.YesIntent").ended
"""

from __future__ import annotations

import json
from functools import partial

from skill.alexa.build import answer
from skill.devtools import envelopes
from skill.devtools.judge import response_problems
from skill.devtools.simulator import Session, load_lambda_entry
from skill.speech.screens import directive_problems

lambda_handler = load_lambda_entry().lambda_handler


def check(response: dict) -> dict:
    """Fail at once if Alexa would reject this response."""
    problems = response_problems(response) + directive_problems(response)
    assert not problems, f"{problems} in {json.dumps(response)[:2000]}"
    return response


DAY = "2026-11-25T19:00:00Z"    # 2 p.m. in New York, the stand-in's default time zone
NIGHT = "2026-11-25T08:00:00Z"  # 3 a.m. in New York
TOKEN = "amzn1.ask.token.TEST"


class Conversation(Session):
    """One user talking to the skill through the Lambda entry point, every answer checked.

    ``skill``: a skill of the test's own (``build_skill(Services(...))``), answered
    through ``build.answer`` as the Lambda entry point answers; by default the
    Lambda entry point itself. ``at``: the time of the requests (ISO 8601, UTC). With
    no ``token`` the skill cannot learn the time zone and assumes night; with one, it
    asks the Alexa API stand-in (the ``alexa_api`` fixture). ``granted`` lists the
    permission scopes the user gave."""

    def __init__(self, locale: str = "en-US", screen: str | None = None, *, skill=None,
                 user_id: str = envelopes.USER_ID, device_id: str = envelopes.DEVICE_ID,
                 at: str | None = None, token: str | None = None, granted: tuple[str, ...] = ()):
        super().__init__(locale, lambda_handler if skill is None else partial(answer, skill),
                         screen=screen, check=check, user_id=user_id, device_id=device_id,
                         api_access_token=token)
        self.timestamp = at
        self.grant(*granted)
