"""``lambda/requirements.txt``, made from pyproject.toml: one source for every version floor.

pyproject's ``[project].dependencies`` holds each dependency once, with its floor
(above known advisories); ``[tool.leg-cramp-helper].lambda-dependencies`` names the
ones the Lambda needs (the web host's Flask, gunicorn and cryptography stay out of
the zip, and so does boto3: the Lambda runtime provides it). Regenerate after
changing either::

    python -m skill.devtools.requirements          # writes lambda/requirements.txt
    python -m skill.devtools.requirements --check  # exit 1 if it is out of step
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HEADER = ("# Generated from pyproject.toml by `python -m skill.devtools.requirements`; do not edit.\n"
          "# What the Lambda needs, with the same floors as the package. boto3 and botocore are\n"
          "# the Lambda runtime's own: the adapter pulls them in, `leg-cramp-helper package`\n"
          "# leaves them out of the zip (skill.devtools.package.RUNTIME_PROVIDED).\n")


def _name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise ValueError(f"unreadable requirement {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def lambda_requirements(pyproject: dict[str, Any]) -> str:
    """The text of lambda/requirements.txt for a parsed pyproject.toml."""
    by_name = {_name(requirement): requirement.strip()
               for requirement in pyproject["project"]["dependencies"]}
    wanted = pyproject["tool"]["leg-cramp-helper"]["lambda-dependencies"]
    missing = [name for name in wanted if _name(name) not in by_name]
    if missing:
        raise ValueError(f"lambda-dependencies not in [project].dependencies: {missing}")
    return HEADER + "".join(by_name[_name(name)] + "\n" for name in wanted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that the file is in step")
    args = parser.parse_args(argv)
    text = lambda_requirements(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8")))
    target = ROOT / "lambda" / "requirements.txt"
    if args.check:
        if target.read_text("utf-8") != text:
            print(f"{target} is out of step with pyproject.toml: "
                  "run python -m skill.devtools.requirements", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
