"""No network in the tests: only the loopback answers a name lookup."""

from __future__ import annotations

import socket

LOOPBACK = ("127.0.0.1", "localhost", "::1", None)


def forbid_network(monkeypatch) -> None:
    """Make any name lookup other than the loopback fail at once, so a test that would
    reach the network fails instead of waiting on DNS. For an autouse fixture."""
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        if host not in LOOPBACK:
            raise OSError(f"tests make no network calls (asked for {host!r})")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
