"""Every setting is checked when a process starts: ``serve``, ``chat`` and ``say`` refuse a
store or API setting they cannot use with one line that names it, and exit 2; the Lambda
entry logs the problem once and answers every request without that service."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from skill.devtools.local_server import SOURCE_ROOT, free_port
from skill.devtools.simulator import Session, load_lambda_entry
from skill.speech.words import words_for

BAD_SETTINGS = {
    "dynamodb-without-region": ({"LEG_CRAMP_STORE": "dynamodb://prefs"},
                                "LEG_CRAMP_STORE='dynamodb://prefs' names a DynamoDB table but no AWS region is set"),
    "not-a-store": ({"LEG_CRAMP_STORE": "postgres://db"}, "LEG_CRAMP_STORE='postgres://db' is not a store"),
    "api-not-a-url": ({"LEG_CRAMP_ALEXA_API": "garbage"}, "LEG_CRAMP_ALEXA_API must be a base URL"),
    "api-bad-port": ({"LEG_CRAMP_ALEXA_API": "http://127.0.0.1:port"}, "LEG_CRAMP_ALEXA_API must be a base URL"),
}
COMMANDS = {
    "say": ["say", "help", "my", "cramp"],
    "chat": ["chat"],
    "serve": ["serve", "--port"],  # and a free port, chosen when the test runs
}


def _environment(tmp_path, setting: dict[str, str]) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if name not in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "LEG_CRAMP_ALEXA_API")}
    env["AWS_CONFIG_FILE"] = str(tmp_path / "no-aws-config")
    env["ALEXA_SKILL_ID"] = "amzn1.ask.skill.settings-test"
    return {**env, **setting}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("bad", BAD_SETTINGS)
def test_a_host_refuses_a_setting_it_cannot_use_with_one_line_and_exit_2(command, bad, tmp_path):
    setting, message = BAD_SETTINGS[bad]
    arguments = COMMANDS[command] + ([str(free_port())] if command == "serve" else [])
    done = subprocess.run([sys.executable, "-m", "skill.cli", *arguments], input="", capture_output=True,
                          text=True, cwd=SOURCE_ROOT, env=_environment(tmp_path, setting), timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if message in line]) == 1


@pytest.mark.parametrize("bad", BAD_SETTINGS)
def test_the_lambda_logs_a_bad_setting_once_and_answers_every_request(bad, tmp_path, monkeypatch, caplog):
    setting, message = BAD_SETTINGS[bad]
    for name, value in _environment(tmp_path, setting).items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("ALEXA_SKILL_ID")
    entry = load_lambda_entry(f"lambda_settings_{bad.replace('-', '_')}")
    en = words_for("en-US")
    with caplog.at_level(logging.INFO):
        first = Session("en-US", entry.lambda_handler)
        assert first.say("WhyCrampsIntent").speech.startswith(en.text("why.answer"))
        second = Session("en-US", entry.lambda_handler)
        assert en.text("prevent.answer") in second.say("PreventCrampsIntent").speech
    logged = [record for record in caplog.records if message.split(" must")[0].split("=")[0] in record.getMessage()]
    assert len(logged) == 1, [record.getMessage() for record in caplog.records]
