"""One store per (partner, person) over the server's one store, and the change bell.

A store scopes every row by partner, so a partner token's requests can only ever reach
that partner's rows. The person is who authors notes and replies. Stores are opened on
first use and kept: on a SQLite file each is one connection to the shared WAL file; on
PostgreSQL all of them borrow from the one pool of the server's `PgDatabase`.

The bell wakes every long-poll (`GET /v1/events`) as soon as this server commits a
change. Changes made by another process are found on SQLite by the poll's periodic
re-check, and on PostgreSQL at once: `PgListener` LISTENs on the channel every commit
with events NOTIFYs, and rings the bell.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable

from ..store.base import Store

log = logging.getLogger("expert_tui.server")

#: After the listening connection is lost, how long to wait before connecting again.
LISTEN_RETRY_S = 1.0


class StorePool:
    """`open_store(partner, person)` once per pair, kept until `close`."""

    def __init__(self, open_store: Callable[[str, str], Store], close: Callable[[], None] = lambda: None) -> None:
        self._open_store = open_store
        self._close = close
        self._stores: dict[tuple[str, str], Store] = {}
        self._lock = threading.Lock()

    def get(self, partner: str, person: str) -> Store:
        with self._lock:
            store = self._stores.get((partner, person))
            if store is None:
                store = self._stores[(partner, person)] = self._open_store(partner, person)
            return store

    def close(self) -> None:
        with self._lock:
            for store in self._stores.values():
                store.close()
            self._stores.clear()
            self._close()


class ChangeBell:
    """Rings after every committed change; waiters wake at once (thread-safe ringing)."""

    def __init__(self, also: Callable[[], None] | None = None) -> None:
        """`also` is called (from any thread) on every ring: the mail sender's wake-up."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._also = also
        #: How many times it has rung (on the loop's thread): a waiter that read the log
        #: after taking this number returns at once if it has moved since.
        self.rung = 0
        #: The server is stopping: every long-poll answers now, so the stop does not wait
        #: out their waits (the clients ask again, of the next server).
        self.closed = False

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

    def close(self) -> None:
        """Wake every waiter for good (from any thread): the server is stopping."""
        self.closed = True
        self.ring()

    def _wake(self, event: asyncio.Event) -> None:
        self.rung += 1
        event.set()
        event.clear()

    async def wait(self, seconds: float, since: int | None = None) -> None:
        """Return when the bell rings (or has rung since `since`) or after `seconds`,
        whichever is first."""
        if self._event is None:
            self.bind(asyncio.get_running_loop())
        assert self._event is not None
        if self.closed or (since is not None and self.rung != since):
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=seconds)


class PgListener:
    """A thread holding one autocommit connection (outside the pool: a pooled one would
    be lent to a transaction) that LISTENs on the store's events channel and rings the
    bell for every notification, whichever server process committed. A lost connection
    is retried every `LISTEN_RETRY_S`; each (re)connect rings too, since notifications
    sent while it was away are lost (the events table is the truth: waiters re-read it)."""

    def __init__(self, url: str, channel: str, bell: ChangeBell) -> None:
        self._url = url
        self._channel = channel
        self._bell = bell
        self._stop = threading.Event()
        self._conn: object | None = None
        self._thread = threading.Thread(target=self._run, name="expert-tui-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        import psycopg
        from psycopg import sql

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=10) as conn:
                    self._conn = conn
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
                    self._bell.ring()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self._bell.ring()
            except Exception as error:  # the database went away: say so once per attempt, retry
                if self._stop.is_set():
                    return
                log.warning("lost the PostgreSQL listening connection (%s); retrying", type(error).__name__)
                self._bell.ring()
                self._stop.wait(LISTEN_RETRY_S)
            finally:
                self._conn = None

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
