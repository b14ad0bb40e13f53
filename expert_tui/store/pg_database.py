"""One PostgreSQL database, opened once per process: migrated, and one connection pool
for every partner's store and the server's tokens.

A server serves many partners: a pool per partner would hold ten connections each and
exhaust the database's `max_connections` at a few dozen partners. So the database is
opened once (`PgDatabase`) and each partner's `PostgresStore` borrows from its pool; the
CLI and the TUI open one for their one partner.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import Connection
from psycopg_pool import ConnectionPool

from ..domain.text import check_storable
from . import pg_text
from .pg_schema import has_schema, migrate

__all__ = ["CONNECT_TIMEOUT_S", "POOL_SIZE", "POOL_TIMEOUT_S", "MissingDatabaseStore", "PgDatabase"]

#: Connections per process; a full pool fails after `POOL_TIMEOUT_S` (a 503 on the
#: server) instead of queueing forever.
POOL_SIZE = 10
POOL_TIMEOUT_S = 5.0
CONNECT_TIMEOUT_S = 10


class MissingDatabaseStore(Exception):
    """The database holds no expert-tui store (and was not to get one)."""


class PgDatabase:
    """The database at `url`, brought to this version's schema (refused if newer), and
    its pool. With `create=False` a database without our schema is left untouched and
    refused (`MissingDatabaseStore`): a mistyped URL must not get a fresh empty store."""

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE, create: bool = True) -> None:
        self.url = url
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
            if not create and not has_schema(conn):
                raise MissingDatabaseStore(url)
            pg_text.install(conn)
            migrate(conn)
        self.pool: ConnectionPool[Connection[Any]] = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            timeout=POOL_TIMEOUT_S,
            kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
            configure=pg_text.install,
            # A connection is checked as it is lent: after a restart or a failover the
            # dead ones are replaced, and the next call works instead of failing once.
            check=ConnectionPool.check_connection,
            open=False,
            name="expert-tui",
        )
        self.pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)

    def partner_id(self, partner: str) -> int:
        """The number of `partner`'s rows (`partner_id`), registering it on first use."""
        name = check_storable(partner, "partner")
        with self.pool.connection() as conn:
            conn.execute("INSERT INTO partners (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (name,))
            row = conn.execute("SELECT id FROM partners WHERE name = %s", (name,)).fetchone()
        assert row is not None
        return int(row[0])

    def close(self) -> None:
        self.pool.close()
