"""``chat --speak`` and ``say --speak``: the answers said aloud, the holds waited out.

The real command runs as a subprocess with a stand-in speech engine first on its
PATH: a small program named espeak-ng that logs what it was asked to say, and
when, and exits as espeak-ng does once it has finished speaking.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from skill.devtools import terminal as talk

ROOT = Path(__file__).resolve().parents[2]

FAKE_ENGINE = """#!{python}
import json, os, sys, time
started = time.time()
text = sys.stdin.read()
with open(os.environ["SPEECH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps({{"args": sys.argv[1:], "text": text, "start": started, "end": time.time()}}) + "\\n")
sys.stderr.write(os.environ.get("SPEECH_COMPLAINT", ""))
sys.exit(int(os.environ.get("SPEECH_EXIT", "0")))
"""


def fake_engine(tmp_path: Path) -> tuple[Path, Path]:
    """A folder holding an espeak-ng that logs its calls, and the log."""
    folder = tmp_path / "bin"
    folder.mkdir()
    engine = folder / "espeak-ng"
    engine.write_text(FAKE_ENGINE.format(python=sys.executable))
    engine.chmod(engine.stat().st_mode | stat.S_IXUSR)
    return folder, tmp_path / "speech.jsonl"


def run(*args: str, path: str, log: Path | None = None, stdin: str = "",
        **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path, **extra}
    if log is not None:
        env["SPEECH_LOG"] = str(log)
    return subprocess.run([sys.executable, "-m", "skill.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def index(spoken: list[dict], words: str, after: int = -1) -> int:
    """The first call after ``after`` whose text has ``words``."""
    return next(i for i, call in enumerate(spoken) if i > after and words in call["text"])


def test_chat_speak_says_the_round_aloud_and_waits_out_the_hold(tmp_path):
    folder, log = fake_engine(tmp_path)
    # The day (at night the launch is itself a round with 30 s of holds); then a
    # 15-second stretch: "Hold it there. [10 s] 10. [5 s] And slowly let go. Is it easing?";
    # then silence, which plays the reprompt.
    typed = "stretch my left calf for fifteen seconds\n\n"
    done = run("chat", "--time", "14:00", "--speak", stdin=typed,
               path=str(folder) + os.pathsep + os.environ["PATH"], log=log)
    assert done.returncode == 0, done.stderr
    spoken = calls(log)

    # Said aloud, in the order heard: the greeting, the cue, the count, the question,
    # then (after the empty line) the reprompt.
    greeting = index(spoken, "Would you like to know why cramps happen")
    cue = index(spoken, "Straighten your left leg", greeting)
    assert spoken[cue]["text"].rstrip().endswith("Hold it there.")
    count = index(spoken, "10.", cue)
    question = index(spoken, "Is it easing?", count)
    assert spoken[question]["text"].startswith("And slowly let go.")
    reprompt = index(spoken, "Is the cramp easing?", question)
    assert [cue, count, question] == [cue, cue + 1, cue + 2]  # one call a segment, nothing between
    assert spoken[count]["text"].strip() == "10."

    # The holds are waited out in real time: 10 s before "10.", 5 s more before the
    # question, and the next line is read (the reprompt) only after all of it.
    assert spoken[count]["start"] - spoken[cue]["end"] >= 9.9
    assert spoken[question]["start"] - spoken[count]["end"] >= 4.9
    assert spoken[reprompt]["start"] - spoken[cue]["end"] >= 14.9

    # espeak-ng, in the locale's voice, at the day's pace, reading the text from stdin.
    assert spoken[cue]["args"] == ["-v", "en-us", "-s", str(talk.ESPEAK_SPEED), "--stdin"]

    # The text printed is what chat prints without --speak.
    silent = run("chat", "--time", "14:00", stdin=typed, path=os.environ["PATH"],
                 XDG_DATA_HOME=str(tmp_path / "data"))  # a first use too: a store of its own
    assert done.stdout == silent.stdout
    assert "Hold it there. [10 s] 10. [5 s] And slowly let go. Is it easing?" in done.stdout


def test_say_speak_at_night_speaks_slower_as_the_prosody_asks(tmp_path):
    folder, log = fake_engine(tmp_path)
    done = run("say", "why do I get cramps", "--locale", "en-GB", "--speak",
               path=str(folder) + os.pathsep + os.environ["PATH"], log=log)
    assert done.returncode == 0, done.stderr
    spoken = calls(log)
    assert spoken and " ".join(call["text"] for call in spoken) in done.stdout
    night = round(talk.ESPEAK_SPEED * 0.9)  # <prosody rate="90%">: the 3 a.m. voice
    assert all(call["args"] == ["-v", "en-gb", "-s", str(night), "--stdin"] for call in spoken)


def test_without_a_speech_engine_speak_says_what_to_install_and_exits_2(tmp_path):
    empty = tmp_path / "no-engine"
    empty.mkdir()
    for command in (["chat", "--speak"], ["say", "why do I get cramps", "--speak"]):
        done = run(*command, path=str(empty), stdin="yes\n")
        assert done.returncode == 2
        assert done.stderr.splitlines() == [talk.NO_SPEECH_ENGINE]
        assert "apt-get install espeak-ng" in done.stderr
        assert done.stdout == ""


def test_an_engine_that_fails_is_reported_once_and_the_text_carries_on(tmp_path):
    folder, log = fake_engine(tmp_path)
    done = run("chat", "--time", "14:00", "--speak", stdin="why do I get cramps\n",
               path=str(folder) + os.pathsep + os.environ["PATH"], log=log,
               SPEECH_EXIT="1", SPEECH_COMPLAINT="no audio device\n")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("could not speak (no audio device)") == 1
    assert len(calls(log)) == 1  # not asked again
    assert "why cramps happen" in done.stdout and "you> why do I get cramps" in done.stdout
