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
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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
    between reads; `close` waits for the reads in progress."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], size: int = MAX_READERS) -> None:
        self._connect = connect
        self._size = size
        self._free = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._opened: list[sqlite3.Connection] = []
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection of this thread's own until the block ends."""
        with self._free:
            with self._lock:
                if self._closed:
                    raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = self._connect()
                with self._lock:
                    self._opened.append(conn)
            try:
                yield conn
            finally:
                with self._lock:
                    self._idle.append(conn)  # last in, first out: its cache is the warmest

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for _ in range(self._size):  # every read in progress has ended
            self._free.acquire()
        with self._lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()
            self._idle.clear()
