"""Keyset pagination: the orders of the inbox and the opaque cursors that continue them.

A cursor holds the sort key of the last row of a page, so the next page starts right
after it in an index: a page costs what it holds, tasks that arrive in between never
shift a page (no duplicates, no gaps), and deep pages are as cheap as the first.

Each status's tasks form one *run*, read in one direction (`Run`): a range of one index
led by the stored status, or, for a status that depends on the clock, a few such ranges
(`Arm`s, split by `received_at` at the end of the 72-hour window, `Expiry`). Expiry is
never written (SPEC 6), so `new` and `opened` are the stored ones still inside their
window, and `expired` is the stored `expired` ones plus the stored `new`/`opened` past
it. A page reads at most `limit` keys from each arm and merges them (`heapq.merge`), so
it costs a few pages, never the store. Keys compare ascending whatever the direction of
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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain import RESPONSE_WINDOW, WAITING_FOR_FIRST_RESPONSE, Invalid, Status
from ..i18n import _
from .base import Sort
from .rows import BAND_OWED, BAND_REST, BAND_WAITING, to_micros, urgency_band

#: A position in an order: (band, value, seq), descending runs negated, so keys of
#: every run compare ascending; `seq` is unique, so a key is one task.
Key = tuple[int, ...]

#: Which side of the window's end an `Arm` takes: received after the cut (still owed)
#: or at or before it (expired); "" for a status the clock does not change.
LIVE = "live"
LAPSED = "lapsed"


@dataclass(frozen=True, slots=True)
class Arm:
    """The stored rows of one range of an index: a stored status and a side of the window."""

    stored: Status
    window: str = ""

    def terms(self, column: str = "received_at") -> str:
        """The arm's WHERE terms (over `tasks t`) for a run ordered by `column`; `args`
        fills them. On a run in another order the window is only a filter (`+` keeps
        the planner on the index of the order: the rows it skips are the last 72 hours'
        arrivals, while a range on `received_at` would sort the whole status)."""
        if not self.window:
            return "t.status = ?"
        received = "t.received_at" if column == "received_at" else "+t.received_at"
        return f"t.status = ? AND {received} {'>' if self.window == LIVE else '<='} ?"

    def args(self, cut: int) -> tuple[Any, ...]:
        return (self.stored.value, cut) if self.window else (self.stored.value,)


@dataclass(frozen=True, slots=True)
class Expiry:
    """Statuses as of one moment: a task owing a first response and received at or before
    `cut` (microseconds) has expired. `expiring` is False for contacts (no window)."""

    cut: int
    expiring: bool = True

    def arms(self, status: Status) -> tuple[Arm, ...]:
        """The stored rows that have `status` now."""
        if not self.expiring:
            return (Arm(status),)
        if status in WAITING_FOR_FIRST_RESPONSE:
            return (Arm(status, LIVE),)
        if status is Status.EXPIRED:
            return (Arm(Status.EXPIRED), *(Arm(owed, LAPSED) for owed in sorted(WAITING_FOR_FIRST_RESPONSE)))
        return (Arm(status),)

    def status_now(self, stored: Status, received_at: int) -> Status:
        """The status now of a task stored as `stored`, received at `received_at` (µs)."""
        if self.expiring and stored in WAITING_FOR_FIRST_RESPONSE and received_at <= self.cut:
            return Status.EXPIRED
        return stored


def status_where(status: Status, expiry: Expiry) -> tuple[str, list[Any]]:
    """The terms (after a listing's own) and their values that keep the tasks with
    `status` now: a filter on rows found in another order (a search's, by rowid)."""
    arms = expiry.arms(status)
    terms = " OR ".join(f"({arm.terms('seq')})" for arm in arms)
    return f" AND ({terms})", [value for arm in arms for value in arm.args(expiry.cut)]


def expiry_at(now: datetime, *, expiring: bool = True) -> Expiry:
    """Statuses as of `now` (the window is exact: at `expires_at` the task has expired)."""
    return Expiry(to_micros(now - RESPONSE_WINDOW), expiring)


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

    def sql(self, where: str, arm: Arm, after: bool, reverse: bool = False, then: str = "") -> str:
        """Keys of `arm` of this run (`t.{column}, t.seq`) in order (or reversed), from its
        index; the arm's `args` follow `where`'s; with `after`, from after a (value, seq)
        given as `after_args`. `then` (" AND ...", its values last) holds the terms to
        test after the arm's: SQLite tests a row's terms in the order written, and the
        window's comparison, which drops most rows an expired arm walks, is the cheapest."""
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
            f"SELECT t.{self.column}, t.seq FROM tasks t WHERE {where} AND {arm.terms(self.column)}{resume}{then}"
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


def seq_of(key: Key) -> int:
    """The task a key stands for (`seq` is positive; descending runs negate it)."""
    return abs(key[-1])


def page_keys(
    order: Order,
    statuses: Iterable[Status],
    cursor: Key | None,
    limit: int,
    expiry: Expiry,
    read_run: Callable[[Arm, Run, tuple[int, int] | None, int], Iterable[tuple[int, int]]],
) -> list[Key]:
    """The keys of the next `limit` tasks over `statuses`; `read_run(arm, run, after, n)`
    returns up to `n` (value, seq) pairs of that arm of a status's run after `after`, as
    a list or as an iterator: the merge takes from each only what the page needs, so an
    iterator that reads as it goes (a search checking each task) reads no more.

    A band's keys all come before the next band's, so the bands are read in turn and a
    page the first fills never reads the others: on an urgency page at 100,000 tasks the
    lapsed `new`/`opened` runs of the last band (by activity, stepping over the live
    ones) were two thirds of the page's SQL time."""
    keys: list[Key] = []
    for band in order.bands(statuses):
        runs = []
        for status in band:
            bound = order.bound(status, cursor)
            if bound is False:
                continue
            run = order.runs[status]
            for arm in expiry.arms(status):
                runs.append(_keys(run, read_run(arm, run, bound, limit - len(keys))))
        merged = heapq.merge(*runs)
        keys += [key for _, key in zip(range(limit - len(keys)), merged, strict=False)]
        if len(keys) >= limit:
            break
    return keys


def _keys(run: Run, pairs: Iterable[tuple[int, int]]) -> Iterator[Key]:
    return (run.key(value, seq) for value, seq in pairs)


def hit_keys(
    order: Order,
    statuses: Iterable[Status],
    cursor: Key | None,
    limit: int,
    expiry: Expiry,
    found: Iterable[tuple[int, str, int, int]],
) -> list[Key]:
    """The keys of the first `limit` tasks after `cursor` among `found`, rows of
    (seq, stored status, received_at, activity_at): a search's few matches put in the
    listing's order here instead of walking its index, with the cursors a listing has."""
    wanted = set(statuses)
    keys: list[Key] = []
    for seq, stored, received, activity in found:
        status = expiry.status_now(Status(stored), received)
        if status not in wanted:
            continue
        run = order.runs[status]
        key = run.key(received if run.column == "received_at" else activity, seq)
        if cursor is None or key > cursor:
            keys.append(key)
    return heapq.nsmallest(limit, keys)


def status_now_sql(expiry: Expiry) -> tuple[str, list[Any]]:
    """`Expiry.status_now` of a task row `t` in SQL, `?` style, and its values."""
    if not expiry.expiring:
        return "t.status", []
    waiting = sorted(WAITING_FOR_FIRST_RESPONSE)
    return (
        f"CASE WHEN t.status IN ({', '.join('?' for _ in waiting)}) AND t.received_at <= ? THEN ? ELSE t.status END",
        [*(status.value for status in waiting), expiry.cut, Status.EXPIRED.value],
    )


def hit_key_sql(order: Order, statuses: Iterable[Status], now: str) -> tuple[str, list[Any], str, list[Any]]:
    """`hit_keys` in SQL, for a task row `t` whose status now is the column `now`: the
    select list `band, value, seq` of its key in `order` and its values, then the terms
    (" AND ...") keeping `statuses` and theirs. A database can then put a search's
    matches in the listing's order itself and send back only a page of them. A part
    of the key that every status wanted shares is one expression, not a CASE of the
    status (only urgency's bands and columns depend on it)."""
    wanted = sorted(set(statuses))
    runs = {status: order.runs[status] for status in wanted}
    parts: list[str] = []
    args: list[Any] = []
    for name, part in (
        ("band", lambda run: ("?", [run.band])),
        ("value", lambda run: (f"{'-' if run.descending else ''}t.{run.column}", [])),
        ("seq", lambda run: (f"{'-' if run.ties_descending else ''}t.seq", [])),
    ):
        each = {status: part(run) for status, run in runs.items()}
        if len({(sql, tuple(values)) for sql, values in each.values()}) == 1:
            sql, values = next(iter(each.values()))
            parts.append(f"{sql} AS {name}")
            args += values
            continue
        parts.append(f"CASE {now} {' '.join(f'WHEN ? THEN {sql}' for sql, _ in each.values())} END AS {name}")
        args += [value for status, (_, values) in each.items() for value in (status.value, *values)]
    if len(wanted) == len(Status):
        return ", ".join(parts), args, "", []
    return ", ".join(parts), args, f" AND {now} = ANY(?)", [[status.value for status in wanted]]


def key_at(
    conn: sqlite3.Connection,
    order: Order,
    statuses: list[Status],
    position: int,
    where: str,
    args: list[Any],
    counts: Mapping[Status, int],
    expiry: Expiry,
) -> Key | None:
    """The key of the task at 0-based `position` over `statuses`; None past the end.

    `counts` are the tasks per status under the same filters, in the same snapshot,
    as of the same `expiry`.
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
        band_arms = [arm for status in band for arm in expiry.arms(status)]
        arms = [
            f"SELECT * FROM ({run.sql(where, arm, after=False, reverse=reverse)}) AS run{i}"
            for i, arm in enumerate(band_arms)
        ]
        by_value = " DESC" if run.descending != reverse else ""
        by_seq = " DESC" if run.ties_descending != reverse else ""
        sql = f"SELECT * FROM ({' UNION ALL '.join(arms)}) AS runs ORDER BY 1{by_value}, 2{by_seq} LIMIT 1 OFFSET ?"
        values = [value for arm in band_arms for value in (*args, *arm.args(expiry.cut))]
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
        raise Invalid(_("the page cursor is damaged — start again from the first page"), "cursor") from None
    if not isinstance(data, list) or not data or data[0] != tag:
        raise Invalid(_("the page cursor belongs to another listing — start again from the first page"), "cursor")
    values = tuple(data[1:])
    if len(values) != width or not all(type(v) is int for v in values):
        raise Invalid(_("the page cursor is damaged — start again from the first page"), "cursor")
    return values
