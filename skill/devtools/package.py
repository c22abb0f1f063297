"""``leg-cramp-helper package [--out DIR]``: what the ASK CLI and AWS Lambda need.

Writes, in DIR (default ``dist``):

    ask-resources.json                       ASK CLI v2 project, CloudFormation deployer
    infrastructure/cfn-deployer/skill-stack.json
                                             the stack: the Lambda, its DynamoDB table of
                                             preferences and a least-privilege role
    skill-package/skill.json                 the skill manifest
    skill-package/interactionModels/custom/<locale>.json
    skill-package/assets/images/             the store icons skill.json names (file://...)
    lambda/lambda_function.py                the Lambda entry point (the repo's own)
    lambda/requirements.txt                  what the Lambda needs: ask-sdk-core
    lambda/skill/                            the skill package, words and models
    leg-cramp-helper-lambda.zip              the same code plus its dependencies,
                                             ready to upload to a Python 3.11+ Lambda;
                                             without boto3 and botocore, which every
                                             Python Lambda runtime provides (RUNTIME_PROVIDED)

``cd DIR && ask deploy`` deploys the project with the ASK CLI's
``@ask-cli/cfn-deployer``: the stack makes the preferences table (on-demand
billing, point-in-time recovery) and points the Lambda at it with
``LEG_CRAMP_STORE=dynamodb://TABLE``; the skill's endpoint and its events
endpoint are both set to the Lambda. The zip is for uploading by hand in the
AWS console (then set ``LEG_CRAMP_STORE`` yourself, or leave it unset to
remember nothing).

The skill package, its words and its models are taken from the imported
``skill`` package (installed, or a checkout; the models as
``skill.devtools.model_files`` finds them).
The manifest and the Lambda entry point live at the top of a checkout.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import json
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import skill
from skill.devtools.model_files import model_texts

ZIP_NAME = "leg-cramp-helper-lambda.zip"
#: What the Lambda runs on. Dependencies are fetched as wheels for this platform;
#: those with compiled parts (charset-normalizer) also carry a pure-Python fallback.
LAMBDA_RUNTIME = "python3.11"
LAMBDA_PLATFORM = ("--platform", "manylinux2014_x86_64", "--python-version", "3.11",
                   "--implementation", "cp", "--only-binary=:all:")
HANDLER = "lambda_function.lambda_handler"
#: What every Python Lambda runtime already has: the AWS SDK and what only it needs.
#: pip installs them (the DynamoDB adapter requires boto3); the zip leaves them out,
#: about 18 of its 22 MB, and the function imports the runtime's. The oldest the
#: DynamoDB store runs on is ``skill.alexa.store.AWS_SDK_FLOOR``, checked, with a
#: warning, when that store is built.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")
#: The most the zip may weigh (tests/devtools/test_package.py holds it to this).
MAX_ZIP_BYTES = 6 * 1024 * 1024
TEMPLATE = Path("infrastructure") / "cfn-deployer" / "skill-stack.json"
ASK_RESOURCES = {
    "askcliResourcesVersion": "2020-03-31",
    "profiles": {
        "default": {
            "skillMetadata": {"src": "./skill-package"},
            "code": {"default": {"src": "./lambda"}},
            "skillInfrastructure": {
                "type": "@ask-cli/cfn-deployer",
                "userConfig": {"runtime": LAMBDA_RUNTIME, "handler": HANDLER,
                               "templatePath": f"./{TEMPLATE.as_posix()}",
                               "awsRegion": "us-east-1",
                               # the stack's SkillEndpoint is both the skill's and its events' endpoint
                               "targetEndpoint": ["custom", "events"]},
            },
        }
    },
}
#: The parts of ``skill`` the Lambda runs (see each sub-package's docstring).
RUNTIME = ("__init__.py", "py.typed", "conversation", "speech", "alexa")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")
# A zip's entries get this time, so that the same sources make the same zip.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class PackageError(RuntimeError):
    """Something the package needs cannot be found or built."""


def package_dir() -> Path:
    return Path(skill.__file__).resolve().parent


def project_root() -> Path:
    """The folder that holds skill.json and lambda/: the folder above the skill
    package (a checkout, or an editable install), the current folder, or the
    installed data files (``<prefix>/share/leg-cramp-helper``, when the project
    installs them)."""
    for candidate in (package_dir().parent, Path.cwd(), Path(sys.prefix) / "share" / "leg-cramp-helper"):
        if (candidate / "skill.json").is_file() and (candidate / "lambda" / "lambda_function.py").is_file():
            return candidate
    raise PackageError("cannot find skill.json and lambda/lambda_function.py: run "
                       "`leg-cramp-helper package` in a checkout of the project")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _copy_icons(root: Path, manifest: dict[str, Any], skill_package: Path) -> None:
    """The icons skill.json names as ``file://assets/images/...``, where the ASK CLI
    looks for them: relative to skill-package/."""
    images = skill_package / "assets" / "images"
    if images.exists():
        shutil.rmtree(images)
    locales = manifest.get("manifest", {}).get("publishingInformation", {}).get("locales", {})
    for entry in locales.values():
        for icon in ("smallIconUri", "largeIconUri"):
            uri = entry.get(icon)
            if not isinstance(uri, str) or not uri.startswith("file://"):
                continue
            relative = uri.removeprefix("file://")
            source = root / relative
            if ".." in Path(relative).parts or not source.is_file():
                raise PackageError(f"skill.json names the icon {uri}, but {source} is not there")
            (skill_package / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, skill_package / relative)


def write_project(out: Path) -> Path:
    """The ASK CLI v2 project, with the Lambda code folder; returns the code folder."""
    root = project_root()
    texts = model_texts()
    if not texts:
        raise PackageError("no interaction models found")
    manifest = json.loads((root / "skill.json").read_text("utf-8"))
    _write(out / "ask-resources.json", json.dumps(ASK_RESOURCES, indent=2) + "\n")
    _write(out / TEMPLATE, (root / TEMPLATE).read_text("utf-8"))
    _write(out / "skill-package" / "skill.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    custom = out / "skill-package" / "interactionModels" / "custom"
    if custom.exists():
        shutil.rmtree(custom)
    for locale, text in texts.items():
        _write(custom / f"{locale}.json", text)
    _copy_icons(root, manifest, out / "skill-package")
    code = out / "lambda"
    if code.exists():
        shutil.rmtree(code)
    code.mkdir(parents=True)
    shutil.copy2(root / "lambda" / "lambda_function.py", code / "lambda_function.py")
    shutil.copy2(root / "lambda" / "requirements.txt", code / "requirements.txt")
    (code / "skill").mkdir()
    for name in RUNTIME:  # what the Lambda imports; not the web host, the tools or the models
        source = package_dir() / name
        if source.is_dir():
            shutil.copytree(source, code / "skill" / name, ignore=_SKIP)
        else:
            shutil.copy2(source, code / "skill" / name)
    return code


def install_dependencies(requirements: Path, target: Path) -> None:
    """``pip install --target``: wheels for the Lambda's platform, whatever this machine is."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
               "--disable-pip-version-check", "--target", str(target),
               *LAMBDA_PLATFORM, "-r", str(requirements)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(f"pip could not install the Lambda's dependencies:\n{result.stderr.strip()}")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _distribution_name(dist_info: Path) -> str:
    for line in (dist_info / "METADATA").read_text("utf-8", errors="replace").splitlines():
        if line.startswith("Name:"):
            return _canonical(line.removeprefix("Name:").strip())
        if not line:
            break
    raise PackageError(f"{dist_info} has no Name in its METADATA")


