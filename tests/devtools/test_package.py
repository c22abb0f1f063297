"""``leg-cramp-helper package`` writes an ASK CLI project and a Lambda zip that
answers on its own, away from the checkout. Builds once per test session; pip
fetches ask-sdk-core and its dependencies (from its cache after the first time)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import zipfile
from argparse import Namespace
from pathlib import Path

import pytest

from skill.devtools import package
from skill.devtools.envelopes import intent_request, request_envelope
from skill.devtools.judge import response_problems
from skill.speech.words import LOCALES

ROOT = Path(__file__).resolve().parents[2]



@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    assert package.package_command(Namespace(out=str(out))) == 0
    return out


@pytest.fixture(scope="session")
def unpacked(dist, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lambda")
    with zipfile.ZipFile(dist / package.ZIP_NAME) as archive:
        archive.extractall(folder)
    return folder


def envelope(request: dict, locale: str = "en-US") -> dict:
    return request_envelope(request, locale=locale, timestamp="2026-01-01T03:00:00Z")


# Runs in a fresh interpreter with no site-packages (-S), no environment and no
# current folder on the path (-I): only the unpacked zip can supply the imports.
LAMBDA_RUN = """
import json, sys
sys.path.insert(0, sys.argv[1])
import lambda_function, skill, ask_sdk_core
for module in (lambda_function, skill, ask_sdk_core):
    assert module.__file__.startswith(sys.argv[1]), module.__file__
answer = lambda_function.lambda_handler(json.loads(sys.stdin.read()), None)
unwanted = sorted({"flask", "gunicorn", "cryptography"} & set(sys.modules))
print(json.dumps({"answer": answer, "unwanted": unwanted}))
"""


def run_lambda(folder: Path, event: dict) -> dict:
    result = subprocess.run([sys.executable, "-I", "-S", "-c", LAMBDA_RUN, str(folder)],
                            input=json.dumps(event), capture_output=True, text=True,
                            cwd=folder.parent, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# Every request type, in one fresh interpreter as above, in which skill.web and
# skill.devtools cannot even be found.
LAMBDA_RUN_ALL = """
import importlib.util, json, sys
sys.path.insert(0, sys.argv[1])
import lambda_function
absent = [name for name in ("skill.web", "skill.devtools", "skill.cli") if importlib.util.find_spec(name) is None]
answers = [lambda_function.lambda_handler(event, None) for event in json.loads(sys.stdin.read())]
print(json.dumps({"answers": answers, "absent": absent,
                  "loaded": sorted(name for name in sys.modules if name.startswith("skill."))}))
