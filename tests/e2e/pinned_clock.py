"""Runs a Celery command on the tests' pinned clock: ``python -m tests.e2e.pinned_clock ...``.

The sweeps send only on working days after the send time in London, so processes started by
an end-to-end test must not read the machine's real clock (CI may run on a Sunday night).
Every process of one test shares one clock: ``E2E_CLOCK_START`` (ISO 8601, with an offset)
is what the clock read at the real instant ``E2E_CLOCK_ANCHOR`` (seconds since the epoch),
and it ticks on from there. A worker restarted later in the test therefore agrees with beat
and with the test itself about what time it is.
"""

import datetime as dt
import faulthandler
import os
import signal
import sys
import time

import time_machine

START = "E2E_CLOCK_START"
ANCHOR = "E2E_CLOCK_ANCHOR"


def clock_env(start: dt.datetime, anchor: float) -> dict[str, str]:
    """The environment that puts a process started now on the clock that read ``start`` at
    the real time ``anchor``."""
    if start.tzinfo is None:
        raise ValueError("Pin the clock to an aware datetime.")
    return {START: start.isoformat(), ANCHOR: repr(anchor)}


def now_on_the_shared_clock() -> dt.datetime:
    start = dt.datetime.fromisoformat(os.environ[START])
    return start + dt.timedelta(seconds=time.time() - float(os.environ[ANCHOR]))


def main() -> None:
    # `kill -USR2 <pid>` prints every thread's stack into the process's log: what a test
    # reports about a process that does not stop.
    faulthandler.register(signal.SIGUSR2, all_threads=True)
    time_machine.travel(now_on_the_shared_clock(), tick=True).start()
    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
