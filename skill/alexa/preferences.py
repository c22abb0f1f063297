"""What the skill remembers about a person: preferences only, never their health.

One record per Alexa user id (the persistence adapter's partition key), kept in
the store that ``LEG_CRAMP_STORE`` names (see ``skill.alexa.store``). Every field
is here, and nothing else is ever written:

    {
      "v": 1,                          # format version
      "disclaimer_full_at": 1764633600,  # when the full "I'm not a doctor" sentence was said
      "disclaimer_short_at": 1765238400, # when its short form was last said
      "hold": 20,                      # the hold the person asked to keep, seconds, 10 to 60
      "time_zones": {                  # each device's time zone, and when it was read
        "amzn1.ask.device.X": {"zone": "Europe/London", "read_at": 1764633600}
      },
      "reminder_offered_at": 1764633600  # when the nightly bedtime reminder was offered
    }

Times are whole seconds since 1970 (UTC), from the request's own timestamp, but
never later than the clock allows (``bounded``: a request stamped 9999 is stored
as now); a stored time later than that counts as missing. Every field may be
missing. Never stored: symptoms, rounds, how often or when cramps happen,
anything said.

Reading is tolerant: an unknown field, or one written by a newer version, is
kept as it is when the record is written back; a known field with a value this
version cannot read counts as missing (and is written back untouched unless
this request changes it). A record that is not an object at all is unreadable:
the skill answers with defaults and never writes over it.

Pure: no I/O, no clock, no ask-sdk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from skill.conversation.routines import MAX_HOLD, MIN_HOLD

VERSION = 1
WEEK = 7 * 24 * 3600
TIME_ZONE_FRESH_FOR = 24 * 3600   # a device's time zone is read again after a day
MAX_DEVICES = 20                  # time zones kept; the least recently read go first
FIELDS = ("v", "disclaimer_full_at", "disclaimer_short_at", "hold", "time_zones", "reminder_offered_at")
TIMES = ("disclaimer_full_at", "disclaimer_short_at", "reminder_offered_at")
CLOCK_SLACK = 5 * 60              # how far ahead of the clock a request's time may be, seconds


class TimeZone(NamedTuple):
    zone: str       # an IANA name, as the Alexa Settings API gives it
    read_at: int    # when it was read


class Preferences(NamedTuple):
    """The typed view of a record. Build it with ``read``."""

    disclaimer_full_at: int | None = None
    disclaimer_short_at: int | None = None
    hold: int | None = None
    time_zones: Mapping[str, TimeZone] = {}
    reminder_offered_at: int | None = None


class Unreadable(ValueError):
    """The stored record is not a record at all (corrupt): never write over it."""


def _time(value: Any) -> int | None:
    """A stored time: an int (a JSON store) or a whole Decimal (DynamoDB)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, ArithmeticError):
        return None
    return number if number == value and number >= 0 else None


def _hold(value: Any) -> int | None:
    seconds = _time(value)
    return seconds if seconds is not None and MIN_HOLD <= seconds <= MAX_HOLD else None


def _time_zones(value: Any) -> dict[str, TimeZone]:
    zones: dict[str, TimeZone] = {}
    if not isinstance(value, Mapping):
        return zones
    for device, entry in value.items():
        if not (isinstance(device, str) and isinstance(entry, Mapping)):
            continue
        zone, read_at = entry.get("zone"), _time(entry.get("read_at"))
        if isinstance(zone, str) and zone and read_at is not None:
            zones[device] = TimeZone(zone, read_at)
    return zones


def check(record: Any) -> Mapping[str, Any]:
    """The stored record as a mapping ({} when there is none); Unreadable if it is not one."""
    if record is None:
        return {}
    if not isinstance(record, Mapping):
        raise Unreadable(f"the stored record is a {type(record).__name__}, not an object")
    return record


def read(record: Any) -> Preferences:
    """The preferences in a stored record. Unreadable if the record is corrupt."""
    fields = check(record)
    return Preferences(
        disclaimer_full_at=_time(fields.get("disclaimer_full_at")),
        disclaimer_short_at=_time(fields.get("disclaimer_short_at")),
        hold=_hold(fields.get("hold")),
        time_zones=_time_zones(fields.get("time_zones")),
        reminder_offered_at=_time(fields.get("reminder_offered_at")),
    )


