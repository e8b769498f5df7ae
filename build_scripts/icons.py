"""The app icons of the web app manifest, drawn here: no image file comes from elsewhere.

The mark is a small decision tree (one question node branching to two outcomes) in white on
the site's indigo. Shapes are signed distance functions in a unit square, so every size is
drawn sharp and anti-aliased from the same few numbers; PNGs are written with zlib alone.
The build writes them into site/icons/ and keeps them under build/ keyed by this file's
content (decisions/0035).
"""

from __future__ import annotations

import hashlib
import math
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from build_scripts.paths import BUILD

INDIGO = (0x40, 0x51, 0xB5)  # Material's indigo primary, the site's header colour
WHITE = (0xFF, 0xFF, 0xFF)
CACHE = BUILD / "icon-cache"

Distance = Callable[[float, float], float]  # unit-square point -> signed distance (unit)


def circle(cx: float, cy: float, r: float) -> Distance:
    return lambda x, y: math.hypot(x - cx, y - cy) - r


def rounded_box(cx: float, cy: float, hw: float, hh: float, r: float) -> Distance:
    def distance(x: float, y: float) -> float:
        qx = abs(x - cx) - (hw - r)
        qy = abs(y - cy) - (hh - r)
        outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
        return outside + min(max(qx, qy), 0.0) - r

    return distance


def stroke(ax: float, ay: float, bx: float, by: float, r: float) -> Distance:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy

    def distance(x: float, y: float) -> float:
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        return math.hypot(x - ax - t * dx, y - ay - t * dy) - r

    return distance


@dataclass(frozen=True)
class Shape:
    distance: Distance
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in the unit square


def tree_mark(scale: float) -> list[Shape]:
    """The white mark, scaled about the centre (maskable icons keep it in the safe circle)."""

    def s(v: float) -> float:
        return 0.5 + (v - 0.5) * scale

    node_w, node_h, node_r = 0.18 * scale, 0.095 * scale, 0.05 * scale
    leaf_r, line_r = 0.095 * scale, 0.03 * scale
    top = (s(0.5), s(0.30))
    left, right = (s(0.29), s(0.69)), (s(0.71), s(0.69))
    fork = (s(0.5), s(0.38))
    return [
        Shape(
            rounded_box(*top, node_w, node_h, node_r),
            (top[0] - node_w, top[1] - node_h, top[0] + node_w, top[1] + node_h),
        ),
        *(
            Shape(
                stroke(*fork, *leaf, line_r),
                (
                    min(fork[0], leaf[0]) - line_r,
                    fork[1] - line_r,
                    max(fork[0], leaf[0]) + line_r,
                    leaf[1] + line_r,
                ),
            )
            for leaf in (left, right)
        ),
        *(
            Shape(
                circle(*leaf, leaf_r),
                (leaf[0] - leaf_r, leaf[1] - leaf_r, leaf[0] + leaf_r, leaf[1] + leaf_r),
            )
            for leaf in (left, right)
        ),
    ]


def coverage(distance_px: float) -> float:
    """Fraction of a pixel inside a shape whose edge is `distance_px` from its centre."""
    return max(0.0, min(1.0, 0.5 - distance_px))


def draw(size: int, *, maskable: bool) -> bytes:
    """RGBA rows of one icon. `maskable`: full-bleed square, the mark inside the safe zone
    (the central circle of 80 % diameter); otherwise a rounded square on transparency."""
    mark = tree_mark(0.74 if maskable else 1.0)
    corner = 0.0 if maskable else 0.19
    background = rounded_box(0.5, 0.5, 0.5, 0.5, corner)
    rows = bytearray()
    for py in range(size):
        y = (py + 0.5) / size
        active = [
            shape for shape in mark if shape.box[1] * size - 1 <= py <= shape.box[3] * size + 1
        ]
        rows.append(0)  # PNG filter: none
        for px in range(size):
            x = (px + 0.5) / size
            edge = corner > 0 and (min(x, 1 - x) < corner and min(y, 1 - y) < corner)
            back = coverage(background(x, y) * size) if edge else 1.0
            fore = 0.0
            for shape in active:
                x0, _, x1, _ = shape.box
                if x0 * size - 1 <= px <= x1 * size + 1:
                    fore = max(fore, coverage(shape.distance(x, y) * size))
            fore = min(fore, back)
            alpha = back
            if alpha == 0.0:
                rows += b"\0\0\0\0"
                continue
            mix = fore / alpha
            rows += bytes(
                round(back_c * (1 - mix) + fore_c * mix)
                for back_c, fore_c in zip(INDIGO, WHITE, strict=True)
            )
            rows.append(round(alpha * 255))
    return bytes(rows)


def png(size: int, rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


# file name -> (size in pixels, maskable); the manifest lists the first three, iOS reads the last.
ICONS: dict[str, tuple[int, bool]] = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),  # iOS rounds the corners itself
}


def write_icons(target: Path, cache: Path = CACHE) -> list[Path]:
    """Write every icon into `target`, from the cache when this file has not changed."""
    key = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (size, maskable) in ICONS.items():
        cached = cache / key / name
        if not cached.is_file():
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_name(name + ".part")
            partial.write_bytes(png(size, draw(size, maskable=maskable)))
            partial.replace(cached)
        (target / name).write_bytes(cached.read_bytes())
        written.append(target / name)
    return written
