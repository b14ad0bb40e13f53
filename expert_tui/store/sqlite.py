"""The embedded store: one SQLite file, safe across threads and processes.

Every change runs in a `BEGIN IMMEDIATE` transaction (with a busy timeout, so two
processes writing at once wait for each other instead of failing with "database is
locked"): the task is read, the domain rules decide (`rules.apply` with `now =
clock()`), and the new state, its messages/notes, its search document and an event
row are written together. Reads write nothing: expiry is computed at read time (SPEC 6),
so statuses, counts and orders are as of the reader's clock, whatever was running when
a deadline passed (`paging.Expiry`, `sql_base.counts_now`).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from ..domain import (
    Clock,
    IdempotencyMismatch,
    Invalid,
    Kind,
    NotFound,
    Preferences,
    Refused,
    Status,
    Task,
    system_clock,
)
from ..domain.codec import preferences_from_dict
from ..domain.model import zone as domain_zone
from ..domain.query import Flag, Query
from ..domain.text import check_body, check_storable
from ..private_files import check_store_files, prepare_store_file
from . import rows
from .base import Event, ImportReport, Page, QueuedReply, Sort, Stats, StoreLocked, TaskQuery, check_draft_kind
from .delivery import check_delivery
from .notify import enqueue as queue_notification
from .objects import ObjectPage
from .outbox_rules import (
    ALREADY_SENT,
    OUTBOX_COLUMNS,
    check_queueable,
    checked_queue_args,
    queued_from_row,
    restored_draft,
    same_or_refused,
    whole_micros,
)
from .paging import (
    ORDERS,
    Arm,
    Expiry,
    Run,
    decode_cursor,
    encode_cursor,
    expiry_at,
    hit_keys,
    key_at,
    page_keys,
    seq_of,
)
from .records import read_records
from .schema import check_ours, migrate
from .search import (
    DENSE_SHARE,
    MAX_SPELLED_OUT,
    PREFIX_INDEXED,
    SPARSE_HITS,
    document_matches,
    excluded_expression,
    fts_expression,
    phrases_argument,
    searched_prefixes,
    services_argument,
    spelled_out,
    sql_phrases_hold,
    sql_service_holds,
)
from .sql_base import (
    SELECT_TASK,
    Loaded,
    SqlStore,
    as_of,
    check_listing,
    checked_draft,
    checked_preferences,
    counts_now,
    duplicate_id,
    enum_value,
    idempotency_mismatch,
    json_object,
    no_task,
    person,
    reply_digest,
    same_task,
    standing_figures,
    with_id,
)
from .sqlite_access import GroupCommit, Readers, write_lock

__all__ = ["BUSY_TIMEOUT_S", "IMPORT_BATCH", "SqliteStore", "read_records"]


class _Plan(Enum):
    """How a listing finds its tasks (`SqliteStore._search`)."""

    LIST = "list"
    EXCLUDED = "excluded"
    FEW = "few"
    SOME = "some"
    MOST = "most"


#: How long a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_S = 30.0
#: After this long waiting for the write lock, `on_busy` is told (the CLI says so on stderr).
BUSY_NOTICE_S = 2.0
#: Tasks per import transaction: large enough to be fast (every batch rewrites the
#: index pages it touches; 5,000 measured a third cheaper than 1,000 at 100,000 tasks),
#: small enough that a kill loses little work (the re-run skips what was committed)
#: and a few batches in flight stay a few tens of MB.
IMPORT_BATCH = 5000
#: Page cache per connection, in KiB.
CACHE_KIB = 32 * 1024
_EXPORT_CHUNK = 500
_STATS_WINDOW = timedelta(days=30)

_INSERT_TASK = (
    f"INSERT INTO tasks (seq, partner, {', '.join(rows.WRITE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in range(len(rows.WRITE_COLUMNS) + 2))})"
)
_SELECT_WRITTEN = ", ".join(f"t.{c}" for c in rows.WRITE_COLUMNS)
_UPDATE_TASK = f"UPDATE tasks SET {', '.join(f'{c} = ?' for c in rows.WRITE_COLUMNS)} WHERE seq = ?"
_INSERT_MESSAGE = f"INSERT INTO messages (task, {', '.join(rows.MESSAGE_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"
_INSERT_NOTE = f"INSERT INTO notes (task, {', '.join(rows.NOTE_COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
_T = TypeVar("_T")


class SqliteStore(SqlStore):
    """The `Store` on a local SQLite file; `partner` scopes every row it reads or writes."""

    import_batch = IMPORT_BATCH

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Clock = system_clock,
        partner: str = "local",
        user: str | None = None,
        busy_timeout: float = BUSY_TIMEOUT_S,
        on_busy: Callable[[], None] | None = None,
        notify: bool = False,
    ) -> None:
        """`partner` scopes the rows; `user` is the person at the keyboard: the author
        of their notes and the name on their messages (default: the login name).
        With `notify` (a server with a mail relay), each delivery queues its e-mail.

        A change waits up to `busy_timeout` seconds for another process's transaction,
        calling `on_busy` once it has waited `BUSY_NOTICE_S`, then raises `StoreLocked`."""
        self.path = Path(path)
        self.clock = clock
        self._busy_timeout = busy_timeout
        self._on_busy = on_busy
        self.notify = notify
        self.partner = check_storable(partner, "partner")
        self.user = person(user)
        # Created 0600 (or found the user's own and private) before SQLite touches it;
        # SQLite gives the -wal and -shm files the mode of the database file.
        prepare_store_file(self.path)
        # One writer at a time among this process's connections to the file.
        self._lock = write_lock(self.path)
        self._conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        try:
            self._set_busy_timeout(busy_timeout)
            check_ours(self._conn)
            self._conn.execute("PRAGMA journal_mode = WAL")
            # Before anything is written: a -wal or -shm another user slipped in between
            # the check above and SQLite's open would now be in use, and is refused.
            check_store_files(self.path)
            # FULL: a reply that was reported stored survives a power cut, not just a crash.
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            # Room for the hot index pages of a large inbox (allocated only as used).
            self._conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            migrate(self._conn)
        except BaseException:
            self._conn.close()
            raise
        # Reads go to connections of their own: they never wait for a write, nor for
        # each other (`sqlite_readers`); `_conn` writes, one transaction at a time.
        self._readers = Readers(self._connect_reader)
        self._group = GroupCommit(self._conn, self._lock, self._begin_immediate)

    def _connect_reader(self) -> sqlite3.Connection:
        """A connection for reads (of the file checked and migrated by `__init__`)."""
        conn = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            # Where a search puts the tasks its words find, for the listing to walk (per
            # connection, never written to the file); and what the index cannot check.
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS search_hits (seq INTEGER PRIMARY KEY)")
            # The index's words, and how many tasks hold each (`_index_words`).
            conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_words USING fts5vocab(main, task_search, 'row')"
            )
            conn.create_function("search_phrases_hold", 2, sql_phrases_hold, deterministic=True)
            conn.create_function("search_service_holds", 2, sql_service_holds, deterministic=True)
        except BaseException:
            conn.close()
            raise
        return conn

    # --- transactions ---------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._begin_immediate()
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _begin_immediate(self) -> None:
        """Take the write lock, waiting for another process up to the busy timeout: in
        two steps when someone is to be told that the wait has begun."""
        total = self._busy_timeout
        notice = self._on_busy is not None and total > BUSY_NOTICE_S
        if notice:
            self._set_busy_timeout(BUSY_NOTICE_S)
        try:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _is_locked(error):
                    raise
                if not notice:
                    raise StoreLocked(total) from None
            assert self._on_busy is not None
            self._on_busy()
            self._set_busy_timeout(total - BUSY_NOTICE_S)
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if _is_locked(error):
                    raise StoreLocked(total) from None
                raise
        finally:
            if notice:
                self._set_busy_timeout(total)

    def _set_busy_timeout(self, seconds: float) -> None:
        self._conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def _write_tx(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """`work` in a write transaction, committed with the changes of other threads
        that arrived meanwhile (`sqlite_access.GroupCommit`)."""
        return self._group.run(work)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot: the commits made before it began, on a reader."""
        with self._readers.connection() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    def _rows(self, sql: str, args: Iterable[Any]) -> list[Any]:
        """One statement's rows, read on a reader."""
        with self._readers.connection() as conn:
            return conn.execute(sql, tuple(args)).fetchall()

    def _events(self, conn: sqlite3.Connection, task_ids: Iterable[tuple[str]], kind: str, now: datetime) -> None:
        at = rows.to_micros(now)
        conn.executemany(
            "INSERT INTO events (partner, task_id, kind, at) VALUES (?, ?, ?, ?)",
            [(self.partner, task_id, kind, at) for (task_id,) in task_ids],
        )

    # --- reading ----------------------------------------------------------------------------------
    def list_tasks(self, query: TaskQuery) -> Page:
        return Page(*self._listing(query, rows.task_from_row))

    def list_task_objects(self, query: TaskQuery, now: datetime) -> ObjectPage:
        at = rows.to_micros(now)
        return ObjectPage(*self._listing(query, lambda row: rows.task_object_from_row(row, at)))

    def _listing(self, query: TaskQuery, item: Callable[[Any], _T]) -> tuple[list[_T], str | None]:
        """A page of `query`: `item` of each task's row, and the cursor after it."""
        listing = check_listing(query)
        kind, offset = listing.kind, listing.offset
        if listing.nothing:
            return [], None
        order = ORDERS[enum_value(Sort, query.sort, "sort")]
        cursor = None if query.cursor is None else decode_cursor(query.cursor, order.tag)
        base, base_args = self._filters(kind)
        expiry = expiry_at(self.clock(), expiring=kind is not Kind.CONTACT)
        statuses = list(listing.statuses)
        with self._read() as conn:
            plan = _Plan.LIST
            late, late_args = "", []
            if listing.search is not None:
                plan = self._search(conn, listing.search)
                late, late_args = self._search_filters(listing.search, plan)
            where, args = base + late, [*base_args, *late_args]
            if plan is _Plan.FEW:
                found = conn.execute(
                    "SELECT t.seq, t.status, t.received_at, t.activity_at FROM temp.search_hits h"
                    f" CROSS JOIN tasks t ON t.seq = h.seq WHERE {where}",
                    args,
                ).fetchall()
                keys = hit_keys(order, statuses, cursor, query.limit + 1, expiry, found)
            else:
                # Documents are checked while walking when nearly every task matches, and
                # for a phrase (word order is not in the index): as many as a page needs.
                checking = plan is _Plan.MOST or (plan is _Plan.SOME and listing.search.phrases)
                search = listing.search if checking else None

                def run_keys(arm: Arm, run: Run, after: tuple[int, int] | None, n: int) -> list[tuple[int, int]]:
                    """Up to `n` keys of the run, the search's own terms tested last."""
                    sql = run.sql(base, arm, after is not None, then=late) + " LIMIT ?"
                    resume = run.after_args(*after) if after else ()
                    return conn.execute(sql, [*base_args, *arm.args(expiry.cut), *resume, *late_args, n]).fetchall()

                def read_run(arm: Arm, run: Run, after: tuple[int, int] | None, n: int) -> Iterable[tuple[int, int]]:
                    return run_keys(arm, run, after, n) if search is None else checked_run(arm, run, after, n)

                def checked_run(arm: Arm, run: Run, after: tuple[int, int] | None, n: int) -> Iterator[tuple[int, int]]:
                    """The run's matches, read a chunk at a time as the merge asks: the next
                    chunk as big as the share of matches so far says the rest needs, so a
                    page checks few more documents than it keeps."""
                    assert search is not None
                    size, left, read, matched = 16, n, 0, 0
                    while left > 0:
                        chunk = run_keys(arm, run, after, size)
                        kept = self._matching(conn, search, chunk)
                        read, matched = read + len(chunk), matched + len(kept)
                        yield from kept[:left]
                        left -= len(kept)
                        if len(chunk) < size:
                            return
                        after = chunk[-1]
                        size = min(max(16, -(-left * 5 * read // (4 * matched)) if matched else 4 * size), 1024)

                if offset:
                    counts = self._counts(conn, [Kind.MATCH, Kind.DIRECT] if kind is None else [kind], expiry)
                    cursor = key_at(conn, order, statuses, offset - 1, where, args, counts, expiry)
                    if cursor is None:
                        return [], None
                keys = page_keys(order, statuses, cursor, query.limit + 1, expiry, read_run)
            found = self._rows_by_seq(conn, [seq_of(key) for key in keys[: query.limit]])
        next_cursor = encode_cursor(order.tag, keys[query.limit - 1]) if len(keys) > query.limit else None
        return [item(row) for row in found], next_cursor

    def _filters(self, kind: Kind | None) -> tuple[str, list[Any]]:
        """The partner and kind part of a listing's WHERE clause (over `tasks t`)."""
        where = "t.partner = ? AND t.inbox = ?"
        args: list[Any] = [self.partner, 0 if kind is Kind.CONTACT else 1]
        if kind is not None and kind is not Kind.CONTACT:
            where += " AND t.kind = ?"
            args.append(kind.value)
        return where, args

    def _search(self, conn: sqlite3.Connection, search: Query) -> _Plan:
        """How to answer `search`'s words, by how many tasks the index finds for them:
        `FEW`: `temp.search_hits` holds them (the phrases' order checked on each), put in
        order in Python; `SOME`: it holds them, and the order's index is walked keeping
        them (checking a phrase's order on those it keeps); `MOST`: the order's index is
        walked, each task's document checked (cheaper than writing down nearly every
        task); `EXCLUDED`: a search of nothing but `-word`
        (the hits hold the tasks to leave out); `LIST`: no words at all."""
        conn.execute("DELETE FROM temp.search_hits")
        index_words = {prefix: _index_words(conn, prefix) for prefix in searched_prefixes(search)}
        spelled = {
            prefix: words
            for prefix, found in index_words.items()
            if (words := spelled_out(prefix, [word for word, _tasks in found]))
        }
        expression = fts_expression(search, spelled)
        if expression is None:
            expression = excluded_expression(search, spelled)
            if expression is None:
                return _Plan.LIST
            conn.execute(
                "INSERT INTO temp.search_hits SELECT rowid FROM task_search WHERE task_search MATCH ?", (expression,)
            )
            return _Plan.EXCLUDED
        (top,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM tasks").fetchone()
        # At this many matches the search walks the order instead (`MOST`). A lone word
        # held by that many tasks is known to from the index's words; otherwise the
        # matches are written down up to it, in the one pass over the index that also
        # counts them (counting first, then writing, read a common word's index twice).
        dense = max(SPARSE_HITS + 1, -(-top // DENSE_SHARE)) if DENSE_SHARE > 0 else -1
        lone = index_words[search.terms[0]] if len(search.terms) == 1 and not search.excluded else []
        if max((tasks for _word, tasks in lone), default=0) >= dense > 0:
            return _Plan.MOST
        found = conn.execute(
            "INSERT INTO temp.search_hits SELECT rowid FROM task_search WHERE task_search MATCH ? LIMIT ?",
            (expression, dense),
        ).rowcount
        if found == dense:
            return _Plan.MOST
        if found > SPARSE_HITS:
            return _Plan.SOME
        if search.phrases:
            conn.execute(
                "DELETE FROM temp.search_hits WHERE NOT search_phrases_hold("
                "(SELECT doc FROM task_search WHERE rowid = temp.search_hits.seq), ?)",
                (phrases_argument(search),),
            )
        return _Plan.FEW

    def _matching(self, conn: sqlite3.Connection, search: Query, keys: list[Any]) -> list[Any]:
        """Of `keys` ((value, seq) of an order's run), those whose document `search` matches."""
        if not keys:
            return keys
        seqs = [key[1] for key in keys]
        found = conn.execute(
            f"SELECT rowid, doc FROM task_search WHERE rowid IN ({', '.join('?' for _ in seqs)})", seqs
        ).fetchall()
        holding = {seq for seq, document in found if document_matches(search, document)}
        return [key for key in keys if key[1] in holding]

    def _search_filters(self, search: Query, plan: _Plan) -> tuple[str, list[Any]]:
        """The terms (" AND ...") and their values that narrow a listing by what the
        search asks beyond its words: the rows of `temp.search_hits` (the matches, or
        the excluded), the flags, the service."""
        where = ""
        args: list[Any] = []
        if plan is _Plan.EXCLUDED:
            where += " AND +t.seq NOT IN temp.search_hits"
        elif plan is _Plan.SOME:
            where += " AND +t.seq IN temp.search_hits"
        unread, note, draft = search.flag(Flag.UNREAD), search.flag(Flag.NOTE), search.flag(Flag.DRAFT)
        if unread is not None:
            where += " AND t.unread > 0" if unread else " AND t.unread = 0"
        if note is not None:
            where += f" AND {'' if note else 'NOT '}EXISTS (SELECT 1 FROM notes n WHERE n.task = t.seq)"
        if draft is not None:
            where += (
                f" AND {'' if draft else 'NOT '}EXISTS"
                " (SELECT 1 FROM drafts d WHERE d.partner = t.partner AND d.task_id = t.id)"
            )
        if search.services:
            where += " AND search_service_holds(t.service, ?)"
            args = [*args, services_argument(search)]
        return where, args

    def _rows_by_seq(self, conn: sqlite3.Connection, seqs: list[int]) -> list[Any]:
        """Task rows for `seqs`, in that order."""
        if not seqs:
            return []
        found = conn.execute(
            f"SELECT {SELECT_TASK} FROM tasks t WHERE t.seq IN ({', '.join('?' for _ in seqs)})", seqs
        ).fetchall()
        by_seq = {row[0]: row for row in found}
        return [by_seq[seq] for seq in seqs]

    def counts(self, kind: Kind | None = None) -> dict[Status, int]:
        kinds = [Kind.MATCH, Kind.DIRECT] if kind is None else [enum_value(Kind, kind, "kind")]
        expiry = expiry_at(self.clock(), expiring=Kind.CONTACT not in kinds)
        with self._read() as conn:
            return self._counts(conn, kinds, expiry)

    def _counts(self, conn: sqlite3.Connection, kinds: list[Kind], expiry: Expiry) -> dict[Status, int]:
        """The stored counts, and of the stored `new`/`opened` those still in their window
        (an index range over the last 72 hours of arrivals): what has expired is the rest."""
        marks = ", ".join("?" for _ in kinds)
        stored = conn.execute(
            f"SELECT status, SUM(n) FROM task_counts WHERE partner = ? AND kind IN ({marks}) GROUP BY status",
            (self.partner, *(k.value for k in kinds)),
        ).fetchall()
        counts = {Status(status): int(n) for status, n in stored}
        if not expiry.expiring:
            return counts_now(counts, counts)
        live = conn.execute(
            "SELECT status, COUNT(*) FROM tasks WHERE partner = ? AND inbox = 1 AND status IN (?, ?)"
            f" AND received_at > ? AND kind IN ({marks}) GROUP BY status",
            (self.partner, Status.NEW.value, Status.OPENED.value, expiry.cut, *(k.value for k in kinds)),
        ).fetchall()
        return counts_now(counts, {Status(status): int(n) for status, n in live})

    def get_task(self, task_id: str) -> Task:
        with self._read() as conn:
            return self._load(conn, task_id).task

    def _load(self, conn: sqlite3.Connection, task_id: str, *, lock: bool = False) -> Loaded:
        """`lock` is for the interface: a write transaction here already holds the file's lock."""
        task_id = check_storable(task_id, "id")
        row = conn.execute(
            f"SELECT {SELECT_TASK} FROM tasks t WHERE t.partner = ? AND t.id = ?", (self.partner, task_id)
        ).fetchone()
        if row is None:
            raise no_task(task_id)
        seq = row[0]
        messages = conn.execute(
            f"SELECT {', '.join(rows.MESSAGE_COLUMNS)} FROM messages WHERE task = ? ORDER BY seq", (seq,)
        ).fetchall()
        notes = conn.execute(
            f"SELECT {', '.join(rows.NOTE_COLUMNS)} FROM notes WHERE task = ? ORDER BY seq", (seq,)
        ).fetchall()
        return Loaded(seq, rows.task_from_row(row, messages, notes))

    def stats(self) -> Stats:
        zone = domain_zone(self.get_preferences().time_zone)
        now = self.clock()
        now_us = rows.to_micros(now)
        since = rows.to_micros(now - _STATS_WINDOW)
        with self._read() as conn:
            by_service = conn.execute(
                "SELECT service, COUNT(*) FROM tasks WHERE partner = ? AND status = ? AND declined_by = 'partner'"
                " GROUP BY service ORDER BY COUNT(*) DESC, service",
                (self.partner, Status.DECLINED.value),
            ).fetchall()
            by_kind = conn.execute(
                "SELECT kind, COUNT(*) FROM tasks WHERE partner = ? AND status = ? AND declined_by = 'partner'"
                " GROUP BY kind ORDER BY COUNT(*) DESC, kind",
                (self.partner, Status.DECLINED.value),
            ).fetchall()
            expired, closed, in_time = conn.execute(
                """
                SELECT
                    COALESCE(SUM(status IN ('expired', 'new', 'opened')), 0),
                    COUNT(*),
                    COALESCE(SUM(IFNULL(first_response_at < expires_at, 0)
                        OR (declined_by IS 'partner' AND declined_at < expires_at)), 0)
                FROM tasks
                WHERE partner = ? AND inbox = 1 AND expires_at > ? AND expires_at <= ?
                  AND NOT (declined_by IS 'merchant' AND declined_at < expires_at AND first_response_at IS NULL)
                """,
                (self.partner, since, now_us),
            ).fetchone()
            median, per_day = standing_figures(
                lambda sql, args: conn.execute(sql.replace("%s", "?"), args).fetchall(),
                "partner",
                self.partner,
                now,
                zone,
            )
        return Stats(
            declines_by_service=dict(by_service),
            declines_by_kind=dict(by_kind),
            expired_last_30_days=int(expired),
            answered_in_time_share=None if closed == 0 else int(in_time) / closed,
            median_first_response=median,
            received_per_day=per_day,
        )

    def events(self, after: int, limit: int = 1000) -> list[Event]:
        found = self._rows(
            "SELECT seq, task_id, kind FROM events WHERE partner = ? AND seq > ? ORDER BY seq LIMIT ?",
            (self.partner, int(after), max(1, min(int(limit), 10_000))),
        )
        return [Event(seq, task_id, kind) for seq, task_id, kind in found]

    def latest_event(self) -> int:
        ((seq,),) = self._rows("SELECT COALESCE(MAX(seq), 0) FROM events WHERE partner = ?", (self.partner,))
        return int(seq)

    def export_tasks(self) -> Iterator[Task]:
        last = 0
        while True:
            with self._read() as conn:
                found = conn.execute(
                    f"SELECT {SELECT_TASK} FROM tasks t WHERE t.partner = ? AND t.seq > ? ORDER BY t.seq LIMIT ?",
                    (self.partner, last, _EXPORT_CHUNK),
                ).fetchall()
                if not found:
                    return
                seqs = [row[0] for row in found]
                messages = _grouped(conn, "messages", rows.MESSAGE_COLUMNS, seqs)
                notes = _grouped(conn, "notes", rows.NOTE_COLUMNS, seqs)
            tasks = [rows.task_from_row(row, messages.get(row[0], ()), notes.get(row[0], ())) for row in found]
            last = seqs[-1]
            yield from tasks

    # --- the partner's actions ----------------------------------------------------------------------
    def reply(self, task_id: str, body: str, *, idempotency_key: str | None = None) -> Task:
        body = check_body(body, "message")
        key = None if idempotency_key is None else check_storable(idempotency_key, "idempotency key")
        now = self.clock()
        return self._write_tx(lambda conn: self._send_once(conn, task_id, body, key, now))

    def _send_once(
        self,
        conn: sqlite3.Connection,
        task_id: str,
        body: str,
        key: str | None,
        now: datetime,
        *,
        clear_draft: bool = True,
    ) -> Task:
        """Store a partner message (once per `key`) and clear the reply draft, inside `conn`'s transaction."""
        digest = reply_digest(body)
        if key is not None:
            earlier = conn.execute(
                "SELECT task_id, digest FROM replies WHERE partner = ? AND key = ?", (self.partner, key)
            ).fetchone()
            if earlier is not None:
                if tuple(earlier) != (task_id, digest):
                    raise idempotency_mismatch()
                return self._load(conn, task_id).task
        after, message_id = self._send(conn, task_id, body, now)
        if key is not None:
            conn.execute(
                "INSERT INTO replies (partner, key, task_id, digest, message_id, at) VALUES (?, ?, ?, ?, ?, ?)",
                (self.partner, key, task_id, digest, message_id, rows.to_micros(now)),
            )
        if clear_draft:
            self._clear_draft(conn, task_id, "reply")
        return after

    def _save(self, conn: sqlite3.Connection, loaded: Loaded, after: Task, event: str, now: datetime) -> None:
        """Write `after` over the stored task: row, new messages/notes, search, event."""
        before = loaded.task
        conn.execute(_UPDATE_TASK, (*rows.task_values(after), loaded.seq))
        new_messages = after.messages[len(before.messages) :]
        new_notes = after.notes[len(before.notes) :]
        conn.executemany(_INSERT_MESSAGE, [(loaded.seq, *rows.message_values(m)) for m in new_messages])
        conn.executemany(_INSERT_NOTE, [(loaded.seq, *rows.note_values(n)) for n in new_notes])
        if new_messages or new_notes:
            conn.execute("UPDATE task_search SET doc = ? WHERE rowid = ?", (rows.search_document(after), loaded.seq))
        self._events(conn, [(after.id,)], event, now)

    # --- drafts -------------------------------------------------------------------------------------
    def save_draft(self, task_id: str, body: str, *, kind: str = "reply") -> None:
        body, kind = checked_draft(body, kind)
        now = self.clock()
        with self._write() as conn:
            self._require(conn, task_id)
            if body.strip():
                conn.execute(
                    "INSERT INTO drafts (partner, task_id, kind, body, saved_at) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (partner, task_id, kind)"
                    " DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
                    (self.partner, task_id, kind, body, rows.to_micros(now)),
                )
            else:
                self._clear_draft(conn, task_id, kind)

    def get_draft(self, task_id: str, *, kind: str = "reply") -> str | None:
        kind = check_draft_kind(kind)
        found = self._rows(
            "SELECT body FROM drafts WHERE partner = ? AND task_id = ? AND kind = ?", (self.partner, task_id, kind)
        )
        return found[0][0] if found else None

    # --- the outbox -----------------------------------------------------------------------------------
    def queue_reply(self, task_id: str, body: str, *, key: str, send_after: datetime, owner: str = "") -> QueuedReply:
        body, key, owner = checked_queue_args(body, key, owner, send_after)
        now = self.clock()
        with self._write() as conn:
            waiting = self._queued(conn, key)
            if waiting is not None:
                return same_or_refused(waiting, task_id, body)
            if conn.execute("SELECT 1 FROM replies WHERE partner = ? AND key = ?", (self.partner, key)).fetchone():
                raise IdempotencyMismatch(ALREADY_SENT)
            check_queueable(self._load(conn, task_id).task, body, self.user, now, send_after)
            conn.execute(
                f"INSERT INTO outbox (partner, {OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                (self.partner, key, task_id, body, rows.to_micros(now), rows.to_micros(send_after), owner),
            )
            self._clear_draft(conn, task_id, "reply")
            self._events(conn, [(task_id,)], "reply_queued", now)
        return QueuedReply(key, task_id, body, whole_micros(now), whole_micros(send_after), owner)

    def cancel_queued(self, key: str) -> QueuedReply | None:
        now = self.clock()
        with self._write() as conn:
            queued = self._queued(conn, key)
            if queued is None:
                return None
            self._unqueue(conn, queued, now)
        return queued

    def commit_queued(self, key: str) -> QueuedReply | None:
        with self._write() as conn:
            queued = self._queued(conn, key)
            if queued is None:
                return None
            conn.execute("UPDATE outbox SET committed = 1 WHERE partner = ? AND key = ?", (self.partner, key))
        return replace(queued, committed=True)

    def send_queued(self, key: str) -> Task | None:
        now = self.clock()
        try:
            with self._write() as conn:
                queued = self._queued(conn, key)
                if queued is None:
                    return None
                conn.execute("DELETE FROM outbox WHERE partner = ? AND key = ?", (self.partner, key))
                # The draft went into the outbox when the reply was queued: one typed since stays.
                return self._send_once(conn, queued.task_id, queued.body, key, now, clear_draft=False)
        except (Refused, Invalid, NotFound):
            # Refused now (the task changed while it waited): the text goes back to the
            # partner as a draft, never into thin air.
            self.cancel_queued(key)
            raise

    def queued_replies(self) -> list[QueuedReply]:
        found = self._rows(
            f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE partner = ? ORDER BY send_after, queued_at, key",
            (self.partner,),
        )
        return [queued_from_row(row) for row in found]

    def _queued(self, conn: sqlite3.Connection, key: str) -> QueuedReply | None:
        row = conn.execute(
            f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE partner = ? AND key = ?", (self.partner, key)
        ).fetchone()
        return None if row is None else queued_from_row(row)

    def _unqueue(self, conn: sqlite3.Connection, queued: QueuedReply, now: datetime) -> None:
        """Out of the outbox, back into the reply draft: before any draft typed since."""
        conn.execute("DELETE FROM outbox WHERE partner = ? AND key = ?", (self.partner, queued.key))
        if conn.execute("SELECT 1 FROM tasks WHERE partner = ? AND id = ?", (self.partner, queued.task_id)).fetchone():
            since = conn.execute(
                "SELECT body FROM drafts WHERE partner = ? AND task_id = ? AND kind = 'reply'",
                (self.partner, queued.task_id),
            ).fetchone()
            body = restored_draft(queued.body, None if since is None else since[0])
            conn.execute(
                "INSERT INTO drafts (partner, task_id, kind, body, saved_at) VALUES (?, ?, 'reply', ?, ?)"
                " ON CONFLICT (partner, task_id, kind)"
                " DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
                (self.partner, queued.task_id, body, rows.to_micros(now)),
            )
        self._events(conn, [(queued.task_id,)], "reply_unqueued", now)

    def _clear_draft(self, conn: sqlite3.Connection, task_id: str, kind: str) -> None:
        conn.execute("DELETE FROM drafts WHERE partner = ? AND task_id = ? AND kind = ?", (self.partner, task_id, kind))

    def _require(self, conn: sqlite3.Connection, task_id: str) -> None:
        task_id = check_storable(task_id, "id")
        if conn.execute("SELECT 1 FROM tasks WHERE partner = ? AND id = ?", (self.partner, task_id)).fetchone() is None:
            raise no_task(task_id)

    # --- preferences --------------------------------------------------------------------------------
    def get_preferences(self) -> Preferences:
        found = self._rows("SELECT doc FROM preferences WHERE partner = ?", (self.partner,))
        return preferences_from_dict(json_object(found[0][0])) if found else Preferences()

    def set_preferences(self, prefs: Preferences) -> Preferences:
        checked, doc = checked_preferences(prefs)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO preferences (partner, doc) VALUES (?, ?)"
                " ON CONFLICT (partner) DO UPDATE SET doc = excluded.doc",
                (self.partner, doc),
            )
            self._events(conn, [("",)], "preferences", self.clock())
        return checked

    # --- bulk ---------------------------------------------------------------------------------------
    def _import_batch(self, batch: list[rows.Prepared], report: ImportReport) -> None:
        now = self.clock()
        with self._write() as conn:
            added = self._new_only(conn, batch, report)
            self._insert(conn, added, "imported", now)
        report.added.extend(item.task_id for item in added)

    def _new_only(
        self, conn: sqlite3.Connection, batch: list[rows.Prepared], report: ImportReport
    ) -> list[rows.Prepared]:
        """The tasks of `batch` not in the store yet (nor earlier in the batch); the
        others are reported unchanged (import is idempotent by id)."""
        ids = list(dict.fromkeys(item.task_id for item in batch))
        present: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            present.update(
                task_id
                for (task_id,) in conn.execute(
                    f"SELECT id FROM tasks WHERE partner = ? AND id IN ({', '.join('?' for _ in chunk)})",
                    (self.partner, *chunk),
                )
            )
        added: dict[str, rows.Prepared] = {}
        known: list[rows.Prepared] = []
        for item in batch:
            if item.task_id in present or item.task_id in added:
                report.unchanged.append(item.task_id)
                known.append(item)
                continue
            added[item.task_id] = item
        if known:
            report.differing.extend(self._differing(conn, known, added))
        return list(added.values())

    def _differing(
        self, conn: sqlite3.Connection, known: list[rows.Prepared], earlier: dict[str, rows.Prepared]
    ) -> list[str]:
        """The ids of `known` whose record is not the task already there (stored, or
        earlier in the batch), compared as `export` would write both: a re-import of an
        export is no difference, whatever precision the store keeps.

        Rows are compared first as they are (a re-import of the same file matches at
        once); only rows that differ there are read back as tasks and compared as JSON."""
        there = {item.task_id: earlier[item.task_id] for item in known if item.task_id in earlier}
        wanted = list(dict.fromkeys(item.task_id for item in known if item.task_id not in there))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found = conn.execute(
                f"SELECT t.seq, {_SELECT_WRITTEN} FROM tasks t WHERE t.partner = ? AND t.id IN "
                f"({', '.join('?' for _ in chunk)})",
                (self.partner, *chunk),
            ).fetchall()
            seqs = [row[0] for row in found]
            messages = _grouped(conn, "messages", rows.MESSAGE_COLUMNS, seqs)
            notes = _grouped(conn, "notes", rows.NOTE_COLUMNS, seqs)
            for row in found:
                values = tuple(row[1:])
                there[row[1]] = rows.Prepared(
                    row[1], row[2], row[4], values, messages.get(row[0], []), notes.get(row[0], []), ""
                )
        now = self.clock()
        return [item.task_id for item in known if not same_task(item, there[item.task_id], now)]

    def _insert(self, conn: sqlite3.Connection, items: list[rows.Prepared], event: str, now: datetime) -> None:
        """The one way tasks enter the store: rows, conversation, search, counts, and one
        event (naming the task when it is one; a batch is one change to the reader)."""
        if not items:
            return
        (top,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM tasks").fetchone()
        numbered = list(zip(range(top + 1, top + 1 + len(items)), items, strict=True))
        conn.executemany(_INSERT_TASK, [(seq, self.partner, *item.values) for seq, item in numbered])
        conn.executemany(_INSERT_MESSAGE, [(seq, *m) for seq, item in numbered for m in item.messages])
        conn.executemany(_INSERT_NOTE, [(seq, *n) for seq, item in numbered for n in item.notes])
        conn.executemany(
            "INSERT INTO task_search (rowid, doc) VALUES (?, ?)", [(seq, item.document) for seq, item in numbered]
        )
        conn.executemany(
            "INSERT INTO task_counts (partner, kind, status, n) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (partner, kind, status) DO UPDATE SET n = n + excluded.n",
            [
                (self.partner, kind, status, n)
                for (kind, status), n in Counter((i.kind, i.status) for i in items).items()
            ],
        )
        self._events(conn, [(items[0].task_id if len(items) == 1 else "",)], event, now)

    # --- the marketplace side -------------------------------------------------------------------------
    def deliver_task(self, record: dict[str, Any]) -> Task:
        now = self.clock()
        task, assign_id = self._delivered(record, now)
        with self._write() as conn:
            prefs = self.get_preferences()
            check_delivery(self.partner, prefs, task, now)
            if assign_id:
                task = with_id(task, self._free_id(conn))
            elif conn.execute("SELECT 1 FROM tasks WHERE partner = ? AND id = ?", (self.partner, task.id)).fetchone():
                raise duplicate_id(task.id)
            task = as_of(task, now)
            self._insert(conn, [rows.prepare(task)], "delivered", now)
            if self.notify and prefs.notification_email:
                queue_notification(conn, self.partner, task, now)
        return task

    def _free_id(self, conn: sqlite3.Connection) -> str:
        (top,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM tasks").fetchone()
        number = top + 1
        while conn.execute(
            "SELECT 1 FROM tasks WHERE partner = ? AND id = ?", (self.partner, f"T-{number}")
        ).fetchone():
            number += 1
        return f"T-{number}"

    # --- lifetime -----------------------------------------------------------------------------------
    def close(self) -> None:
        self._readers.close()
        with self._lock:
            self._conn.close()


# --- helpers ----------------------------------------------------------------------------------------


def _index_words(conn: sqlite3.Connection, prefix: str) -> list[tuple[str, int]]:
    """The index's words that begin with `prefix` (a longer one than its prefix indexes
    answer), up to one more than may be spelled out, with how many tasks hold each:
    counting them reads their lists of tasks, cheaper than FTS5 merging them (1.4 ms
    against 12 ms for `store` at 100,000 tasks) and skipped for a short prefix, whose
    words are many (42 ms for `a`)."""
    if len(prefix) <= PREFIX_INDEXED:
        return []
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return conn.execute(
        "SELECT term, doc FROM temp.search_words WHERE term >= ? AND term < ? LIMIT ?",
        (prefix, after, MAX_SPELLED_OUT + 1),
    ).fetchall()


def _is_locked(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _grouped(
    conn: sqlite3.Connection, table: str, columns: tuple[str, ...], seqs: list[int]
) -> dict[int, list[tuple[Any, ...]]]:
    out: dict[int, list[tuple[Any, ...]]] = {}
    marks = ", ".join("?" for _ in seqs)
    for row in conn.execute(
        f"SELECT task, {', '.join(columns)} FROM {table} WHERE task IN ({marks}) ORDER BY seq", seqs
    ):
        out.setdefault(row[0], []).append(row[1:])
    return out
