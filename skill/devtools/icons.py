"""The skill's store icons, drawn here: ``python -m skill.devtools.icons [DIR]``.

Writes ``<locale>_smallIconUri.png`` (108 x 108) and ``<locale>_largeIconUri.png``
(512 x 512) for each locale into DIR (default: the checkout's ``assets/images``),
the names the ASK CLI gives them in ``skill-package/assets/images``; skill.json
points at them as ``file://assets/images/...`` and ``package`` copies them into
the ASK CLI project. The picture: a straight leg, the foot flexed, an arrow
pushing the heel away, and a crescent moon, on deep teal.

Pure Python (zlib and struct): no imaging library. Never imported by the skill.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

from skill.speech.words import LOCALES

SIZES = {"smallIconUri": 108, "largeIconUri": 512}
IMAGES = Path("assets") / "images"
Colour = tuple[int, int, int]
Inside = Callable[[float, float], bool]

BACKGROUND: Colour = (0x1F, 0x3A, 0x44)
LEG: Colour = (0x9F, 0xC3, 0xC8)
LIGHT: Colour = (0xE9, 0xDD, 0xB8)


def _capsule(ax: float, ay: float, bx: float, by: float, radius: float) -> Inside:
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy

    def inside(x: float, y: float) -> bool:
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length))
        return math.hypot(x - ax - t * dx, y - ay - t * dy) <= radius
    return inside


def _crescent(cx: float, cy: float, radius: float, bite_x: float, bite_y: float, bite: float) -> Inside:
    def inside(x: float, y: float) -> bool:
        return math.hypot(x - cx, y - cy) <= radius and math.hypot(x - bite_x, y - bite_y) > bite
    return inside


def _triangle(points: Sequence[tuple[float, float]]) -> Inside:
    (x1, y1), (x2, y2), (x3, y3) = points

    def side(x: float, y: float, ax: float, ay: float, bx: float, by: float) -> float:
        return (x - bx) * (ay - by) - (ax - bx) * (y - by)

    def inside(x: float, y: float) -> bool:
        signs = (side(x, y, x1, y1, x2, y2), side(x, y, x2, y2, x3, y3), side(x, y, x3, y3, x1, y1))
        return all(s >= 0 for s in signs) or all(s <= 0 for s in signs)
    return inside


SHAPES: list[tuple[Colour, Inside]] = [
    (LIGHT, _crescent(0.60, 0.24, 0.13, 0.665, 0.195, 0.115)),
    (LEG, _capsule(0.15, 0.62, 0.66, 0.62, 0.07)),
    (LEG, _capsule(0.70, 0.64, 0.80, 0.44, 0.05)),
    (LIGHT, _capsule(0.45, 0.80, 0.80, 0.80, 0.02)),
    (LIGHT, _triangle([(0.79, 0.74), (0.88, 0.80), (0.79, 0.86)])),
]


def _pixel(x: int, y: int, size: int, samples: int) -> Colour:
    totals = [0, 0, 0]
    for sy in range(samples):
        for sx in range(samples):
            u, v = (x + (sx + 0.5) / samples) / size, (y + (sy + 0.5) / samples) / size
            colour = BACKGROUND
            for shape_colour, inside in SHAPES:
                if inside(u, v):
                    colour = shape_colour
            for channel in range(3):
                totals[channel] += colour[channel]
    count = samples * samples
    r, g, b = (round(total / count) for total in totals)
    return r, g, b


def draw(size: int, samples: int = 3) -> bytes:
    """The icon as a PNG file's bytes, ``size`` pixels square, anti-aliased."""
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")  # PNG filter: none
        for x in range(size):
            row.extend(_pixel(x, y, size, samples))
        rows.append(bytes(row))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG file's bytes, or None if they are not a PNG."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def file_name(locale: str, icon: str) -> str:
    return f"{locale}_{icon}.png"


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for icon, size in SIZES.items():
        data = draw(size)
        for locale in LOCALES:
            path = folder / file_name(locale, icon)
            path.write_bytes(data)
            written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    folder = Path(arguments[0]) if arguments else Path(__file__).resolve().parents[2] / IMAGES
    for path in write(folder):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
