"""``leg-cramp-helper models [--check] [DIR]``: write the five interaction models from one source.

``interaction_models/<locale>.json`` are standard ASK models, the product's
contract, and they are generated: never edit them by hand. Their source is
``interaction_models/source/``:

- ``base.json``: the invocation name, every intent (its slots and samples) and
  every slot type, in words every English locale shares;
- ``<locale>.json``: what one locale adds (its own words and phrases), and
  ``"extends"``: another locale whose additions it takes first (en-CA takes
  en-US's). A locale file adds samples to intents and synonyms to slot values;
  it cannot remove anything, so every locale hears at least the base phrasing.

An intent may say which of its slots the skill asks for on its own (``"elicited"``:
slot -> the content key of the question that asks, and the slot's samples). The model
then gets those slot samples (what people answer, "nine thirty", which Alexa hears as
the slot only while the skill elicits it) and a dialog model in which the skill
answers every turn itself (``SKILL_RESPONSE``), with the question's own words as the
elicitation prompt that ASK requires.

Concepts: ``"concepts"`` in base.json names small inventories of what a person can
mean ("body_part": calf, foot, toes, the back of the knee...; "someone": my wife, she,
the missus...), and a locale file may add its own words to a concept. A sample names
a concept as ``<body_part>``, and stands for each of its entries, so a model is grown
from a few sentence forms times the concepts, not from long phrase lists. An entry
may itself hold choices, and name other concepts.

A sample in the source may hold choices, written ``(a|b|c)``; an empty choice
makes a part optional: ``(help|ease) my (left |)cramp`` is four samples. Choices
nest. Expanded samples keep the source's order, and a sample that repeats an
earlier one of the same intent is dropped, so overlapping patterns are harmless.

``leg-cramp-helper models`` rewrites the five files; ``--check`` only says which
are out of step with the source (exit status 1), as the tests and ``validate`` do.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from skill.conversation.policy import SAFETY_INTENTS
from skill.devtools.model_files import not_a_project
from skill.speech.words import LOCALES

MODELS_DIR = "interaction_models"
SOURCE_DIR = "interaction_models/source"
BASE = "base"


class SourceError(ValueError):
    """The source is malformed: a message that names the file and the problem."""


# --- choices in a sample: "(a|b)" ---------------------------------------------------


def _parse(text: str, start: int, depth: int) -> tuple[list[list[Any]], int]:
    """Alternatives (each a sequence of strings and nested alternatives) from ``start``,
    up to the ``)`` that closes this group (or the end, at depth 0)."""
    alternatives: list[list[Any]] = [[]]
    literal = ""
    i = start
    while i < len(text):
        char = text[i]
        if char == "(":
            if literal:
                alternatives[-1].append(literal)
                literal = ""
            group, i = _parse(text, i + 1, depth + 1)
            alternatives[-1].append(group)
            continue
        if char == ")":
            if depth == 0:
                raise SourceError(f"sample {text!r} has a ')' without its '('")
            if literal:
                alternatives[-1].append(literal)
            return alternatives, i + 1
        if char == "|":
            if depth == 0:
                raise SourceError(f"sample {text!r} has a '|' outside (...)")
            if literal:
                alternatives[-1].append(literal)
                literal = ""
            alternatives.append([])
        else:
            literal += char
        i += 1
    if depth:
        raise SourceError(f"sample {text!r} has a '(' without its ')'")
    if literal:
        alternatives[-1].append(literal)
    return alternatives, i


def _spell(sequence: list[Any]) -> list[str]:
    results = [""]
    for part in sequence:
        if isinstance(part, str):
            results = [done + part for done in results]
        else:
            results = [done + choice for done in results
                       for alternative in part for choice in _spell(alternative)]
    return results


def _widest(alternatives: list[list[Any]]) -> int:
    """The most alternatives any choice in the pattern offers."""
    return max([len(alternatives)] + [_widest(part) for sequence in alternatives
                                      for part in sequence if not isinstance(part, str)])


def _shortest(alternatives: list[list[Any]]) -> int:
    lengths = [len(_pick(alternatives, 0, 0, plainest=True, only=index)) for index in range(len(alternatives))]
    return lengths.index(min(lengths))


def _pick(alternatives: list[list[Any]], i: int, salt: int, *, plainest: bool = False,
          widest: int = 0, only: int | None = None) -> str:
    """One sample of the choice: alternative ``i`` (moved on by ``salt``); with
    ``plainest``, a choice narrower than ``widest`` takes its shortest alternative."""
    if only is not None:
        index = only
    elif plainest and len(alternatives) < widest:
        index = _shortest(alternatives)
    else:
        index = (i + salt) % len(alternatives)
    text = ""
    for number, part in enumerate(alternatives[index]):
        text += part if isinstance(part, str) else _pick(part, i, salt * 31 + number + 1,
                                                         plainest=plainest, widest=widest)
    return text


def cover(pattern: str) -> list[str]:
    """Samples in which every alternative of every choice appears at least once: first
    each alternative of the widest choice in the plainest sentence (every narrower
    choice at its shortest, so an optional part left out), then the choices moving on
    at their own pace so that they meet in varied company. As many samples as the
    widest choice has alternatives, times VARIETY, not their product. A pattern whose
    choices multiply past MAX_SPELLED is grown this way: variety, not restatement."""
    alternatives, _ = _parse(pattern, 0, 0)
    widest = _widest(alternatives)
    seen: dict[str, None] = {}
    for i in range(widest * VARIETY):
        tidy = " ".join(_pick(alternatives, i, 0, plainest=i < widest, widest=widest).split())
        if tidy:
            seen.setdefault(tidy, None)
    return list(seen)


def expand(pattern: str) -> list[str]:
    """Every sample a source pattern stands for, spaces tidied, in order, without repeats."""
    alternatives, _ = _parse(pattern, 0, 0)
    seen: dict[str, None] = {}
    for alternative in alternatives:
        for text in _spell(alternative):
            tidy = " ".join(text.split())
            if tidy:
                seen.setdefault(tidy, None)
    return list(seen)


_CONCEPT = re.compile(r"<([a-z_]+)>")
#: How many times over ``cover`` walks the widest choice of a pattern: each alternative
#: then appears in several different sentences, not in every one.
VARIETY = 4
#: A pattern with at most this many samples is spelled out in full; a safety intent's
#: up to SAFETY_SPELLED, since a red flag must be heard in every wording it is taught.
MAX_SPELLED = 200
SAFETY_SPELLED = 600


def with_concepts(pattern: str, concepts: dict[str, list[str]], where: str, depth: int = 0) -> str:
    """The pattern with each ``<concept>`` written out as the choice of its entries."""
    def choice(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in concepts:
            raise SourceError(f"{where}: {pattern!r} names the concept <{name}>, which no source defines")
        if depth > 4:
            raise SourceError(f"{where}: the concept <{name}> names itself, through others")
        return "(" + "|".join(with_concepts(entry, concepts, where, depth + 1) for entry in concepts[name]) + ")"
    return _CONCEPT.sub(choice, pattern)


def _shape(sample: str) -> str:
    """What makes two samples the same to ASK: case and spacing do not count."""
    return " ".join(sample.lower().split())


# --- reading the source --------------------------------------------------------------


def _read(source: Path, name: str) -> dict[str, Any]:
    path = source / f"{name}.json"
    try:
        document = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as missing:
        raise SourceError(f"{path}: missing") from missing
    except json.JSONDecodeError as error:
        raise SourceError(f"{path}: not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise SourceError(f"{path}: must be a JSON object")
    return document


def _chain(source: Path, locale: str) -> list[dict[str, Any]]:
    """The locale's addition files, the one it extends first."""
    chain: list[dict[str, Any]] = []
    name: str | None = locale
    while name is not None:
        if any(document["_name"] == name for document in chain):
            raise SourceError(f"{source}: locale files extend each other in a circle at {name}")
        document = {**_read(source, name), "_name": name}
        chain.insert(0, document)
        extends = document.get("extends")
        name = extends if isinstance(extends, str) else None
    return chain


