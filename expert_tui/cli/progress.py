"""The import's progress on a terminal: tasks read, tasks a second, and the time left.

A large import (a year of tasks, an agency's move) takes minutes; a silent terminal for
that long reads as a hang. The bar goes to stderr and only when stderr is a terminal, so
a pipe, a log file or `--json` output never holds it. The time left is known from the
file's size (how far the reader is in it); from standard input only the count and the
rate are.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, Protocol

#: Records between two updates of the bar: each update takes a lock and reads the position.
EVERY = 200


class Tracker(Protocol):
    def __call__(self, records: Iterator[tuple[int, object]]) -> Iterator[tuple[int, object]]: ...


@contextmanager
def import_progress(stream: IO[bytes] | None, size: int | None) -> Iterator[Tracker]:
    """A function that passes the records through, moving a bar on the way (or nothing
    off a terminal). `stream` and `size` give the position and the total in bytes."""
    if not sys.stderr.isatty():
        yield _untracked
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("importing"),
        BarColumn(),
        TextColumn("{task.fields[count]:,} tasks · {task.fields[rate]:,.0f}/s"),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=True,  # gone when done: the report is what stays
    )
    bar = progress.add_task("import", total=size or None, count=0, rate=0.0)

    def tracked(records: Iterator[tuple[int, object]]) -> Iterator[tuple[int, object]]:
        started = time.monotonic()
        count = 0
        for record in records:
            count += 1
            if count % EVERY == 0:
                _update(progress, bar, stream, count, started)
            yield record
        _update(progress, bar, stream, count, started)

    with progress:
        yield tracked


def _untracked(records: Iterator[tuple[int, object]]) -> Iterator[tuple[int, object]]:
    return records


def _update(progress: Any, bar: Any, stream: IO[bytes] | None, count: int, started: float) -> None:
    elapsed = max(time.monotonic() - started, 1e-6)
    position: dict[str, int] = {}
    if stream is not None and stream.seekable():
        position["completed"] = stream.tell()
    progress.update(bar, count=count, rate=count / elapsed, **position)
