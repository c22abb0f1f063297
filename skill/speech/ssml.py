"""The one place SSML is built and checked (a whole response is judged in
``skill.devtools.judge``).

Speech is handed in as a sequence of parts: plain text (escaped here) and
``Pause`` objects (turned into ``<break>`` tags of at most 10 seconds each).
This module is pure: no ask-sdk import, so the routine and the checks that
certification would make can be tested on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_BREAK_SECONDS = 10
MAX_SPEECH_CHARS = 8000
MAX_AUDIO_TAGS = 5
MAX_RESPONSE_BYTES = 120 * 1024  # a whole response envelope, judged in skill.devtools.judge
ALEXA_TAGS = frozenset({
    "speak", "break", "prosody", "amazon:effect", "amazon:domain",
    "amazon:emotion", "emphasis", "say-as", "audio", "lang", "voice",
    "p", "s", "sub", "w", "phoneme",
})


class Pause(NamedTuple):
    """A silence in the speech, in seconds (any length; split into legal breaks)."""

    seconds: float


Part = str | Pause


class SpeechTooLong(ValueError):
    """The speech would break Alexa's output limit."""


def _breaks(seconds: float) -> list[str]:
    tags = []
    left = round(seconds * 1000)
    while left > 0:
        chunk = min(left, MAX_BREAK_SECONDS * 1000)
        tags.append(f'<break time="{chunk // 1000}s"/>' if chunk % 1000 == 0
                    else f'<break time="{chunk}ms"/>')
        left -= chunk
    return tags


def escape(text: str) -> str:
    # Not xml.sax.saxutils.escape: importing it pulls in urllib.request, ssl and
    # http.client, a fifth of the skill's cold start.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# At night the listener is in a dark bedroom, half asleep: every answer is spoken
# softer and a little slower. This is the one place that decides how.
NIGHT_VOICE = ('<prosody rate="90%" volume="soft">', "</prosody>")


def speak(parts: Iterable[Part], *, night: bool = False) -> str:
    """Build one ``<speak>`` document from text and pauses; softly at night."""
    pieces = []
    for part in parts:
        if isinstance(part, Pause):
            pieces.extend(_breaks(part.seconds))
        elif part:
            pieces.append(escape(part.strip()))
    body = " ".join(pieces)
    if night:
        body = NIGHT_VOICE[0] + body + NIGHT_VOICE[1]
    ssml = "<speak>" + body + "</speak>"
    if len(ssml) >= MAX_SPEECH_CHARS:
        raise SpeechTooLong(f"{len(ssml)} characters of speech")
    return ssml


_BREAK_TIME = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)$")


def break_seconds(time: str) -> float | None:
    """The length of a ``<break time=...>`` value, or None if it is malformed."""
    match = _BREAK_TIME.match(time.strip())
    if not match:
        return None
    value = float(match.group(1))
    return value / 1000 if match.group(2) == "ms" else value


def _qualified(tag: str) -> str:
    # ElementTree spells a namespaced tag "{uri}local"; Alexa's tags use the "amazon:" prefix.
    if tag.startswith("{"):
        return "amazon:" + tag.split("}", 1)[1]
    return tag


def _parse(ssml: str) -> Element:
    # Parsing is for checks and the terminal, never for answering a request:
    # imported here to keep it out of the Lambda cold start.
    from xml.etree import ElementTree

    # Alexa's "amazon:" prefix is not declared in the document; declare it to parse.
    return ElementTree.fromstring(ssml.replace("<speak>", '<speak xmlns:amazon="urn:amazon">', 1))


def problems(ssml: str) -> list[str]:
    """Everything Alexa would reject in this output speech; empty when it is fine."""
    found = []
    if len(ssml) >= MAX_SPEECH_CHARS:
        found.append(f"speech is {len(ssml)} characters; Alexa takes fewer than {MAX_SPEECH_CHARS}")
    try:
        root = _parse(ssml)
    except SyntaxError as error:  # ElementTree.ParseError
        return found + [f"speech is not well-formed SSML: {error}"]
    if root.tag != "speak":
        found.append(f"speech must be one <speak> element, not <{root.tag}>")
    audio = 0
    for element in root.iter():
        tag = _qualified(element.tag)
        if tag not in ALEXA_TAGS:
            found.append(f"<{tag}> is not an Alexa SSML tag")
        if tag == "audio":
            audio += 1
        if tag == "break" and "time" in element.attrib:
            seconds = break_seconds(element.attrib["time"])
            if seconds is None:
                found.append(f"<break time={element.attrib['time']!r}> is malformed")
            elif seconds > MAX_BREAK_SECONDS:
                found.append(f"<break> of {seconds:g} s is over Alexa's {MAX_BREAK_SECONDS} s")
    if audio > MAX_AUDIO_TAGS:
        found.append(f"{audio} <audio> tags; Alexa plays at most {MAX_AUDIO_TAGS}")
    return found


def segments(ssml: str) -> list[str | Pause]:
    """Speech in the order it is heard: text pieces and pauses (adjacent breaks
    summed into one ``Pause``), for a terminal or for rendering audio."""
    root = _parse(ssml)
    out: list[str | Pause] = []
    pending = 0.0

    def add_text(text: str | None) -> None:
        nonlocal pending
        if text and text.strip():
            if pending:
                out.append(Pause(pending))
                pending = 0.0
            out.append(text.strip())

    def walk(element: Element) -> None:
        nonlocal pending
        if _qualified(element.tag) == "break":
            pending += break_seconds(element.attrib.get("time", "0s")) or 0
        else:
            add_text(element.text)
        for child in element:
            walk(child)
            add_text(child.tail)

    walk(root)
    if pending:
        out.append(Pause(pending))
    return out


def shown(part: Part) -> str:
    """One segment as a person reads it in a terminal: its words, or a pause as ``[10 s]``."""
    return f"[{part.seconds:g} s]" if isinstance(part, Pause) else part


def to_text(ssml: str) -> str:
    """Speech as a person reads it in a terminal: text, with each pause as ``[10 s]``."""
    return " ".join(shown(part) for part in segments(ssml))


def rate(ssml: str) -> float:
    """How fast the speech is asked to be spoken: its prosody's rate (0.9 for "90%"),
    else 1.0."""
    for element in _parse(ssml).iter():
        if _qualified(element.tag) == "prosody" and element.attrib.get("rate", "").endswith("%"):
            try:
                return float(element.attrib["rate"][:-1]) / 100
            except ValueError:
                return 1.0
    return 1.0


def spoken_seconds(ssml: str) -> float:
    """Total silence written into the speech, in seconds."""
    root = _parse(ssml)
    return sum(break_seconds(e.attrib.get("time", "0s")) or 0
               for e in root.iter() if _qualified(e.tag) == "break")
