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


#: Answers that must be heard: spoken in the day voice even at night.
URGENT = frozenset({"safety.emergency", "safety.emergency_number", "safety.pregnancy", "safety.crisis",
                    "safety.crisis.number", "safety.crisis.close", "safety.crisis.goodbye",
                    "safety.clot", "safety.general", "fallback.again", "fallback.last"})


def is_urgent(reply: Reply) -> bool:
    return any(isinstance(part, Line) and part.key in URGENT for part in reply.say)


@lru_cache(maxsize=1024)
def render(reply: Reply, words: Words, night: bool = False) -> Rendered:
    """The reply in one locale's words, as SSML: in the night voice at night, except an
    urgent answer, which is spoken at normal volume and pace. Cached: many people hear
    the same rounds, and a reply's words never change while the process runs."""
    night = night and not is_urgent(reply)
    parts: list[ssml.Part] = [part if isinstance(part, ssml.Pause) else _text(part, words)
                              for part in reply.say]
    if reply.ask is None:
        return Rendered(ssml.speak(parts, night=night), None)
    question = words.question("ask." + reply.ask)
    return Rendered(ssml.speak(parts + [question.speech], night=night),
                    ssml.speak([question.reprompt], night=night))


# --- a reply kept in the session, so that "repeat" can say it again -------------------

MAX_KEPT_PIECES = 64
MAX_KEPT_NUMBER = 3600   # of any placeholder value (a hold's seconds, a count of rounds)
MAX_KEPT_PAUSE = 60.0    # seconds: a hold's longest silence


def reply_to_data(reply: Reply) -> dict[str, Any]:
    """The reply as session-attribute JSON: its content keys, placeholder values and
    pauses, never words or SSML. ``{"say": [piece, ...], "ask": question}`` where a
    piece is a key, ``[key, {name: value}]`` or a pause's seconds (a number)."""
    data: dict[str, Any] = {"say": [_piece_to_data(piece) for piece in reply.say]}
    if reply.ask is not None:
        data["ask"] = reply.ask
    return data


def _line_to_data(line: Line) -> Any:
    if not line.params:
        return line.key
    return [line.key, {name: _line_to_data(value) if isinstance(value, Line) else value
                       for name, value in line.params}]


def _piece_to_data(piece: Piece) -> Any:
    return piece.seconds if isinstance(piece, ssml.Pause) else _line_to_data(piece)


def reply_from_data(data: Any, words: Words, questions: frozenset[str]) -> Reply:
    """The reply ``reply_to_data`` kept, or ValueError if the data is anything else:
    only known content keys, small whole numbers, legal pauses and one of
    ``questions``, and only what renders within Alexa's limits in ``words``. So what
    a session says it said last is re-rendered from the skill's own words, or not
    at all."""
    if not isinstance(data, dict) or set(data) - {"say", "ask"}:
        raise ValueError("not a kept reply")
    say, ask = data.get("say"), data.get("ask")
    if not isinstance(say, list) or len(say) > MAX_KEPT_PIECES or not (say or ask):
        raise ValueError("pieces")  # a reply that only asks ("What time...?") has no pieces
    if ask is not None and ask not in questions:
        raise ValueError("question")
    known = words.keys()
    reply = Reply(tuple(_piece_from_data(piece, known) for piece in say), ask)
    try:
        render(reply, words)  # every key a sentence, every placeholder filled, within the limits
    except (KeyError, IndexError, ValueError, TypeError, AttributeError) as problem:
        raise ValueError(f"does not render: {type(problem).__name__}") from None
    return reply


def _piece_from_data(data: Any, known: set[str]) -> Piece:
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        if not 0 < data <= MAX_KEPT_PAUSE:
            raise ValueError("pause")
        return ssml.Pause(data)
    return _line_from_data(data, known, depth=0)


def _line_from_data(data: Any, known: set[str], depth: int) -> Line:
    if isinstance(data, str):
        key, params = data, {}
    elif isinstance(data, list) and len(data) == 2 and isinstance(data[0], str) and isinstance(data[1], dict):
        key, params = data[0], data[1]
    else:
        raise ValueError("line")
    if key not in known or key.startswith("ask.") or depth > 1:
        raise ValueError("key")
    values: dict[str, Any] = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name.isidentifier() or len(name) > 40:
            raise ValueError("placeholder")
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_KEPT_NUMBER:
            values[name] = value
        elif isinstance(value, (str, list)):
            values[name] = _line_from_data(value, known, depth + 1)
        else:
            raise ValueError("placeholder value")
    return Line(key, values)
