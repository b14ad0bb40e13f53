"""The client's own file beside a remote store: what is personal and stays on this machine.

Drafts are personal (SPEC 6): with a remote store they are kept here, never sent to
the server, and so is the outbox beside them: a reply waits out its undo time here, and
one the server could not take (unreachable) waits here until it can, sent by its
idempotency key, so it arrives once however often it is tried; a note too (`kind`). `sent` remembers the
keys that went out, so a key is never queued twice. One 0600 SQLite file per server and
partner, in the user data folder.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain import IdempotencyMismatch
from ..paths import data_dir
from ..private_files import prepare_store_file
from . import rows
from .base import QueuedReply
from .outbox_rules import ALREADY_SENT, OUTBOX_COLUMNS, queued_from_row, restored_draft, same_or_refused

#: The shared outbox columns and this file's own: notes wait here too (`kind`).
_COLUMNS = f"{OUTBOX_COLUMNS}, kind"

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS drafts (
        partner TEXT NOT NULL,
        task_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        saved_at INTEGER NOT NULL,
        PRIMARY KEY (partner, task_id, kind)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE IF NOT EXISTS outbox (
        partner TEXT NOT NULL,
        key TEXT NOT NULL,
        task_id TEXT NOT NULL,
        body TEXT NOT NULL,
        queued_at INTEGER NOT NULL,
        send_after INTEGER NOT NULL,
        owner TEXT NOT NULL,
        committed INTEGER NOT NULL,
        kind TEXT NOT NULL DEFAULT 'reply',
        PRIMARY KEY (partner, key)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE IF NOT EXISTS sent (
        partner TEXT NOT NULL,
        key TEXT NOT NULL,
        task_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (partner, key)
    ) WITHOUT ROWID
    """,
)


class ClientFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        prepare_store_file(path)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            self._conn.execute("PRAGMA busy_timeout = 30000")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            for statement in _SCHEMA:
                self._conn.execute(statement)
            columns = {row[1] for row in self._conn.execute("PRAGMA table_info(outbox)")}
            if "kind" not in columns:  # a file from before notes were kept offline
                self._conn.execute("ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'reply'")
        except BaseException:
            self._conn.close()
            raise

    @staticmethod
    def default_path(url: str, partner: str) -> Path:
        """One file per (server, partner): a name that says nothing about either."""
        digest = hashlib.sha256(f"{url}\0{partner}".encode("utf-8", "surrogatepass")).hexdigest()[:16]
        return data_dir() / "remote" / f"{digest}.db"

    def save(self, partner: str, task_id: str, kind: str, body: str, now: datetime) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO drafts (partner, task_id, kind, body, saved_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (partner, task_id, kind)"
                " DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
                (partner, task_id, kind, body, rows.to_micros(now)),
            )

    def get(self, partner: str, task_id: str, kind: str) -> str | None:
        with self._lock:
            found = self._conn.execute(
                "SELECT body FROM drafts WHERE partner = ? AND task_id = ? AND kind = ?", (partner, task_id, kind)
            ).fetchone()
        return None if found is None else found[0]

    def drafted(self, partner: str) -> set[str]:
        """The tasks this machine holds a draft for (of any kind): `has:draft`."""
        with self._lock:
            found = self._conn.execute("SELECT DISTINCT task_id FROM drafts WHERE partner = ?", (partner,))
            return {task_id for (task_id,) in found}

    def delete(self, partner: str, task_id: str, kind: str) -> None:
        with self._lock:
            self._conn.execute(
                "DELETE FROM drafts WHERE partner = ? AND task_id = ? AND kind = ?", (partner, task_id, kind)
            )

    # --- the outbox -----------------------------------------------------------------------------------
    def queue(self, partner: str, queued: QueuedReply) -> QueuedReply:
        """Into the outbox, and the reply draft into it, in one transaction (the text is
        in exactly one place). The same key again is the waiting reply, or refused."""
        with self._transaction() as conn:
            waiting = self._queued(conn, partner, queued.key)
            if waiting is not None:
                return same_or_refused(waiting, queued.task_id, queued.body)
            if conn.execute("SELECT 1 FROM sent WHERE partner = ? AND key = ?", (partner, queued.key)).fetchone():
                raise IdempotencyMismatch(ALREADY_SENT)
            conn.execute(
                f"INSERT INTO outbox (partner, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    partner,
                    queued.key,
                    queued.task_id,
                    queued.body,
                    rows.to_micros(queued.queued_at),
                    rows.to_micros(queued.send_after),
                    queued.owner,
                    int(queued.committed),
                    queued.kind,
                ),
            )
            conn.execute(
                "DELETE FROM drafts WHERE partner = ? AND task_id = ? AND kind = ?",
                (partner, queued.task_id, queued.kind),
            )
        return queued

    def waiting(self, partner: str, key: str) -> QueuedReply | None:
        with self._lock:
            return self._queued(self._conn, partner, key)

    def all_waiting(self, partner: str) -> list[QueuedReply]:
        with self._lock:
            found = self._conn.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE partner = ? ORDER BY send_after, queued_at, key",
                (partner,),
            ).fetchall()
        return [_queued_from_row(row) for row in found]

    def unqueue(self, partner: str, key: str, now: datetime) -> QueuedReply | None:
        """Out of the outbox, back into the draft of its kind (before any draft typed since)."""
        with self._transaction() as conn:
            queued = self._queued(conn, partner, key)
            if queued is None:
                return None
            conn.execute("DELETE FROM outbox WHERE partner = ? AND key = ?", (partner, key))
            since = conn.execute(
                "SELECT body FROM drafts WHERE partner = ? AND task_id = ? AND kind = ?",
                (partner, queued.task_id, queued.kind),
            ).fetchone()
            conn.execute(
                "INSERT INTO drafts (partner, task_id, kind, body, saved_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (partner, task_id, kind)"
                " DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
                (
                    partner,
                    queued.task_id,
                    queued.kind,
                    restored_draft(queued.body, None if since is None else since[0]),
                    rows.to_micros(now),
                ),
            )
        return queued

    def commit(self, partner: str, key: str) -> bool:
        """Whether `key` was waiting (now committed: it goes out, it is no longer undone)."""
        with self._lock:
            changed = self._conn.execute(
                "UPDATE outbox SET committed = 1 WHERE partner = ? AND key = ?", (partner, key)
            ).rowcount
        return changed > 0

    def sent(self, partner: str, key: str, task_id: str, now: datetime) -> None:
        """The server took the reply: out of the outbox, its key remembered, in one transaction."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM outbox WHERE partner = ? AND key = ?", (partner, key))
            conn.execute(
                "INSERT INTO sent (partner, key, task_id, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (partner, key, task_id, rows.to_micros(now)),
            )

    def _queued(self, conn: sqlite3.Connection, partner: str, key: str) -> QueuedReply | None:
        row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE partner = ? AND key = ?", (partner, key)).fetchone()
        return None if row is None else _queued_from_row(row)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (another expert-tui on this machine may share the file)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _queued_from_row(row: Sequence[Any]) -> QueuedReply:
    return replace(queued_from_row(row[:-1]), kind=str(row[-1]))
