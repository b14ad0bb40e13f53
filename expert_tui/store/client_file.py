"""The client's own file beside a remote store: what is personal and stays on this machine.

Drafts are personal (SPEC 6): with a remote store they are kept here, never sent to
the server. One 0600 SQLite file per server and partner, in the user data folder.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from ..paths import data_dir
from ..private_files import prepare_store_file
from . import rows

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    partner TEXT NOT NULL,
    task_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    saved_at INTEGER NOT NULL,
    PRIMARY KEY (partner, task_id, kind)
) WITHOUT ROWID
"""


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
            self._conn.execute(_SCHEMA)
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

    def delete(self, partner: str, task_id: str, kind: str) -> None:
        with self._lock:
            self._conn.execute(
                "DELETE FROM drafts WHERE partner = ? AND task_id = ? AND kind = ?", (partner, task_id, kind)
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
