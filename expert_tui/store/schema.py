"""The SQLite schema and its versioned migrations (`PRAGMA user_version`).

Each migration is a list of statements applied in one `BEGIN IMMEDIATE` transaction,
so two processes opening a fresh file at once cannot both migrate it, and a crash
mid-migration leaves the previous version intact.

Why the indexes look the way they do: two orders (received, activity) have one index each
with the status in front, so a page with a status filter is one index range scan of
`limit` rows, and a page without one merges the eight per-status runs (`paging`); never
a sort of the store. Urgency is read from the same two indexes (see v4). `inbox` (1 for
match/direct, 0 for contacts) is stored so "the inbox kinds" is one equality, not an `IN`
that would break the order. Counts per status live in `task_counts`, kept by triggers on
update and delete and by the store's one insert path, so the header of the inbox does
not count 100,000 rows on every refresh.
"""

from __future__ import annotations

import sqlite3

from ..domain import DomainError


class SchemaError(DomainError):
    """The file is not a store this version understands (e.g. made by a newer version)."""

    code = "schema"


_V1 = [
    """
    CREATE TABLE tasks (
        seq INTEGER PRIMARY KEY,
        partner TEXT NOT NULL,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        inbox INTEGER NOT NULL,
        status TEXT NOT NULL,
        service TEXT NOT NULL,
        title TEXT NOT NULL,
        merchant_name TEXT NOT NULL,
        merchant_email TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        activity_at INTEGER NOT NULL,
        first_response_at INTEGER,
        last_message_by TEXT,
        unread INTEGER NOT NULL,
        urgency_band INTEGER NOT NULL,
        urgency_key INTEGER NOT NULL,
        declined_by TEXT,
        declined_at INTEGER,
        detail TEXT NOT NULL,
        UNIQUE (partner, id)
    )
    """,
    "CREATE INDEX tasks_urgency ON tasks (partner, inbox, urgency_band, urgency_key, seq)",
    "CREATE INDEX tasks_status_urgency ON tasks (partner, inbox, status, urgency_band, urgency_key, seq)",
    "CREATE INDEX tasks_received ON tasks (partner, inbox, received_at, seq)",
    "CREATE INDEX tasks_status_received ON tasks (partner, inbox, status, received_at, seq)",
    "CREATE INDEX tasks_activity ON tasks (partner, inbox, activity_at, seq)",
    "CREATE INDEX tasks_status_activity ON tasks (partner, inbox, status, activity_at, seq)",
    """
    CREATE TABLE messages (
        seq INTEGER PRIMARY KEY,
        task INTEGER NOT NULL REFERENCES tasks (seq) ON DELETE CASCADE,
        id TEXT NOT NULL,
        author TEXT NOT NULL,
        author_name TEXT NOT NULL,
        body TEXT NOT NULL,
        sent_at INTEGER NOT NULL
    )
    """,
    "CREATE INDEX messages_task ON messages (task, seq)",
    """
    CREATE TABLE notes (
        seq INTEGER PRIMARY KEY,
        task INTEGER NOT NULL REFERENCES tasks (seq) ON DELETE CASCADE,
        id TEXT NOT NULL,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
    )
    """,
    "CREATE INDEX notes_task ON notes (task, seq)",
    # One search document per task (rowid = tasks.seq): folded words only, split in
    # Python, so the `ascii` tokenizer never splits them again and `detail='none'`
    # (no positions) is enough; prefix indexes make `ab*`/`abc*` cheap.
    "CREATE VIRTUAL TABLE task_search USING fts5(doc, tokenize='ascii', detail='none', prefix='2 3')",
    """
    CREATE TABLE task_counts (
        partner TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (partner, kind, status)
    ) WITHOUT ROWID
    """,
    """
    CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks BEGIN
        INSERT INTO task_counts (partner, kind, status, n) VALUES (new.partner, new.kind, new.status, 1)
        ON CONFLICT (partner, kind, status) DO UPDATE SET n = n + 1;
    END
    """,
    """
    CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks BEGIN
        UPDATE task_counts SET n = n - 1
        WHERE partner = old.partner AND kind = old.kind AND status = old.status;
    END
    """,
    """
    CREATE TRIGGER tasks_count_update AFTER UPDATE OF status, kind, partner ON tasks
    WHEN old.status IS NOT new.status OR old.kind IS NOT new.kind OR old.partner IS NOT new.partner BEGIN
        UPDATE task_counts SET n = n - 1
        WHERE partner = old.partner AND kind = old.kind AND status = old.status;
        INSERT INTO task_counts (partner, kind, status, n) VALUES (new.partner, new.kind, new.status, 1)
        ON CONFLICT (partner, kind, status) DO UPDATE SET n = n + 1;
    END
    """,
    """
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        partner TEXT NOT NULL,
        task_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL
    )
    """,
    "CREATE INDEX events_partner ON events (partner, seq)",
    """
    CREATE TABLE drafts (
        partner TEXT NOT NULL,
        task_id TEXT NOT NULL,
        body TEXT NOT NULL,
        saved_at INTEGER NOT NULL,
        PRIMARY KEY (partner, task_id)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE replies (
        partner TEXT NOT NULL,
        key TEXT NOT NULL,
        task_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        message_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (partner, key)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE preferences (
        partner TEXT PRIMARY KEY,
        doc TEXT NOT NULL
    ) WITHOUT ROWID
    """,
]

