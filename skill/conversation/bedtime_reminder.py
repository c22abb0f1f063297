"""The nightly stretch reminder: what the user asked for, and what to say about what happened.

Pure: the handlers read the request into a ``Turn``, ask ``plan`` what to do,
do it through the Reminders API (``skill.alexa.reminders``), and hand the
``Outcome`` to ``said`` for the words.

What Alexa sends for a time (AMAZON.TIME, Amazon's slot type reference): the time as
24-hour digits, "hh:mm" ("four in the morning" -> "04:00", "two p m" -> "14:00"), or
a code for a part of the day ("night" -> "NI", "morning" -> "MO", "afternoon" -> "AF",
"evening" -> "EV"). Nothing else comes with it: no separate a.m. or p.m., no second
reading, not the words. So "three a.m." arrives as "03:00", and so can "three" said
alone; the value cannot tell them apart. A bare hour is then read as the evening (this
is a bedtime reminder), and no time is ever set before the person has heard it said
back ("So that's 3 p.m. every night. Is that right?") and said yes. The value does say a.m.
for 00:00 to 00:59 ("midnight", "twelve thirty a.m."), and a correction tells it too:
answering "3 p.m.?" with the same hour again ("no, three a.m.") can only mean 3 a.m.

The time waiting for that yes is kept in the session as the confirmation question
itself (``State.last``: content keys and whole numbers, which ``state`` checks when
it reads them back, tampering being a fresh start); ``pending`` reads it back and
checks that it is a time of day, or raises ValueError.
"""

from __future__ import annotations

import re
from typing import NamedTuple, TypeGuard

from skill.conversation.reply import Line, Reply
from skill.conversation.state import State

READWRITE = "alexa::alerts:reminders:skill:readwrite"
SET, CHANGE, CHECK, CANCEL = ("BedtimeReminderIntent", "ChangeBedtimeReminderIntent",
                              "CheckBedtimeReminderIntent", "CancelBedtimeReminderIntent")
INTENTS = frozenset({SET, CHANGE, CHECK, CANCEL})
YES, NO = "AMAZON.YesIntent", "AMAZON.NoIntent"
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")
TOKEN_PREFIX = "bedtime-reminder"
ASKED_TIME = "reminder_time"  # the question that asks for the reminder's time
CONFIRM = "reminder_confirm"  # the question that says the time back before it is set
ANSWERS = frozenset({YES, NO})  # answered here (not by the dialogue) while CONFIRM is asked
ELICITED = (SET, "time")      # the intent and slot Alexa fills while that question is open
REMINDER_TEXT = "reminder.text"  # what the reminder itself says, in the user's locale
SAID_BACK = "reminder.confirm"   # "So that's {time} every night.", then the CONFIRM question
NOT_THAT = "reminder.not_that"   # "Okay, not {time} then.", then the time is asked for again

# A time of day as the locale says it, by half of the day and how the minutes are said:
# "10 p.m." (on the hour), "9:05 p.m." (under ten minutes past), "9:30 p.m.".
_CLOCK_KEYS = {
    ("am", "hour"): "time.am.hour", ("am", "oh"): "time.am.oh", ("am", "minutes"): "time.am",
    ("pm", "hour"): "time.pm.hour", ("pm", "oh"): "time.pm.oh", ("pm", "minutes"): "time.pm",
}
_CLOCK_KINDS = {key: kind for kind, key in _CLOCK_KEYS.items()}


class Outcome(NamedTuple):
    """What a call to the Reminders API came to.

    kind: "created", "changed", "cancelled", "set" (one is set, at ``time``), "none"
    (none is set), "no_permission" (401/403), "bad_time" (400), "limit" (the skill's
    reminder limit), "later" (429, 5xx, a timeout: try again later).
    """

    kind: str
    time: tuple[int, int] | None = None  # (hour, minute), device time


class Plan(NamedTuple):
    """What to do: "confirm" ``time`` (say it back and ask), "set" it (confirmed),
    "again" (not ``time``: ask for the time again), "check", "cancel", or "ask_time"."""

    action: str
    time: tuple[int, int] | None = None
    not_a_time: bool = False


def heard_time(value: str | None) -> tuple[int, int] | None:
    """An AMAZON.TIME value as Alexa wrote it: "21:30" -> (21, 30), "03:00" -> (3, 0).
    None for anything that is not a time of day ("EV", "NI")."""
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return (hour, minute) if hour <= 23 and minute <= 59 else None


def either_half(time: tuple[int, int]) -> bool:
    """Whether Alexa's value could be a time said without a.m. or p.m. ("three" and
    "three a.m." both come as "03:00"): an hour from 1 to 11."""
    return 1 <= time[0] <= 11


