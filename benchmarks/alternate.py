"""Engine and floor timed in turn, run by run, on the same rows, checked on every pair.

Timing the engine's runs and then the floor's lets a change in the machine's load (another
process, a checkpoint, a warm cache) fall on one side only. Here each run of one is followed
by a run of the other, the order swapped every run, and each pair must queue the very same
ledger rows and escalations or the benchmark stops. Each run is one transaction rolled back
afterwards, so every run starts from the same rows. The figures kept are the minimum (the
least disturbed run) and the median (a typical run).
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

Sweep = Callable[..., int]
Queued = Callable[[Any], dict[str, list[tuple[Any, ...]]]]


class RowsDiffer(Exception):
    """The engine and the floor did not queue the same rows: the times would mean nothing."""


@dataclass
class Side:
    """One side's runs: milliseconds per run, queries per run and rows inserted."""

    ms: list[float] = field(default_factory=list)
    queries: int = 0
    rows: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "min_ms": min(self.ms),
            "median_ms": statistics.median(self.ms),
            "best_ms": min(self.ms),
            "runs": len(self.ms),
            "queries": self.queries,
            "rows": self.rows,
        }


@dataclass
class Paired:
    engine: Side
    floor: Side
    queued: dict[str, list[tuple[Any, ...]]]


def one_run(
    sweep: Sweep,
    *,
    today: Any,
    now: Any,
    queued: Queued,
    before: Callable[[], None] | None = None,
) -> tuple[float, int, int, dict[str, list[tuple[Any, ...]]]]:
    """Milliseconds, queries, rows inserted and what was queued; the run is rolled back."""
    with transaction.atomic():
        if before is not None:
            before()
        # The log keeps at most 9,000 queries: a full one would count none of this run's.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            inserted = sweep(today=today, now=now)
            elapsed = time.perf_counter() - started
        queries = len(captured)  # read from the log, so before the log is cleared
        rows = queued(now)
        transaction.set_rollback(True)
    connection.queries_log.clear()
    return elapsed * 1000, queries, inserted, rows


def alternate(
    engine: Sweep,
    floor: Sweep,
    *,
    runs: int,
    today: Any,
    now: Any,
    queued: Queued,
    before: Callable[[], None] | None = None,
    label: str = "",
) -> Paired:
    """``runs`` runs of each, in turn (engine first on even runs, floor first on odd ones)."""
    sides = {"engine": Side(), "floor": Side()}
    sweeps = {"engine": engine, "floor": floor}
    first: dict[str, list[tuple[Any, ...]]] = {}
    for run in range(runs):
        order = ("engine", "floor") if run % 2 == 0 else ("floor", "engine")
        this_pair: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
        inserted: dict[str, int] = {}
        for name in order:
            ms, queries, inserted[name], this_pair[name] = one_run(
                sweeps[name], today=today, now=now, queued=queued, before=before
            )
            side = sides[name]
            side.ms.append(ms)
            side.queries = max(side.queries, queries)
            side.rows = inserted[name]
        if this_pair["engine"] != this_pair["floor"] or inserted["engine"] != inserted["floor"]:
            raise RowsDiffer(
                f"{label}: run {run + 1}: the floor did not queue what the engine queued "
                f"({inserted['floor']} rows against {inserted['engine']})."
            )
        if first and this_pair["engine"] != first:
            raise RowsDiffer(f"{label}: run {run + 1} queued other rows than run 1.")
        first = first or this_pair["engine"]
    return Paired(sides["engine"], sides["floor"], first)


def vacuum_analyze() -> None:
    """Dead rows gone and statistics fresh, so that both sides read the same live rows."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def per_line(small: tuple[int, float], large: tuple[int, float]) -> tuple[float, float] | None:
    """A straight line through (lines, ms) at two scales: microseconds per line, fixed ms."""
    (lines_small, ms_small), (lines_large, ms_large) = small, large
    if lines_large == lines_small:
        return None
    slope = (ms_large - ms_small) / (lines_large - lines_small)
    return slope * 1000, ms_large - slope * lines_large
