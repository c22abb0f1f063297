"""Dependency floors sit above the published advisories, and the Lambda's
requirements are generated from the same list (and are in step with it)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from skill.devtools import requirements

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))

# The first version without the advisory (issue 10): package -> (floor, advisories).
ADVISORY_FLOORS = {
    "cryptography": ("44.0.1", "CVE-2024-12797"),
    "certifi": ("2024.7.4", "CVE-2024-39689"),
    "gunicorn": ("23.0", "CVE-2024-1135, CVE-2024-6827"),
    "requests": ("2.32.4", "CVE-2024-35195, CVE-2024-47081"),
    "flask": ("3.1.1", "CVE-2025-47278"),
    "werkzeug": ("3.1.4", "CVE-2024-49766, CVE-2024-49767, CVE-2025-66221"),
}


def floors() -> dict[str, tuple[int, ...]]:
    found = {}
    for requirement in PYPROJECT["project"]["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement.replace(" ", ""))
        assert match, f"{requirement!r}: every dependency has a plain >= floor"
        found[match.group(1).lower()] = version(match.group(2))
    return found


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


@pytest.mark.parametrize("package", ADVISORY_FLOORS)
def test_each_floor_is_above_its_advisories(package):
    floor, advisories = ADVISORY_FLOORS[package]
    assert floors()[package] >= version(floor), f"{package} must be >= {floor} ({advisories})"


def test_the_lambda_requirements_are_generated_from_pyproject_and_in_step():
    expected = requirements.lambda_requirements(PYPROJECT)
    assert (ROOT / "lambda" / "requirements.txt").read_text("utf-8") == expected
    assert requirements.main(["--check"]) == 0


def test_the_lambda_gets_the_same_floors_and_none_of_the_web_hosts_packages():
    lines = [line for line in (ROOT / "lambda" / "requirements.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert set(lines) <= set(PYPROJECT["project"]["dependencies"])
    names = {re.split(r"[<>=]", line)[0].lower() for line in lines}
    assert "ask-sdk-core" in names
    assert not names & {"flask", "werkzeug", "gunicorn", "cryptography"}


def test_a_lambda_dependency_missing_from_the_project_is_an_error():
    broken = {**PYPROJECT, "tool": {"leg-cramp-helper": {"lambda-dependencies": ["left-pad"]}}}
    with pytest.raises(ValueError, match="left-pad"):
        requirements.lambda_requirements(broken)
