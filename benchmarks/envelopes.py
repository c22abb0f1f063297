"""The request envelopes the benchmarks send: one per request type the skill handles,
each in a realistic state.

A state is reached the honest way: the turns before it are sent through the
skill's own ``lambda_handler`` and the session attributes it answered are
carried into the measured request, as Alexa would.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Callable
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for _path in (ROOT, os.path.join(ROOT, "lambda")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from skill.devtools import envelopes as _envelopes  # noqa: E402  the project's one envelope builder

sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
import conversation as _conversation  # noqa: E402  slots resolved against the model, as Alexa does


def intent(name: str, **slot_values: str | int) -> dict:
    """An IntentRequest (the request part), its slots resolved against en-US's model."""
    return _conversation.intent_request(name, slot_values)


LAUNCH = {"type": "LaunchRequest"}

# name -> (turns before it, the measured turn)
SCENARIOS: dict[str, tuple[list[dict], dict]] = {
    "LaunchRequest": ([], LAUNCH),
    "RelieveCrampIntent (one-shot, left leg, 40 s)": ([], intent("RelieveCrampIntent", leg="left",
                                                                       seconds=40)),
    "AMAZON.YesIntent (cramping: round 1)": ([LAUNCH], intent("AMAZON.YesIntent")),
    "AMAZON.NoIntent (not easing: round 2)": ([LAUNCH, intent("AMAZON.YesIntent")],
                                              intent("AMAZON.NoIntent")),
    "RelieveCrampIntent (again: round 2)": ([intent("RelieveCrampIntent")],
                                            intent("RelieveCrampIntent")),
    "WhyCrampsIntent": ([LAUNCH], intent("WhyCrampsIntent")),
    "PreventCrampsIntent": ([LAUNCH, intent("WhyCrampsIntent")], intent("PreventCrampsIntent")),
    "BedtimeStretchIntent": ([LAUNCH], intent("BedtimeStretchIntent")),
    "AMAZON.NextIntent (bedtime round 2)": ([intent("BedtimeStretchIntent")],
                                           intent("AMAZON.NextIntent")),
    "WarningSignsIntent (swelling, mid-stretch)": ([intent("RelieveCrampIntent")],
                                                   intent("WarningSignsIntent", symptom="swelling")),
    "AMAZON.HelpIntent (mid-stretch)": ([intent("RelieveCrampIntent")], intent("AMAZON.HelpIntent")),
    "AMAZON.RepeatIntent (mid-stretch)": ([intent("RelieveCrampIntent")],
                                          intent("AMAZON.RepeatIntent")),
    "AMAZON.PauseIntent (mid-stretch)": ([intent("RelieveCrampIntent")], intent("AMAZON.PauseIntent")),
    "AMAZON.ResumeIntent (paused)": ([intent("RelieveCrampIntent"), intent("AMAZON.PauseIntent")],
                                     intent("AMAZON.ResumeIntent")),
    "AMAZON.StartOverIntent (mid-stretch)": ([intent("RelieveCrampIntent")],
                                             intent("AMAZON.StartOverIntent")),
    "AMAZON.FallbackIntent": ([LAUNCH], intent("AMAZON.FallbackIntent")),
    "AMAZON.NavigateHomeIntent": ([intent("WhyCrampsIntent")], intent("AMAZON.NavigateHomeIntent")),
    "AMAZON.StopIntent (mid-stretch)": ([intent("RelieveCrampIntent")], intent("AMAZON.StopIntent")),
    "AMAZON.CancelIntent": ([LAUNCH], intent("AMAZON.CancelIntent")),
    "SessionEndedRequest": ([LAUNCH], {"type": "SessionEndedRequest", "reason": "USER_INITIATED"}),
}


def _build(request: dict, attributes: dict | None, new: bool) -> dict:
    return _envelopes.request_envelope(
        request, session_id="amzn1.echo-api.session.BENCHMARK", new=new, attributes=attributes)


def reach(before: list[dict], turn: dict,
          handler: Callable[[dict, Any], dict] | None = None) -> dict:
    """The envelope for ``turn`` after the turns ``before``, with the session
    attributes the skill itself answered along the way."""
    handler = handler or _conversation.lambda_handler
    attributes: dict | None = None
    for number, earlier in enumerate(before):
        answer = handler(_build(earlier, attributes, number == 0), None)
        if answer.get("response", {}).get("shouldEndSession") is not False:
            raise RuntimeError(f"the session ended at {earlier}; the scenario is not realistic")
        attributes = answer.get("sessionAttributes")
    return _build(turn, attributes, not before)


def scenario_envelopes() -> dict[str, dict]:
    return {name: reach(before, turn) for name, (before, turn) in SCENARIOS.items()}


def launch_envelope() -> dict:
    return copy.deepcopy(reach([], LAUNCH))


if __name__ == "__main__":  # print the envelopes, for a look
    print(json.dumps(scenario_envelopes(), indent=1))
