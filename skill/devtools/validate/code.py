"""Code and model agreement: where one interaction model and the code disagree on
intents and slots."""

from __future__ import annotations

from typing import Any

from skill.alexa.handlers import SLOTS
from skill.conversation import bedtime_reminder, policy
from skill.devtools.validate.models import elicitable, intents_by_name, types_by_name

#: The intents the code answers (a LaunchRequest is not an intent).
HANDLED_INTENTS = frozenset(policy.INTENTS) - {"LaunchRequest"}


def code_problems(document: Any) -> list[str]:
    """Where one interaction model and the code disagree on intents and slots."""
    found = []
    intents = intents_by_name(document)
    for name in sorted(set(intents) - HANDLED_INTENTS):
        found.append(f"intent {name} is in the model but the code does not handle it "
                     "(not in skill.policy.INTENTS)")
    for name in sorted(HANDLED_INTENTS - set(intents)):
        found.append(f"the code handles {name} but the model has no such intent")
    expected = SLOTS
    types = types_by_name(document)
    seen: set[str] = set()
    for intent in intents.values():
        for slot in intent.get("slots") or []:
            if not isinstance(slot, dict) or not isinstance(slot.get("name"), str):
                continue
            name, slot_type = slot["name"], slot.get("type")
            seen.add(name)
            if name not in expected:
                found.append(f"{intent['name']}: the code never reads the slot {name}")
                continue
            rule = expected[name]
            if isinstance(rule, str):
                if slot_type != rule:
                    found.append(f"{intent['name']}: slot {name} must have the type {rule} "
                                 f"(the code reads it so), not {slot_type}")
            elif slot_type in types:
                ids = {value.get("id") for value in types[slot_type].get("values") or []
                       if isinstance(value, dict)}
                if ids != set(rule):
                    found.append(
                        f"{intent['name']}: slot {name} ({slot_type}) has the value ids "
                        f"{sorted(map(str, ids))}; the code reads {sorted(rule)}")
            else:
                found.append(f"{intent['name']}: slot {name} must be a custom slot type "
                             f"with the ids {sorted(rule)}, not {slot_type}")
    for name in sorted(set(expected) - seen):
        found.append(f"the code reads the slot {name} but no intent declares it")
    elicited_intent, elicited_slot = bedtime_reminder.ELICITED
    if elicited_intent in intents and bedtime_reminder.ELICITED not in elicitable(document):
        found.append(f"the code elicits {elicited_intent}.{elicited_slot} (Dialog.ElicitSlot) but the model "
                     "has no dialog model for it with slot samples")
    return found
