"""``leg-cramp-helper validate`` finds each kind of defect certification or the ASK
tools would reject, in a copy of the models and manifest, and passes the real ones."""

from __future__ import annotations

import json
import shutil
from argparse import Namespace
from pathlib import Path

import pytest

from skill.alexa import handlers
from skill.cli import main
from skill.devtools import validate
from skill.devtools.validate import models as model_rules
from skill.devtools.validate import responses

ROOT = Path(__file__).resolve().parents[2]

MODEL = "interaction_models/en-US.json"
MANIFEST = "skill.json"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the checkout's models and manifest, to break."""
    shutil.copytree(ROOT / "interaction_models", tmp_path / "interaction_models")
    shutil.copy(ROOT / "skill.json", tmp_path / "skill.json")
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    return tmp_path


def edit(project: Path, name: str, change) -> None:
    path = project / name
    document = json.loads(path.read_text("utf-8"))
    change(document)
    path.write_text(json.dumps(document, indent=2), "utf-8")


def language(document: dict) -> dict:
    return document["interactionModel"]["languageModel"]


def intent(document: dict, name: str) -> dict:
    return next(i for i in language(document)["intents"] if i["name"] == name)


def en_us(document: dict) -> dict:
    return document["manifest"]["publishingInformation"]["locales"]["en-US"]


def run(project: Path, capsys) -> tuple[int, list[str]]:
    """The command as a user runs it (the response walk has its own tests)."""
    status = validate.validate_command(Namespace(dir=str(project), responses=False))
    return status, capsys.readouterr().out.splitlines()


def assert_reports(project: Path, capsys, file: str, *fragments: str) -> None:
    status, lines = run(project, capsys)
    assert status == 1, lines
    assert any(line.startswith(f"{file}: ") and all(f in line for f in fragments)
               for line in lines), "\n".join(lines)
    assert "problem" in lines[-1]


# --- the real files -------------------------------------------------------------

def test_the_real_project_passes_every_check_including_every_response(capsys):
    assert main(["validate", str(ROOT)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("no problems")
    assert all(": warning: " in line for line in out[:-1]), out


def test_a_clean_copy_passes_with_no_warnings(project, capsys):
    status, lines = run(project, capsys)
    assert status == 0, lines
    assert lines == [f"no problems, 0 warnings in {project.resolve()}: models, manifest and every response pass"]


def test_an_icon_left_out_is_a_warning(project, capsys):
    edit(project, MANIFEST, lambda d: en_us(d).pop("smallIconUri"))
    status, lines = run(project, capsys)
    assert status == 0
    assert lines[:-1] == ["skill.json: warning: publishingInformation.locales.en-US.smallIconUri: "
                          "certification needs a 108 x 108 PNG icon; add it before submitting"]


@pytest.mark.parametrize("change, fragment", [
    (lambda project: (project / "assets/images/en-US_largeIconUri.png").write_bytes(
        (project / "assets/images/en-US_smallIconUri.png").read_bytes()),
     "is 108 x 108; certification needs 512 x 512"),
    (lambda project: (project / "assets/images/en-US_largeIconUri.png").unlink(), "is not in the project"),
    (lambda project: (project / "assets/images/en-US_largeIconUri.png").write_bytes(b"GIF89a"), "is not a PNG"),
    (lambda project: edit(project, MANIFEST, lambda d: en_us(d).update(largeIconUri="http://x.test/i.png")),
     "must be an https URL or file://assets/images/"),
    (lambda project: edit(project, MANIFEST, lambda d: en_us(d).update(largeIconUri="file://../icon.png")),
     "must be an https URL or file://assets/images/"),
])
def test_a_wrong_icon_is_a_problem(project, capsys, change, fragment):
    change(project)
    assert_reports(project, capsys, MANIFEST, "publishingInformation.locales.en-US.largeIconUri", fragment)


# --- the interaction model --------------------------------------------------------

@pytest.mark.parametrize("name, fragments", [
    ("alexa leg cramp helper", ("launch or wake word 'alexa'",)),
    ("open leg cramp helper", ("launch or wake word 'open'",)),
    ("cramps", ("at least two words",)),
    ("Leg Cramp Helper", ("must be lower case",)),
    ("leg cramp helper 2", ("only letters, spaces, apostrophes and periods",)),
])
def test_invocation_name_rules(project, capsys, name, fragments):
    edit(project, MODEL, lambda d: language(d).update(invocationName=name))
    assert_reports(project, capsys, MODEL, "invocation name", *fragments)


def test_a_sample_in_two_intents(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "WhyCrampsIntent")["samples"].append("help my cramp"))
    assert_reports(project, capsys, MODEL, "'help my cramp' is in two intents",
                   "RelieveCrampIntent", "WhyCrampsIntent")


def test_an_undefined_slot_type(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "RelieveCrampIntent")["slots"][0].update(type="LEG_SIDES"))
    assert_reports(project, capsys, MODEL, "slot leg has the type LEG_SIDES, which is not defined")


