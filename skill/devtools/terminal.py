"""``leg-cramp-helper say`` and ``chat``: talk to the skill in a terminal.

Typed text is matched against the locale's interaction model (``hearing``) and
sent to the skill by the session simulator (``simulator.Session``), in the
request envelope Alexa would send: a session id, the ``new`` flag, and the
session attributes the skill returned last turn. Nothing here decides what the
skill says; this is only the transport, like Lambda or the web service.

chat: the conversation opens with a LaunchRequest ("Alexa, open leg cramp
helper"); each line becomes an IntentRequest in that session. An empty line is
silence: the first plays the reprompt, the second ends the session as Alexa
does (SessionEndedRequest, EXCEEDED_MAX_REPROMPTS). When a session has ended,
the next line starts a new one, as if the person said "Alexa, ask leg cramp
helper ..." (a one-shot). End of input or Ctrl-C leaves (SessionEndedRequest,
USER_INITIATED, if a session is open).

say: one utterance, one answer, as a one-shot invocation in a new session.

--wav DIR: each answer is also spoken into a WAV file by espeak-ng, with the
SSML pauses as real silence, so a hold lasts as long as it will on a device.

--speak: each answer is also said aloud, as it is printed, by espeak-ng (on macOS,
if espeak-ng is not there, by its own ``say``), and each pause is waited out: a
10-second hold takes 10 seconds before the next words and before the prompt for
your answer, so the terminal can talk someone through a cramp. Both voices take the
answer from ``speech_of``: its text segments and pauses, at the pace of its prosody.

The device: the skill may call Alexa's API (the request carries an API token), and
the calls go to a local stand-in of it (``skill.devtools.alexa_api``) that the
command starts, or to the one ``LEG_CRAMP_ALEXA_API`` names. The device is in this
machine's time zone, and its clock says ``--time`` (default 03:00, the night a
cramp wakes someone; ``--time 14:00`` tries the day). When the skill asks for the
reminders permission (Connections.SendRequest AskFor), chat takes the next line as
the answer to Alexa's own question (yes, no, or silence) and sends the skill the
Connections.Response; whenever the stand-in's reminders change, chat prints what
the skill created, changed or cancelled.

--screen [DEVICE]: the requests come from a device with a screen (an Echo Show 5
unless DEVICE names another of ``envelopes.SCREENS``), and after each answer the
terminal prints what the screen shows: the cue, the side and the countdown as it
runs, the buttons. In chat, "tap next round" (or "tap it's easing", "tap stop")
presses a button, as a touch sends an Alexa.Presentation.APL.UserEvent.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
import wave
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from skill.devtools.hearing import understand
from skill.devtools.simulator import Said, Session
from skill.speech import ssml

# espeak-ng's nearest voice for each Alexa locale.
ESPEAK_VOICES = {"en-US": "en-us", "en-CA": "en-us", "en-GB": "en-gb",
                 "en-AU": "en-gb", "en-IN": "en-gb"}
ESPEAK_SPEED = 150  # words per minute; Alexa speaks at about this pace
INSTALL_ESPEAK = ("leg-cramp-helper: espeak-ng is not installed, so no WAV files will be written "
                  "(install it with: sudo apt-get install espeak-ng); carrying on with text")
NO_SPEECH_ENGINE = ("leg-cramp-helper: --speak needs a speech engine and none is installed "
                    "(install espeak-ng with: sudo apt-get install espeak-ng)")

SPEAKER = "Alexa: "
INDENT = " " * len(SPEAKER)
PROMPT = "you> "


# --- the answer as speech: WAV files (--wav) and aloud (--speak) ----------------------

class Speech(NamedTuple):
    """An answer as it is heard: text segments and pauses in order, and its pace."""

    parts: list[ssml.Part]
    speed: int  # words per minute: ESPEAK_SPEED at the prosody's rate (slower at night)


def speech_of(ssml_text: str) -> Speech:
    """The one place an answer becomes speech for the terminal's voices, the WAV files
    and --speak alike: its segments and pauses, at the pace its prosody asks for."""
    return Speech(ssml.segments(ssml_text), round(ESPEAK_SPEED * ssml.rate(ssml_text)))


def speech_engine() -> str | None:
    """The program that speaks aloud on this machine: espeak-ng, else macOS's own ``say``."""
    found = shutil.which("espeak-ng")
    if found is None and sys.platform == "darwin":
        found = shutil.which("say")
    return found


