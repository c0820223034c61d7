"""The harness's SMTP server, a process of its own so that it can be stopped and started again.

``python -m faults.smtp_server --port P --log FILE --control FILE``: aiosmtpd on 127.0.0.1:P.
Every message it answers ``250`` to is appended to FILE as one JSON line (the Message-ID, the
recipient, the subject, when its DATA began and when it was accepted), so what arrived
survives the server's restarts (a send held at DATA is written down as ``held`` first, one
dropped by its sender as ``dropped``). The control file (JSON, read at every command) slows the
server down: ``data_delay`` seconds before answering DATA, ``quit_delay`` before answering
QUIT, each drawn at random around that figure if ``jitter`` is true. A sender that hangs up
while its DATA is held was never told its message was accepted, and the server drops it, as a
real one would.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import random
import signal
import threading
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, log: Path, control: Path) -> None:
        self.log = log
        self.control = control
        self._lock = threading.Lock()

    def _delay(self, name: str) -> float:
        try:
            control = json.loads(self.control.read_text() or "{}")
        except (OSError, ValueError):
            return 0.0
        delay = float(control.get(name, 0))
        # Jitter spreads concurrent senders over every step of a send.
        return delay * random.uniform(0.2, 1.8) if control.get("jitter") else delay

    def _write(self, record: dict[str, Any]) -> None:
        line = (json.dumps(record) + "\n").encode()
        with self._lock:
            descriptor = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(descriptor, line)
            finally:
                os.close(descriptor)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        began = time.time()
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        record = {
            "message_id": str(message["Message-ID"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "data_at": began,
        }
        delay = self._delay("data_delay")
        if delay:
            # A send held here: the harness can strike while a message is half way.
            self._write({**record, "event": "held", "at": began})
            try:
                await asyncio.sleep(delay)
            except asyncio.CancelledError:
                self._write({**record, "event": "dropped", "at": time.time()})
                raise
        self._write({**record, "event": "accepted", "at": time.time()})
        return "250 2.0.0 Message accepted for delivery"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        delay = self._delay("quit_delay")
        if delay:
            await asyncio.sleep(delay)
        return "221 Bye"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--control", type=Path, required=True)
    args = parser.parse_args()
    controller = Controller(
        Recorder(args.log, args.control), hostname="127.0.0.1", port=args.port, ready_timeout=10
    )
    controller.start()
    print(f"SMTP server listening on 127.0.0.1:{args.port}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()