def test_an_empty_slot_type(project, capsys):
    def empty(document):
        next(t for t in language(document)["types"] if t["name"] == "SYMPTOM")["values"] = []
    edit(project, MODEL, empty)
    assert_reports(project, capsys, MODEL, "slot type SYMPTOM has no values")


def test_a_sample_naming_an_undeclared_slot(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "WhyCrampsIntent")["samples"].append("why does my {leg} leg cramp"))
    assert_reports(project, capsys, MODEL, "uses the slot {leg}, which the intent does not declare")


def test_a_sample_with_digits(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "RelieveCrampIntent")["samples"].append("stretch for 30 seconds"))
    assert_reports(project, capsys, MODEL, "spell numbers out")


@pytest.mark.parametrize("built_in", model_rules.REQUIRED_BUILT_INS)
def test_a_missing_required_built_in(project, capsys, built_in):
    edit(project, MODEL, lambda d: language(d)["intents"].remove(intent(d, built_in)))
    assert_reports(project, capsys, MODEL, f"required built-in intent {built_in} is missing")


def test_a_sample_over_two_hundred_characters(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "WhyCrampsIntent")["samples"].append("why " * 51))
    assert_reports(project, capsys, MODEL, "is over 200 characters")


def test_a_sample_naming_a_slot_twice(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "RelieveCrampIntent")["samples"].append("my {leg} and {leg} legs"))
    assert_reports(project, capsys, MODEL, "uses the slot {leg} twice")


def test_a_slot_value_over_a_hundred_and_forty_characters(project, capsys):
    def long_value(document):
        next(t for t in language(document)["types"] if t["name"] == "LEG_SIDE")["values"][0]["name"][
            "synonyms"].append("left " * 30)
    edit(project, MODEL, long_value)
    assert_reports(project, capsys, MODEL, "slot type LEG_SIDE", "is over 140 characters")


# --- what the samples let through --------------------------------------------------

def test_a_catch_all_sample_that_lets_a_cramp_reach_the_warning_answer(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "WarningSignsIntent")["samples"].append("my calf is {symptom}"))
    assert_reports(project, capsys, MODEL, "WarningSignsIntent: sample 'my calf is {symptom}' is a catch-all",
                   "'my calf is cramping'")


def test_a_safety_sample_that_names_no_red_flag(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "ClotSignsIntent")["samples"].append("my calf aches"))
    assert_reports(project, capsys, MODEL, "ClotSignsIntent: sample 'my calf aches' names no red flag")


def test_an_extension_sample_alexa_hears_as_another_built_in(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "AMAZON.NextIntent")["samples"].append("say that again"))
    assert_reports(project, capsys, MODEL, "AMAZON.NextIntent: extension sample 'say that again' is how "
                                           "Alexa hears AMAZON.RepeatIntent")


def test_an_extension_sample_that_names_a_red_flag(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "AMAZON.YesIntent")["samples"].append("much better but swollen"))
    assert_reports(project, capsys, MODEL, "extension sample 'much better but swollen' names a red flag")


def test_pain_in_a_stop_sample(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "AMAZON.StopIntent")["samples"].append("the ache won't stop"))
    assert_reports(project, capsys, MODEL, "AMAZON.StopIntent: sample \"the ache won't stop\" speaks of pain")


# --- the code and the model ---------------------------------------------------------

