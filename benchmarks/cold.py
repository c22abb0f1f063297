"""Cold start from the Lambda zip: a new Python process imports the entry point and
answers one LaunchRequest; the same for the floor. Runs alternate (skill, floor,
floor, skill, ...) so that drift falls on both; the figures are medians.

The zip is built once per run by the project's own ``skill.devtools.package`` (pip
fetches the dependencies: PyPI must be reachable) and unpacked into a temporary
folder; ``floor_lambda.py`` is copied into the same folder, so both import the same
ask-sdk, with the bytecode the zip ships, from the same place. Each process runs
with ``-S -P`` and ``PYTHONPATH`` set to that folder alone: nothing can come from
this machine's site-packages or from benchmarks/ (the child script's folder), and
nothing is written (``PYTHONDONTWRITEBYTECODE``, as on Lambda's read-only file system).

Two settings:

- ``zip``: only ``time``, ``sys`` and ``json`` are loaded before the clock starts
  (the target is on this one).
- ``zip_runtime``: first the standard-library modules the Lambda Python runtime's
  own bootstrap (awslambdaric) has imported before it imports the handler
  (``LAMBDA_RUNTIME_IMPORTS``), as the Init phase on Lambda starts. Information.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

from benchmarks.envelopes import LAUNCH, reach

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD = os.path.join(HERE, "cold_child.py")
ENTRY_POINTS = {"skill": "lambda_function", "floor": "floor_lambda"}
#: What awslambdaric's bootstrap.py (and the modules it loads: lambda_context,
#: lambda_runtime_client, lambda_runtime_log_utils, lambda_runtime_marshaller) imports
#: from the standard library before it imports the handler. It also loads simplejson
#: and its own C client, which are not here; it leaves http.client and ssl out on purpose.
LAMBDA_RUNTIME_IMPORTS = ("importlib", "json", "logging", "traceback", "datetime", "enum",
                          "decimal", "math", "concurrent.futures.thread")
SETTINGS = {"zip": (), "zip_runtime": LAMBDA_RUNTIME_IMPORTS}


def build_unpacked(folder: str) -> tuple[str, int]:
    """Build the Lambda zip with the project's own packaging, unpack it into
    ``folder/lambda`` with the floor beside the entry point; (that folder, zip bytes)."""
    from skill.devtools import package

    _, zip_path = package.build(os.path.join(folder, "dist"))
    code = os.path.join(folder, "lambda")
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(code)
    tag = sys.implementation.cache_tag
    for compiled in (f"ask_sdk_core/__pycache__/skill.{tag}.pyc", f"skill/alexa/__pycache__/build.{tag}.pyc"):
        if not os.path.isfile(os.path.join(code, compiled)):
            raise RuntimeError(f"the zip has no {compiled}: built for another Python than {sys.version}")
    shutil.copy2(os.path.join(HERE, "floor_lambda.py"), code)
    return code, os.path.getsize(zip_path)


def _environment(code: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PYTHON", "LEG_CRAMP_", "ALEXA_", "AWS_", "COLD_"))}
    env.update(PYTHONPATH=code, PYTHONDONTWRITEBYTECODE="1")
    return env


def cold_start(module_dir: str, module: str, event_file: str, env: dict[str, str],
               python_options: tuple[str, ...] = ()) -> dict:
    """One fresh interpreter importing ``module`` from ``module_dir`` and answering the
    event in ``event_file``: cold_child's figures, and the whole process's wall time."""
    path = os.pathsep.join(filter(None, [module_dir, env.get("PYTHONPATH")]))
    env = {**env, "PYTHONPATH": path}
    start = time.perf_counter()
    finished = subprocess.run([sys.executable, *python_options, CHILD, module, event_file],
                              env=env, capture_output=True, text=True, timeout=120)
    wall_ms = (time.perf_counter() - start) * 1000
    if finished.returncode != 0:
        raise RuntimeError(f"cold start of {module} failed:\n{finished.stderr}")
    figures = json.loads(finished.stdout.strip().splitlines()[-1])
    if not os.path.realpath(figures["module_file"]).startswith(os.path.realpath(module_dir)):
        raise RuntimeError(f"{module} came from {figures['module_file']}, not {module_dir}")
    figures["process_wall_ms"] = wall_ms
    return figures


def run(*, runs: int = 15) -> dict:
    event = reach([], LAUNCH)
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="leg-cramp-cold-") as folder:
        code, zip_bytes = build_unpacked(folder)
        results["zip_bytes"] = zip_bytes
        event_file = os.path.join(folder, "launch.json")
        with open(event_file, "w", encoding="utf-8") as sink:
            json.dump(event, sink)
        env = _environment(code)
        for setting, preload in SETTINGS.items():
            setting_env = {**env, "COLD_PRELOAD": ",".join(preload)}

            def one(which: str, setting_env: dict[str, str] = setting_env) -> dict:
                return cold_start(code, ENTRY_POINTS[which], event_file, setting_env, ("-S", "-P"))

            for which in ENTRY_POINTS:  # once each, unmeasured: the files in the page cache
                one(which)
            samples: dict[str, list[dict]] = {which: [] for which in ENTRY_POINTS}
            for round_number in range(runs):  # skill, floor, floor, skill, ...: neither always goes first
                for which in list(ENTRY_POINTS)[::1 if round_number % 2 == 0 else -1]:
                    samples[which].append(one(which))
            results[setting] = _summary(samples)
            results[setting]["preloaded"] = list(preload)
    return results


def _summary(samples: dict[str, list[dict]]) -> dict:
    out: dict = {}
    for key in ("import_and_call_ms", "import_and_call_cpu_ms", "since_script_start_ms", "process_wall_ms",
                "import_ms", "first_call_ms"):
        skill = statistics.median(s[key] for s in samples["skill"])
        floor = statistics.median(s[key] for s in samples["floor"])
        best_skill = min(s[key] for s in samples["skill"])
        best_floor = min(s[key] for s in samples["floor"])
        out[key] = {"skill": round(skill, 1), "floor": round(floor, 1), "ratio": round(skill / floor, 3),
                    # the fastest of each: what is left when other processes get in the way least
                    "best": {"skill": round(best_skill, 1), "floor": round(best_floor, 1),
                             "ratio": round(best_skill / best_floor, 3)}}
    out["modules"] = {which: samples[which][0]["modules"] for which in samples}
    out["runs"] = len(samples["skill"])
    return out


if __name__ == "__main__":
    print(json.dumps(run(runs=9), indent=1))
