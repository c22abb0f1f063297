"""The DynamoDB store for real: boto3 and the official ask-sdk DynamoDB adapter,
configured by LEG_CRAMP_STORE=dynamodb://TABLE as on Lambda, against moto in
server mode on 127.0.0.1 (a subprocess the tests start), the table made from the
deployment template's own definition. Conversations go through the Lambda entry
point. Then the faults: a store that is down, one that hangs, one that throttles,
and a corrupt record."""

import logging
import time
import uuid
from decimal import Decimal

import pytest

from skill.alexa import build, memory, store
from skill.devtools.dynamodb_local import AWS_TEST_ENV, MotoServer, Silent, Throttling, create_table
from skill.speech.words import words_for
from tests.support.conversation import Conversation

WORDS = words_for("en-US")
# Opened at night (these conversations cannot tell the time): straight into the first
# round, after the "not a doctor" that is due.
FULL_NIGHT = WORDS.text("relief.first")
SHORT = WORDS.text("disclaimer.short")
AGAIN = WORDS.text("relief.start")
# A store that fails costs at most attempts x (connect + read) per call; generous on a busy machine.
BOUNDED_SECONDS = 7.0


@pytest.fixture(scope="module")
def moto_server():
    with MotoServer() as server:
        yield server


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for name, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    memory.HEALTH.failed_at = None
    yield
    memory.HEALTH.failed_at = None
    build._skill.cache_clear()


def use_store(monkeypatch, endpoint: str, table: str) -> None:
    """Configure the process as a Lambda is configured: the store, the endpoint."""
    monkeypatch.setenv("LEG_CRAMP_STORE", f"dynamodb://{table}")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
    build._skill.cache_clear()


@pytest.fixture
def table(moto_server, monkeypatch):
    name = f"preferences-{uuid.uuid4().hex[:8]}"
    create_table(moto_server.client(), name)
    use_store(monkeypatch, moto_server.url, name)
    return name


def item(moto_server, table, user="amzn1.ask.account.LOCAL"):
    import boto3

    resource = boto3.resource("dynamodb", endpoint_url=moto_server.url, region_name="us-east-1")
    return resource.Table(table).get_item(Key={"id": user}, ConsistentRead=True).get("Item")


def end(chat):
    if chat.in_session:
        chat.say("AMAZON.StopIntent")


def holds(said) -> float:
    import re

    return sum(float(s) for s in re.findall(r"\[(\d+(?:\.\d+)?) s\]", said.speech))


def test_the_table_is_made_as_the_template_says(moto_server, table):
    client = moto_server.client()
    described = client.describe_table(TableName=table)["Table"]
    assert described["KeySchema"] == [{"AttributeName": store.PARTITION_KEY, "KeyType": "HASH"}]
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    backups = client.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_a_person_is_remembered_across_sessions_through_the_official_adapter(moto_server, table):
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter

    assert isinstance(store.from_environment("lambda"), DynamoDbAdapter)
    chat = Conversation()  # through lambda_function.lambda_handler
    assert chat.open().speech.startswith(FULL_NIGHT)
    stored = item(moto_server, table)
    assert stored["id"] == "amzn1.ask.account.LOCAL" and stored["attributes"]["v"] == 1
    chat.say("SetHoldIntent", seconds=20)
    assert item(moto_server, table)["attributes"]["hold"] == Decimal(20)
    end(chat)

    second = chat.open()
    assert second.speech.startswith(AGAIN)
    assert holds(second) == 20  # the stored Decimal, read back as seconds
    end(chat)
    assert holds(chat.say("BedtimeStretchIntent")) == 40  # both legs, 20 s each


def test_forget_me_and_skill_disabled_delete_the_item(moto_server, table):
    chat = Conversation()
    chat.say("SetHoldIntent", seconds=20)
    assert item(moto_server, table) is not None
    assert chat.say("ForgetMeIntent").speech == WORDS.text("forget.done")
    assert item(moto_server, table) is None
    assert chat.open().speech.startswith(FULL_NIGHT)
    end(chat)
    assert item(moto_server, table) is not None
    assert chat.event("AlexaSkillEvent.SkillDisabled")["response"] == {}
    assert item(moto_server, table) is None


def test_a_corrupt_item_gets_defaults_and_is_never_written_over(moto_server, table):
    client = moto_server.client()
    client.put_item(TableName=table, Item={"id": {"S": "amzn1.ask.account.LOCAL"},
                                           "attributes": {"S": "not a map"}})
    chat = Conversation()
    assert chat.open().speech.startswith(SHORT)  # nothing usable known: as without a store
    chat.say("SetHoldIntent", seconds=20)
    assert item(moto_server, table)["attributes"] == "not a map"


def test_a_missing_table_is_a_fault_like_any_other(moto_server, monkeypatch):
    use_store(monkeypatch, moto_server.url, "no-such-table")
    chat = Conversation()
    assert chat.open().speech.startswith(SHORT)


@pytest.mark.parametrize("kind", ["down", "silent", "throttling"])
def test_with_the_store_failing_the_answer_comes_in_bounded_time_with_defaults_logged_once(
        monkeypatch, caplog, kind):
    with (Silent() if kind == "silent" else Throttling() if kind == "throttling" else _closed_port()) as bad:
        use_store(monkeypatch, bad.url, "preferences")
        chat = Conversation()
        with caplog.at_level(logging.WARNING, logger="skill.alexa.memory"):
            started = time.monotonic()
            said = chat.open()
            took = time.monotonic() - started
            assert said.speech.startswith(SHORT) and holds(said) == 30
            end(chat)
            memory.HEALTH.failed_at -= memory.QUIET_AFTER_FAULT_SECONDS  # tried again: still failing
            assert chat.open().speech.startswith(SHORT)
        assert took < BOUNDED_SECONDS, f"{kind}: {took:.1f} s"
        faults = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(faults) == 1, [r.getMessage() for r in faults]
        if kind == "throttling":
            assert bad.calls == 2 * store.MAX_ATTEMPTS  # two reads, each retried once: bounded


def test_after_a_fault_the_store_is_left_alone_for_a_while(monkeypatch):
    with Throttling() as bad:
        use_store(monkeypatch, bad.url, "preferences")
        chat = Conversation()
        chat.open()
        end(chat)
        calls = bad.calls
        chat.open()
        assert bad.calls == calls  # resting: no call, defaults at once


class _closed_port:
    """An endpoint where nothing listens: connection refused."""

    def __enter__(self):
        from skill.devtools.local_server import free_port

        self.url = f"http://127.0.0.1:{free_port()}"
        return self

    def __exit__(self, *exc):
        pass
