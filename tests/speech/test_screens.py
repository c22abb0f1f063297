"""The Echo Show: what each screen shows, in step with what is said.

Conversations run through the Lambda entry point from real envelopes of devices
with screens (the APL interface and the Viewport context). Every document the
skill can send is checked by Amazon's own APL validator, apl-suggester, run
through node from tests/apl (``npm ci`` there installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skill.devtools import envelopes
from skill.speech import screens
from skill.speech.ssml import spoken_seconds
from skill.speech.words import LOCALES
from tests.support.conversation import DAY, NIGHT, TOKEN, Conversation

APL_CHECK = Path(__file__).resolve().parents[1] / "apl"
SCREENS = tuple(envelopes.SCREENS)
NIGHT_STARTS_AT = "2026-01-10T03:00:00Z"  # any time: the terminal and tests have no API token


def _documents_sent(said) -> list[dict]:
    return [d for d in said.directives if d["type"] == screens.RENDER_DOCUMENT]


def _counted_ms(screen: dict) -> int:
    return sum(beat["ms"] for beat in screen["beats"] if beat["counting"])


# --- what a conversation sends ------------------------------------------------

def _walks(locale: str, screen: str):
    """Every kind of response that carries a screen, from one device."""
    chat = Conversation(locale, screen)
    yield chat.say("RelieveCrampIntent")
    yield chat.say("AMAZON.NoIntent")
    yield chat.say("AMAZON.NoIntent")
    chat = Conversation(locale, screen)
    yield chat.say("RelieveCrampIntent", leg="left", seconds=60)
    chat = Conversation(locale, screen)
    yield chat.say("RelieveCrampIntent", leg="right", seconds=10)
    chat = Conversation(locale, screen)
    yield chat.say("BedtimeStretchIntent")
    yield chat.say("AMAZON.YesIntent")
    yield chat.say("AMAZON.YesIntent")
    yield Conversation(locale, screen).say("PreventCrampsIntent")
    for symptom in (None, "swollen", "chest pain", "purple spots"):
        yield Conversation(locale, screen).say("WarningSignsIntent", symptom=symptom)


@cache
def every_directive() -> dict[str, dict]:
    """Each distinct RenderDocument the skill sends, by a name that says where from."""
    found: dict[str, dict] = {}
    seen: set[str] = set()
    for locale in LOCALES:
        for screen in SCREENS:
            for number, said in enumerate(_walks(locale, screen)):
                for directive in _documents_sent(said):
                    text = json.dumps(directive, sort_keys=True)
                    if text not in seen:
                        seen.add(text)
                        found[f"{locale} {screen} #{number} {directive['token']}"] = directive
    return found


def apl_suggester(directives: dict[str, dict]) -> dict[str, list]:
    """apl-suggester's findings on each directive's document and data source."""
    missing = ("node is not installed" if shutil.which("node") is None
               else "apl-suggester is not installed (npm ci --prefix tests/apl)"
               if not (APL_CHECK / "node_modules" / "apl-suggester").is_dir() else None)
    if missing:
        if os.environ.get("LEG_CRAMP_REQUIRE_APL"):  # CI installs node and runs it
            pytest.fail(f"{missing}, and LEG_CRAMP_REQUIRE_APL is set")
        pytest.skip(f"{missing}: Amazon's APL validator cannot run here; CI runs it")
    batch = [{"name": name, "document": d["document"], "datasources": d.get("datasources")}
             for name, d in directives.items()]
    result = subprocess.run(["node", "check.js"], cwd=APL_CHECK, input=json.dumps(batch),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_document_the_skill_sends_passes_apl_suggester_with_no_findings():
    directives = every_directive()
    assert {d["token"] for d in directives.values()} == {screens.TOKEN_PREFIX + kind for kind in screens.KINDS}
    findings = apl_suggester(directives)
    assert set(findings) == set(directives)
    assert {name: found for name, found in findings.items() if found} == {}


def test_apl_suggester_does_find_a_mistake():
    document = json.loads(json.dumps(screens.document("round")))
    document["mainTemplate"]["items"][0]["item"]["colour"] = "#ffffff"
    document["graphics"]["heelFirstStretch"]["items"][0]["strokeWidth"] = "thick"
    findings = apl_suggester({"broken": {"document": document, "datasources": {}}})["broken"]
    assert any("colour" in finding["errorMessage"] for finding in findings), findings
    assert any("/graphics/heelFirstStretch/items/0" in finding["path"] for finding in findings), findings


def test_the_documents_import_nothing_and_fetch_nothing():
    for kind in screens.KINDS:
        document = screens.document(kind)
        assert "import" not in document and "extensions" not in document, kind
        assert "http" not in json.dumps(document), kind


# --- the round: cue, picture, side and a countdown in step with the hold --------

@pytest.mark.parametrize("seconds", [10, 25, 30, 45, 60])
def test_the_countdown_lasts_exactly_the_spoken_hold(seconds):
    said = Conversation(screen="echo-show-8").say("RelieveCrampIntent", seconds=seconds)
    screen = said.screen
    assert _counted_ms(screen) == seconds * 1000 == spoken_seconds(said.ssml) * 1000
    counting = [beat["left"] for beat in screen["beats"] if beat["counting"]]
    assert counting == list(range(seconds, 0, -1))  # one second a number, down to 1
    assert screen["beats"][-1]["left"] == 0 and screen["beats"][-1]["cue"] == "Slowly let go"


def test_a_bedtime_round_counts_each_leg_and_shows_the_switch():
    chat = Conversation(screen="echo-show-10")
    said = chat.say("BedtimeStretchIntent")
    screen = said.screen
    assert _counted_ms(screen) == 2 * 20 * 1000 == spoken_seconds(said.ssml) * 1000
    sides = [beat["side"] for beat in screen["beats"]]
    assert sides[0] == "Left leg" and sides[-1] == "Right leg"
    assert "Switch legs" in sides
    assert sides.index("Switch legs") < sides.index("Right leg")
    left_leg = [beat["left"] for beat in screen["beats"] if beat["counting"] and beat["side"] == "Left leg"]
    assert left_leg == list(range(20, 0, -1))
    assert [b["action"] for b in screen["buttons"]] == ["next", "stop"]


def test_a_relief_round_shows_the_cue_the_leg_and_the_hold_before_it_counts():
    said = Conversation(screen="echo-show-5").say("RelieveCrampIntent", leg="left")
    screen = said.screen
    assert (screen["cue"], screen["side"], screen["left"]) == ("Heel away. Toes back.", "Left leg", 30)
    assert "Hold" in {beat["cue"] for beat in screen["beats"] if beat["counting"]}
    assert [b["label"] for b in screen["buttons"]] == ["It's easing", "Next round", "Stop"]
    assert Conversation(screen="echo-show-5").say("RelieveCrampIntent").screen["side"] == "The cramping leg"


def test_the_spoken_time_before_the_hold_is_a_beat_as_long_as_its_words():
    screen = Conversation(screen="echo-show-5").say("RelieveCrampIntent").screen
    spoken = [beat for beat in screen["beats"] if not beat["counting"]]
    assert all(300 < beat["ms"] < 15000 for beat in spoken)


def test_the_round_document_draws_the_stretch_and_runs_the_countdown_from_the_beats():
    document = screens.document("round")
    graphic = document["graphics"]["heelFirstStretch"]
    assert graphic["type"] == "AVG" and len(graphic["items"]) >= 5
    text = json.dumps(document)
    assert '"source": "heelFirstStretch"' in text
    countdown = document["mainTemplate"]["items"][0]["item"]["onMount"][0]
    assert countdown["type"] == "Sequential" and countdown["data"] == "${payload.screen.beats}"
    assert {"type": "Idle", "delay": "${data.ms}"} in countdown["commands"]
    assert countdown["screenLock"] is True  # the screen stays on for the whole hold
    assert document["version"] == "2023.3"  # the first APL whose Sequential takes data


@given(arguments=st.lists(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                                       lambda inner: st.lists(inner, max_size=3)
                                       | st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                          max_size=4))
@settings(max_examples=60, deadline=None, derandomize=True)
def test_any_touch_the_skill_is_sent_gets_an_answer_alexa_accepts(arguments):
    chat = Conversation(screen="echo-show-5")
    chat.say("RelieveCrampIntent")
    said = chat.send(envelopes.user_event(*arguments))  # check() in send judges the response
    expected = {"next": "Let's go again.", "stop": "Okay. Take care.", "easing": "Good."}
    first = arguments[0] if arguments and isinstance(arguments[0], str) else None
    assert said.speech.startswith(expected.get(first or "", "Sorry, I can't help with that."))


# --- devices -----------------------------------------------------------------

def test_a_device_without_a_screen_gets_no_apl():
    chat = Conversation()
    for said in (chat.open(), chat.say("AMAZON.YesIntent"), chat.say("AMAZON.NoIntent"),
                 chat.say("AMAZON.NoIntent"), chat.say("AMAZON.NoIntent")):
        assert "directives" not in said.response
    for said in (Conversation().say("BedtimeStretchIntent"), Conversation().say("PreventCrampsIntent"),
                 Conversation().say("WarningSignsIntent", symptom="chest pain")):
        assert "directives" not in said.response


@pytest.mark.parametrize("screen", SCREENS)
def test_every_echo_show_and_the_echo_spot_get_the_same_document(screen):
    said = Conversation(screen=screen).say("RelieveCrampIntent")
    (directive,) = _documents_sent(said)
    assert directive["document"] == screens.document("round")


def test_the_documents_size_themselves_to_the_viewport_and_mind_the_round_spot():
    for kind in screens.KINDS:
        text = json.dumps(screens.document(kind))
        assert "viewport.shape == 'round'" in text, kind
        sizes = [value for key, value in _walk(screens.document(kind))
                 if key in ("fontSize", "width", "height") and isinstance(value, str | int)]
        assert sizes and all(isinstance(v, str) and ("vw" in v or "vh" in v or "%" in v or v == "${textSize}")
                             for v in sizes), kind  # textSize: the Buttons layout's, given in vh


def _walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "graphics":
                continue  # a drawing's own coordinates are scaled to its box
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def test_answers_without_a_screen_of_their_own_send_none(alexa_api):
    chat = Conversation(screen="echo-show-8", at=DAY, token=TOKEN)
    assert chat.open().screen is None  # the day greeting
    assert chat.say("WhyCrampsIntent").screen is None
    assert chat.say("AMAZON.HelpIntent").screen is None


# --- tips and warnings ---------------------------------------------------------

def test_the_tips_screen_is_short_readable_lines():
    screen = Conversation(screen="echo-show-5").say("PreventCrampsIntent").screen
    assert screen["kind"] == "tips" and screen["title"] == "Help prevent cramps"
    assert len(screen["lines"]) == 5 and all(len(line) <= 80 for line in screen["lines"])
    assert any("banana" in line for line in screen["lines"])


@pytest.mark.parametrize(("locale", "call"), [("en-US", "Call 911"), ("en-CA", "Call 911"),
                                              ("en-GB", "Call 999"), ("en-AU", "Call 000"),
                                              ("en-IN", "Call 112")])
def test_the_warning_screen_shows_the_local_emergency_number_large(locale, call):
    screen = Conversation(locale, "echo-show-15").say("WarningSignsIntent").screen
    assert screen["kind"] == "warning" and screen["call"] == call
    assert "Chest pain" in screen["reason"]
    assert len(screen["lines"]) == 2
    if locale == "en-GB":
        assert "NHS 111" in screen["lines"][0] and "GP or midwife" in screen["lines"][0]
    document = screens.document("warning")
    call_text = next(v for k, v in _walk(document) if k == "items" and any(
        isinstance(i, dict) and i.get("text") == "${payload.screen.call}" for i in v))
    size = next(i for i in call_text if i.get("text") == "${payload.screen.call}")["fontSize"]
    assert "18vh" in size and "22vh" in size  # the largest text on the screen


def test_a_symptom_the_skill_cannot_place_shows_the_warning_signs():
    said = Conversation(screen="echo-show-8").say("WarningSignsIntent", symptom="purple spots")
    assert said.speech.startswith("I'm not sure what that means")
    assert said.screen["kind"] == "warning" and len(said.screen["lines"]) == 2


def test_chest_pain_shows_the_emergency_alone_and_stops_a_round_on_screen():
    chat = Conversation(screen="echo-show-8")
    assert chat.say("RelieveCrampIntent").screen["kind"] == "round"
    screen = chat.say("WarningSignsIntent", symptom="chest pain").screen
    assert screen["kind"] == "warning" and screen["lines"] == []


# --- themes ----------------------------------------------------------------------

def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_night_theme_is_dark_dim_and_low_contrast_and_the_day_theme_is_light():
    night, day = screens.themes()["night"], screens.themes()["day"]
    assert set(night) == set(day)
    assert night["background"] == "#000000"
    assert max(_luminance(colour) for colour in night.values()) < 0.16  # nothing bright (white is 1)
    for name in ("text", "countdown", "buttonText"):
        contrast = (_luminance(night[name]) + 0.05) / (_luminance(night["background"]) + 0.05)
        assert 3 <= contrast < 4.5, (name, contrast)  # large text stays readable, with no glare
    assert _luminance(day["background"]) > 0.8


def test_the_documents_take_every_colour_from_the_theme():
    for kind in screens.KINDS:
        colours = [value for key, value in _walk(screens.document(kind))
                   if "color" in key.lower() or key in ("fill", "stroke")]
        assert colours and all(value.startswith("${") for value in colours), kind


def test_night_and_day_come_from_the_time_of_day_the_session_began_with(alexa_api):
    chat = Conversation(screen="echo-show-5", at=DAY, token=TOKEN)
    assert "why cramps happen" in chat.open().speech  # the day greeting
    assert chat.say("PreventCrampsIntent").screen["theme"] == "day"
    assert Conversation(screen="echo-show-5", at=NIGHT, token=TOKEN).say("PreventCrampsIntent").screen["theme"] \
        == "night"
    day = screens.screen_for((screens.Said("prevent.answer", "..."),), _words(), night=False)
    assert day.data["theme"] == "day" and day.data["colors"] == screens.themes()["day"]


def _words():
    from skill.speech.words import words_for

    return words_for("en-US")


# --- size --------------------------------------------------------------------------

def test_every_directive_stays_within_the_size_limits():
    for name, directive in every_directive().items():
        problems = screens.directive_problems({"response": {"directives": [directive]}})
        assert problems == [], name
    biggest = max(len(json.dumps(d["datasources"])) for d in every_directive().values())
    assert biggest < screens.MAX_DATASOURCES_BYTES


def test_an_oversized_directive_is_reported():
    directive = {"type": screens.RENDER_DOCUMENT, "token": "t", "document": {"type": "APL", "version": "2024.2"},
                 "datasources": {"screen": {"beats": ["x" * 1000] * 30}}}
    assert screens.directive_problems({"response": {"directives": [directive]}}) == [
        f"RenderDocument: the data source is {len(json.dumps(directive['datasources'], separators=(',', ':')))} "
        f"bytes; the skill keeps it within {screens.MAX_DATASOURCES_BYTES}"]


# --- touch -------------------------------------------------------------------------

def test_next_round_and_its_easing_drive_the_relief_stretch_like_the_spoken_words():
    spoken, touched = Conversation(), Conversation(screen="echo-show-5")
    spoken.say("RelieveCrampIntent", leg="left")
    touched.say("RelieveCrampIntent", leg="left")
    assert touched.touch("next").speech == spoken.say("AMAZON.NextIntent").speech
    assert touched.attributes["round"] == 2 and touched.attributes["asked"] == "easing"
    assert touched.transcript[-1][1].screen["side"] == "Left leg"
    eased = touched.touch("easing")
    assert eased.speech == spoken.say("AMAZON.YesIntent").speech and eased.ended
    assert "Rub the muscle gently" in eased.speech


def test_next_round_walks_the_bedtime_stretch_to_its_end():
    chat = Conversation(screen="echo-spot")
    chat.say("BedtimeStretchIntent")
    assert chat.touch("next").screen["kind"] == "round"
    last = chat.touch("next")
    assert "That's both legs, 3 times each" in last.speech and last.ended
    assert last.screen["buttons"] == []  # nothing left to press


def test_the_last_relief_round_offers_no_next_round():
    chat = Conversation(screen="echo-show-5")
    chat.say("RelieveCrampIntent")
    assert [b["action"] for b in chat.touch("next").screen["buttons"]] == ["easing", "next", "stop"]
    last = chat.touch("next")
    assert last.speech.startswith("Let's try one last time.")
    assert [b["action"] for b in last.screen["buttons"]] == ["easing", "stop"]


def test_stop_ends_at_once_as_stop_does():
    chat = Conversation(screen="echo-show-8")
    chat.say("RelieveCrampIntent")
    stopped = chat.touch("stop")
    assert stopped.speech == "Okay. Take care." and stopped.ended


def test_a_touch_after_the_session_ended_or_an_unknown_one_gets_a_way_on():
    chat = Conversation(screen="echo-show-8")
    assert chat.touch("next").speech.startswith("There's no stretch going on right now.")
    assert not chat.transcript[-1][1].ended
    odd = Conversation(screen="echo-show-8")
    for arguments in (("bogus",), (), ({"a": 1},), (["next"],)):
        said = odd.send(envelopes.user_event(*arguments))
        assert said.speech.startswith("Sorry, I can't help with that."), arguments
    easing = Conversation(screen="echo-show-8").touch("easing")  # nothing under way to ease
    assert easing.speech.startswith("Sorry, I can't help with that.")


def test_the_manifest_declares_apl_for_every_screen_the_skill_draws_for():
    manifest = json.loads((Path(__file__).resolve().parents[2] / "skill.json").read_text("utf-8"))
    (apl,) = [i for i in manifest["manifest"]["apis"]["custom"]["interfaces"] if i["type"] == "ALEXA_PRESENTATION_APL"]
    for name, size in envelopes.SCREENS.items():
        assert any(v["shape"] == size["shape"] and v["minWidth"] <= size["pixelWidth"] <= v["maxWidth"]
                   and v["minHeight"] <= size["pixelHeight"] <= v["maxHeight"]
                   for v in apl["supportedViewports"]), name
