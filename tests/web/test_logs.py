"""Bounded logs: a client cannot make a log line long, and a flood of bad requests
cannot fill the disk faster than a bounded rate (lines about refusals are rate-limited)."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest

from skill.devtools.signing import cert_url
from skill.web.app import MAX_LOGGED_CHARS, LogBudget, create_app
from tests.support.requests import SKILL_ID, encode, launch_envelope

pytestmark = pytest.mark.usefixtures("no_network")

FLOOD = 3000


@pytest.fixture
def web_log():
    """What skill.web.app logs, as the text a log file would get."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("skill.web.app")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_a_flood_of_bad_requests_with_huge_values_writes_a_bounded_log(pki, web_log):
    client = create_app({"ALEXA_SKILL_ID": SKILL_ID}, verifier=pki.verifier()).test_client()
    huge = "x" * 7000
    body = encode(launch_envelope())
    kinds = [
        {"SignatureCertChainUrl": cert_url(huge + ".pem")},  # a 7 KB URL, no signature
        {"SignatureCertChainUrl": cert_url(huge), "Signature-256": "A" * 344},  # refused URL
        pki.sign(encode({"request": {"type": huge, "requestId": huge}}))  # signed, not an envelope
    ]
    start = time.monotonic()
    for number in range(FLOOD):
        client.post("/", data=body, headers=kinds[number % len(kinds)])
    elapsed = time.monotonic() - start
    lines = web_log.getvalue().splitlines()
    assert all(len(line) < 600 for line in lines), max(lines, key=len)
    budget = LogBudget()  # the app's defaults
    most_lines = budget._burst + budget._rate * elapsed + 1
    assert len(lines) <= most_lines, (len(lines), elapsed)
    assert len(web_log.getvalue()) <= 600 * most_lines
    assert huge[:MAX_LOGGED_CHARS + 1] not in web_log.getvalue()


def test_the_line_after_a_quiet_spell_says_how_many_were_left_out():
    now = [0.0]
    budget = LogBudget(per_second=1, burst=2, clock=lambda: now[0])
    assert [budget.take() for _ in range(5)] == [0, 0, None, None, None]
    now[0] += 1.0
    assert budget.take() == 3
    assert budget.take() is None


def test_refusals_name_how_many_lines_were_left_out(pki, web_log):
    client = create_app({"ALEXA_SKILL_ID": SKILL_ID}, verifier=pki.verifier()).test_client()
    sent = int(LogBudget()._burst) * 3
    for _ in range(sent):
        client.post("/", data=b"{}")
    time.sleep(0.2)  # the budget refills
    client.post("/", data=b"{}")
    lines = [json.loads(line.split("request ", 1)[1]) for line in web_log.getvalue().splitlines()]
    assert all(line["error"] == "missing certificate URL" for line in lines)
    assert len(lines) < sent  # the flood was cut
    # a later line names the count (which line depends on how fast the budget refilled)
    assert any(line.get("left_out", 0) > 0 for line in lines)
    # every refusal is either a line or counted in a later line
    assert len(lines) + sum(line.get("left_out", 0) for line in lines) == sent + 1


def test_answered_requests_are_always_logged(pki, web_log):
    client = create_app({"ALEXA_SKILL_ID": SKILL_ID}, verifier=pki.verifier()).test_client()
    for _ in range(int(LogBudget()._burst) + 10):
        client.post("/", data=b"{}")
    envelope = launch_envelope()
    body = encode(envelope)
    assert client.post("/", data=body, headers=pki.sign(body)).status_code == 200
    assert envelope["request"]["requestId"] in web_log.getvalue().splitlines()[-1]
