"""A success measure's chart, drawn on the server as inline SVG: the geometry here, the markup
in ``includes/chart_measure.html``.

No JavaScript and no ``style`` attributes (the Content-Security-Policy allows neither): every
shape is placed and coloured with SVG presentation attributes. A chart never stands alone:
its title and description say what it shows, and a table beside it gives the same figures.
"""

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from actions.models import Direction

# The drawing's own coordinates; the stylesheet scales it to the column it sits in.
WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 48, 40
# About this many value lines: enough to read a value off, few enough to stay quiet.
VALUE_TICKS = 5
MAX_DATE_TICKS = 6


def figure(value: Decimal | float | int, unit: str = "") -> str:
    """ "38%", "1,250 days", "52.5 weeks": no trailing zeros, the unit as people write it."""
    text = f"{Decimal(str(value)):,.2f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def day_words(day: dt.date) -> str:
    """ "3 February 2026"."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Tick:
    at: float  # x for a date, y for a value
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # the reading in words, for the point's own tooltip


@dataclass(frozen=True)
class LineChart:
    id: str
    title: str
    description: str
    points: list[Point]
    line: str  # the polyline's "x,y x,y ..." through the points
    baseline_y: float
    target_y: float
    target_x: float  # where the target date falls
    date_ticks: list[Tick]
    value_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM


def _nice_step(span: float) -> float:
    """A step of 1, 2 or 5 times a power of ten that cuts ``span`` into about five."""
    rough = span / (VALUE_TICKS - 1)
    power = 10 ** math.floor(math.log10(rough))
    for multiple in (1, 2, 5, 10):
        if multiple * power >= rough:
            return multiple * power
    return 10 * power


def _value_range(values: Sequence[float]) -> tuple[float, float, float]:
    low, high = min(values), max(values)
    if high == low:
        # One value everywhere: give it room above and below.
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = _nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    day = dt.date(first.year, first.month, 1)
    if day < first:
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    while day <= last:
        months.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _date_ticks(first: dt.date, last: dt.date, x_of: "XScale") -> list[Tick]:
    months = _month_starts(first, last)
    if not months:
        return [Tick(x_of(first), f"{first.day} {first:%b %Y}")]
    every = math.ceil(len(months) / MAX_DATE_TICKS)
    return [Tick(x_of(day), f"{day:%b %Y}") for day in months[::every]]


class XScale:
    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first = first
        self.days = max((last - first).days, 1)

    def __call__(self, day: dt.date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - self.first).days / self.days, 1)


def measure_chart(
    *,
    chart_id: str,
    name: str,
    unit: str,
    baseline: Decimal,
    baseline_date: dt.date | None,
    target: Decimal,
    target_date: dt.date,
    direction: str,
    readings: Sequence[tuple[dt.date, Decimal]],
) -> LineChart | None:
    """Readings over time against the baseline and the target; None with no readings."""
    if not readings:
        return None
    dates = [day for day, _ in readings] + [target_date]
    if baseline_date is not None:
        dates.append(baseline_date)
    x_of = XScale(min(dates), max(dates))
    low, high, step = _value_range(
        [float(v) for v in (*(v for _, v in readings), baseline, target)]
    )

    def y_of(value: Decimal | float) -> float:
        bottom = HEIGHT - BOTTOM
        return round(bottom - (bottom - TOP) * (float(value) - low) / (high - low), 1)

    points = [
        Point(x_of(day), y_of(value), f"{figure(value, unit)} on {day_words(day)}")
        for day, value in readings
    ]
    value_ticks = [
        Tick(y_of(low + index * step), figure(round(low + index * step, 6), unit))
        for index in range(round((high - low) / step) + 1)
    ]
    return LineChart(
        id=chart_id,
        title=f"{name}: readings against the baseline and the target",
        description=_describe(
            unit, baseline, baseline_date, target, target_date, direction, readings
        ),
        points=points,
        line=" ".join(f"{p.x},{p.y}" for p in points),
        baseline_y=y_of(baseline),
        target_y=y_of(target),
        target_x=x_of(target_date),
        date_ticks=_date_ticks(min(dates), max(dates), x_of),
        value_ticks=value_ticks,
    )


def _describe(
    unit: str,
    baseline: Decimal,
    baseline_date: dt.date | None,
    target: Decimal,
    target_date: dt.date,
    direction: str,
    readings: Sequence[tuple[dt.date, Decimal]],
) -> str:
    first_day, _ = readings[0]
    last_day, latest = readings[-1]
    count = len(readings)
    span = (
        f"One reading, on {day_words(first_day)}"
        if count == 1
        else f"{count} readings from {day_words(first_day)} to {day_words(last_day)}"
    )
    since = f" ({day_words(baseline_date)})" if baseline_date else ""
    better = "higher" if direction == Direction.HIGHER_IS_BETTER else "lower"
    return (
        f"{span}. The latest is {figure(latest, unit)}. Baseline {figure(baseline, unit)}"
        f"{since}; target {figure(target, unit)} by {day_words(target_date)}. "
        f"A {better} figure is better."
    )
