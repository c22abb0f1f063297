"""Fuzzing: generated and mutated request envelopes, through the Lambda entry point and
through the web service (verification off, and signed with the test CA).

The properties, for every input:

- ``lambda_handler`` never raises, and answers a response envelope;
- the web service never answers 5xx; a 4xx carries a short JSON error;
- every answered response obeys Alexa's rules (``skill.devtools.judge.response_problems``:
  the SSML rules and limits of ``skill.speech.ssml.problems``, the response size, and the
  open-session rule: an open session's speech ends with a question and has a
  reprompt, a closed one has no reprompt).

The inputs: realistic envelopes with every field drawn from what Alexa sends and
from what it never should (unknown intents and slots, wrong types, huge strings,
odd unicode, random or tampered session attributes, odd locales), realistic
envelopes with random mutations at random places, and arbitrary JSON.

Bounded for CI: each test runs ``FUZZ_EXAMPLES`` examples (environment variable,
default 150), with no per-example deadline; with CI=true the examples are the same
every run. Set FUZZ_EXAMPLES higher for a longer hunt, e.g.
``FUZZ_EXAMPLES=2000 python -m pytest tests/alexa/test_fuzz.py`` (about 2 minutes).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from skill.devtools import envelopes
from skill.devtools.judge import response_problems
from skill.devtools.simulator import resolved_intent_request as model_intent_request
from tests.support.conversation import lambda_handler
from tests.support.network import forbid_network
from tests.support.requests import SKILL_ID, encode
from tests.support.server import SETTINGS

MAX_BODY_BYTES = 128 * 1024  # skill.web's default ALEXA_MAX_BODY_BYTES
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
# In CI the examples are the same every run (a rare find must not fail someone else's
# submission at random); elsewhere each run hunts afresh.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("CI") == "true",
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

KNOWN_INTENTS = [
    "RelieveCrampIntent", "WhyCrampsIntent", "PreventCrampsIntent", "BedtimeStretchIntent",
    "WarningSignsIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent",
    "AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent", "AMAZON.YesIntent", "AMAZON.NoIntent",
    "AMAZON.RepeatIntent", "AMAZON.StartOverIntent", "AMAZON.NextIntent", "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent",
]
REQUEST_TYPES = ["LaunchRequest", "IntentRequest", "SessionEndedRequest",
                 "CanFulfillIntentRequest", "Display.ElementSelected", "System.ExceptionEncountered",
                 "AlexaSkillEvent.SkillEnabled", "Connections.Response", "AudioPlayer.PlaybackStarted"]
LOCALES = ["en-US", "en-GB", "en-AU", "en-CA", "en-IN", "de-DE", "fr-FR", "ja-JP", "", "en", "EN-us",
           "xx-XX"]

# --- strategies -------------------------------------------------------------------------

# Text that is hard on a voice app: XML-ish, SSML-ish, control characters, emoji,
# right-to-left, combining marks, surrogate-free astral characters, very long runs.
nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["<speak>", "</speak>", "<break time=\"20s\"/>", "&", "&amp;", "<", ">", "\"",
                     "'", "]]>", "<![CDATA[x]]>", "{clinician}", "{}", "{0}", "%s", "\x00", "\u202e",
                     "\ufeff", "e\u0301", "\U0001F9B5", "left\u200b", "LEFT", "Left", "right ",
                     "forty", "-5", "0", "999999999999999999999", "3.5", "١٢", "30"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1000, max_size=3000),
    st.builds(lambda s, n: s * n, st.sampled_from(["a", "<", "&", "\U0001F9B5", "{"]),
              st.integers(10_000, 40_000)),
)

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                      st.floats(allow_nan=False, allow_infinity=False), nasty_text)
json_value = st.recursive(json_leaf, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)),
    max_leaves=12)

intent_names = st.one_of(st.sampled_from(KNOWN_INTENTS), nasty_text,
                         st.sampled_from(["AMAZON.MoreIntent", "AMAZON.ShuffleOnIntent", "Unknown"]))
slot_names = st.one_of(st.sampled_from(["leg", "seconds", "symptom"]), st.text(max_size=10))
slot_values = st.one_of(
    st.sampled_from(["left", "right", "both", "swelling", "chest pain", "breathless", "redness",
                     "30", "5", "61", "10", "60", "?", "forty"]),
    nasty_text)

# Attributes: valid ones (as the skill writes them), tampered ones, and random dicts.
valid_attributes = st.fixed_dictionaries(
    {"v": st.just(1)},
    optional={
        "routine": st.sampled_from(["relief", "bedtime"]),
        "round": st.integers(0, 3),
        "hold": st.integers(10, 60),
        "leg": st.sampled_from(["left", "right"]),
        "asked": st.sampled_from(["stretch", "menu", "start", "easing", "prevention", "bedtime",
                                  "next_round", "resume"]),
        "paused": st.booleans(),
        # the last answer as the skill keeps it (content keys, numbers, pauses), or nearly
        "last": st.fixed_dictionaries(
            {"say": st.lists(st.one_of(
                st.sampled_from(["okay", "help", "why.answer", "stretch.hold", "relief.start"]),
                st.tuples(st.sampled_from(["hold.chosen", "stretch.count"]),
                          st.dictionaries(st.sampled_from(["hold", "seconds"]),
                                          st.one_of(st.integers(-5, 10 ** 6), nasty_text),
                                          max_size=2)).map(list),
                st.floats(-1, 700), nasty_text), min_size=0, max_size=6)},
            optional={"ask": st.sampled_from(["easing", "start", "menu", "nope"])}),
    })
tampered_attributes = st.dictionaries(
    st.sampled_from(["v", "routine", "round", "hold", "leg", "asked", "paused", "last"]),
    json_value, max_size=8)
attributes = st.one_of(st.none(), valid_attributes, tampered_attributes,
                       st.dictionaries(st.text(max_size=10), json_value, max_size=5))


@st.composite
def slots(draw) -> dict:
    """Slots as Alexa fills them, or not quite: resolved, unresolved, missing values,
    unknown names, wrong types."""
    out: dict[str, Any] = {}
    for name in draw(st.lists(slot_names, max_size=4, unique=True)):
        shape = draw(st.integers(0, 4))
        value = draw(slot_values)
        if shape == 0:
            out[name] = envelopes.slot(name, value)
        elif shape == 1:
            out[name] = envelopes.slot(name, value, slot_type="LEG_SIDE",
                                       resolved=(draw(slot_values), value))
        elif shape == 2:
            out[name] = envelopes.slot(name, value, slot_type="SYMPTOM", resolved=None)
        elif shape == 3:
            out[name] = {"name": name}
        else:
            out[name] = draw(json_value)
    return out


@st.composite
def requests(draw) -> dict:
    kind = draw(st.sampled_from(REQUEST_TYPES + ["IntentRequest"] * 4))
    if kind == "IntentRequest":
        name = draw(intent_names)
        if draw(st.booleans()) and name in KNOWN_INTENTS:
            request = model_intent_request(name, {k: v for k, v in draw(st.dictionaries(
                st.sampled_from(["leg", "seconds", "symptom"]), slot_values, max_size=2)).items()})
        else:
            request = envelopes.intent_request(name, draw(slots()))
    else:
        request = {"type": kind}
        if kind == "SessionEndedRequest":
            request["reason"] = draw(st.sampled_from(["USER_INITIATED", "ERROR",
                                                      "EXCEEDED_MAX_REPROMPTS", "ODD"]))
            if draw(st.booleans()):
                request["error"] = {"type": "INVALID_RESPONSE", "message": draw(nasty_text)}
    return request


@st.composite
def realistic_envelopes(draw) -> dict:
    return envelopes.request_envelope(
        draw(requests()), locale=draw(st.sampled_from(LOCALES)), new=draw(st.booleans()),
        attributes=draw(attributes), application_id=SKILL_ID)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, prefix + (index,))
    return found


@st.composite
def mutated_envelopes(draw) -> Any:
    """A realistic envelope with one to four random changes at random places: a field
    deleted, replaced by a value of another type, or a new field added."""
    data = draw(realistic_envelopes())
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        if not path:
            data = draw(st.one_of(json_value, st.just(data)))
            continue
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.integers(0, 2))
        if action == 0:
            del parent[path[-1]]
        elif action == 1:
            parent[path[-1]] = draw(json_value)
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_value)
        if not isinstance(data, (dict, list)):
            break
    return data


any_envelope = st.one_of(realistic_envelopes(), mutated_envelopes(),
                         st.dictionaries(st.text(max_size=10), json_value, max_size=6), json_value)


# --- checks -----------------------------------------------------------------------------

def assert_alexa_accepts(answer: Any, sent: Any) -> None:
    assert isinstance(answer, dict), f"not a response envelope: {answer!r}"
    assert isinstance(answer.get("response"), dict), f"no response in {answer!r}"
    problems = response_problems(answer)
    assert not problems, f"{problems}\nfor {json.dumps(sent)[:1500]}\nanswer {json.dumps(answer)[:1500]}"


def assert_http_answer(status: int, body: bytes, sent: Any) -> None:
    assert status < 500, f"{status} {body[:500]!r} for {str(sent)[:1500]}"
    answer = json.loads(body)
    if status == 200:
        assert_alexa_accepts(answer, sent)
    else:
        assert isinstance(answer, dict) and set(answer) == {"error"}, answer


# --- fixtures ---------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def isolated(monkeypatch):
    """A fuzzed envelope may carry an API token and endpoint: no real call goes out."""
    forbid_network(monkeypatch)
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def quiet_logs(caplog):
    """The skill logs every unreadable envelope with its traceback: expected here."""
    caplog.set_level(logging.CRITICAL)


@pytest.fixture(scope="module")
def open_client():
    from skill.web.app import create_app

    app = create_app({"ASK_SDK_VERIFY_SIGNATURE": False, "ASK_SDK_VERIFY_TIMESTAMP": False})
    return app.test_client()


@pytest.fixture(scope="module")
def signed_client(pki):
    from skill.web.app import create_app

    return create_app({"ALEXA_SKILL_ID": SKILL_ID}, verifier=pki.verifier()).test_client()


# --- the Lambda entry point ---------------------------------------------------------------

# Found by this test: the answer to a SessionEndedRequest echoed the session attributes
# it was sent, however large and whatever they held.
ENDED_WITH_HUGE_ATTRIBUTES = envelopes.request_envelope(
    {"type": "SessionEndedRequest", "reason": "USER_INITIATED"}, new=False,
    attributes={"v": "\U0001F9B5" * 10231}, application_id=SKILL_ID)


@FUZZ
@given(envelope=realistic_envelopes())
@example(envelope=ENDED_WITH_HUGE_ATTRIBUTES)
def test_lambda_answers_every_realistic_envelope_within_alexas_rules(envelope):
    assert_alexa_accepts(lambda_handler(envelope, None), envelope)


@FUZZ
@given(envelope=any_envelope)
def test_lambda_never_raises_on_mutated_or_arbitrary_input(envelope):
    assert_alexa_accepts(lambda_handler(envelope, None), envelope)


@FUZZ
@given(turns=st.lists(st.one_of(intent_names, st.just("LaunchRequest")), min_size=2, max_size=8),
       locale=st.sampled_from(LOCALES[:6]))
def test_lambda_carries_any_sequence_of_turns_within_alexas_rules(turns, locale):
    """A whole session: the attributes the skill answered go into the next turn."""
    attributes, new = {}, True
    for name in turns:
        request = {"type": "LaunchRequest"} if name == "LaunchRequest" else (
            model_intent_request(name, None, locale) if name in KNOWN_INTENTS
            else envelopes.intent_request(name))
        envelope = envelopes.request_envelope(request, locale=locale, new=new,
                                              attributes=attributes, session_id="s")
        answer = lambda_handler(envelope, None)
        assert_alexa_accepts(answer, envelope)
        if answer["response"].get("shouldEndSession") is not False:
            attributes, new = {}, True
        else:
            attributes, new = answer.get("sessionAttributes") or {}, False


# --- the web service ------------------------------------------------------------------------

@FUZZ
@given(envelope=any_envelope)
def test_web_never_answers_5xx_with_verification_off(open_client, envelope):
    body = json.dumps(envelope).encode("utf-8")
    response = open_client.post("/", data=body, headers={"Content-Type": "application/json"})
    assert_http_answer(response.status_code, response.data, envelope)


@FUZZ
@given(body=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode),
                      st.builds(lambda n: b"[" * n + b"]" * n, st.integers(1, 50_000))))
def test_web_never_answers_5xx_on_raw_bytes(open_client, body):
    response = open_client.post("/", data=body, headers={"Content-Type": "application/json"})
    assert_http_answer(response.status_code, response.data, body)


@FUZZ
@given(envelope=st.one_of(realistic_envelopes(), mutated_envelopes()))
def test_web_never_answers_5xx_to_signed_requests(signed_client, pki, envelope):
    body = encode(envelope)
    response = signed_client.post("/", data=body, headers=pki.sign(body))
    assert_http_answer(response.status_code, response.data, envelope)


@FUZZ
@given(envelope=realistic_envelopes(),
       header=st.sampled_from(["SignatureCertChainUrl", "Signature-256"]),
       value=st.one_of(nasty_text.filter(lambda s: "\n" not in s and "\r" not in s and "\x00" not in s),
                       st.just("https://s3.amazonaws.com/echo.api/echo-api-cert.pem")))
def test_web_answers_400_to_signed_requests_with_a_tampered_header(signed_client, pki, envelope,
                                                                   header, value):
    body = encode(envelope)
    headers = pki.sign(body)
    if headers[header] == value:
        return
    try:
        headers[header] = value.encode("latin-1").decode("latin-1")
    except UnicodeEncodeError:
        return  # a header that HTTP cannot carry is not a request anyone can send
    response = signed_client.post("/", data=body, headers=headers)
    expected = 413 if len(body) > MAX_BODY_BYTES else 400  # the size cap comes first
    assert response.status_code == expected, (response.status_code, response.data)
    assert set(json.loads(response.data)) == {"error"}
