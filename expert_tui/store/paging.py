"""Keyset pagination: the orders of the inbox and the opaque cursors that continue them.

A cursor holds the sort key of the last row of a page, so the next page starts right
after it in an index: a page costs what it holds, tasks that arrive in between never
shift a page (no duplicates, no gaps), and deep pages are as cheap as the first.

Each status's tasks form one *run*: a range of one index led by the status, read in
one direction (`Run`). A page with a status filter is one range scan; a page without
one reads at most `limit` keys from each run and merges them (`heapq.merge`), so it
costs a few pages, never the store. Keys compare ascending whatever the direction of
their run (a descending run's values are negated), and lead with the run's *band*:
urgency puts first responses owed first, then merchants waiting, then the rest, and
the status alone decides the band.

A jump to a position (`offset`, for a scroll bar or `G`) finds the key just before
it (`key_at`): whole bands are skipped by their counts, and inside a band SQLite merges
the runs' index ranges itself (a compound `ORDER BY`, no sort), from whichever end of
the band is nearer. That key then serves as the cursor of an ordinary page.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..domain import Invalid, Status
from .base import Sort
from .rows import BAND_OWED, BAND_REST, BAND_WAITING, urgency_band

#: A position in an order: (band, value, seq), descending runs negated, so keys of
#: every run compare ascending; `seq` is unique, so a key is one task.
Key = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Run:
    """How one status's tasks are ordered: by `column`, ties by `seq`, each ascending
    or descending. Ties against the column's direction (the rest of urgency: latest
    activity first, ties oldest first, as urgency always had it) cost SQLite a sort of
    each group of equal values as it reads them, never of the run."""

    band: int
    column: str
    descending: bool
    ties_descending: bool

    def key(self, value: int, seq: int) -> Key:
        return (self.band, -value if self.descending else value, -seq if self.ties_descending else seq)

    def position(self, key: Key) -> tuple[int, int]:
        """The (value, seq) of a key of this run."""
        return (-key[1] if self.descending else key[1]), (-key[2] if self.ties_descending else key[2])

    def sql(self, where: str, after: bool, reverse: bool = False) -> str:
        """Keys of this run (`t.{column}, t.seq`) in order (or reversed), from its index;
        with `after`, from after a (value, seq) given as `after_args`."""
        descending = self.descending != reverse
        ties_descending = self.ties_descending != reverse
        resume = ""
        if after:
            beyond = "<" if descending else ">"
            if descending == ties_descending:
                resume = f" AND (t.{self.column}, t.seq) {beyond} (?, ?)"
            else:
                tie = "<" if ties_descending else ">"
                resume = f" AND t.{self.column} {beyond}= ? AND (t.{self.column} {beyond} ? OR t.seq {tie} ?)"
        return (
            f"SELECT t.{self.column}, t.seq FROM tasks t WHERE {where} AND t.status = ?{resume}"
            f" ORDER BY t.{self.column}{' DESC' if descending else ''}, t.seq{' DESC' if ties_descending else ''}"
        )

    def after_args(self, value: int, seq: int) -> tuple[int, ...]:
        return (value, seq) if self.descending == self.ties_descending else (value, value, seq)


@dataclass(frozen=True, slots=True)
class Order:
    """An inbox order: one `Run` per status."""

    tag: str
    runs: Mapping[Status, Run]

    def bound(self, status: Status, cursor: Key | None) -> tuple[int, int] | bool | None:
        """Where `status`'s run resumes after `cursor`: a (value, seq) to start after,
        None to start at its beginning, or False when the whole run is already past."""
        if cursor is None:
            return None
        run = self.runs[status]
        if run.band != cursor[0]:
            return None if run.band > cursor[0] else False
        return run.position(cursor)

    def bands(self, statuses: Iterable[Status]) -> list[list[Status]]:
        """`statuses` grouped by band, bands in order."""
        grouped: dict[int, list[Status]] = {}
        for status in statuses:
            grouped.setdefault(self.runs[status].band, []).append(status)
        return [grouped[band] for band in sorted(grouped)]


def _same_run(column: str, descending: bool) -> dict[Status, Run]:
    return {status: Run(0, column, descending, descending) for status in Status}


def _urgency_run(status: Status) -> Run:
    band = urgency_band(status)
    if band == BAND_OWED:  # soonest deadline: expires_at = received_at + 72 h
        return Run(BAND_OWED, "received_at", descending=False, ties_descending=False)
    if band == BAND_WAITING:  # longest wait
        return Run(BAND_WAITING, "activity_at", descending=False, ties_descending=False)
    return Run(BAND_REST, "activity_at", descending=True, ties_descending=False)  # latest activity


ORDERS: dict[Sort, Order] = {
    Sort.URGENCY: Order("u", {status: _urgency_run(status) for status in Status}),
    Sort.RECEIVED: Order("r", _same_run("received_at", descending=True)),
    Sort.ACTIVITY: Order("a", _same_run("activity_at", descending=True)),
}
#: Search results, most recently added first: FTS5 walks its doclists in rowid order,
#: so a page of matches costs the page, not every match (as ranking all would).
SEARCH_TAG = "s"


def seq_of(key: Key) -> int:
    """The task a key stands for (`seq` is positive; descending runs negate it)."""
    return abs(key[-1])


def page_keys(
    order: Order,
    statuses: Iterable[Status],
    cursor: Key | None,
    limit: int,
    read_run: Callable[[Status, Run, tuple[int, int] | None, int], list[tuple[int, int]]],
) -> list[Key]:
    """The keys of the next `limit` tasks over `statuses`; `read_run(status, run, after, n)`
    returns up to `n` (value, seq) pairs of that status's run after `after`."""
    runs = []
    for status in statuses:
        bound = order.bound(status, cursor)
        if bound is False:
            continue
        run = order.runs[status]
        runs.append([run.key(value, seq) for value, seq in read_run(status, run, bound, limit)])
    merged = heapq.merge(*runs)
    return [key for _, key in zip(range(limit), merged, strict=False)]


