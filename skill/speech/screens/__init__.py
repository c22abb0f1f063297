"""What an Echo Show displays, as data.

One APL document per kind of screen lives beside this file (``round.json``,
``tips.json``, ``warning.json``), with the two colour themes (``themes.json``).
``screen_for`` fills a document's data source from the same sentences and
pauses the speech is built from, in the same locale's words: so the countdown
holds exactly as long as the spoken hold, and the screen never says something
the voice does not. Pure: no ask-sdk; the alexa room puts a ``Screen`` into a
RenderDocument directive.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

from skill.speech.ssml import Pause
from skill.speech.words import Words

KINDS = ("round", "tips", "warning")
TOKEN_PREFIX = "leg-cramp-helper."
#: What a button sends back, in a UserEvent's arguments, and its label.
BUTTONS = {"easing": "screen.button.easing", "next": "screen.button.next", "stop": "screen.button.stop"}
#: The buttons a round shows, by the question its speech ends with.
ROUND_BUTTONS = {"easing": ("easing", "next", "stop"), "next_round": ("next", "stop")}
#: Said before the last relief round: there is no next round to offer.
LAST_ROUND = "relief.last"
#: Spoken sentences that change the cue on screen, and the words shown for them.
CUES = {"stretch.cue": "screen.cue.stretch", "stretch.cue.again": "screen.cue.stretch",
        "stretch.hold": "screen.cue.hold", "stretch.release": "screen.cue.release"}
STEP_STARTS = frozenset({"stretch.cue", "stretch.cue.again"})
SWITCH = "bedtime.switch"
SIDES = {"left": "screen.side.left", "right": "screen.side.right"}
EITHER_SIDE, SWITCH_SIDE = "screen.side.either", "screen.side.switch"
TIPS_KEY = "prevent.answer"
TIPS = ("screen.tips.food", "screen.tips.posture", "screen.tips.ankles", "screen.tips.stretch",
        "screen.tips.remedies")
#: The safety answers, and what their screen lists under the emergency number.
WARNINGS = {"safety.emergency": (),
            "safety.clot": ("screen.warning.clot",),
            "safety.general": ("screen.warning.clot", "screen.warning.stays"),
            "safety.unknown": ("screen.warning.clot", "screen.warning.stays")}
#: How long a spoken sentence is taken to last on screen: Alexa speaks about
#: 150 words a minute, with a short gap at each sentence's end.
SECONDS_PER_WORD = 0.4
SENTENCE_GAP_SECONDS = 0.3


class Said(NamedTuple):
    """One spoken sentence, as the screen sees it."""

    key: str                   # its content key
    text: str                  # the words spoken
    side: str | None = None    # for a stretch cue: "left", "right", or None (the leg not named)


class Screen(NamedTuple):
    kind: str
    document: dict[str, Any]
    datasources: dict[str, Any]

    @property
    def token(self) -> str:
        return TOKEN_PREFIX + self.kind

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.datasources["screen"]
        return data


def _load(name: str) -> dict[str, Any]:
    with open(os.path.join(os.path.dirname(__file__), f"{name}.json"), encoding="utf-8") as source:
        loaded: dict[str, Any] = json.load(source)  # not importlib.resources: see skill.speech.words
    return loaded


@cache
def document(kind: str) -> dict[str, Any]:
    """The APL document for one kind of screen (shared: never change it)."""
    return _load(kind)


@cache
def themes() -> dict[str, dict[str, str]]:
    return {name: palette for name, palette in _load("themes").items() if not name.startswith("_")}


def theme_name(night: bool) -> str:
    return "night" if night else "day"


def speaking_ms(text: str) -> int:
    """About how long Alexa takes to say ``text``."""
    return round(1000 * (len(text.split()) * SECONDS_PER_WORD + SENTENCE_GAP_SECONDS))


def _step_holds(parts: Sequence[Said | Pause]) -> list[float]:
    """Each stretch step's hold: the silence between its cue and its release."""
    holds: list[float] = []
    for part in parts:
        if isinstance(part, Pause):
            if holds:
                holds[-1] += part.seconds
        elif part.key in STEP_STARTS:
            holds.append(0.0)
    return holds


