"""Strict sample matching: the text is exactly a sample of the model, with slot values filled in.

The terminal's hearing (``skill.devtools.hearing``) forgives the way speech
recognition does; this does not. Words must be a sample's words, in order, and
a custom slot must hold one of its slot type's values or synonyms (resolved to
its id, as Alexa's entity resolution does); AMAZON.NUMBER holds digits or number
words. Only case, punctuation, the spelling of abbreviations ("D.V.T.", "d. v.
t.") and an invocation in front ("Alexa, ask leg cramp helper to ...") do not
count. Built-in intents the model declares also match the phrases Alexa knows
them by (``hearing.BUILT_IN_PHRASES``), since a model carries none for them.

It is the floor of what the model guarantees: an utterance that matches here is
one the model names outright. ``validate`` uses it for the manifest's example
phrases; the listening corpus (tests/conversation) reports how much of real
phrasing the models hold this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from skill.devtools.hearing import BUILT_IN_PHRASES, FALLBACK, LAUNCH_VERBS, Filled, Understood, number
from skill.devtools.model_files import language_model

CONNECTING = frozenset({"to", "for", "about", "if", "whether", "and", "that"})
MAX_NUMBER_WORDS = 6

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_SLOT = re.compile(r"\{(\w+)\}")


def tokens(text: str) -> tuple[str, ...]:
    """Lower-case words, punctuation gone, letters spelled out one by one joined
    ("d. v. t." and "DVT" are both "dvt")."""
    raw = _WORD.findall(text.lower().replace("\u2019", "'"))
    out: list[str] = []
    letters: list[str] = []
    for word in [*raw, ""]:
        if len(word) == 1 and word.isalpha() and word not in ("a", "i"):
            letters.append(word)
            continue
        if letters:
            out.append("".join(letters))
            letters = []
        if word:
            out.append(word)
    return tuple(out)


@dataclass(frozen=True)
class _Sample:
    intent: str
    elements: tuple[tuple[str, str, str], ...]  # ("w", word, "") or ("s", slot name, slot type)


@dataclass(frozen=True)
class Model:
    """A model compiled for strict matching."""

    invocation: tuple[str, ...]
    exact: dict[tuple[str, ...], str]
    samples: tuple[_Sample, ...]
    values: dict[str, dict[tuple[str, ...], tuple[str, str]]]  # slot type -> words -> (id, name)
    declared: dict[str, tuple[tuple[str, str], ...]]


def compile_model(language: dict[str, Any]) -> Model:
    """Compile a ``languageModel`` (as the model file holds it)."""
    values: dict[str, dict[tuple[str, ...], tuple[str, str]]] = {}
    for slot_type in language.get("types") or []:
        table = values.setdefault(slot_type["name"], {})
        for entry in slot_type.get("values") or []:
            name = entry["name"]["value"]
            for said in [name, *entry["name"].get("synonyms", [])]:
                table.setdefault(tokens(said), (entry.get("id") or name, name))
    exact: dict[tuple[str, ...], str] = {}
    samples: list[_Sample] = []
    declared: dict[str, tuple[tuple[str, str], ...]] = {}
    intents = [intent for intent in language.get("intents") or [] if isinstance(intent.get("name"), str)]
    for intent in intents:
        declared[intent["name"]] = tuple((slot["name"], slot["type"]) for slot in intent.get("slots") or [])
    phrases = [(intent["name"], text) for intent in intents for text in intent.get("samples") or []]
    phrases += [(intent["name"], text) for intent in intents for text in BUILT_IN_PHRASES.get(intent["name"], ())]
    for name, text in phrases:
        slot_types = dict(declared[name])
        elements: list[tuple[str, str, str]] = []
        for index, piece in enumerate(_SLOT.split(text)):
            if index % 2:
                elements.append(("s", piece, slot_types.get(piece, "")))
            else:
                elements.extend(("w", word, "") for word in tokens(piece))
        if not elements:
            continue
        if all(kind == "w" for kind, _, _ in elements):
            exact.setdefault(tuple(word for _, word, _ in elements), name)
        else:
            samples.append(_Sample(name, tuple(elements)))
    return Model(tokens(str(language.get("invocationName", ""))), exact, tuple(samples), values, declared)


def _fill(model: Model, elements: tuple[tuple[str, str, str], ...], heard: tuple[str, ...]) -> list[Filled] | None:
    """The slots, if the words are exactly these elements; None if they are not."""
    if not elements:
        return [] if not heard else None
    (kind, name, slot_type), rest = elements[0], elements[1:]
    if kind == "w":
        return _fill(model, rest, heard[1:]) if heard[:1] == (name,) else None
    for end in range(1, len(heard) + 1):
        span = heard[:end]
        if slot_type == "AMAZON.NUMBER":
            if end > MAX_NUMBER_WORDS:
                break
            value = number(span)
            filled = Filled(name, str(value), slot_type) if value is not None else None
        elif slot_type.startswith("AMAZON."):
            filled = Filled(name, " ".join(span), slot_type)
        else:
            resolved = model.values.get(slot_type, {}).get(span)
            filled = Filled(name, " ".join(span), slot_type, *resolved) if resolved else None
        if filled is None:
            continue
        tail = _fill(model, rest, heard[end:])
        if tail is not None:
            return [filled, *tail]
    return None


def _strip_invocation(heard: tuple[str, ...], invocation: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    start = 1 if heard[:1] == ("alexa",) else 0
    start += 1 if heard[start:start + 1] and heard[start] in LAUNCH_VERBS else 0
    if not invocation or heard[start:start + len(invocation)] != invocation:
        return heard, False
    return heard[start + len(invocation):], True


def match(text: str, model: Model) -> Understood:
    """The intent and slots the text is exactly a sample of, or AMAZON.FallbackIntent."""
    heard, invoked = _strip_invocation(tokens(text), model.invocation)
    if not heard:
        return Understood(None, similarity=1.0) if invoked else Understood(FALLBACK)
    candidates = [heard] + ([heard[1:]] if invoked and heard[0] in CONNECTING and len(heard) > 1 else [])
    for words in candidates:
        if words in model.exact:
            intent = model.exact[words]
            return Understood(intent, (), model.declared.get(intent, ()), 1.0)
        for sample in model.samples:
            slots = _fill(model, sample.elements, words)
            if slots is not None:
                return Understood(sample.intent, tuple(slots), model.declared.get(sample.intent, ()), 1.0)
    return Understood(FALLBACK, (), model.declared.get(FALLBACK, ()), 0.0)


@cache
def _compiled(locale: str) -> Model:
    return compile_model(language_model(locale))


def understand(text: str, locale: str) -> Understood:
    """Strict matching against a locale's interaction model."""
    return match(text, _compiled(locale))
