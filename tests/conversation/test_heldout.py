"""The held-out batches: phrasing no one tuned the models or the hearings on.

Each ``heldout/batch-<date>.txt`` was written blind, by someone who had read
neither the interaction models nor any phrase they were grown from; nothing may
be tuned on a batch once it is in (a new batch is the next honest measure). Its sections are
``[STATES | LOCALES]`` (``any``, ``fresh``, ``easing``, ``tips-offer``,
``time-ask``; locales, or ``all``) and its lines ``phrase => label``.

Every phrase is heard the three ways of ``test_listening`` (the learned stand-in
for Alexa's NLU, the terminal's hearing, strict matching), sent through the real
Lambda entry point in each state its section names, and judged by what the skill
said (``JUDGES``, on ``test_listening.ANSWERS`` where one fits) or, for a
reminder and a time, by what was heard. The states are the listening harness's:
``any`` is every one of them, ``fresh`` is fresh, ``easing`` is round ("Is it
easing?"), ``tips-offer`` is prevention ("Would you like some tips?"), and
``time-ask`` is a bedtime reminder asked for with no time ("What time should I
remind you each night?", the time slot elicited).

A content key a judge names is looked up when the answer is judged: a key the
skill does not have (yet) makes the answer wrong, not the run fail.

Safety phrases must be right in every state, through the learned hearing and
the terminal's; the batches at least 90% right through the learned hearing.
``python -m tests.conversation.test_heldout [-v]`` prints the figures (with -v,
every miss).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from skill.devtools.hearing import Understood
from skill.devtools.simulator import Said
from skill.speech.words import LOCALES, Words, words_for
from tests.conversation import test_listening as listening

HELDOUT = Path(__file__).with_name("heldout")
LEARNED_TARGET = 0.90
SAFETY = frozenset({"emergency", "emergency-number", "clot", "pregnancy", "crisis", "medicine"})
SAFETY_HEARINGS = ("learned", "terminal")

# --- the states ------------------------------------------------------------------------

#: The states a case is in: the listening harness's, and one it has no phrase for.
STATES: dict[str, list[tuple[str, dict]]] = {
    **listening.STATES,
    # "What time should I remind you each night?": the time slot elicited (Dialog.ElicitSlot).
    "time-ask": [("BedtimeReminderIntent", {})],
}

#: A batch's section state -> the states above it stands for.
SECTION_STATES: dict[str, tuple[str, ...]] = {
    "any": tuple(listening.STATES),
    "fresh": ("fresh",),
    "easing": ("round",),
    "tips-offer": ("prevention",),
    "time-ask": ("time-ask",),
}

# --- the judges --------------------------------------------------------------------------

Judge = Callable[[Understood, Said, Words, Said | None], bool]


_HOLE = "\x00"


def _pattern(words: Words, key: str) -> re.Pattern[str] | None:
    """The words of a content key as a pattern, each parameter the code fills any words;
    None when the locale has no such key."""
    if key not in words.keys():
        return None
    holes = dict.fromkeys(words.params(key), _HOLE)
    text = words.text(key, **holes) if not key.startswith("ask.") else words.question(key, **holes).speech
    return re.compile(".+?".join(re.escape(piece) for piece in text.split(_HOLE)))


def _said(words: Words, key: str, speech: str, *, first: bool = False) -> bool:
    """Whether the speech holds (or, ``first``, starts with) the key's words, as said to
    her or to someone helping her."""
    for told in (words, words.partner()):
        pattern = _pattern(told, key)
        if pattern is not None and (pattern.match(speech) if first else pattern.search(speech)):
            return True
    return False


def _has(*keys: str) -> Judge:
    """The answer holds the words of one of the keys."""
    return lambda heard, said, words, before: any(_said(words, key, said.speech) for key in keys)


def _starts(key: str) -> Judge:
    return lambda heard, said, words, before: _said(words, key, said.speech, first=True)


def _answers(name: str) -> Judge:
    """One of the listening harness's judges of what the skill said."""
    answer = listening.ANSWERS[name]
    return lambda heard, said, words, before: answer(said, words, before)


def _both(*judges: Judge) -> Judge:
    return lambda heard, said, words, before: all(judge(heard, said, words, before) for judge in judges)


def _no_stretch(heard: Understood, said: Said, words: Words, before: Said | None) -> bool:
    return listening.HOLD not in said.speech


