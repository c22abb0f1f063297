"""HTTP load: the real server (gunicorn, 2 BufferingWorker workers, skill.web, skill.verify) on
127.0.0.1 under a load generator, 4 concurrent connections, with verification on
and off; then the resident memory of each worker.

The server is started as the tests start it (skill.devtools.local_server ``start_signed_server``:
skill.serve.SkillServer with the same gunicorn options as ``leg-cramp-helper serve``,
a verifier that trusts the test CA and reads the chain from a file). One LaunchRequest
is signed at the start, with a timestamp of now, and sent over and over: the
timestamp check passes for 150 s, so each load run is kept well under that.

The load generator is wrk (Debian package ``wrk``) with benchmarks/post.lua; without
wrk, a Python client with keep-alive connections in threads does the same (it
competes harder with the server for the CPU, so its figures are lower).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.verify_bench import launch_body
from skill.devtools import envelopes
from skill.devtools.local_server import start_signed_server
from skill.devtools.signing import SigningPKI

HERE = Path(__file__).resolve().parent
CONNECTIONS = 4
MIN_REQUESTS = 10_000
MAX_SECONDS = 60  # one load run; the signed timestamp is good for 150 s

OFF = {"ASK_SDK_VERIFY_SIGNATURE": False, "ASK_SDK_VERIFY_TIMESTAMP": False}


def worker_pids(master: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(entry))
    return sorted(children)


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def _wrk(url: str, seconds: float, body_file: str, headers: dict[str, str]) -> dict:
    env = {**os.environ, "BENCH_BODY_FILE": body_file,
           "BENCH_CERT_URL": headers.get("SignatureCertChainUrl", ""),
           "BENCH_SIGNATURE": headers.get("Signature-256", "")}
    threads = min(2, CONNECTIONS)
    finished = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s",
         "--timeout", "5s", "-s", str(HERE / "post.lua"), url],
        env=env, capture_output=True, text=True, timeout=seconds + 30)
    line = next((row for row in finished.stdout.splitlines() if row.startswith("WRK_JSON ")), None)
    if finished.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed:\n{finished.stdout}\n{finished.stderr}")
    raw = json.loads(line[len("WRK_JSON "):])
    errors = sum(raw["errors"].values())
    return {"requests": raw["requests"], "seconds": raw["duration_us"] / 1e6,
            "throughput_rps": raw["requests"] / (raw["duration_us"] / 1e6),
            "p50_ms": raw["latency_us"]["p50"] / 1000, "p90_ms": raw["latency_us"]["p90"] / 1000,
            "p99_ms": raw["latency_us"]["p99"] / 1000, "max_ms": raw["latency_us"]["max"] / 1000,
            "errors": errors, "error_kinds": raw["errors"], "client": "wrk"}


def _python_client(url: str, seconds: float, body: bytes, headers: dict[str, str]) -> dict:
    host, port = url.split("//", 1)[1].rstrip("/").split(":")
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(CONNECTIONS)]
    errors = [0] * CONNECTIONS

    def connection_loop(index: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                connection.request("POST", "/", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[index] += 1
            except OSError:
                errors[index] += 1
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=5)
                continue
            latencies[index].append(time.perf_counter() - start)
        connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=connection_loop, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = sorted(value for values in latencies for value in values)
    count = len(every) + sum(errors)

    def percentile(p: float) -> float:
        return every[min(len(every) - 1, int(p / 100 * len(every)))] * 1000 if every else 0.0

    return {"requests": count, "seconds": elapsed, "throughput_rps": count / elapsed,
            "p50_ms": percentile(50), "p90_ms": percentile(90), "p99_ms": percentile(99),
            "max_ms": every[-1] * 1000 if every else 0.0, "errors": sum(errors),
            "client": "python (http.client, threads)"}


def load(url: str, seconds: float, body: bytes, body_file: str, headers: dict[str, str],
         client: str) -> dict:
    if client == "wrk":
        return _wrk(url, seconds, body_file, headers)
    return _python_client(url, seconds, body, headers)


def _one_setting(name: str, config: dict, pki, folder: Path, body: bytes, body_file: str,
                 headers: dict[str, str], client: str, warmup_seconds: float,
                 min_requests: int, min_seconds: float) -> dict:
    server = start_signed_server(pki, folder / name, {"ALEXA_SKILL_ID": envelopes.SKILL_ID, **config})
    try:
        status, answer = server.post(body, headers)
        if status != 200:
            raise RuntimeError(f"the server answered {status}: {answer}")
        # Warm every worker (imports, the certificate cache) and estimate the rate.
        warm = load(server.base_url, warmup_seconds, body, body_file, headers, client)
        seconds = min(MAX_SECONDS, max(min_seconds, 1.25 * min_requests / max(warm["throughput_rps"], 1)))
        figures = load(server.base_url, seconds, body, body_file, headers, client)
        workers = worker_pids(server.process.pid)
        figures["worker_rss_mib"] = [round(rss_kib(pid) / 1024, 1) for pid in workers]
        figures["master_rss_mib"] = round(rss_kib(server.process.pid) / 1024, 1)
        figures["workers"] = len(workers)
    finally:
        log = server.stop()
    figures["tracebacks_in_log"] = log.count("Traceback")
    figures["status_4xx_5xx_in_log"] = sum(1 for line in log.splitlines()
                                           if '"status": 4' in line or '"status": 5' in line)
    return figures


def run(*, min_requests: int = MIN_REQUESTS, warmup_seconds: float = 2.0,
        min_seconds: float = 10.0, client: str | None = None) -> dict:
    client = client or ("wrk" if shutil.which("wrk") else "python")
    pki = SigningPKI.create()
    body = launch_body()
    headers = {**pki.sign(body), "Content-Type": "application/json; charset=utf-8"}
    signed_at = time.monotonic()
    results: dict = {"client": client, "connections": CONNECTIONS, "body_bytes": len(body)}
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        body_file = str(folder / "body.json")
        Path(body_file).write_bytes(body)
        for name, config, sent_headers in (
                ("verification_on", {}, headers),
                ("verification_off", OFF, {"Content-Type": headers["Content-Type"]})):
            if name == "verification_on" and time.monotonic() - signed_at > 60:
                raise RuntimeError("the signed request would go stale during the run")
            results[name] = _one_setting(name, config, pki, folder, body, body_file, sent_headers,
                                         client, warmup_seconds, min_requests, min_seconds)
    on, off = results["verification_on"], results["verification_off"]
    results["throughput_ratio_on_to_off"] = round(on["throughput_rps"] / off["throughput_rps"], 3)
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
