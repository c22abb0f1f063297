"""``leg-cramp-helper say`` and ``chat``, driven as a person would: the real command
as a subprocess, typed lines in, text out. In-process tests then look at the
request envelopes the terminal sends, to check the session is carried exactly
as Alexa carries it.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from skill.alexa import build as app
from skill.devtools import terminal as talk
from skill.speech import ssml
from skill.speech.words import words_for

ROOT = Path(__file__).resolve().parents[2]

ENDED = "(the skill ended the session)"
IF_SILENT = "(if you say nothing)"


def run(*args: str, stdin: str = "", cwd: Path = ROOT, env: dict | None = None,
        python: str = sys.executable) -> subprocess.CompletedProcess:
    """The command line, as a person runs it from the checkout."""
    return subprocess.run([python, "-m", "skill.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)


def say(key: str, locale: str = "en-GB", **params) -> str:
    """A sentence from the content files, as the terminal prints it."""
    return words_for(locale).text(key, **params)


def asked(key: str, locale: str = "en-GB"):
    return words_for(locale).question("ask." + key)


# --- chat, as a person types it ---------------------------------------------------

def test_chat_walks_through_the_relief_stretch_to_the_aftercare():
    done = run("chat", "--locale", "en-GB", stdin="no\nno\nno\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    lines = out.splitlines()
    # The launch, at night (the device's clock says 3 a.m. unless --time says otherwise):
    # straight into the first round.
    assert lines[2].startswith("Alexa: " + say("relief.first") + " Straighten your leg")  # first use
    assert lines[2].endswith(asked("easing").speech)
    assert lines[3].strip() == f"{IF_SILENT} {asked('easing').reprompt}"
    # Three rounds of the stretch, each asking whether it is easing, with the pauses shown.
    assert out.count(asked("easing").speech) == 3
    assert out.count("[10 s] 10. [10 s] 20. [10 s]") == 3
    assert out.count(say("relief.again")) == 1 and out.count(say("relief.last")) == 1
    # After the third "no", the aftercare, and the session's end said plainly.
    aftercare = "Alexa: " + say("relief.not_eased")
    assert aftercare in lines
    assert lines[lines.index(aftercare) + 1] == ENDED
    assert [line for line in lines if line.startswith("you> ")] == ["you> no", "you> no", "you> no"]
    assert "(heard as AMAZON.NoIntent)" in done.stderr


def test_chat_why_then_tips_then_the_bedtime_stretch():
    done = run("chat", "--locale", "en-US", stdin="why do I get cramps\nyes\nyes\nstop\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Alexa: " + say("why.answer", "en-US") + " " + asked("prevention", "en-US").speech in out
    assert "Alexa: " + say("prevent.answer", "en-US") + " " + asked("bedtime", "en-US").speech in out
    assert say("bedtime.start", "en-US", rounds=3) in out
    assert "Now switch legs." in out and "[10 s] 10. [10 s]" in out
    assert out.splitlines()[-2:] == [ENDED, "(bye)"]
    assert "Alexa: " + say("goodbye", "en-US") in out


def test_chat_repeat_and_a_new_session_after_the_skill_ends():
    done = run("chat", stdin="Um, please say that again!\nstop\nwhy do I get cramps\n")
    out = done.stdout
    launch = out.splitlines()[2]
    assert launch.startswith("Alexa: " + say("relief.first", "en-US"))
    assert out.count(launch) == 2                              # said, then repeated
    assert ENDED in out
    assert '(new session, as if you said "Alexa, ask leg cramp helper why do I get cramps")' in out
    assert say("why.answer", "en-US") in out
    assert out.rstrip().endswith("(you left; the session ended)")  # end of input, session open


def test_chat_silence_plays_the_reprompt_then_alexa_closes_the_session():
    done = run("chat", stdin="\n\nwhy do I get cramps\n")
    lines = done.stdout.splitlines()
    reprompt = "Alexa: " + asked("easing", "en-US").reprompt
    assert lines[lines.index("you> ") + 1] == reprompt
    assert "(no answer: Alexa ended the session)" in lines
    assert "(new session" in done.stdout


def test_gibberish_in_chat_gets_the_fallback_and_the_question_again():
    done = run("chat", stdin="purple monkey dishwasher\n")
    assert "Alexa: " + say("fallback", "en-US") in done.stdout
    assert "(heard as AMAZON.FallbackIntent)" in done.stderr


# --- the reminder conversation, against the Alexa API stand-in chat starts ------------

HELD = "(the skill's reminders on the Alexa API stand-in now: "


def test_chat_walks_the_reminder_conversation_and_says_what_the_skill_created():
    done = run("chat", stdin="set a bedtime reminder\nnine thirty\nyes\nyes\ndo I have a reminder\n"
                             "change it to ten\nyes\ncancel my bedtime reminder\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "Alexa: " + asked("reminder_time", "en-US").speech in lines
    assert "(heard as BedtimeReminderIntent time=09:30)" in done.stderr  # a bare time, while asked for one
    said_back = lines.index("you> nine thirty") + 1  # the time is said back before anything is asked or set
    assert lines[said_back] == "Alexa: So that's 9:30 p.m. every night. " + asked("reminder_confirm", "en-US").speech
    consent_note = lines.index("you> yes") + 1
    assert lines[consent_note].startswith("(Alexa now asks, in its own words, whether Leg Cramp Helper may")
    assert "(Alexa sends the skill a Connections.Response: ACCEPTED)" in done.stderr
    assert "Alexa: Done. I'll remind you to stretch at 9:30 p.m. every night." in lines
    created = [line for line in lines if line.startswith(HELD)]
    assert len(created) == 3
    assert created[0].startswith(HELD + "every day at 21:30 (") and "for the bedtime stretch." in created[0]
    assert created[0].endswith("(en-US))")
    assert "Alexa: You have a bedtime stretch reminder at 9:30 p.m. every night." in lines
    assert created[1].startswith(HELD + "every day at 22:00 (")
    assert created[2] == HELD + "none)"


@pytest.mark.parametrize("answer, status", [("no", "DENIED"), ("", "NOT_ANSWERED")])
def test_chat_consent_refused_or_not_answered(answer, status):
    done = run("chat", stdin=f"remind me to stretch every night at nine\nyes\n{answer}\n")
    assert f"(Alexa sends the skill a Connections.Response: {status})" in done.stderr
    assert "Alexa: " + say("reminder.denied", "en-US") in done.stdout
    assert HELD not in done.stdout


def test_chat_offers_the_reminder_after_the_bedtime_stretch_once():
    bedtime = "bedtime stretch\nyes\nyes\n"
    done = run("chat", stdin=f"{bedtime}yes\nnine p m\nyes\nyes\n{bedtime}")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    offer = asked("reminder_offer", "en-US").speech
    assert out.count(offer) == 1
    assert "Alexa: " + asked("reminder_time", "en-US").speech in out
    assert HELD + "every day at 21:00 (" in out
    assert out.count(say("bedtime.done", "en-US", rounds=3)) == 2


def test_chat_at_another_time_of_day():
    done = run("chat", "--time", "14:00", stdin="")
    assert "Alexa: " + say("launch.day", "en-US") in done.stdout  # day: a question first, no stretch
    bad = run("chat", "--time", "25:00")
    assert bad.returncode == 2 and "'25:00' is not a time of day" in bad.stderr


# --- say ---------------------------------------------------------------------

def test_say_answers_one_utterance_as_a_one_shot():
    done = run("say", "why do I get cramps", "--locale", "en-GB")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        say("why.answer") + " " + asked("prevention").speech,
        f"{IF_SILENT} {asked('prevention').reprompt}",
    ]
    assert "(heard as WhyCrampsIntent)" in done.stderr


def test_say_starts_the_stretch_on_the_named_leg_with_the_hold_asked_for():
    done = run("say", "stretch my right calf for forty five seconds")
    assert say("relief.first", "en-US") in done.stdout  # the first use: the whole "not a doctor"
    assert "your right leg" in done.stdout
    assert "[10 s] 10. [10 s] 20. [10 s] 30. [10 s] 40. [5 s]" in done.stdout


def test_say_something_it_does_not_know_goes_to_fallback():
    done = run("say", "what's the weather in Paris")
    assert done.returncode == 0
    assert done.stdout.startswith(say("fallback", "en-US"))
    assert "(heard as AMAZON.FallbackIntent)" in done.stderr


def test_say_stop_ends_the_session():
    done = run("say", "stop", "--locale", "en-AU")
    assert done.stdout.splitlines() == [say("goodbye", "en-AU"), ENDED]


# --- the envelopes the terminal sends ---------------------------------------------

@pytest.fixture
def sent(monkeypatch):
    """Every request envelope sent to the skill, with the response it got."""
    exchanges: list[tuple[dict, dict]] = []
    real = app.answer

    def recording(skill, event, context=None):
        response = real(skill, event, context)
        exchanges.append((event, response))
        return response

    monkeypatch.setattr(app, "answer", recording)
    return exchanges


def chat(text: str | io.StringIO, locale: str = "en-US", wav: str | None = None):
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO(text) if isinstance(text, str) else text
    talk.chat_command(argparse.Namespace(locale=locale, wav=wav), stdin=stdin, out=out, err=err)
    return out.getvalue(), err.getvalue()


def test_say_a_reminder_time_is_said_back_and_nothing_is_set():
    # The yes (and then Alexa's consent question) is chat's: say is one answer.
    done = run("say", "remind me to stretch every night at nine thirty")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("So that's 9:30 p.m. every night. " + asked("reminder_confirm", "en-US").speech)
    assert HELD not in done.stdout


def test_the_session_is_carried_from_turn_to_turn_as_alexa_does(sent):
    chat("my left calf is cramping\nno\nyes\nwhy do I get cramps\n", locale="en-IN")
    requests = [event["request"] for event, _ in sent]
    assert [r["type"] for r in requests] == ["LaunchRequest"] + ["IntentRequest"] * 4 + ["SessionEndedRequest"]
    assert all(r["locale"] == "en-IN" for r in requests)
    sessions = [event["session"] for event, _ in sent]
    # One session until the skill ends it ("yes" it eased), then a new one.
    assert len({s["sessionId"] for s in sessions[:4]}) == 1
    assert sessions[4]["sessionId"] != sessions[0]["sessionId"]
    assert [s["new"] for s in sessions] == [True, False, False, False, True, False]
    assert sessions[0]["attributes"] == {} and sessions[4]["attributes"] == {}
    for (_, response), (event, _) in zip(sent[:3], sent[1:4], strict=True):
        assert event["session"]["attributes"] == response["sessionAttributes"]
    assert sessions[2]["attributes"]["leg"] == "left"
    assert requests[1]["intent"]["slots"]["leg"]["resolutions"]["resolutionsPerAuthority"][0][
        "values"][0]["value"]["id"] == "left"
    assert requests[-1]["reason"] == "USER_INITIATED"
    assert requests[0]["requestId"] != requests[1]["requestId"]


def test_ctrl_c_ends_the_open_session_politely(sent):
    class Interrupted(io.StringIO):
        def readline(self, *args):
            line = super().readline(*args)
            if not line:
                raise KeyboardInterrupt
            return line

    out, _ = chat(Interrupted("no\n"))
    assert sent[-1][0]["request"] == {**sent[-1][0]["request"], "type": "SessionEndedRequest",
                                      "reason": "USER_INITIATED"}
    assert out.rstrip().endswith("(you left; the session ended)")


def test_saying_the_skills_name_again_starts_it_afresh(sent):
    out, _ = chat("why do I get cramps\nopen leg cramp helper\n")
    types = [event["request"]["type"] for event, _ in sent]
    assert types == ["LaunchRequest", "IntentRequest", "SessionEndedRequest", "LaunchRequest",
                     "SessionEndedRequest"]
    assert sent[3][0]["session"]["new"] is True


def test_nothing_is_sent_after_the_skill_ended_the_session_and_input_ends(sent):
    out, _ = chat("stop\n")
    assert [event["request"]["type"] for event, _ in sent] == ["LaunchRequest", "IntentRequest"]
    assert out.rstrip().endswith("(bye)")


# --- speech as segments (skill/ssml.py) -------------------------------------------

def test_segments_give_text_and_pauses_in_order_with_adjacent_breaks_summed():
    built = ssml.speak(["Hold it & breathe.", ssml.Pause(25), "10.", ssml.Pause(0.5)])
    assert ssml.segments(built) == ["Hold it & breathe.", ssml.Pause(25), "10.", ssml.Pause(0.5)]
    assert ssml.to_text(built) == "Hold it & breathe. [25 s] 10. [0.5 s]"


def test_segments_read_nested_tags_in_speaking_order():
    marked = ('<speak><p>One <emphasis level="strong">two</emphasis> three</p>'
              '<break time="1s"/><break time="1500ms"/><s>four</s></speak>')
    assert ssml.segments(marked) == ["One", "two", "three", ssml.Pause(2.5), "four"]
    assert ssml.segments("<speak></speak>") == []


# --- --wav ---------------------------------------------------------------------

ESPEAK = shutil.which("espeak-ng")


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_a_hold_answer_as_a_wav_lasts_at_least_the_hold(tmp_path):
    done = run("say", "stretch my left calf for forty seconds", "--wav", str(tmp_path))
    assert done.returncode == 0, done.stderr
    written = list(tmp_path.glob("*.wav"))
    assert len(written) == 1
    assert f"(spoken into {written[0]}" in done.stdout
    seconds = talk.wav_seconds(written[0])
    assert seconds >= 40
    assert seconds < 40 + 60  # the words around the hold take well under a minute


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_chat_writes_one_wav_per_answer_in_order(tmp_path):
    out, err = chat("no\nstop\n", wav=str(tmp_path / "audio"))
    names = sorted(path.name for path in (tmp_path / "audio").iterdir())
    assert names == ["01-launch.wav", "02-no.wav", "03-stop.wav"]
    assert talk.wav_seconds(tmp_path / "audio" / "01-launch.wav") >= 30  # at night: the first round
    assert talk.wav_seconds(tmp_path / "audio" / "02-no.wav") >= 30
    assert out.count("(spoken into ") == 3


def test_without_espeak_ng_it_says_how_to_install_it_and_carries_on(tmp_path, monkeypatch):
    monkeypatch.setattr(talk.shutil, "which", lambda name: None)
    out, err = chat("why do I get cramps\n", wav=str(tmp_path / "audio"))
    assert err.count("apt-get install espeak-ng") == 1
    assert say("why.answer", "en-US") in out
    assert not (tmp_path / "audio").exists()


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_a_pause_is_exactly_its_length_of_silence_between_the_spoken_words(tmp_path):
    recorder = talk.Recorder(tmp_path, "en-GB", io.StringIO())
    before = recorder.write(ssml.speak(["Hold it."]), "before")
    after = recorder.write(ssml.speak(["Let go."]), "after")
    whole = recorder.write(ssml.speak(["Hold it.", ssml.Pause(30), "Let go."]), "whole")
    assert talk.wav_seconds(whole) == pytest.approx(
        talk.wav_seconds(before) + 30 + talk.wav_seconds(after), abs=0.01)


# --- installed, outside a checkout --------------------------------------------------

def _installed_layout(site: Path) -> None:
    """The files ``pip install .`` puts in site-packages: the package, its content, and
    the models as package data under skill/interaction_models (see pyproject.toml)."""
    shutil.copytree(ROOT / "skill", site / "skill", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "interaction_models", site / "skill" / "interaction_models")


def test_installed_the_models_travel_with_the_package(tmp_path):
    site = tmp_path / "site"
    _installed_layout(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = run("say", "Um, my left calf is cramping", "--locale", "en-GB", cwd=elsewhere, env=env)
    assert done.returncode == 0, done.stderr
    assert "your left leg" in done.stdout
    found = subprocess.run([sys.executable, "-c",
                            "from skill.devtools.model_files import model_file; print(model_file('en-GB'))"],
                           capture_output=True, text=True, cwd=elsewhere, env=env)
    assert Path(found.stdout.strip()) == site / "skill" / "interaction_models" / "en-GB.json"


@pytest.mark.skipif(not os.environ.get("LEG_CRAMP_HELPER_INSTALL_TEST"),
                    reason="a real pip install needs the network for its build backend; "
                           "set LEG_CRAMP_HELPER_INSTALL_TEST=1 to run it")
def test_an_editable_install_chats_as_an_installed_one_does(tmp_path):
    """``pip install -e .`` (of a copy of the checkout, in a throwaway venv): the
    models import as ``skill.interaction_models`` and ``chat`` answers from anywhere.
    (The wheel a user installs is tested offline, command by command, in
    tests/test_installed.py; this one needs PyPI for the venv's own dependencies.)"""
    source = tmp_path / "checkout"
    for name in ("skill", "interaction_models", "lambda"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "skill.json"):
        shutil.copy2(ROOT / name, source / name)
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)  # its own site-packages: nothing installed elsewhere shadows the finder
    python = environment / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", str(source)],
                   check=True, cwd=tmp_path, timeout=600)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    found = subprocess.run([str(python), "-c", "import skill.interaction_models as models; print(models.__file__)"],
                           capture_output=True, text=True, cwd=elsewhere, timeout=60)
    assert Path(found.stdout.strip()) == source / "interaction_models" / "__init__.py", found.stderr
    versions = subprocess.run([str(python), "-c", "import importlib.metadata, skill; "
                               "print(importlib.metadata.version('leg-cramp-helper'), skill.__version__)"],
                              capture_output=True, text=True, cwd=elsewhere, timeout=60)
    installed, stated = versions.stdout.split()
    assert installed == stated  # one version, stated in skill/__init__.py
    done = subprocess.run([str(environment / "bin" / "leg-cramp-helper"), "chat", "--locale", "en-GB"],
                          input="why do I get cramps\n", capture_output=True, text=True, cwd=elsewhere,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Alexa: " + say("why.answer") in done.stdout


def test_on_a_terminal_long_answers_wrap_without_splitting_a_pause(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(talk.shutil, "get_terminal_size", lambda: os.terminal_size((41, 24)))
    text = talk._wrapped("Alexa: " + "Hold it there. [10 s] 10. [10 s] 20. " * 6, talk.INDENT, Terminal())
    lines = text.splitlines()
    assert len(lines) > 3 and all(len(line) <= 40 for line in lines)
    assert text.count("[10 s]") == 12
    assert talk._wrapped("a " * 100, "", io.StringIO()) == "a " * 100  # piped: untouched


def test_the_devices_clock_is_today_at_the_time_given_in_its_zone():
    from datetime import UTC, datetime

    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert talk.device_timestamp((3, 0), "Europe/London", now) == "2026-12-02T03:00:00Z"
    assert talk.device_timestamp((21, 30), "America/New_York", now) == "2026-12-03T02:30:00Z"
    assert talk.device_timestamp((3, 0), "Asia/Kolkata", now) == "2026-12-01T21:30:00Z"


def test_the_machines_time_zone_comes_from_tz_then_localtime_then_utc(monkeypatch, tmp_path):
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/Asia/Kolkata")
    monkeypatch.setenv("TZ", ":Australia/Sydney")
    assert talk.machine_zone(link) == "Australia/Sydney"
    monkeypatch.setenv("TZ", "Not/AZone")
    assert talk.machine_zone(link) == "Asia/Kolkata"
    assert talk.machine_zone(tmp_path / "no link") == "UTC"
