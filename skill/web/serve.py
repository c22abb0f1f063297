"""``leg-cramp-helper serve``: the Flask app of skill/web/app.py under gunicorn.

Configuration other than the listening options comes from the environment: the
web service's own (see skill/web/app.py) ``ASK_SDK_VERIFY_SIGNATURE``,
``ASK_SDK_VERIFY_TIMESTAMP``, ``ALEXA_SKILL_ID``, ``ALEXA_MAX_BODY_BYTES``; and the
skill's services (see skill/alexa/services.py) ``LEG_CRAMP_STORE`` and, in
development only, ``LEG_CRAMP_ALEXA_API``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

THREADS_PER_WORKER = 4  # a cold certificate download waits on the network; let others through
# The worker reads each request whole, without blocking, before a thread sees it, with
# deadlines: slow or stalled clients cost a socket each, never a thread (skill/web/worker.py).
WORKER_CLASS = "skill.web.worker.BufferingWorker"
CONNECTIONS_PER_WORKER = 1000  # open connections one worker process holds at most


class SkillServer(BaseApplication):
    """gunicorn running one already-built WSGI app with the given settings."""

    def __init__(self, app: Any, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # gunicorn 25.1+ opens an admin socket at a fixed path; two servers would clash.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        return self.application


def gunicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    host = f"[{args.host}]" if ":" in args.host else args.host
    options: dict[str, Any] = {
        "bind": f"{host}:{args.port}",
        "workers": args.workers,
        "worker_class": WORKER_CLASS,
        "threads": THREADS_PER_WORKER,
        "worker_connections": CONNECTIONS_PER_WORKER,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,  # skill.web logs one line per request itself
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "leg-cramp-helper",
        "preload_app": True,
    }
    if args.certfile:
        options["certfile"] = args.certfile
        options["keyfile"] = args.keyfile
    return options


def _check_args(args: argparse.Namespace) -> str | None:
    if bool(args.certfile) != bool(args.keyfile):
        return "--certfile and --keyfile go together"
    for path in (args.certfile, args.keyfile):
        if path and not os.path.isfile(path):
            return f"no such file: {path}"
    if args.workers < 1:
        return "--workers must be at least 1"
    if not 0 < args.port < 65536:
        return "--port must be between 1 and 65535"
    return None


def configure_logging() -> None:
    """INFO and up to stderr, beside gunicorn's own log: one line per request."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def serve_command(args: argparse.Namespace) -> int:
    problem = _check_args(args)
    if problem:
        print(f"leg-cramp-helper serve: {problem}", file=sys.stderr)
        return 2
    configure_logging()

    from skill.web.app import create_app

    try:
        app = create_app()
    except ValueError as error:  # a bad setting in the environment
        print(f"leg-cramp-helper serve: {error}", file=sys.stderr)
        return 2
    if not args.certfile:
        logging.getLogger(__name__).info(
            "serving plain HTTP: Alexa calls HTTPS only, so put a TLS proxy in front "
            "or pass --certfile and --keyfile")
    SkillServer(app, gunicorn_options(args)).run()
    return 0