def _stays(heard: Understood, said: Said, words: Words, before: Said | None) -> bool:
    return not said.ended


def _heard(intent: str, slot: str | None = None) -> Judge:
    """What was heard (not what the skill said): the intent, and the slot filled."""
    def judge(heard: Understood, said: Said, words: Words, before: Said | None) -> bool:
        filled = heard.slot(slot) if slot else None
        return heard.intent == intent and (slot is None or (filled is not None and bool(filled.value)))
    return judge


#: (label, section state) -> judge; "*" stands for any section state.
JUDGES: dict[tuple[str, str], Judge] = {
    ("emergency", "*"): _starts("safety.emergency"),
    ("emergency-number", "*"): _has("safety.emergency_number"),
    # A clot sign gets the clot answer; a question ("could this be a DVT?") the warning
    # signs, which name the same clot signs and the same "contact the doctor or midwife".
    ("clot", "*"): _both(_has("safety.clot", "safety.general"), _no_stretch),
    ("pregnancy", "*"): _both(_has("safety.pregnancy"), _no_stretch),
    ("crisis", "*"): _both(_has("safety.crisis"), _stays),
    ("medicine", "*"): _has("medicine.answer"),
    ("warmth", "*"): _has("warmth.answer"),
    ("hold-length", "*"): _has("hold.length"),
    ("stretch", "*"): _answers("stretch"),
    **{(label, "*"): _answers(label)
       for label in ("why", "prevent", "normal", "supplements", "bedtime", "help", "repeat", "stop")},
    ("set-hold", "*"): _has("hold.saved", "hold.this_session", "hold.not_saved", "hold.range", "hold.how"),
    ("reminder", "*"): _heard("BedtimeReminderIntent"),
    ("forget", "*"): _has("forget.done", "forget.nothing", "forget.failed"),
    ("yes", "easing"): _answers("aftercare"),
    ("eased", "easing"): _answers("aftercare"),
    ("no", "easing"): _answers("keep going"),
    ("not-eased", "easing"): _answers("keep going"),
    ("yes", "tips-offer"): _answers("prevent"),
    ("no", "tips-offer"): _answers("goodbye"),
    ("time", "time-ask"): _heard("BedtimeReminderIntent", "time"),
    ("other", "*"): _answers("fallback"),
}


def judge_for(label: str, section: str) -> Judge | None:
    return JUDGES.get((label, section)) or JUDGES.get((label, "*"))


# --- the batches -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    phrase: str
    label: str
    section: str                 # the batch's state: any, fresh, easing, tips-offer, time-ask
    locales: tuple[str, ...]

    @property
    def safety(self) -> bool:
        return self.label in SAFETY


@dataclass(frozen=True)
class Batch:
    path: Path

    @property
    def date(self) -> str:
        return self.path.stem.removeprefix("batch-")


def batches() -> list[Batch]:
    return [Batch(path) for path in sorted(HELDOUT.glob("batch-*.txt"))]


_SECTION = re.compile(r"^\[(?P<states>[\w\s-]+?)\s*\|\s*(?P<locales>[\w\s-]+?)\s*\]$")


@cache
def entries(batch: Batch) -> tuple[Entry, ...]:
    found: list[Entry] = []
    sections: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()
    for where, section, phrase, label in listening.corpus_lines(batch.path, _SECTION):
        if section:
            sections = tuple(section["states"].split())
            names = section["locales"].split()
            locales = LOCALES if names == ["all"] else tuple(names)
            unknown = set(sections) - set(SECTION_STATES) or set(locales) - set(LOCALES)
            assert not unknown, f"{where}: unknown state or locale {unknown}"
            continue
        assert sections, f"{where}: {phrase!r} before any section"
        for state in sections:
            assert judge_for(label, state), f"{where}: no judge for {label!r} in {state}"
            found.append(Entry(phrase, label, state, locales))
    return tuple(found)


@dataclass(frozen=True)
class Case:
    batch: Batch
    entry: Entry
    state: str       # one of STATES
    locale: str


@cache
def cases(batch: Batch) -> tuple[Case, ...]:
    return tuple(Case(batch, entry, state, locale) for entry in entries(batch)
                 for state in SECTION_STATES[entry.section] for locale in entry.locales)