def engine_command(engine: str, locale: str, speed: int, wav: Path | None = None) -> list[str]:
    """The command with which ``engine`` speaks the text on its stdin: aloud, or into the
    file ``wav`` (espeak-ng); in the locale's voice (macOS ``say``: its default voice)."""
    if Path(engine).name == "say":
        return [engine, "-r", str(speed), "-f", "-"]
    return [engine, "-v", ESPEAK_VOICES.get(locale, "en"), "-s", str(speed),
            *(["-w", str(wav)] if wav else []), "--stdin"]


class Recorder:
    """Writes answers as WAV files with espeak-ng; pauses become real silence.

    Each text segment is spoken by its own espeak-ng run and the silences are
    written as zero samples, so the timing is the SSML's to the millisecond
    whatever espeak-ng makes of SSML. Without espeak-ng it says so once on
    stderr and writes nothing."""

    def __init__(self, directory: str | Path, locale: str, err: TextIO):
        self.directory = Path(directory)
        self.locale = locale
        self.err = err
        self.espeak = shutil.which("espeak-ng")
        if self.espeak is None:
            print(INSTALL_ESPEAK, file=err)

    def write(self, ssml_text: str | None, name: str) -> Path | None:
        if self.espeak is None or not ssml_text:
            return None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"{name}.wav"
            self._render(speech_of(ssml_text), path)
            return path
        except (OSError, subprocess.SubprocessError, wave.Error) as problem:
            print(f"leg-cramp-helper: could not write a WAV file: {problem}", file=self.err)
            return None

    def _spoken(self, text: str, speed: int, scratch: Path) -> tuple[wave._wave_params, bytes]:
        if self.espeak is None:
            raise OSError("espeak-ng is not installed")
        subprocess.run(engine_command(self.espeak, self.locale, speed, wav=scratch),
                       input=text.encode("utf-8"), check=True, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        with wave.open(str(scratch), "rb") as spoken:
            return spoken.getparams(), spoken.readframes(spoken.getnframes())

    def _render(self, speech: Speech, path: Path) -> None:
        chunks: list[bytes | float] = []
        params = None
        with tempfile.TemporaryDirectory(prefix="leg-cramp-helper-") as scratch_dir:
            scratch = Path(scratch_dir) / "segment.wav"
            for part in speech.parts:
                if isinstance(part, ssml.Pause):
                    chunks.append(part.seconds)
                else:
                    spoken_params, frames = self._spoken(part, speech.speed, scratch)
                    params = params or spoken_params
                    chunks.append(frames)
        channels, width, rate = ((params.nchannels, params.sampwidth, params.framerate)
                                 if params else (1, 2, 22050))
        with wave.open(str(path), "wb") as out:
            out.setnchannels(channels)
            out.setsampwidth(width)
            out.setframerate(rate)
            for chunk in chunks:
                out.writeframes(chunk if isinstance(chunk, bytes)
                                else b"\0" * (round(chunk * rate) * channels * width))


class Speaker:
    """--speak: says each answer aloud while printing it, a segment at a time.

    Each text segment is spoken by the engine, which returns when it has finished
    speaking, and each pause is waited out, so a 10-second hold takes 10 seconds
    before the next words and before the prompt for the person's answer. If the
    engine fails, it says so once on stderr and carries on with the text, still
    waiting out the pauses."""

    def __init__(self, engine: str, locale: str, err: TextIO):
        self.engine = engine
        self.locale = locale
        self.err = err
        self.failed = False
        self.complained = False

    def speak(self, ssml_text: str, out: TextIO, speaker: str = SPEAKER) -> None:
        speech = speech_of(ssml_text)
        line = _Typing(out, speaker)
        for part in speech.parts:
            line.add(ssml.shown(part), whole=isinstance(part, ssml.Pause))
            if isinstance(part, ssml.Pause):
                time.sleep(part.seconds)
            else:
                self._say(part, speech.speed)
        line.end()

    def _say(self, text: str, speed: int) -> None:
        if self.failed:
            return
        name = Path(self.engine).name
        try:
            done = subprocess.run(engine_command(self.engine, self.locale, speed), input=text.encode("utf-8"),
                                  timeout=600, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            failed = done.returncode != 0
            complaint = (done.stderr.decode("utf-8", "replace").strip().partition("\n")[0]
                         or (f"exit status {done.returncode}" if failed else ""))
        except (OSError, subprocess.SubprocessError) as problem:
            failed, complaint = True, str(problem)
        if failed:
            self.failed = True
            print(f"leg-cramp-helper: {name} could not speak ({complaint}); "
                  "carrying on with text, the pauses still waited out", file=self.err)
        elif complaint and not self.complained:  # e.g. espeak-ng finding no sound card, yet exiting 0
            self.complained = True
            print(f"leg-cramp-helper: {name} says: {complaint} (if you hear nothing, check the sound output)",
                  file=self.err)


def _terminal(out: TextIO) -> bool:
    return hasattr(out, "isatty") and bool(out.isatty())


def _width(out: TextIO) -> int | None:
    """The width to wrap answers to on a terminal; None when the output is piped."""
    return max(40, shutil.get_terminal_size().columns - 1) if _terminal(out) else None


class _Typing:
    """One answer printed a segment at a time, as it is spoken; the finished text reads
    as ``show`` prints it, wrapped to a terminal's width (a pause never split)."""

    def __init__(self, out: TextIO, speaker: str):
        self.out = out
        self.indent = " " * len(speaker)
        self.width = _width(out)
        self.column = len(speaker)
        self.started = False
        out.write(speaker)

    def add(self, text: str, *, whole: bool = False) -> None:
        for word in [text] if whole or self.width is None else text.split():
            if self.started:
                if self.width is not None and self.column + 1 + len(word) > self.width:
                    self.out.write("\n" + self.indent)
                    self.column = len(self.indent)
                else:
                    self.out.write(" ")
                    self.column += 1
            self.out.write(word)
            self.column += len(word)
            self.started = True
        self.out.flush()

    def end(self) -> None:
        self.out.write("\n")
        self.out.flush()


def wav_seconds(path: str | Path) -> float:
    with wave.open(str(path), "rb") as recording:
        return recording.getnframes() / recording.getframerate()


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:40].strip("-") or "answer"


# --- printing -----------------------------------------------------------------


def _wrapped(text: str, indent: str, out: TextIO) -> str:
    """Long answers wrap to a terminal's width; piped output keeps one line each."""
    width = _width(out)
    if width is None:
        return text
    whole = re.sub(r"\[([\d.]+) s\]", "[\\1\u00a0s]", text)  # keep "[10 s]" on one line
    return textwrap.fill(whole, width=width, subsequent_indent=indent,
                         break_on_hyphens=False).replace("\u00a0", " ")


def show(said: Said, out: TextIO, *, speaker: str = SPEAKER, voice: Speaker | None = None) -> None:
    """The answer as text: the speech with its pauses, the reprompt, the session's end.
    With a ``voice`` (--speak), the speech is said aloud as it is printed."""
    indent = " " * len(speaker)
    if said.speech and said.ssml and voice is not None:
        voice.speak(said.ssml, out, speaker)
    elif said.speech:
        print(_wrapped(speaker + said.speech, indent, out), file=out)
    if said.reprompt and not said.ended:
        print(_wrapped(f"{indent}(if you say nothing) {said.reprompt}", indent, out), file=out)
    if said.ended and said.asking_consent is None:
        print("(the skill ended the session)", file=out)


SCREEN_INDENT = "  | "
_TAP = re.compile(r"^\s*(?:tap|touch|press)\s+(?:the\s+)?(?P<button>.+?)(?:\s+button)?\s*[.!]?\s*$", re.I)


def _document(envelope: dict[str, Any]) -> dict[str, Any] | None:
    for directive in (envelope.get("response") or {}).get("directives") or []:
        if directive.get("type") == "Alexa.Presentation.APL.RenderDocument":
            data: dict[str, Any] = (directive.get("datasources") or {}).get("screen") or {}
            return data
    return None


def _countdown(beats: list[dict[str, Any]]) -> list[str]:
    """A round's beats, run together: one line for each stretch of the same cue and
    side, with the seconds shown (a range while they count down)."""
    lines: list[str] = []
    group: list[dict[str, Any]] = []

    def flush() -> None:
        if not group:
            return
        first, last = group[0], group[-1]
        seconds = sum(beat["ms"] for beat in group) / 1000
        if first["counting"]:
            shown = f"{first['left']} .. {last['left']}, counting down ({seconds:g} s)"
        else:
            shown = f"{first['left']} (while Alexa speaks, about {seconds:.0f} s)"
        lines.append(f"{first['side']}  |  {first['cue']}  |  {shown}")
        group.clear()

    for beat in beats:
        if group and (beat["side"], beat["cue"], beat["counting"]) != (
                group[-1]["side"], group[-1]["cue"], group[-1]["counting"]):
            flush()
        group.append(beat)
    flush()
    return lines


def screen_lines(envelope: dict[str, Any]) -> list[str]:
    """What the screen shows after this answer, as text: the data source of its
    RenderDocument directive."""
    data = _document(envelope)
    if data is None:
        return ["[screen: nothing new for this answer]"]
    lines = [f"[screen: {data.get('kind')}, {data.get('theme')} theme]"]
    body: list[str] = []
    if data.get("kind") == "round":
        body += _countdown(data.get("beats") or [])
        counted = sum(beat["ms"] for beat in data.get("beats") or [] if beat["counting"]) / 1000
        body.append(f"countdown in all: {counted:g} s, the length of the spoken hold")
    else:
        body.append(str(data.get("title", "")))
        if data.get("reason"):
            body.append(str(data["reason"]))
        if data.get("call"):
            body.append(str(data["call"]).upper() + "   (very large)")
        body += [f"- {line}" for line in data.get("lines") or []]
    if data.get("buttons"):
        body.append("buttons: " + " ".join(f"[{button['label']}]" for button in data["buttons"]))
    return lines + [SCREEN_INDENT + line for line in body]


def show_screen(envelope: dict[str, Any], out: TextIO) -> None:
    for line in screen_lines(envelope):
        print(line, file=out)


def tapped(line: str, envelope: dict[str, Any] | None) -> str | None:
    """The action of the button a typed line presses ("tap next round"), by its label
    on the screen shown or its action name; None if the line presses nothing."""
    match = _TAP.match(line)
    if not match:
        return None
    wanted = " ".join(match["button"].lower().replace("\u2019", "'").split())
    buttons = (_document(envelope) or {}).get("buttons") or [] if envelope else []
    for button in buttons:
        if wanted in (button["label"].lower(), button["action"]):
            return str(button["action"])
    return wanted


def _record(recorder: Recorder | None, said: Said, name: str, out: TextIO) -> None:
    if recorder is None:
        return
    path = recorder.write(said.ssml, name)
    if path is not None:
        print(f"(spoken into {path}, {wav_seconds(path):.1f} s)", file=out)


# --- the device: its clock, and Alexa's API -----------------------------------------

API_TOKEN = "amzn1.ask.token.TERMINAL"  # the terminal device's API token, as the stand-in sees it
CONSENT_ASKED = "(Alexa now asks, in its own words, whether Leg Cramp Helper may create and change your reminders"


def machine_zone(localtime: Path = Path("/etc/localtime")) -> str:
    """This machine's IANA time zone (TZ, else the zone /etc/localtime links to), or UTC."""
    names = [os.environ.get("TZ", "").lstrip(":")]
    try:
        names.append(str(localtime.resolve()).split("/zoneinfo/", 1)[1])
    except (OSError, IndexError):
        pass
    for name in names:
        try:
            if name:
                ZoneInfo(name)
                return name
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return "UTC"


def device_timestamp(clock: tuple[int, int], zone: str, now: datetime | None = None) -> str:
    """A request timestamp (UTC) at which the device's clock, in ``zone``, says ``clock`` today."""
    local = (now or datetime.now(UTC)).astimezone(ZoneInfo(zone))
    at = local.replace(hour=clock[0], minute=clock[1], second=0, microsecond=0)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def alexa_api(zone: str) -> Iterator[str]:
    """The base URL of the Alexa API the terminal's skill calls: LEG_CRAMP_ALEXA_API's
    stand-in if it is set, else one started here with the device in ``zone``."""
    from skill.alexa.api_client import STAND_IN_SETTING
    from skill.devtools.alexa_api import AlexaApiStandIn

    given = os.environ.get(STAND_IN_SETTING)
    if given:
        yield given
        return
    with AlexaApiStandIn() as api:
        api.state.default_zone = zone
        yield api.url


def _device_session(args: argparse.Namespace, url: str, zone: str) -> Session:
    """A session from the terminal's device: a skill on the local services, calling
    the Alexa API at ``url``; the device's clock at ``--time``."""
    from skill.alexa.api_client import STAND_IN_SETTING
    from skill.alexa.build import answer, build_skill
    from skill.alexa.services import services_from_environment
    from skill.devtools.alexa_api import known_stand_in

    started_here = os.environ.get(STAND_IN_SETTING) != url  # the user's own stand-in still warns
    with known_stand_in() if started_here else nullcontext():
        skill = build_skill(services_from_environment({**os.environ, STAND_IN_SETTING: url}, host="local"))
    session = Session(args.locale, partial(answer, skill), screen=getattr(args, "screen", None),
                      api_access_token=API_TOKEN)
    session.timestamp = device_timestamp(getattr(args, "time", None) or (3, 0), zone)
    return session


def reminders_held(url: str) -> list[str]:
    """The terminal device's reminders on the Alexa API at ``url``, one line each."""
    request = urllib.request.Request(url.rstrip("/") + "/v1/alerts/reminders",
                                     headers={"Authorization": f"Bearer {API_TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=3) as answered:  # noqa: S310 - a local stand-in
            alerts = json.loads(answered.read() or b"{}").get("alerts") or []
    except (OSError, ValueError) as problem:
        return [f"could not read the reminders: {problem}"]
    lines = []
    for alert in alerts:
        trigger = alert.get("trigger") or {}
        spoken = ((alert.get("alertInfo") or {}).get("spokenInfo") or {}).get("content") or [{}]
        rules = " ".join((trigger.get("recurrence") or {}).get("recurrenceRules") or [])
        every = "every day" if "FREQ=DAILY" in rules else "once"
        lines.append(f"{every} at {str(trigger.get('scheduledTime', ''))[11:16]} "
                     f"({trigger.get('timeZoneId') or 'device time'}), saying "
                     f"\u201c{spoken[0].get('text', '')}\u201d ({spoken[0].get('locale', '?')})")
    return lines


def show_reminders(url: str, before: list[str], out: TextIO) -> list[str]:
    """Print the reminders if the skill changed them; the reminders now."""
    now = reminders_held(url)
    if now != before:
        print("(the skill's reminders on the Alexa API stand-in now: "
              + ("; ".join(now) if now else "none") + ")", file=out)
    return now


# --- the commands -------------------------------------------------------------


def _settings_usable(err: TextIO) -> bool:
    """Whether the store and API settings can work (unset: the SQLite file in the data
    folder, and a stand-in of the Alexa API started here); if not, one line says why."""
    from skill.alexa.services import check_settings

    try:
        check_settings("local")
    except ValueError as problem:
        print(f"leg-cramp-helper: {problem}", file=err)
        return False
    return True


def _voice(args: argparse.Namespace, err: TextIO) -> tuple[bool, Speaker | None]:
    """Whether the command can go on, and the voice that says the answers aloud (--speak)."""
    if not getattr(args, "speak", False):
        return True, None
    engine = speech_engine()
    if engine is None:
        print(NO_SPEECH_ENGINE, file=err)
        return False, None
    return True, Speaker(engine, args.locale, err)


def say_command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """One utterance, one answer: 'Alexa, ask leg cramp helper <utterance>'."""
    out, err = out or sys.stdout, err or sys.stderr
    usable, voice = _voice(args, err)
    if not usable or not _settings_usable(err):
        return 2
    recorder = Recorder(args.wav, args.locale, err) if getattr(args, "wav", None) else None
    utterance = " ".join(args.utterance) if isinstance(args.utterance, list) else args.utterance
    understood = understand(utterance, args.locale)
    print(f"(heard as {understood.describe()})", file=err)
    screen = getattr(args, "screen", None)
    zone = machine_zone()
    with alexa_api(zone) as url:
        before = reminders_held(url)
        said = _device_session(args, url, zone).hear(understood)
        try:
            show(said, out, speaker="", voice=voice)
        except KeyboardInterrupt:  # Ctrl-C while it speaks
            print(file=out)
            return 130
        if said.asking_consent is not None:
            print(f"{CONSENT_ASKED}; chat lets you answer it.)", file=out)
        if screen:
            show_screen(said.envelope, out)
        _record(recorder, said, _slug(utterance), out)
        show_reminders(url, before, out)
    return 0


def _lines(stdin: TextIO, out: TextIO) -> Iterator[str]:
    """What the person types, line by line. On a terminal there is a prompt; when
    input is piped in, each line is echoed after the prompt so the output reads as
    a transcript."""
    interactive = stdin.isatty() and stdin is sys.stdin
    while True:
        if interactive:
            try:
                line = input(PROMPT)
            except EOFError:
                print(file=out)
                return
        else:
            line = stdin.readline()
            if not line:
                return
            line = line.rstrip("\r\n")
            print(PROMPT + line, file=out)
        yield line


def chat_command(args: argparse.Namespace, stdin: TextIO | None = None, out: TextIO | None = None,
                 err: TextIO | None = None) -> int:
    """A conversation in the terminal, one session after another."""
    stdin, out, err = stdin or sys.stdin, out or sys.stdout, err or sys.stderr
    usable, voice = _voice(args, err)
    if not usable or not _settings_usable(err):
        return 2
    zone = machine_zone()
    with alexa_api(zone) as url:
        _chat(args, stdin, out, err, _device_session(args, url, zone), url, voice)
    out.flush()
    return 0


def _chat(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO, session: Session, url: str,
          voice: Speaker | None = None) -> None:
    locale = args.locale
    recorder = Recorder(args.wav, locale, err) if getattr(args, "wav", None) else None
    screen = getattr(args, "screen", None)
    turn = 0
    held = reminders_held(url)

    def answer(said: Said, name: str) -> None:
        nonlocal turn, held
        turn += 1
        show(said, out, voice=voice)
        if said.asking_consent is not None:
            print(f"{CONSENT_ASKED}. Answer yes or no; an empty line is no answer.)", file=out)
        if screen:
            show_screen(said.envelope, out)
        _record(recorder, said, f"{turn:02d}-{name}", out)
        held = show_reminders(url, held, out)
        out.flush()

    print(f"Leg Cramp Helper ({locale}). Type what you would say to Alexa. "
          "An empty line is silence; Ctrl-D or Ctrl-C leaves.", file=out)
    if screen:
        print(f'(on an {screen}: "tap next round", "tap it\'s easing" or "tap stop" presses a button)',
              file=out)
    print('(you: "Alexa, open leg cramp helper")', file=out)
    silences = 0
    try:
        last = session.open()
        answer(last, "launch")  # with --speak, Ctrl-C may come while it speaks
        for line in _lines(stdin, out):
            if session.asking_consent is not None:
                heard = understand(line, locale).intent if line.strip() else None
                status = {"AMAZON.YesIntent": "ACCEPTED", "AMAZON.NoIntent": "DENIED"}.get(heard or "",
                                                                                          "NOT_ANSWERED")
                print(f"(Alexa sends the skill a Connections.Response: {status})", file=err)
                last = session.consent(status)
                answer(last, f"consent-{status.lower()}")
                continue
            if not line.strip():
                if not session.in_session:
                    continue
                silences += 1
                if silences == 1 and last.reprompt and last.reprompt_ssml and voice is not None:
                    voice.speak(last.reprompt_ssml, out)
                elif silences == 1 and last.reprompt:
                    print(_wrapped(SPEAKER + last.reprompt, INDENT, out), file=out)
                else:
                    session.end("EXCEEDED_MAX_REPROMPTS")
                    print("(no answer: Alexa ended the session)", file=out)
                out.flush()
                continue
            silences = 0
            pressed = tapped(line, last.envelope) if screen else None
            if pressed is not None:
                print(f"(tapped {pressed})", file=err)
                last = session.touch(pressed)
                answer(last, _slug(line))
                continue
            if not session.in_session:
                print(f'(new session, as if you said "Alexa, ask leg cramp helper {line.strip()}")',
                      file=out)
            understood = understand(line, locale, session.eliciting)
            print(f"(heard as {understood.describe()})", file=err)
            if understood.intent is None and session.in_session:
                session.end("USER_INITIATED")  # naming the skill again starts it afresh
            last = session.hear(understood)
            answer(last, _slug(line))
    except KeyboardInterrupt:
        print(file=out)
    if session.in_session:
        session.end("USER_INITIATED")
        print("(you left; the session ended)", file=out)
    else:
        print("(bye)", file=out)
