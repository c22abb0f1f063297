"""The request envelopes the benchmarks send: one per request type the skill handles,
each in a realistic state.

A state is reached the honest way: the turns before it are sent through the
skill's own ``lambda_handler`` by the session simulator, which carries the
session attributes it answered into the measured request, as Alexa would.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from skill.devtools.simulator import Session, load_lambda_entry, resolved_intent_request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def intent(name: str, **slot_values: str | int) -> dict:
    """An IntentRequest (the request part), its slots resolved against en-US's model."""
    return resolved_intent_request(name, slot_values)


LAUNCH = {"type": "LaunchRequest"}

# name -> (turns before it, the measured turn)
SCENARIOS: dict[str, tuple[list[dict], dict]] = {
    "LaunchRequest": ([], LAUNCH),
    "RelieveCrampIntent (one-shot, left leg, 40 s)": ([], intent("RelieveCrampIntent", leg="left",
                                                                       seconds=40)),
    # A launch with no known time zone counts as night: it goes straight into round 1.
    "AMAZON.YesIntent (easing after round 1)": ([LAUNCH], intent("AMAZON.YesIntent")),
    "AMAZON.NoIntent (not easing: round 2)": ([LAUNCH], intent("AMAZON.NoIntent")),
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


@lru_cache(maxsize=1)
def _lambda_handler() -> Callable[[dict, Any], dict]:
    return load_lambda_entry().lambda_handler  # type: ignore[no-any-return]


def reach(before: list[dict], turn: dict,
          handler: Callable[[dict, Any], dict] | None = None) -> dict:
    """The envelope for ``turn`` after the turns ``before``, with the session
    attributes the skill itself answered along the way."""
    session = Session(handler=handler or _lambda_handler(),
                      session_id="amzn1.echo-api.session.BENCHMARK")
    for earlier in before:
        if session.send(earlier).ended:
            raise RuntimeError(f"the session ended at {earlier}; the scenario is not realistic")
    return session.envelope(turn)


def scenario_envelopes() -> dict[str, dict]:
    return {name: reach(before, turn) for name, (before, turn) in SCENARIOS.items()}


def launch_envelope() -> dict:
    return copy.deepcopy(reach([], LAUNCH))


if __name__ == "__main__":  # print the envelopes, for a look
    print(json.dumps(scenario_envelopes(), indent=1))