def bedtime_time(value: str | None, not_this: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """The time an AMAZON.TIME value asks for: a bedtime reminder is in the evening, so
    1:00 to 11:59 ("nine thirty", "10:00") is read as p.m., unless that is ``not_this``
    (the time just said back, or just refused: the person said the same hour again to
    mean the other half of the day). 00:00 to 00:59 and 12:00 to 23:59 say which half
    they are. None for anything that is not a time of day."""
    heard = heard_time(value)
    if heard is None or not either_half(heard):
        return heard
    evening = (heard[0] + 12, heard[1])
    return heard if evening == not_this else evening


def clock(time: tuple[int, int]) -> Line:
    """A time of day, as the locale says it ("9:30 p.m.", "10 p.m.", "9:05 p.m.")."""
    hour, minute = time
    half = "pm" if hour >= 12 else "am"
    shown = hour % 12 or 12
    if minute == 0:
        return Line(_CLOCK_KEYS[half, "hour"], {"hour": shown})
    return Line(_CLOCK_KEYS[half, "oh" if minute < 10 else "minutes"], {"hour": shown, "minute": minute})


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def clock_time(line: object) -> tuple[int, int]:
    """The time a ``clock`` line says, or ValueError if it is not one."""
    if not isinstance(line, Line) or line.key not in _CLOCK_KINDS:
        raise ValueError("not a time of day")
    half, said = _CLOCK_KINDS[line.key]
    params = dict(line.params)
    hour, minute = params.get("hour"), params.get("minute", 0)
    minutes = {"hour": range(0, 1), "oh": range(1, 10), "minutes": range(10, 60)}[said]
    if set(params) != ({"hour"} if said == "hour" else {"hour", "minute"}):
        raise ValueError("not a time of day")
    if not (_whole(hour) and _whole(minute) and 1 <= hour <= 12 and minute in minutes):
        raise ValueError("not a time of day")
    return hour % 12 + (12 if half == "pm" else 0), minute


def _kept(state: State, key: str) -> tuple[int, int] | None:
    """The time in the ``key`` line of the last answer (kept in the session), None if
    that answer has none; ValueError if it has one that is not a time of day."""
    for part in state.last.say if state.last is not None else ():
        if isinstance(part, Line) and part.key == key:
            return clock_time(dict(part.params).get("time"))
    return None


def pending(state: State) -> tuple[int, int] | None:
    """The time said back and waiting for a yes, if the last answer said one back."""
    return _kept(state, SAID_BACK) if state.asked == CONFIRM else None


def refused(state: State) -> tuple[int, int] | None:
    """The time the person just said no to, while the skill asks for the time again."""
    return _kept(state, NOT_THAT) if state.asked == ASKED_TIME else None


def plan(intent: str, time_value: str | None, state: State | None = None) -> Plan:
    """What to do for this request in this state. ValueError if the session says a
    time was said back, or refused, that is not a time of day: not ours."""
    state = state or State()
    if intent == CHECK:
        return Plan("check")
    if intent == CANCEL:
        return Plan("cancel")
    if intent == YES:
        waiting = pending(state)
        return Plan("set", waiting) if waiting else Plan("ask_time")
    if intent == NO:
        return Plan("again", pending(state))
    time = bedtime_time(time_value, pending(state) or refused(state))
    if time is None:
        return Plan("ask_time", not_a_time=bool(time_value))
    return Plan("confirm", time)


def token(time: tuple[int, int]) -> str:
    """What the user asked for, carried through the consent request and back."""
    return f"{TOKEN_PREFIX}:{time[0]:02d}:{time[1]:02d}"


def from_token(value: str | None) -> tuple[int, int] | None:
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not all(p.isdigit() and len(p) == 2 for p in parts[1:]):
        return None
    hour, minute = int(parts[1]), int(parts[2])
    return (hour, minute) if hour <= 23 and minute <= 59 else None


def said(state: State, plan_: Plan, outcome: Outcome | None) -> tuple[Reply, State]:
    """The reply to a reminder request, and the state after it."""
    fresh = state.fresh()
    if plan_.action == "confirm" and plan_.time is not None:
        return Reply((Line(SAID_BACK, {"time": clock(plan_.time)}),), CONFIRM), fresh.but(asked=CONFIRM)
    if plan_.action in ("ask_time", "again", "confirm"):
        say: tuple[Line, ...] = ()
        if plan_.action == "again" and plan_.time is not None:
            say = (Line(NOT_THAT, {"time": clock(plan_.time)}),)
        elif plan_.not_a_time:
            say = (Line("reminder.not_a_time"),)
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
