"""The skill's words, looked up by key in per-locale content files.

``content/en.json`` holds every key; a regional file (``en-GB.json`` and so on)
overrides a few keys and ``vars`` (the clinician, the emergency number...).
A locale without a file of its own speaks the base English (en-US) words.
"""

from __future__ import annotations

import json
import os
import string
from functools import cache
from typing import Any, NamedTuple

BASE = "en"
DEFAULT_LOCALE = "en-US"
REGIONS = ("en-GB", "en-AU", "en-CA", "en-IN")
LOCALES = (DEFAULT_LOCALE,) + REGIONS


class Question(NamedTuple):
    speech: str
    reprompt: str


def _load(name: str) -> dict[str, Any]:
    # A plain open beside this module: importlib.resources costs a cold start ~7 ms
    # (tempfile, shutil, bz2, lzma), and the words always ship as files in the package.
    with open(os.path.join(os.path.dirname(__file__), "content", f"{name}.json"), encoding="utf-8") as source:
        table: dict[str, Any] = json.load(source)
    return table


#: What a key's words for someone speaking for her end in (``stretch.cue.partner``).
PARTNER = ".partner"


class Words:
    """One locale's words: ``text(key, **params)`` and ``question(key)``. The partner's
    words (``partner()``) say ``KEY.partner`` instead of ``KEY`` wherever there is one:
    "Help her straighten her leg" for "Straighten your leg"."""

    def __init__(self, table: dict[str, Any], locale: str, *, for_partner: bool = False):
        self.locale = locale
        self.for_partner = for_partner
        self._table = table
        self._vars = table.get("vars", {})
        self._partner: Words | None = None

    def _entry(self, key: str) -> Any:
        if self.for_partner and key + PARTNER in self._table:
            return self._table[key + PARTNER]
        return self._table[key]

    def partner(self) -> Words:
        """These words as said to someone helping her (made once per locale)."""
        if self.for_partner:
            return self
        if self._partner is None:
            self._partner = Words(self._table, self.locale, for_partner=True)
        return self._partner

    def _fill(self, template: str, params: dict[str, Any]) -> str:
        return template.format_map({**self._vars, **params}) if "{" in template else template

    def text(self, key: str, **params: Any) -> str:
        entry = self._entry(key)
        if not isinstance(entry, str):
            raise KeyError(f"{key} is a question, not a sentence")
        return self._fill(entry, params)

    def question(self, key: str, **params: Any) -> Question:
        entry = self._entry(key)
        return Question(self._fill(entry["speech"], params), self._fill(entry["reprompt"], params))

    def params(self, key: str) -> set[str]:
        """The {placeholders} of a sentence (or a question's speech) that the code fills,
        not the locale's vars."""
        entry = self._entry(key)
        text = entry if isinstance(entry, str) else str(entry["speech"])
        return {name for _, name, _, _ in string.Formatter().parse(text) if name and name not in self._vars}

    def keys(self) -> set[str]:
        return {key for key in self._table if key not in ("vars", "_comment") and not key.endswith(PARTNER)}


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
