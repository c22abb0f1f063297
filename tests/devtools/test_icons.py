"""The store icons: drawn by skill/devtools/icons.py, committed, named by skill.json
and packaged where the ASK CLI looks for them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skill.devtools import icons
from skill.speech.words import LOCALES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("locale", LOCALES)
def test_each_locale_names_a_small_and_a_large_png_of_the_sizes_certification_needs(locale):
    entry = json.loads((ROOT / "skill.json").read_text("utf-8"))["manifest"]["publishingInformation"]["locales"][locale]
    for icon, size in icons.SIZES.items():
        assert entry[icon] == f"file://assets/images/{locale}_{icon}.png"
        assert icons.png_size((ROOT / "assets" / "images" / f"{locale}_{icon}.png").read_bytes()) == (size, size)


def test_the_committed_icons_are_what_the_script_draws():
    drawn = icons.draw(icons.SIZES["smallIconUri"])
    for locale in LOCALES:
        assert (ROOT / "assets" / "images" / icons.file_name(locale, "smallIconUri")).read_bytes() == drawn


def test_the_drawing_is_a_real_picture_not_a_flat_square():
    import zlib

    data = icons.draw(32, samples=1)
    assert icons.png_size(data) == (32, 32)
    start = data.index(b"IDAT") + 4
    length = int.from_bytes(data[start - 8:start - 4], "big")
    raw = zlib.decompress(data[start:start + length])
    pixels = {raw[row * 97 + 1 + 3 * x: row * 97 + 4 + 3 * x] for row in range(32) for x in range(32)}
    assert {bytes(icons.BACKGROUND), bytes(icons.LEG), bytes(icons.LIGHT)} <= pixels


def test_the_icon_script_is_not_part_of_the_skill_that_answers():
    source = "\n".join(path.read_text() for path in (ROOT / "skill").rglob("*.py")
                       if "devtools" not in path.parts)
    assert "icons" not in source.replace("skill.devtools.icons", "")
