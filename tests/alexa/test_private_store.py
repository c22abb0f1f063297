"""The SQLite store is private whatever the umask: folders it makes are 0700 (the default
data folder too), the database and its -wal and -shm files 0600; and a forgotten
record's bytes are overwritten (secure_delete, and a checkpoint after the delete)."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from skill.alexa import store
from skill.alexa.build import build_skill
from skill.alexa.services import Services
from skill.alexa.store import SQLiteAdapter
from skill.devtools.envelopes import request_envelope
from tests.support.conversation import Conversation

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def envelope_for(user: str):
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    return DefaultSerializer().deserialize(json.dumps(request_envelope({"type": "LaunchRequest"}, user_id=user)),
                                           RequestEnvelope)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(params=[0o000, 0o022, 0o002])
def umask(request):
    """A permissive umask for the test (restored after it)."""
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def test_new_folders_are_0700_and_the_files_0600_whatever_the_umask(tmp_path, umask):
    path = tmp_path / "a" / "b" / "preferences.sqlite3"
    adapter = SQLiteAdapter(path)
    chat = Conversation(skill=build_skill(Services(persistence_adapter=adapter)))
    chat.open()
    chat.say("SetHoldIntent", seconds=20)
    assert mode(tmp_path / "a") == mode(tmp_path / "a" / "b") == 0o700
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    assert all(file.exists() for file in files)  # the connection is open: WAL and its index are there
    assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}


def test_the_default_data_folder_is_made_private_even_if_it_was_there(tmp_path, umask):
    folder = tmp_path / "leg-cramp-helper"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    adapter = store.from_setting("sqlite:", {"XDG_DATA_HOME": str(tmp_path), "HOME": str(tmp_path)})
    assert isinstance(adapter, SQLiteAdapter) and adapter.path.parent == folder
    adapter.get_attributes(envelope_for("amzn1.ask.account.A"))
    assert mode(folder) == 0o700 and mode(adapter.path) == 0o600


def test_a_folder_named_in_the_setting_that_is_there_is_left_as_it_is(tmp_path, umask):
    os.chmod(tmp_path, 0o755)
    adapter = store.from_setting(f"sqlite://{tmp_path}/p.db", {})
    adapter.get_attributes(envelope_for("amzn1.ask.account.A"))
    assert mode(tmp_path) == 0o755  # not ours to change (it could be /srv or /tmp)
    assert mode(tmp_path / "p.db") == 0o600


def test_files_an_older_version_left_readable_are_made_private(tmp_path):
    import sqlite3

    path = tmp_path / "p.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE preferences (id TEXT PRIMARY KEY, attributes TEXT NOT NULL)")
        db.execute("INSERT INTO preferences VALUES ('amzn1.ask.account.OLD', '{\"v\": 1, \"hold\": 20}')")
    os.chmod(path, 0o644)
    adapter = SQLiteAdapter(path)
    assert adapter.get_attributes(envelope_for("amzn1.ask.account.OLD")) == {"v": 1, "hold": 20}
    assert mode(path) == 0o600
    for suffix in ("-wal", "-shm"):
        assert mode(path.with_name(path.name + suffix)) == 0o600


def test_secure_delete_is_on_and_a_forgotten_record_leaves_no_bytes_behind(tmp_path):
    path = tmp_path / "p.db"
    adapter = SQLiteAdapter(path)
    her, other = envelope_for("amzn1.ask.account.FORGETME"), envelope_for("amzn1.ask.account.STAYS")
    adapter.save_attributes(other, {"v": 1, "hold": 30})
    for hold in (20, 25, 40):  # several versions of her record, in the WAL and the database
        adapter.save_attributes(her, {"v": 1, "hold": hold, "time_zones": {"d": {"zone": "Pacific/Chatham",
                                                                                "read_at": 1}}})
    adapter._connection().execute("PRAGMA wal_checkpoint(PASSIVE)")
    adapter.save_attributes(her, {"v": 1, "hold": 50, "time_zones": {"d": {"zone": "Pacific/Chatham",
                                                                          "read_at": 2}}})
    assert adapter._connection().execute("PRAGMA secure_delete").fetchone()[0] == 1
    adapter.delete_attributes(her)
    files = [path, path.with_name(path.name + "-wal")]
    raw = b"".join(file.read_bytes() for file in files if file.exists())
    assert b"FORGETME" not in raw and b"Chatham" not in raw
    assert b"STAYS" in raw  # the other record is still there to find
    assert adapter.get_attributes(other) == {"v": 1, "hold": 30}
