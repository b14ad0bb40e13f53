"""The shared store: one PostgreSQL database behind any number of server processes.

It shares with `SqliteStore` what is not SQL (`sql_base`: the actions, the import loop,
the checks), the rows (`rows`) and the keyset pages (`paging`), and differs where a
server database needs it:

- Connections come from the pool of a `PgDatabase` (its own, or one a server's
  partners share); one store method is one transaction on one pooled connection, so
  the store is safe across threads (the server's thread pool, the TUI's workers).
- Every transaction first sets the partner (`app.partner_id`, transaction-local) and
  steps down to the unprivileged `expert_tui_app` role, so the row-level security
  policies of `pg_schema` hold even for a query that forgot `partner_id`.
- Writes lock what they change (`FOR UPDATE` on the task, the counts and the partner's
  event counter rows) instead of SQLite's one writer; a deadlock or serialization
  failure is retried as a whole transaction.
- Events are numbered by a per-partner counter taken under the partner's row lock as
  the last statement of the transaction, so sequence order is commit order and a
  reader polling `events(after)` can never skip one that commits late; each commit
  also `pg_notify`s `EVENTS_CHANNEL` with "partner_id:seq" for listeners in other
  processes.
- Search runs through the SECURITY DEFINER function `search_task_rows` (see
  `pg_schema` for why) over lexemes folded in Python exactly as SQLite's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from psycopg import Cursor, errors

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
from ..domain.query import MAX_QUERY_WORDS, Flag, Query
from ..domain.text import check_body, check_storable, words
from . import rows
from .base import Event, ImportReport, Page, QueuedReply, Sort, Stats, TaskQuery, check_draft_kind
from .delivery import check_delivery
from .notify import notification_json
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
    Key,
    Order,
    decode_cursor,
    encode_cursor,
    expiry_at,
    hit_key_sql,
    key_at,
    page_keys,
    seq_of,
    status_now_sql,
)
from .pg_database import POOL_SIZE, PgDatabase
from .pg_schema import APP_ROLE
from .search import DENSE_SHARE, SPARSE_HITS, document_holds, service_holds
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
    standing_figures,
    with_id,
)

__all__ = ["EVENTS_CHANNEL", "IMPORT_BATCH", "PostgresStore"]

#: Where each commit that wrote events is announced, as "partner_id:seq".
EVENTS_CHANNEL = "expert_tui_events"
#: Tasks per import transaction (each batch is one INSERT per table from arrays).
IMPORT_BATCH = 5000
#: Whole-transaction retries after a deadlock or a serialization failure.
_RETRIES = 5
_EXPORT_CHUNK = 500
_STATS_WINDOW = timedelta(days=30)
#: A lexeme is at most 2,047 bytes and a tsvector at most 1 MiB: longer words are kept
#: as their first 500 characters (queries are cut the same way, so they still match),
#: and words past the budget of one task are left out of its search (the title,
#: merchant and requirements come first, then notes and messages).
_MAX_LEXEME = 500
#: Keys of matches read at a time for what the index cannot check (a phrase's order, a
#: service's words): each read finds and orders every match again.
_CHECK_CHUNK = 1000
#: Matches whose phrases are checked at a time (each needs its whole conversation).
_PHRASE_CHUNK = 200
_MAX_LEXEME_BYTES = 768 * 1024

_UPDATE_TASK = (
    f"UPDATE tasks SET {', '.join(f'{c} = %s' for c in rows.WRITE_COLUMNS)} WHERE partner_id = %s AND seq = %s"
)
_T = TypeVar("_T")


@dataclass(slots=True)
class _Tx:
    """One transaction: its cursor and the events it will number at its end."""

    cur: Cursor[Any]
    events: list[tuple[str, str]] = field(default_factory=list)

    def execute(self, query: str, params: Iterable[Any] | Mapping[str, Any] | None = None) -> Cursor[Any]:
        return self.cur.execute(query, params)  # type: ignore[arg-type]

    def event(self, task_id: str, kind: str) -> None:
        self.events.append((task_id, kind))


class _Qmark:
    """`paging` writes SQLite's `?` placeholders; this runs them as psycopg's `%s`
    (the generated SQL holds no other `?` or `%`)."""

    def __init__(self, tx: _Tx) -> None:
        self._tx = tx

    def execute(self, query: str, params: Iterable[Any]) -> Cursor[Any]:
        return self._tx.execute(query.replace("?", "%s"), list(params))


class PostgresStore(SqlStore):
    """The `Store` on a PostgreSQL database; `partner` scopes every row it reads or writes."""

    import_batch = IMPORT_BATCH
    over_network: ClassVar[bool] = True

    def __init__(
        self,
        database: str | PgDatabase,
        *,
        clock: Clock = system_clock,
        partner: str = "local",
        user: str | None = None,
        pool_size: int = POOL_SIZE,
        create: bool = True,
        notify: bool = False,
    ) -> None:
        """`database` is a URL (the store opens the database, migrating it if it is older
        than this version and refusing it if newer, and closes it with itself), or a
        database already open that many stores share (a server's partners). With
        `notify` (a server with a mail relay), each delivery queues its e-mail in the
        same transaction."""
        self.clock = clock
        self.notify = notify
        self.partner = check_storable(partner, "partner")
        self.user = person(user)
        self._owns_database = isinstance(database, str)
        if isinstance(database, str):
            database = PgDatabase(database, pool_size=pool_size, create=create)
        self.database = database
        self.url = self.database.url
        try:
            #: The partner's number in the database (`partner_id` of its rows).
            self.partner_id = self.database.partner_id(self.partner)
        except BaseException:
            self.close()
            raise
        self._pool = self.database.pool

    # --- transactions ---------------------------------------------------------------------------
    def _run(self, work: Callable[[_Tx], _T]) -> _T:
        """Run `work` in one transaction as the partner (retried whole on a deadlock)."""
        for attempt in range(_RETRIES):
            try:
                with self._pool.connection() as conn, conn.cursor() as cur:
                    tx = _Tx(cur)
                    cur.execute(
                        "SELECT set_config('app.partner_id', %s, true), set_config('role', %s, true)",
                        (str(self.partner_id), APP_ROLE),
                    )
                    result = work(tx)
                    self._number_events(tx)
                    return result
            except (errors.DeadlockDetected, errors.SerializationFailure):
                if attempt == _RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _write_tx(self, work: Callable[[_Tx], _T]) -> _T:
        return self._run(work)

    def _count(self, tx: _Tx, deltas: Mapping[tuple[str, str], int]) -> None:
        """Add `deltas` to the counts per (kind, status), in key order (no deadlocks
        between transactions touching the same counts)."""
        changes = sorted((key, n) for key, n in deltas.items() if n)
        if not changes:
            return
        tx.cur.executemany(
            "INSERT INTO task_counts (partner_id, kind, status, n) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (partner_id, kind, status) DO UPDATE SET n = task_counts.n + excluded.n",
            [(self.partner_id, kind, status, n) for (kind, status), n in changes],
        )

    def _number_events(self, tx: _Tx) -> None:
        """Number the transaction's events under the partner's row lock, held to the
        commit: the next writer waits here, so numbers are handed out in commit order."""
        if not tx.events:
            return
        last = tx.execute(
            "UPDATE partners SET last_event_seq = last_event_seq + %s WHERE id = %s RETURNING last_event_seq",
            (len(tx.events), self.partner_id),
        ).fetchone()
        assert last is not None
        first = int(last[0]) - len(tx.events) + 1
        at = rows.to_micros(self.clock())
        tx.execute(
            "INSERT INTO events (partner_id, seq, task_id, kind, at)"
            " SELECT %s, s, t, k, %s FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS e (s, t, k)",
            (
                self.partner_id,
                at,
                list(range(first, first + len(tx.events))),
                [task_id for task_id, _ in tx.events],
                [kind for _, kind in tx.events],
            ),
        )
        tx.execute("SELECT pg_notify(%s, %s)", (EVENTS_CHANNEL, f"{self.partner_id}:{last[0]}"))

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
        statuses = list(listing.statuses)
        where, args = self._filters(kind)
        expiry = expiry_at(self.clock(), expiring=kind is not Kind.CONTACT)
        search = listing.search
        words: str | None = None
        if search is not None:
            where, args = _search_filters(search, where, args)
            words = tsquery(search)

        def read(tx: _Tx) -> tuple[list[Any], list[tuple[int, ...]]]:
            conn = _Qmark(tx)
            walk_where, walk_args = where, args
            if search is not None and words is not None:
                inbox = 0 if kind is Kind.CONTACT else 1
                hits = self._search_keys(
                    tx, search, words, inbox, order, statuses, cursor, where, args, expiry, query.limit + 1
                )
                if hits is not None:
                    return self._rows_by_seq(tx, [seq_of(key) for key in hits[: query.limit]]), hits
                # Nearly every task matches: the order's index is walked, each task checked.
                walk_where, walk_args = where + " AND t.search @@ ?::tsquery", [*args, words]
            start = cursor
            if offset:
                counts = self._counts(tx, [Kind.MATCH, Kind.DIRECT] if kind is None else [kind], expiry)
                start = key_at(conn, order, statuses, offset - 1, where, args, counts, expiry)  # type: ignore[arg-type]
                if start is None:
                    return [], []
            runs = _read_runs(conn, order, statuses, start, query.limit + 1, walk_where, walk_args, expiry)
            keys = page_keys(order, statuses, start, query.limit + 1, expiry, lambda arm, *_: runs.get(arm, []))
            return self._rows_by_seq(tx, [seq_of(key) for key in keys[: query.limit]]), keys

        found, keys = self._run(read)
        next_cursor = encode_cursor(order.tag, keys[query.limit - 1]) if len(keys) > query.limit else None
        return [item(row) for row in found], next_cursor

    def _filters(self, kind: Kind | None) -> tuple[str, list[Any]]:
        """The partner and kind part of a listing's WHERE clause (over `tasks t`), `?` style."""
        where = "t.partner_id = ? AND t.inbox = ?"
        args: list[Any] = [self.partner_id, 0 if kind is Kind.CONTACT else 1]
        if kind is not None and kind is not Kind.CONTACT:
            where += " AND t.kind = ?"
            args.append(kind.value)
        return where, args

    def _search_keys(
        self,
        tx: _Tx,
        search: Query,
        words: str,
        inbox: int,
        order: Order,
        statuses: list[Status],
        cursor: Key | None,
        where: str,
        args: list[Any],
        expiry: Expiry,
        wanted: int,
    ) -> list[Key] | None:
        """The keys of the next `wanted` tasks matching a search with words, or None when
        one task in `DENSE_SHARE` or more matches (as SQLite's plan `MOST`: walking the
        listing's order, checking each task, finds a page sooner).

        One statement counts the matches, finds them (`search_task_rows`, the GIN index),
        puts them in the listing's order (`hit_key_sql`, a top-N sort), and sends back
        a page's keys. Measured at 100,000 tasks (bench/postgres_search.py, a loaded
        2-core machine): a word in one task in ten took 10-16 times the plain list's first
        page when every match's seq went to Python and back to be ordered there (270-370
        ms), and takes 3-5 times (90-150 ms) this way.
        What the index cannot check (the service's words, a phrase's order) is checked
        here on the keys in order, read `_CHECK_CHUNK` at a time until the page is full;
        such a search never walks (its density says nothing of the checks)."""
        # The matches are counted first, up to one in DENSE_SHARE (`search_task_count`):
        # reading the rows of as many to find out cost twice as much ('a' at 100,000 tasks).
        checking = bool(search.phrases or search.services)
        if checking:
            dense, dense_args, count, count_args = "SELECT NULL::integer AS n", [], "NULL::bigint", []
        else:
            dense = (
                "SELECT GREATEST(?, (COALESCE(MAX(t.seq), 0) + ? - 1) / ?)::integer AS n FROM tasks t"
                " WHERE t.partner_id = ?"
            )
            dense_args = [SPARSE_HITS + 1, DENSE_SHARE, DENSE_SHARE, self.partner_id]
            count, count_args = (
                "search_task_count(?, ?::tsquery, ?::smallint, dense.n)",
                [self.partner_id, words, inbox],
            )
        now, now_args = status_now_sql(expiry)
        keyed, key_args, kept, kept_args = hit_key_sql(order, statuses, "t.status_now")
        keys: list[Key] = []
        after, size = cursor, max(wanted, _CHECK_CHUNK) if checking else wanted
        while True:
            resume = "" if after is None else " AND (k.band, k.value, k.seq) > (?, ?, ?)"
            # OFFSET 0: the status now is worked out once per match, not in every part of its key.
            statement = (
                f"WITH dense AS ({dense}), found AS MATERIALIZED (SELECT {count} AS n FROM dense)"
                " SELECT found.n, dense.n, page.band, page.value, page.seq, page.service"
                " FROM found CROSS JOIN dense LEFT JOIN LATERAL (SELECT * FROM"
                f" (SELECT {keyed}, t.service FROM (SELECT t.*, {now} AS status_now"
                " FROM search_task_rows(?, ?::tsquery, ?::smallint) AS t OFFSET 0) AS t"
                f" WHERE {where}{kept}) AS k"
                f" WHERE (dense.n IS NULL OR found.n < dense.n){resume}"
                " ORDER BY k.band, k.value, k.seq LIMIT ?"
                ") AS page ON true"
            )
            values = [
                *dense_args,
                *count_args,
                *key_args,
                *now_args,
                self.partner_id,
                words,
                inbox,
                *args,
                *kept_args,
                *(after or ()),
                size,
            ]
            found = _Qmark(tx).execute(statement, values).fetchall()
            matches, most = found[0][:2]
            if most is not None and matches >= most:
                return None
            page = [(row[2:5], row[5]) for row in found if row[2] is not None]
            served = [key for key, service in page if service_holds(search, service)]
            for start in range(0, len(served), _PHRASE_CHUNK):
                keys += self._holding(tx, search, served[start : start + _PHRASE_CHUNK])
                if len(keys) >= wanted:
                    return keys[:wanted]
            if len(page) < size:
                return keys
            after = page[-1][0]

    def _holding(self, tx: _Tx, search: Query, keys: list[Key]) -> list[Key]:
        """Of `keys`, those whose task holds the search's phrases (word order is not in
        the index): their search documents are made as the index's were."""
        if not search.phrases or not keys:
            return keys
        seqs = [seq_of(key) for key in keys]
        found = tx.execute(
            f"SELECT {SELECT_TASK} FROM tasks t WHERE t.partner_id = %s AND t.seq = ANY(%s)", (self.partner_id, seqs)
        ).fetchall()
        messages = self._grouped(tx, "messages", rows.MESSAGE_COLUMNS, seqs)
        notes = self._grouped(tx, "notes", rows.NOTE_COLUMNS, seqs)
        holding = {
            row[0]
            for row in found
            if document_holds(
                search,
                rows.search_document(rows.task_from_row(row, messages.get(row[0], ()), notes.get(row[0], ()))),
            )
        }
        return [key for key in keys if seq_of(key) in holding]

    def _rows_by_seq(self, tx: _Tx, seqs: list[int]) -> list[Any]:
        """Task rows for `seqs`, in that order."""
        if not seqs:
            return []
        found = tx.execute(
            f"SELECT {SELECT_TASK} FROM tasks t WHERE t.partner_id = %s AND t.seq = ANY(%s)",
            (self.partner_id, seqs),
        ).fetchall()
        by_seq = {row[0]: row for row in found}
        return [by_seq[seq] for seq in seqs]

    def counts(self, kind: Kind | None = None) -> dict[Status, int]:
        kinds = [Kind.MATCH, Kind.DIRECT] if kind is None else [enum_value(Kind, kind, "kind")]
        expiry = expiry_at(self.clock(), expiring=Kind.CONTACT not in kinds)
        return self._run(lambda tx: self._counts(tx, kinds, expiry))

    def _counts(self, tx: _Tx, kinds: list[Kind], expiry: Expiry) -> dict[Status, int]:
        """The stored counts, and of the stored `new`/`opened` those still in their window
        (an index range over the last 72 hours of arrivals): what has expired is the rest."""
        kind_values = [k.value for k in kinds]
        stored = tx.execute(
            "SELECT status, SUM(n) FROM task_counts WHERE partner_id = %s AND kind = ANY(%s) GROUP BY status",
            (self.partner_id, kind_values),
        ).fetchall()
        counts = {Status(status): int(n) for status, n in stored}
        if not expiry.expiring:
            return counts_now(counts, counts)
        live = tx.execute(
            "SELECT t.status, COUNT(*) FROM tasks t WHERE t.partner_id = %s AND t.inbox = 1 AND t.status = ANY(%s)"
            " AND t.received_at > %s AND t.kind = ANY(%s) GROUP BY t.status",
            (self.partner_id, [Status.NEW.value, Status.OPENED.value], expiry.cut, kind_values),
        ).fetchall()
        return counts_now(counts, {Status(status): int(n) for status, n in live})

    def get_task(self, task_id: str) -> Task:
        return self._run(lambda tx: self._load(tx, task_id).task)

    def _load(self, tx: _Tx, task_id: str, *, lock: bool = False) -> Loaded:
        row = tx.execute(
            f"SELECT {SELECT_TASK} FROM tasks t WHERE t.partner_id = %s AND t.id = %s"
            + (" FOR UPDATE" if lock else ""),
            (self.partner_id, task_id),
        ).fetchone()
        if row is None:
            raise no_task(task_id)
        seq = row[0]
        messages = tx.execute(
            f"SELECT {', '.join(rows.MESSAGE_COLUMNS)} FROM messages"
            " WHERE partner_id = %s AND task_seq = %s ORDER BY n",
            (self.partner_id, seq),
        ).fetchall()
        notes = tx.execute(
            f"SELECT {', '.join(rows.NOTE_COLUMNS)} FROM notes WHERE partner_id = %s AND task_seq = %s ORDER BY n",
            (self.partner_id, seq),
        ).fetchall()
        return Loaded(seq, rows.task_from_row(row, messages, notes))

    def stats(self) -> Stats:
        zone = domain_zone(self.get_preferences().time_zone)
        now = self.clock()
        now_us = rows.to_micros(now)
        since = rows.to_micros(now - _STATS_WINDOW)
        declined = "FROM tasks WHERE partner_id = %s AND status = %s AND declined_by = 'partner'"

        def read(tx: _Tx) -> Stats:
            by_service = tx.execute(
                f"SELECT service, COUNT(*) {declined} GROUP BY service ORDER BY COUNT(*) DESC, service",
                (self.partner_id, Status.DECLINED.value),
            ).fetchall()
            by_kind = tx.execute(
                f"SELECT kind, COUNT(*) {declined} GROUP BY kind ORDER BY COUNT(*) DESC, kind",
                (self.partner_id, Status.DECLINED.value),
            ).fetchall()
            found = tx.execute(
                """
                SELECT
                    COUNT(*) FILTER (WHERE status IN ('expired', 'new', 'opened')),
                    COUNT(*),
                    COUNT(*) FILTER (WHERE COALESCE(first_response_at < expires_at, false)
                        OR (declined_by IS NOT DISTINCT FROM 'partner' AND declined_at < expires_at))
                FROM tasks
                WHERE partner_id = %s AND inbox = 1 AND expires_at > %s AND expires_at <= %s
                  AND NOT (declined_by IS NOT DISTINCT FROM 'merchant' AND declined_at < expires_at
                           AND first_response_at IS NULL)
                """,
                (self.partner_id, since, now_us),
            ).fetchone()
            assert found is not None
            expired, closed, in_time = found
            median, per_day = standing_figures(
                lambda sql, args: tx.execute(sql, args).fetchall(), "partner_id", self.partner_id, now, zone
            )
            return Stats(
                declines_by_service={service: int(n) for service, n in by_service},
                declines_by_kind={kind: int(n) for kind, n in by_kind},
                expired_last_30_days=int(expired),
                answered_in_time_share=None if closed == 0 else int(in_time) / closed,
                median_first_response=median,
                received_per_day=per_day,
            )

        return self._run(read)

    def events(self, after: int, limit: int = 1000) -> list[Event]:
        found = self._run(
            lambda tx: tx.execute(
                "SELECT seq, task_id, kind FROM events WHERE partner_id = %s AND seq > %s ORDER BY seq LIMIT %s",
                (self.partner_id, int(after), max(1, min(int(limit), 10_000))),
            ).fetchall()
        )
        return [Event(int(seq), task_id, kind) for seq, task_id, kind in found]

    def latest_event(self) -> int:
        row = self._run(
            lambda tx: tx.execute("SELECT last_event_seq FROM partners WHERE id = %s", (self.partner_id,)).fetchone()
        )
        return 0 if row is None else int(row[0])

    def export_tasks(self) -> Iterator[Task]:
        last = 0
        while True:

            def chunk(tx: _Tx, after: int = last) -> tuple[int, list[Task]]:
                found = tx.execute(
                    f"SELECT {SELECT_TASK} FROM tasks t WHERE t.partner_id = %s AND t.seq > %s ORDER BY t.seq LIMIT %s",
                    (self.partner_id, after, _EXPORT_CHUNK),
                ).fetchall()
                if not found:
                    return after, []
                seqs = [row[0] for row in found]
                messages = self._grouped(tx, "messages", rows.MESSAGE_COLUMNS, seqs)
                notes = self._grouped(tx, "notes", rows.NOTE_COLUMNS, seqs)
                tasks = [rows.task_from_row(row, messages.get(row[0], ()), notes.get(row[0], ())) for row in found]
                return seqs[-1], tasks

            last, tasks = self._run(chunk)
            if not tasks:
                return
            yield from tasks

    def _grouped(
        self, tx: _Tx, table: str, columns: tuple[str, ...], seqs: list[int]
    ) -> dict[int, list[tuple[Any, ...]]]:
        out: dict[int, list[tuple[Any, ...]]] = {}
        for row in tx.execute(
            f"SELECT task_seq, {', '.join(columns)} FROM {table}"
            " WHERE partner_id = %s AND task_seq = ANY(%s) ORDER BY task_seq, n",
            (self.partner_id, seqs),
        ):
            out.setdefault(row[0], []).append(row[1:])
        return out

    # --- the partner's actions ----------------------------------------------------------------------
    def reply(self, task_id: str, body: str, *, idempotency_key: str | None = None) -> Task:
        body = check_body(body, "message")
        key = None if idempotency_key is None else check_storable(idempotency_key, "idempotency key")
        now = self.clock()
        return self._run(lambda tx: self._send_once(tx, task_id, body, key, now))

    def _send_once(
        self, tx: _Tx, task_id: str, body: str, key: str | None, now: datetime, *, clear_draft: bool = True
    ) -> Task:
        """Store a partner message (once per `key`) and clear the reply draft, inside `tx`."""
        digest = reply_digest(body)
        if key is not None:
            # The key first: a retry racing this one (another server, another
            # thread) waits on it here until this commits, then replays.
            claimed = tx.execute(
                "INSERT INTO replies (partner_id, key, task_id, digest, message_id, at)"
                " VALUES (%s, %s, %s, %s, '', %s) ON CONFLICT (partner_id, key) DO NOTHING RETURNING 1",
                (self.partner_id, key, task_id, digest, rows.to_micros(now)),
            ).fetchone()
            if claimed is None:
                earlier = tx.execute(
                    "SELECT task_id, digest FROM replies WHERE partner_id = %s AND key = %s",
                    (self.partner_id, key),
                ).fetchone()
                if earlier is None or tuple(earlier) != (task_id, digest):
                    raise idempotency_mismatch()
                return self._load(tx, task_id).task
        after, message_id = self._send(tx, task_id, body, now)
        if key is not None:
            tx.execute(
                "UPDATE replies SET message_id = %s WHERE partner_id = %s AND key = %s",
                (message_id, self.partner_id, key),
            )
        if clear_draft:
            self._clear_draft(tx, task_id, "reply")
        return after

    def _save(self, tx: _Tx, loaded: Loaded, after: Task, event: str, now: datetime) -> None:
        """Write `after` over the stored task: row, new messages/notes, search, counts, event."""
        before = loaded.task
        tx.execute(_UPDATE_TASK, (*rows.task_values(after), self.partner_id, loaded.seq))
        new_messages = after.messages[len(before.messages) :]
        new_notes = after.notes[len(before.notes) :]
        if new_messages:
            tx.cur.executemany(
                "INSERT INTO messages (partner_id, task_seq, n, id, author, author_name, body, sent_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (self.partner_id, loaded.seq, n, *rows.message_values(m))
                    for n, m in enumerate(new_messages, start=len(before.messages) + 1)
                ],
            )
        if new_notes:
            tx.cur.executemany(
                "INSERT INTO notes (partner_id, task_seq, n, id, author, body, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    (self.partner_id, loaded.seq, n, *rows.note_values(note))
                    for n, note in enumerate(new_notes, start=len(before.notes) + 1)
                ],
            )
        if new_messages or new_notes:
            tx.execute(
                "UPDATE tasks SET search = array_to_tsvector(%s::text[]) WHERE partner_id = %s AND seq = %s",
                (lexemes(rows.search_document(after)), self.partner_id, loaded.seq),
            )
        if before.status is not after.status:
            kind = after.kind.value
            self._count(tx, {(kind, before.status.value): -1, (kind, after.status.value): 1})
        tx.event(after.id, event)

    # --- drafts -------------------------------------------------------------------------------------
    def save_draft(self, task_id: str, body: str, *, kind: str = "reply") -> None:
        body, kind = checked_draft(body, kind)
        now = self.clock()

        def save(tx: _Tx) -> None:
            self._require(tx, task_id)
            if body.strip():
                tx.execute(
                    "INSERT INTO drafts (partner_id, task_id, kind, body, saved_at) VALUES (%s, %s, %s, %s, %s)"
                    " ON CONFLICT (partner_id, task_id, kind)"
                    " DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
                    (self.partner_id, task_id, kind, body, rows.to_micros(now)),
                )
            else:
                self._clear_draft(tx, task_id, kind)

        self._run(save)

    def get_draft(self, task_id: str, *, kind: str = "reply") -> str | None:
        kind = check_draft_kind(kind)
        found = self._run(
            lambda tx: tx.execute(
                "SELECT body FROM drafts WHERE partner_id = %s AND task_id = %s AND kind = %s",
                (self.partner_id, task_id, kind),
            ).fetchone()
        )
        return None if found is None else str(found[0])

    def _clear_draft(self, tx: _Tx, task_id: str, kind: str) -> None:
        tx.execute(
            "DELETE FROM drafts WHERE partner_id = %s AND task_id = %s AND kind = %s", (self.partner_id, task_id, kind)
        )

    def _require(self, tx: _Tx, task_id: str) -> None:
        if (
            tx.execute("SELECT 1 FROM tasks WHERE partner_id = %s AND id = %s", (self.partner_id, task_id)).fetchone()
            is None
        ):
            raise no_task(task_id)

    # --- the outbox -----------------------------------------------------------------------------------
    def queue_reply(self, task_id: str, body: str, *, key: str, send_after: datetime, owner: str = "") -> QueuedReply:
        body, key, owner = checked_queue_args(body, key, owner, send_after)
        now = self.clock()

        def queue(tx: _Tx) -> QueuedReply:
            # The key's row first: a second process queuing the same key waits here.
            inserted = tx.execute(
                f"INSERT INTO outbox (partner_id, {OUTBOX_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, false)"
                " ON CONFLICT (partner_id, key) DO NOTHING RETURNING 1",
                (self.partner_id, key, task_id, body, rows.to_micros(now), rows.to_micros(send_after), owner),
            ).fetchone()
            if inserted is None:
                waiting = self._queued(tx, key)
                assert waiting is not None
                return same_or_refused(waiting, task_id, body)
            if tx.execute(
                "SELECT 1 FROM replies WHERE partner_id = %s AND key = %s", (self.partner_id, key)
            ).fetchone():
                raise IdempotencyMismatch(ALREADY_SENT)
            check_queueable(self._load(tx, task_id).task, body, self.user, now, send_after)
            self._clear_draft(tx, task_id, "reply")
            tx.event(task_id, "reply_queued")
            return QueuedReply(key, task_id, body, whole_micros(now), whole_micros(send_after), owner)

        return self._run(queue)

    def cancel_queued(self, key: str) -> QueuedReply | None:
        now = self.clock()

        def cancel(tx: _Tx) -> QueuedReply | None:
            queued = self._take_queued(tx, key)
            if queued is not None:
                self._restore_draft(tx, queued, now)
            return queued

        return self._run(cancel)

    def commit_queued(self, key: str) -> QueuedReply | None:
        def commit(tx: _Tx) -> QueuedReply | None:
            row = tx.execute(
                f"UPDATE outbox SET committed = true WHERE partner_id = %s AND key = %s RETURNING {OUTBOX_COLUMNS}",
                (self.partner_id, key),
            ).fetchone()
            return None if row is None else queued_from_row(row)

        return self._run(commit)

    def send_queued(self, key: str) -> Task | None:
        now = self.clock()

        def send(tx: _Tx) -> Task | None:
            queued = self._take_queued(tx, key)
            if queued is None:
                return None
            # The draft went into the outbox when the reply was queued: one typed since stays.
            return self._send_once(tx, queued.task_id, queued.body, key, now, clear_draft=False)

        try:
            return self._run(send)
        except (Refused, Invalid, NotFound):
            # Refused now (the task changed while it waited): the rolled-back transaction
            # left it waiting; it goes back to the partner as a draft, never into thin air.
            self.cancel_queued(key)
            raise

    def queued_replies(self) -> list[QueuedReply]:
        found = self._run(
            lambda tx: tx.execute(
                f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE partner_id = %s ORDER BY send_after, queued_at, key",
                (self.partner_id,),
            ).fetchall()
        )
        return [queued_from_row(row) for row in found]

    def _queued(self, tx: _Tx, key: str) -> QueuedReply | None:
        row = tx.execute(
            f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE partner_id = %s AND key = %s", (self.partner_id, key)
        ).fetchone()
        return None if row is None else queued_from_row(row)

    def _take_queued(self, tx: _Tx, key: str) -> QueuedReply | None:
        """Out of the outbox (a concurrent taker gets `None`)."""
        row = tx.execute(
            f"DELETE FROM outbox WHERE partner_id = %s AND key = %s RETURNING {OUTBOX_COLUMNS}",
            (self.partner_id, key),
        ).fetchone()
        return None if row is None else queued_from_row(row)

    def _restore_draft(self, tx: _Tx, queued: QueuedReply, now: datetime) -> None:
        """Back into the reply draft, before any draft typed since."""
        if tx.execute(
            "SELECT 1 FROM tasks WHERE partner_id = %s AND id = %s", (self.partner_id, queued.task_id)
        ).fetchone():
            since = tx.execute(
                "SELECT body FROM drafts WHERE partner_id = %s AND task_id = %s AND kind = 'reply' FOR UPDATE",
                (self.partner_id, queued.task_id),
            ).fetchone()
            tx.execute(
                "INSERT INTO drafts (partner_id, task_id, kind, body, saved_at) VALUES (%s, %s, 'reply', %s, %s)"
                " ON CONFLICT (partner_id, task_id, kind)"
                " DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
                (
                    self.partner_id,
                    queued.task_id,
                    restored_draft(queued.body, None if since is None else str(since[0])),
                    rows.to_micros(now),
                ),
            )
        tx.event(queued.task_id, "reply_unqueued")

    # --- preferences --------------------------------------------------------------------------------
    def get_preferences(self) -> Preferences:
        return self._run(self._preferences)

    def _preferences(self, tx: _Tx) -> Preferences:
        found = tx.execute("SELECT doc FROM preferences WHERE partner_id = %s", (self.partner_id,)).fetchone()
        return Preferences() if found is None else preferences_from_dict(json_object(found[0]))

    def set_preferences(self, prefs: Preferences) -> Preferences:
        checked, doc = checked_preferences(prefs)

        def save(tx: _Tx) -> None:
            tx.execute(
                "INSERT INTO preferences (partner_id, doc) VALUES (%s, %s)"
                " ON CONFLICT (partner_id) DO UPDATE SET doc = excluded.doc",
                (self.partner_id, doc),
            )
            tx.event("", "preferences")

        self._run(save)
        return checked

    # --- bulk ---------------------------------------------------------------------------------------
    def import_tasks(self, records: Iterable[tuple[int, Any]]) -> ImportReport:
        """As every store's, then the table settled (`PgDatabase.settle_tasks`) when the
        import left the planner's view of it far behind."""
        report = super().import_tasks(records)
        if report.added:
            self.database.settle_tasks()
        return report

    def _import_batch(self, batch: list[rows.Prepared], report: ImportReport) -> None:
        def write(tx: _Tx) -> tuple[list[rows.Prepared], list[str]]:
            added, unchanged = self._new_only(tx, batch)
            self._insert(tx, added, "imported")
            return added, unchanged

        added, unchanged = self._run(write)
        report.unchanged.extend(unchanged)
        report.added.extend(item.task_id for item in added)

    def _new_only(self, tx: _Tx, batch: list[rows.Prepared]) -> tuple[list[rows.Prepared], list[str]]:
        """The tasks of `batch` not in the store yet (nor earlier in the batch), and the
        ids of the others (import is idempotent by id)."""
        ids = list(dict.fromkeys(item.task_id for item in batch))
        present = {
            task_id
            for (task_id,) in tx.execute(
                "SELECT id FROM tasks WHERE partner_id = %s AND id = ANY(%s::text[])", (self.partner_id, ids)
            )
        }
        added: list[rows.Prepared] = []
        unchanged: list[str] = []
        for item in batch:
            if item.task_id in present:
                unchanged.append(item.task_id)
                continue
            present.add(item.task_id)
            added.append(item)
        return added, unchanged

    def _insert(self, tx: _Tx, items: list[rows.Prepared], event: str) -> None:
        """The one way tasks enter the store: rows, conversation, search, counts, and one
        event. Rows are streamed with COPY into this session's staging tables, then moved
        with one INSERT ... SELECT per table: COPY is refused on a table under row-level
        security, and arrays of text built by the driver cost six times as much (measured
        at 5,000 tasks)."""
        if not items:
            return
        seqs = [seq for (seq,) in tx.execute("SELECT nextval('task_seq') FROM generate_series(1, %s)", (len(items),))]
        for ddl in _STAGING:
            tx.execute(ddl)
        with tx.cur.copy("COPY stage_tasks FROM STDIN") as copy:
            for seq, item in zip(seqs, items, strict=True):
                copy.write_row((seq, *item.values, " ".join(lexemes(item.document))))
        with tx.cur.copy("COPY stage_messages FROM STDIN") as copy:
            for seq, item in zip(seqs, items, strict=True):
                for n, message in enumerate(item.messages, 1):
                    copy.write_row((seq, n, *message))
        with tx.cur.copy("COPY stage_notes FROM STDIN") as copy:
            for seq, item in zip(seqs, items, strict=True):
                for n, note in enumerate(item.notes, 1):
                    copy.write_row((seq, n, *note))
        tx.execute(
            f"INSERT INTO tasks (partner_id, seq, {', '.join(rows.WRITE_COLUMNS)}, search)"
            f" SELECT %s, seq, {', '.join(rows.WRITE_COLUMNS)}, array_to_tsvector(string_to_array(doc, ' '))"
            " FROM stage_tasks",
            (self.partner_id,),
        )
        tx.execute(
            "INSERT INTO messages (partner_id, task_seq, n, id, author, author_name, body, sent_at)"
            " SELECT %s, * FROM stage_messages",
            (self.partner_id,),
        )
        tx.execute(
            "INSERT INTO notes (partner_id, task_seq, n, id, author, body, created_at) SELECT %s, * FROM stage_notes",
            (self.partner_id,),
        )
        self._count(tx, Counter((i.kind, i.status) for i in items))
        tx.event(items[0].task_id if len(items) == 1 else "", event)

    # --- the marketplace side -------------------------------------------------------------------------
    def deliver_task(self, record: dict[str, Any]) -> Task:
        now = self.clock()
        task, assign_id = self._delivered(record, now)

        def deliver(tx: _Tx) -> Task:
            prefs = self._preferences(tx)
            check_delivery(self.partner, prefs, task, now)
            delivered = task
            if assign_id:
                delivered = with_id(task, self._free_id(tx))
            elif tx.execute(
                "SELECT 1 FROM tasks WHERE partner_id = %s AND id = %s", (self.partner_id, task.id)
            ).fetchone():
                raise duplicate_id(task.id)
            delivered = as_of(delivered, now)
            self._insert(tx, [rows.prepare(delivered)], "delivered")
            if self.notify and prefs.notification_email:
                tx.execute(
                    "INSERT INTO notifications (partner_id, task_id, kind, doc, created_at)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (
                        self.partner_id,
                        delivered.id,
                        delivered.kind.value,
                        notification_json(delivered),
                        rows.to_micros(now),
                    ),
                )
            return delivered

        try:
            return self._run(deliver)
        except errors.UniqueViolation:
            # The same id delivered at the same moment through another connection.
            raise duplicate_id(task.id) from None

    def _free_id(self, tx: _Tx) -> str:
        row = tx.execute("SELECT nextval('task_seq')").fetchone()
        assert row is not None
        number = int(row[0])
        while tx.execute(
            "SELECT 1 FROM tasks WHERE partner_id = %s AND id = %s", (self.partner_id, f"T-{number}")
        ).fetchone():
            number += 1
        return f"T-{number}"

    # --- lifetime -----------------------------------------------------------------------------------
    def close(self) -> None:
        if self._owns_database:
            self.database.close()


