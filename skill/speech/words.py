"""The skill's words, looked up by key in per-locale content files.

``content/en.json`` holds every key; a regional file (``en-GB.json`` and so on)
overrides a few keys and ``vars`` (the clinician, the emergency number...).
A locale without a file of its own speaks the base English (en-US) words.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

BASE = "en"
DEFAULT_LOCALE = "en-US"
REGIONS = ("en-GB", "en-AU", "en-CA", "en-IN")
LOCALES = (DEFAULT_LOCALE,) + REGIONS


class Question(NamedTuple):
    speech: str
    reprompt: str


def _load(name: str) -> dict[str, Any]:
    table: dict[str, Any] = json.loads((resources.files("skill.speech.content") / f"{name}.json").read_text("utf-8"))
    return table


class Words:
    """One locale's words: ``text(key, **params)`` and ``question(key)``."""

    def __init__(self, table: dict[str, Any], locale: str):
        self.locale = locale
        self._table = table
        self._vars = table.get("vars", {})

    def _fill(self, template: str, params: dict[str, Any]) -> str:
        return template.format_map({**self._vars, **params}) if "{" in template else template

    def text(self, key: str, **params: Any) -> str:
        entry = self._table[key]
        if not isinstance(entry, str):
            raise KeyError(f"{key} is a question, not a sentence")
        return self._fill(entry, params)

    def question(self, key: str, **params: Any) -> Question:
        entry = self._table[key]
        return Question(self._fill(entry["speech"], params), self._fill(entry["reprompt"], params))

    def keys(self) -> set[str]:
        return {key for key in self._table if key not in ("vars", "_comment")}


def locale_file(locale: str) -> str | None:
    """The regional file that serves a request locale, or None for the base words."""
    return locale if locale in REGIONS else None


@cache
def _words(region: str | None) -> Words:
    table = _load(BASE)
    if region:
        override = _load(region)
        table = {**table, **override, "vars": {**table.get("vars", {}), **override.get("vars", {})}}
    return Words(table, region or DEFAULT_LOCALE)


def words_for(locale: str | None) -> Words:
    """The words for a request locale; anything the skill does not have gets en-US."""
    return _words(locale_file(locale or DEFAULT_LOCALE))
