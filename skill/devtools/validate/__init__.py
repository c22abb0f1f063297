"""``leg-cramp-helper validate [DIR]``: what certification and the ASK tools would reject, offline.

It judges the files in DIR (a checkout of the project), so a changed copy is
judged as it is:

- each interaction model ``DIR/interaction_models/<locale>.json``: in step with its
  source (``interaction_models/source/``, see ``skill.devtools.models``), ASK structure,
  the invocation name rules, intents, samples, slots and slot types;
- the code and each model agree on intents and slots;
- what the samples let through: no catch-all sample in a safety intent (a cramp
  would get the warning answer), every built-in's extension samples its own, no
  pain in a Stop or Cancel sample;
- the skill manifest ``DIR/skill.json``: store text, example phrases that are
  real samples, the medical disclaimer, privacy and compliance answered;
- every response the skill can give: each intent in each dialogue state, in
  each locale, sent through ``skill.alexa.build.answer`` as a real envelope and
  judged by ``skill.devtools.judge.response_problems``;
- the reminder conversation and its voice consent (``consent``): the time asked
  for with an elicitable Dialog.ElicitSlot, the permission asked for with AskFor
  (a scope skill.json declares), and the answer to each Connections.Response,
  against a local stand-in of the Alexa API.

The responses come from the code that is imported (the installed ``skill``
package), the models and manifest from DIR.

Output: one line per problem, ``file: problem``, then a summary. Exit status 1
when there is any problem, 0 otherwise. Warnings (things only certification
needs, such as icons) are printed but do not fail.

One module per kind of check: ``models`` (interaction-model rules), ``code`` (code
and model agreement), ``samples`` (what the samples let through), ``manifest``
(skill.json), ``responses`` (the walk through every response) and ``consent`` (the
reminder conversation). This module
puts them together.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.devtools import models as model_source
from skill.devtools.model_files import not_a_project
from skill.devtools.validate.code import code_problems
from skill.devtools.validate.consent import consent_walk
from skill.devtools.validate.manifest import manifest_problems
from skill.devtools.validate.models import model_problems
from skill.devtools.validate.responses import response_walk
from skill.devtools.validate.samples import hearing_problems
from skill.speech.words import LOCALES

MODELS_DIR = "interaction_models"
MANIFEST = "skill.json"

@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.file}: {'warning: ' if self.warning else ''}{self.message}"


def _read_json(path: Path, problems: list[Problem], name: str) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        problems.append(Problem(name, "missing"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append(Problem(name, f"not valid JSON: {error}"))
    return None


def validate(directory: str | Path, *, responses: bool = True) -> list[Problem]:
    """Every problem (and warning) in the project checkout at ``directory``."""
    root = Path(directory)
    problems: list[Problem] = []
    models: dict[str, Any] = {}
    paths = sorted((root / MODELS_DIR).glob("*.json"))
    if not paths:
        problems.append(Problem(MODELS_DIR, "no interaction models (<locale>.json)"))
    for path in paths:
        name = f"{MODELS_DIR}/{path.name}"
        document = _read_json(path, problems, name)
        if document is None:
            continue
        models[path.stem] = document
        if path.stem not in LOCALES:
            problems.append(Problem(name, f"the skill has no words for the locale {path.stem} "
                                          f"(skill.speech.words.LOCALES: {', '.join(LOCALES)})"))
        problems += [Problem(name, message) for message in model_problems(document)]
        problems += [Problem(name, message) for message in code_problems(document)]
        problems += [Problem(name, message) for message in hearing_problems(document)]
    for locale in LOCALES:
        if paths and locale not in models and not (root / MODELS_DIR / f"{locale}.json").exists():
            problems.append(Problem(MODELS_DIR, f"no model for {locale}, a locale the skill speaks"))
    if (root / model_source.SOURCE_DIR / f"{model_source.BASE}.json").exists():
        try:
            problems += [Problem(name, f"not what {model_source.SOURCE_DIR}/ generates; "
                                       "run `leg-cramp-helper models`")
                         for name in model_source.stale(root)]
        except model_source.SourceError as error:
            problems.append(Problem(model_source.SOURCE_DIR, str(error)))
    manifest = _read_json(root / MANIFEST, problems, MANIFEST)
    if manifest is not None:
        problems += [Problem(MANIFEST, message, warning)
                     for message, warning in manifest_problems(manifest, models, root)]
    if responses:
        walked = response_walk(models, sorted(set(LOCALES) | set(models)))
        problems += [Problem("responses", f"{where}: {problem}") for where, problem in walked]
        consent = consent_walk(manifest, models, sorted(set(LOCALES) & set(models)))
        problems += [Problem("responses", f"reminders, {where}: {problem}") for where, problem in consent]
    return problems


def validate_command(args: argparse.Namespace) -> int:
    elsewhere = not_a_project(args.dir, "validate")
    if elsewhere:
        print(f"leg-cramp-helper validate: {elsewhere}", file=sys.stderr)
        return 2
    problems = validate(args.dir, responses=getattr(args, "responses", True))
    for problem in problems:
        print(problem)
    failures = sum(not problem.warning for problem in problems)
    warnings = len(problems) - failures
    where = Path(args.dir).resolve()
    if failures:
        print(f"{failures} problem{'s' * (failures != 1)}, {warnings} warning{'s' * (warnings != 1)} in {where}")
        return 1
    print(f"no problems, {warnings} warning{'s' * (warnings != 1)} in {where}: "
          "models, manifest and every response pass")
    return 0
