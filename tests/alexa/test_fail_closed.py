"""Fail closed on the skill id: the Lambda entry point, set up as AWS runs it, refuses
a request for another skill in code when ALEXA_SKILL_ID is set. (The web host's
refusal to start without one is in test_web and test_serve.)"""

from __future__ import annotations

import logging

import pytest

from skill.alexa.skill_ids import ForeignSkill, parse_skill_ids
from skill.devtools.judge import response_problems
from skill.devtools.simulator import load_lambda_entry
from tests.support.requests import SKILL_ID, launch_envelope

OTHER = "amzn1.ask.skill.someone-else"


def load_entry(monkeypatch, skill_id: str | None):
    """lambda_function.py imported afresh, as a cold Lambda would, with ALEXA_SKILL_ID."""
    if skill_id is None:
        monkeypatch.delenv("ALEXA_SKILL_ID", raising=False)
    else:
        monkeypatch.setenv("ALEXA_SKILL_ID", skill_id)
    return load_lambda_entry("lambda_function_under_test")


def foreign(where: str) -> dict:
    envelope = launch_envelope()
    if where in ("context", "both"):
        envelope["context"]["System"]["application"]["applicationId"] = OTHER
    if where in ("session", "both"):
        envelope["session"]["application"]["applicationId"] = OTHER
    if where == "missing":
        del envelope["context"]["System"]["application"]
        del envelope["session"]["application"]
    return envelope


@pytest.mark.parametrize("where", ["context", "session", "both", "missing"])
def test_with_a_skill_id_the_lambda_refuses_another_skills_request(monkeypatch, caplog, where):
    entry = load_entry(monkeypatch, SKILL_ID)
    with caplog.at_level(logging.WARNING), pytest.raises(ForeignSkill):
        entry.lambda_handler(foreign(where), None)
    assert "refused a request for another skill" in caplog.text


@pytest.mark.parametrize("setting", [SKILL_ID, f"amzn1.ask.skill.dev, {SKILL_ID}"])
def test_with_a_skill_id_the_lambda_answers_its_own_skill(monkeypatch, setting):
    answer = load_entry(monkeypatch, setting).lambda_handler(launch_envelope(), None)
    assert answer["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert not response_problems(answer)


def test_without_a_skill_id_the_lambda_says_so_at_start_and_leaves_it_to_the_trigger(monkeypatch,
                                                                                      caplog):
    with caplog.at_level(logging.WARNING):
        entry = load_entry(monkeypatch, None)
    assert "ALEXA_SKILL_ID is not set" in caplog.text
    assert entry.lambda_handler(foreign("both"), None)["response"]["outputSpeech"]


@pytest.mark.parametrize("raw, ids", [(None, set()), ("", set()), (" , ", set()),
                                      (f" {SKILL_ID} ,, x ", {SKILL_ID, "x"}), ([SKILL_ID, " "], {SKILL_ID})])
def test_skill_id_settings_are_read_one_way_everywhere(raw, ids):
    assert parse_skill_ids(raw) == ids