def drop_distributions(target: Path, names: tuple[str, ...] = RUNTIME_PROVIDED) -> list[str]:
    """Remove the distributions ``names`` that ``pip install --target`` put in
    ``target``: every file their RECORD lists (scripts outside ``target`` are
    left, ``bin/`` stays out of the zip anyway), then the folders that leaves
    empty. Returns what was removed, as ``name version``."""
    wanted = {_canonical(name) for name in names}
    root = target.resolve()
    removed: list[str] = []
    for dist_info in sorted(target.glob("*.dist-info")):
        if _distribution_name(dist_info) not in wanted:
            continue
        record = dist_info / "RECORD"
        if not record.is_file():
            raise PackageError(f"{dist_info} has no RECORD: cannot tell which files are its own")
        folders: set[Path] = set()
        for row in csv.reader(record.read_text("utf-8").splitlines()):
            if not row:
                continue
            path = (root / row[0]).resolve()
            if not path.is_relative_to(root) or path == root:
                continue
            path.unlink(missing_ok=True)
            folders.update(parent for parent in path.parents if parent.is_relative_to(root) and parent != root)
        for folder in sorted(folders, key=lambda folder: len(folder.parts), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        if dist_info.exists():
            shutil.rmtree(dist_info)  # what pip wrote but left out of the RECORD (REQUESTED, ...)
        removed.append(dist_info.name.removesuffix(".dist-info").replace("-", " ", 1))
    return removed


def _add_tree(archive: zipfile.ZipFile, folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_dir():
            continue
        if relative.parts[0] == "bin":  # console scripts pip wrote; the Lambda runs none
            continue
        info = zipfile.ZipInfo(relative.as_posix(), date_time=_ZIP_TIME)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, path.read_bytes())


def _compile(folder: Path) -> None:
    """Ship bytecode: Lambda's file system is read-only, so without it every cold
    start compiles the skill and the SDK from source again. The hash-checked-never
    form stays valid whatever dates the zip gives the files. Python only uses it
    when its version matches this interpreter's (python3.11, like LAMBDA_RUNTIME)."""
    if not compileall.compile_dir(str(folder), quiet=1, workers=0,
                                  invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH):
        raise PackageError(f"could not compile the Python files in {folder}")


def write_zip(code: Path, zip_path: Path) -> Path:
    """The Lambda deployment zip: the code folder plus its dependencies, at the root."""
    with tempfile.TemporaryDirectory(prefix="leg-cramp-helper-") as temporary:
        staging = Path(temporary) / "lambda"
        shutil.copytree(code, staging, ignore=_SKIP)
        install_dependencies(code / "requirements.txt", staging)
        drop_distributions(staging)
        _compile(staging)
        zip_path.parent.mkdir(parents=True, exist_ok=True)
        partial = zip_path.with_suffix(".zip.partial")
        with zipfile.ZipFile(partial, "w") as archive:
            _add_tree(archive, staging)
        partial.replace(zip_path)
    return zip_path


def build(out: str | Path) -> tuple[Path, Path]:
    """Write the ASK project and the Lambda zip into ``out``; returns (project, zip)."""
    out = Path(out)
    code = write_project(out)
    return out, write_zip(code, out / ZIP_NAME)


def package_command(args: argparse.Namespace) -> int:
    try:
        project, zip_path = build(args.out)
    except PackageError as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    size = zip_path.stat().st_size / 1024 / 1024
    print(f"ASK CLI project:  {project}/ (ask-resources.json, skill-package/, lambda/)")
    print(f"                  deploy with: cd {project} && ask deploy")
    print(f"Lambda zip:       {zip_path} ({size:.1f} MB), runtime {LAMBDA_RUNTIME} or later, "
          f"handler {HANDLER}")
    print(f"                  uses the runtime's own {', '.join(RUNTIME_PROVIDED)}")
    return 0
