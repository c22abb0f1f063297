"""A conversation with the skill through the real Lambda entry point, judged at every
turn: ``skill.devtools.simulator.Session`` sending to ``lambda_function.lambda_handler``
and checking each response against Alexa's rules before a test sees it. A test
reads like a transcript:

    chat = Conversation()
    assert "stretch" in chat.open().speech
    assert chat.say("AMAZON.YesIntent").speech.endswith("Is it easing?")
"""

from __future__ import annotations

import json
from functools import partial

from skill.alexa.build import answer
from skill.devtools import envelopes
from skill.devtools.simulator import Session, load_lambda_entry
from skill.speech.screens import directive_problems
from skill.speech.ssml import response_problems

lambda_handler = load_lambda_entry().lambda_handler


def check(response: dict) -> dict:
    """Fail at once if Alexa would reject this response."""
    problems = response_problems(response) + directive_problems(response)
    assert not problems, f"{problems} in {json.dumps(response)[:2000]}"
    return response


class Conversation(Session):
    """One user talking to the skill through the Lambda entry point, every answer checked.

    ``skill``: a skill of the test's own (``build_skill(Services(...))``), answered
    through ``build.answer`` as the Lambda entry point answers; by default the
    Lambda entry point itself."""

    def __init__(self, locale: str = "en-US", screen: str | None = None, *, skill=None,
                 user_id: str = envelopes.USER_ID, device_id: str = envelopes.DEVICE_ID):
        super().__init__(locale, lambda_handler if skill is None else partial(answer, skill),
                         screen=screen, check=check, user_id=user_id, device_id=device_id)