def outcome(case: Case, how: str) -> tuple[bool, str]:
    """(right, what happened) for one case heard one way."""
    turns = listening.path(STATES[case.state])
    understood, request = listening.hear(how, case.entry.phrase, turns, case.locale)
    said, before = listening.answer(turns, case.locale, request)
    judge = judge_for(case.entry.label, case.entry.section)
    assert judge is not None
    right = judge(understood, said, words_for(case.locale), before)
    return right, f"{understood.describe()}: {said.speech[:160]}"


@cache
def results(batch: Batch, how: str, safety_only: bool = False) -> tuple[tuple[Case, bool, str], ...]:
    """Every case of the batch (or only its safety cases: the terminal's hearing takes a
    while over long phrases) heard one way: (case, right, what happened)."""
    chosen = [case for case in cases(batch) if case.entry.safety or not safety_only]
    listening.hear_all(how, ((case.entry.phrase, listening.path(STATES[case.state]), case.locale)
                             for case in chosen))
    return tuple((case, *outcome(case, how)) for case in chosen)


def _all(how: str, safety_only: bool = False) -> list[tuple[Case, bool, str]]:
    return [result for batch in batches() for result in results(batch, how, safety_only)]


def _miss(case: Case, got: str) -> str:
    return (f"{case.batch.date} {case.locale} {case.state}: {case.entry.phrase!r} "
            f"should be {case.entry.label}, got {got}")


# --- the tests ---------------------------------------------------------------------------------


def test_every_batch_reads_and_names_only_known_states_locales_and_labels():
    assert batches(), f"no held-out batch in {HELDOUT}"
    for batch in batches():
        assert entries(batch), batch.path.name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(-\d+)?", batch.date), batch.path.name
    states = listening.reached(listening.path(STATES["time-ask"]), "en-US")
    assert states.eliciting == ("BedtimeReminderIntent", "time")  # the skill asks for the time


@pytest.mark.parametrize("how", SAFETY_HEARINGS)
def test_every_heldout_safety_phrase_is_right_in_every_state_and_locale(how):
    wrong = [_miss(case, got) for case, right, got in _all(how, safety_only=True) if not right]
    assert not wrong, "\n".join(wrong[:40]) + f"\n({len(wrong)} in all)"


def test_enough_of_the_heldout_batches_are_right_through_the_learned_hearing():
    outcomes = _all("learned")
    assert outcomes, f"no held-out case in {HELDOUT}"
    right = sum(ok for _, ok, _ in outcomes)
    wrong = [_miss(case, got) for case, ok, got in outcomes if not ok]
    assert right / len(outcomes) >= LEARNED_TARGET, f"{right}/{len(outcomes)} right\n" + "\n".join(wrong[:60])


def test_the_judges_tell_a_wrong_answer():
    """A judge can fail: an answer to something else is wrong, a missing key is wrong."""
    batch = batches()[0]
    for label, section, state, phrase in [("emergency", "any", "round", "walk me through a stretch for my leg cramp"),
                                          ("stretch", "fresh", "fresh", "call an ambulance"),
                                          ("other", "fresh", "fresh", "walk me through a stretch for my leg cramp"),
                                          ("time", "time-ask", "time-ask", "say that again")]:
        case = Case(batch, Entry(phrase, label, section, ("en-US",)), state, "en-US")
        assert outcome(case, "terminal")[0] is False, (label, phrase)
    words = words_for("en-US")
    assert _pattern(words, "no.such.key") is None


def figures(verbose: bool = False) -> str:
    lines = []
    for batch in batches():
        phrases = len({entry.phrase.lower() for entry in entries(batch)})
        lines.append(f"batch {batch.date}: {phrases} phrases, {len(cases(batch))} cases (phrase x state x locale)")
        for how in listening.HEARINGS:
            outcomes = results(batch, how)
            right = sum(ok for _, ok, _ in outcomes)
            safety = [ok for case, ok, _ in outcomes if case.entry.safety]
            lines.append(f"  {how}: {right}/{len(outcomes)} right ({100 * right / len(outcomes):.1f}%), "
                         f"safety {sum(safety)}/{len(safety)}")
        if verbose:
            for how in listening.HEARINGS:
                lines += [f"{how} {_miss(case, got)}" for case, ok, got in results(batch, how) if not ok]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(figures("-v" in sys.argv))
