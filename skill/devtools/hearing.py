"""What Alexa would hear in typed text: match it against a locale's interaction model.

Pure, and used by ``leg-cramp-helper say`` and ``chat``. The model file is the only
source of custom sample utterances and slot values, so trying the skill in the
terminal tries the model, with one addition for the people who use the terminal
with no Echo: a red flag in the typed words (``symptoms.judge``) wins over a sample
that only resembles them (see ``understand``). Amazon's built-in intents have no samples in a model
(Alexa knows their phrases itself); ``BUILT_IN_PHRASES`` below stands in for
that knowledge, and is used only for built-ins the model declares.

Matching is forgiving the way speech recognition is: case, punctuation and
filler words ("um", "please", "alexa") are ignored, and each sample is aligned
with the text token by token (an edit distance in which an extra word costs
half a missing one, and a near-miss word such as "cramps" for "cramp" costs
less than a different word). A slot in a sample captures a span of the text:
a custom slot resolves it to the slot type's value id (ER_SUCCESS_MATCH), or,
when the words are not among its values or synonyms, keeps them unresolved
(ER_SUCCESS_NO_MATCH), as Alexa does; AMAZON.NUMBER accepts digits and number
words ("forty five") and gives digits ("45"). The best sample wins if it is
similar enough; otherwise the text goes to AMAZON.FallbackIntent.

While the skill elicits a slot (its last response held a Dialog.ElicitSlot), that
slot's own samples count too, as they do on a device: a bare "nine thirty" is then
heard as the elicited intent with that slot filled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Any

from skill.conversation import symptoms
from skill.conversation.policy import RED_FLAG_INTENTS, SAFETY_INTENTS
from skill.devtools.envelopes import intent_request, slot
from skill.devtools.model_files import language_model
from skill.speech.words import DEFAULT_LOCALE

FALLBACK = "AMAZON.FallbackIntent"
MIN_SIMILARITY = 0.6

# How Alexa users say the built-in intents. Built-ins carry no samples in a
# model, so this is the one place these phrases live. Samples a model adds to
# a built-in (e.g. "it's easing" for AMAZON.YesIntent) are used as well.
BUILT_IN_PHRASES: dict[str, tuple[str, ...]] = {
    "AMAZON.HelpIntent": ("help", "help me", "what can I say", "what can you do",
                          "I need help", "how does this work", "what are my options", "can you help me"),
    "AMAZON.StopIntent": ("stop", "stop it", "stop that", "shut up", "be quiet", "quiet",
                          "that's enough", "enough", "turn off", "exit", "quit",
                          "goodbye", "bye", "I'm done", "off", "stop talking"),
    "AMAZON.CancelIntent": ("cancel", "cancel that", "cancel it", "never mind", "nevermind", "forget it"),
    "AMAZON.NavigateHomeIntent": ("go home", "home", "main menu", "go to the main menu",
                                  "back to the main menu", "go back home"),
    "AMAZON.YesIntent": ("yes", "yeah", "yep", "yup", "yes please", "sure", "okay", "ok",
                         "of course", "go ahead", "sounds good", "all right", "alright",
                         "yes it is", "it is", "I am", "yes I am", "I'd like that",
                         "yes I would", "yes I do", "definitely"),
    "AMAZON.NoIntent": ("no", "nope", "nah", "no thanks", "no thank you", "not now",
                        "not really", "it isn't", "it's not", "no it isn't", "no it's not",
                        "no I'm not", "I'm not", "no I don't", "no I wouldn't"),
    "AMAZON.RepeatIntent": ("repeat", "repeat that", "say that again", "say it again",
                            "can you repeat that", "what did you say", "come again",
                            "pardon", "sorry what", "I didn't hear that"),
    "AMAZON.StartOverIntent": ("start over", "start again", "restart", "begin again",
                               "start from the beginning", "from the beginning",
                               "from the top"),
    "AMAZON.NextIntent": ("next", "next one", "skip", "skip this", "move on"),
    "AMAZON.PauseIntent": ("pause", "pause it", "wait", "hold on", "hang on",
                           "wait a moment", "give me a moment", "one moment", "just a minute"),
    "AMAZON.ResumeIntent": ("resume", "continue", "carry on", "keep going", "go on",
                            "I'm ready", "ready", "let's continue", "let's carry on"),
}

# Words people add that change nothing ("Um, Alexa, say that again please").
FILLER = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "hmm", "mm", "ah", "oh",
                    "please", "pls", "alexa", "hey", "hi"})
# "Alexa, ask leg cramp helper to ...": the verb before the invocation name and the
# word joining it to the request.
LAUNCH_VERBS = frozenset({"ask", "tell", "open", "launch", "start", "begin", "use", "load", "run"})
CONNECTING = frozenset({"to", "for", "about", "if", "whether", "and", "that"})

# Alignment costs; a word the person added is cheaper than one they left out.
INSERT, DELETE, SUBSTITUTE, NEAR, SKIP_SLOT = 0.5, 1.0, 1.0, 0.4, 1.0
UNRESOLVED_PER_WORD = 0.6   # a custom slot catching words that are not among its values
MAX_UNRESOLVED_WORDS = 3
MAX_NUMBER_WORDS = 6

# --- words -----------------------------------------------------------------------

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*|[0-9]+")
_SLOT = re.compile(r"\{(\w+)\}")


# "uh huh", "mm hmm": a yes, not filler, whatever the spelling.
_AGREEMENT = re.compile(r"\b(?:uh[- ]?huh|mm[- ]?hmm|mhm|mm hm)\b")


def words(text: str) -> list[str]:
    """Lower-case words without punctuation, apostrophes or filler; letters spelled
    out one by one ("D.V.T.", "g. p.") join into one word ("dvt", "gp"); an emergency
    number typed as digits is said digit by digit ("911": "nine one one"), as it is heard."""
    raw = _WORD.findall(_AGREEMENT.sub(" yes ", text.lower().replace("\u2019", "'")))
    out: list[str] = []
    letters: list[str] = []
    for word in raw + [""]:
        if len(word) == 1 and word.isalpha() and word not in ("a", "i"):
            letters.append(word)
            continue
        if letters:
            out.extend(["".join(letters)] if len(letters) > 1 else letters)
            letters = []
        if word in SAID_DIGIT_BY_DIGIT:  # "911": speech recognition writes a phone number's digits
            out.extend(DIGIT_NAMES[digit] for digit in word)
        elif word:
            out.append(word)
    return [word.replace("'", "") for word in out if word not in FILLER]


#: The emergency, advice and crisis numbers of the English locales (content/FACTS.md), which
#: people say digit by digit; any other number ("930", "120 seconds") is read as a number.
SAID_DIGIT_BY_DIGIT = frozenset({"911", "999", "000", "112", "111", "988", "811", "14416"})
DIGIT_NAMES = dict(zip("0123456789", ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                                     "nine"), strict=True))


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[:-len(suffix)]
    return word


def _one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1 or any(
            a[:k] + a[k + 1] + a[k] + a[k + 2:] == b for k in range(len(a) - 1))
    short, long_ = sorted((a, b), key=len)
    return any(long_[:k] + long_[k + 1:] == short for k in range(len(long_)))


@lru_cache(maxsize=65536)
def _substitution(expected: str, heard: str) -> float:
    if expected == heard:
        return 0.0
    if _stem(expected) == _stem(heard) or (
            min(len(expected), len(heard)) >= 4 and _one_edit_apart(expected, heard)):
        return NEAR
    return SUBSTITUTE


# --- numbers, as AMAZON.NUMBER hears them ------------------------------------------

_UNITS = {word: value for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {word: 10 * value for value, word in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}


def number(tokens: list[str] | tuple[str, ...]) -> int | None:
    """The number these words say ("45", "forty five", "a hundred and ten"), or None."""
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].isdigit():
        return int(tokens[0])
    total = current = 0
    previous = None  # what the last word was: "unit", "tens", "scale", "and", "a"
    for position, word in enumerate(tokens):
        if word in _UNITS:
            if previous == "unit" or (previous == "tens" and _UNITS[word] >= 10):
                return None
            if previous == "tens" and _UNITS[word] == 0:
                return None
            current, previous = current + _UNITS[word], "unit"
        elif word in _TENS:
            if previous in ("unit", "tens"):
                return None
            current, previous = current + _TENS[word], "tens"
        elif word in ("hundred", "thousand"):
            if previous not in ("unit", "a") or current >= 100:
                return None
            current = max(current, 1)
            if word == "hundred":
                current *= 100
            else:
                total, current = total + current * 1000, 0
            previous = "scale"
        elif word == "and" and previous == "scale" and position + 1 < len(tokens):
            previous = "and"
        elif word == "a" and position == 0 and len(tokens) > 1:
            previous = "a"
        else:
            return None
    return total + current if previous not in ("a", "and") else None


# --- the compiled model ---------------------------------------------------------------


# ("w", word) or ("s", slot name, slot type)
_Element = tuple[str, ...]


@dataclass(frozen=True)
class _Sample:
    intent: str
    elements: tuple[_Element, ...]

    @cached_property
    def words(self) -> frozenset[str]:
        return frozenset(element[1] for element in self.elements if element[0] == "w")

    @cached_property
    def has_slots(self) -> bool:
        return any(element[0] == "s" for element in self.elements)

    def least_cost(self, said: frozenset[str], shared: int) -> float:
        """A floor under the cost of aligning this sample with the words said, of which
        ``shared`` are among its own: every different word on either side that has no
        equal on the other costs at least a near substitution (a slot's words aside)."""
        unmatched_here = len(self.words) - shared
        unmatched_said = 0 if self.has_slots else len(said) - shared
        return NEAR * max(unmatched_here, unmatched_said)


@dataclass(frozen=True)
class _Value:
    id: str
    name: str


@dataclass(frozen=True)
class _Compiled:
    invocation: tuple[str, ...]
    samples: tuple[_Sample, ...]
    exact: dict[tuple[str, ...], str]   # words of a sample without slots -> intent (first one wins)
    declared: dict[str, tuple[tuple[str, str], ...]]  # intent -> ((slot name, slot type), ...)
    values: dict[str, dict[tuple[str, ...], _Value]]  # slot type -> {words: _Value}
    longest: dict[str, int]             # slot type -> most words in one of its values
    slot_samples: dict[tuple[str, str], tuple[_Sample, ...]]  # (intent, slot) -> its samples, heard when elicited


def _compile_sample(intent: str, text: str, slot_types: dict[str, str]) -> _Sample:
    elements: list[_Element] = []
    for index, piece in enumerate(_SLOT.split(text)):
        if index % 2:
            elements.append(("s", piece, slot_types.get(piece, "")))
        else:
            elements.extend(("w", word) for word in words(piece))
    return _Sample(intent, tuple(elements))


@cache
def compiled(locale: str) -> _Compiled:
    model = language_model(locale)
    values: dict[str, dict[tuple[str, ...], _Value]] = {}
    for slot_type in model.get("types", []):
        table = values.setdefault(slot_type["name"], {})
        for entry in slot_type.get("values", []):
            name = entry["name"]["value"]
            value = _Value(entry.get("id") or name, name)
            for said in [name, *entry["name"].get("synonyms", [])]:
                table.setdefault(tuple(words(said)), value)
    declared: dict[str, tuple[tuple[str, str], ...]] = {}
    samples: list[_Sample] = []
    exact: dict[tuple[str, ...], str] = {}
    intents = model.get("intents", [])
    for intent in intents:
        declared[intent["name"]] = tuple((slot["name"], slot["type"]) for slot in intent.get("slots", []))
    # The model's own samples first: where one repeats a built-in's phrase, the model's
    # intent wins, as it does on a device.
    phrases = [(intent["name"], text) for intent in intents for text in intent.get("samples", [])]
    phrases += [(intent["name"], text) for intent in intents for text in BUILT_IN_PHRASES.get(intent["name"], ())]
    for name, text in phrases:
        slots = declared[name]
        sample = _compile_sample(name, text, dict(slots))
        if not sample.elements:
            continue
        samples.append(sample)
        if all(kind == "w" for kind, *_ in sample.elements):
            exact.setdefault(tuple(word for _, word in sample.elements), name)
    longest = {slot_type: max((len(key) for key in table), default=1)
               for slot_type, table in values.items()}
    slot_samples = {(intent["name"], slot["name"]): tuple(
        _compile_sample(intent["name"], text, dict(declared[intent["name"]])) for text in slot["samples"])
        for intent in intents for slot in intent.get("slots", []) if slot.get("samples")}
    return _Compiled(tuple(words(model.get("invocationName", ""))), tuple(samples),
                     exact, declared, values, longest, slot_samples)


# --- matching -----------------------------------------------------------------------


@dataclass(frozen=True)
class Filled:
    """One slot filled from the text."""

    name: str
    value: str                 # what was heard ("left hand", or "45" for a number)
    slot_type: str
    id: str | None = None      # the resolved value id (custom types), None if no match
    resolved: str | None = None  # the resolved value's name


@dataclass(frozen=True)
class Understood:
    """What Alexa would send for the text: an intent and its slots, or a launch."""

    intent: str | None         # None: only the skill's name was said ("open leg cramp helper")
    slots: tuple[Filled, ...] = ()
    declared: tuple[tuple[str, str], ...] = ()
    similarity: float = 0.0

    def slot(self, name: str) -> Filled | None:
        return next((filled for filled in self.slots if filled.name == name), None)

    def request(self) -> dict[str, Any]:
        """The IntentRequest Alexa would send: every declared slot, filled or not."""
        slots = {name: slot(name) for name, _ in self.declared}
        for filled in self.slots:
            slots[filled.name] = slot(filled.name, filled.value, slot_type=filled.slot_type,
                                      resolved=(filled.id, filled.resolved or filled.id) if filled.id else None)
        return intent_request(self.intent or FALLBACK, slots)

    def describe(self) -> str:
        """A short line for the terminal: ``RelieveCrampIntent leg=left (0.83)``."""
        if self.intent is None:
            return "LaunchRequest"
        slots = "".join(f" {filled.name}={filled.id or filled.value}"
                        + ("" if filled.id or filled.slot_type.startswith("AMAZON.") else "?")
                        for filled in self.slots)
        return f"{self.intent}{slots}"


# How people say which half of the day a time is in, after the time, and the half it
# means: "three a.m.", "3 pm", and Amazon's own example "four in the morning" ("04:00").
# "at night" is the evening up to eleven, and the small hours after midnight.
_HALVES: dict[tuple[str, ...], str] = {
    ("a", "m"): "a", ("am",): "a", ("p", "m"): "p", ("pm",): "p",
    ("in", "the", "morning"): "a", ("in", "the", "afternoon"): "p", ("in", "the", "evening"): "p",
    ("at", "night"): "night", ("tonight",): "night", ("at", "nite"): "night",
}
# Times with a name of their own.
_NAMED = {("midnight",): "00:00", ("twelve", "midnight"): "00:00", ("12", "midnight"): "00:00",
          ("noon",): "12:00", ("midday",): "12:00", ("twelve", "noon"): "12:00", ("12", "noon"): "12:00"}


def time_of_day(tokens: tuple[str, ...]) -> str | None:
    """Words for a time of day as AMAZON.TIME writes it, 24-hour "hh:mm" and nothing
    more (Amazon's slot type reference: "four in the morning" -> "04:00", "two p m" ->
    "14:00"): "nine thirty" -> "09:30", "nine thirty p m" -> "21:30", "ten o'clock" ->
    "10:00", "nine oh five" -> "09:05", "three a.m." / "3 am" / "3 a. m." -> "03:00",
    "midnight" -> "00:00". An hour said without a.m. or p.m. comes as it was said
    ("three" -> "03:00"), so "three" and "three a.m." are the same value. None if the
    words are not a time ("two three")."""
    words = [word for word in tokens if word not in ("o'clock", "oclock")]
    if tuple(words) in _NAMED:
        return _NAMED[tuple(words)]
    half = None
    for said, meant in _HALVES.items():
        if len(words) > len(said) and tuple(words[-len(said):]) == said:
            half, words = meant, words[:-len(said)]
            break
    if not words or len(words) > 3:
        return None
    hour: int | None
    minute: int | None
    if words[0] in ("half", "quarter") and len(words) > 1:  # "half past ten", "quarter to eleven", "half nine"
        relation = words[1] if words[1] in ("past", "after", "to") else None
        hour = number(words[2:] if relation else words[1:])
        minute = 30 if words[0] == "half" else 15
        if hour is None or not 1 <= hour <= 12 or (relation is None and words[0] == "quarter"):
            return None
        if relation == "to":
            hour, minute = (hour - 1) or 12, 60 - minute
    elif len(words) == 1 and ":" in words[0]:
        hour_text, _, minute_text = words[0].partition(":")
        hour, minute = _number_or_none(hour_text), _number_or_none(minute_text)
    elif len(words) > 1 and words[1] in ("oh", "o"):  # "nine oh five"
        hour, minute = number(words[:1]), number(words[2:])
        minute = minute if minute is not None and 1 <= minute <= 9 else None
    else:  # "nine", "nine thirty"; "two three" is no time: a minute under ten is said "oh three"
        hour = number(words[:1])
        minute = number(words[1:]) if len(words) > 1 else 0
        minute = None if minute is None or (len(words) > 1 and minute < 10) else minute
    if hour is None or minute is None or not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    if half == "night":
        half = "p" if 5 <= hour <= 11 else "a"
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _number_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _capture(model: _Compiled, slot_type: str,
             span: tuple[str, ...]) -> tuple[float, str, str | None, str | None] | None:
    """(cost, value heard, value id, value name) for a slot catching these words,
    or None if it cannot catch them."""
    if slot_type == "AMAZON.TIME":
        heard_time = time_of_day(span)
        return (0.0, heard_time, None, None) if heard_time is not None else None
    if slot_type == "AMAZON.NUMBER":
        value = number(span)
        return (0.0, str(value), None, None) if value is not None else None
    table = model.values.get(slot_type, {})
    if span in table:
        return 0.0, " ".join(span), table[span].id, table[span].name
    if len(span) <= MAX_UNRESOLVED_WORDS and not slot_type.startswith("AMAZON."):
        return UNRESOLVED_PER_WORD * len(span), " ".join(span), None, None
    return None


def _align(model: _Compiled, sample: _Sample, heard: tuple[str, ...],
           budget: float) -> tuple[float, tuple[Filled, ...]] | None:
    """The cheapest alignment of a sample with the words heard: (cost, slots), or
    None when it cannot cost less than ``budget``."""
    elements, n = sample.elements, len(heard)
    inf = float("inf")
    said = set(heard)
    # floor[i]: the least the elements from i on can still cost, a word of the sample
    # that was not said costing at least a near substitution.
    floor = [0.0] * (len(elements) + 1)
    for i in range(len(elements) - 1, -1, -1):
        floor[i] = floor[i + 1] + (NEAR if elements[i][0] == "w" and elements[i][1] not in said else 0.0)
    # cost[i][j]: first i elements against first j words; back[i][j]: how we got there.
    cost = [[inf] * (n + 1) for _ in range(len(elements) + 1)]
    back: list[list[tuple[int, int, Filled | None] | None]] = [[None] * (n + 1) for _ in range(len(elements) + 1)]
    cost[0][0] = 0.0
    for i in range(len(elements) + 1):
        if min(cost[i]) + floor[i] >= budget:
            return None  # a row is only reached from the row before it: nothing here can get under budget
        for j in range(n + 1):
            here = cost[i][j]
            if here == inf or here + floor[i] >= budget:
                continue
            if j < n and here + INSERT < cost[i][j + 1]:
                cost[i][j + 1], back[i][j + 1] = here + INSERT, (i, j, None)
            if i == len(elements):
                continue
            element = elements[i]
            if element[0] == "w":
                if here + DELETE < cost[i + 1][j]:
                    cost[i + 1][j], back[i + 1][j] = here + DELETE, (i, j, None)
                if j < n:
                    step = here + _substitution(element[1], heard[j])
                    if step < cost[i + 1][j + 1]:
                        cost[i + 1][j + 1], back[i + 1][j + 1] = step, (i, j, None)
                continue
            _, name, slot_type = element
            if here + SKIP_SLOT < cost[i + 1][j]:
                cost[i + 1][j], back[i + 1][j] = here + SKIP_SLOT, (i, j, None)
            widest = MAX_NUMBER_WORDS if slot_type in ("AMAZON.NUMBER", "AMAZON.TIME") else max(
                model.longest.get(slot_type, 1), MAX_UNRESOLVED_WORDS)
            for end in range(j + 1, min(n, j + widest) + 1):
                captured = _capture(model, slot_type, heard[j:end])
                if captured is None:
                    continue
                extra, value, value_id, value_name = captured
                if here + extra < cost[i + 1][end]:
                    cost[i + 1][end] = here + extra
                    back[i + 1][end] = (i, j, Filled(name, value, slot_type, value_id, value_name))
    total = cost[len(elements)][n]
    if total >= budget:
        return None
    slots: list[Filled] = []
    i, j = len(elements), n
    while (i, j) != (0, 0):
        came_from = back[i][j]
        assert came_from is not None  # every reachable cell records how it was reached
        i, j, filled = came_from
        if filled is not None:
            slots.append(filled)
    return total, tuple(reversed(slots))


def strip_invocation(heard: list[str], invocation: tuple[str, ...]) -> tuple[list[str], bool]:
    """Drop "ask leg cramp helper to" from the front; say whether it was there."""
    size = len(invocation)
    if not size:
        return heard, False
    start = 1 if heard[:1] and heard[0] in LAUNCH_VERBS else 0
    if tuple(heard[start:start + size]) != invocation:
        return heard, False
    rest = heard[start + size:]
    if rest[:1] and rest[0] in CONNECTING and len(rest) > 1:
        rest = rest[1:]
    return rest, True


#: What a red flag in the words may replace: anything but an answer at least as urgent
#: (a question about the warning signs keeps its answer for a clot's signs).
KEPT = {"EmergencyIntent": {"EmergencyIntent", "EmergencyNumberIntent"},
        "CrisisIntent": {"EmergencyIntent", "CrisisIntent", "EmergencyNumberIntent"},
        "PregnancyWarningIntent": {"EmergencyIntent", "CrisisIntent", "PregnancyWarningIntent",
                                   "EmergencyNumberIntent"},
        "ClotSignsIntent": SAFETY_INTENTS | {"EmergencyNumberIntent"},
        "MedicineIntent": SAFETY_INTENTS | {"EmergencyNumberIntent", "MedicineIntent", "SupplementsIntent"}}


@lru_cache(maxsize=4096)
def understand(text: str, locale: str = DEFAULT_LOCALE, eliciting: tuple[str, str] | None = None) -> Understood:
    """The intent (with slots) Alexa would most likely send for this text; while the
    skill elicits ``eliciting`` (intent, slot), with that slot's samples as well.

    Someone with no Echo talks to the skill here, so a red flag in the typed words wins
    over the best sample, whatever else was said ("I think my waters broke, is that a
    cramp?"), as the dialogue already judges the words a slot caught. (The learned
    stand-in for Alexa's NLU in the tests has no such net: it measures the models.)"""
    understood = _matched(text, locale, eliciting)
    safety_intent = RED_FLAG_INTENTS.get(symptoms.judge(text) or "")
    declared = compiled(locale).declared
    exact = understood.similarity >= 1.0  # a sample of the model itself: the model has the last word
    if safety_intent and not exact and understood.intent not in KEPT[safety_intent] and safety_intent in declared:
        return Understood(safety_intent, (), declared[safety_intent], understood.similarity)
    return understood


def _matched(text: str, locale: str, eliciting: tuple[str, str] | None) -> Understood:
    """The best sample's intent and slots for the text, or AMAZON.FallbackIntent."""
    model = compiled(locale)
    heard_list, invoked = strip_invocation(words(text), model.invocation)
    heard = tuple(heard_list)
    if not heard:
        return Understood(None if invoked else FALLBACK, similarity=1.0 if invoked else 0.0)
    if heard in model.exact:
        intent = model.exact[heard]
        return Understood(intent, (), model.declared.get(intent, ()), 1.0)
    candidates = model.samples + model.slot_samples.get(eliciting or ("", ""), ())
    # The best is the most similar sample, the first of equals in model order. Samples
    # sharing most words with what was heard are tried first: the best so far bounds
    # the search, so a good one found early spares aligning most of the rest.
    said = frozenset(heard)
    shared = [len(said & sample.words) for sample in candidates]
    best: tuple[float, int, tuple[Filled, ...]] | None = None
    for index in sorted(range(len(candidates)), key=lambda index: -shared[index]):
        sample = candidates[index]
        if best is not None and best[0] >= 1 - 1e-9 and (index > best[1] or shared[index] < len(sample.words)):
            continue  # only an equal (every word of it said) earlier in the model can replace a perfect match
        size = max(len(sample.elements), len(heard))
        # Only an alignment at least as good as the best so far (and good enough) is of use.
        budget = (1 - MIN_SIMILARITY) * size if best is None else min(
            (1 - MIN_SIMILARITY) * size, (1 - best[0]) * size)
        if max(len(sample.elements) - len(heard), sample.least_cost(said, shared[index])) >= budget + 1e-9:
            continue  # too many words on one side or the other would go missing
        aligned = _align(model, sample, heard, budget + 1e-9)
        if aligned is None:
            continue
        similarity = 1 - aligned[0] / size
        if best is None or similarity > best[0] + 1e-9 or (similarity > best[0] - 1e-9 and index < best[1]):
            best = (similarity, index, aligned[1])
    if best is None or best[0] < MIN_SIMILARITY:
        return Understood(FALLBACK, (), model.declared.get(FALLBACK, ()),
                          best[0] if best else 0.0)
    similarity, index, slots = best
    intent = candidates[index].intent
    return Understood(intent, slots, model.declared.get(intent, ()), similarity)
