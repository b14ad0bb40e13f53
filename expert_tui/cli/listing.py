"""What `list` and `search` read: the store's pages, narrowed by the filters scripts ask
for most, counted out by `--limit` or one page at a time by `--page-size`/`--cursor`.

The store filters by kind and one status; the other filters (several statuses, a
merchant, a service, a closing window) are checked here, on tasks read page by page,
so memory stays one page whatever the inbox holds.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain import Status, Task
from ..domain.text import fold
from ..store import Page
from ..store.base import MAX_PAGE_SIZE

#: Reads the store page of at most `limit` tasks after `cursor` (None: the first),
#: with the store-side filter: one status, or None for all.
Fetch = Callable[[Status | None, str | None, int], Page]


@dataclass(frozen=True, slots=True)
class Filters:
    statuses: frozenset[Status] | None = None
    merchant: str | None = None
    service: str | None = None
    expiring_within: timedelta | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Filters:
        return cls(
            statuses=None if not args.status else frozenset(Status(s) for s in args.status),
            merchant=None if args.merchant is None else fold(args.merchant.strip()),
            service=None if args.service is None else fold(args.service.strip()),
            expiring_within=args.expiring_within,
        )

    @property
    def store_status(self) -> Status | None:
        """The one status the store can filter by itself, if that is all that was asked."""
        if self.statuses is not None and len(self.statuses) == 1:
            return next(iter(self.statuses))
        return None

    @property
    def checks_here(self) -> bool:
        return (self.statuses is not None and len(self.statuses) > 1) or any(
            x is not None for x in (self.merchant, self.service, self.expiring_within)
        )

    def matches(self, task: Task, now: datetime) -> bool:
        status = task.status_at(now)
        if self.statuses is not None and status not in self.statuses:
            return False
        if self.service is not None and fold(task.service) != self.service:
            return False
        if self.merchant is not None and not (
            self.merchant in fold(task.merchant.name) or self.merchant in fold(task.merchant.email)
        ):
            return False
        if self.expiring_within is not None:
            left = task.time_left(now)
            if left is None or left > self.expiring_within:
                return False
        return True


class Listing:
    """The tasks one `list`/`search` prints, and whether more were left out."""

    def __init__(self, fetch: Fetch, filters: Filters, now: datetime) -> None:
        self._fetch = fetch
        self._filters = filters
        self._now = now
        self.more = False
        self.next_cursor: str | None = None

    def up_to(self, limit: int | None) -> Iterator[Task]:
        """Every matching task in order, or the first `limit`; `more` is set once it is
        known that others were left out."""
        if limit is None:
            yield from self._all(MAX_PAGE_SIZE)
            return
        # One extra task is read to know whether there are more than `limit`.
        size = MAX_PAGE_SIZE if self._filters.checks_here else min(MAX_PAGE_SIZE, limit + 1)
        found = itertools.islice(self._all(size), limit + 1)
        for count, task in enumerate(found):
            if count == limit:
                self.more = True
                return
            yield task

    def page(self, size: int, cursor: str | None) -> list[Task]:
        """Exactly `size` matching tasks after `cursor` (fewer on the last page); sets
        `next_cursor`. The store is read in steps no larger than what is still missing,
        so the cursor ends right after the last task returned."""
        found: list[Task] = []
        while True:
            page = self._fetch(self._filters.store_status, cursor, size - len(found))
            found.extend(task for task in page.items if self._filters.matches(task, self._now))
            cursor = page.next_cursor
            if cursor is None or len(found) >= size:
                self.next_cursor = cursor
                return found

    def _all(self, size: int) -> Iterator[Task]:
        cursor = None
        while True:
            page = self._fetch(self._filters.store_status, cursor, size)
            yield from (task for task in page.items if self._filters.matches(task, self._now))
            cursor = page.next_cursor
            if cursor is None:
                return
