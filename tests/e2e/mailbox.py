"""A real SMTP server for end-to-end tests: aiosmtpd on a free loopback port.

The handler keeps every message it accepted, that is every message it answered ``250`` to:
what a real mail server would go on to deliver. ``hold_after(n)`` lets a test kill the
sender at exact moments of a send: the first ``n`` messages go through; the next one is
accepted, then its sender is held at QUIT (its message was accepted and the sender has not
finished: a sender killed then must already have recorded the send); every later message is
held after its content has arrived and before the server answers (a sender killed then was
never told that its message was accepted, and the server drops it, as a real one would).
"""

import asyncio
import contextlib
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    """One accepted message as a mail program would show it."""

    message_id: str
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]


def parse(content: bytes) -> Received:
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return Received(
        message_id=str(message["Message-ID"]),
        to=str(message["To"]),
        subject=str(message["Subject"]),
        text=text.get_content() if text is not None else "",
        html=html.get_content() if html is not None else "",
        headers={key: str(value) for key, value in message.items()},
    )


class Mailbox:
    """The aiosmtpd handler. Its methods run on the server's event loop thread; the test
    reads it from its own thread, through a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accepted: list[Received] = []
        self._hold_after: int | None = None
        self._quit_held_sessions: list[Any] = []
        self._held_data: list[Received] = []
        self._held_quits = 0
        # Messages whose sender went away while the server held them: never accepted.
        self._dropped: list[Received] = []

    # --- what the test reads and sets --------------------------------------------------

    @property
    def accepted(self) -> list[Received]:
        with self._lock:
            return list(self._accepted)

    @property
    def dropped(self) -> list[Received]:
        with self._lock:
            return list(self._dropped)

    @property
    def held(self) -> int:
        """Senders held right now, at DATA or at QUIT."""
        with self._lock:
            return len(self._held_data) + self._held_quits

    def hold_after(self, accepted: int) -> None:
        with self._lock:
            self._hold_after = accepted

    def release(self) -> None:
        """Answers the held senders that are still there, and holds nobody from now on."""
        with self._lock:
            self._hold_after = None

    # --- aiosmtpd hooks ----------------------------------------------------------------

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        received = parse(envelope.original_content)
        with self._lock:
            limit = self._hold_after
            if limit is not None and len(self._accepted) == limit:
                # Accepted, and this sender will be held when it says goodbye.
                self._quit_held_sessions.append(session)
                self._accepted.append(received)
                return "250 Message accepted for delivery"
            hold = limit is not None and len(self._accepted) > limit
            if hold:
                self._held_data.append(received)
        if hold:
            try:
                await self._wait_for_release()
            except asyncio.CancelledError:
                # The sender went away (aiosmtpd cancels the conversation): no 250 was sent.
                with self._lock:
                    self._dropped.append(received)
                raise
            finally:
                with self._lock:
                    self._held_data.remove(received)
        with self._lock:
            self._accepted.append(received)
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            hold = any(held is session for held in self._quit_held_sessions)
            if hold:
                self._held_quits += 1
        if hold:
            try:
                await self._wait_for_release()
            finally:
                with self._lock:
                    self._held_quits -= 1
        return "221 Bye"

    async def _wait_for_release(self) -> None:
        while True:
            with self._lock:
                if self._hold_after is None:
                    return
            await asyncio.sleep(0.01)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A running SMTP server on 127.0.0.1 and the port it listens on; always stopped."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield mailbox, port
    finally:
        mailbox.release()
        controller.stop()
