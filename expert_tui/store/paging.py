"""Keyset pagination: the orders of the inbox and the opaque cursors that continue them.

A cursor holds the sort key of the last row of a page, so the next page starts right
after it in an index: a page costs what it holds, tasks that arrive in between never
shift a page (no duplicates, no gaps), and deep pages are as cheap as the first.

Each order has one index led by the status (`schema`). A page with a status filter is
one range scan of that index; a page without one reads at most `limit` keys from each
status's run and merges them (`heapq.merge`), so it costs a few pages, never the store.
For urgency the status also fixes the band (owed, waiting, rest) that leads the key.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..domain import Invalid, Status
from .base import Sort
from .rows import urgency_band

#: A position in an order: the full sort key of one task, ending with its unique `seq`.
Key = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Order:
    """An order over `tasks t`: by `column` then `seq`, led by the urgency band if `banded`."""

    tag: str
    column: str
    descending: bool
    banded: bool = False

    @property
    def width(self) -> int:
        return 3 if self.banded else 2

    def key(self, status: Status, value: int, seq: int) -> Key:
        return (urgency_band(status), value, seq) if self.banded else (value, seq)

    def bound(self, status: Status, cursor: Key | None) -> tuple[int, int] | bool | None:
        """Where `status`'s run resumes after `cursor`: a (value, seq) to start after,
        None to start at its beginning, or False when the whole run is already past."""
        if cursor is None:
            return None
        if not self.banded:
            return cursor[0], cursor[1]
        band = urgency_band(status)
        if band != cursor[0]:
            return None if band > cursor[0] else False
        return cursor[1], cursor[2]

    def run_sql(self, where: str, after: bool) -> str:
        """Keys of one status's run, in order, from its index (no sort step)."""
        direction = " DESC" if self.descending else ""
        resume = f" AND (t.{self.column}, t.seq) {'<' if self.descending else '>'} (?, ?)" if after else ""
        return (
            f"SELECT t.{self.column}, t.seq FROM tasks t WHERE {where} AND t.status = ?{resume}"
            f" ORDER BY t.{self.column}{direction}, t.seq{direction} LIMIT ?"
        )

    def merge(self, runs: Iterable[list[Key]], limit: int) -> list[Key]:
        """The first `limit` keys of the sorted `runs`, in this order."""
        merged = heapq.merge(*runs, reverse=self.descending)
        return [key for _, key in zip(range(limit), merged, strict=False)]


ORDERS: dict[Sort, Order] = {
    Sort.URGENCY: Order("u", "urgency_key", descending=False, banded=True),
    Sort.RECEIVED: Order("r", "received_at", descending=True),
    Sort.ACTIVITY: Order("a", "activity_at", descending=True),
}
#: Search results, most recently added first: FTS5 walks its doclists in rowid order,
#: so a page of matches costs the page, not every match (as ranking all would).
SEARCH_ORDER = Order("s", "seq", descending=True)


def page_keys(
    order: Order,
    statuses: Iterable[Status],
    cursor: Key | None,
    limit: int,
    read_run: Callable[[Status, tuple[int, int] | None, int], list[tuple[int, int]]],
) -> list[Key]:
    """The keys of the next `limit` tasks over `statuses`; `read_run(status, after, n)`
    returns up to `n` (value, seq) pairs of that status's run after `after`."""
    runs = []
    for status in statuses:
        bound = order.bound(status, cursor)
        if bound is False:
            continue
        runs.append([order.key(status, value, seq) for value, seq in read_run(status, bound, limit)])
    return order.merge(runs, limit)


def encode_cursor(order: Order, key: Key) -> str:
    raw = json.dumps([order.tag, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: Order) -> Key:
    """The key in `cursor`; `Invalid` when it is damaged or from another order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise Invalid("the page cursor is damaged — start again from the first page", "cursor") from None
    if not isinstance(data, list) or not data or data[0] != order.tag:
        raise Invalid("the page cursor belongs to another listing — start again from the first page", "cursor")
    values = tuple(data[1:])
    width = 1 if order is SEARCH_ORDER else order.width
    if len(values) != width or not all(type(v) is int for v in values):
        raise Invalid("the page cursor is damaged — start again from the first page", "cursor")
    return values