# v2: one index per order, status first. An unfiltered page merges the per-status runs
# (see `paging`), so three indexes serve every order with and without a status filter,
# and an import maintains half as many B-trees. The status fixes the urgency band, so
# the band column goes.
_V2 = [
    "DROP INDEX tasks_urgency",
    "DROP INDEX tasks_status_urgency",
    "DROP INDEX tasks_received",
    "DROP INDEX tasks_status_received",
    "DROP INDEX tasks_activity",
    "DROP INDEX tasks_status_activity",
    "ALTER TABLE tasks DROP COLUMN urgency_band",
    "CREATE INDEX tasks_urgency ON tasks (partner, inbox, status, urgency_key, seq)",
    "CREATE INDEX tasks_received ON tasks (partner, inbox, status, received_at, seq)",
    "CREATE INDEX tasks_activity ON tasks (partner, inbox, status, activity_at, seq)",
]

# v3: prefix indexes for 1- and 2-letter prefixes (measured at 100,000 tasks: "a" fell
# from 20 ms to 1 ms; longer prefixes expand to few terms and need none). The documents
# are copied from the old table, which stores them.
_V3 = [
    "CREATE VIRTUAL TABLE task_search_v3 USING fts5(doc, tokenize='ascii', detail='none', prefix='1 2')",
    "INSERT INTO task_search_v3 (rowid, doc) SELECT rowid, doc FROM task_search",
    "DROP TABLE task_search",
    "ALTER TABLE task_search_v3 RENAME TO task_search",
]

# v4: what an import of 100,000 tasks spends its time on, measured, goes.
# - The urgency index: a status fixes its urgency band and, within the band, the order
#   is one the other two indexes already hold (owed: soonest deadline = earliest
#   received, since the window is a constant 72 h; waiting: longest wait = earliest
#   activity; the rest: latest activity), so `paging` reads urgency from them. Every
#   task inserted in random order dirtied a leaf page of each index in every batch.
# - Its key column, which only that index and the expiry sweep (now on `received_at`) read.
# - The per-row insert trigger on the counts: the store adds a batch's counts in one
#   statement per (kind, status) instead (`SqliteStore._insert`, the only insert).
_V4 = [
    "DROP INDEX tasks_urgency",
    "ALTER TABLE tasks DROP COLUMN urgency_key",
    "DROP TRIGGER tasks_count_insert",
]

# v5: drafts keyed by kind as well, so a note being written is saved as it is typed
# like a reply, apart from it. SQLite cannot change a primary key in place: the table is
# rebuilt, and every draft it held was a reply draft.
_V5 = [
    """
    CREATE TABLE drafts_v5 (
        partner TEXT NOT NULL,
        task_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        saved_at INTEGER NOT NULL,
        PRIMARY KEY (partner, task_id, kind)
    ) WITHOUT ROWID
    """,
    "INSERT INTO drafts_v5 (partner, task_id, kind, body, saved_at)"
    " SELECT partner, task_id, 'reply', body, saved_at FROM drafts",
    "DROP TABLE drafts",
    "ALTER TABLE drafts_v5 RENAME TO drafts",
]

# v6: what the shared server (`expert-tui serve`) keeps beside the partners' tasks in the
# same file. API tokens: only a hash of each (a copy of the file never yields a usable
# token); `person` authors the notes and replies sent with it. Idempotency: the first
# response to each `Idempotency-Key`, per partner, so a retried POST changes nothing.
_V6 = [
    """
    CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        partner TEXT NOT NULL,
        person TEXT NOT NULL,
        marketplace INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE idempotency (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        digest TEXT NOT NULL,
        status INTEGER NOT NULL,
        body BLOB NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (scope, key)
    ) WITHOUT ROWID
    """,
]

