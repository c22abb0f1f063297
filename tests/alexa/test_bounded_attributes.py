"""Bounded attributes: session attributes nested too deep or too large are refused
before ask-sdk copies them, and the conversation starts afresh, with one log line and
no traceback; an envelope nested too deep anywhere gets the apology, likewise."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from skill.alexa import build
from skill.alexa.build import answer, build_skill
from skill.alexa.services import Services
from skill.devtools import envelopes
from skill.devtools.simulator import resolved_intent_request
from skill.speech.words import words_for
from tests.support.conversation import Conversation, lambda_handler

WORDS = words_for("en-US")


def nested(levels: int) -> dict[str, Any]:
    top: dict[str, Any] = {}
    node = top
    for _ in range(levels):
        node["x"] = {}
        node = node["x"]
    return top


def in_session(request: dict[str, Any], attributes: Any) -> dict[str, Any]:
    return envelopes.request_envelope(request, new=False, attributes=attributes)


def speech(response: dict[str, Any]) -> str:
    return response["response"]["outputSpeech"]["ssml"]


ATTRIBUTES = {
    "900 deep": {"v": 1, "last": nested(900)},
    "50,000 deep": {"v": 1, "routine": nested(50_000)},
    "just over the bound": {"v": 1, "last": nested(build.MAX_ATTRIBUTES_DEPTH - 1)},
    "a list 900 deep": {"v": 1, "holds": json.loads("[" * 900 + "]" * 900)},
    "200 KB": {"v": 1, "last": "x" * 200_000},
    "20,000 keys": {"v": 1, **{f"k{n}": n for n in range(20_000)}},
}


@pytest.mark.parametrize("intent", ["AMAZON.NoIntent", "AMAZON.HelpIntent", "AMAZON.RepeatIntent"])
@pytest.mark.parametrize("kind", list(ATTRIBUTES))
def test_attributes_too_deep_or_too_large_start_afresh_with_one_line_and_no_traceback(caplog, intent, kind):
    request = resolved_intent_request(intent)
    fresh = speech(lambda_handler(in_session(request, {}), None))
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        said = lambda_handler(in_session(request, ATTRIBUTES[kind]), None)
    assert speech(said) == fresh  # as if the session had just begun
    assert "went wrong" not in speech(said)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text
    warned = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warned) == 1 and "starting fresh" in warned[0], warned
    assert len(said.get("sessionAttributes", {}).get("last", "")) < 10_000  # nothing of it echoed


@pytest.mark.parametrize("where", ["request", "context"])
@pytest.mark.parametrize("levels", [200, 900, 50_000])
def test_an_envelope_nested_too_deep_gets_the_apology_with_one_line_and_no_traceback(caplog, where, levels):
    envelope = in_session(envelopes.user_event("next"), {})
    envelope[where]["deep"] = nested(levels)
    with caplog.at_level(logging.DEBUG):
        said = lambda_handler(envelope, None)
    assert "went wrong" in speech(said)
    assert "Traceback" not in caplog.text
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == [
        f"could not answer the request: the envelope is nested deeper than {build.MAX_ENVELOPE_DEPTH}"]


def test_the_skills_own_attributes_are_well_within_the_bounds():
    """A long conversation (a full bedtime stretch on a screen, with holds and repeats)
    keeps attributes far inside the bounds, so that no real session is ever cut."""
    chat = Conversation(screen="echo-show-8")
    chat.open()
    deepest, largest = 0, 0
    for intent, slots in [("RelieveCrampIntent", {"leg": "left", "seconds": "45"}), ("AMAZON.NoIntent", {}),
                          ("AMAZON.RepeatIntent", {}), ("BedtimeStretchIntent", {}), ("AMAZON.PauseIntent", {}),
                          ("AMAZON.ResumeIntent", {}), ("AMAZON.NextIntent", {}), ("AMAZON.YesIntent", {}),
                          ("AMAZON.HelpIntent", {}), ("AMAZON.RepeatIntent", {})]:
        chat.say(intent, **slots)
        if not chat.in_session:
            chat.open()
        attributes = chat.attributes
        largest = max(largest, len(json.dumps(attributes)))
        deepest = max(deepest, depth(attributes))
    assert deepest <= build.MAX_ATTRIBUTES_DEPTH // 2
    assert largest <= build.MAX_ATTRIBUTES_BYTES // 4


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(child) for child in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(child) for child in value), default=0)
    return 0


def test_bounded_leaves_a_good_envelope_as_it_is():
    envelope = in_session(resolved_intent_request("AMAZON.NoIntent"), {"v": 1, "routine": "relief"})
    assert build.bounded(envelope) is envelope
    skill = build_skill(Services())
    assert "went wrong" not in speech(answer(skill, envelope))
