"""Keyset pagination: the orders of the inbox and the opaque cursors that continue them.

A cursor holds the sort keys of the last row of a page, so the next page is an index
range scan starting right after it: a page costs what it holds, tasks that arrive in
between never shift a page (no duplicates, no gaps), and deep pages are as cheap as
the first.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from ..domain import Invalid
from .base import Sort


@dataclass(frozen=True, slots=True)
class Order:
    """An order over `tasks` (aliased `t`): key columns, ending with the unique `seq`."""

    tag: str
    keys: tuple[str, ...]
    descending: bool

    def order_by(self) -> str:
        direction = " DESC" if self.descending else ""
        return ", ".join(f"t.{key}{direction}" for key in self.keys)

    def after(self) -> str:
        """The predicate 'comes after the cursor row', as one row-value comparison."""
        columns = ", ".join(f"t.{key}" for key in self.keys)
        marks = ", ".join("?" for _ in self.keys)
        return f"({columns}) {'<' if self.descending else '>'} ({marks})"


ORDERS: dict[Sort, Order] = {
    Sort.URGENCY: Order("u", ("urgency_band", "urgency_key", "seq"), descending=False),
    Sort.RECEIVED: Order("r", ("received_at", "seq"), descending=True),
    Sort.ACTIVITY: Order("a", ("activity_at", "seq"), descending=True),
}
#: Search results, most recently added first: FTS5 walks its doclists in rowid order,
#: so a page of matches costs the page, not every match (as ranking all would).
SEARCH_ORDER = Order("s", ("seq",), descending=True)


def encode_cursor(order: Order, values: tuple[int, ...]) -> str:
    raw = json.dumps([order.tag, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: Order) -> tuple[int, ...]:
    """The key values in `cursor`; `Invalid` when it is damaged or from another order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise Invalid("the page cursor is damaged — start again from the first page", "cursor") from None
    if not isinstance(data, list) or not data or data[0] != order.tag:
        raise Invalid("the page cursor belongs to another listing — start again from the first page", "cursor")
    values = tuple(data[1:])
    if len(values) != len(order.keys) or not all(type(v) is int for v in values):
        raise Invalid("the page cursor is damaged — start again from the first page", "cursor")
    return values
