"""The geometry of the plan and digest pages' RAG charts, drawn as inline SVG by templates.

The pages' Content-Security-Policy allows no inline styles, so each rectangle's place, size
and colour are SVG presentation attributes worked out here. The colours and their order are
the digest email's chart's (``digests.chart.SERIES``): complete, on track, at risk, off
track. A chart never stands alone: the page gives the same figures in words or a table.
"""

from dataclasses import dataclass
from typing import Any

from digests.chart import SERIES

COLOURS = {key: "#{:02x}{:02x}{:02x}".format(*rgb) for key, rgb in SERIES}

# The digest chart's drawing area, in SVG user units (the PNG in the email is 480 by 160).
CHART_WIDTH, CHART_HEIGHT = 480, 180
LABEL_SPACE = 24
LABEL_Y = CHART_HEIGHT - 6  # the baseline of the dates under the columns
BAR_GAP = 12


def _number(value: float) -> str:
    """A coordinate as SVG wants it: a dot for the decimal point whatever the locale."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Segment:
    """One part of a bar: where it starts and how long it is, in its chart's units."""

    key: str
    start: str
    size: str
    fill: str


def rag_bar(figures: dict[str, Any]) -> list[Segment]:
    """A horizontal bar 100 units long split by the RAG mix of ``figures`` (a digest
    headline); empty when it counts no action."""
    total = sum(int(figures.get(key, 0)) for key, _ in SERIES)
    if not total:
        return []
    segments, start = [], 0.0
    for key, _ in SERIES:
        size = 100 * int(figures.get(key, 0)) / total
        if size:
            segments.append(Segment(key, _number(start), _number(size), COLOURS[key]))
        start += size
    return segments


@dataclass(frozen=True)
class Column:
    """One week of the digest chart: a stacked bar and its date under it."""

    label: str
    x: str
    width: str
    label_x: str
    segments: list[Segment]  # start: the top edge (y); size: the height


def rag_columns(points: list[dict[str, Any]]) -> list[Column]:
    """The digest's RAG mix over the weeks as stacked columns, complete at the bottom."""
    if not points:
        return []
    floor = CHART_HEIGHT - LABEL_SPACE
    tallest = max(sum(int(p[key]) for key, _ in SERIES) for p in points) or 1
    slot = CHART_WIDTH / len(points)
    columns = []
    for index, point in enumerate(points):
        left = index * slot + BAR_GAP / 2
        y = float(floor)
        segments = []
        for key, _ in SERIES:
            height = int(point[key]) * (floor - 4) / tallest
            if height:
                y -= height
                segments.append(Segment(key, _number(y), _number(height), COLOURS[key]))
        columns.append(
            Column(
                label=str(point.get("label", "")),
                x=_number(left),
                width=_number(slot - BAR_GAP),
                label_x=_number(left + (slot - BAR_GAP) / 2),
                segments=segments,
            )
        )
    return columns