def test_an_intent_the_code_does_not_handle(project, capsys):
    edit(project, MODEL, lambda d: language(d)["intents"].append(
        {"name": "TellAJokeIntent", "slots": [], "samples": ["tell me a joke"]}))
    assert_reports(project, capsys, MODEL, "TellAJokeIntent is in the model but the code does not handle it")


def test_an_intent_the_code_handles_is_missing(project, capsys):
    edit(project, MODEL, lambda d: language(d)["intents"].remove(intent(d, "PreventCrampsIntent")))
    assert_reports(project, capsys, MODEL, "the code handles PreventCrampsIntent but the model has no such intent")


def test_a_slot_the_code_never_reads(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "BedtimeStretchIntent")["slots"].append(
        {"name": "minutes", "type": "AMAZON.NUMBER"}))
    assert_reports(project, capsys, MODEL, "BedtimeStretchIntent: the code never reads the slot minutes")


def test_a_slot_of_a_type_the_code_cannot_read(project, capsys):
    edit(project, MODEL, lambda d: intent(d, "RelieveCrampIntent")["slots"][1].update(type="AMAZON.DURATION"))
    assert_reports(project, capsys, MODEL, "slot seconds must have the type AMAZON.NUMBER")


def test_a_symptom_id_the_code_does_not_know(project, capsys):
    def typo(document):
        symptoms = next(t for t in language(document)["types"] if t["name"] == "SYMPTOM")
        next(v for v in symptoms["values"] if v["id"] == "chest_pain")["id"] = "chestpain"
    edit(project, MODEL, typo)
    assert_reports(project, capsys, MODEL, "slot symptom (SYMPTOM) has the value ids", "chestpain")


# --- the manifest -----------------------------------------------------------------------

def test_an_example_phrase_that_is_not_a_sample(project, capsys):
    edit(project, "skill.json", lambda d: en_us(d)["examplePhrases"].append(
        "Alexa, ask leg cramp helper to sing me a song"))
    assert_reports(project, capsys, "skill.json", "en-US", "'sing me a song' is not a sample utterance")


def test_an_example_phrase_without_the_invocation_name(project, capsys):
    edit(project, "skill.json", lambda d: en_us(d)["examplePhrases"].__setitem__(0, "Alexa, help my cramp"))
    assert_reports(project, capsys, "skill.json", "must start \"Alexa, open leg cramp helper\"")


def test_an_example_phrase_may_fill_a_slot(project, capsys):
    edit(project, "skill.json", lambda d: en_us(d)["examplePhrases"].__setitem__(
        2, "Alexa, ask leg cramp helper to help my left leg"))
    status, lines = run(project, capsys)
    assert status == 0, lines


def test_a_description_without_the_disclaimer(project, capsys):
    def drop(document):
        entry = en_us(document)
        entry["description"] = entry["description"].replace("not a substitute for professional", "no")
    edit(project, "skill.json", drop)
    assert_reports(project, capsys, "skill.json", "en-US.description must say it is",
                   "not a substitute for professional medical advice")


def test_privacy_questions_unanswered(project, capsys):
    edit(project, "skill.json", lambda d: d["manifest"].pop("privacyAndCompliance"))
    assert_reports(project, capsys, "skill.json", "privacy and compliance questions are unanswered")


def test_one_privacy_question_unanswered(project, capsys):
    edit(project, "skill.json", lambda d: d["manifest"]["privacyAndCompliance"].pop("usesPersonalInfo"))
    assert_reports(project, capsys, "skill.json", "privacyAndCompliance.usesPersonalInfo is unanswered")


def test_a_model_locale_missing_from_the_manifest(project, capsys):
    edit(project, "skill.json", lambda d: d["manifest"]["publishingInformation"]["locales"].pop("en-IN"))
    assert_reports(project, capsys, "skill.json", "has no en-IN, though there is a model for it")


def test_a_broken_file_is_a_problem_not_a_crash(project, capsys):
    (project / MODEL).write_text("{ not json", "utf-8")
    assert_reports(project, capsys, MODEL, "not valid JSON")


# --- every response ----------------------------------------------------------------------

def models() -> dict:
    return {"en-US": json.loads((ROOT / MODEL).read_text("utf-8"))}


