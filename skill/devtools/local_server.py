"""The real web host in another process, on 127.0.0.1: ``skill.web`` under gunicorn
(``SkillServer``, with the options ``leg-cramp-helper serve`` uses), trusting a locally
made root (see ``signing``) and reading certificate chains from files instead of the
network. For the tests and the benchmarks, which talk to it over HTTP.

    server = start_signed_server(pki, folder, {"ALEXA_SKILL_ID": ...})
    status, answer = server.post(body, pki.sign(body))
    log = server.stop()

Run as ``python -m skill.devtools.local_server FOLDER PORT CONFIG_JSON [TLS]`` it is
that server (with TLS: HTTPS with FOLDER/server.pem and server.key); each chain it
reads is a line of ``FOLDER/fetched.log``.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives import serialization

import skill
from skill.devtools.signing import SigningPKI, make_leaf, new_key, pem

SOURCE_ROOT = Path(skill.__file__).resolve().parents[1]  # where ``skill`` is imported from
FETCHED_LOG = "fetched.log"
TLS_CERT, TLS_KEY = "server.pem", "server.key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_file: IO[bytes]  # the server's stderr, a temporary file (a pipe could fill and block it)
    ssl_context: ssl.SSLContext | None = None

    def post(self, body: bytes, headers: dict[str, str] | None = None, path: str = "/") -> tuple[int, Any]:
        """POST ``body``; return the status and the decoded JSON answer (or raw bytes)."""
        return self.request("POST", path, body, headers or {"Content-Type": "application/json"})

    def get(self, path: str) -> tuple[int, Any]:
        return self.request("GET", path)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(self.base_url + path, data=body, method=method,
                                         headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10, context=self.ssl_context) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw

    def stop(self) -> str:
        """Stop the server; return what it wrote to stderr (its log)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.log()

    def log(self) -> str:
        """What the server has written to stderr so far."""
        self.log_file.flush()
        self.log_file.seek(0)
        return self.log_file.read().decode("utf-8", "replace")


def start_server(command: list[str], port: int, *, env: dict[str, str] | None = None,
                 scheme: str = "http", ssl_context: ssl.SSLContext | None = None,
                 timeout: float = 20.0, cwd: str | os.PathLike[str] | None = None) -> Server:
    """Run ``command`` (which must listen on 127.0.0.1:``port``), in ``cwd`` (default:
    the folder above the ``skill`` package), and wait for /healthz."""
    log_file = tempfile.TemporaryFile()
    process = subprocess.Popen(command, cwd=cwd or SOURCE_ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=log_file)
    server = Server(process, f"{scheme}://127.0.0.1:{port}", log_file, ssl_context)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.stop()}")
        try:
            if server.get("/healthz")[0] == 200:
                return server
        except (OSError, ssl.SSLError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer within {timeout} s:\n{server.stop()}")


def importable_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's environment) with this ``skill`` importable."""
    merged = dict(os.environ if env is None else env)
    merged["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SOURCE_ROOT), merged.get("PYTHONPATH")]))
    return merged


def start_signed_server(pki: SigningPKI, folder: Path, config: dict[str, Any] | None = None, *,
                        env: dict[str, str] | None = None, tls: bool = False) -> Server:
    """The real server on a free port, trusting ``pki``'s root and serving its chains
    from ``folder`` without network; ``env`` as for ``importable_env``. With ``tls``
    it speaks HTTPS with a 127.0.0.1 certificate from ``pki``'s root (and
    ``server.ssl_context`` trusts that root)."""
    pki.write(folder)
    port = free_port()
    command = [sys.executable, "-m", "skill.devtools.local_server", str(folder), str(port),
               json.dumps(config or {})]
    context = None
    if tls:
        key = new_key()
        certificate = make_leaf(pki.root, pki.root_key, key, names=("localhost",), ip_addresses=("127.0.0.1",))
        (folder / TLS_CERT).write_bytes(pem(certificate))
        (folder / TLS_KEY).write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        context = ssl.create_default_context(cadata=pki.root_pem.decode("ascii"))
        command.append("TLS")
    return start_server(command, port, env=importable_env(env), scheme="https" if tls else "http",
                        ssl_context=context)


def main(argv: list[str]) -> None:
    import argparse

    from skill.web.app import create_app
    from skill.web.serve import SkillServer, configure_logging, gunicorn_options
    from skill.web.verify import RequestVerifier

    folder, port, config = Path(argv[0]), int(argv[1]), json.loads(argv[2])
    tls = argv[3:4] == ["TLS"]
    configure_logging()

    def fetch_chain(url: str) -> bytes:
        with open(folder / FETCHED_LOG, "a") as record:  # one line per download
            record.write(url + "\n")
        return (folder / "chains" / url.rsplit("/", 1)[-1]).read_bytes()

    verifier = RequestVerifier(roots=(folder / "root.pem").read_bytes(), fetch_chain=fetch_chain)
    options = gunicorn_options(argparse.Namespace(
        host="127.0.0.1", port=port, workers=2,
        certfile=str(folder / TLS_CERT) if tls else None, keyfile=str(folder / TLS_KEY) if tls else None))
    SkillServer(create_app(config, verifier=verifier), options).run()


if __name__ == "__main__":
    main(sys.argv[1:])
