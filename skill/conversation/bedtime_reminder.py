"""The nightly stretch reminder: what the user asked for, and what to say about what happened.

Pure: the handlers read the request into a ``Turn``, ask ``plan`` what to do,
do it through the Reminders API (``skill.alexa.reminders``), and hand the
``Outcome`` to ``said`` for the words.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from skill.conversation.reply import Line, Reply
from skill.conversation.state import State

READWRITE = "alexa::alerts:reminders:skill:readwrite"
SET, CHANGE, CHECK, CANCEL = ("BedtimeReminderIntent", "ChangeBedtimeReminderIntent",
                              "CheckBedtimeReminderIntent", "CancelBedtimeReminderIntent")
INTENTS = frozenset({SET, CHANGE, CHECK, CANCEL})
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")
TOKEN_PREFIX = "bedtime-reminder"
ASKED_TIME = "reminder_time"  # the question that asks for the reminder's time
ELICITED = (SET, "time")      # the intent and slot Alexa fills while that question is open
REMINDER_TEXT = "reminder.text"  # what the reminder itself says, in the user's locale


class Outcome(NamedTuple):
    """What a call to the Reminders API came to.

    kind: "created", "changed", "cancelled", "set" (one is set, at ``time``), "none"
    (none is set), "no_permission" (401/403), "bad_time" (400), "limit" (the skill's
    reminder limit), "later" (429, 5xx, a timeout: try again later).
    """

    kind: str
    time: tuple[int, int] | None = None  # (hour, minute), device time


class Plan(NamedTuple):
    """What to do: "set" at ``time``, "check", "cancel", or "ask_time" (say ``say`` first)."""

    action: str
    time: tuple[int, int] | None = None
    not_a_time: bool = False


def bedtime_time(value: str | None) -> tuple[int, int] | None:
    """An AMAZON.TIME value as the evening time it names: "21:30" -> (21, 30). A bedtime
    reminder is in the evening, so 1:00 to 11:59 without a.m. or p.m. ("nine thirty",
    "10:00") is read as p.m. None for anything that is not a time of day ("EV", "NI")."""
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    if 1 <= hour <= 11:
        hour += 12
    return hour, minute


def plan(intent: str, time_value: str | None) -> Plan:
    if intent == CHECK:
        return Plan("check")
    if intent == CANCEL:
        return Plan("cancel")
    time = bedtime_time(time_value)
    if time is None:
        return Plan("ask_time", not_a_time=bool(time_value))
    return Plan("set", time)


def token(time: tuple[int, int]) -> str:
    """What the user asked for, carried through the consent request and back."""
    return f"{TOKEN_PREFIX}:{time[0]:02d}:{time[1]:02d}"


def from_token(value: str | None) -> tuple[int, int] | None:
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not all(p.isdigit() and len(p) == 2 for p in parts[1:]):
        return None
    hour, minute = int(parts[1]), int(parts[2])
    return (hour, minute) if hour <= 23 and minute <= 59 else None


def clock(time: tuple[int, int]) -> Line:
    """A time of day, as the locale says it ("9:30 p.m.", "10 p.m.")."""
    hour, minute = time
    shown = hour % 12 or 12
    if minute == 0:
        return Line("time.pm.hour" if hour >= 12 else "time.am.hour", {"hour": shown})
    return Line("time.pm" if hour >= 12 else "time.am", {"hour": shown, "minute": f"{minute:02d}"})


def said(state: State, plan_: Plan, outcome: Outcome | None) -> tuple[Reply, State]:
    """The reply to a reminder request, and the state after it."""
    fresh = State(leg=state.leg, holds=state.holds, usual_hold=state.usual_hold)
    if plan_.action == "ask_time":
        say = (Line("reminder.not_a_time"),) if plan_.not_a_time else ()
        return Reply(say, ASKED_TIME), fresh.but(asked=ASKED_TIME)
    assert outcome is not None
    time = outcome.time or plan_.time
    words = {
        "created": Line("reminder.created", {"time": clock(time)}) if time else None,
        "changed": Line("reminder.changed", {"time": clock(time)}) if time else None,
        "set": Line("reminder.set", {"time": clock(time)}) if time else Line("reminder.set_sometime"),
        "none": Line("reminder.none"),
        "cancelled": Line("reminder.cancelled"),
        "no_permission": Line("reminder.no_permission"),
        "denied": Line("reminder.denied"),
        "bad_time": Line("reminder.bad_time"),
        "limit": Line("reminder.limit"),
        "later": Line("reminder.later"),
    }
    line = words.get(outcome.kind) or Line("reminder.later")
    if outcome.kind == "bad_time":
        return Reply((line,), ASKED_TIME), fresh.but(asked=ASKED_TIME)
    return Reply((line,)), State()
