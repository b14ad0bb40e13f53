"""API tokens and idempotent responses of the shared server, kept in the store's own file.

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
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ..domain import Clock, Invalid, NotFound, system_clock
from ..domain.text import check_storable
from ..private_files import prepare_store_file
from . import rows
from .schema import check_ours, migrate
from .sqlite import BUSY_TIMEOUT_S

TOKEN_PREFIX = "et1_"
#: How long a stored idempotent response is kept: far beyond any client's retries.
IDEMPOTENCY_DAYS = 7
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


class TokenStore:
    """Tokens and idempotent responses in the SQLite file the partners' tasks live in."""

    def __init__(self, path: Path | str, *, clock: Clock = system_clock) -> None:
        self.path = Path(path)
        self.clock = clock
        prepare_store_file(self.path)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            check_ours(self._conn)
            self._conn.execute("PRAGMA journal_mode = WAL")
            # A token or a kept answer lost to a power cut costs a retry at most (a reply's
            # key is kept with the reply itself); no fsync per request for them.
            self._conn.execute("PRAGMA synchronous = NORMAL")
            migrate(self._conn)
        except BaseException:
            self._conn.close()
            raise

    # --- tokens -------------------------------------------------------------------------------
    def create(self, partner: str, person: str | None = None, *, marketplace: bool = False) -> tuple[str, TokenInfo]:
        """A new token (returned once, never stored) and what is kept about it."""
        partner = _name(partner, "partner")
        person = partner if person is None else _name(person, "user")
        token_id = secrets.token_hex(4)
        token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        now = self.clock()
        with self._lock:
            self._conn.execute(
                "INSERT INTO tokens (id, hash, partner, person, marketplace, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (token_id, token_hash(token), partner, person, int(marketplace), rows.to_micros(now)),
            )
        return token, TokenInfo(token_id, partner, person, marketplace, now, None)

    def list(self) -> list[TokenInfo]:
        with self._lock:
            found = self._conn.execute(
                "SELECT id, partner, person, marketplace, created_at, revoked_at FROM tokens ORDER BY created_at, id"
            ).fetchall()
        return [_info(row) for row in found]

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token by id; revoking it again changes nothing."""
        with self._lock:
            self._conn.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (rows.to_micros(self.clock()), token_id),
            )
            row = self._conn.execute(
                "SELECT id, partner, person, marketplace, created_at, revoked_at FROM tokens WHERE id = ?",
                (token_id,),
            ).fetchone()
        if row is None:
            raise NotFound(f"no token with id {str(token_id)[:40]!r} (see `expert-tui token list`)")
        return _info(row)

    def lookup(self, token: str) -> TokenInfo | None:
        """The live token `token` is, or None (unknown or revoked)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT id, partner, person, marketplace, created_at, revoked_at FROM tokens"
                " WHERE hash = ? AND revoked_at IS NULL",
                (token_hash(token),),
            ).fetchone()
        return None if row is None else _info(row)

    # --- idempotent responses -------------------------------------------------------------------
    def response_for(self, scope: str, key: str) -> StoredResponse | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT digest, status, body FROM idempotency WHERE scope = ? AND key = ?", (scope, key)
            ).fetchone()
        return None if row is None else StoredResponse(row[0], int(row[1]), bytes(row[2]))

    def keep_response(self, scope: str, key: str, digest: str, status: int, body: bytes) -> None:
        """Keep the first response to `key` (a concurrent twin that lost the race keeps none)."""
        now = self.clock()
        with self._lock:
            self._conn.execute(
                "INSERT INTO idempotency (scope, key, digest, status, body, at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (scope, key) DO NOTHING",
                (scope, key, digest, status, body, rows.to_micros(now)),
            )
            cutoff = rows.to_micros(now - timedelta(days=IDEMPOTENCY_DAYS))
            self._conn.execute("DELETE FROM idempotency WHERE at < ?", (cutoff,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


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
