"""Warm request cost through ``lambda_handler``, per request type, against the floor.

Both entry points answer the same envelope in the same process; batches of the
skill and of the floor alternate so that drift (frequency scaling, a noisy
neighbour) falls on both. The figure per request type is the median, over the
rounds, of the mean time per call in a batch.
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Any, Callable

from envelopes import scenario_envelopes

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


def run(*, calls: int = 100, rounds: int = 11) -> dict[str, dict]:
    import floor_lambda
    import lambda_function

    results = {}
    gc.collect()
    for name, event in scenario_envelopes().items():
        results[name] = compare(lambda_function.lambda_handler, floor_lambda.lambda_handler,
                                event, calls=calls, rounds=rounds)
    return results


if __name__ == "__main__":
    for name, figures in run().items():
        print(f"{name:45s} {figures['skill_us']:8.1f} us {figures['floor_us']:8.1f} us "
              f"x{figures['ratio']:.2f}")
