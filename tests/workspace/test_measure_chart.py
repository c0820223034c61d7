"""The measure chart's geometry and words: figures as people write them, points inside the
drawing, and the edge cases (one reading, a flat line)."""

import datetime as dt
from decimal import Decimal

import pytest

from actions.models import Direction
from workspace.charts import HEIGHT, WIDTH, LineChart, figure, measure_chart


@pytest.mark.parametrize(
    ("value", "unit", "words"),
    [
        (Decimal("38.00"), "%", "38%"),
        (Decimal("52.50"), "%", "52.5%"),
        (Decimal("1250.00"), "days", "1,250 days"),
        (Decimal("0.00"), "", "0"),
        (Decimal("-3.25"), "weeks", "-3.25 weeks"),
        (100, "%", "100%"),
    ],
)
def test_it_writes_figures_without_trailing_zeros_and_with_the_unit(
    value: Decimal, unit: str, words: str
) -> None:
    assert figure(value, unit) == words


def chart(readings: list[tuple[dt.date, str]], **overrides: object) -> LineChart | None:
    values: dict[str, object] = {
        "chart_id": "c",
        "name": "Plans on time",
        "unit": "%",
        "baseline": Decimal("38"),
        "baseline_date": None,
        "target": Decimal("65"),
        "target_date": dt.date(2027, 9, 30),
        "direction": Direction.HIGHER_IS_BETTER,
        "readings": [(day, Decimal(value)) for day, value in readings],
        **overrides,
    }
    return measure_chart(**values)  # type: ignore[arg-type]


def test_there_is_no_chart_without_readings() -> None:
    assert chart([]) is None


def test_every_point_and_line_falls_inside_the_drawing() -> None:
    drawn = chart(
        [(dt.date(2026, 3, 31), "20"), (dt.date(2026, 6, 30), "90.5")],
        baseline_date=dt.date(2026, 1, 1),
    )
    assert drawn is not None
    for point in drawn.points:
        assert drawn.left <= point.x <= drawn.right
        assert drawn.top <= point.y <= drawn.bottom
    for y in (drawn.baseline_y, drawn.target_y):
        assert drawn.top <= y <= drawn.bottom
    assert drawn.target_x == drawn.right  # the target date is the last date drawn
    assert (drawn.width, drawn.height) == (WIDTH, HEIGHT)
    labels = [tick.label for tick in drawn.value_ticks]
    # Round steps (20) that take in every figure: the lowest reading, the highest.
    assert labels == ["20%", "40%", "60%", "80%", "100%"]


def test_one_reading_and_a_flat_line_still_draw() -> None:
    drawn = chart(
        [(dt.date(2026, 3, 31), "50")],
        baseline=Decimal("50"),
        target=Decimal("50"),
        target_date=dt.date(2026, 3, 31),
    )
    assert drawn is not None
    assert len(drawn.points) == 1
    assert drawn.top < drawn.points[0].y < drawn.bottom
    assert drawn.description.startswith("One reading, on 31 March 2026. The latest is 50%.")


def test_the_description_says_which_way_is_better() -> None:
    drawn = chart(
        [(dt.date(2026, 3, 31), "30"), (dt.date(2026, 4, 30), "28")],
        unit="weeks",
        direction=Direction.LOWER_IS_BETTER,
    )
    assert drawn is not None
    assert drawn.description == (
        "2 readings from 31 March 2026 to 30 April 2026. The latest is 28 weeks. Baseline "
        "38 weeks; target 65 weeks by 30 September 2027. A lower figure is better."
    )
