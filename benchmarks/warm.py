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
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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


SETTINGS_API_ROW = "LaunchRequest + Settings API time zone (stand-in on 127.0.0.1)"


@contextmanager
def settings_api_stand_in():
    """The Alexa Settings API's time-zone call, answered on 127.0.0.1: what a launch
    with an API token costs when the API answers at once. (Alexa's real API is across
    the network: add its round trip.) Yields the apiEndpoint to put in the envelope."""
    class TimeZone(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            body = b'"Europe/London"'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), TimeZone)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run(*, calls: int = 100, rounds: int = 11, settings_api: bool = True) -> dict[str, dict]:
    import floor_lambda
    import lambda_function

    results = {}
    gc.collect()
    events = scenario_envelopes()
    for name, event in events.items():
        results[name] = compare(lambda_function.lambda_handler, floor_lambda.lambda_handler,
                                event, calls=calls, rounds=rounds)
    if settings_api:
        with settings_api_stand_in() as endpoint:
            event = copy.deepcopy(events["LaunchRequest"])
            event["context"]["System"].update(apiEndpoint=endpoint, apiAccessToken="benchmark")
            figures = compare(lambda_function.lambda_handler, floor_lambda.lambda_handler,
                              event, calls=max(10, calls // 5), rounds=rounds)
        results[SETTINGS_API_ROW] = {**figures, "informational": True}
    return results


if __name__ == "__main__":
    for name, figures in run().items():
        print(f"{name:45s} {figures['skill_us']:8.1f} us {figures['floor_us']:8.1f} us "
              f"x{figures['ratio']:.2f}")
