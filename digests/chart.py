"""A small stacked-bar PNG of the RAG mix over the last weeks, drawn without a plotting library.

The PNG is written by hand (zlib and struct): the same figures always give the same bytes,
so a retry attaches the very same image. It carries no text; the email gives the figures in
its alt text, in a table and in the text part.
"""

import struct
import zlib
from typing import Any

WIDTH, HEIGHT = 480, 160
MARGIN = 8
GAP = 12
BACKGROUND = (255, 255, 255)
AXIS = (80, 90, 95)
# The GOV.UK colours for complete, on track, at risk and off track, bottom to top.
SERIES = [
    ("complete", (29, 112, 184)),
    ("on_track", (0, 112, 60)),
    ("at_risk", (244, 119, 56)),
    ("off_track", (212, 53, 28)),
]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png(width: int, height: int, pixels: list[list[tuple[int, int, int]]]) -> bytes:
    raw = b"".join(b"\x00" + bytes(v for pixel in row for v in pixel) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def rag_chart_png(points: list[dict[str, Any]]) -> bytes:
    """One bar per point, stacked complete / on track / at risk / off track."""
    pixels = [[BACKGROUND] * WIDTH for _ in range(HEIGHT)]
    bottom = HEIGHT - MARGIN
    top = MARGIN
    tallest = max((sum(p[key] for key, _ in SERIES) for p in points), default=0) or 1
    slot = (WIDTH - 2 * MARGIN) // max(len(points), 1)
    for index, point in enumerate(points):
        left = MARGIN + index * slot + GAP // 2
        right = MARGIN + (index + 1) * slot - GAP // 2
        y = bottom
        for key, colour in SERIES:
            size = round(point[key] * (bottom - top) / tallest)
            for row in range(max(y - size, top), y):
                pixels[row][left:right] = [colour] * (right - left)
            y -= size
    for x in range(MARGIN, WIDTH - MARGIN):
        pixels[bottom][x] = AXIS
    return png(WIDTH, HEIGHT, pixels)


def chart_alt_text(points: list[dict[str, Any]]) -> str:
    if not points:
        return "Chart of the RAG mix of the actions: no figures yet."
    first, last = points[0], points[-1]
    parts = [
        f"{label} from {first[key]} to {last[key]}"
        for key, label in (
            ("off_track", "off track"),
            ("at_risk", "at risk"),
            ("on_track", "on track"),
            ("complete", "complete"),
        )
    ]
    return (
        f"Bar chart of the actions' RAG mix over the last {len(points)} weeks, from "
        f"{first['label']} to {last['label']}: " + ", ".join(parts) + ". "
        "The figures for each week are in the table below."
    )
