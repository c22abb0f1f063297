"""The store setting, and the SQLite store as several gunicorn workers use it: a real
file, several processes and threads writing at once."""

import json
import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest
from ask_sdk_core.exceptions import PersistenceException

from skill.alexa import store
from skill.alexa.services import services_from_environment
from skill.alexa.store import SQLiteAdapter
from skill.devtools.envelopes import request_envelope
from skill.speech.words import words_for
from tests.support.conversation import Conversation


def envelope_for(user: str):
    """The SDK's model of a request envelope from ``user``, as the adapter is handed it."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    raw = request_envelope({"type": "LaunchRequest"}, user_id=user)
    return DefaultSerializer().deserialize(json.dumps(raw), RequestEnvelope)


# --- LEG_CRAMP_STORE -----------------------------------------------------------------------

def test_nothing_set_means_nothing_remembered_on_lambda_and_a_file_in_the_data_folder_locally(tmp_path):
    environ = {"XDG_DATA_HOME": str(tmp_path), "HOME": str(tmp_path)}
    assert services_from_environment(environ, host="lambda").persistence_adapter is None
    local = services_from_environment(environ, host="local").persistence_adapter
    assert isinstance(local, SQLiteAdapter)
    assert local.path == tmp_path / "leg-cramp-helper" / "preferences.sqlite3"
    assert not local.path.exists()  # created on first use, not before


def test_none_remembers_nothing_anywhere():
    assert services_from_environment({"LEG_CRAMP_STORE": "none"}, host="local").persistence_adapter is None


def test_an_absolute_sqlite_path(tmp_path):
    adapter = store.from_setting(f"sqlite://{tmp_path}/prefs.db")
    assert isinstance(adapter, SQLiteAdapter) and adapter.path == tmp_path / "prefs.db"


@pytest.mark.parametrize("setting", ["sqlite://relative/path.db", "sqlite:///", "dynamodb://",
                                     "dynamodb://a/b", "postgres://db", "memory", "SQLite"])
def test_a_setting_that_names_no_store_is_refused_with_what_to_write(setting):
    with pytest.raises(ValueError, match="LEG_CRAMP_STORE"):
        store.from_setting(setting)
    with pytest.raises(ValueError):
        services_from_environment({"LEG_CRAMP_STORE": setting}, host="local")


@pytest.mark.parametrize("setting, kind", [("NONE", "none"), (" None ", "none"), ("SQLite:", "sqlite"),
                                           ("DynamoDB://Prefs", "dynamodb")])
def test_the_kind_of_store_is_read_case_insensitively_and_the_table_as_written(setting, kind):
    assert store.parse(setting) == (kind, "Prefs" if kind == "dynamodb" else None)


def test_a_dynamodb_store_needs_a_region_from_the_environment_or_the_aws_config(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="no AWS region is set: set AWS_REGION"):
        store.check("local", {"LEG_CRAMP_STORE": "dynamodb://prefs"})
    assert store.check("local", {"LEG_CRAMP_STORE": "dynamodb://prefs", "AWS_REGION": "eu-west-1"})
    (tmp_path / "config").write_text("[default]\nregion = ap-southeast-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    assert store.dynamodb_region("dynamodb://prefs", {}) == "ap-southeast-2"


def test_on_lambda_a_bad_setting_is_logged_and_the_skill_still_answers(caplog):
    services = services_from_environment({"LEG_CRAMP_STORE": "postgres://db"}, host="lambda")
    assert services.persistence_adapter is None
    assert "not a store" in caplog.text


def test_the_alexa_hosted_variables_name_a_dynamodb_table():
    environ = {"DYNAMODB_PERSISTENCE_TABLE_NAME": "abc-123", "DYNAMODB_PERSISTENCE_REGION": "eu-west-1"}
    assert store.describe(environ, "lambda") == "dynamodb://abc-123"
    assert store.describe({**environ, "LEG_CRAMP_STORE": "none"}, "lambda") == "none"


# --- the SQLite file ------------------------------------------------------------------------

def test_a_record_round_trips_and_is_deleted(tmp_path):
    adapter = SQLiteAdapter(tmp_path / "new" / "folder" / "p.db")
    her = envelope_for("amzn1.ask.account.HER")
    assert adapter.get_attributes(her) == {}
    adapter.save_attributes(her, {"v": 1, "hold": 20})
    assert adapter.get_attributes(her) == {"v": 1, "hold": 20}
    assert adapter.get_attributes(envelope_for("amzn1.ask.account.OTHER")) == {}
    adapter.delete_attributes(her)
    assert adapter.get_attributes(her) == {}
    with sqlite3.connect(adapter.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_that_cannot_be_opened_is_a_persistence_exception(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    adapter = SQLiteAdapter(blocker / "p.db")
    with pytest.raises(PersistenceException):
        adapter.get_attributes(envelope_for("amzn1.ask.account.HER"))


def _writer(path: str, worker: int, rounds: int, errors) -> None:
    """One process of several: its own users, and one user every process shares."""
    try:
        adapter = SQLiteAdapter(path)
        threads = [threading.Thread(target=_thread_writes, args=(adapter, worker, thread, rounds))
                   for thread in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    except Exception as problem:  # reported to the test
        errors.put(repr(problem))


def _thread_writes(adapter: SQLiteAdapter, worker: int, thread: int, rounds: int) -> None:
    own = envelope_for(f"amzn1.ask.account.W{worker}T{thread}")
    shared = envelope_for("amzn1.ask.account.SHARED")
    for n in range(rounds):
        adapter.save_attributes(own, {"v": 1, "hold": 10 + n % 50, "n": n})
        adapter.save_attributes(shared, {"v": 1, "writer": f"{worker}/{thread}", "n": n})
        assert adapter.get_attributes(own)["n"] == n


def test_several_processes_and_threads_write_at_once_and_nothing_is_lost(tmp_path):
    path = tmp_path / "not yet" / "preferences.sqlite3"  # every process races to create it
    context = multiprocessing.get_context("spawn")
    errors = context.Queue()
    workers, rounds = 4, 40
    processes = [context.Process(target=_writer, args=(str(path), worker, rounds, errors))
                 for worker in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert all(process.exitcode == 0 for process in processes)
    assert errors.empty(), errors.get()
    with sqlite3.connect(path) as db:
        rows = dict(db.execute("SELECT id, attributes FROM preferences").fetchall())
    assert len(rows) == workers * 3 + 1
    for worker in range(workers):
        for thread in range(3):
            assert json.loads(rows[f"amzn1.ask.account.W{worker}T{thread}"])["n"] == rounds - 1
    assert json.loads(rows["amzn1.ask.account.SHARED"])["n"] == rounds - 1


def test_the_skill_keeps_no_words_about_health_in_the_record(tmp_path):
    """Whatever is said, the record holds only the documented fields."""
    from skill.alexa.build import build_skill
    from skill.alexa.preferences import FIELDS
    from skill.alexa.services import Services

    adapter = SQLiteAdapter(tmp_path / "p.db")
    chat = Conversation(skill=build_skill(Services(persistence_adapter=adapter)))
    chat.open()
    chat.say("WarningSignsIntent", symptom="swelling")
    chat.say("RelieveCrampIntent", leg="left", seconds=40)
    chat.say("AMAZON.NoIntent")
    chat.say("SetHoldIntent", seconds=20)
    record = adapter.get_attributes(envelope_for("amzn1.ask.account.LOCAL"))
    assert set(record) <= set(FIELDS)
    text = json.dumps(record).lower()
    for word in ("swelling", "left", "cramp", "round", "symptom"):
        assert word not in text
    assert words_for("en-US")  # the words are untouched by what is stored


def test_the_default_file_lives_in_the_users_data_folder(tmp_path):
    assert store.default_sqlite_path({"HOME": str(tmp_path)}) == Path(
        tmp_path, ".local", "share", "leg-cramp-helper", "preferences.sqlite3")


# --- a bad setting stops the local hosts at once, with what to write --------------------------

def test_the_web_app_refuses_to_start_on_a_store_setting_that_names_no_store(monkeypatch):
    from skill.web import create_app

    monkeypatch.setenv("LEG_CRAMP_STORE", "sqlite://relative.db")
    with pytest.raises(ValueError, match="sqlite:///ABSOLUTE/PATH"):
        create_app({"ALEXA_SKILL_ID": "amzn1.ask.skill.x"})