"""


def test_the_zip_answers_every_request_type_without_the_web_host_or_the_tools(unpacked):
    from skill.conversation.policy import INTENTS
    from skill.devtools.simulator import resolved_intent_request

    requests = [{"type": "LaunchRequest"}]
    requests += [resolved_intent_request(name) for name in INTENTS if name != "LaunchRequest"]
    requests += [{"type": "SessionEndedRequest", "reason": "USER_INITIATED"},
                 {"type": "Messaging.MessageReceived", "message": {}}]  # a type the skill does not handle
    events = [envelope(request) for request in requests]
    result = subprocess.run([sys.executable, "-I", "-S", "-c", LAMBDA_RUN_ALL, str(unpacked)],
                            input=json.dumps(events), capture_output=True, text=True,
                            cwd=unpacked.parent, timeout=120)
    assert result.returncode == 0, result.stderr
    ran = json.loads(result.stdout)
    assert ran["absent"] == ["skill.web", "skill.devtools", "skill.cli"]
    assert not [name for name in ran["loaded"] if name.startswith(("skill.web", "skill.devtools"))]
    for request, answer in zip(requests, ran["answers"], strict=True):
        name = request.get("intent", {}).get("name", request["type"])
        assert not response_problems(answer), (name, response_problems(answer))
        speech = answer["response"].get("outputSpeech", {}).get("ssml", "")
        if request["type"] == "SessionEndedRequest":
            assert speech == "", name  # nothing can be said once Alexa has closed the session
        else:
            assert speech.startswith("<speak>") and "went wrong" not in speech, (name, speech)


def test_the_zip_answers_a_launch_request_on_its_own(unpacked):
    ran = run_lambda(unpacked, envelope({"type": "LaunchRequest"}))
    response = ran["answer"]["response"]
    assert "not a doctor" in response["outputSpeech"]["ssml"]
    assert response["outputSpeech"]["ssml"].endswith("Is it easing?</prosody></speak>")  # at night
    assert response["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert response["shouldEndSession"] is False
    assert ran["unwanted"] == []


def test_the_zip_speaks_the_locale_words(unpacked):
    ran = run_lambda(unpacked, envelope(
        {"type": "IntentRequest", "intent": {"name": "WarningSignsIntent", "confirmationStatus": "NONE"}},
        locale="en-GB"))
    assert "call nine nine nine" in ran["answer"]["response"]["outputSpeech"]["ssml"]


def test_the_zip_shows_the_round_on_an_echo_show(unpacked):
    event = request_envelope(intent_request("RelieveCrampIntent"), screen="echo-show-5")
    (directive,) = run_lambda(unpacked, event)["answer"]["response"]["directives"]
    assert directive["type"] == "Alexa.Presentation.APL.RenderDocument"
    assert directive["document"]["graphics"]["heelFirstStretch"]["type"] == "AVG"
    assert directive["datasources"]["screen"]["cue"] == "Heel away. Toes back."


def test_the_zip_holds_the_entry_point_the_skill_and_only_its_runtime_dependencies(dist):
    with zipfile.ZipFile(dist / package.ZIP_NAME) as archive:
        names = archive.namelist()
        assert archive.read("lambda_function.py") == (ROOT / "lambda" / "lambda_function.py").read_bytes()
    tops = {name.split("/")[0] for name in names}
    assert {"lambda_function.py", "skill", "ask_sdk_core", "ask_sdk_model", "ask_sdk_runtime"} <= tops
    assert {"skill/__init__.py", "skill/alexa/build.py", "skill/speech/content/en.json"} <= set(names)
    assert {f"skill/speech/screens/{kind}.json" for kind in ("round", "tips", "warning", "themes")} <= set(names)
    rooms = {name.split("/")[1] for name in names if name.startswith("skill/") and name.count("/") > 1} - {
        "__pycache__"}
    assert rooms == {"conversation", "speech", "alexa"}  # not web, devtools or the models
    assert {name for name in names if name.startswith("skill/") and name.count("/") == 1} == {
        "skill/__init__.py", "skill/py.typed"}
    assert not {"flask", "gunicorn", "cryptography", "werkzeug"} & {top.lower() for top in tops}
    tag = sys.implementation.cache_tag  # bytecode ships: Lambda cannot write it at cold start
    assert {f"skill/alexa/__pycache__/build.{tag}.pyc", f"ask_sdk_core/__pycache__/skill.{tag}.pyc"} <= set(names)


def test_the_zip_leaves_the_aws_sdk_to_the_runtime_and_stays_small(dist):
    zip_path = dist / package.ZIP_NAME
    assert zip_path.stat().st_size <= package.MAX_ZIP_BYTES == 6 * 1024 * 1024
    with zipfile.ZipFile(zip_path) as archive:
        tops = {name.split("/")[0].lower() for name in archive.namelist()}
    provided = {"boto3", "botocore", "s3transfer", "jmespath"}
    assert set(package.RUNTIME_PROVIDED) == provided
    assert not provided & tops
    assert not [top for top in tops if top.split("-")[0] in provided and top.endswith(".dist-info")]
    assert {"ask_sdk_dynamodb", "urllib3", "requests", "dateutil"} <= tops  # ask-sdk and what it needs


# The unpacked zip first on the path, then the folder this machine's boto3 is in,
# standing in for the Lambda runtime's /var/runtime.
LAMBDA_STORE = """
import json, logging, sys
sys.path[:0] = sys.argv[1:3]
logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="WARNING %(message)s")
from skill.alexa import store
adapter = store.from_setting("dynamodb://preferences")
import boto3, botocore, urllib3, ask_sdk_dynamodb
from ask_sdk_dynamodb.adapter import DynamoDbAdapter
print(json.dumps({"adapter": type(adapter).__name__, "official": isinstance(adapter, DynamoDbAdapter),
                  "files": {m.__name__: m.__file__ for m in (boto3, botocore, urllib3, ask_sdk_dynamodb)}}))
