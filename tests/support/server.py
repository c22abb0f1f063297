"""The real server for the tests (``skill.devtools.local_server``), started with none
of the skill's settings inherited from the environment running the tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from skill.devtools.local_server import Server, importable_env, start_signed_server
from skill.devtools.signing import SigningPKI

SETTINGS = ("ASK_SDK_VERIFY_SIGNATURE", "ASK_SDK_VERIFY_TIMESTAMP", "ALEXA_SKILL_ID",
            "ALEXA_MAX_BODY_BYTES")


def subprocess_env(*extra_paths: Path, **env: str) -> dict[str, str]:
    """os.environ without the skill's settings (SETTINGS), with the checkout (and
    ``extra_paths``) importable, plus ``env``."""
    merged = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    if extra_paths:
        merged["PYTHONPATH"] = os.pathsep.join(
            filter(None, [*map(str, extra_paths), merged.get("PYTHONPATH")]))
    return {**importable_env(merged), **env}


def start_test_server(pki: SigningPKI, folder: Path, config: dict[str, Any] | None = None, *,
                      tls: bool = False) -> Server:
    """The real server (gunicorn, skill.web, skill.web.verify) on a free port, trusting
    ``pki``'s root and serving its chains from ``folder`` without network (each
    download is a line of ``folder/fetched.log``); over HTTPS with ``tls``."""
    return start_signed_server(pki, folder, config, env=subprocess_env(), tls=tls)
