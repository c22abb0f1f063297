"""The listening corpus: real phrasing, in every state and locale, judged by what the skill says.

Each phrase of ``listening.txt`` is heard three ways: through the terminal's
typed-text hearing (``skill.devtools.hearing``, forgiving as speech recognition
is), through strict sample matching (``skill.devtools.strict``: the phrase is a
sample of the model with slot values filled in), and through a learned stand-in
for Alexa's NLU (``tests.support.learned_hearing``: a classifier trained on the
models alone). The intent Alexa would send is then sent, in the state the
section names, through the real Lambda entry point, and the answer is judged by
what the skill says (``ANSWERS``), not by the intent's name. While the state's
last answer elicits a slot, the hearings that can hear an elicited slot's
samples (the terminal's and the learned one) do.

Safety phrases must be right in every state, through every way of hearing (through
strict matching, those that are a model's own samples); the whole corpus at least
97% right through the terminal's hearing and 80% through strict matching.
``python -m tests.conversation.test_listening`` prints the figures.
The held-out batches (``test_heldout``) reuse this machinery: ``reached``,
``hear`` and ``answer`` take a state as the turns that reach it (``path``).
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from skill.devtools import hearing, strict
from skill.devtools.model_files import language_model
from skill.devtools.simulator import Said
from skill.speech.words import LOCALES, Words, words_for
from tests.support import learned_hearing
from tests.support.conversation import Conversation

CORPUS = Path(__file__).with_name("listening.txt")
HEARD_TARGET, STRICT_TARGET = 0.97, 0.80
MIN_PHRASES = 300

# --- the states: how a conversation gets there -------------------------------------

STATES: dict[str, list[tuple[str, dict]]] = {
    "fresh": [],
    # At night a plain launch goes straight into a round; "Is your leg cramping now?" is
    # what going home asks at night (the conversations here cannot tell the time).
    "launch": [("AMAZON.NavigateHomeIntent", {})],
    "round": [("RelieveCrampIntent", {})],
    "round-left": [("RelieveCrampIntent", {"leg": "left"})],
    "last-round": [("RelieveCrampIntent", {}), ("AMAZON.NoIntent", {}), ("AMAZON.NoIntent", {})],
    "bedtime": [("BedtimeStretchIntent", {})],
    "paused": [("RelieveCrampIntent", {}), ("AMAZON.PauseIntent", {})],
    "prevention": [("WhyCrampsIntent", {})],
    "menu": [("AMAZON.NavigateHomeIntent", {}), ("AMAZON.NoIntent", {})],
    "aftercare": [("RelieveCrampIntent", {}), ("AMAZON.YesIntent", {})],
}


#: A state as the turns that reach it, hashable: ((intent, ((slot, value), ...)), ...).
Turns = tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]


def path(turns: list[tuple[str, dict]]) -> Turns:
    return tuple((intent, tuple(sorted(slots.items()))) for intent, slots in turns)


@cache
def reached(turns: Turns, locale: str) -> Conversation:
    chat = Conversation(locale)
    for intent, slots in turns:
        chat.open() if intent == "open" else chat.say(intent, **dict(slots))
    return chat


def _in_state(state: Turns | str, locale: str) -> Conversation:
    """A conversation in a state: one of STATES by name, or the turns that reach it."""
    there = reached(path(STATES[state]) if isinstance(state, str) else state, locale)
    chat = Conversation(locale)
    chat.session_id, chat.attributes = there.session_id, copy.deepcopy(there.attributes)
    chat.transcript = list(there.transcript)
    return chat


# --- the answers, as the listener hears them ------------------------------------------

HOLD = "Hold it there."


def _has(key: str, **params: object) -> Callable[[Said, Words, Said | None], bool]:
    return lambda said, words, before: words.text(key, **params) in said.speech


def _starts(key: str) -> Callable[[Said, Words, Said | None], bool]:
    return lambda said, words, before: said.speech.startswith(words.text(key))


def _round(said: Said, words: Words, before: Said | None) -> bool:
    """A hold, then "is it easing?", asked of her, or of someone helping her."""
    return HOLD in said.speech and any(said.speech.endswith(told.question("ask.easing").speech)
                                       for told in (words, words.partner()))


def _leg(key: str) -> Callable[[Said, Words, Said | None], bool]:
    return lambda said, words, before: _round(said, words, before) and words.text(key) in said.speech


def _both(*tests: Callable[[Said, Words, Said | None], bool]) -> Callable[[Said, Words, Said | None], bool]:
    return lambda said, words, before: all(test(said, words, before) for test in tests)


def _ends(said: Said, words: Words, before: Said | None) -> bool:
    return said.ended


def _no_stretch(said: Said, words: Words, before: Said | None) -> bool:
    return HOLD not in said.speech


ANSWERS: dict[str, Callable[[Said, Words, Said | None], bool]] = {
    "emergency": _both(_starts("safety.emergency"), _ends),          # the number first
    "clot": _both(_has("safety.clot"), _no_stretch, _ends),
    "warning": _both(_has("safety.general"), _no_stretch, _ends),
    "emergency number": _both(_starts("safety.emergency_number"), lambda said, words, before: "Please call"
                              not in said.speech),
    "pregnancy": _both(_has("safety.pregnancy"), _no_stretch, _ends),
    "unknown": _both(_has("safety.unknown"), _no_stretch),
    "stretch": _round,
    "round": _round,
    "left leg": _leg("leg.left"),
    "right leg": _leg("leg.right"),
    "other leg": _leg("leg.other"),
    "hold 40": _both(_round, _has("hold.chosen", hold=40)),
    "hold 20": _both(_round, _has("hold.chosen", hold=20)),
    "hold adjusted": _both(_round, _has("hold.adjusted", hold=30)),
    "keep going": _both(_round, _has("relief.hurts_at_first")),
    "aftercare": _both(_has("relief.eased"), _ends),
    "not eased": _both(_has("relief.not_eased"), _no_stretch, _ends),
    "bedtime": _has("bedtime.start", rounds=3),
    "bedtime round": _both(_has("bedtime.switch"), lambda said, words, before: HOLD in said.speech),
    "why": _has("why.answer"),
    "prevent": _has("prevent.answer"),
    "normal": _has("normal.answer"),
    "supplements": _has("supplements.answer"),
    "okay": _starts("okay"),
    "goodbye": _both(_has("goodbye"), _ends),
    "stop": _both(_has("goodbye"), _ends),
    "paused": _has("paused"),
    # the last reply again; with none yet (a first turn), that there is nothing to repeat
    "repeat": lambda said, words, before: said.speech == before.speech if before is not None
    else said.speech.startswith(words.text("repeat.none")),
    "help": lambda said, words, before: words.text("help") in said.speech or words.text("help.night") in said.speech,
    "home": _has("launch.home"),
    "fallback": _both(_has("fallback"), lambda said, words, before: not said.ended),
}

# --- the corpus -----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    phrase: str
    answer: str
    states: tuple[str, ...]
    locales: tuple[str, ...]
    safety: str | None  # "safety" (both ways of hearing), "safety-said" (the terminal's), or None


_SECTION = re.compile(r"^\[(?P<kind>safety-said|safety)?\s*(?P<states>[\w\s-]*?)\s*(?:\|\s*(?P<locales>[\w\s-]+))?\]$")


def corpus_lines(path: Path, header: re.Pattern[str]) -> Iterator[tuple[str, re.Match[str] | None, str, str]]:
    """A corpus file's lines (this one's, and the held-out batches'): for each section
    header, (where, the header's match, "", ""); for each phrase, (where, None, phrase,
    label). Blank lines and # comments are skipped."""
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        line = line.strip()
        where = f"{path.name} line {number}"
        if not line or line.startswith("#"):
            continue
        section = header.match(line)
        if section:
            yield where, section, "", ""
            continue
        phrase, arrow, label = line.partition("=>")
        assert arrow, f"{where}: {line!r}"
        yield where, None, phrase.strip(), label.strip()


