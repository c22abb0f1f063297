"""``chat --screen`` and ``say --screen``: what the screen would show, turn by turn,
through the real command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from skill.devtools import terminal

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "skill.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def _screens(stdout: str) -> list[list[str]]:
    """Each printed screen: its heading line and the lines under it."""
    shown: list[list[str]] = []
    for line in stdout.splitlines():
        if line.startswith("[screen: "):
            shown.append([line])
        elif line.startswith(terminal.SCREEN_INDENT) and shown:
            shown[-1].append(line[len(terminal.SCREEN_INDENT):])
    return shown


def test_chat_screen_prints_the_cue_side_and_countdown_at_each_turn_and_taps_buttons():
    done = run("chat", "--screen", stdin="help my left calf\ntap next round\ntap it's easing\n")
    assert done.returncode == 0, done.stderr
    launch, first, second, eased = _screens(done.stdout)
    # At night (the terminal cannot tell the time) the launch is the first round already.
    assert launch[0] == "[screen: round, night theme]"
    assert launch[1].startswith("The cramping leg  |  Heel away. Toes back.  |  30 (while Alexa speaks")
    assert first[0] == "[screen: round, night theme]"
    assert first[1].startswith("Left leg  |  Heel away. Toes back.  |  30 (while Alexa speaks, about ")
    assert "Left leg  |  Hold  |  30 .. 21, counting down (10 s)" in first
    assert "Left leg  |  Hold  |  10 .. 1, counting down (10 s)" in first
    assert "Left leg  |  Slowly let go  |  0 (while Alexa speaks, about 2 s)" in first
    assert "countdown in all: 30 s, the length of the spoken hold" in first
    assert first[-1] == "buttons: [It's easing] [Next round] [Stop]"
    assert "(tapped next)" in done.stderr and "(tapped easing)" in done.stderr
    assert "Let's try one last time." in done.stdout and second[0] == "[screen: round, night theme]"
    assert "Rub the muscle gently" in done.stdout and eased == ["[screen: nothing new for this answer]"]


def test_the_bedtime_round_on_the_echo_spot_shows_the_switch():
    done = run("chat", "--screen", "echo-spot", stdin="bedtime stretch\n")
    assert done.returncode == 0, done.stderr
    round_one = _screens(done.stdout)[1]
    sides = [line.split("  |  ")[0] for line in round_one[1:-2]]
    assert sides[0] == "Left leg" and "Switch legs" in sides and sides[-1] == "Right leg"
    assert "countdown in all: 40 s, the length of the spoken hold" in round_one


def test_say_screen_shows_the_warning_with_the_local_number():
    done = run("say", "my leg is swollen", "--locale", "en-GB", "--screen", "echo-show-15")
    assert done.returncode == 0, done.stderr
    (warning,) = _screens(done.stdout)
    assert warning[:4] == ["[screen: warning, night theme]", "When to get help",
                           "Chest pain or sudden shortness of breath", "CALL 999   (very large)"]
    assert "NHS 111" in warning[4]


def test_without_screen_nothing_about_a_screen_is_printed():
    done = run("chat", stdin="yes\n")
    assert done.returncode == 0 and "[screen:" not in done.stdout


def test_a_tap_on_a_button_that_is_not_there_is_answered_with_a_way_on():
    done = run("chat", "--screen", stdin="tap the moon\n")
    assert done.returncode == 0, done.stderr
    assert "(tapped moon)" in done.stderr
    assert "Sorry, I can't help with that." in done.stdout
