"""gunicorn on the harness's pinned clock: ``python -m faults.web <gunicorn args>``.

The web processes read the same clock as the worker and beat (tests/e2e/pinned_clock.py), so a
progress update is stamped on the day the sweeps believe it is.
"""

import sys

import time_machine

from tests.e2e.pinned_clock import now_on_the_shared_clock


def main() -> None:
    time_machine.travel(now_on_the_shared_clock(), tick=True).start()
    from gunicorn.app.wsgiapp import run

    sys.argv = ["gunicorn", *sys.argv[1:]]
    run()


if __name__ == "__main__":
    main()