def corpus() -> list[Entry]:
    entries: list[Entry] = []
    states: tuple[str, ...] = ()
    locales: tuple[str, ...] = LOCALES
    safety: str | None = None
    for where, section, phrase, answer in corpus_lines(CORPUS, _SECTION):
        if section:
            names = tuple(section["states"].split())
            states = tuple(STATES) if names == ("every",) else names
            locales = tuple(section["locales"].split()) if section["locales"] else LOCALES
            safety = section["kind"]
            unknown = set(states) - set(STATES) or set(locales) - set(LOCALES)
            assert not unknown, f"{where}: unknown state or locale {unknown}"
            continue
        assert answer in ANSWERS, f"{where}: no such answer {answer!r}"
        entries.append(Entry(phrase, answer, states, locales, safety))
    return entries


@dataclass(frozen=True)
class Case:
    entry: Entry
    state: str
    locale: str


def cases() -> list[Case]:
    return [Case(entry, state, locale) for entry in corpus() for state in entry.states for locale in entry.locales]


def _strict(text: str, locale: str, eliciting: tuple[str, str] | None = None) -> hearing.Understood:
    return strict.understand(text, locale)  # strict matching knows no elicited slot's samples


#: (text, locale, the (intent, slot) being elicited or None) -> what is heard.
HEARINGS: dict[str, Callable[[str, str, tuple[str, str] | None], hearing.Understood]] = {
    "terminal": hearing.understand,
    "strict": _strict,
    "learned": learned_hearing.understand,
}