def test_the_walk_covers_every_question_routine_round_and_pause():
    labels = " | ".join(label for label, _ in responses.dialogue_states())
    from skill.conversation.state import QUESTIONS
    for question in QUESTIONS:
        assert f"asked {question}" in labels
    for routine in ("relief", "bedtime"):
        for round_ in range(4):
            assert f"{routine} routine, round {round_}, asked" in labels
            assert f"{routine} routine, round {round_}, paused" in labels


def test_the_walk_finds_an_open_session_without_a_reprompt(monkeypatch):
    build = handlers.build_response

    def no_reprompt(rendered):
        response = build(rendered)
        response.reprompt = None
        return response

    monkeypatch.setattr(handlers, "build_response", no_reprompt)
    found = responses.response_walk(models(), ["en-US"])
    assert any("the session stays open without a reprompt" in problem for _, problem in found)
    assert any(where.startswith("en-US, LaunchRequest, a fresh session") for where, _ in found)


def test_the_walk_reports_an_error_the_skill_hid_behind_its_apology(monkeypatch):
    from skill.conversation import policy

    def broken(state, turn):
        raise RuntimeError("boom")

    monkeypatch.setitem(policy.INTENTS, "WhyCrampsIntent", broken)
    found = responses.response_walk(models(), ["en-US"])
    assert any(where.startswith("en-US, WhyCrampsIntent") and "logged an error" in problem and "boom" in problem
               for where, problem in found)


def test_the_walk_judges_each_screen_it_is_sent(monkeypatch):
    from skill.speech import screens

    monkeypatch.setattr(screens, "MAX_DATASOURCES_BYTES", 100)
    found = responses.response_walk(models(), ["en-US"])
    assert any(where.startswith("en-US, RelieveCrampIntent") and "RenderDocument: the data source is" in problem
               for where, problem in found)
    assert any(where.startswith("en-US, PreventCrampsIntent") for where, _ in found)


# --- events and permissions ----------------------------------------------------------------

def test_no_event_subscriptions_means_disabling_would_not_delete(project, capsys):
    edit(project, "skill.json", lambda d: d["manifest"].pop("events"))
    assert_reports(project, capsys, "skill.json", "manifest.events is missing", "SKILL_DISABLED")


def test_skill_disabled_must_be_among_the_subscriptions(project, capsys):
    edit(project, "skill.json", lambda d: d["manifest"]["events"].update(
        subscriptions=[{"eventName": "SKILL_ENABLED"}]))
    assert_reports(project, capsys, "skill.json", "must include SKILL_DISABLED")


def test_an_unknown_event_is_reported(project, capsys):
    edit(project, "skill.json", lambda d: d["manifest"]["events"]["subscriptions"].append(
        {"eventName": "SKILL_DELETED"}))
    assert_reports(project, capsys, "skill.json", "'SKILL_DELETED' is not a skill event")


def test_an_events_endpoint_alexa_cannot_call_is_reported(project, capsys):
    edit(project, "skill.json", lambda d: d["manifest"]["events"].update(endpoint={"uri": "http://example.org"}))
    assert_reports(project, capsys, "skill.json", "events.endpoint.uri must be a Lambda ARN or an https URL")


def test_a_permission_the_skill_never_asks_for_is_reported(project, capsys):
    edit(project, "skill.json", lambda d: d["manifest"].update(
        permissions=[{"name": "alexa::profile:email:read"}]))
    assert_reports(project, capsys, "skill.json", "lists alexa::profile:email:read, which the skill never asks for")


def test_the_permissions_the_code_asks_for_must_be_listed(project, capsys, monkeypatch):
    from skill.alexa import handlers, reminders

    monkeypatch.setattr(handlers, "reminders", reminders, raising=False)  # as when reminders are wired
    edit(project, "skill.json", lambda d: d["manifest"].pop("permissions", None))
    assert_reports(project, capsys, "skill.json", f"must list {reminders.READWRITE}")


# --- the reminder conversation: the dialog model and the voice consent -------------------

def reminder_time_slot(document: dict) -> dict:
    return next(s for s in intent(document, "BedtimeReminderIntent")["slots"] if s["name"] == "time")