def written(record: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """The record to store: ``record`` with ``changes`` (known fields only) and the
    version stamped. Fields not changed, known or not, are kept as they were."""
    unknown = set(changes) - set(FIELDS[1:])
    if unknown:
        raise KeyError(f"not a preferences field: {', '.join(sorted(unknown))}")
    stored = _time(record.get("v"))
    out = {**record, **changes, "v": max(VERSION, stored or 0)}
    return {name: value for name, value in out.items() if value is not None}


def bounded(changes: Mapping[str, Any], clock: int) -> dict[str, Any]:
    """``changes`` with every time later than ``clock`` + CLOCK_SLACK set to ``clock``:
    a request from the far future cannot set a time that silences the disclaimer."""
    def bound(value: Any) -> Any:
        return clock if isinstance(value, int) and value > clock + CLOCK_SLACK else value

    out = {name: bound(value) if name in TIMES else value for name, value in changes.items()}
    zones = changes.get("time_zones")
    if isinstance(zones, Mapping):
        out["time_zones"] = {device: {**entry, "read_at": bound(entry.get("read_at"))}
                             if isinstance(entry, Mapping) else entry for device, entry in zones.items()}
    return out


def rebased(changes: Mapping[str, Any], seen: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The changes a turn made to the record it saw (``seen``), as changes to the record
    the store holds now (``current``): each field as the turn set it, and in
    ``time_zones`` only the devices it read (or dropped), so that a device another
    turn stored meanwhile is kept."""
    out = dict(changes)
    zones = changes.get("time_zones")
    if isinstance(zones, Mapping):
        before = seen.get("time_zones")
        before = before if isinstance(before, Mapping) else {}
        now = current.get("time_zones")
        merged = {device: entry for device, entry in (now if isinstance(now, Mapping) else {}).items()
                  if device in zones or device not in before}
        merged.update({device: entry for device, entry in zones.items() if before.get(device) != entry})
        kept = sorted(_time_zones(merged).items(), key=lambda item: item[1].read_at, reverse=True)[:MAX_DEVICES]
        out["time_zones"] = {device: {"zone": entry.zone, "read_at": entry.read_at} for device, entry in kept}
    return out


# --- what the skill asks of a record ------------------------------------------------

def disclaimer_due(preferences: Preferences, now: int) -> str | None:
    """Which "I'm not a doctor" a session should open with: "full" the first time,
    "short" when a week has passed since either was said, else None."""
    latest = now + CLOCK_SLACK  # a time later than this was never heard: it counts as missing
    full, short = preferences.disclaimer_full_at, preferences.disclaimer_short_at
    if full is None or full > latest:
        return "full"
    last = max(full, short if short is not None and short <= latest else 0)
    return "short" if now - last >= WEEK else None


def disclaimer_heard(form: str, now: int) -> dict[str, int]:
    """The changes that note a disclaimer said at ``now`` ("full" or "short")."""
    return {"disclaimer_full_at": now} if form == "full" else {"disclaimer_short_at": now}


def fresh_time_zone(preferences: Preferences, device_id: str | None, now: int) -> str | None:
    """The device's stored time zone if it was read less than a day ago."""
    found = preferences.time_zones.get(device_id or "")
    if found is None or not 0 <= now - found.read_at < TIME_ZONE_FRESH_FOR:
        return None
    return found.zone


def time_zone_read(record: Mapping[str, Any], device_id: str, zone: str, now: int) -> dict[str, Any]:
    """The changes that store a device's time zone, read at ``now``. Keeps at most
    MAX_DEVICES devices (the most recently read)."""
    zones = dict(_time_zones(record.get("time_zones")))
    zones[device_id] = TimeZone(zone, now)
    kept = sorted(zones.items(), key=lambda item: item[1].read_at, reverse=True)[:MAX_DEVICES]
    return {"time_zones": {device: {"zone": entry.zone, "read_at": entry.read_at}
                           for device, entry in kept}}


def reminder_offered(now: int) -> dict[str, int]:
    """The changes that note the bedtime reminder was offered at ``now``."""
    return {"reminder_offered_at": now}
