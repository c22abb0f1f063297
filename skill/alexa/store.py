"""Where the preferences record lives: one setting, ``LEG_CRAMP_STORE``.

- ``dynamodb://TABLE``: Amazon DynamoDB through the official
  ``ask-sdk-dynamodb-persistence-adapter`` (partition key ``id``, the Alexa user
  id). Region, endpoint and credentials come from the standard AWS settings
  (``AWS_REGION``, ``AWS_ENDPOINT_URL_DYNAMODB``, ...). When ``LEG_CRAMP_STORE``
  is unset, the Alexa-hosted convention ``DYNAMODB_PERSISTENCE_TABLE_NAME`` /
  ``DYNAMODB_PERSISTENCE_REGION`` is honoured too.
- ``sqlite:///ABSOLUTE/PATH``, or ``sqlite:`` for ``preferences.sqlite3`` in the
  user's data folder: one file, created on first use, safe with several
  processes and threads (WAL, a busy timeout).
- ``none``: remember nothing.

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
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


# --- SQLite ----------------------------------------------------------------------


class SQLiteAdapter(AbstractPersistenceAdapter):
    """ask-sdk's persistence adapter on one SQLite file (ask-sdk has none for SQLite).

    Each thread of each process opens its own connection on first use; the file,
    its folder and its table are created then. WAL lets readers go on while one
    process writes; the busy timeout makes a writer wait its turn instead of failing.
    Each call is one statement, so each is atomic."""

    def __init__(self, path: str | Path, *, busy_seconds: float = SQLITE_BUSY_SECONDS) -> None:
        self.path = Path(path)
        self.busy_seconds = busy_seconds
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"SQLiteAdapter({str(self.path)!r})"

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) == os.getpid():
            return local.connection  # type: ignore[no-any-return]
        import sqlite3

        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=self.busy_seconds, isolation_level=None,
                                     check_same_thread=False)
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self.busy_seconds * 1000)}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("CREATE TABLE IF NOT EXISTS preferences ("
                               "id TEXT PRIMARY KEY, attributes TEXT NOT NULL)")
        except Exception:
            connection.close()
            raise
        local.connection, local.pid = connection, os.getpid()
        return connection

    def _run(self, what: str, statement: str, parameters: tuple[Any, ...]) -> list[Any]:
        try:
            return self._connection().execute(statement, parameters).fetchall()
        except PersistenceException:
            raise
        except Exception as problem:  # sqlite3.Error, OSError: the file is not usable
            raise PersistenceException(f"could not {what} the SQLite store {self.path}: {problem}") from problem

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        rows = self._run("read", "SELECT attributes FROM preferences WHERE id = ?",
                         (user_id(request_envelope),))
        if not rows:
            return {}
        try:
            attributes = json.loads(rows[0][0])
        except (TypeError, ValueError) as problem:
            raise PersistenceException(f"the stored record is not JSON: {problem}") from problem
        if not isinstance(attributes, dict):
            raise PersistenceException("the stored record is not a JSON object")
        return attributes

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: Mapping[str, Any]) -> None:
        text = json.dumps(attributes, separators=(",", ":"), sort_keys=True, default=_decimal)
        self._run("write", "INSERT INTO preferences (id, attributes) VALUES (?, ?) "
                  "ON CONFLICT (id) DO UPDATE SET attributes = excluded.attributes",
                  (user_id(request_envelope), text))

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self._run("delete from", "DELETE FROM preferences WHERE id = ?", (user_id(request_envelope),))


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
    return DynamoDbAdapter(table_name=table, partition_key_name=PARTITION_KEY, attribute_name=ATTRIBUTE,
                           create_table=False, partition_keygen=user_id, dynamodb_resource=resource)


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
    return SQLiteAdapter(where or default_sqlite_path(environ))


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
