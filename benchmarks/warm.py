"""Warm request cost through ``lambda_handler``, per request type, against the floor.

Both entry points answer the same envelope in the same process; batches of the
skill and of the floor alternate so that drift (frequency scaling, a noisy
neighbour) falls on both. The figure per request type is the median, over the
rounds, of the mean time per call in a batch.
"""

from __future__ import annotations

import copy
import gc
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from benchmarks.envelopes import scenario_envelopes
from skill.devtools.simulator import load_lambda_entry

Handler = Callable[[dict, Any], dict]


def _batch(handler: Handler, event: dict, calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        handler(event, None)
    return (time.perf_counter_ns() - start) / calls / 1000  # microseconds per call


def compare(skill: Handler, floor: Handler, event: dict, *, calls: int, rounds: int) -> dict:
    for handler in (skill, floor):  # warm both: caches, first-call imports
        _batch(handler, event, max(10, calls // 5))
    skill_times, floor_times = [], []
    for _ in range(rounds):
        skill_times.append(_batch(skill, event, calls))
        floor_times.append(_batch(floor, event, calls))
    skill_us, floor_us = statistics.median(skill_times), statistics.median(floor_times)
    return {"skill_us": round(skill_us, 1), "floor_us": round(floor_us, 1),
            "ratio": round(skill_us / floor_us, 3)}


SETTINGS_API_ROW = "LaunchRequest + Settings API time zone (stand-in on 127.0.0.1)"
CACHED_ZONE_ROW = "LaunchRequest + time zone cached in the process"


@contextmanager
def settings_api_stand_in():
    """The skill's own stand-in of the Alexa API on 127.0.0.1, reached the way the skill
    is told to reach one (LEG_CRAMP_ALEXA_API): what a launch with an API token costs
    when the API answers at once. (Alexa's real API is across the network: add its
    round trip.)"""
    import os

    from skill.alexa import build
    from skill.devtools.alexa_api import AlexaApiStandIn

    before = os.environ.get("LEG_CRAMP_ALEXA_API")
    with AlexaApiStandIn() as api:
        os.environ["LEG_CRAMP_ALEXA_API"] = api.url
        build._skill.cache_clear()
        try:
            yield api
        finally:
            if before is None:
                os.environ.pop("LEG_CRAMP_ALEXA_API", None)
            else:
                os.environ["LEG_CRAMP_ALEXA_API"] = before
            build._skill.cache_clear()


def run(*, calls: int = 100, rounds: int = 11, settings_api: bool = True) -> dict[str, dict]:
    from benchmarks import floor_lambda

    lambda_function = load_lambda_entry()

    results = {}
    gc.collect()
    events = scenario_envelopes()
    for name, event in events.items():
        results[name] = compare(lambda_function.lambda_handler, floor_lambda.lambda_handler,
                                event, calls=calls, rounds=rounds)
    if settings_api:
        from skill.alexa import local_time

        def uncached(event: dict, context: Any) -> dict:
            local_time.ZONES.clear()
            return lambda_function.lambda_handler(event, context)

        with settings_api_stand_in():
            event = copy.deepcopy(events["LaunchRequest"])
            event["context"]["System"].update(apiAccessToken="benchmark")
            figures = compare(uncached, floor_lambda.lambda_handler,
                              event, calls=max(10, calls // 5), rounds=rounds)
            results[SETTINGS_API_ROW] = {**figures, "informational": True}
            results[CACHED_ZONE_ROW] = compare(lambda_function.lambda_handler, floor_lambda.lambda_handler,
                                               event, calls=calls, rounds=rounds)
        local_time.ZONES.clear()
    return results


if __name__ == "__main__":
    for name, figures in run().items():
        print(f"{name:45s} {figures['skill_us']:8.1f} us {figures['floor_us']:8.1f} us "
              f"x{figures['ratio']:.2f}")
