"""One store per (partner, person) over the server's one SQLite file, and the change bell.

`SqliteStore` scopes every row by partner, so a partner token's requests can only ever
reach that partner's rows. The person is who authors notes and replies. Stores are
opened on first use and kept: each is one connection to the shared WAL file.

The bell wakes every long-poll (`GET /v1/events`) as soon as this server commits a
change; changes made by another process on the same file (the CLI, a second server)
are found by the poll's periodic re-check.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

from ..domain import Clock
from ..store.sqlite import SqliteStore


class StorePool:
    def __init__(self, path: Path, clock: Clock, *, notify: bool = False) -> None:
        self.path = path
        self.clock = clock
        self.notify = notify
        self._stores: dict[tuple[str, str], SqliteStore] = {}
        self._lock = threading.Lock()

    def get(self, partner: str, person: str) -> SqliteStore:
        with self._lock:
            store = self._stores.get((partner, person))
            if store is None:
                store = self._stores[(partner, person)] = SqliteStore(
                    self.path, clock=self.clock, partner=partner, user=person, notify=self.notify
                )
            return store

    def close(self) -> None:
        with self._lock:
            for store in self._stores.values():
                store.close()
            self._stores.clear()


class ChangeBell:
    """Rings after every committed change; waiters wake at once (thread-safe ringing)."""

    def __init__(self, also: Callable[[], None] | None = None) -> None:
        """`also` is called (from any thread) on every ring: the mail sender's wake-up."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._also = also

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._event = asyncio.Event()

    def ring(self) -> None:
        if self._also is not None:
            self._also()
        loop, event = self._loop, self._event
        if loop is None or event is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._wake, event)

    @staticmethod
    def _wake(event: asyncio.Event) -> None:
        event.set()
        event.clear()

    async def wait(self, seconds: float) -> None:
        """Return when the bell rings or after `seconds`, whichever is first."""
        if self._event is None:
            self.bind(asyncio.get_running_loop())
        assert self._event is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=seconds)
