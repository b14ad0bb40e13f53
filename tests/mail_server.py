"""A real SMTP server on loopback for tests (aiosmtpd): a mailbox that records every
message as the relay received it (envelope and bytes), and can refuse a recipient for
good, go down and come back on the same port, or hold its answer to DATA after it has
recorded the message (the window between a relay's acceptance and the sender's record).
"""

from __future__ import annotations

import asyncio
import email
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from live_server import free_port


@dataclass(frozen=True, slots=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.content, policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class Mailbox:
    """The aiosmtpd handler: what arrived, and how the relay answers."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refused: set[str] = set()
        #: While set, the answer to `hold_step` waits until `release`: at "DATA" after the
        #: message is recorded (accepted, not yet answered), at "RCPT" before anything is.
        self.hold = threading.Event()
        self.hold_step = "DATA"
        self.held = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self.hold.is_set() and self.hold_step == "RCPT":
            await self._wait()
        if address in self.refused:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.content)))
        if self.hold.is_set() and self.hold_step == "DATA":
            await self._wait()
        return "250 2.0.0 queued as test"

    async def _wait(self) -> None:
        self.held.set()
        await asyncio.get_running_loop().run_in_executor(None, self._released.wait, 30)

    def release(self) -> None:
        self.hold.clear()
        self._released.set()

    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [item.message for item in self.received]


class SmtpServer:
    """aiosmtpd's controller on a fixed loopback port, so it can stop and start again there."""

    def __init__(self, mailbox: Mailbox | None = None, **options: Any) -> None:
        """`options` go to aiosmtpd's `Controller` (TLS, STARTTLS, an authenticator)."""
        self.mailbox = mailbox or Mailbox()
        self.port = free_port()
        self.options = options
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **self.options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@contextmanager
def smtp_server(**options: Any) -> Iterator[SmtpServer]:
    server = SmtpServer(**options)
    server.start()
    try:
        yield server
    finally:
        server.mailbox.release()
        server.stop()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Until `condition` holds, bounded by time (never a sleep standing in for a deadline)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for: {what}")
        time.sleep(0.02)
