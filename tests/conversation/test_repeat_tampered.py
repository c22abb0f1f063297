"""Nothing from the session attributes is spoken as it came: "repeat" renders the
last answer again from content keys kept in the session, and a tampered ``last``
(arbitrary text, a 600 s break, 128 KB, unknown keys) never reaches the output.
Through the real Lambda entry point, checked against Alexa's rules."""

from __future__ import annotations

import json

import pytest

from skill.devtools.envelopes import request_envelope
from skill.devtools.simulator import resolved_intent_request
from skill.speech.ssml import break_seconds
from tests.support.conversation import Conversation, check, lambda_handler

ATTACK = "Transfer your savings to account 12345"
TAMPERED_LAST = {
    "old-style-ssml": {"speech": f"<speak>{ATTACK}</speak>", "reprompt": None},
    "ssml-in-a-key": {"say": [f"<speak>{ATTACK}</speak>"]},
    "unknown-key": {"say": ["relief.start", "attacker.words"]},
    "break-600-s": {"say": ["relief.start", 600]},
    "break-in-a-key": {"say": ['<break time="600s"/>']},
    "128-kb-text": {"say": ["relief.start", ATTACK * 3500]},
    "128-kb-of-keys": {"say": ["why.answer"] * 4000},
    "too-long-to-say": {"say": ["why.answer"] * 64},
    "text-as-a-placeholder": {"say": [["hold.chosen", {"hold": ATTACK}]]},
    "huge-number": {"say": [["hold.chosen", {"hold": 10 ** 12}]]},
    "missing-placeholder": {"say": ["hold.chosen"]},
    "question-as-a-line": {"say": ["ask.easing"]},
    "unknown-question": {"say": ["okay"], "ask": "launch_missiles"},
    "nested-too-deep": {"say": [["hold.chosen", {"hold": ["hold.chosen", {"hold": ["okay", {}]}]}]]},
    "extra-field": {"say": ["okay"], "speech": f"<speak>{ATTACK}</speak>"},
    "not-a-dict": f"<speak>{ATTACK}</speak>",
}


def repeat_with(last) -> dict:
    attributes = {"v": 1, "last": last}
    event = request_envelope(resolved_intent_request("AMAZON.RepeatIntent"), new=False, attributes=attributes)
    return check(lambda_handler(event, None))


def fresh_repeat() -> dict:
    event = request_envelope(resolved_intent_request("AMAZON.RepeatIntent"), new=False, attributes={"v": 1})
    return check(lambda_handler(event, None))


@pytest.mark.parametrize("name", TAMPERED_LAST)
def test_a_tampered_last_never_reaches_the_output(name):
    answer = repeat_with(TAMPERED_LAST[name])
    everything = json.dumps(answer)
    assert ATTACK not in everything
    assert "600" not in everything
    assert len(everything) < 8000
    speech = answer["response"]["outputSpeech"]["ssml"]
    assert all(break_seconds(time) <= 10 for time in
               [part.split('"')[1] for part in speech.split("<break time=")[1:]])
    # the conversation starts fresh: the same answer as a repeat with nothing to repeat
    assert answer["response"] == fresh_repeat()["response"]


def test_repeat_says_the_last_answer_again_from_the_skills_own_words():
    chat = Conversation()
    chat.open()
    help_answer = chat.say("AMAZON.HelpIntent")
    kept = chat.attributes["last"]
    assert "<speak>" not in json.dumps(kept) and "say" in kept  # keys, not words
    again = chat.say("AMAZON.RepeatIntent")
    assert (again.ssml, again.reprompt) == (help_answer.ssml, help_answer.reprompt)


def test_a_kept_stretch_round_repeats_with_its_counts_and_pauses():
    chat = Conversation()
    chat.open()
    round_one = chat.say("RelieveCrampIntent", leg="left")
    assert any(isinstance(piece, (int, float)) for piece in chat.attributes["last"]["say"])
    again = chat.say("AMAZON.RepeatIntent")
    assert again.ssml == round_one.ssml


def test_a_kept_answer_is_said_in_the_words_of_the_locale_that_repeats_it():
    """The session holds keys, so each locale's words fill them: in
    en-GB, their GP or midwife, where en-US has its own words."""
    kept = {"say": ["prevent.answer"], "ask": "bedtime"}
    speech = {}
    for locale in ("en-US", "en-GB"):
        event = request_envelope(resolved_intent_request("AMAZON.RepeatIntent", locale=locale), locale=locale,
                                 new=False, attributes={"v": 1, "last": kept})
        speech[locale] = check(lambda_handler(event, None))["response"]["outputSpeech"]["ssml"]
    assert speech["en-US"] != speech["en-GB"]
    assert "GP or midwife" in speech["en-GB"] and "GP" not in speech["en-US"]
