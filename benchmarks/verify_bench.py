"""Verification cost on the server: one signed request through the Flask app (as
gunicorn calls it: the WSGI callable, with a fresh body stream each time), with the
certificate cache warm, against the same request with verification off.

"On" checks the signature (one RSA-2048 PKCS#1 v1.5 verify over the body, the leaf
from the cache) and the timestamp; "off" sets ASK_SDK_VERIFY_SIGNATURE and
ASK_SDK_VERIFY_TIMESTAMP to false. Both check the skill id. The certificates are
made by skill.devtools.signing (RSA-2048, like Amazon's).
"""

from __future__ import annotations

import io
import json

from benchmarks.warm import compare
from skill.devtools import envelopes
from skill.devtools.signing import SigningPKI


def wsgi_caller(app, body: bytes, headers: dict[str, str]):
    """A ``(event, context) -> body`` function that sends ``body`` through ``app``
    the way a WSGI server does, so that ``warm.compare`` can time it."""
    from werkzeug.test import EnvironBuilder

    template = EnvironBuilder(method="POST", path="/", data=body, headers=headers).get_environ()
    status_seen: list[str] = []

    def start_response(status, response_headers, exc_info=None):
        status_seen.append(status)

    def call(_event=None, _context=None) -> bytes:
        environ = dict(template)
        environ["wsgi.input"] = io.BytesIO(body)
        status_seen.clear()
        result = app(environ, start_response)
        try:
            answer = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        if not status_seen or not status_seen[0].startswith("200"):
            raise RuntimeError(f"the app answered {status_seen}: {answer[:300]!r}")
        return answer

    return call


def signed_launch(pki: SigningPKI) -> tuple[bytes, dict[str, str]]:
    """A LaunchRequest with a timestamp of now, and Alexa's headers signing it."""
    body = launch_body()
    return body, pki.sign(body)


def launch_body() -> bytes:
    """A LaunchRequest envelope stamped now, as the compact JSON Alexa signs."""
    event = envelopes.request_envelope({"type": "LaunchRequest"}, locale="en-US")
    return json.dumps(event, separators=(",", ":")).encode("utf-8")


def apps(pki: SigningPKI):
    from skill.web.app import create_app

    on = create_app({"ALEXA_SKILL_ID": envelopes.SKILL_ID}, verifier=pki.verifier())
    off = create_app({"ALEXA_SKILL_ID": envelopes.SKILL_ID, "ASK_SDK_VERIFY_SIGNATURE": False,
                      "ASK_SDK_VERIFY_TIMESTAMP": False}, verifier=pki.verifier())
    return on, off


def run(*, calls: int = 100, rounds: int = 11) -> dict:
    pki = SigningPKI.create()
    body, headers = signed_launch(pki)
    on, off = apps(pki)
    verified, unverified = wsgi_caller(on, body, headers), wsgi_caller(off, body, headers)
    verified()  # fetch and validate the chain once: the cache is warm from here on
    fetched = len(pki.fetched)
    figures = compare(verified, unverified, {}, calls=calls, rounds=rounds)
    if len(pki.fetched) != fetched:
        raise RuntimeError("the certificate cache did not stay warm")
    return {"on_us": figures["skill_us"], "off_us": figures["floor_us"],
            "added_us": round(figures["skill_us"] - figures["floor_us"], 1),
            "ratio": figures["ratio"], "body_bytes": len(body)}


if __name__ == "__main__":
    print(run())