#: The hearings worth spreading over the cores: the terminal's aligns every phrase with
#: every sample of the model, a tenth of a second or more a phrase.
SLOW_HEARINGS = frozenset({"terminal"})
_heard: dict[tuple[str, str, str, tuple[str, str] | None], hearing.Understood] = {}


@cache
def twin(locale: str) -> str:
    """The first locale whose language model is this one's word for word (en-CA's may be
    en-US's): every hearing hears the same in both, so it hears once."""
    same = json.dumps(language_model(locale), sort_keys=True)
    return next(other for other in LOCALES if json.dumps(language_model(other), sort_keys=True) == same)


def _hear_one(item: tuple[str, str, str, tuple[str, str] | None]) -> hearing.Understood:
    how, phrase, locale, eliciting = item
    return HEARINGS[how](phrase, locale, eliciting)


def hear_all(how: str, heard: Iterable[tuple[str, Turns, str]]) -> None:
    """Hear every (phrase, state, locale) one way ahead of judging, a slow hearing on
    every core (forked workers, the models already loaded; not while other threads run,
    as a fork would copy their locks)."""
    items = sorted({(how, phrase, twin(locale), reached(turns, locale).eliciting) for phrase, turns, locale in heard}
                   - _heard.keys(), key=str)
    workers = min(os.cpu_count() or 1, 4)
    forks = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if how in SLOW_HEARINGS and workers > 1 and len(items) > 50 and forks:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            _heard.update(zip(items, pool.map(_hear_one, items, chunksize=8), strict=True))


def hear(how: str, phrase: str, turns: Turns, locale: str) -> tuple[hearing.Understood, str]:
    """What one hearing hears in the state, and the request Alexa would send (JSON, or "launch")."""
    eliciting = reached(turns, locale).eliciting
    key = (how, phrase, twin(locale), eliciting)
    understood = _heard[key] if key in _heard else _hear_one(key)
    if understood.intent is None:
        return understood, "launch"
    request = understood.request()
    if eliciting is not None and understood.intent == eliciting[0]:
        request["dialogState"] = "IN_PROGRESS"  # as Alexa sends the answer to an elicitation
    return understood, json.dumps(request, sort_keys=True)


@cache
def answer(turns: Turns, locale: str, request: str) -> tuple[Said, Said | None]:
    """What the skill says to one request (JSON) in one state, and what it said before."""
    chat = _in_state(turns, locale)
    before = chat.transcript[-1][1] if chat.transcript and chat.in_session else None
    said = chat.open() if request == "launch" else chat.send(json.loads(request))
    return said, before


