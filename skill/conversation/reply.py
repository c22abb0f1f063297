"""What the skill decides to say, before it is put into words: pure data.

The dialogue returns a ``Reply`` made of content keys and pauses; ``render``
looks the keys up in one locale's words and builds the SSML.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from skill.speech import ssml
from skill.speech.screens import Said
from skill.speech.words import Words


class Line:
    """One sentence from the content files, with the values of its {placeholders}
    (a value may itself be a Line). Hashable, so that a rendered reply can be cached."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, params: Mapping[str, Any] | None = None):
        self.key = key
        self.params = tuple(sorted(params.items())) if params else ()

    def _identity(self) -> tuple[str, tuple[tuple[str, Any], ...]]:
        return self.key, self.params

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Line) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return f"Line({self.key!r}, {dict(self.params)!r})" if self.params else f"Line({self.key!r})"


Piece = Line | ssml.Pause  # one piece of a reply: a sentence or a silence


class Reply(NamedTuple):
    """Sentences and pauses, then a question (the session stays open) or none (it ends)."""

    say: tuple[Piece, ...] = ()
    ask: str | None = None


class Rendered(NamedTuple):
    speech: str               # SSML
    reprompt: str | None      # SSML, present exactly when the session stays open

    @property
    def ends_session(self) -> bool:
        return self.reprompt is None


def _text(line: Line, words: Words) -> str:
    if not line.params:
        return words.text(line.key)
    params = {name: _text(value, words) if isinstance(value, Line) else value
              for name, value in line.params}
    return words.text(line.key, **params)


#: The leg a stretch cue names, by the content key of its ``your_leg``.
SIDES = {"leg.left": "left", "leg.right": "right"}


def _side(line: Line) -> str | None:
    leg = dict(line.params).get("your_leg")
    return SIDES.get(leg.key) if isinstance(leg, Line) else None


@lru_cache(maxsize=1024)
def spoken(reply: Reply, words: Words) -> tuple[Said | ssml.Pause, ...]:
    """The reply's sentences (key, words, and the leg a cue names) and pauses, in
    order: what a screen is filled from, so that it shows what is said."""
    return tuple(part if isinstance(part, ssml.Pause) else Said(part.key, _text(part, words), _side(part))
                 for part in reply.say)


@lru_cache(maxsize=1024)
def render(reply: Reply, words: Words) -> Rendered:
    """The reply in one locale's words, as SSML. Cached: many people hear the same
    rounds, and a reply's words never change while the process runs."""
    parts: list[ssml.Part] = [part if isinstance(part, ssml.Pause) else _text(part, words)
                              for part in reply.say]
    if reply.ask is None:
        return Rendered(ssml.speak(parts), None)
    question = words.question("ask." + reply.ask)
    return Rendered(ssml.speak(parts + [question.speech]), ssml.speak([question.reprompt]))