def _samples(entry: dict[str, Any], where: str) -> list[str]:
    patterns = entry.get("samples", [])
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise SourceError(f"{where}: samples must be a list of strings")
    return patterns


def build(locale: str, source: Path) -> dict[str, Any]:
    """The ASK interaction model (a JSON document) of one locale, from the source."""
    base = _read(source, BASE)
    intents: dict[str, dict[str, Any]] = {}
    for entry in base.get("intents", []):
        name = entry["name"]
        if name in intents:
            raise SourceError(f"{source}/{BASE}.json: intent {name} is declared twice")
        intents[name] = {"slots": dict(entry.get("slots", {})),
                         "patterns": _samples(entry, f"{BASE}.json {name}"),
                         "elicited": _elicited(entry, f"{BASE}.json {name}")}
    types: dict[str, list[dict[str, Any]]] = {
        entry["name"]: [{"id": value["id"], "value": value["value"],
                         "synonyms": list(value.get("synonyms", []))} for value in entry["values"]]
        for entry in base.get("types", [])}
    concepts: dict[str, list[str]] = {}
    for concept_source in [base, *_chain(source, locale)]:
        for name, entries in (concept_source.get("concepts") or {}).items():
            if not (isinstance(entries, list) and all(isinstance(entry, str) for entry in entries)):
                raise SourceError(f"{source}: the concept {name} must be a list of strings")
            concepts[name] = concepts.get(name, []) + [entry for entry in entries
                                                       if entry not in concepts.get(name, [])]
    for addition in _chain(source, locale):
        where = f"{addition['_name']}.json"
        for name, entry in (addition.get("intents") or {}).items():
            if name not in intents:
                raise SourceError(f"{where}: adds samples to {name}, which base.json does not declare")
            intents[name]["patterns"] = intents[name]["patterns"] + _samples(entry, f"{where} {name}")
        for type_name, values in (addition.get("synonyms") or {}).items():
            if type_name not in types:
                raise SourceError(f"{where}: adds synonyms to the slot type {type_name}, "
                                  "which base.json does not define")
            for value_id, synonyms in values.items():
                value = next((v for v in types[type_name] if v["id"] == value_id), None)
                if value is None:
                    raise SourceError(f"{where}: {type_name} has no value with the id {value_id!r}")
                value["synonyms"] += [s for s in synonyms if s not in value["synonyms"]]
    built: list[dict[str, Any]] = []
    for name, entry in intents.items():
        intent: dict[str, Any] = {"name": name}
        if not name.startswith("AMAZON.") or entry["slots"]:
            intent["slots"] = [{"name": slot, "type": slot_type} for slot, slot_type in entry["slots"].items()]
            for slot in intent["slots"]:
                if slot["name"] in entry["elicited"]:
                    slot["samples"] = _expanded(entry["elicited"][slot["name"]]["samples"])
        intent["samples"] = _expanded(entry["patterns"], concepts, name)
        built.append(intent)
    language: dict[str, Any] = {
        "invocationName": base["invocationName"],
        "intents": built,
        "types": [{"name": type_name,
                   "values": [{"id": value["id"],
                               "name": {"value": value["value"], "synonyms": value["synonyms"]}}
                              for value in values]}
                  for type_name, values in types.items()],
    }
    document: dict[str, Any] = {"languageModel": language}
    dialog_intents, prompts = _dialog(intents, locale)
    if dialog_intents:
        document["dialog"] = {"delegationStrategy": "SKILL_RESPONSE", "intents": dialog_intents}
        document["prompts"] = prompts
    return {"interactionModel": document}


