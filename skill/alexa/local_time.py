"""Is it night where the user is?

Alexa sends the time in UTC; the device's time zone comes from the Alexa
Settings API through ask-sdk's ``UpsServiceClient`` (no permission needed), over
the skill's one API client (``skill.alexa.api_client``). Any doubt (no token, a
slow or failed call, an unknown zone) counts as night: the safe guess at 3 a.m.,
when the most likely need is a cramp now.

Each process keeps the zones it has read, per device, for a day, so a warm
Lambda with no store asks at most once per device per day; after a failed
lookup it does not ask again for that device for a few minutes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)

NIGHT_STARTS, NIGHT_ENDS = 21, 7   # 9 p.m. to 7 a.m., local time
FRESH_SECONDS = 24 * 3600          # a time zone read is good for a day
RETRY_SECONDS = 5 * 60             # after a failed lookup, leave that device alone this long
MAX_DEVICES = 10_000               # per process; the least recently used are forgotten


class ZoneCache:
    """Time zones per device, read at a time; and when a lookup last failed. Thread-safe."""

    def __init__(self, max_devices: int = MAX_DEVICES) -> None:
        self._lock = threading.Lock()
        self._zones: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._failed: OrderedDict[str, float] = OrderedDict()
        self._max = max_devices

    def zone(self, device_id: str, now: float) -> str | None:
        with self._lock:
            known = self._zones.get(device_id)
            if known is None or now - known[1] >= FRESH_SECONDS:
                return None
            self._zones.move_to_end(device_id)
            return known[0]

    def remember(self, device_id: str, zone: str, read_at: float) -> None:
        with self._lock:
            self._failed.pop(device_id, None)
            self._zones[device_id] = (zone, read_at)
            self._zones.move_to_end(device_id)
            while len(self._zones) > self._max:
                self._zones.popitem(last=False)

    def failed(self, device_id: str, now: float) -> None:
        with self._lock:
            self._failed[device_id] = now
            self._failed.move_to_end(device_id)
            while len(self._failed) > self._max:
                self._failed.popitem(last=False)

    def backing_off(self, device_id: str, now: float) -> bool:
        with self._lock:
            failed_at = self._failed.get(device_id)
            return failed_at is not None and now - failed_at < RETRY_SECONDS

    def clear(self) -> None:
        with self._lock:
            self._zones.clear()
            self._failed.clear()


ZONES = ZoneCache()


def _valid_zone(name: Any) -> str:
    if not isinstance(name, str) or not name or len(name) > 64:
        raise ValueError(f"not a time zone name: {name!r:.80}")
    from zoneinfo import ZoneInfo  # only when there is a zone to read

    ZoneInfo(name)  # raises for a name that is not in the tz database (or a path)
    return name


def device_time_zone(handler_input: Any, now: float | None = None) -> str | None:
    """The device's time zone (an IANA name), or None when it cannot be known now."""
    envelope = handler_input.request_envelope
    system = getattr(envelope.context, "system", None)
    device_id = getattr(getattr(system, "device", None), "device_id", None)
    if not device_id:
        return None
    now = time.time() if now is None else now
    known = ZONES.zone(device_id, now)
    if known is not None:
        return known
    if not getattr(system, "api_access_token", None) or not getattr(system, "api_endpoint", None) \
            or ZONES.backing_off(device_id, now):
        return None
    try:
        factory = handler_input.service_client_factory  # ValueError when the skill has no API client
        zone = _valid_zone(factory.get_ups_service().get_system_time_zone(device_id))
    except Exception as problem:  # noqa: BLE001 - any failure means "unknown", which means night
        from skill.alexa.api_client import describe

        log.info("time zone unknown (%s); assuming night, and not asking again for %d s",
                 describe(problem), RETRY_SECONDS)
        ZONES.failed(device_id, now)
        return None
    ZONES.remember(device_id, zone, now)
    return zone


def local_hour(zone: str | None, timestamp: datetime | None) -> int | None:
    if zone is None or not isinstance(timestamp, datetime):
        return None
    from zoneinfo import ZoneInfo

    moment = timestamp if timestamp.tzinfo else timestamp.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(zone)).hour


def is_night(zone: str | None, timestamp: datetime | None) -> bool:
    """Night at the device: 9 p.m. to 7 a.m. local time, or whenever that is unknown."""
    hour = local_hour(zone, timestamp)
    return hour is None or hour >= NIGHT_STARTS or hour < NIGHT_ENDS
