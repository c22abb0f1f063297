"""Hearing: what the samples of one interaction model let through (a catch-all
in a safety intent, a built-in's extension sample that is another's, pain heard as stop)."""

from __future__ import annotations

from typing import Any

from skill.conversation import policy, symptoms
from skill.devtools import hearing
from skill.devtools.validate.models import SLOT_REFERENCE, intents_by_name, types_by_name

#: Cramp words a custom slot might catch, to show what a catch-all sample lets through.
CRAMP_FILLERS = ("cramping", "killing me", "a cramp")


def _said(sample: str) -> str:
    return " ".join(hearing.words(sample))


def hearing_problems(document: Any) -> list[str]:
    """Samples that would let the wrong thing through, in one interaction model:

    - a safety intent's sample that says nothing of a red flag or of danger itself
      (``my calf is {symptom}``): Alexa fills a custom slot with any words, so a
      cramp would reach the warning answer;
    - a built-in intent's extension sample that Alexa already hears as another
      built-in (``again`` on NextIntent and RepeatIntent), or that names a red
      flag (it would skip the safety answer);
    - a Stop or Cancel sample that speaks of pain ("it won't stop"): pain is never
      heard as stop."""
    found = []
    intents = intents_by_name(document)
    custom_types = set(types_by_name(document))
    known = {_said(phrase): name for name, phrases in hearing.BUILT_IN_PHRASES.items()
             if name in intents for phrase in phrases}
    for name, intent in intents.items():
        slot_types = {slot.get("name"): slot.get("type") for slot in intent.get("slots") or []
                      if isinstance(slot, dict)}
        for sample in intent.get("samples") or []:
            if not isinstance(sample, str):
                continue
            custom = [slot for slot in SLOT_REFERENCE.findall(sample) if slot_types.get(slot) in custom_types]
            carrier = SLOT_REFERENCE.sub(" ", sample)
            if name in policy.SAFETY_INTENTS and not symptoms.names_a_concern(carrier):
                if custom:
                    filled = SLOT_REFERENCE.sub(CRAMP_FILLERS[0], sample)
                    found.append(f"{name}: sample {sample!r} is a catch-all: a cramp fills "
                                 f"{{{custom[0]}}} ({filled!r}) and gets the warning answer; give it words "
                                 "of its own (\"is {symptom} dangerous\") or write the red flags out")
                else:
                    found.append(f"{name}: sample {sample!r} names no red flag and no danger, "
                                 "so a cramp could get the warning answer")
            if not name.startswith("AMAZON."):
                continue
            other = known.get(_said(sample))
            if other is not None and other != name:
                found.append(f"{name}: extension sample {sample!r} is how Alexa hears {other}; "
                             "a built-in's extension samples must be its own")
            if symptoms.is_red_flag(sample):
                found.append(f"{name}: extension sample {sample!r} names a red flag; it belongs to a "
                             "safety intent, not to a built-in")
            if name in ("AMAZON.StopIntent", "AMAZON.CancelIntent") and symptoms.names_pain(sample):
                found.append(f"{name}: sample {sample!r} speaks of pain, which must never be heard as stop")
    return found
