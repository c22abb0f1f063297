"""The judge of whole responses against Alexa's rules (and certification's): the
SSML rules and limits of ``skill.speech.ssml.problems`` on speech and reprompt, the
response size, and the open-session rule. Used by ``validate``, the tests and the
benchmarks; the skill itself never judges its answers, so this is not in the Lambda zip.
"""

from __future__ import annotations

import json
from typing import Any

from skill.speech.ssml import MAX_RESPONSE_BYTES, problems, to_text


def _ends_with_question(ssml: str) -> bool:
    try:
        return to_text(ssml).rstrip().endswith("?")
    except SyntaxError:  # ElementTree.ParseError
        return False


def response_problems(envelope: dict[str, Any]) -> list[str]:
    """What Alexa (or certification) would reject in a whole response envelope:
    SSML rules and limits on speech and reprompt, the response size, and the
    open-session rule (an open session ends with a question and has a reprompt;
    a closed one has none)."""
    found = []
    size = len(json.dumps(envelope).encode("utf-8"))
    if size > MAX_RESPONSE_BYTES:
        found.append(f"response is {size} bytes; Alexa takes at most {MAX_RESPONSE_BYTES}")
    response = envelope.get("response") or {}
    speech = (response.get("outputSpeech") or {}).get("ssml")
    reprompt = ((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
    for name, ssml in (("speech", speech), ("reprompt", reprompt)):
        if ssml is not None:
            found.extend(f"{name}: {problem}" for problem in problems(ssml))
    if response.get("shouldEndSession") is False:
        if not reprompt:
            found.append("the session stays open without a reprompt")
        if not speech or not _ends_with_question(speech):
            found.append("the session stays open but the speech does not end with a question")
    elif reprompt:
        found.append("a reprompt on a response that ends the session")
    return found
