"""API tokens and idempotent responses of the shared server, kept in the store's own file
(or the store's PostgreSQL database: `TokenStore.on_postgres`).

A token is shown once, when it is made; the file keeps only its SHA-256 (a token is 32
random bytes, so a fast hash is as good as a slow one, and every request can afford
it). A token belongs to a partner (the account, e.g. an agency) and names a person
(who types: the author of their notes and replies). A marketplace token delivers
tasks and posts merchant events; it never reads a partner's inbox.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..domain import Clock, Invalid, NotFound, system_clock
from ..domain.text import check_storable
from ..private_files import prepare_store_file
from . import rows
from .schema import check_ours, migrate
from .sqlite import BUSY_TIMEOUT_S
from .sqlite_access import GroupCommit, write_lock

if TYPE_CHECKING:
    from .pg_database import PgDatabase

TOKEN_PREFIX = "et1_"
#: How long a stored idempotent response is kept: far beyond any client's retries.
IDEMPOTENCY_DAYS = 7
#: How often the answers older than that are deleted.
PRUNE_EVERY = timedelta(minutes=1)
MAX_NAME_CHARS = 200


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What the server knows about a token; never the token itself."""

    id: str
    partner: str
    person: str
    marketplace: bool
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredResponse:
    digest: str
    status: int
    body: bytes


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class _Db(Protocol):
    def rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Run one statement (`?` placeholders) and return its rows (none for a change)."""
        ...

    def close(self) -> None: ...


class _SqliteDb:
    """Lookups on a connection of their own, never waiting for a write; writes (kept
    answers, mostly) committed in groups on another, in turns with the file's other
    writers in this process (`sqlite_access`)."""

    def __init__(self, path: Path) -> None:
        prepare_store_file(path)
        self._conn = _connect(path)
        try:
            check_ours(self._conn)
            self._conn.execute("PRAGMA journal_mode = WAL")
            # A token or a kept answer lost to a power cut costs a retry at most (a reply's
            # key is kept with the reply itself); no fsync per request for them.
            self._conn.execute("PRAGMA synchronous = NORMAL")
            migrate(self._conn)
            self._reader = _connect(path)
        except BaseException:
            self._conn.close()
            raise
        self._reading = threading.Lock()
        self._writing = write_lock(path)
        self._group = GroupCommit(self._conn, self._writing, lambda: self._conn.execute("BEGIN IMMEDIATE"))

    def rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        if sql.startswith("SELECT"):
            with self._reading:
                return self._reader.execute(sql, params).fetchall()
        return self._group.run(lambda conn: conn.execute(sql, params).fetchall())

    def close(self) -> None:
        with self._writing, self._reading:
            self._reader.close()
            self._conn.close()


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    return conn


class _PgDb:
    """Statements on the database's pool, as the login role that owns the tables (the
    partners' role has no grant on them)."""

    def __init__(self, database: PgDatabase, *, owned: bool) -> None:
        self._database = database
        self._owned = owned

    def rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._database.pool.connection() as conn:
            cursor = conn.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def close(self) -> None:
        """Closes the database only when it was opened for the tokens (the CLI's `token`);
        a server's is closed by the server."""
        if self._owned:
            self._database.close()


class TokenStore:
    """Tokens and idempotent responses beside the partners' tasks."""

    def __init__(self, path: Path | str, *, clock: Clock = system_clock) -> None:
        """Those in the SQLite file `path` (made and migrated if needed)."""
        self.clock = clock
        self._db: _Db = _SqliteDb(Path(path))
        self._pruned_at: datetime | None = None

    @classmethod
    def on_postgres(cls, database: PgDatabase, *, clock: Clock = system_clock, owned: bool = False) -> TokenStore:
        """Those in an open PostgreSQL store (its tables come with its migrations);
        `owned`: closing the tokens closes the database."""
        store = cls.__new__(cls)
        store.clock = clock
        store._db = _PgDb(database, owned=owned)
        store._pruned_at = None
        return store

    # --- tokens -------------------------------------------------------------------------------
    def create(self, partner: str, person: str | None = None, *, marketplace: bool = False) -> tuple[str, TokenInfo]:
        """A new token (returned once, never stored) and what is kept about it."""
        partner = _name(partner, "partner")
        person = partner if person is None else _name(person, "user")
        token_id = secrets.token_hex(4)
        token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        now = self.clock()
        self._db.rows(
            "INSERT INTO tokens (id, hash, partner, person, marketplace, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (token_id, token_hash(token), partner, person, int(marketplace), rows.to_micros(now)),
        )
        return token, TokenInfo(token_id, partner, person, marketplace, now, None)

    def list(self) -> list[TokenInfo]:
        found = self._db.rows(
            "SELECT id, partner, person, marketplace, created_at, revoked_at FROM tokens ORDER BY created_at, id", ()
        )
        return [_info(row) for row in found]

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token by id; revoking it again changes nothing."""
        self._db.rows(
            "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (rows.to_micros(self.clock()), token_id),
        )
        found = self._db.rows(
            "SELECT id, partner, person, marketplace, created_at, revoked_at FROM tokens WHERE id = ?", (token_id,)
        )
        if not found:
            raise NotFound(f"no token with id {str(token_id)[:40]!r} (see `expert-tui token list`)")
        return _info(found[0])

    def lookup(self, token: str) -> TokenInfo | None:
        """The live token `token` is, or None (unknown or revoked)."""
        found = self._db.rows(
            "SELECT id, partner, person, marketplace, created_at, revoked_at FROM tokens"
            " WHERE hash = ? AND revoked_at IS NULL",
            (token_hash(token),),
        )
        return _info(found[0]) if found else None

    # --- idempotent responses -------------------------------------------------------------------
    def response_for(self, scope: str, key: str) -> StoredResponse | None:
        found = self._db.rows("SELECT digest, status, body FROM idempotency WHERE scope = ? AND key = ?", (scope, key))
        return StoredResponse(found[0][0], int(found[0][1]), bytes(found[0][2])) if found else None

    def keep_response(self, scope: str, key: str, digest: str, status: int, body: bytes) -> None:
        """Keep the first response to `key` (a concurrent twin that lost the race keeps none)."""
        now = self.clock()
        self._db.rows(
            "INSERT INTO idempotency (scope, key, digest, status, body, at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (scope, key) DO NOTHING",
            (scope, key, digest, status, body, rows.to_micros(now)),
        )
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            # A week's answers go a minute at a time, not one write more per POST.
            self._pruned_at = now
            cutoff = rows.to_micros(now - timedelta(days=IDEMPOTENCY_DAYS))
            self._db.rows("DELETE FROM idempotency WHERE at < ?", (cutoff,))

    def close(self) -> None:
        self._db.close()


def _name(value: object, field: str) -> str:
    text = check_storable(value, field).strip()
    if not text:
        raise Invalid(f"{field} must not be empty", field)
    if len(text) > MAX_NAME_CHARS:
        raise Invalid(f"{field} is too long (at most {MAX_NAME_CHARS} characters)", field)
    return text


def _info(row: tuple) -> TokenInfo:
    token_id, partner, person, marketplace, created, revoked = row
    return TokenInfo(
        token_id,
        partner,
        person,
        bool(marketplace),
        rows.from_micros(created),
        None if revoked is None else rows.from_micros(revoked),
    )