def test_the_models_let_alexa_hear_a_bare_time_while_the_skill_asks_for_one():
    from skill.conversation.bedtime_reminder import ELICITED
    from skill.speech.words import LOCALES, words_for

    for locale in LOCALES:
        document = json.loads((ROOT / f"interaction_models/{locale}.json").read_text("utf-8"))
        assert ELICITED in model_rules.elicitable(document)
        assert "{time}" in reminder_time_slot(document)["samples"]
        [prompt] = document["interactionModel"]["prompts"]
        # the prompt ASK requires is the skill's own question, in the locale's words
        assert prompt["variations"][0]["value"] == words_for(locale).question("ask.reminder_time").speech
        assert document["interactionModel"]["dialog"]["delegationStrategy"] == "SKILL_RESPONSE"


def test_an_elicited_slot_without_samples(project, capsys):
    edit(project, MODEL, lambda d: reminder_time_slot(d).pop("samples"))
    assert_reports(project, capsys, MODEL, "BedtimeReminderIntent.time is elicited but has no slot samples")
    _, lines = run(project, capsys)
    assert any("the code elicits BedtimeReminderIntent.time" in line for line in lines)


def test_a_prompt_the_dialog_names_but_nobody_defines(project, capsys):
    edit(project, MODEL, lambda d: d["interactionModel"].update(prompts=[]))
    assert_reports(project, capsys, MODEL, "elicitation prompt 'Elicit.Slot.BedtimeReminderIntent.time' "
                                           "is not defined")


def test_a_dialog_intent_the_language_model_lacks(project, capsys):
    edit(project, MODEL, lambda d: d["interactionModel"]["dialog"]["intents"][0].update(name="GoneIntent"))
    assert_reports(project, capsys, MODEL, "dialog: intent 'GoneIntent' is not in the language model")


def test_a_slot_sample_that_does_not_hold_its_slot(project, capsys):
    edit(project, MODEL, lambda d: reminder_time_slot(d)["samples"].append("around then"))
    assert_reports(project, capsys, MODEL, "slot sample 'around then' does not hold {time}")


def consent_walk(manifest: dict | None = None, model: dict | None = None) -> list[tuple[str, str]]:
    from skill.devtools.validate.consent import consent_walk

    manifest = manifest or json.loads((ROOT / MANIFEST).read_text("utf-8"))
    model = model or json.loads((ROOT / MODEL).read_text("utf-8"))
    return consent_walk(manifest, {"en-US": model}, ["en-US"])


def test_the_consent_flow_passes_as_it_is():
    assert consent_walk() == []


def test_the_consent_walk_finds_a_scope_the_manifest_does_not_declare():
    manifest = json.loads((ROOT / MANIFEST).read_text("utf-8"))
    manifest["manifest"]["permissions"] = []
    [(where, problem)] = consent_walk(manifest)
    assert "without the permission" in where and "do not declare" in problem


def test_the_consent_walk_checks_the_documented_type_and_version(monkeypatch):
    from skill.devtools.validate import consent

    monkeypatch.setattr(consent, "ASK_FOR_VERSION", "3")
    assert any("AskFor payload must be" in problem for _, problem in consent_walk())


def test_the_consent_walk_finds_a_time_asked_for_without_an_elicitable_slot():
    model = json.loads((ROOT / MODEL).read_text("utf-8"))
    del model["interactionModel"]["dialog"]
    assert any("not one the model can elicit" in problem for _, problem in consent_walk(model=model))


def test_the_consent_walk_finds_a_denial_answered_without_the_card(monkeypatch):
    real = handlers.ReminderHandler.handle

    def no_card(self, handler_input):
        response = real(self, handler_input)
        response.card = None
        return response

    monkeypatch.setattr(handlers.ReminderHandler, "handle", no_card)
    found = consent_walk()
    assert {where.split(", ")[1] for where, problem in found if "card" in problem} == {
        "Connections.Response DENIED", "Connections.Response NOT_ANSWERED"}


def test_a_slot_sample_that_is_another_intents_sample(project, capsys):
    edit(project, MODEL, lambda d: reminder_time_slot(d)["samples"].append("make it {time}"))
    assert_reports(project, capsys, MODEL, "slot sample 'make it {time}' of BedtimeReminderIntent "
                                           "is also a sample of ChangeBedtimeReminderIntent")