def beats(parts: Sequence[Said | Pause], words: Words) -> list[dict[str, Any]]:
    """The round as the screen plays it, beat by beat: what it shows (the cue, the
    side, the seconds left) and for how long. A sentence is one beat, as long as
    it takes to say; a pause is one beat per second of it, counting down."""
    step_holds = _step_holds(parts)
    left = step_holds[0] if step_holds else 0.0  # shown from the start: the hold to come
    holds = iter(step_holds)
    first_cue = next((CUES[part.key] for part in parts if isinstance(part, Said) and part.key in CUES), None)
    cue = words.text(first_cue) if first_cue else ""
    first_side = next((part.side for part in parts if isinstance(part, Said) and part.key in STEP_STARTS), None)
    side = words.text(SIDES.get(first_side or "", EITHER_SIDE))
    played: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, Pause):
            remaining = round(part.seconds * 1000)
            while remaining > 0:
                step = min(1000, remaining)
                played.append({"left": max(0, round(left)), "cue": cue, "side": side, "ms": step,
                               "counting": True})
                left -= step / 1000
                remaining -= step
            continue
        if part.key in STEP_STARTS:
            left = next(holds, 0.0)
            side = words.text(SIDES.get(part.side or "", EITHER_SIDE))
        if part.key == SWITCH:
            side = words.text(SWITCH_SIDE)
        if part.key in CUES:
            cue = words.text(CUES[part.key])
        played.append({"left": max(0, round(left)), "cue": cue, "side": side,
                       "ms": speaking_ms(part.text), "counting": False})
    return played


def _buttons(names: Sequence[str], words: Words) -> list[dict[str, str]]:
    return [{"action": name, "label": words.text(BUTTONS[name])} for name in names]


def _round(parts: Sequence[Said | Pause], words: Words, ask: str | None) -> dict[str, Any]:
    played = beats(parts, words)
    buttons = ROUND_BUTTONS.get(ask or "", ())
    if any(isinstance(part, Said) and part.key == LAST_ROUND for part in parts):
        buttons = tuple(name for name in buttons if name != "next")
    first = next((beat for beat in played if beat["cue"]), played[0])
    return {"cue": first["cue"], "side": first["side"], "left": first["left"],
            "unit": words.text("screen.seconds"), "beats": played,
            "buttons": _buttons(buttons, words)}


def _tips(words: Words) -> dict[str, Any]:
    return {"title": words.text("screen.tips.title"), "lines": [words.text(key) for key in TIPS]}


def _warning(key: str, words: Words) -> dict[str, Any]:
    return {"title": words.text("screen.warning.title"),
            "reason": words.text("screen.warning.emergency"),
            "call": words.text("screen.warning.call"),
            "lines": [words.text(line) for line in WARNINGS[key]]}


def screen_for(parts: Sequence[Said | Pause], words: Words, *, night: bool,
               ask: str | None = None) -> Screen | None:
    """The screen that goes with this speech, or None when it has none: a round
    (a counted hold), the prevention tips, or the warning signs."""
    keys = [part.key for part in parts if isinstance(part, Said)]
    warning = next((key for key in keys if key in WARNINGS), None)
    if warning is not None:
        kind, data = "warning", _warning(warning, words)
    elif any(isinstance(part, Pause) for part in parts) and STEP_STARTS.intersection(keys):
        kind, data = "round", _round(parts, words, ask)
    elif TIPS_KEY in keys:
        kind, data = "tips", _tips(words)
    else:
        return None
    theme = theme_name(night)
    data = {"kind": kind, "theme": theme, "colors": themes()[theme], **data}
    return Screen(kind, document(kind), {"screen": data})


RENDER_DOCUMENT = "Alexa.Presentation.APL.RenderDocument"
#: The whole response must stay within Alexa's 120 KB (see ssml.MAX_RESPONSE_BYTES).
#: Each document and each data source is also kept within 24 KB, the response
#: size Alexa first allowed: a screen that needs more is too busy for 3 a.m.
MAX_DOCUMENT_BYTES = 24 * 1024
MAX_DATASOURCES_BYTES = 24 * 1024


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def directive_problems(envelope: dict[str, Any]) -> list[str]:
    """What Alexa would reject in a response's APL directives: a document that is
    not APL, a missing token, or a document or data source over its size."""
    found = []
    for directive in (envelope.get("response") or {}).get("directives") or []:
        if directive.get("type") != RENDER_DOCUMENT:
            continue
        document = directive.get("document") or {}
        if document.get("type") != "APL" or not document.get("version"):
            found.append("RenderDocument: the document is not an APL document with a version")
        if not directive.get("token"):
            found.append("RenderDocument: no token")
        if _size(document) > MAX_DOCUMENT_BYTES:
            found.append(f"RenderDocument: the document is {_size(document)} bytes; "
                         f"the skill keeps it within {MAX_DOCUMENT_BYTES}")
        if _size(directive.get("datasources") or {}) > MAX_DATASOURCES_BYTES:
            found.append(f"RenderDocument: the data source is {_size(directive['datasources'])} bytes; "
                         f"the skill keeps it within {MAX_DATASOURCES_BYTES}")
    return found
