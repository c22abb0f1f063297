"""Every key the code speaks exists, in every locale, and fills without a gap."""

import json
import re
import string
from pathlib import Path

import pytest

from skill.conversation.state import QUESTIONS
from skill.speech.words import LOCALES, PARTNER, REGIONS, words_for

SKILL = Path(__file__).resolve().parents[2] / "skill"
CONTENT = SKILL / "speech" / "content"
PARAMS = {"hold": 30, "seconds": 10, "round": 1, "rounds": 3, "your_leg": "your leg",
          "shortest": 10, "longest": 60, "time": "9 p.m.", "hour": 9, "minute": "30"}


def _keys_in_code() -> set[str]:
    """Every content key the conversation and the screens name: the first argument
    of each Line, any dotted lower-case string, and a question for each the state allows."""
    source = "\n".join((SKILL / name).read_text() for name in (
        "conversation/policy.py", "conversation/routines.py",
        "conversation/bedtime_reminder.py", "speech/screens/__init__.py"))
    keys = set(re.findall(r'Line\(\s*"([a-z_.]+)"', source))
    keys |= set(re.findall(r'"([a-z_]+\.[a-z_.]+)"', source))
    return keys | {f"ask.{question}" for question in QUESTIONS}


def test_the_code_names_keys_at_all():
    assert {"launch.night", "ask.easing", "stretch.cue.again", "leg.left"} <= _keys_in_code()


@pytest.mark.parametrize("locale", LOCALES)
def test_every_key_the_code_uses_exists_and_fills(locale):
    words = words_for(locale)
    for key in sorted(_keys_in_code()):
        if key.startswith("ask."):
            question = words.question(key)
            assert question.speech.endswith("?"), key
            assert question.reprompt, key
        else:
            text = words.text(key, **PARAMS)
            assert "{" not in text and text.strip(), key


@pytest.mark.parametrize("region", REGIONS)
def test_regional_files_only_override_keys_the_base_has(region):
    base = json.loads((CONTENT / "en.json").read_text())
    override = json.loads((CONTENT / f"{region}.json").read_text())
    assert set(override) <= set(base)
    assert set(override.get("vars", {})) <= set(base["vars"])


def test_no_key_in_the_content_is_unused():
    base = set(json.loads((CONTENT / "en.json").read_text())) - {"vars", "_comment"}
    partner = {key for key in base if key.endswith(PARTNER)}
    assert base - partner - _keys_in_code() == set()
    # a helper's words stand in for a key the code says: "stretch.cue.partner" for "stretch.cue"
    assert {key.removesuffix(PARTNER) for key in partner} <= base - partner


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_are_only_known_names(locale):
    words = words_for(locale)
    for key in words.keys():
        entry = words._table[key]
        texts = [entry] if isinstance(entry, str) else [entry["speech"], entry["reprompt"]]
        for text in texts:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            assert names <= set(PARAMS) | set(words._table["vars"]), (key, names)
