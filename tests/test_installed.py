"""What users install is what is tested: the wheel, built from this checkout and
installed (not editable) into a fresh virtual environment, runs every command a
user types, inside a checkout and outside one, with nothing of the checkout on
the import path.

The wheel is built offline (no build isolation: the test extra brings setuptools),
and the venv borrows this interpreter's site-packages (a venv's own, when the
tests run in one) for the dependencies only, as plain path entries: its own
site-packages, which holds the wheel, comes first on its path, and an editable
install of the checkout among the borrowed packages is never activated.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from skill.speech.words import words_for

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def package_list_problems(pyproject: dict, root: Path) -> list[str]:
    """Where pyproject's package list and the source tree disagree: every folder of
    Python code or package data under skill/ (and each mapped folder) must be listed,
    and every listed package must be a folder."""
    setuptools = pyproject["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    mapped = {name: root / folder for name, folder in setuptools.get("package-dir", {}).items()}
    in_tree = {".".join(folder.relative_to(root).parts)
               for folder in [root / "skill", *(root / "skill").rglob("*")]
               if folder.is_dir() and folder.name != "__pycache__"
               and any(entry.is_file() and entry.name != ".DS_Store" for entry in folder.iterdir())}
    in_tree |= {name for name, folder in mapped.items() if folder.is_dir()}
    problems = [f"{name} is in the source tree but not in pyproject's packages" for name in sorted(in_tree - listed)]
    problems += [f"{name} is in pyproject's packages but not in the source tree" for name in sorted(listed - in_tree)]
    return problems


def test_pyprojects_package_list_is_the_source_tree():
    assert package_list_problems(PYPROJECT, ROOT) == []


def test_a_package_left_out_of_the_list_is_named():
    trimmed = json.loads(json.dumps(PYPROJECT))
    trimmed["tool"]["setuptools"]["packages"].remove("skill.devtools.validate")
    assert package_list_problems(trimmed, ROOT) == [
        "skill.devtools.validate is in the source tree but not in pyproject's packages"]


# --- the real install ------------------------------------------------------------------


def _copy_checkout(target: Path) -> Path:
    """The checkout's files, without what a build or a test run left in it."""
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(
        ".git", "__pycache__", "node_modules", "build", "dist", "*.egg-info", ".venv",
        ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache", "results"))
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv holding the wheel; returns its bin folder."""
    work = tmp_path_factory.mktemp("install")
    source = _copy_checkout(work / "checkout")
    wheels = work / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(wheels), str(source)], check=True, timeout=300, cwd=work)
    environment = work / "venv"
    venv.create(environment, with_pip=False)
    own = next((environment / "lib").glob("python*/site-packages"))
    (own / "borrowed-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", "utf-8")
    wheel = next(wheels.glob("leg_cramp_helper-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(environment / "bin" / "python"), "install",
                    "--quiet", "--no-deps", "--no-index", "--ignore-installed", str(wheel)],
                   check=True, timeout=300, cwd=work)
    return environment / "bin"


def _environment() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTHON")}
    env.pop("LEG_CRAMP_ALEXA_API", None)
    return env


def run(bin_dir: Path, *arguments: str, cwd: Path, stdin: str = "",
        timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / "leg-cramp-helper"), *arguments], input=stdin, capture_output=True,
                          text=True, cwd=cwd, env=_environment(), timeout=timeout)


@pytest.fixture(params=["in a checkout", "outside a checkout"])
def where(request, tmp_path) -> Path:
    return ROOT if request.param == "in a checkout" else tmp_path


def test_the_installed_skill_is_the_one_that_runs(installed, where):
    # -I: like the console script, no current folder on the path
    found = subprocess.run([str(installed / "python"), "-I", "-c", "import skill; print(skill.__file__)"],
                           capture_output=True, text=True, cwd=where, env=_environment(), timeout=60)
    assert Path(found.stdout.strip()).is_relative_to(installed.parent), found.stdout + found.stderr
    assert str(ROOT) not in found.stdout


def test_version_say_and_chat_from_the_install(installed, where):
    en = words_for("en-US")
    version = run(installed, "--version", cwd=where)
    assert version.returncode == 0 and version.stdout.strip().startswith("leg-cramp-helper ")
    said = run(installed, "say", "why", "do", "I", "get", "cramps", cwd=where)  # unquoted
    assert said.returncode == 0, said.stderr
    assert said.stdout.startswith(en.text("why.answer"))
    chat = run(installed, "chat", "--time", "14:00", cwd=where, stdin="how can I prevent cramps\nstop\n")
    assert chat.returncode == 0, chat.stderr
    assert en.text("prevent.answer") in chat.stdout


def test_validate_and_models_check_from_the_install(installed, where):
    named = [] if where == ROOT else [str(ROOT)]
    validated = run(installed, "validate", *named, cwd=where)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "no problems" in validated.stdout
    checked = run(installed, "models", "--check", *named, cwd=where)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    if where != ROOT:  # outside a checkout, naming none: one line and exit 2, no traceback
        for command in ("validate", "models"):
            lost = run(installed, command, cwd=where)
            assert lost.returncode == 2 and "not a checkout" in lost.stderr and "Traceback" not in lost.stderr


def test_package_from_the_install(installed, where, tmp_path):
    out = tmp_path / "dist"
    packaged = run(installed, "package", "--out", str(out), cwd=where, timeout=600)
    assert packaged.returncode == 0, packaged.stderr
    for made in ("ask-resources.json", "skill-package/skill.json", "lambda/lambda_function.py",
                 "leg-cramp-helper-lambda.zip", "infrastructure/cfn-deployer/skill-stack.json",
                 "skill-package/assets/images/en-US_largeIconUri.png"):
        assert (out / made).is_file(), made


def test_serve_from_the_install_answers_a_printed_envelope(installed, where):
    from skill.devtools.local_server import free_port, start_server

    printed = run(installed, "envelope", "intent", "WhyCrampsIntent", cwd=where)
    assert printed.returncode == 0, printed.stderr
    port = free_port()
    server = start_server([str(installed / "leg-cramp-helper"), "serve", "--port", str(port), "--workers", "1"],
                          port, env={**_environment(), "ASK_SDK_VERIFY_SIGNATURE": "false"}, cwd=where, timeout=60)
    try:
        status, answer = server.post(printed.stdout.encode())
    finally:
        log = server.stop()
    assert status == 200, log
    assert words_for("en-US").text("why.answer")[:40] in answer["response"]["outputSpeech"]["ssml"]