def outcome(case: Case, how: str) -> tuple[bool, str]:
    """(right, what happened) for one case heard one way."""
    turns = path(STATES[case.state])
    understood, request = hear(how, case.entry.phrase, turns, case.locale)
    said, before = answer(turns, case.locale, request)
    right = ANSWERS[case.entry.answer](said, words_for(case.locale), before)
    return right, f"{understood.describe()}: {said.speech[:160]}"


@cache
def results(how: str) -> tuple[tuple[Case, bool, str], ...]:
    hear_all(how, ((case.entry.phrase, path(STATES[case.state]), case.locale) for case in cases()))
    return tuple((case, *outcome(case, how)) for case in cases())


# --- the tests ------------------------------------------------------------------------


def test_the_corpus_has_at_least_300_phrases_every_state_and_every_locale():
    entries = corpus()
    assert len({entry.phrase.lower() for entry in entries}) >= MIN_PHRASES
    assert {state for entry in entries for state in entry.states} == set(STATES)
    assert {locale for entry in entries for locale in entry.locales} == set(LOCALES)


@pytest.mark.parametrize("how", HEARINGS)
def test_every_safety_phrase_is_right_in_every_state_and_locale(how):
    """Through strict matching, only the safety phrases that are a model's own samples
    (a model grows from concepts, not from this corpus, so not every phrase is one)."""
    wanted = ("safety", "safety-said") if how == "terminal" else ("safety",)
    wrong = [f"{case.locale} {case.state}: {case.entry.phrase!r} should be {case.entry.answer}, got {got}"
             for case, right, got in results(how) if case.entry.safety in wanted and not right
             and (how != "strict" or strict.understand(case.entry.phrase, case.locale).intent != hearing.FALLBACK)]
    assert not wrong, "\n".join(wrong[:40]) + f"\n({len(wrong)} in all)"


@pytest.mark.parametrize("how, target", [("terminal", HEARD_TARGET), ("strict", STRICT_TARGET)])
def test_enough_of_the_corpus_is_right(how, target):
    outcomes = results(how)
    right = sum(ok for _, ok, _ in outcomes)
    wrong = [f"{case.locale} {case.state}: {case.entry.phrase!r} should be {case.entry.answer}, got {got}"
             for case, ok, got in outcomes if not ok]
    assert right / len(outcomes) >= target, (f"{right}/{len(outcomes)} right\n" + "\n".join(wrong[:60]))


@pytest.mark.parametrize("state, phrase, wrong", [
    ("round", "chest pain", "stretch"),
    ("round", "it's red and swollen", "round"),
    ("round", "yes", "keep going"),
    ("round", "worse", "aftercare"),
    ("round", "make it stop", "stop"),
    ("round", "the pain won't stop", "stop"),
    ("fresh", "I have cramps", "warning"),
    ("launch", "my calf is killing me", "clot"),
    ("fresh", "purple monkey dishwasher", "stretch"),
    ("last-round", "again", "round"),
])
def test_the_judge_tells_a_wrong_answer(state, phrase, wrong):
    """The judge can fail: these answers are what the skill once said, and no longer does."""
    entry = Entry(phrase, wrong, (state,), ("en-US",), None)
    for how in HEARINGS:
        assert outcome(Case(entry, state, "en-US"), how)[0] is False, (how, phrase)


def figures() -> str:
    lines = []
    for how in HEARINGS:
        outcomes = results(how)
        right = sum(ok for _, ok, _ in outcomes)
        safety = [ok for case, ok, _ in outcomes if case.entry.safety]
        lines.append(f"{how}: {right}/{len(outcomes)} right ({100 * right / len(outcomes):.1f}%), "
                     f"safety {sum(safety)}/{len(safety)}")
    phrases = len({entry.phrase.lower() for entry in corpus()})
    return f"{phrases} phrases, {len(cases())} cases (phrase x state x locale)\n" + "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(figures())
    if "-v" in sys.argv:
        for how in HEARINGS:
            for case, ok, got in results(how):
                if not ok:
                    print(f"{how} {case.locale} {case.state}: {case.entry.phrase!r} "
                          f"should be {case.entry.answer}, got {got}")