#: PostgreSQL types of `rows.WRITE_COLUMNS`, in order.
_WRITE_TYPES = (
    "text",  # id
    "text",  # kind
    "smallint",  # inbox
    "text",  # status
    "text",  # service
    "text",  # title
    "text",  # merchant_name
    "text",  # merchant_email
    "bigint",  # received_at
    "bigint",  # expires_at
    "bigint",  # activity_at
    "bigint",  # first_response_at
    "text",  # last_message_by
    "integer",  # unread
    "text",  # declined_by
    "bigint",  # declined_at
    "text",  # detail
)
assert len(_WRITE_TYPES) == len(rows.WRITE_COLUMNS)
#: Where an insert streams its rows first: one set per pooled connection, made on first
#: use and emptied at every commit.
_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS stage_tasks (seq bigint, "
    + ", ".join(f"{column} {kind}" for column, kind in zip(rows.WRITE_COLUMNS, _WRITE_TYPES, strict=True))
    + ", doc text) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS stage_messages (task_seq bigint, n integer, id text, author text,"
    " author_name text, body text, sent_at bigint) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS stage_notes (task_seq bigint, n integer, id text, author text, body text,"
    " created_at bigint) ON COMMIT DELETE ROWS",
)


def _read_runs(
    conn: _Qmark,
    order: Order,
    statuses: list[Status],
    cursor: Key | None,
    limit: int,
    where: str,
    args: list[Any],
    expiry: Expiry,
) -> dict[Arm, list[tuple[int, int]]]:
    """The next `limit` keys of every arm of every status's run after `cursor`, in one
    statement (one round trip to the server instead of one per arm); `page_keys` merges them."""
    selects: list[str] = []
    values: list[Any] = []
    arms: list[tuple[Arm, Status]] = []
    for status in statuses:
        bound = order.bound(status, cursor)
        if bound is False:
            continue
        run = order.runs[status]
        for arm in expiry.arms(status):
            selects.append(f"(SELECT ?::int, run.* FROM ({run.sql(where, arm, bound is not None)} LIMIT ?) AS run)")
            values += [len(arms), *args, *arm.args(expiry.cut), *(run.after_args(*bound) if bound else ()), limit]
            arms.append((arm, status))
    out: dict[Arm, list[tuple[int, int]]] = {}
    if selects:
        for index, value, seq in conn.execute(" UNION ALL ".join(selects), values):
            out.setdefault(arms[index][0], []).append((value, seq))
    by_arm = dict(arms)
    for arm, keys in out.items():  # an Append may interleave its arms (parallel plans)
        keys.sort(key=lambda pair, run=order.runs[by_arm[arm]]: run.key(*pair))
    return out


