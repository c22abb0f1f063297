"""Where the preferences record lives: one setting, ``LEG_CRAMP_STORE``.

- ``dynamodb://TABLE``: Amazon DynamoDB through the official
  ``ask-sdk-dynamodb-persistence-adapter`` (partition key ``id``, the Alexa user
  id). Region, endpoint and credentials come from the standard AWS settings
  (``AWS_REGION``, ``AWS_ENDPOINT_URL_DYNAMODB``, ...). When ``LEG_CRAMP_STORE``
  is unset, the Alexa-hosted convention ``DYNAMODB_PERSISTENCE_TABLE_NAME`` /
  ``DYNAMODB_PERSISTENCE_REGION`` is honoured too.
- ``sqlite:///ABSOLUTE/PATH``, or ``sqlite:`` for ``preferences.sqlite3`` in the
  user's data folder: one file, created on first use, safe with several
  processes and threads (WAL, a busy timeout), readable by its owner only.
- ``none``: remember nothing.

Both stores are ask-sdk persistence adapters that can also write conditionally
(``VersionedAdapter``): a record is read with its ``Stamp`` and written only if it
is still that record, so that a turn cannot undo a delete or lose another turn's
change (see ``skill.alexa.memory``).

When nothing is set, Lambda remembers nothing and the local hosts (``serve``,
``chat``, ``say``) use ``sqlite:``. boto3, the DynamoDB adapter and sqlite3 are
imported only when their store is chosen.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from abc import abstractmethod
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

if TYPE_CHECKING:
    import sqlite3

    from ask_sdk_model.request_envelope import RequestEnvelope

log = logging.getLogger(__name__)

SETTING = "LEG_CRAMP_STORE"
HOSTED_TABLE, HOSTED_REGION = "DYNAMODB_PERSISTENCE_TABLE_NAME", "DYNAMODB_PERSISTENCE_REGION"
PARTITION_KEY = "id"           # the adapter's default, and the template's key
ATTRIBUTE = "attributes"       # the adapter's default attribute name
GENERATION, VERSION = "generation", "version"  # the item's stamp, beside ATTRIBUTE (see Stamp)
DEFAULTS = {"lambda": "none", "local": "sqlite:"}
FILE_NAME = "preferences.sqlite3"

# Bounds on one DynamoDB call: a store that is down or slow costs at most about
# attempts x (connect + read) before the skill answers with defaults.
CONNECT_TIMEOUT_SECONDS = 0.3
READ_TIMEOUT_SECONDS = 0.5
MAX_ATTEMPTS = 2
SQLITE_BUSY_SECONDS = 1.0


def user_id(request_envelope: RequestEnvelope) -> str:
    """The record's key: the Alexa user id (as the DynamoDB adapter's default keygen)."""
    system = getattr(request_envelope.context, "system", None)
    found = getattr(getattr(system, "user", None), "user_id", None)
    if not isinstance(found, str) or not found:
        raise PersistenceException("no user id in the request envelope")
    return found


# --- conditional writes ----------------------------------------------------------------


class Stamp(NamedTuple):
    """Which incarnation of a record, at which write. ``generation`` is drawn at random
    when a record is created and kept by every write after, so a record deleted and
    made again is another record; ``version`` counts the writes. A record written
    before stamps (or by ask-sdk's own ``save_attributes``) reads as ("", 0)."""

    generation: str
    version: int


class Conflict(PersistenceException):
    """A conditional write found the record changed, deleted or made since it was read."""


def new_generation() -> str:
    import secrets  # hashlib and hmac: only when a record is made, not on every cold start

    return secrets.token_hex(8)


class VersionedAdapter(AbstractPersistenceAdapter):
    """An ask-sdk persistence adapter that also reads a record with its stamp and
    writes it only if it is still the record read (``skill.alexa.memory`` uses these
    when the adapter has them). ``write`` never makes a record that was there when it
    was read: with ``expected=None`` it only creates one that is not there."""

    @abstractmethod
    def read(self, request_envelope: RequestEnvelope) -> tuple[dict[str, Any], Stamp | None]:
        """The record and its stamp; ({}, None) when there is none."""

    @abstractmethod
    def write(self, request_envelope: RequestEnvelope, attributes: Mapping[str, Any],
              expected: Stamp | None) -> Stamp:
        """Store ``attributes`` if the record is still ``expected`` (None: if there is
        none); the new stamp. Conflict if it is not."""


# --- SQLite ----------------------------------------------------------------------

FOLDER_MODE, FILE_MODE = 0o700, 0o600
COLUMNS = {"generation": "TEXT NOT NULL DEFAULT ''", "version": "INTEGER NOT NULL DEFAULT 0"}


class SQLiteAdapter(VersionedAdapter):
    """ask-sdk's persistence adapter on one SQLite file (ask-sdk has none for SQLite).

    Each thread of each process opens its own connection on first use; the file,
    its folder and its table are created then. WAL lets readers go on while one
    process writes; the busy timeout makes a writer wait its turn instead of failing.
    Each call is one statement, so each is atomic; ``write`` is an ``UPDATE ... WHERE
    generation = ? AND version = ?`` (or an insert of a record that is not there).

    Private: a folder it creates is 0700 (the default data folder is made 0700 even
    if it was there before), and the database and its -wal and -shm files are 0600,
    whatever the umask. ``secure_delete`` is on, and a delete is followed by a WAL
    checkpoint, so a forgotten record's bytes are overwritten, not left in free pages."""

    def __init__(self, path: str | Path, *, busy_seconds: float = SQLITE_BUSY_SECONDS,
                 private_folder: bool = False) -> None:
        self.path = Path(path)
        self.busy_seconds = busy_seconds
        self.private_folder = private_folder
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"SQLiteAdapter({str(self.path)!r})"

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) == os.getpid():
            return local.connection  # type: ignore[no-any-return]
        import sqlite3

        _private_folders(self.path.parent, self.private_folder)
        connection = sqlite3.connect(self.path, timeout=self.busy_seconds, isolation_level=None,
                                     check_same_thread=False)
        try:
            # Before anything is written to it. By its path: opening and closing the file
            # here would drop the locks SQLite holds on it for the other threads.
            _owner_only(self.path)
            connection.execute(f"PRAGMA busy_timeout = {int(self.busy_seconds * 1000)}")
            connection.execute("PRAGMA secure_delete = ON")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            _table(connection)
            for suffix in ("-wal", "-shm"):  # SQLite gives them the database's mode; older files may differ
                _owner_only(self.path.with_name(self.path.name + suffix))
        except Exception:
            connection.close()
            raise
        local.connection, local.pid = connection, os.getpid()
        return connection

    def _cursor(self, what: str, statement: str, parameters: tuple[Any, ...]) -> sqlite3.Cursor:
        try:
            return self._connection().execute(statement, parameters)
        except PersistenceException:
            raise
        except Exception as problem:  # sqlite3.Error, OSError: the file is not usable
            raise PersistenceException(f"could not {what} the SQLite store {self.path}: "
                                       f"{type(problem).__name__}: {problem}") from problem

    def _run(self, what: str, statement: str, parameters: tuple[Any, ...]) -> list[Any]:
        return self._cursor(what, statement, parameters).fetchall()

    def read(self, request_envelope: RequestEnvelope) -> tuple[dict[str, Any], Stamp | None]:
        rows = self._run("read", "SELECT attributes, generation, version FROM preferences WHERE id = ?",
                         (user_id(request_envelope),))
        if not rows:
            return {}, None
        text, generation, version = rows[0]
        try:
            attributes = json.loads(text)
        except (TypeError, ValueError) as problem:
            raise PersistenceException(f"the stored record is not JSON: {type(problem).__name__}") from problem
        if not isinstance(attributes, dict):
            raise PersistenceException("the stored record is not a JSON object")
        return attributes, Stamp(str(generation), int(version))

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        return self.read(request_envelope)[0]

    def write(self, request_envelope: RequestEnvelope, attributes: Mapping[str, Any],
              expected: Stamp | None) -> Stamp:
        key, text = user_id(request_envelope), _json(attributes)
        if expected is None:
            stamp = Stamp(new_generation(), 1)
            cursor = self._cursor("write", "INSERT INTO preferences (id, attributes, generation, version) "
                                  "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                                  (key, text, *stamp))
        else:
            stamp = expected._replace(version=expected.version + 1)
            cursor = self._cursor("write", "UPDATE preferences SET attributes = ?, version = ? "
                                  "WHERE id = ? AND generation = ? AND version = ?",
                                  (text, stamp.version, key, *expected))
        if cursor.rowcount != 1:
            raise Conflict("the record changed since it was read")
        return stamp

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: Mapping[str, Any]) -> None:
        """ask-sdk's unconditional save (the skill itself writes with ``write``)."""
        self._run("write", "INSERT INTO preferences (id, attributes, generation, version) VALUES (?, ?, ?, 1) "
                  "ON CONFLICT (id) DO UPDATE SET attributes = excluded.attributes, version = version + 1",
                  (user_id(request_envelope), _json(attributes), new_generation()))

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self._run("delete from", "DELETE FROM preferences WHERE id = ?", (user_id(request_envelope),))
        try:  # move the overwritten pages into the database, and empty the WAL of the old ones
            self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except Exception as problem:  # noqa: BLE001 - the record is deleted; the next checkpoint will do
            log.debug("checkpoint after a delete: %s", type(problem).__name__)


