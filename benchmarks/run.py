"""Run every benchmark, print one table, write the figures to benchmarks/results/latest.json.

    python -m benchmarks.run            # everything, a few minutes on 2 cores
    python -m benchmarks.run --quick    # fewer rounds and requests, to check it works
    python -m benchmarks.run --only warm,cold

Every figure is a ratio to a baseline measured in the same run, beside the absolute
numbers: the skill against the smallest ask-sdk-core skill (warm and cold), signed
requests against verification off (in the app, and over HTTP under load).
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import platform
import subprocess
import sys
import time

from benchmarks.envelopes import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))

TARGETS = {
    "warm": ("every request type at most 1.3 x the floor", 1.3),
    "cold": ("from the unpacked Lambda zip: at most 1.2 x the floor importing the same ask-sdk from the same "
             "folder (in-process import + first answer, and process wall); the zip at most 6 MB", 1.2),
    "verify": ("verification adds at most 10 % (on / off at most 1.10)", 1.10),
    "http": ("zero errors; verification on keeps at least 0.8 of the throughput of off", 0.8),
    "store": ("with a store configured: routine turns at most 1.3 x the SDK floor, a launch with the time "
              "zone in the record at most 1.3 x the floor reading the same store", 1.3),
    "store_cold": ("cold start with DynamoDB configured at most 1.0 x the minimal skill on the official "
                   "DynamoDB adapter", 1.0),
}
PARTS = ("warm", "cold", "verify", "http", "store")


def machine() -> dict:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    versions = {}
    for package in ("ask-sdk-core", "ask-sdk-model", "flask", "gunicorn", "cryptography"):
        try:
            from importlib.metadata import version
            versions[package] = version(package)
        except Exception:  # noqa: BLE001 - a missing package just goes unreported
            versions[package] = None
    try:
        wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    except OSError:
        wrk = None
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or None
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform(), "packages": versions, "wrk": wrk or None,
            "commit": commit, "when": datetime.datetime.now(datetime.UTC).isoformat(
                timespec="seconds")}


def _row(rows: list, what: str, measured: str, baseline: str, ratio: float | None, ok: bool | None):
    rows.append((what, measured, baseline, "" if ratio is None else f"{ratio:.2f}",
                 {True: "met", False: "MISSED", None: ""}[ok]))


def table(results: dict) -> str:
    rows: list[tuple] = []
    limit = TARGETS["warm"][1]
    for name, figures in results.get("warm", {}).items():
        _row(rows, f"warm: {name}", f"{figures['skill_us']:.0f} us", f"{figures['floor_us']:.0f} us",
             figures["ratio"], None if figures.get("informational") else figures["ratio"] <= limit)
    if "cold" in results:
        cold = results["cold"]
        from skill.devtools.package import MAX_ZIP_BYTES

        megabytes, limit_mb = cold["zip_bytes"] / 1024 / 1024, MAX_ZIP_BYTES / 1024 / 1024
        _row(rows, "cold: the Lambda zip", f"{megabytes:.1f} MB", f"{limit_mb:.0f} MB", None,
             cold["zip_bytes"] <= MAX_ZIP_BYTES)
        for setting, label in (("zip", "from the zip"), ("zip_runtime", "from the zip, after the runtime's imports")):
            for key, what in (("import_and_call_ms", "import + first answer"),
                              ("import_and_call_cpu_ms", "import + first answer, CPU time"),
                              ("process_wall_ms", "whole process")):
                f = cold[setting][key]
                _row(rows, f"cold ({label}): {what}", f"{f['skill']:.0f} ms", f"{f['floor']:.0f} ms",
                     f["ratio"], f["ratio"] <= TARGETS["cold"][1] if setting == "zip" else None)
                best = f["best"]
                _row(rows, f"  fastest of {cold[setting]['runs']} runs", f"{best['skill']:.0f} ms",
                     f"{best['floor']:.0f} ms", best["ratio"], None)
    if "store" in results:
        for name, figures in results["store"]["warm"].items():
            extra = f" ({figures['to_no_store']:.2f} x the skill with no store)" if "to_no_store" in figures else ""
            _row(rows, f"store, warm: {name}", f"{figures['skill_us']:.0f} us{extra}",
                 f"{figures['floor_us']:.0f} us", figures["ratio"], figures["ratio"] <= TARGETS["store"][1])
        cold = results["store"]["cold"]
        for key, label in (("import_and_call_ms", "import + first answer"), ("process_wall_ms", "whole process")):
            f = cold[key]
            _row(rows, f"store, cold start with DynamoDB: {label}", f"{f['skill']:.0f} ms", f"{f['floor']:.0f} ms",
                 f["ratio"], f["ratio"] <= TARGETS["store_cold"][1])
    if "verify" in results:
        v = results["verify"]
        _row(rows, "verify: signed LaunchRequest in the app (cache warm)", f"{v['on_us']:.0f} us",
             f"{v['off_us']:.0f} us (off)", v["ratio"], v["ratio"] <= TARGETS["verify"][1])
    if "http" in results:
        h = results["http"]
        on, off = h["verification_on"], h["verification_off"]
        for name, f in (("on", on), ("off", off)):
            _row(rows, f"http ({h['client']}, {h['connections']} conn), verification {name}",
                 f"{f['throughput_rps']:.0f} req/s, p50 {f['p50_ms']:.2f} ms, p99 {f['p99_ms']:.2f} ms, "
                 f"{f['requests']} requests, {f['errors']} errors", "", None, f["errors"] == 0)
        _row(rows, "http: throughput, verification on / off", f"{on['throughput_rps']:.0f} req/s",
             f"{off['throughput_rps']:.0f} req/s", h["throughput_ratio_on_to_off"],
             h["throughput_ratio_on_to_off"] >= TARGETS["http"][1])
        _row(rows, "memory: VmRSS of each worker after the load (verification on)",
             ", ".join(f"{m} MiB" for m in on["worker_rss_mib"]),
             "", None, None)
    header = ("what", "measured", "baseline", "ratio", "target")
    widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(len(header))]
    lines = [" | ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True)),
             "-+-".join("-" * width for width in widths)]
    lines += [" | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, to check it works")
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"comma-separated parts to run (default: {','.join(PARTS)})")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "latest.json"),
                        help="where to write the JSON (default benchmarks/results/latest.json)")
    args = parser.parse_args(argv)
    parts = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    # The web app warns about verification being off on every create_app: not news here.
    logging.getLogger("skill.web.app").setLevel(logging.ERROR)

    results: dict = {"machine": machine(), "targets": {k: v[0] for k, v in TARGETS.items()}}
    started = time.perf_counter()
    for part in parts:
        began = time.perf_counter()
        print(f"running {part} ...", file=sys.stderr, flush=True)
        if part == "warm":
            from benchmarks import warm
            results["warm"] = warm.run(calls=40 if args.quick else 100, rounds=5 if args.quick else 15)
        elif part == "cold":
            from benchmarks import cold
            results["cold"] = cold.run(runs=3 if args.quick else 21)
        elif part == "verify":
            from benchmarks import verify_bench
            results["verify"] = verify_bench.run(calls=40 if args.quick else 100,
                                                 rounds=5 if args.quick else 21)
        elif part == "store":
            from benchmarks import store_bench
            results["store"] = store_bench.run(calls=40 if args.quick else 100, rounds=5 if args.quick else 15,
                                               cold_runs=3 if args.quick else 15)
        elif part == "http":
            from benchmarks import http_load
            results["http"] = http_load.run(min_requests=2000 if args.quick else 10_000,
                                            warmup_seconds=1 if args.quick else 2,
                                            min_seconds=2 if args.quick else 10)
        print(f"  {part}: {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    results["seconds"] = round(time.perf_counter() - started, 1)

    m = results["machine"]
    print(f"\nLeg Cramp Helper benchmarks, {m['when']}, commit {m['commit']}")
    print(f"machine: {m['nproc']} x {m['cpu']}, Python {m['python']}, {m['platform']}")
    print(f"packages: {', '.join(f'{k} {v}' for k, v in m['packages'].items())}; {m['wrk']}\n")
    print(table(results))
    print(f"\n{results['seconds']:.0f} s in all")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as sink:
        json.dump(results, sink, indent=1)
    print(f"figures written to {os.path.relpath(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
