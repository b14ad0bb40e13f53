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
#: The tasks are vacuumed and analyzed as an import ends when their rows grew by this
#: share of what the planner last counted, and by at least `STALE_ROWS` (fewer are left
#: to autovacuum). Doubling, not autovacuum's 10 %: an import through the server comes a
#: request (up to 5,000 tasks) at a time, and each settles it only as the table doubles,
#: so all of them together cost about twice the last one.
STALE_SHARE = 1.0
STALE_ROWS = 1000


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

    def settle_tasks(self) -> bool:
        """Bring the planner's statistics and the visibility map of `tasks` up to date
        when they lag far behind its rows (a bulk import); whether it did.

        Until autovacuum reaches a freshly loaded table (a minute or more), the planner
        guesses its size and the selectivity of words blind, and every index-only scan
        fetches the heap: measured at 100,000 imported tasks, a plain list page took
        250 ms instead of 9-14 ms and a search for a word in one task in ten 9 s instead
        of 0.25 s. `VACUUM (ANALYZE)` is what autovacuum would run (1.6 s at 100,000, 3 %
        of the import); it cannot run in a transaction, so the pooled connection is
        lent in autocommit; `SKIP_LOCKED` leaves it to a process already vacuuming.
        The count of tasks is the partners' `task_counts` (read as the owner, over every
        partner), not a scan of the table."""
        with self.pool.connection() as conn:
            conn.autocommit = True
            try:
                row = conn.execute(
                    "SELECT (SELECT COALESCE(SUM(n), 0) FROM task_counts), reltuples"
                    " FROM pg_class WHERE oid = 'tasks'::regclass"
                ).fetchone()
                assert row is not None
                stored, counted = int(row[0]), max(0.0, float(row[1]))
                if stored - counted < max(STALE_ROWS, STALE_SHARE * counted):
                    return False
                conn.execute("VACUUM (ANALYZE, SKIP_LOCKED) tasks")
                return True
            finally:
                if not conn.closed:
                    conn.autocommit = False

    def close(self) -> None:
        self.pool.close()