def _expanded(patterns: list[str], concepts: dict[str, list[str]] | None = None, where: str = "") -> list[str]:
    """Each pattern's samples, without repeats: spelled out in full when they are few,
    else covered (``cover``), so that no pattern floods the model with restatements."""
    samples: dict[str, str] = {}
    for pattern in patterns:
        written = with_concepts(pattern, concepts or {}, where)
        spelled = expand(written)
        most = SAFETY_SPELLED if where in SAFETY_INTENTS else MAX_SPELLED
        for sample in spelled if len(spelled) <= most else cover(written):
            samples.setdefault(_shape(sample), sample)
    return list(samples.values())


def _elicited(entry: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    elicited = entry.get("elicited", {})
    if not isinstance(elicited, dict):
        raise SourceError(f"{where}: elicited must map slot names to a prompt and samples")
    for slot, spec in elicited.items():
        if slot not in entry.get("slots", {}):
            raise SourceError(f"{where}: elicits {slot}, which is not one of its slots")
        if not (isinstance(spec, dict) and isinstance(spec.get("prompt"), str)):
            raise SourceError(f"{where}: elicited {slot} needs a prompt (a content key)")
        if not any("{" + slot + "}" in sample for sample in _samples(spec, f"{where} {slot}")):
            raise SourceError(f"{where}: no sample of elicited {slot} holds {{{slot}}}")
    return elicited


def prompt_id(intent: str, slot: str) -> str:
    return f"Elicit.Slot.{intent}.{slot}"


def _dialog(intents: dict[str, dict[str, Any]], locale: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The dialog model and its prompts: for each intent with elicited slots, those
    slots (required, so that ASK takes their samples) and the skill answering every
    turn itself. The prompt is the words the skill asks with."""
    from skill.speech.words import words_for

    words = words_for(locale)
    dialog_intents: list[dict[str, Any]] = []
    prompts: list[dict[str, Any]] = []
    for name, entry in intents.items():
        if not entry["elicited"]:
            continue
        slots = []
        for slot, spec in entry["elicited"].items():
            try:
                asked = words.question(spec["prompt"])
            except KeyError as missing:
                raise SourceError(f"{BASE}.json {name}: the prompt {spec['prompt']} is not a question "
                                  "in the skill's words") from missing
            slots.append({"name": slot, "type": entry["slots"][slot], "elicitationRequired": True,
                          "confirmationRequired": False, "prompts": {"elicitation": prompt_id(name, slot)}})
            prompts.append({"id": prompt_id(name, slot),
                            "variations": [{"type": "PlainText", "value": asked.speech}]})
        dialog_intents.append({"name": name, "delegationStrategy": "SKILL_RESPONSE",
                               "confirmationRequired": False, "prompts": {}, "slots": slots})
    return dialog_intents, prompts


def text(document: dict[str, Any]) -> str:
    """A model as the committed file holds it."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- the command ------------------------------------------------------------------------


def generated(root: Path) -> dict[str, str]:
    """Each locale's model file text, as the source in the checkout at ``root`` makes it."""
    source = root / SOURCE_DIR
    files = tuple(sorted((path.name, path.read_text("utf-8")) for path in source.glob("*.json")))
    return dict(_generated(source, files))


@lru_cache(maxsize=4)  # validate asks on every run; the same source makes the same models
def _generated(source: Path, files: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {locale: text(build(locale, source)) for locale in LOCALES}


def stale(root: Path) -> list[str]:
    """The model files under ``root`` that differ from what the source makes."""
    out_of_step = []
    for locale, wanted in generated(root).items():
        path = root / MODELS_DIR / f"{locale}.json"
        if not path.exists() or path.read_text("utf-8") != wanted:
            out_of_step.append(f"{MODELS_DIR}/{locale}.json")
    return out_of_step


def write(root: Path) -> list[str]:
    """Rewrite the model files under ``root`` from the source; the ones that changed."""
    changed = []
    for locale, wanted in generated(root).items():
        path = root / MODELS_DIR / f"{locale}.json"
        if not path.exists() or path.read_text("utf-8") != wanted:
            path.write_text(wanted, "utf-8")
            changed.append(f"{MODELS_DIR}/{locale}.json")
    return changed


def models_command(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    elsewhere = not_a_project(root, "models")
    if elsewhere:
        print(f"leg-cramp-helper models: {elsewhere}", file=sys.stderr)
        return 2
    try:
        if args.check:
            behind = stale(root)
            for name in behind:
                print(f"{name}: not what {SOURCE_DIR}/ generates; run `leg-cramp-helper models`")
            if not behind:
                print(f"the {len(LOCALES)} interaction models are in step with {SOURCE_DIR}/")
            return 1 if behind else 0
        changed = write(root)
    except SourceError as problem:
        print(f"leg-cramp-helper models: {problem}")
        return 1
    print(f"wrote {', '.join(changed)}" if changed else "the interaction models were already up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skill.devtools.models", description=__doc__.split("\n")[0])
    parser.add_argument("dir", nargs="?", default=".", help="a checkout of the project (default: here)")
    parser.add_argument("--check", action="store_true", help="only report models out of step with the source")
    return models_command(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
