"""The one way to find and read the interaction models (``<locale>.json``).

Where they are: an install (a wheel, or ``pip install -e .``) carries them as the
package data of ``skill.interaction_models``; a checkout that is not installed
has them in its top-level ``interaction_models/`` folder, beside ``skill/``.
Every reader (the terminal's hearing, the simulator, ``package``, ``validate``,
the tests and the benchmarks) goes through here; ``folder`` reads another
project's models instead (``validate DIR``).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

MODELS_DIR = "interaction_models"  # in a project folder


def not_a_project(directory: str | Path, command: str) -> str | None:
    """Why ``directory`` is not a checkout of the project (``validate DIR``,
    ``models DIR``), or None when it is one."""
    root = Path(directory)
    if (root / MODELS_DIR).is_dir() and (root / "skill.json").is_file():
        return None
    return (f"{root.resolve()} is not a checkout of leg-cramp-helper (it has no skill.json and "
            f"{MODELS_DIR}/): run this in one, or name one: `leg-cramp-helper {command} PATH`")


def models_folder() -> Traversable:
    """The folder of this skill's models: installed, or the checkout's."""
    try:
        return resources.files("skill.interaction_models")
    except ModuleNotFoundError:  # a checkout run in place: skill/ has no models inside
        return Path(__file__).resolve().parents[2] / MODELS_DIR


def model_file(locale: str, folder: Traversable | None = None) -> Traversable:
    return (folder or models_folder()) / f"{locale}.json"


def model_texts(folder: Traversable | None = None) -> dict[str, str]:
    """Every model in the folder, as JSON text, by locale."""
    where = folder or models_folder()
    return {entry.name[:-len(".json")]: entry.read_text("utf-8")
            for entry in sorted(where.iterdir(), key=lambda entry: entry.name)
            if entry.name.endswith(".json") and entry.is_file()}


def read_model(locale: str, folder: Traversable | None = None) -> dict[str, Any]:
    """A locale's whole ASK model document; FileNotFoundError if it has none."""
    source = model_file(locale, folder)
    if not source.is_file():
        raise FileNotFoundError(f"no interaction model for {locale} (looked for {source})")
    document: dict[str, Any] = json.loads(source.read_text("utf-8"))
    return document


@cache
def language_model(locale: str) -> dict[str, Any]:
    """The ``languageModel`` of this skill's model for a locale (read once)."""
    language: dict[str, Any] = read_model(locale)["interactionModel"]["languageModel"]
    return language
