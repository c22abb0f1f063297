"""What remembering costs: the skill with a store configured, against floors measured
in the same run.

- Warm routine turns (the turns of a stretch, inside a session) with a store
  configured, SQLite and DynamoDB, against the SDK floor (``floor_lambda``): they
  must not touch the store.
- A warm launch whose record holds a fresh time zone (so no Settings API call),
  on SQLite and on DynamoDB (moto in server mode on 127.0.0.1), against the floor
  skill that reads the same store through the same adapter on every request
  (``floor_store_lambda.floor_skill``). The launches carry an API token and the
  Alexa API stand-in counts the calls: none may be made while measuring.
- Cold start with DynamoDB configured: a new process imports the entry point and
  answers one launch (reading the record), against the minimal ask-sdk skill on the
  official DynamoDB adapter (``floor_store_lambda``), bytecode cached, runs
  alternating, medians.

Everything runs through ``lambda_function.lambda_handler``, configured as on Lambda
(``LEG_CRAMP_STORE``, the standard AWS variables).
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import tempfile
from typing import Any

from benchmarks.cold import cold_start
from benchmarks.envelopes import LAUNCH, ROOT, SCENARIOS, reach
from benchmarks.warm import compare

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = "leg-cramp-helper-benchmark"


@contextlib.contextmanager
def environment(**values: str):
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _routine_scenarios() -> dict[str, tuple[list[dict], dict]]:
    """The scenarios whose measured turn is inside a session (not its first turn)."""
    return {name: scenario for name, scenario in SCENARIOS.items() if scenario[0]}


def _launch_with_token() -> dict:
    from skill.devtools.envelopes import request_envelope

    return request_envelope(LAUNCH, session_id="amzn1.echo-api.session.BENCHMARK", new=True,
                            api_access_token="benchmark")


def _warm_rows(store_name: str, calls: int, rounds: int, api) -> dict[str, dict]:
    from skill.devtools.simulator import load_lambda_entry

    lambda_function = load_lambda_entry()

    from benchmarks import floor_lambda, floor_store_lambda
    from skill.alexa import build, local_time, store
    from skill.alexa.api_client import AlexaApiClient
    from skill.alexa.services import Services

    build._skill.cache_clear()
    local_time.ZONES.clear()
    skill = lambda_function.lambda_handler
    forgetful = build.build_skill(Services(api_client=AlexaApiClient(stand_in=api.url)))

    def no_store(event: dict, context: Any) -> dict:
        return build.answer(forgetful, event, context)

    rows = {}
    for name, (before, turn) in _routine_scenarios().items():
        event = reach(before, turn, handler=skill)
        figures = compare(skill, floor_lambda.lambda_handler, event, calls=calls, rounds=rounds)
        # the same turn by the same skill with no store at all: what the store adds
        figures["to_no_store"] = compare(skill, no_store, event, calls=calls, rounds=max(3, rounds // 3))["ratio"]
        rows[f"{store_name}: {name}"] = figures
    launch = _launch_with_token()
    first = skill(launch, None)  # the first launch: the full disclaimer and the time zone are stored
    assert first["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    local_time.ZONES.clear()  # from here on only the record knows the zone
    calls_before = len(api.calls_to("settings"))
    floor = floor_store_lambda.floor_skill(store.from_environment("lambda"))
    figures = compare(skill, floor, launch, calls=max(10, calls // 4), rounds=rounds)
    figures["settings_api_calls_while_measuring"] = len(api.calls_to("settings")) - calls_before
    rows[f"{store_name}: LaunchRequest, time zone fresh in the record, vs the floor reading the same store"] = {
        **figures, "target": "store"}
    return rows


def _cold_once(which: str, event_file: str, env: dict[str, str]) -> dict:
    module_dir, module = {"skill": (os.path.join(ROOT, "lambda"), "lambda_function"),
                          "floor": (HERE, "floor_store_lambda")}[which]
    return cold_start(module_dir, module, event_file, env)


def _cold(runs: int, folder: str, aws_env: dict[str, str]) -> dict:
    from skill.devtools.envelopes import request_envelope

    event_file = os.path.join(folder, "launch.json")
    with open(event_file, "w", encoding="utf-8") as sink:
        json.dump(request_envelope(LAUNCH), sink)
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("PYTHON") and name not in ("LEG_CRAMP_STORE", "LEG_CRAMP_ALEXA_API")}
    env.update(aws_env, PYTHONPATH=ROOT, LEG_CRAMP_STORE=f"dynamodb://{TABLE}", FLOOR_TABLE=TABLE)
    for which in ("skill", "floor"):  # bytecode caches written, the record in place (no write at launch)
        _cold_once(which, event_file, env)
    samples: dict[str, list[dict]] = {"skill": [], "floor": []}
    for _ in range(runs):
        for which in samples:
            samples[which].append(_cold_once(which, event_file, env))
    out: dict[str, Any] = {}
    for key in ("import_and_call_ms", "process_wall_ms", "import_ms", "first_call_ms"):
        skill = statistics.median(s[key] for s in samples["skill"])
        floor = statistics.median(s[key] for s in samples["floor"])
        out[key] = {"skill": round(skill, 1), "floor": round(floor, 1), "ratio": round(skill / floor, 3)}
    out["modules"] = {which: samples[which][0]["modules"] for which in samples}
    out["runs"] = runs
    return out


def run(*, calls: int = 100, rounds: int = 15, cold_runs: int = 15) -> dict:
    from skill.devtools.alexa_api import AlexaApiStandIn
    from skill.devtools.dynamodb_local import AWS_TEST_ENV, MotoServer, create_table

    results: dict[str, Any] = {"warm": {}}
    with MotoServer() as moto, AlexaApiStandIn() as api, tempfile.TemporaryDirectory() as folder:
        aws_env = {**AWS_TEST_ENV, "AWS_ENDPOINT_URL_DYNAMODB": moto.url}
        create_table(moto.client(), TABLE)
        api.state.zones["amzn1.ask.device.LOCAL"] = "America/New_York"
        with environment(**aws_env, LEG_CRAMP_ALEXA_API=api.url):
            with environment(LEG_CRAMP_STORE=f"sqlite://{folder}/preferences.sqlite3"):
                results["warm"].update(_warm_rows("SQLite", calls, rounds, api))
            with environment(LEG_CRAMP_STORE=f"dynamodb://{TABLE}"):
                results["warm"].update(_warm_rows("DynamoDB", calls, rounds, api))
        from skill.alexa import build

        build._skill.cache_clear()
        results["cold"] = _cold(cold_runs, folder, aws_env)
    return results


if __name__ == "__main__":
    print(json.dumps(run(calls=40, rounds=5, cold_runs=5), indent=1))
