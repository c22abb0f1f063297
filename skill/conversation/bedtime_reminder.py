"""The nightly stretch reminder: what the user asked for, and what happened, as plain data."""

from __future__ import annotations

from typing import NamedTuple


class Outcome(NamedTuple):
    """What a call to the Reminders API came to.

    kind: "created", "changed", "cancelled", "set" (one is set, at ``time``), "none"
    (none is set), "no_permission" (401/403), "bad_time" (400), "limit" (the skill's
    reminder limit), "later" (429, 5xx, a timeout: try again later).
    """

    kind: str
    time: tuple[int, int] | None = None  # (hour, minute), device time
