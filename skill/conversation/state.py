"""The conversation's state, kept in Alexa's session attributes between turns.

The process keeps nothing between requests, so any worker can answer any turn.
The attributes are a small dict; anything missing, stale or tampered with is
read as a fresh start, never an error. No health information is stored.

    {
      "v": 1,                      # format version
      "routine": "relief",         # the stretch under way: "relief", "bedtime" or absent
      "round": 1,                  # rounds of it finished
      "hold": 30,                  # seconds per hold, 10 to 60
      "leg": "left",               # the leg the user named: "left", "right" or absent
      "asked": "easing",           # the question the last response asked, or absent
      "paused": false,             # the routine is paused, waiting for "resume"
      "holds": 2,                  # relief holds said in a row this session, repeats included (0-3)
      "last_held": true,           # the last response held a relief stretch ("repeat" holds again)
      "usual_hold": 20,            # the hold the person keeps (from the store), 10 to 60
      "night": true,               # night at the device when the session began: speak softly
      "misses": 1,                 # answers in a row the skill did not catch (0-2; the third ends it)
      "partner": true,             # someone is speaking for her: the routine talks to the helper
      "last": {"say": ["relief.again", ["stretch.count", {"seconds": 10}], 10], "ask": "easing"}
    }

``last`` is the last response as content keys, placeholder values and pauses (see
``reply.reply_to_data``), never words or SSML: "repeat" renders it again from the
skill's own words. A ``last`` with an unknown key, a long pause, a question the skill
does not ask or anything that does not render within Alexa's limits is tampering,
and the conversation starts fresh.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any, NamedTuple, TypeGuard

from skill.conversation.reply import Reply, reply_from_data, reply_to_data
from skill.conversation.routines import LEGS, MAX_HOLD, MIN_HOLD, RELIEF, ROUTINES
from skill.speech.words import words_for

log = logging.getLogger(__name__)

VERSION = 1
QUESTIONS = frozenset({"stretch", "menu", "start", "easing", "prevention",
                       "bedtime", "next_round", "resume", "why", "reminder_offer",
                       "reminder_time", "reminder_confirm", "crisis"})
MAX_MISSES = 3  # the third miss in a row ends the session kindly, with the safety line
ROUTINE_QUESTIONS = frozenset({"easing", "next_round", "resume"})  # asked only mid-routine


class State(NamedTuple):
    routine: str | None = None
    round: int = 0
    hold: int | None = None
    leg: str | None = None
    asked: str | None = None
    paused: bool = False
    holds: int = 0
    last_held: bool = False
    last: Reply | None = None   # the last response, for "repeat"
    usual_hold: int | None = None
    night: bool | None = None   # None: not known yet in this session
    misses: int = 0             # turns in a row that were not caught (AMAZON.FallbackIntent)
    partner: bool = False       # someone speaks for her ("my wife has a cramp")

    def but(self, **changes: Any) -> State:
        return self._replace(**changes)

    def fresh(self) -> State:
        """No routine and no question, but what the user told us this session: the leg,
        the hold they keep, who is speaking, and the relief holds so far (after three in
        a row, no routine starts another)."""
        return State(leg=self.leg, holds=self.holds, usual_hold=self.usual_hold, partner=self.partner)

    def to_attributes(self) -> dict[str, Any]:
        attributes: dict[str, Any] = {"v": VERSION}
        for name in ("routine", "round", "hold", "leg", "asked", "holds", "usual_hold", "misses"):
            value = getattr(self, name)
            if value:
                attributes[name] = value
        if self.paused:
            attributes["paused"] = True
        if self.last_held:
            attributes["last_held"] = True
        if self.partner:
            attributes["partner"] = True
        if self.night is not None:
            attributes["night"] = self.night
        if self.last is not None:
            attributes["last"] = reply_to_data(self.last)
        return attributes


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _read(attributes: dict[str, Any]) -> State:
    routine, round_, hold = attributes.get("routine"), attributes.get("round", 0), attributes.get("hold")
    leg, asked, last = attributes.get("leg"), attributes.get("asked"), attributes.get("last")
    holds = attributes.get("holds", 0)
    if routine is not None and (routine not in ROUTINES or not _is_int(round_)
                                or not 0 <= round_ <= ROUTINES[routine].rounds
                                or not (_is_int(hold) and MIN_HOLD <= hold <= MAX_HOLD)):
        raise ValueError("routine fields")
    if not (_is_int(holds) and 0 <= holds <= RELIEF.rounds):
        raise ValueError("holds")
    if leg is not None and leg not in LEGS:
        raise ValueError("leg")
    usual_hold = attributes.get("usual_hold")
    if usual_hold is not None and not (_is_int(usual_hold) and MIN_HOLD <= usual_hold <= MAX_HOLD):
        raise ValueError("usual_hold")
    misses = attributes.get("misses", 0)
    if not (_is_int(misses) and 0 <= misses < MAX_MISSES):
        raise ValueError("misses")
    if asked is not None and (asked not in QUESTIONS or (asked in ROUTINE_QUESTIONS and routine is None)):
        raise ValueError("asked")
    last_reply = None if last is None else _kept_reply(json.dumps(last, separators=(",", ":")))
    if routine is None:
        round_, hold = 0, None
    night = attributes.get("night")
    return State(routine=routine, round=round_, hold=hold, leg=leg, asked=asked,
                 paused=routine is not None and attributes.get("paused", False) is True,
                 holds=holds, last_held=attributes.get("last_held", False) is True,
                 last=last_reply, usual_hold=usual_hold, night=night if isinstance(night, bool) else None,
                 misses=misses, partner=attributes.get("partner", False) is True)


MAX_KEPT_CHARS = 4096  # a kept reply is a few hundred characters; a longer one is not ours


@lru_cache(maxsize=512)
def _kept_reply(kept: str) -> Reply:
    """The kept reply, checked against the base words (they hold every key; regional
    files only override). Cached by its JSON: every turn of a session reads the last
    answer, and most are the same few rounds."""
    if len(kept) > MAX_KEPT_CHARS:
        raise ValueError("last is too long")
    return reply_from_data(json.loads(kept), words_for(None), QUESTIONS)


def from_attributes(attributes: Any) -> State:
    """Read the session attributes; a fresh state if they are absent or not ours."""
    if not attributes:
        return State()
    try:
        if not isinstance(attributes, dict) or attributes.get("v") != VERSION:
            raise ValueError("version")
        return _read(attributes)
    except (ValueError, TypeError, KeyError, RecursionError) as problem:
        log.warning("session attributes unusable (%s); starting fresh", problem)
        return State()
