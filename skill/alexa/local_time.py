"""Is it night where the user is? Only the launch greeting cares.

Alexa sends the time in UTC; the device's time zone comes from the Alexa
Settings API (no permission needed). Any doubt (no token, a slow or failed
call, an unknown zone) counts as night: the safe guess at 3 a.m., when the
most likely need is a cramp now.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from http.client import HTTPConnection

    from ask_sdk_model.interfaces.system.system_state import SystemState

log = logging.getLogger(__name__)

NIGHT_STARTS, NIGHT_ENDS = 21, 7   # 9 p.m. to 7 a.m., local time
TIMEOUT_SECONDS = 0.8              # the launch answer must not wait long for a greeting
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _time_zone(api_endpoint: str, token: str, device_id: str) -> str:
    import http.client  # only a launch with an API token needs it; kept out of cold start

    url = urlsplit(api_endpoint)
    if not url.hostname:
        raise ValueError("API endpoint without a host")
    connection: HTTPConnection
    if url.scheme == "https":
        connection = http.client.HTTPSConnection(url.hostname, url.port, timeout=TIMEOUT_SECONDS)
    elif url.scheme == "http" and url.hostname in LOOPBACK:  # a local stand-in, for development
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=TIMEOUT_SECONDS)
    else:
        raise ValueError(f"unexpected API endpoint scheme {url.scheme!r}")
    try:
        connection.request("GET", f"/v2/devices/{quote(device_id, safe='')}/settings/System.timeZone",
                           headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        response = connection.getresponse()
        body = response.read(1024)
        if response.status != 200:
            raise ValueError(f"settings API answered {response.status}")
        zone = json.loads(body)
        if not isinstance(zone, str):
            raise ValueError("settings API answered something other than a time zone name")
        return zone
    finally:
        connection.close()


def _time_zone_in_time(api_endpoint: str, token: str, device_id: str) -> str:
    """The time zone, or TimeoutError once TIMEOUT_SECONDS have passed in all.
    The socket timeout bounds the connection and each read, but not the name
    lookup before them; a worker thread bounds the whole call."""
    outcome: dict[str, str] = {}
    failure: list[Exception] = []

    def ask() -> None:
        try:
            outcome["zone"] = _time_zone(api_endpoint, token, device_id)
        except Exception as problem:  # noqa: BLE001 - handed back to the caller
            failure.append(problem)

    worker = threading.Thread(target=ask, name="settings-api", daemon=True)
    worker.start()
    worker.join(TIMEOUT_SECONDS)
    if "zone" in outcome:
        return outcome["zone"]
    raise failure[0] if failure else TimeoutError(f"no answer in {TIMEOUT_SECONDS} s")


def is_night(system: SystemState | None, timestamp: datetime | None) -> bool:
    """Night at the device, from the request's System context and timestamp."""
    if system is None:
        return True
    token, endpoint = system.api_access_token, system.api_endpoint
    device_id = system.device.device_id if system.device is not None else None
    if not (token and endpoint and device_id and isinstance(timestamp, datetime)):
        return True
    from zoneinfo import ZoneInfo

    try:
        zone = ZoneInfo(_time_zone_in_time(endpoint, token, device_id))
        moment = timestamp if timestamp.tzinfo else timestamp.replace(tzinfo=ZoneInfo("UTC"))
        hour = moment.astimezone(zone).hour
    except Exception as problem:  # noqa: BLE001 - any failure means "unknown", which means night
        log.info("local time unknown (%s); assuming night", problem)
        return True
    return hour >= NIGHT_STARTS or hour < NIGHT_ENDS
