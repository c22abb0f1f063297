"""The guided stretches, as data, and the pure function that turns a round into speech.

A round is spoken in one response: the cue, then the hold counted out loud
every ten seconds (never a silence over Alexa's 10 s break limit), then the
release. The silences add up to the hold, so a 30 second hold lasts 30 seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from skill.conversation.reply import Line
from skill.speech.ssml import MAX_BREAK_SECONDS, Pause

LEGS = frozenset({"left", "right"})  # the legs a stretch names (the leg slot's side ids)
MIN_HOLD = 10
MAX_HOLD = 60


@dataclass(frozen=True)
class Step:
    cue: str                  # content key of the instruction
    hold: int                 # seconds
    side: str | None          # "left", "right", or None: the leg the user named, if any
    cue_again: str | None = None  # a shorter instruction for later rounds


@dataclass(frozen=True)
class Routine:
    name: str
    rounds: int
    steps: tuple[Step, ...]
    first_round_note: str | None = None  # said once, after the first cue
    switch: str | None = None            # said between steps

    @property
    def default_hold(self) -> int:
        return self.steps[0].hold


# Relief: one leg, the one that is cramping; up to three rounds, asking after each.
RELIEF = Routine("relief", rounds=3,
                 steps=(Step("stretch.cue", 30, None, cue_again="stretch.cue.again"),),
                 first_round_note="stretch.may_hurt")
# Bedtime: both calves in turn, three rounds, a gentler hold.
BEDTIME = Routine("bedtime", rounds=3,
                  steps=(Step("stretch.cue", 20, "left", cue_again="stretch.cue.again"),
                         Step("stretch.cue", 20, "right", cue_again="stretch.cue.again")),
                  switch="bedtime.switch")
ROUTINES = {routine.name: routine for routine in (RELIEF, BEDTIME)}


def choose_hold(asked: int | None, routine: Routine, *, usual: int | None = None) -> tuple[int, bool]:
    """The hold to use (asked for now, else the one the person keeps, else the
    routine's), and whether an asked-for length had to be replaced."""
    default = usual if usual is not None and MIN_HOLD <= usual <= MAX_HOLD else routine.default_hold
    if asked is None:
        return default, False
    if MIN_HOLD <= asked <= MAX_HOLD:
        return asked, False
    return default, True


def counted_hold(seconds: int) -> list[Line | Pause]:
    """Silence in steps of at most ten seconds, with the elapsed time said between them."""
    parts: list[Line | Pause] = []
    elapsed = 0
    while elapsed < seconds:
        step = min(MAX_BREAK_SECONDS, seconds - elapsed)
        if elapsed:
            parts.append(Line("stretch.count", {"seconds": elapsed}))
        parts.append(Pause(step))
        elapsed += step
    return parts


def leg_key(side: str | None) -> str:
    return {"left": "leg.left", "right": "leg.right", "other": "leg.other"}.get(side or "", "leg.either")


@lru_cache(maxsize=256)
def round_lines(routine: Routine, round_number: int, *, hold: int,
                leg: str | None = None) -> tuple[Line | Pause, ...]:
    """What is said in one round: each step's cue, the counted hold, the release."""
    lines: list[Line | Pause] = []
    for index, step in enumerate(routine.steps):
        side = step.side or leg
        if index and routine.switch:
            lines.append(Line(routine.switch))
        cue = step.cue_again if round_number > 1 and step.cue_again else step.cue
        lines.append(Line(cue, {"your_leg": Line(leg_key(side))}))
        if round_number == 1 and routine.first_round_note:
            lines.append(Line(routine.first_round_note))
        lines.append(Line("stretch.hold"))
        lines.extend(counted_hold(hold))
        lines.append(Line("stretch.release"))
    return tuple(lines)
