"""The conversation: given the state and what the user said, what to say next.

Pure logic, no ask-sdk: ``respond(state, turn)`` returns the reply (content
keys and pauses, or an earlier response to repeat) and the next state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from skill.conversation import symptoms
from skill.conversation.reply import Line, Piece, Reply
from skill.conversation.routines import (
    BEDTIME,
    LEGS,
    MAX_HOLD,
    MIN_HOLD,
    RELIEF,
    ROUTINES,
    Routine,
    choose_hold,
    round_lines,
)
from skill.conversation.state import MAX_MISSES, State

# Symptom slot ids (see the SYMPTOM slot type in the interaction models).
EMERGENCY_SYMPTOMS = frozenset({"chest_pain", "breathless"})
CLOT_SYMPTOMS = frozenset({"swelling", "tenderness", "redness", "warmth", "constant_pain"})
# Leg slot ids: a side, or "the other one" (the side not named last).
LEG_IDS = LEGS | {"other"}
OTHER_SIDE = {"left": "right", "right": "left"}
# Intents whose answer is safety advice (validate keeps catch-all samples out of them).
SAFETY_INTENTS = frozenset({"WarningSignsIntent", "ClotSignsIntent", "EmergencyIntent",
                            "PregnancyWarningIntent", "CrisisIntent"})
# Who-is-speaking slot ids: someone speaking for her ("my wife", "she").
PARTNER = "partner"

# Turns whose answer may be the greeting, which depends on the time of day.
MAY_GREET = frozenset({"LaunchRequest", "AMAZON.NavigateHomeIntent", "AMAZON.StartOverIntent"})
# A touch on a screen's button: the request type, and the buttons there are.
TOUCH = "Alexa.Presentation.APL.UserEvent"
BUTTONS = frozenset({"easing", "next", "stop"})


class Turn(NamedTuple):
    """One thing the user said (or did), already read out of the request."""

    intent: str                    # an intent name, or "LaunchRequest"
    leg: str | None = None         # "left" / "right" / "other" when the leg slot resolved
    seconds: int | None = None     # the hold length asked for, if any
    symptom: str | None = None     # a SYMPTOM id, "unknown", or None when not said
    unresolved: str | None = None  # the words of any slot that did not resolve, to be judged
    new_session: bool = False
    night: bool = True             # assume night when the local time is unknown
    button: str | None = None      # for a touch: one of BUTTONS, or "unknown"
    change: str | None = None      # "longer" / "shorter": how the user wants their holds changed
    usual_hold: int | None = None  # the hold the person keeps, when the store told us
    disclaimer: str | None = None  # "full", "short" or "none" is due (from the store); None: not known
    memory: str | None = None      # what the store did for this turn: "saved", "deleted", "off", "failed"
    partner: bool = False          # someone speaks for her ("my wife has a cramp")


Outcome = tuple[Reply, State]
Spoken = tuple[Reply, State]  # an outcome that is words to say, never a repeat


def _ask(state: State, say: Sequence[Piece], question: str) -> Spoken:
    return Reply(tuple(say), question), state.but(asked=question)


def _end(say: Sequence[Piece]) -> Spoken:
    return Reply(tuple(say)), State()


def _reprompt(state: State, say: Sequence[Piece]) -> Outcome:
    """Say something, then ask again whatever was pending (or offer the start)."""
    return _ask(state, say, state.asked or "start")


# --- openings -------------------------------------------------------------

# The "I'm not a doctor" sentences: said in full the first time, in short now and then.
FULL_DISCLAIMERS = frozenset({"launch.night", "launch.day", "relief.first"})
SHORT_DISCLAIMERS = frozenset({"launch.short", "disclaimer.short"})


def disclaimer_said(reply: Reply) -> str | None:
    """ "full" or "short" if the reply says that form of "I'm not a doctor"."""
    keys = {part.key for part in reply.say if isinstance(part, Line)}
    if keys & FULL_DISCLAIMERS:
        return "full"
    return "short" if keys & SHORT_DISCLAIMERS else None


def launch(state: State, turn: Turn, opening: Sequence[Piece] | None = None) -> Outcome:
    """Opened with no intent. At night the cramp is most likely happening now: straight
    into the first round, no question first. Going home at night offers the stretch."""
    if turn.night and turn.intent == "LaunchRequest":
        return start_relief(state, turn)
    say = list(opening or [])
    greeting = {"short": "launch.short", "none": "launch.again"}.get(turn.disclaimer or "")
    if turn.night:
        return _ask(state.fresh(), say + [Line(greeting or "launch.night")], "stretch")
    return _ask(state.fresh(), say + [Line(greeting or "launch.day")], "menu")


def navigate_home(state: State, turn: Turn) -> Outcome:
    return launch(state, turn, [Line("launch.home")])


# --- the routines ---------------------------------------------------------

def _hold_note(state: State, turn: Turn, routine: Routine) -> tuple[int, list[Piece]]:
    """The hold for this routine (asked for now, else the one the person keeps, else
    the routine's), and a word about it when the user asked for a length."""
    hold, adjusted = choose_hold(turn.seconds, routine, usual=state.usual_hold)
    if adjusted:
        return hold, [Line("hold.adjusted", {"hold": hold})]
    if turn.seconds is not None:
        return hold, [Line("hold.chosen", {"hold": hold})]
    return hold, []


def _legs(turn: Turn, state: State) -> tuple[str | None, str | None]:
    """(the leg to name in the cue, the leg to remember) after this turn."""
    if turn.leg == "other":
        other = OTHER_SIDE.get(state.leg or "")
        return (other or "other"), other
    leg = turn.leg or state.leg
    return leg, leg


def _not_eased() -> Spoken:
    """Three holds without relief: massage, warmth, walking, and when to call."""
    return _end([Line("relief.not_eased")])


def _relief_from_round_one(state: State, turn: Turn, hold: int, opening: Sequence[Piece]) -> Outcome:
    if state.holds >= RELIEF.rounds:
        return _not_eased()
    cue_leg, leg = _legs(turn, state)
    if state.holds + 1 == RELIEF.rounds:
        opening = [Line("relief.last")]
    say = [*opening, *round_lines(RELIEF, 1, hold=hold, leg=cue_leg)]
    return _ask(state.fresh().but(routine=RELIEF.name, round=1, hold=hold, leg=leg, holds=state.holds + 1),
                say, "easing")


def _bedtime_from_round_one(state: State, hold: int) -> Outcome:
    say = [Line("bedtime.start", {"rounds": BEDTIME.rounds}), *round_lines(BEDTIME, 1, hold=hold)]
    return _after_bedtime_round(state.fresh().but(routine=BEDTIME.name, round=1, hold=hold), say)


def _relief_opening(turn: Turn) -> Line:
    """A stretch asked for at once: "not a doctor" in full the first time, briefly
    to a stranger (nothing is known) or once a week, else straight on."""
    if not turn.new_session:
        return Line("relief.start")
    return Line({"full": "relief.first", "none": "relief.start"}.get(turn.disclaimer or "", "disclaimer.short"))


def start_relief(state: State, turn: Turn) -> Outcome:
    hold, note = _hold_note(state, turn, RELIEF)
    return _relief_from_round_one(state, turn, hold, [_relief_opening(turn), *note])


def start_bedtime(state: State, turn: Turn) -> Outcome:
    if state.holds >= RELIEF.rounds:  # three relief holds already: no routine starts more now
        return _not_eased()
    return _bedtime_from_round_one(state, choose_hold(None, BEDTIME, usual=state.usual_hold)[0])


def _after_bedtime_round(state: State, say: Sequence[Piece]) -> Spoken:
    if state.round >= BEDTIME.rounds:
        return _end([*say, Line("bedtime.done", {"rounds": BEDTIME.rounds})])
    return _ask(state, [*say, Line("bedtime.round_done",
                                   {"round": state.round, "rounds": BEDTIME.rounds})], "next_round")


def next_round(state: State, turn: Turn, note: Sequence[Piece] = ()) -> Spoken:
    """Go on with the routine under way: another round, or its ending. A relief
    round is never the fourth hold in a row: that turns to massage, warmth and walking."""
    if state.routine is None or state.hold is None:
        raise ValueError("no routine under way")  # the state's reader never lets this through
    routine = ROUTINES[state.routine]
    state = state.but(paused=False)
    if routine is RELIEF:
        if state.holds >= RELIEF.rounds:
            return _not_eased()
        number = min(state.round + 1, RELIEF.rounds)
        cue_leg, leg = _legs(turn, state)
        opening = Line("relief.last" if state.holds + 1 == RELIEF.rounds else "relief.again")
        say = [*note, opening, *round_lines(RELIEF, number, hold=state.hold, leg=cue_leg)]
        return _ask(state.but(round=number, leg=leg, holds=state.holds + 1), say, "easing")
    say = list(round_lines(BEDTIME, state.round + 1, hold=state.hold))
    return _after_bedtime_round(state.but(round=state.round + 1), say)


def _keep_going(state: State, turn: Turn) -> Spoken:
    """It has not eased yet: a word that a stretch can hurt at first (FACTS 12), then
    another round (or, after three, the other things that help)."""
    return next_round(state, turn, [Line("relief.hurts_at_first")])


def start_over(state: State, turn: Turn) -> Outcome:
    if state.routine == BEDTIME.name:
        return _bedtime_from_round_one(state, state.hold or BEDTIME.default_hold)
    if state.routine == RELIEF.name:
        return _relief_from_round_one(state, turn, state.hold or RELIEF.default_hold, [Line("relief.start")])
    return launch(state, turn)


def relieve(state: State, turn: Turn) -> Outcome:
    """'Help my cramp': start the relief stretch, or go again (with any new hold) if under way."""
    if state.routine != RELIEF.name:
        return start_relief(state, turn)
    if turn.seconds is None:
        return _keep_going(state, turn) if state.asked == "easing" else next_round(state, turn)
    hold, note = _hold_note(state, turn, RELIEF)
    reply, next_state = next_round(state.but(hold=hold), turn)
    if reply.ask is None:  # the rounds are used up: the hold no longer matters
        return reply, next_state
    return Reply((*note, *reply.say), reply.ask), next_state


def pause(state: State, turn: Turn) -> Outcome:
    if not state.routine:
        return _ask(state, [Line("next.none")], "start")
    return _ask(state.but(paused=True), [Line("paused")], "resume")


def resume(state: State, turn: Turn) -> Outcome:
    if not state.routine:
        return _ask(state, [Line("next.none")], "start")
    return next_round(state, turn)


# --- answers --------------------------------------------------------------

def why(state: State, turn: Turn) -> Outcome:
    return _ask(state.fresh(), [Line("why.answer")], "prevention")


def prevent(state: State, turn: Turn) -> Outcome:
    return _ask(state.fresh(), [Line("prevent.answer")], "bedtime")


def _answer(state: State, say: Sequence[Piece], then: str) -> Outcome:
    """Answer a question; mid-routine, ask again what was pending and keep the routine."""
    if state.routine:
        return _reprompt(state, say)
    return _ask(state.fresh(), say, then)


def normal(state: State, turn: Turn) -> Outcome:
    return _answer(state, [Line("normal.answer")], "why")


def supplements(state: State, turn: Turn) -> Outcome:
    return _answer(state, [Line("supplements.answer")], "prevention")


def _tell(state: State, say: Sequence[Piece]) -> Outcome:
    """Answer, then ask again whatever was pending; asked nothing (a one-shot), just answer."""
    if state.routine or state.asked:
        return _reprompt(state, say)
    return _end(say)


def medicine(state: State, turn: Turn) -> Outcome:
    """Any medicine, painkillers too: ask the clinician or a pharmacist first (FACTS 25)."""
    return _tell(state, [Line("medicine.answer")])


def warmth(state: State, turn: Turn) -> Outcome:
    """'Can I use a heating pad?': warmth, massage and walking help (FACTS 13-14)."""
    return _tell(state, [Line("warmth.answer")])


def hold_length(state: State, turn: Turn) -> Outcome:
    """'How long should I hold it?': the hold this routine uses, or the one kept."""
    hold = state.hold or state.usual_hold or RELIEF.default_hold
    return _tell(state, [Line("hold.length", {"hold": hold})])


# --- safety: it beats any routine, in every state ------------------------------

def emergency(state: State, turn: Turn) -> Outcome:
    """Chest pain, breathlessness, coughing blood, fainting, an ambulance: the emergency
    number before anything else."""
    return _end([Line("safety.emergency")])


def emergency_number(state: State, turn: Turn) -> Outcome:
    """'What's the emergency number?': the number, calmly; no "call now"."""
    return _tell(state, [Line("safety.emergency_number")])


def pregnancy_warning(state: State, turn: Turn) -> Outcome:
    """Bleeding, waters breaking, the baby moving less, a headache that will not go...
    (FACTS 19-23): beyond this skill; the doctor, midwife or maternity unit now."""
    say = [Line("safety.stop_routine")] if state.routine else []
    return _end(say + [Line("safety.pregnancy")])


def crisis(state: State, turn: Turn) -> Outcome:
    """Thoughts of harming oneself or the baby (FACTS 24): the crisis line, someone to
    talk to, and the session stays open: never an abrupt end."""
    return _ask(state.fresh(), [Line("safety.crisis")], "crisis")


def clot_signs(state: State, turn: Turn) -> Outcome:
    say = [Line("safety.stop_routine")] if state.routine else []
    return _end(say + [Line("safety.clot")])


def unknown_symptom(state: State, turn: Turn) -> Outcome:
    """Words we cannot place: a short safe answer naming the warning signs, and one question."""
    return _ask(state.fresh(), [Line("safety.unknown")], "stretch")


def warning_signs(state: State, turn: Turn) -> Outcome:
    """Safety first: this ends any routine under way."""
    if turn.symptom in EMERGENCY_SYMPTOMS:
        return emergency(state, turn)
    if turn.symptom in CLOT_SYMPTOMS:
        return clot_signs(state, turn)
    if turn.symptom == "unknown":
        if symptoms.judge(turn.unresolved) == symptoms.CRAMP:
            return relieve(state, turn)
        return unknown_symptom(state, turn)
    say = [Line("safety.stop_routine")] if state.routine else []
    return _end(say + [Line("safety.general")])


# --- what the skill remembers ------------------------------------------------

HOLD_STEP = 10  # "make my holds longer": ten seconds more


def hold_wanted(usual: int | None, seconds: int | None, change: str | None) -> tuple[int | None, str | None]:
    """The hold the person asks to keep, from the one they keep now (or the relief
    default), and what stops it: "range", "longest", "shortest", or "how" when they
    said neither a length nor longer or shorter."""
    current = usual or RELIEF.default_hold
    if seconds is not None:
        return (seconds, None) if MIN_HOLD <= seconds <= MAX_HOLD else (None, "range")
    if change == "longer":
        return (min(current + HOLD_STEP, MAX_HOLD), None) if current < MAX_HOLD else (None, "longest")
    if change == "shorter":
        return (max(current - HOLD_STEP, MIN_HOLD), None) if current > MIN_HOLD else (None, "shortest")
    return None, "how"


def set_hold(state: State, turn: Turn) -> Outcome:
    """'Always hold for twenty seconds': keep that hold, in this routine and later ones.
    ``turn.usual_hold`` is the hold kept until now; ``turn.memory`` whether the store took it."""
    hold, problem = hold_wanted(turn.usual_hold, turn.seconds, turn.change)
    current = turn.usual_hold or RELIEF.default_hold
    if hold is None:
        key = {"range": "hold.range", "longest": "hold.longest", "shortest": "hold.shortest"}
        say = [Line(key.get(problem or "", "hold.how"),
                    {"hold": current, "shortest": MIN_HOLD, "longest": MAX_HOLD})]
    else:
        kept = {"saved": "hold.saved", "off": "hold.this_session", "failed": "hold.not_saved"}
        say = [Line(kept.get(turn.memory or "", "hold.this_session"), {"hold": hold})]
        state = state.but(usual_hold=hold, hold=hold if state.routine else None)
    if turn.new_session and not state.routine:
        return _end(say)
    return _reprompt(state, say)


def forget_me(state: State, turn: Turn) -> Outcome:
    """'Forget me': the record is deleted (or could not be); say which, and end."""
    return _end([Line({"deleted": "forget.done", "off": "forget.nothing"}.get(turn.memory or "",
                                                                            "forget.failed"))])


# --- yes and no: their meaning depends on the question asked ----------------

def yes(state: State, turn: Turn) -> Outcome:
    match state.asked:
        case "stretch":
            return start_relief(state, turn)
        case "easing":
            return _end([Line("relief.eased")])
        case "why":
            return why(state, turn)
        case "prevention":
            return prevent(state, turn)
        case "bedtime":
            return start_bedtime(state, turn)
        case "next_round" | "resume":
            return next_round(state, turn)
        case "reminder_offer" | "reminder_time":
            return _ask(state.fresh(), [], "reminder_time")
        case "crisis":
            return _end([Line("safety.crisis.number"), Line("safety.crisis.close")])
        case "menu" | "start":
            return _ask(state, [], state.asked)
    return _ask(state, [Line("unexpected")], "start")


def no(state: State, turn: Turn) -> Outcome:
    match state.asked:
        case "stretch":
            return _ask(state, [Line("okay")], "menu")
        case "easing":
            return _keep_going(state, turn)
        case "prevention" | "bedtime" | "next_round" | "resume" | "menu" | "start" | "why":
            return _end([Line("goodbye")])
        case "reminder_offer" | "reminder_time":
            return _end([Line("reminder.not_now")])
        case "crisis":
            return _end([Line("safety.crisis.goodbye")])
    return _ask(state, [Line("unexpected")], "start")


# --- the rest of the built-ins ---------------------------------------------

def help_(state: State, turn: Turn) -> Outcome:
    """Help; at night, short, and the stretch first."""
    if turn.night:
        return _ask(state, [Line("help.night")], state.asked or "stretch")
    say = [Line("help")] + ([Line("help.routine")] if state.routine else [])
    return _reprompt(state, say)


def fallback(state: State, turn: Turn) -> Outcome:
    """A miss. Alexa sends no words with it, so this is the last safety net: never the
    same answer twice in a row, the clinician and the emergency number by the second
    miss, and the third in a row ends kindly with them and how to start again."""
    if state.misses + 1 >= MAX_MISSES:
        return _end([Line("fallback.last")])
    return _reprompt(state, [Line("fallback.again") if state.misses else Line("fallback")])


def unsupported(state: State, turn: Turn | None) -> Outcome:
    return _reprompt(state, [Line("unsupported")])


def failed(state: State, turn: Turn | None) -> Outcome:
    return _reprompt(state, [Line("error")])


def stop(state: State, turn: Turn) -> Outcome:
    return _end([Line("goodbye")])


def repeat(state: State, turn: Turn) -> Outcome:
    """Say the last response again. If it held a stretch, that is another hold, and
    after three in a row it is time for the other things that help instead."""
    if state.last is None:
        return _ask(state, [Line("repeat.none")], "start")
    if state.last_held:
        if state.holds >= RELIEF.rounds:
            return _not_eased()
        return state.last, state.but(holds=state.holds + 1)
    return state.last, state


def reminder(state: State, turn: Turn) -> Outcome:
    """The reminder intents are answered by the reminder handler, which calls Alexa's
    Reminders API (skill.conversation.bedtime_reminder has their words); a skill built
    without that handler can only say to try later."""
    return _end([Line("reminder.later")])


# --- the nightly reminder, offered once -------------------------------------------


def reminder_offer_point(state: State, turn: Turn, reply: Reply) -> bool:
    """Whether this answer is a place to offer the nightly reminder: it finishes the
    bedtime stretch, or the person said no to the bedtime stretch after the tips.
    (Whether to offer it there, once and only when none is set, the handler knows.)"""
    if reply.ask is not None:
        return False
    if state.asked == "bedtime" and turn.intent == "AMAZON.NoIntent":
        return True
    return any(isinstance(part, Line) and part.key == "bedtime.done" for part in reply.say)


def with_reminder_offer(reply: Reply) -> Outcome:
    """The answer at an offer point, asking whether to remind the person each evening
    instead of saying goodbye."""
    say = tuple(part for part in reply.say if not (isinstance(part, Line) and part.key == "goodbye"))
    return Reply(say or (Line("okay"),), "reminder_offer"), State(asked="reminder_offer")


INTENTS: dict[str, Callable[[State, Turn], Outcome]] = {
    "BedtimeReminderIntent": reminder,
    "ChangeBedtimeReminderIntent": reminder,
    "CheckBedtimeReminderIntent": reminder,
    "CancelBedtimeReminderIntent": reminder,
    "LaunchRequest": launch,
    "RelieveCrampIntent": relieve,
    "WhyCrampsIntent": why,
    "PreventCrampsIntent": prevent,
    "BedtimeStretchIntent": start_bedtime,
    "WarningSignsIntent": warning_signs,
    "ClotSignsIntent": clot_signs,
    "EmergencyIntent": emergency,
    "EmergencyNumberIntent": emergency_number,
    "PregnancyWarningIntent": pregnancy_warning,
    "CrisisIntent": crisis,
    "MedicineIntent": medicine,
    "WarmthIntent": warmth,
    "HoldLengthIntent": hold_length,
    "CrampsNormalIntent": normal,
    "SupplementsIntent": supplements,
    "AMAZON.HelpIntent": help_,
    "AMAZON.StopIntent": stop,
    "AMAZON.CancelIntent": stop,
    "AMAZON.NavigateHomeIntent": navigate_home,
    "AMAZON.FallbackIntent": fallback,
    "AMAZON.YesIntent": yes,
    "AMAZON.NoIntent": no,
    "AMAZON.RepeatIntent": repeat,
    "AMAZON.StartOverIntent": start_over,
    "AMAZON.NextIntent": resume,
    "AMAZON.PauseIntent": pause,
    "AMAZON.ResumeIntent": resume,
    "SetHoldIntent": set_hold,
    "ForgetMeIntent": forget_me,
}


#: The intent that answers each kind of red flag (and a medicine) ``symptoms.judge`` finds in words.
RED_FLAG_INTENTS = {symptoms.EMERGENCY: "EmergencyIntent", symptoms.CRISIS: "CrisisIntent",
                    symptoms.PREGNANCY: "PregnancyWarningIntent", symptoms.CLOT: "ClotSignsIntent",
                    symptoms.MEDICINE: "MedicineIntent"}


def touched(state: State, turn: Turn) -> Outcome:
    """A button on the screen: answered as the words it stands for."""
    match turn.button:
        case "next":  # "next"
            return resume(state, turn)
        case "stop":  # "stop"
            return stop(state, turn)
        case "easing" if state.routine == RELIEF.name:  # "yes" to "is it easing?"
            return _end([Line("relief.eased")])
    return unsupported(state, turn)


def respond(state: State, turn: Turn) -> Outcome:
    """The reply to one turn, and the state to carry to the next. A red flag in any
    words a slot caught wins over whatever the intent was."""
    if turn.usual_hold is not None:  # read from the store at the session's start
        state = state.but(usual_hold=turn.usual_hold)
    if turn.partner:
        state = state.but(partner=True)
    red_flag = RED_FLAG_INTENTS.get(symptoms.judge(turn.unresolved) or "")
    missed = False
    if red_flag is not None:
        reply, next_state = INTENTS[red_flag](state, turn)
    elif turn.intent == TOUCH:
        reply, next_state = touched(state, turn)
    else:
        missed = turn.intent == "AMAZON.FallbackIntent" or turn.intent not in INTENTS
        reply, next_state = INTENTS.get(turn.intent, fallback)(state, turn)
    # partner: a reply that ends the session (a blank State) is still said to the helper
    next_state = next_state.but(misses=state.misses + 1 if missed and reply.ask else 0,
                                partner=state.partner)
    if next_state.holds == state.holds and next_state.last_held:
        next_state = next_state.but(last_held=False)  # this response held no stretch
    elif next_state.holds > state.holds:
        next_state = next_state.but(last_held=True)
    return reply, next_state