"""


def test_the_zip_builds_the_dynamodb_store_on_the_runtimes_boto3(unpacked):
    import boto3

    runtime = Path(boto3.__file__).resolve().parents[1]
    environment = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
                   "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    result = subprocess.run([sys.executable, "-I", "-S", "-c", LAMBDA_STORE, str(unpacked), str(runtime)],
                            capture_output=True, text=True, cwd=unpacked.parent, env=environment, timeout=120)
    assert result.returncode == 0, result.stderr
    *warnings, last = result.stdout.strip().splitlines()
    assert warnings == []  # this machine's boto3 is above the floor
    ran = json.loads(last)
    assert ran["adapter"] == "VersionedDynamoDbAdapter" and ran["official"]  # the official one, made conditional
    assert ran["files"]["boto3"].startswith(str(runtime)) and ran["files"]["botocore"].startswith(str(runtime))
    assert ran["files"]["urllib3"].startswith(str(unpacked))  # the zip's, ahead of the runtime's
    assert ran["files"]["ask_sdk_dynamodb"].startswith(str(unpacked))


def test_a_boto3_older_than_the_floor_is_logged_when_the_store_is_built(monkeypatch, caplog):
    import botocore

    from skill.alexa import store

    assert store.AWS_SDK_FLOOR == {"boto3": "1.34.63", "botocore": "1.34.63"}
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setattr(botocore, "__version__", "1.29.90")  # the first python3.11 runtime's
    with caplog.at_level(logging.WARNING, logger="skill.alexa.store"):
        assert type(store.dynamodb_adapter("preferences")).__name__ == "VersionedDynamoDbAdapter"
    assert "botocore 1.29.90 is older than 1.34.63" in caplog.text
    assert not [record for record in caplog.records if record.getMessage().startswith("boto3 ")]
    assert store.check_aws_sdk({"boto3": "1.34.63"}) == []


def test_drop_distributions_removes_what_a_record_lists_and_nothing_else(tmp_path):
    for name, version, files in (("boto3", "1.0", ["boto3/__init__.py", "boto3/data/x.json"]),
                                 ("requests", "2.0", ["requests/__init__.py"])):
        info = tmp_path / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n")
        (info / "REQUESTED").write_text("")
        for file in files:
            (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / file).write_text("")
        rows = [*files, f"{info.name}/METADATA", f"{info.name}/RECORD", "../outside"]
        (info / "RECORD").write_text("".join(f"{row},,\n" for row in rows))
    (tmp_path.parent / "outside").write_text("")
    assert package.drop_distributions(tmp_path, ("Boto3",)) == ["boto3 1.0"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["requests", "requests-2.0.dist-info"]
    assert (tmp_path.parent / "outside").exists()


def test_the_ask_cli_project_has_the_expected_files(dist):
    resources = json.loads((dist / "ask-resources.json").read_text("utf-8"))
    profile = resources["profiles"]["default"]
    assert resources["askcliResourcesVersion"] == "2020-03-31"
    assert profile["skillMetadata"]["src"] == "./skill-package"
    assert profile["code"]["default"]["src"] == "./lambda"
    infrastructure = profile["skillInfrastructure"]
    assert infrastructure["type"] == "@ask-cli/cfn-deployer"
    config = infrastructure["userConfig"]
    assert config["handler"] == "lambda_function.lambda_handler"
    assert config["runtime"] >= "python3.11"
    assert config["targetEndpoint"] == ["custom", "events"]  # SkillDisabled reaches the Lambda too
    template = json.loads((dist / config["templatePath"]).read_text("utf-8"))
    assert template == json.loads((ROOT / "infrastructure" / "cfn-deployer" / "skill-stack.json").read_text())

    manifest = json.loads((dist / "skill-package" / "skill.json").read_text("utf-8"))
    assert manifest == json.loads((ROOT / "skill.json").read_text("utf-8"))
    for entry in manifest["manifest"]["publishingInformation"]["locales"].values():
        for icon in ("smallIconUri", "largeIconUri"):  # where the ASK CLI looks for file:// icons
            relative = entry[icon].removeprefix("file://")
            assert (dist / "skill-package" / relative).read_bytes() == (ROOT / relative).read_bytes()
    custom = dist / "skill-package" / "interactionModels" / "custom"
    assert sorted(path.stem for path in custom.glob("*.json")) == sorted(LOCALES)
    for locale in LOCALES:
        assert json.loads((custom / f"{locale}.json").read_text("utf-8")) == json.loads(
            (ROOT / "interaction_models" / f"{locale}.json").read_text("utf-8"))

    code = dist / "lambda"
    assert (code / "lambda_function.py").read_bytes() == (ROOT / "lambda" / "lambda_function.py").read_bytes()
    assert (code / "requirements.txt").read_text() == (ROOT / "lambda" / "requirements.txt").read_text()
    assert (code / "skill" / "alexa" / "build.py").is_file()
    assert (code / "skill" / "speech" / "content" / "en.json").is_file()
    assert not list(code.rglob("__pycache__"))


def test_packaging_again_into_the_same_folder_replaces_it(dist):
    stray = dist / "skill-package" / "interactionModels" / "custom" / "de-DE.json"
    stray.write_text("{}")
    package.write_project(dist)
    assert not stray.exists()


def test_the_stack_keeps_preferences_in_dynamodb_with_a_role_that_can_do_only_that():
    template = json.loads((ROOT / "infrastructure" / "cfn-deployer" / "skill-stack.json").read_text())
    # the parameters the ASK CLI's cfn-deployer fills, and the output it reads the endpoint from
    assert set(template["Parameters"]) == {"SkillId", "LambdaRuntime", "LambdaHandler", "CodeBucket",
                                           "CodeKey", "CodeVersion"}
    assert "SkillEndpoint" in template["Outputs"]
    resources = template["Resources"]
    [table] = [r for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["Properties"]["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    function = resources["SkillFunction"]["Properties"]
    assert function["Environment"]["Variables"]["LEG_CRAMP_STORE"] == {"Fn::Sub": "dynamodb://${PreferencesTable}"}
    statements = [statement for r in resources.values() if r["Type"] in ("AWS::IAM::Role", "AWS::IAM::Policy")
                  for policy in ([r["Properties"]["PolicyDocument"]] if r["Type"] == "AWS::IAM::Policy"
                                 else [p["PolicyDocument"] for p in r["Properties"].get("Policies", [])])
                  for statement in policy["Statement"]]
    actions = sorted(action for statement in statements for action in statement["Action"])
    assert actions == ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
                       "logs:CreateLogStream", "logs:PutLogEvents"]
    assert all("*" not in json.dumps(statement["Resource"]) for statement in statements)
