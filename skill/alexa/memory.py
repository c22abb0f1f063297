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

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.handler_input import HandlerInput

from skill.alexa import preferences, store
from skill.alexa.redact import redacted

log = logging.getLogger(__name__)

QUIET_AFTER_FAULT_SECONDS = 15.0
WRITE_ATTEMPTS = 4     # a write that meets this many newer records in a row gives up
clock = time.time      # what bounds the times stored (see ``preferences.bounded``); tests may set it


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
                        what, type(problem).__name__, redacted(str(problem)))
        else:
            log.debug("preferences store still failing: could not %s (%s)", what, type(problem).__name__)

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

    ``adapter`` is the store the skill was built with (the one ask-sdk's attributes
    manager holds), None when none is configured: then nothing is read or written,
    and ``read`` gives empty preferences.

    Writes cannot undo a delete or lose another turn's change. With a store that
    has conditional writes (``store.VersionedAdapter``: the SQLite store and the
    DynamoDB one), a write stores only the fields this turn changed, on the record
    as the store holds it, and only if that is still the record this turn read:

    - changed by another turn since (its hold, its time zone): this turn's fields
      are put on the newer record and written again, if that is still it;
    - deleted since (forget-me, SkillDisabled), or deleted and made again: nothing
      is written; this turn never makes a record that it read and that is gone;
    - after this turn's own forget, nothing more is written in this turn.

    A store without them (another ask-sdk adapter) is written whole, as before."""

    def __init__(self, handler_input: HandlerInput, adapter: AbstractPersistenceAdapter | None) -> None:
        self._manager = handler_input.attributes_manager
        self._envelope = handler_input.request_envelope
        self._versioned = adapter if isinstance(adapter, store.VersionedAdapter) else None
        self.remembers = adapter is not None
        self._record: Mapping[str, Any] | None = None
        self._stamp: store.Stamp | None = None
        self.writable = False
        self.forgotten = False
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
            record, stamp = self._load()
            found = preferences.read(record)
        except Exception as problem:  # PersistenceException, Unreadable, anything the store raised
            HEALTH.fault("read the record", problem)
            return None
        HEALTH.ok()
        self._record, self._stamp, self.writable = record, stamp, True
        return found

    def _load(self) -> tuple[Mapping[str, Any], store.Stamp | None]:
        if self._versioned is not None:
            return self._versioned_read(self._versioned)
        return preferences.check(self._manager.persistent_attributes), None

    @property
    def record(self) -> Mapping[str, Any]:
        return self._record or {}

    def note(self, **changes: Any) -> None:
        """Changes to write at the end of the request (see ``flush``)."""
        if not self.forgotten:
            self._pending.update(changes)

    def flush(self) -> bool:
        """Write the noted changes, if the record was read and they change it. True
        if the record now holds them."""
        changes, self._pending = self._pending, {}
        if not changes:
            return True
        if not (self.writable and self._record is not None):
            return False
        changes = preferences.bounded(changes, int(clock()))
        try:
            if self._versioned is None:
                return self._write_whole(changes)
            return self._write_changes(self._versioned, changes)
        except Exception as problem:  # noqa: BLE001 - the answer goes on; the next read will tell
            HEALTH.fault("save the record", problem)
            return False

    def _write_whole(self, changes: Mapping[str, Any]) -> bool:
        assert self._record is not None
        record = preferences.written(self._record, **changes)
        if record == dict(self._record):
            return True
        self._manager.persistent_attributes = record
        self._manager.save_persistent_attributes()
        HEALTH.ok()
        self._record = record
        return True

    def _write_changes(self, adapter: store.VersionedAdapter, changes: Mapping[str, Any]) -> bool:
        """Put ``changes`` on the record as stored, if it is still the one read."""
        assert self._record is not None
        seen, current, stamp = self._record, self._record, self._stamp
        for _ in range(WRITE_ATTEMPTS):
            changes = preferences.rebased(changes, seen, current)
            record = preferences.written(current, **changes)
            if record == dict(current):
                self._record, self._stamp = current, stamp
                return True
            try:
                stamp = adapter.write(self._envelope, record, stamp)
            except store.Conflict:
                seen = current
                current, now = self._versioned_read(adapter)
                if now is None or (stamp is not None and now.generation != stamp.generation):
                    log.info("preferences record deleted while this request ran: not written")
                    self._record, self._stamp, self.writable = {}, None, False
                    return False
                stamp = now
                continue
            HEALTH.ok()
            self._record, self._stamp = record, stamp
            return True
        log.info("preferences record changed by %d other requests while this one ran: not written",
                 WRITE_ATTEMPTS)
        return False

    def _versioned_read(self, adapter: store.VersionedAdapter) -> tuple[Mapping[str, Any], store.Stamp | None]:
        attributes, stamp = adapter.read(self._envelope)
        return preferences.check(attributes), stamp

    def update(self, **changes: Any) -> bool:
        """Write these changes now (with any noted before)."""
        self.note(**changes)
        return self.flush()

    def forget(self) -> bool:
        """Delete the record. True if it is gone (or there is no store to hold one).
        Nothing is written after it in this request, whatever was noted."""
        if not self.remembers:
            return True
        try:
            self._manager.delete_persistent_attributes()
        except Exception as problem:  # noqa: BLE001 - said to the user, and logged
            HEALTH.fault("delete the record", problem)
            return False
        HEALTH.ok()
        self._record, self._stamp, self.writable, self.forgotten = {}, None, False, True
        self._pending.clear()
        return True
