"""What the skill decides to say, before it is put into words: pure data.

The dialogue returns a ``Reply`` made of content keys and pauses; ``render``
looks the keys up in one locale's words and builds the SSML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import ssml
from .words import Words


@dataclass(frozen=True)
class Line:
    """One sentence from the content files; a param may itself be a Line."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """Sentences and pauses, then a question (the session stays open) or none (it ends)."""

    say: tuple = ()
    ask: str | None = None


@dataclass(frozen=True)
class Rendered:
    speech: str               # SSML
    reprompt: str | None      # SSML, present exactly when the session stays open

    @property
    def ends_session(self) -> bool:
        return self.reprompt is None


def _text(line: Line, words: Words) -> str:
    params = {name: _text(value, words) if isinstance(value, Line) else value
              for name, value in line.params.items()}
    return words.text(line.key, **params)


def render(reply: Reply, words: Words) -> Rendered:
    parts: list[ssml.Part] = [part if isinstance(part, ssml.Pause) else _text(part, words)
                              for part in reply.say]
    if reply.ask is None:
        return Rendered(ssml.speak(parts), None)
    question = words.question("ask." + reply.ask)
    return Rendered(ssml.speak(parts + [question.speech]), ssml.speak([question.reprompt]))
