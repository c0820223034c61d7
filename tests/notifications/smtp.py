"""A real SMTP server for tests: aiosmtpd on a free loopback port, answering as each test says.

``running_smtp_server()`` starts one and stops it; ``server.handler`` is told how to answer
(accept, defer DATA with 451, refuse the recipient with 550 or the message with 554, drop the
connection, hang at DATA or at the goodbye). Every DATA the server sees is kept in
``attempts`` and every message it accepted in ``accepted``, parsed, so tests can read headers
and both parts.
"""

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller


@dataclass
class Handler:
    """How the server answers, changed by tests between (or before) deliveries."""

    # 451 4.3.0 to the next so many DATA commands, then accept.
    defer_data: int = 0
    refuse_recipient: bool = False
    refuse_data: bool = False
    disconnect_on_data: bool = False
    # Sit on a DATA this long before answering (longer than the client's EMAIL_TIMEOUT).
    hang_seconds: float = 0.0
    # Sit on the goodbye (QUIT) this long, after the message was accepted.
    hang_on_quit_seconds: float = 0.0
    # Called (in a thread of its own, so it may read the database) when QUIT arrives.
    on_quit: Callable[[], None] | None = None
    attempts: list[EmailMessage] = field(default_factory=list)
    accepted: list[EmailMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse_recipient:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = cast(EmailMessage, message_from_bytes(envelope.content, policy=policy.default))
        with self._lock:
            self.attempts.append(message)
        if self.hang_seconds:
            await asyncio.sleep(self.hang_seconds)
        if self.disconnect_on_data:
            server.transport.close()
            return "421 4.4.2 Connection dropped"
        if self.refuse_data:
            return "554 5.7.1 Message rejected as spam"
        with self._lock:
            if self.defer_data > 0:
                self.defer_data -= 1
                return "451 4.3.0 Temporary local problem, try again later"
            self.accepted.append(message)
        return "250 2.0.0 OK: queued"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        if self.on_quit is not None:
            await asyncio.to_thread(self.on_quit)
        if self.hang_on_quit_seconds:
            await asyncio.sleep(self.hang_on_quit_seconds)
        return "221 2.0.0 Bye"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: Handler


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_smtp_server() -> Iterator[SmtpServer]:
    """A fresh server on a free loopback port; stopped (hung sessions cancelled) at the end."""
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, handler)
    finally:
        controller.stop()


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a multipart/alternative message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, message.as_string()
    # Lines travel as CRLF over SMTP; the ledger keeps them as written.
    return (
        str(text.get_content()).replace("\r\n", "\n"),
        str(html.get_content()).replace("\r\n", "\n"),
    )