# v7: notification e-mails (`notify`). A row of `notifications` is written in the same
# transaction as the delivery that causes it, so a task is never stored without its
# e-mail nor an e-mail queued for a task that was not; `doc` is what the e-mail says,
# as of the delivery. The sender folds a partner's waiting rows into one `mail_batches`
# row (immediate, a digest, or the one after a holiday) with the message rendered once:
# a resend after a crash is byte for byte the same message, with the same Message-ID.
_V7 = [
    """
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        partner TEXT NOT NULL,
        task_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        doc TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        batch TEXT
    )
    """,
    "CREATE INDEX notifications_waiting ON notifications (batch, partner, id)",
    """
    CREATE TABLE mail_batches (
        id TEXT PRIMARY KEY,
        partner TEXT NOT NULL,
        recipient TEXT NOT NULL,
        message_id TEXT NOT NULL,
        message BLOB NOT NULL,
        items INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_try_at INTEGER NOT NULL,
        claimed_by TEXT,
        done_at INTEGER,
        reply TEXT
    ) WITHOUT ROWID
    """,
    "CREATE INDEX mail_batches_state ON mail_batches (state, next_try_at)",
    "CREATE INDEX mail_batches_partner ON mail_batches (partner, created_at)",
]

# v8: the outbox. A reply is stored the moment the partner sends it and waits out its
# undo time here (later also a dropped connection), so a crash or a dropped SSH session
# loses nothing. `committed` is set when the undo time is over: the next start sends a
# committed reply (once: `key` is the idempotency key the send uses) and gives back as a
# draft one that could still have been undone when its process died.
_V8 = [
    """
    CREATE TABLE outbox (
        partner TEXT NOT NULL,
        key TEXT NOT NULL,
        task_id TEXT NOT NULL,
        body TEXT NOT NULL,
        queued_at INTEGER NOT NULL,
        send_after INTEGER NOT NULL,
        owner TEXT NOT NULL,
        committed INTEGER NOT NULL,
        PRIMARY KEY (partner, key)
    ) WITHOUT ROWID
    """,
]

# v9: what a shared server under load (bench/server_load.py) spent its time on, measured.
# - The activity index carries `received_at`. The expired tasks still stored `new` or
#   `opened` are read in activity order with a filter on `received_at` (`paging`: the
#   window's end is never written); without the column each row walked was a lookup in
#   the table, whose rows hold the task's whole detail: 49 ms for the first page of the
#   inbox at 100,000 tasks, 1.3 ms with it (the walk stays within the index, past at
#   most the tasks received in the last 72 hours).
# - The kept idempotent answers are pruned by age on every POST: an index on the age
#   instead of reading the whole table (a week of answers, each a task's JSON) each time.
_V9 = [
    "DROP INDEX tasks_activity",
    "CREATE INDEX tasks_activity ON tasks (partner, inbox, status, activity_at, seq, received_at)",
    "CREATE INDEX idempotency_at ON idempotency (at)",
]

#: Migration i (0-based) takes the file from version i to version i + 1.
MIGRATIONS: tuple[list[str], ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9)
LATEST = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file to `LATEST`; returns the version it was at. `conn` is in autocommit."""
    found = user_version(conn)
    if found == LATEST:
        return found
    if found == 0:
        _refuse_foreign(conn)
    if found > LATEST:
        raise SchemaError(
            f"this store was written by a newer expert-tui (schema version {found}; this one knows up to {LATEST})"
        )
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the write lock.
        found = user_version(conn)
        if found == 0:
            _refuse_foreign(conn)
        for version in range(found, LATEST):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {LATEST:d}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return found


def check_ours(conn: sqlite3.Connection) -> None:
    """Refuse a file that is not an expert-tui store before anything changes it (even
    its journal mode, which lives in the file's header)."""
    if user_version(conn) == 0:
        _refuse_foreign(conn)


def _refuse_foreign(conn: sqlite3.Connection) -> None:
    """A version-0 file must be empty: a migration sets the version in the same
    transaction that creates the tables, so tables without a version were made by
    another program, and adopting them would mix our tables into its file."""
    names = [name for (name,) in conn.execute("SELECT name FROM sqlite_schema ORDER BY name LIMIT 4")]
    if names:
        listed = ", ".join(repr(name[:40]) for name in names[:3]) + (", ..." if len(names) > 3 else "")
        raise SchemaError(
            f"this file is an SQLite database of another program (it has {listed}), not an expert-tui store"
            " — give a new file name or the path of an expert-tui store"
        )
