"""The preferences record for one request, through ask-sdk's attributes manager.

Read at most once a request, and only by the turns that need it (the first turn
of a session, set-hold, forget-me, skill events); written only when something
changed. A store that fails (down, slow, throttled, a corrupt record) never
fails the answer: the skill goes on with defaults, nothing is written over what
is stored, and the outage is logged once (then again when the store is back).
After a failure the store is left alone for a short while, so that a store that
is down does not slow every answer; forgetting is always tried.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.alexa import preferences

log = logging.getLogger(__name__)

QUIET_AFTER_FAULT_SECONDS = 15.0


class _Health:
    """Whether the store failed lately: one log line per outage, not one per request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failed_at: float | None = None

    def resting(self) -> bool:
        failed_at = self.failed_at
        return failed_at is not None and time.monotonic() - failed_at < QUIET_AFTER_FAULT_SECONDS

    def fault(self, what: str, problem: BaseException) -> None:
        with self._lock:
            first = self.failed_at is None
            self.failed_at = time.monotonic()
        if first:
            log.warning("preferences store: could not %s (%s: %s); answering with defaults until it is back",
                        what, type(problem).__name__, problem)
        else:
            log.debug("preferences store still failing: could not %s (%s)", what, problem)

    def ok(self) -> None:
        if self.failed_at is None:
            return
        with self._lock:
            was_down, self.failed_at = self.failed_at is not None, None
        if was_down:
            log.info("preferences store answering again")


HEALTH = _Health()


class Memory:
    """One request's view of the person's record.

    ``remembers`` is False when no store is configured: then nothing is read or
    written, and ``read`` gives empty preferences."""

    def __init__(self, handler_input: HandlerInput, remembers: bool) -> None:
        self._manager = handler_input.attributes_manager
        self.remembers = remembers
        self._record: Mapping[str, Any] | None = None
        self.writable = False
        self._pending: dict[str, Any] = {}

    def read(self) -> preferences.Preferences | None:
        """The person's preferences; None when the store is off or failing (use defaults)."""
        if not self.remembers:
            return None
        if self._record is not None:
            return preferences.read(self._record)
        if HEALTH.resting():
            return None
        try:
            record = preferences.check(self._manager.persistent_attributes)
            found = preferences.read(record)
        except Exception as problem:  # PersistenceException, Unreadable, anything the store raised
            HEALTH.fault("read the record", problem)
            return None
        HEALTH.ok()
        self._record, self.writable = record, True
        return found

    @property
    def record(self) -> Mapping[str, Any]:
        return self._record or {}

    def note(self, **changes: Any) -> None:
        """Changes to write at the end of the request (see ``flush``)."""
        self._pending.update(changes)

    def flush(self) -> bool:
        """Write the noted changes, if the record was read and they change it. True
        if the record now holds them."""
        changes, self._pending = self._pending, {}
        if not changes:
            return True
        if not (self.writable and self._record is not None):
            return False
        record = preferences.written(self._record, **changes)
        if record == dict(self._record):
            return True
        try:
            self._manager.persistent_attributes = record
            self._manager.save_persistent_attributes()
        except Exception as problem:  # noqa: BLE001 - the answer goes on; the next read will tell
            HEALTH.fault("save the record", problem)
            return False
        HEALTH.ok()
        self._record = record
        return True

    def update(self, **changes: Any) -> bool:
        """Write these changes now (with any noted before)."""
        self.note(**changes)
        return self.flush()

    def forget(self) -> bool:
        """Delete the record. True if it is gone (or there is no store to hold one)."""
        if not self.remembers:
            return True
        try:
            self._manager.delete_persistent_attributes()
        except Exception as problem:  # noqa: BLE001 - said to the user, and logged
            HEALTH.fault("delete the record", problem)
            return False
        HEALTH.ok()
        self._record, self.writable = {}, True
        return True
