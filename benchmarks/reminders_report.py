"""The printed report of ``make bench-reminders``: engine against floor, min and median."""

import statistics
from typing import Any

from benchmarks.alternate import per_line

DATA_ROWS = (
    ("plans", "plans"),
    ("people", "people"),
    ("actions", "actions stored"),
    ("milestones", "milestones stored"),
    ("open_overdue_actions", "open, overdue actions of active plans"),
    ("escalations_told", "escalations told before the day"),
    ("due_lines", "lines due on the day (dry run)"),
)


def the_day(parts: dict[str, Any]) -> dict[str, Any]:
    """Both sweeps of the day, run by run: run n's reminders plus run n's escalations."""
    both = [parts["reminders"], parts["escalations"]]
    day: dict[str, Any] = {"lines": sum(p["lines"] for p in both), "naive": None}
    for side in ("engine", "floor"):
        ms = [sum(runs) for runs in zip(*(p[side]["ms"] for p in both), strict=True)]
        day[side] = {
            "ms": ms,
            "min_ms": min(ms),
            "median_ms": statistics.median(ms),
            "queries": sum(p[side]["queries"] for p in both),
            "rows": sum(p[side]["rows"] for p in both),
        }
    if all(p["naive"] for p in both):
        day["naive"] = {"best_ms": sum(p["naive"]["best_ms"] for p in both)}
    return day


def _row(name: str, figures: dict[str, Any], aim: float) -> str:
    engine, floor, naive = figures["engine"], figures["floor"], figures["naive"]
    low = engine["min_ms"] / floor["min_ms"]
    typical = engine["median_ms"] / floor["median_ms"]
    met = "yes" if low <= aim and typical <= aim else "no"
    naive_ms = f"{naive['best_ms']:9.0f}" if naive else f"{'-':>9}"
    return (
        f"{name:34} {figures['lines']:>6} {engine['rows']:>5} {engine['min_ms']:8.1f} "
        f"{engine['median_ms']:8.1f} {engine['queries']:>4} {floor['min_ms']:8.1f} "
        f"{floor['median_ms']:8.1f} {floor['queries']:>4} {low:6.2f}x {typical:6.2f}x "
        f"{met:>4} {naive_ms}"
    )


def _cost_lines(rows: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Microseconds per line due and the fixed cost, from the two scales' medians."""
    out = []
    for part, sizes in rows.items():
        national, tenth = sizes["national"], sizes["tenth"]
        for side in ("engine", "floor"):
            fit = per_line(
                (tenth["lines"], tenth[side]["median_ms"]),
                (national["lines"], national[side]["median_ms"]),
            )
            if fit is None:
                continue
            out.append(
                f"  {part + ', ' + side:34} {fit[0]:7.1f} us per line due, fixed {fit[1]:7.1f} ms"
            )
    return out


def report(
    results: dict[str, dict[str, Any]], *, intro: list[str], load: tuple[float, float], aim: float
) -> None:
    national, tenth = results["national"], results["tenth"]
    print()
    for line in intro:
        print(line)
    print(
        f"Load average (1 minute) before and after: {load[0]:.1f} and {load[1]:.1f}: other "
        "work on the machine adds noise to every figure."
    )
    print()
    print(f"{'data':40} {'national':>10} {'tenth':>10}")
    for key, label in DATA_ROWS:
        print(f"{label:40} {national[key]!s:>10} {tenth[key]!s:>10}")
    print()
    print(f"{'':48} {'engine ms':>22} {'floor ms':>22} {'engine/floor':>15} {'':>4} {'naive':>9}")
    print(
        f"{'sweep':34} {'lines':>6} {'rows':>5} {'min':>8} {'median':>8} {'qs':>4} {'min':>8} "
        f"{'median':>8} {'qs':>4} {'min':>7} {'median':>7} {'aim':>4} {'best ms':>9}"
    )
    by_part: dict[str, dict[str, dict[str, Any]]] = {}
    for size, result in (("national", national), ("tenth", tenth)):
        parts = dict(result["parts"])
        parts["the day (both sweeps)"] = the_day(result["parts"])
        for part, figures in parts.items():
            by_part.setdefault(part, {})[size] = figures
            print(_row(f"{size}, {part}", figures, aim))
    print()
    print(
        f"aim: the engine within {aim}x of the floor, at the minimum and at the median. lines: "
        "items in the ledger rows; rows: ledger rows inserted; qs: queries per run."
    )
    print("Cost per line due (straight line through the medians at the two scales):")
    for line in _cost_lines({k: v for k, v in by_part.items() if len(v) == 2}):
        print(line)