def key_at(
    conn: sqlite3.Connection,
    order: Order,
    statuses: list[Status],
    position: int,
    where: str,
    args: list[Any],
    counts: Mapping[Status, int],
) -> Key | None:
    """The key of the task at 0-based `position` over `statuses`; None past the end.

    `counts` are the tasks per status under the same filters, in the same snapshot.
    """
    for band in order.bands(statuses):
        size = sum(counts.get(status, 0) for status in band)
        if position >= size:
            position -= size
            continue
        run = order.runs[band[0]]
        # From the nearer end: a jump to the bottom costs what one to the top does.
        reverse = position >= size - position
        skip = size - 1 - position if reverse else position
        arms = [f"SELECT * FROM ({run.sql(where, after=False, reverse=reverse)}) AS run{i}" for i in range(len(band))]
        by_value = " DESC" if run.descending != reverse else ""
        by_seq = " DESC" if run.ties_descending != reverse else ""
        sql = f"SELECT * FROM ({' UNION ALL '.join(arms)}) AS runs ORDER BY 1{by_value}, 2{by_seq} LIMIT 1 OFFSET ?"
        values = [value for status in band for value in (*args, status.value)]
        found = conn.execute(sql, [*values, skip]).fetchone()
        return None if found is None else run.key(found[0], found[1])
    return None


def encode_cursor(tag: str, key: Key) -> str:
    raw = json.dumps([tag, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, tag: str, width: int = 3) -> Key:
    """The key in `cursor`; `Invalid` when it is damaged or from another order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise Invalid("the page cursor is damaged — start again from the first page", "cursor") from None
    if not isinstance(data, list) or not data or data[0] != tag:
        raise Invalid("the page cursor belongs to another listing — start again from the first page", "cursor")
    values = tuple(data[1:])
    if len(values) != width or not all(type(v) is int for v in values):
        raise Invalid("the page cursor is damaged — start again from the first page", "cursor")
    return values