def _json(attributes: Mapping[str, Any]) -> str:
    return json.dumps(attributes, separators=(",", ":"), sort_keys=True, default=_decimal)


def _table(connection: sqlite3.Connection) -> None:
    """The preferences table, with the stamp columns (added to a table made before them)."""
    connection.execute("CREATE TABLE IF NOT EXISTS preferences (id TEXT PRIMARY KEY, attributes TEXT NOT NULL, "
                       + ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items()) + ")")
    if set(COLUMNS) <= {row[1] for row in connection.execute("PRAGMA table_info(preferences)")}:
        return
    connection.execute("BEGIN IMMEDIATE")  # one process adds them; the others then see them
    try:
        have = {row[1] for row in connection.execute("PRAGMA table_info(preferences)")}
        for name, kind in COLUMNS.items():
            if name not in have:
                connection.execute(f"ALTER TABLE preferences ADD COLUMN {name} {kind}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _private_folders(folder: Path, private: bool) -> None:
    """Make the folders that are missing 0700 whatever the umask (and ``folder`` too,
    if it was there, when ``private``)."""
    missing = [each for each in (folder, *folder.parents) if not each.exists()]
    for each in reversed(missing):
        try:
            each.mkdir(mode=FOLDER_MODE)
        except FileExistsError:  # another process or thread made it first
            continue
        _owner_only(each, FOLDER_MODE)  # the umask may have taken bits away
    if private:
        _owner_only(folder, FOLDER_MODE)


def _owner_only(path: Path, mode: int = FILE_MODE) -> None:
    """Tighten ``path`` to ``mode`` if it is there, ours, and looser."""
    if sys.platform == "win32":
        return
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return
    if found.st_mode & 0o777 != mode and found.st_uid == os.geteuid():
        os.chmod(path, mode)


def _decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def default_sqlite_path(environ: Mapping[str, str] | None = None) -> Path:
    """``preferences.sqlite3`` in the user's data folder for leg-cramp-helper."""
    environ = os.environ if environ is None else environ
    home = Path(environ.get("HOME") or Path.home())
    if sys.platform == "win32":
        base = Path(environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "leg-cramp-helper" / FILE_NAME


# --- DynamoDB ----------------------------------------------------------------------


#: The oldest boto3 and botocore the DynamoDB store runs on. On Lambda they are the
#: runtime's own (``leg-cramp-helper package`` leaves them out of the zip) and run
#: beside the zip's urllib3 2.x, which comes first on the path: botocore 1.34.63 is the
#: first to accept urllib3 2.2.1 and later on Python 3.10+ (1.31.62 took 2.0 only,
#: older ones 1.x only), boto3 1.34.63 the first to require it. The rest is older:
#: retries mode "standard" with total_max_attempts came in botocore 1.15.0,
#: ``AWS_ENDPOINT_URL_DYNAMODB`` in 1.31.0 (boto3 1.28.0).
AWS_SDK_FLOOR = {"boto3": "1.34.63", "botocore": "1.34.63"}


def _release(version: str) -> tuple[int, ...]:
    """``1.34.63`` -> (1, 34, 63); what follows the numbers (``rc1``, ``.post1``) is ignored."""
    numbers: list[int] = []
    for part in version.split(".")[:3]:
        digits = part[:len(part) - len(part.lstrip("0123456789"))]
        if not digits:
            break
        numbers.append(int(digits))
    return tuple(numbers)


def check_aws_sdk(floor: Mapping[str, str] = AWS_SDK_FLOOR) -> list[str]:
    """Warn, once per store built (a cold start on Lambda), for each of boto3 and botocore
    older than ``floor`` or of no known version; returns the warnings. The version is the
    imported module's own ``__version__`` (free, and the copy that runs), else what
    ``importlib.metadata`` finds."""
    problems: list[str] = []
    for name, least in floor.items():
        found = getattr(__import__(name), "__version__", None)
        if not isinstance(found, str):
            from importlib.metadata import PackageNotFoundError, version

            try:
                found = version(name)
            except PackageNotFoundError:
                found = None
        if found is None or not _release(found) or _release(found) < _release(least):
            problems.append(f"{name} {found or '(version unknown)'} is older than {least}, the oldest the "
                            "DynamoDB store is known to work with: use a newer Lambda runtime, or add "
                            f"{name}>={least} to the deployment zip")
    for problem in problems:
        log.warning(problem)
    return problems


def dynamodb_adapter(table: str, region: str | None = None) -> AbstractPersistenceAdapter:
    """The official DynamoDB adapter on ``table``, with bounded calls. boto3 and botocore
    older than ``AWS_SDK_FLOOR`` are logged (see ``check_aws_sdk``), not refused."""
    import boto3
    from botocore.config import Config

    check_aws_sdk()
    if region and not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
        # the adapter's module builds a default boto3 resource when imported, which needs a region
        os.environ["AWS_DEFAULT_REGION"] = region
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    config = Config(connect_timeout=CONNECT_TIMEOUT_SECONDS, read_timeout=READ_TIMEOUT_SECONDS,
                    retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"})
    resource = boto3.resource("dynamodb", region_name=region, config=config)

    class VersionedDynamoDbAdapter(DynamoDbAdapter, VersionedAdapter):
        """The official adapter, and a conditional ``write`` on it: a ``PutItem`` whose
        ``ConditionExpression`` is the stamp read (the item's ``generation`` and
        ``version`` attributes, beside ``attributes``), or that no item is there. Only
        GetItem, PutItem and DeleteItem, as the deployment template allows."""

        def read(self, request_envelope: RequestEnvelope) -> tuple[dict[str, Any], Stamp | None]:
            key = self.partition_keygen(request_envelope)
            try:
                found = self.dynamodb.Table(self.table_name).get_item(
                    Key={self.partition_key_name: key}, ConsistentRead=True)
            except Exception as problem:
                raise _dynamodb_problem("read", problem) from None
            item = found.get("Item")
            if item is None:
                return {}, None
            attributes = item.get(self.attribute_name)
            if not isinstance(attributes, dict):
                raise PersistenceException(f"the stored record is a {type(attributes).__name__}, not a map")
            generation, version = item.get(GENERATION, ""), item.get(VERSION, 0)
            if not isinstance(generation, str) or not isinstance(version, (int, Decimal)):
                raise PersistenceException("the stored record's stamp is not a string and a number")
            return attributes, Stamp(generation, int(version))

        def write(self, request_envelope: RequestEnvelope, attributes: Mapping[str, Any],
                  expected: Stamp | None) -> Stamp:
            from boto3.dynamodb.conditions import Attr

            key = self.partition_keygen(request_envelope)
            if expected is None:
                stamp, condition = Stamp(new_generation(), 1), Attr(self.partition_key_name).not_exists()
            else:  # a record written before stamps keeps no generation
                stamp = expected._replace(version=expected.version + 1)
                condition = (Attr(GENERATION).eq(expected.generation) if expected.generation
                             else Attr(self.partition_key_name).exists() & Attr(GENERATION).not_exists())
                condition &= Attr(VERSION).eq(expected.version) if expected.version \
                    else Attr(VERSION).not_exists()
            item = {self.partition_key_name: key, self.attribute_name: dict(attributes), VERSION: stamp.version}
            if stamp.generation:
                item[GENERATION] = stamp.generation
            try:
                self.dynamodb.Table(self.table_name).put_item(Item=item, ConditionExpression=condition)
            except Exception as problem:
                if _error_code(problem) == "ConditionalCheckFailedException":
                    raise Conflict("the record changed since it was read") from None
                raise _dynamodb_problem("write", problem) from None
            return stamp

    return VersionedDynamoDbAdapter(table_name=table, partition_key_name=PARTITION_KEY, attribute_name=ATTRIBUTE,
                                    create_table=False, partition_keygen=user_id, dynamodb_resource=resource)


def _error_code(problem: BaseException) -> str:
    response = getattr(problem, "response", None)
    error = response.get("Error") if isinstance(response, dict) else None
    code = error.get("Code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else ""


def _dynamodb_problem(what: str, problem: BaseException) -> PersistenceException:
    """A failed call as the adapter's own failures are, named by its kind only (the
    error code, or the exception type): no key, no message that might quote one."""
    return PersistenceException(f"could not {what} the DynamoDB record: "
                                f"{_error_code(problem) or type(problem).__name__}")


# --- the setting ---------------------------------------------------------------------


def describe(environ: Mapping[str, str] | None = None, host: str = "lambda") -> str:
    """The store setting in force: LEG_CRAMP_STORE, the Alexa-hosted variables, or
    the host's default."""
    environ = os.environ if environ is None else environ
    setting = (environ.get(SETTING) or "").strip()
    if setting:
        return setting
    if environ.get(HOSTED_TABLE):
        return f"dynamodb://{environ[HOSTED_TABLE]}"
    if host not in DEFAULTS:
        raise ValueError(f"unknown host {host!r}: one of {', '.join(DEFAULTS)}")
    return DEFAULTS[host]


def parse(setting: str) -> tuple[str, str | None]:
    """("none", None), ("dynamodb", TABLE), ("sqlite", PATH) or ("sqlite", None) for the
    default file. The kind is read case-insensitively (``NONE``, ``SQLite:``); the table
    and the path as written. ValueError, saying what to write, if the setting names no store."""
    setting = setting.strip()
    lowered = setting.lower()
    if lowered == "none":
        return "none", None
    if lowered.startswith("dynamodb://"):
        table = setting[len("dynamodb://"):]
        if not table or "/" in table:
            raise ValueError(f"{SETTING}={setting!r}: write dynamodb://TABLE")
        return "dynamodb", table
    if lowered in ("sqlite:", "sqlite://"):
        return "sqlite", None
    if lowered.startswith("sqlite:///"):
        path = setting[len("sqlite://"):]
        if not os.path.isabs(path) or path.endswith("/"):
            raise ValueError(f"{SETTING}={setting!r}: write sqlite:///ABSOLUTE/PATH/FILE")
        return "sqlite", path
    raise ValueError(f"{SETTING}={setting!r} is not a store: use dynamodb://TABLE, "
                     "sqlite:///ABSOLUTE/PATH, sqlite: or none")


def dynamodb_region(setting: str, environ: Mapping[str, str]) -> str:
    """The AWS region a DynamoDB store is reached in: ``AWS_REGION``, ``AWS_DEFAULT_REGION``,
    the Alexa-hosted ``DYNAMODB_PERSISTENCE_REGION`` (when ``LEG_CRAMP_STORE`` is unset),
    else the AWS config file's. ValueError, naming what to set, when there is none:
    boto3 would fail on every request instead."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION") + ((HOSTED_REGION,) if not environ.get(SETTING) else ()):
        if (environ.get(name) or "").strip():
            return environ[name].strip()
    from botocore.session import Session  # the shared config file (~/.aws/config, AWS_PROFILE)

    configured: str | None = Session().get_config_variable("region")
    if configured:
        return configured
    raise ValueError(f"{SETTING}={setting!r} names a DynamoDB table but no AWS region is set: "
                     "set AWS_REGION (for example AWS_REGION=us-east-1)")


def from_setting(setting: str, environ: Mapping[str, str] | None = None) -> AbstractPersistenceAdapter | None:
    """The adapter a setting names, or None for ``none``. ValueError if it names none,
    or a DynamoDB table with no region."""
    environ = os.environ if environ is None else environ
    kind, where = parse(setting)
    if kind == "none":
        return None
    if kind == "dynamodb" and where:
        return dynamodb_adapter(where, dynamodb_region(setting, environ))
    return SQLiteAdapter(where or default_sqlite_path(environ), private_folder=where is None)


def check(host: str = "local", environ: Mapping[str, str] | None = None) -> str:
    """The store setting in force for ``host``, checked without building anything
    (for a host to refuse a bad setting when it starts). ValueError if it is bad."""
    environ = os.environ if environ is None else environ
    setting = describe(environ, host)
    kind, _ = parse(setting)
    if kind == "dynamodb":
        dynamodb_region(setting, environ)
    return setting


def from_environment(host: str = "lambda",
                     environ: Mapping[str, str] | None = None) -> AbstractPersistenceAdapter | None:
    """The store the environment names for this host ("lambda" or "local")."""
    return from_setting(describe(environ, host), environ)
