"""Overlap reading an import with writing it.

Validating task objects and folding their text is Python work that holds the GIL;
SQLite's inserts and commits release it. Running the writes in one background thread
while the caller validates the next batch keeps both busy, so an import costs roughly
the larger of the two, not their sum. Each batch is still its own transaction, so a
kill at any moment leaves whole batches only.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

#: Batches waiting to be written; bounds memory to a few batches whatever the file size.
_QUEUE_DEPTH = 2
_DONE = object()


class BatchWriter(Generic[T]):
    """`put` batches from one thread; `write(batch)` runs on a writer thread, in order.

    Used as a context manager: leaving it waits for every batch already put to be
    written (also when the reader fails), then re-raises the writer's error, if any.
    """

    def __init__(self, write: Callable[[T], None]) -> None:
        self._write = write
        self._queue: queue.Queue[object] = queue.Queue(maxsize=_QUEUE_DEPTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="import-writer", daemon=True)

    def __enter__(self) -> BatchWriter[T]:
        self._thread.start()
        return self

    def put(self, batch: T) -> None:
        self._raise_if_failed()
        self._queue.put(batch)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._queue.put(_DONE)
        self._thread.join()
        if kind is None:
            self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (batch := self._queue.get()) is not _DONE:
            if self._error is None:
                try:
                    self._write(batch)  # type: ignore[arg-type]
                except BaseException as error:
                    self._error = error
