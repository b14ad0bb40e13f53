"""How one process reaches a store file: readers lent one per read, and one lock for
every writer of the file in the process.

In WAL mode readers never wait for the writer nor for each other: each read sees the
commits made before it began, whatever is being written meanwhile. One connection for
everything made every read of a shared server queue behind every other request (and
behind each reply's fsync): 50 clients at 100,000 tasks waited seconds on the lock while
the machine idled. SQLite steps a statement without holding the GIL, so a few readers
also put a second core to work while Python shapes another request's rows.

Writers of one file in one process (a server's store per person, its tokens and kept
answers) take turns on `write_lock` before SQLite's own lock: a writer that finds the
file locked polls it, sleeping up to 100 ms between tries, so two connections of one
process writing at once cost each other sleeps; a Python lock hands over at once.
Other processes still meet at SQLite's lock (the busy timeout).

Changes that arrive while another is being committed share the next commit
(`GroupCommit`): a commit waits for the disk (an fsync, 6 ms median on the machine
measured, 12 ms p90), and one at a time capped a server at one change per fsync.
"""

from __future__ import annotations

import contextvars
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")

_write_locks: dict[tuple[int, int], threading.RLock] = {}
_write_locks_lock = threading.Lock()


def write_lock(path: Path) -> threading.RLock:
    """The one lock of this process for writing the file at `path` (an existing file,
    however its path is spelled)."""
    found = path.stat()
    with _write_locks_lock:
        return _write_locks.setdefault((found.st_dev, found.st_ino), threading.RLock())


#: Readers open at once at most. More than the cores gain nothing: the rest of a request
#: holds the GIL. Each keeps its own page cache (allocated as used).
MAX_READERS = 4


class Readers:
    """Up to `size` connections made by `connect`, opened when first needed, kept idle
    between reads. After `close` a read raises at once, as on a closed connection (a
    thread still following the store must not wait for ever); a connection in use
    then is closed when its read ends."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], size: int = MAX_READERS) -> None:
        self._connect = connect
        self._size = size
        self._turns = threading.Condition(threading.Lock())
        self._idle: list[sqlite3.Connection] = []
        self._opened = 0
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection of this thread's own until the block ends."""
        conn = self._take()
        try:
            yield conn
        finally:
            with self._turns:
                if self._closed:
                    conn.close()
                else:
                    self._idle.append(conn)  # last in, first out: its cache is the warmest
                self._turns.notify()

    def _take(self) -> sqlite3.Connection:
        with self._turns:
            while not self._closed and not self._idle and self._opened >= self._size:
                self._turns.wait()
            if self._closed:
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
            if self._idle:
                return self._idle.pop()
            self._opened += 1
        try:
            return self._connect()
        except BaseException:
            with self._turns:
                self._opened -= 1
                self._turns.notify()
            raise

    def close(self) -> None:
        with self._turns:
            self._closed = True
            for conn in self._idle:
                conn.close()
            self._idle.clear()
            self._turns.notify_all()


class _Change(Generic[_T]):
    """One thread's change, waiting for its turn in a shared commit."""

    __slots__ = ("context", "done", "error", "result", "work")

    def __init__(self, work: Callable[[sqlite3.Connection], _T]) -> None:
        self.work = work
        # Run in the asking thread's context (its request's language, say), on whichever
        # thread commits it.
        self.context = contextvars.copy_context()
        self.done = False
        self.result: _T | None = None
        self.error: BaseException | None = None


class GroupCommit:
    """Write transactions asked for by many threads, on one connection. One thread at a
    time leads: it takes every change waiting by then, runs each in a savepoint of one
    transaction (a change that raises is undone alone) and commits them together, while
    the changes that arrive meanwhile wait for the next leader. Each thread returns once
    its own change is committed, or raises what refused it (or what failed the commit:
    then none of the group was stored). The same outcome, change by change, as one
    transaction each in the order they ran; fewer waits for the disk."""

    def __init__(self, conn: sqlite3.Connection, lock: Any, begin: Callable[[], None]) -> None:
        """`begin` starts the write transaction (`BEGIN IMMEDIATE`, waiting for other
        processes as the store does); `lock` is the file's `write_lock`, held from the
        begin to the commit."""
        self._conn = conn
        self._lock = lock
        self._begin = begin
        self._waiting: list[_Change[Any]] = []
        self._turns = threading.Condition(threading.Lock())
        self._leading = False

    def run(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        change: _Change[_T] = _Change(work)
        with self._turns:
            self._waiting.append(change)
            while self._leading and not change.done:
                self._turns.wait()
            lead = not change.done
            self._leading = self._leading or lead
        if lead:
            try:
                with self._lock:
                    self._commit_waiting()
            finally:
                with self._turns:
                    self._leading = False
                    self._turns.notify_all()
        if change.error is not None:
            raise change.error
        return change.result  # type: ignore[return-value]

    def _commit_waiting(self) -> None:
        with self._turns:
            changes, self._waiting = self._waiting, []
        try:
            self._begin()
            for change in changes:
                self._apply(change)
                if not self._conn.in_transaction:  # SQLite gave up the whole transaction
                    raise change.error or sqlite3.OperationalError("the write transaction was lost")
            self._conn.execute("COMMIT")
        except BaseException as error:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            for change in changes:
                change.error = change.error or error
                change.result = None
        finally:
            with self._turns:
                for change in changes:
                    change.done = True

    def _apply(self, change: _Change[Any]) -> None:
        self._conn.execute("SAVEPOINT change")
        try:
            change.result = change.context.run(change.work, self._conn)
        except Exception as error:
            change.error = error
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK TO change")
        if self._conn.in_transaction:
            self._conn.execute("RELEASE change")