def lexemes(document: str) -> list[str]:
    """The distinct folded words of a search document (`rows.search_document`), each cut
    to `_MAX_LEXEME` characters, within the byte budget of one tsvector."""
    out: list[str] = []
    size = 0
    for word in dict.fromkeys(words(document)):
        cut = word[:_MAX_LEXEME]
        size += len(cut.encode()) + 8
        if size > _MAX_LEXEME_BYTES:
            break
        out.append(cut)
    return out


def tsquery(search: Query) -> str | None:
    """All the search's words must match, each as a prefix, and none of its excluded
    words (`'zolw':* & 'lodz':* & !('spam':*)`); None when it has no words. Words hold
    only letters and digits, so nothing typed becomes tsquery syntax."""
    terms = [f"'{term[:_MAX_LEXEME]}':*" for term in search.terms]
    if not terms:
        return None
    excluded = [f"'{term[:_MAX_LEXEME]}':*" for term in search.excluded[:MAX_QUERY_WORDS]]
    return " & ".join(terms) + (f" & !({' | '.join(excluded)})" if excluded else "")


def _search_filters(search: Query, where: str, args: list[Any]) -> tuple[str, list[Any]]:
    """`where` and `args` (`?` style) narrowed by what the search asks beyond the words
    the index finds: excluded words (when it has no others), the flags."""
    if not search.terms and search.excluded:
        excluded = " | ".join(f"'{term[:_MAX_LEXEME]}':*" for term in search.excluded[:MAX_QUERY_WORDS])
        where += " AND NOT (t.search @@ ?::tsquery)"
        args = [*args, excluded]
    unread, note, draft = search.flag(Flag.UNREAD), search.flag(Flag.NOTE), search.flag(Flag.DRAFT)
    if unread is not None:
        where += " AND t.unread > 0" if unread else " AND t.unread = 0"
    if note is not None:
        where += (
            f" AND {'' if note else 'NOT '}EXISTS"
            " (SELECT 1 FROM notes n WHERE n.partner_id = t.partner_id AND n.task_seq = t.seq)"
        )
    if draft is not None:
        where += (
            f" AND {'' if draft else 'NOT '}EXISTS"
            " (SELECT 1 FROM drafts d WHERE d.partner_id = t.partner_id AND d.task_id = t.id)"
        )
    return where, args
