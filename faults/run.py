"""The fault-injection run: ``python -m faults [--short] [--notify] [--json FILE] [--keep]``.

Starts the whole stack on loopback (its own PostgreSQL cluster, Redis, SMTP server, gunicorn,
a Celery worker and beat; never the machine's shared services), then injects one fault at a
time while a fresh batch of reminders is due and progress updates are posted through the API:

1. smtp      the SMTP server is down for a while, then back;
2. redis     Redis is killed (losing every queued message) and restarted;
3. worker    the worker is killed with SIGKILL in the middle of sending;
4. beats     a second beat runs beside the first;
5. postgres  PostgreSQL is shut down immediately and restarted.

With ``--notify`` every email goes through a GOV.UK Notify stand-in instead, and the faults
are Notify's (``faults.notify_run``): the worker killed mid-request, 500, 429 and hanging.

It prints one row per fault (expected, delivered, duplicated, lost, progress updates) and
exits non-zero if an email was lost or sent twice beyond the at-least-once window that
docs/notifications.md documents, or an acknowledged progress update was lost.
"""

import argparse
import json
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from types import FrameType

from faults.notify_run import NotifyFaultRun
from faults.results import FULL, SHORT, Profile, Result, table
from faults.scenarios import FaultRun
from faults.stack import (
    StackError,
)

FAULTS = ("smtp", "redis", "worker", "beats", "postgres")
NOTIFY_FAULTS = ("notify-worker", "notify-500", "notify-429", "notify-hang")


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    profile = SHORT if args.short else FULL
    folder = Path(tempfile.mkdtemp(prefix="faults-", dir=args.logs))
    harness = NotifyFaultRun(profile, folder) if args.notify else FaultRun(profile, folder)
    every = len(NOTIFY_FAULTS if args.notify else FAULTS)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    began = time.monotonic()
    results, failed = _run(harness, only=args.only, began=began)
    total = time.monotonic() - began
    print()
    print(table(results))
    print(f"\n{profile.name} run: {total:.0f}s in all")
    if args.json:
        _write_json(args.json, profile=profile, seconds=total, failed=failed, results=results)
    bad = [r.fault for r in results if not r.ok]
    if failed or bad or (not args.only and len(results) < every):
        if bad:
            print(f"faults: lost or repeated work under: {', '.join(bad)}", file=sys.stderr)
        if failed or bad:
            print(f"logs kept in {folder}", file=sys.stderr)
        return 1
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m faults", description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="small batches, short outages (CI)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--keep", action="store_true", help="keep the logs folder afterwards")
    parser.add_argument(
        "--notify", action="store_true", help="send through a GOV.UK Notify stand-in: its faults"
    )
    parser.add_argument(
        "--logs", type=Path, help="make the logs folder in this folder (default: the system's temp)"
    )
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated faults to run ({','.join(FAULTS)}; with --notify: "
        f"{','.join(NOTIFY_FAULTS)})",
    )
    return parser


def _run(harness: FaultRun, *, only: str, began: float) -> tuple[list[Result], bool]:
    """The stack started and the faults injected: the results so far, and whether the run
    stopped early. Whatever happens, everything the harness started is stopped."""
    try:
        print(
            f"Starting the stack ({harness.profile.name} run; logs in {harness.folder})",
            flush=True,
        )
        harness.start()
        print(f"Stack up in {time.monotonic() - began:.0f}s", flush=True)
        names = [name.strip() for name in only.split(",") if name.strip()]
        return harness.run(names), False
    except StackError as exc:
        print(f"faults: {exc}", file=sys.stderr)
        return harness.results, True
    except KeyboardInterrupt:
        print(
            "faults: interrupted; everything the harness started is being stopped", file=sys.stderr
        )
        return harness.results, True
    finally:
        harness.stack.close()


def _write_json(
    path: Path, *, profile: Profile, seconds: float, failed: bool, results: list[Result]
) -> None:
    # The addresses and time windows behind each count stay out: the file is a summary.
    path.write_text(
        json.dumps(
            {
                "profile": profile.name,
                "seconds": seconds,
                "completed": not failed,
                "results": [
                    {
                        k: v
                        for k, v in asdict(r).items()
                        if k not in ("emails", "windows", "outages")
                    }
                    | {"ok": r.ok}
                    for r in results
                ],
            },
            indent=2,
        )
    )
