"""Cold start: a new Python process imports the Lambda entry point and answers one
LaunchRequest; the same for the floor. Runs alternate (skill, floor, skill, ...) so
that drift falls on both; the figures are medians.

Two settings:

- ``cached``: with the bytecode caches (``__pycache__``) in place, as on a machine
  where the packages were installed by pip.
- ``no_pyc``: the standard library has its bytecode, but the packages (ask-sdk,
  its dependencies, the skill) have none and nothing is written, so they are
  compiled from source at every start, as on Lambda when the deployment zip
  carries no ``.pyc`` files (a separate ``PYTHONPYCACHEPREFIX`` holding only the
  standard library's caches).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

from benchmarks.envelopes import LAUNCH, ROOT, reach

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD = os.path.join(HERE, "cold_child.py")
ENTRY_POINTS = {
    "skill": (os.path.join(ROOT, "lambda"), "lambda_function"),
    "floor": (HERE, "floor_lambda"),
}


def _environment(no_pyc: bool, cache_dir: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("PYTHON") or name == "PYTHONHASHSEED"}
    env["PYTHONPATH"] = ROOT  # the checkout's skill package, as the Lambda zip has it
    if no_pyc:
        env["PYTHONPYCACHEPREFIX"] = cache_dir
    return env


def _stdlib_only_cache(cache_dir: str, event_file: str, env: dict[str, str]) -> None:
    """Fill ``cache_dir`` with bytecode by one run of each entry point, then drop
    everything but the standard library's: the packages must compile from source."""
    for which in ENTRY_POINTS:
        _one(which, event_file, env)
    packages = {os.path.realpath(p) for p in sysconfig.get_paths().values()
                if "site-packages" in p} | {os.path.realpath(ROOT)}
    for package_dir in packages:
        shutil.rmtree(cache_dir + package_dir, ignore_errors=True)


def _one(which: str, event_file: str, env: dict[str, str]) -> dict:
    module_dir, module = ENTRY_POINTS[which]
    return cold_start(module_dir, module, event_file, env)


def cold_start(module_dir: str, module: str, event_file: str, env: dict[str, str]) -> dict:
    """One fresh interpreter importing ``module`` from ``module_dir`` and answering the
    event in ``event_file``: cold_child's figures, and the whole process's wall time."""
    env = {**env, "PYTHONPATH": os.pathsep.join([module_dir, env["PYTHONPATH"]])}
    start = time.perf_counter()
    finished = subprocess.run([sys.executable, CHILD, module, event_file],
                              env=env, capture_output=True, text=True, timeout=120)
    wall_ms = (time.perf_counter() - start) * 1000
    if finished.returncode != 0:
        raise RuntimeError(f"cold start of {module} failed:\n{finished.stderr}")
    figures = json.loads(finished.stdout.strip().splitlines()[-1])
    figures["process_wall_ms"] = wall_ms
    return figures


def run(*, runs: int = 15) -> dict:
    event = reach([], LAUNCH)
    results: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        event_file = os.path.join(folder, "launch.json")
        with open(event_file, "w", encoding="utf-8") as sink:
            json.dump(event, sink)
        for setting in ("cached", "no_pyc"):
            cache_dir = os.path.join(folder, f"empty-pycache-{setting}")
            os.makedirs(cache_dir)
            env = _environment(setting == "no_pyc", cache_dir)
            if setting == "cached":  # write the bytecode caches once, for both
                for which in ENTRY_POINTS:
                    _one(which, event_file, env)
            else:
                _stdlib_only_cache(cache_dir, event_file, env)
                env["PYTHONDONTWRITEBYTECODE"] = "1"
            samples: dict[str, list[dict]] = {which: [] for which in ENTRY_POINTS}
            for _ in range(runs):
                for which in ENTRY_POINTS:
                    samples[which].append(_one(which, event_file, env))
            results[setting] = _summary(samples)
    return results


def _summary(samples: dict[str, list[dict]]) -> dict:
    out: dict = {}
    for key in ("import_and_call_ms", "since_script_start_ms", "process_wall_ms",
                "import_ms", "first_call_ms"):
        skill = statistics.median(s[key] for s in samples["skill"])
        floor = statistics.median(s[key] for s in samples["floor"])
        out[key] = {"skill": round(skill, 1), "floor": round(floor, 1),
                    "ratio": round(skill / floor, 3)}
    out["modules"] = {which: samples[which][0]["modules"] for which in samples}
    out["runs"] = len(samples["skill"])
    return out


if __name__ == "__main__":
    print(json.dumps(run(runs=5), indent=1))
