"""The ``leg-cramp-helper`` command: talk to the skill, serve it, check it, package it.

Each sub-command lives in its own module, imported only when it runs, so that
``say`` does not pay for gunicorn and ``serve`` does not pay for the simulator.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from skill import __version__
from skill.devtools.envelopes import SCREENS
from skill.speech.words import DEFAULT_LOCALE, LOCALES


def _clock_time(text: str) -> tuple[int, int]:
    """--time: "03:00" -> (3, 0)."""
    hour, _, minute = text.strip().partition(":")
    if not (hour.isdigit() and minute.isdigit() and len(minute) == 2 and int(hour) < 24 and int(minute) < 60):
        raise argparse.ArgumentTypeError(f"{text!r} is not a time of day such as 03:00 or 21:30")
    return int(hour), int(minute)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leg-cramp-helper",
        description="An Alexa skill that talks you through a night-time leg cramp.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def locale_option(command: argparse.ArgumentParser) -> None:
        command.add_argument("--locale", default=DEFAULT_LOCALE, choices=LOCALES,
                             help=f"the Alexa locale to speak as (default {DEFAULT_LOCALE})")
        command.add_argument("--wav", metavar="DIR",
                             help="also write each answer as a WAV file in DIR (needs espeak-ng)")
        command.add_argument("--speak", action="store_true",
                             help="also say each answer aloud as it is printed, waiting out each pause "
                                  "so a hold takes its real time (needs espeak-ng, or say on macOS)")
        command.add_argument("--time", type=_clock_time, default=(3, 0), metavar="HH:MM",
                             help="what the device's clock says, in this machine's time zone "
                                  "(default 03:00: night; 21:00 to 07:00 is night)")
        command.add_argument("--screen", nargs="?", const="echo-show-5", choices=SCREENS, metavar="DEVICE",
                             help="talk from a device with a screen and print what it shows: "
                                  f"{', '.join(SCREENS)} (default echo-show-5)")

    say = commands.add_parser("say", help="say one thing to the skill and print its answer")
    say.add_argument("utterance", nargs="+", help="what you would say, e.g. why do I get cramps (quotes optional)")
    locale_option(say)
    say.set_defaults(module="skill.devtools.terminal", function="say_command")

    chat = commands.add_parser("chat", help="talk to the skill in the terminal")
    locale_option(chat)
    chat.set_defaults(module="skill.devtools.terminal", function="chat_command")

    serve = commands.add_parser("serve", help="run the skill as an HTTPS web service for Alexa")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    serve.add_argument("--certfile", help="TLS certificate chain (PEM); Alexa calls HTTPS only")
    serve.add_argument("--keyfile", help="TLS private key (PEM)")
    serve.set_defaults(module="skill.web.serve", function="serve_command")

    envelope = commands.add_parser(
        "envelope", help="print a request envelope as Alexa sends it, to try serve by hand")
    envelope.add_argument("kind", choices=("launch", "intent"), help="a LaunchRequest or an IntentRequest")
    envelope.add_argument("name", nargs="?", help="the intent, e.g. RelieveCrampIntent")
    envelope.add_argument("slots", nargs="*", metavar="SLOT=VALUE", help="slot values, e.g. leg=left")
    envelope.add_argument("--locale", default=DEFAULT_LOCALE, choices=LOCALES,
                          help=f"the request's locale (default {DEFAULT_LOCALE})")
    envelope.set_defaults(module="skill.devtools.simulator", function="envelope_command")

    validate = commands.add_parser(
        "validate", help="check the models, manifest and every response as certification would")
    validate.add_argument("dir", nargs="?", default=".", metavar="DIR",
                          help="a checkout of the project (default: the current folder)")
    validate.set_defaults(module="skill.devtools.validate", function="validate_command")

    models = commands.add_parser(
        "models", help="write the five interaction models from interaction_models/source/")
    models.add_argument("dir", nargs="?", default=".", metavar="DIR",
                        help="a checkout of the project (default: the current folder)")
    models.add_argument("--check", action="store_true",
                        help="only report the models that are out of step with the source")
    models.set_defaults(module="skill.devtools.models", function="models_command")

    package = commands.add_parser(
        "package", help="write an ASK CLI project and a Lambda deployment zip")
    package.add_argument("--out", default="dist", metavar="DIR", help="output folder (default dist)")
    package.set_defaults(module="skill.devtools.package", function="package_command")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "envelope" and args.kind == "intent" and not args.name:
        _parser().error("envelope intent needs the intent's name, e.g. envelope intent RelieveCrampIntent leg=left")
    command = getattr(importlib.import_module(args.module), args.function)
    try:
        return command(args) or 0
    except BrokenPipeError:  # the reader left early (`| head`): not this command's failure
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
