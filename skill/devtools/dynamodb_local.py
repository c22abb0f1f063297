"""A real DynamoDB-compatible server for the tests and benchmarks: moto in server mode, started as
a subprocess on 127.0.0.1, and the preferences table made from the same definition
the deployment template (infrastructure/cfn-deployer/skill-stack.json) gives.
Also two misbehaving servers: one that never answers, one that always throttles."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from skill.devtools.local_server import free_port
from skill.devtools.package import project_root

TEMPLATE = project_root() / "infrastructure" / "cfn-deployer" / "skill-stack.json"
AWS_TEST_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_REGION": "us-east-1"}


def table_properties() -> dict[str, Any]:
    """The preferences table's properties, as the deployment template declares them."""
    resources = json.loads(TEMPLATE.read_text("utf-8"))["Resources"]
    [table] = [r for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    properties: dict[str, Any] = table["Properties"]
    return properties


def create_table(client: Any, name: str) -> None:
    """Create ``name`` as the template would (key, billing, backups, encryption)."""
    properties = table_properties()
    client.create_table(
        TableName=name, AttributeDefinitions=properties["AttributeDefinitions"],
        KeySchema=properties["KeySchema"], BillingMode=properties["BillingMode"],
        SSESpecification={"Enabled": properties["SSESpecification"]["SSEEnabled"]})
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    recovery = properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    client.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": recovery})


def _wait_for_port(port: int, process: subprocess.Popen[str], deadline: float = 60.0) -> None:
    give_up = time.monotonic() + deadline
    while time.monotonic() < give_up:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited: {process.stderr.read() if process.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto server did not start")


class MotoServer:
    """``python -m moto.server`` on 127.0.0.1 and a free port, for as long as the block lasts."""

    def __enter__(self) -> MotoServer:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        _wait_for_port(self.port, self.process)
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def client(self) -> Any:
        import boto3

        return boto3.client("dynamodb", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")


class Silent:
    """Accepts connections and never answers: a store that hangs."""

    def __enter__(self) -> Silent:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        while not self._stop:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(connection)

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self.sock.close()
        for connection in self.held:
            connection.close()


class Throttling:
    """Answers every DynamoDB call as a throttled table does (HTTP 400,
    ProvisionedThroughputExceededException); counts the calls."""

    def __enter__(self) -> Throttling:
        owner = self
        self.calls = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                owner.calls += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.dumps({
                    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                    "message": "The level of configured provisioned throughput for the table was exceeded."
                }).encode()
                self.send_response(400)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
