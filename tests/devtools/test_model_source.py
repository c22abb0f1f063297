"""The five interaction models are generated from one source, and the committed files
are exactly what the generator writes (``leg-cramp-helper models``)."""

from __future__ import annotations

import json
import shutil
from argparse import Namespace
from pathlib import Path

import pytest

from skill.cli import main
from skill.devtools import models
from skill.devtools.validate import validate
from skill.speech.words import LOCALES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_committed_model_is_exactly_what_the_generator_writes(locale):
    committed = (ROOT / "interaction_models" / f"{locale}.json").read_text("utf-8")
    assert committed == models.generated(ROOT)[locale], (
        f"interaction_models/{locale}.json is out of step with interaction_models/source/: "
        "run `python -m skill.cli models`")


def test_the_check_command_agrees(capsys):
    assert main(["models", "--check", str(ROOT)]) == 0
    assert "in step" in capsys.readouterr().out


@pytest.mark.parametrize("pattern, samples", [
    ("help my cramp", ["help my cramp"]),
    ("(help|ease) my cramp", ["help my cramp", "ease my cramp"]),
    ("my (left |)calf", ["my left calf", "my calf"]),
    ("(my (left|right) |the )calf", ["my left calf", "my right calf", "the calf"]),
    ("(a|a) {leg}  (x|)", ["a {leg} x", "a {leg}"]),
])
def test_choices_expand_in_order_without_repeats(pattern, samples):
    assert models.expand(pattern) == samples


@pytest.mark.parametrize("pattern", ["(open", "close)", "a | b", "(a|(b)"])
def test_a_malformed_pattern_is_an_error_that_quotes_it(pattern):
    with pytest.raises(models.SourceError, match="sample"):
        models.expand(pattern)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "interaction_models", tmp_path / "interaction_models")
    shutil.copy(ROOT / "skill.json", tmp_path / "skill.json")
    return tmp_path


def _edit(path: Path, change) -> None:
    document = json.loads(path.read_text("utf-8"))
    change(document)
    path.write_text(json.dumps(document, indent=2), "utf-8")


def test_an_intent_added_to_the_source_reaches_every_locale(project):
    _edit(project / models.SOURCE_DIR / "base.json", lambda d: d["intents"].append(
        {"name": "ShowStreakIntent", "samples": ["show my (streak|progress)"]}))
    assert sorted(models.write(project)) == sorted(f"interaction_models/{locale}.json" for locale in LOCALES)
    for locale in LOCALES:
        language = json.loads((project / "interaction_models" / f"{locale}.json").read_text("utf-8"))
        intent = next(i for i in language["interactionModel"]["languageModel"]["intents"]
                      if i["name"] == "ShowStreakIntent")
        assert intent == {"name": "ShowStreakIntent", "slots": [], "samples": ["show my streak", "show my progress"]}
    assert models.stale(project) == []


def test_a_locale_addition_reaches_that_locale_and_those_extending_it(project):
    _edit(project / models.SOURCE_DIR / "en-US.json",
          lambda d: d["intents"].setdefault("WhyCrampsIntent", {"samples": []})["samples"].append(
              "why do I get these darn cramps"))
    models.write(project)

    def samples(locale):
        language = json.loads((project / "interaction_models" / f"{locale}.json").read_text("utf-8"))
        return next(i for i in language["interactionModel"]["languageModel"]["intents"]
                    if i["name"] == "WhyCrampsIntent")["samples"]

    assert "why do I get these darn cramps" in samples("en-US")
    assert "why do I get these darn cramps" in samples("en-CA")
    assert "why do I get these darn cramps" not in samples("en-GB")


def test_a_hand_edited_model_is_reported_by_check_and_validate(project, capsys):
    _edit(project / "interaction_models" / "en-GB.json",
          lambda d: d["interactionModel"]["languageModel"].update(invocationName="leg cramp helpers"))
    assert models.models_command(Namespace(dir=str(project), check=True)) == 1
    assert "interaction_models/en-GB.json: not what" in capsys.readouterr().out
    problems = [str(p) for p in validate(project, responses=False)]
    assert any(p.startswith("interaction_models/en-GB.json: not what interaction_models/source/ generates")
               for p in problems), problems


def test_a_locale_adding_to_an_intent_the_base_lacks_is_a_source_error(project, capsys):
    _edit(project / models.SOURCE_DIR / "en-AU.json",
          lambda d: d["intents"].update({"NoSuchIntent": {"samples": ["g'day"]}}))
    assert models.models_command(Namespace(dir=str(project), check=False)) == 1
    assert "NoSuchIntent, which base.json does not declare" in capsys.readouterr().out
