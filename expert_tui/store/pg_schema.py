"""The PostgreSQL schema and its versioned migrations (table `expert_tui_schema`).

Each migration runs in its own transaction under a transaction-level advisory lock, so
servers starting together on a fresh database migrate it once, and a failure leaves the
previous version whole. A database written by a newer expert-tui is refused before
anything is changed.

Shape, for growing past one database (docs/scaling.md): every table holding a partner's
data carries `partner_id`, leads its primary key and every index with it, and no query
joins across partners, so the tables can be distributed by `partner_id` (Citus) as they
are. No triggers: counts and events are written by the store's own statements.

Isolation in the database as well as in the queries: the store runs every transaction
as `expert_tui_app` (`SET LOCAL ROLE`), a role without superuser or BYPASSRLS that owns
nothing, and every tenant table has a row-level security policy for that role keyed on
the transaction-local setting `app.partner_id`. A query that forgot its partner filter
still sees one partner's rows. The login role that migrates owns the tables and is not
subject to the policies (no FORCE), which is what lets the search function below use
its index.

Search: `@@` is not LEAKPROOF, so under a policy the planner will not use the GIN index
(measured 550 ms instead of 5 ms in the design note). Search therefore runs inside one
SECURITY DEFINER function owned by the migrating role, which refuses any partner but
the transaction's and filters on it itself, planned per call (`force_custom_plan`).
The lexemes are the store's own folded words (`domain.text.words`, SPEC 6 folding), given as
an array: PostgreSQL's `unaccent` folds differently ("①", "Ǽ", "ς" stay), and search
must find the same tasks as on SQLite.
"""

from __future__ import annotations

from psycopg import Connection, sql

from .schema import SchemaError

#: The role every store transaction runs as; cluster-wide, created on first migration.
APP_ROLE = "expert_tui_app"
VERSION_TABLE = "expert_tui_schema"
#: Serializes migrations of one database across processes.
_MIGRATION_LOCK = 0x657870_7475_69  # "exptui"

_TENANT_POLICY = (
    "CREATE POLICY tenant ON {table} TO " + APP_ROLE + " USING ({column} = "
    "NULLIF(current_setting('app.partner_id', true), '')::bigint) WITH CHECK ({column} = "
    "NULLIF(current_setting('app.partner_id', true), '')::bigint)"
)
_TENANT_TABLES = (
    "tasks",
    "messages",
    "notes",
    "task_counts",
    "events",
    "drafts",
    "replies",
    "preferences",
    "outbox",
)


def _tenant(table: str, column: str = "partner_id") -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        _TENANT_POLICY.format(table=table, column=column),
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}",
    ]


_V1 = [
    f"""
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
            CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
    EXCEPTION WHEN duplicate_object THEN
        NULL;  -- created meanwhile by a migration of another database of the cluster
    END $$
    """,
    f"""
    DO $$
    BEGIN
        IF NOT pg_has_role(current_user, '{APP_ROLE}', 'MEMBER') THEN
            EXECUTE format('GRANT {APP_ROLE} TO %I', current_user);
        END IF;
    END $$
    """,
    "GRANT USAGE ON SCHEMA {schema} TO " + APP_ROLE,
    """
    CREATE TABLE partners (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text NOT NULL UNIQUE,
        last_event_seq bigint NOT NULL DEFAULT 0
    )
    """,
    "ALTER TABLE partners ENABLE ROW LEVEL SECURITY",
    _TENANT_POLICY.format(table="partners", column="id"),
    f"GRANT SELECT, UPDATE (last_event_seq) ON partners TO {APP_ROLE}",
    "CREATE SEQUENCE task_seq AS bigint",
    f"GRANT USAGE ON SEQUENCE task_seq TO {APP_ROLE}",
    # Sort columns are NOT NULL (a row comparison with NULL drops rows silently); times
    # are microseconds since the epoch as on SQLite (`rows`), so both stores share it.
    """
    CREATE TABLE tasks (
        partner_id bigint NOT NULL REFERENCES partners (id),
        seq bigint NOT NULL,
        id text NOT NULL,
        kind text NOT NULL,
        inbox smallint NOT NULL,
        status text NOT NULL,
        service text NOT NULL,
        title text NOT NULL,
        merchant_name text NOT NULL,
        merchant_email text NOT NULL,
        received_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        activity_at bigint NOT NULL,
        first_response_at bigint,
        last_message_by text,
        unread integer NOT NULL,
        declined_by text,
        declined_at bigint,
        detail text NOT NULL,
        search tsvector NOT NULL,
        PRIMARY KEY (partner_id, seq),
        UNIQUE (partner_id, id)
    )
    """,
    # One index per order, status first, as on SQLite (`paging`): a page with a status
    # filter is one range scan, one without merges the per-status runs.
    "CREATE INDEX tasks_received ON tasks (partner_id, inbox, status, received_at, seq)",
    "CREATE INDEX tasks_activity ON tasks (partner_id, inbox, status, activity_at, seq)",
    "CREATE INDEX tasks_search ON tasks USING gin (search)",
    # Measured in the design note: without it a 1-letter prefix is misjudged (18 ms vs 5 ms).
    "ALTER TABLE tasks ALTER search SET STATISTICS 1000",
    *_tenant("tasks"),
    """
    CREATE TABLE messages (
        partner_id bigint NOT NULL,
        task_seq bigint NOT NULL,
        n integer NOT NULL,
        id text NOT NULL,
        author text NOT NULL,
        author_name text NOT NULL,
        body text NOT NULL,
        sent_at bigint NOT NULL,
        PRIMARY KEY (partner_id, task_seq, n),
        FOREIGN KEY (partner_id, task_seq) REFERENCES tasks (partner_id, seq) ON DELETE CASCADE
    )
    """,
    *_tenant("messages"),
    """
    CREATE TABLE notes (
        partner_id bigint NOT NULL,
        task_seq bigint NOT NULL,
        n integer NOT NULL,
        id text NOT NULL,
        author text NOT NULL,
        body text NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (partner_id, task_seq, n),
        FOREIGN KEY (partner_id, task_seq) REFERENCES tasks (partner_id, seq) ON DELETE CASCADE
    )
    """,
    *_tenant("notes"),
    """
    CREATE TABLE task_counts (
        partner_id bigint NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (partner_id, kind, status)
    )
    """,
    *_tenant("task_counts"),
    """
    CREATE TABLE events (
        partner_id bigint NOT NULL,
        seq bigint NOT NULL,
        task_id text NOT NULL,
        kind text NOT NULL,
        at bigint NOT NULL,
        PRIMARY KEY (partner_id, seq)
    )
    """,
    *_tenant("events"),
    """
    CREATE TABLE drafts (
        partner_id bigint NOT NULL,
        task_id text NOT NULL,
        kind text NOT NULL,
        body text NOT NULL,
        saved_at bigint NOT NULL,
        PRIMARY KEY (partner_id, task_id, kind)
    )
    """,
    *_tenant("drafts"),
    """
    CREATE TABLE replies (
        partner_id bigint NOT NULL,
        key text NOT NULL,
        task_id text NOT NULL,
        digest text NOT NULL,
        message_id text NOT NULL,
        at bigint NOT NULL,
        PRIMARY KEY (partner_id, key)
    )
    """,
    *_tenant("replies"),
    """
    CREATE TABLE preferences (
        partner_id bigint PRIMARY KEY,
        doc text NOT NULL
    )
    """,
    *_tenant("preferences"),
    """
    CREATE FUNCTION search_task_seqs(
        p_partner bigint, p_query tsquery, p_inbox smallint, p_kind text, p_status text, p_before bigint,
        p_limit integer
    ) RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = {schema}, pg_temp
    SET plan_cache_mode = force_custom_plan
    AS $$
    BEGIN
        IF p_partner IS DISTINCT FROM NULLIF(current_setting('app.partner_id', true), '')::bigint THEN
            RAISE EXCEPTION 'search outside the partner of this transaction' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN QUERY
            SELECT t.seq FROM tasks t
            WHERE t.partner_id = p_partner AND t.inbox = p_inbox AND t.search @@ p_query
              AND (p_kind IS NULL OR t.kind = p_kind)
              AND (p_status IS NULL OR t.status = p_status)
              AND (p_before IS NULL OR t.seq < p_before)
            ORDER BY t.seq DESC
            LIMIT p_limit;
    END
    $$
    """,
    "REVOKE ALL ON FUNCTION search_task_seqs FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION search_task_seqs TO {APP_ROLE}",
]

# v2: expiry is never written (SPEC 6): a status filter on a search takes the end of the
# window (`p_cut`, microseconds): stored `new`/`opened` received after it keep their
# status, those received at or before it are `expired`, and contacts (`p_cut` NULL) never
# expire. The same split as `paging.Expiry`.
_V2 = [
    "DROP FUNCTION search_task_seqs(bigint, tsquery, smallint, text, text, bigint, integer)",
    """
    CREATE FUNCTION search_task_seqs(
        p_partner bigint, p_query tsquery, p_inbox smallint, p_kind text, p_status text, p_cut bigint,
        p_before bigint, p_limit integer
    ) RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = {schema}, pg_temp
    SET plan_cache_mode = force_custom_plan
    AS $$
    BEGIN
        IF p_partner IS DISTINCT FROM NULLIF(current_setting('app.partner_id', true), '')::bigint THEN
            RAISE EXCEPTION 'search outside the partner of this transaction' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN QUERY
            SELECT t.seq FROM tasks t
            WHERE t.partner_id = p_partner AND t.inbox = p_inbox AND t.search @@ p_query
              AND (p_kind IS NULL OR t.kind = p_kind)
              AND (p_status IS NULL OR CASE
                    WHEN p_cut IS NULL THEN t.status = p_status
                    WHEN p_status = 'expired' THEN t.status = 'expired'
                        OR (t.status IN ('new', 'opened') AND t.received_at <= p_cut)
                    WHEN p_status IN ('new', 'opened') THEN t.status = p_status AND t.received_at > p_cut
                    ELSE t.status = p_status
                  END)
              AND (p_before IS NULL OR t.seq < p_before)
            ORDER BY t.seq DESC
            LIMIT p_limit;
    END
    $$
    """,
    "REVOKE ALL ON FUNCTION search_task_seqs FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION search_task_seqs TO {APP_ROLE}",
]

# v3: notification e-mails, as in SQLite's v7 (see `notify`): a `notifications` row is
# written in the delivery's own transaction; `mail_batches` holds each e-mail rendered
# once, with its Message-ID and where its delivery stands. Both are tenant tables.
_V3 = [
    """
    CREATE TABLE notifications (
        partner_id bigint NOT NULL,
        id bigint GENERATED ALWAYS AS IDENTITY,
        task_id text NOT NULL,
        kind text NOT NULL,
        doc text NOT NULL,
        created_at bigint NOT NULL,
        batch text,
        PRIMARY KEY (partner_id, id)
    )
    """,
    "CREATE INDEX notifications_waiting ON notifications (partner_id, id) WHERE batch IS NULL",
    *_tenant("notifications"),
    """
    CREATE TABLE mail_batches (
        partner_id bigint NOT NULL,
        id text NOT NULL,
        recipient text NOT NULL,
        message_id text NOT NULL,
        message bytea NOT NULL,
        items integer NOT NULL,
        created_at bigint NOT NULL,
        state text NOT NULL,
        attempts integer NOT NULL,
        next_try_at bigint NOT NULL,
        claimed_by text,
        done_at bigint,
        reply text,
        PRIMARY KEY (partner_id, id)
    )
    """,
    "CREATE INDEX mail_batches_due ON mail_batches (state, next_try_at)",
    *_tenant("mail_batches"),
]


# v4: what the shared server keeps beside the partners' tasks (as SQLite's v6): API
# tokens (only a hash of each) and the first response to each `Idempotency-Key`. Read
# and written by the login role only (`TokenStore`): no grant to the app role, so no
# partner's transaction can reach a token.
_V4 = [
    """
    CREATE TABLE tokens (
        id text PRIMARY KEY,
        hash text NOT NULL UNIQUE,
        partner text NOT NULL,
        person text NOT NULL,
        marketplace integer NOT NULL,
        created_at bigint NOT NULL,
        revoked_at bigint
    )
    """,
    """
    CREATE TABLE idempotency (
        scope text NOT NULL,
        key text NOT NULL,
        digest text NOT NULL,
        status integer NOT NULL,
        body bytea NOT NULL,
        at bigint NOT NULL,
        PRIMARY KEY (scope, key)
    )
    """,
    "CREATE INDEX idempotency_at ON idempotency (at)",
]

# v5: the outbox (undo send). A reply is stored the moment the partner sends it and waits
# out its undo time here, so a crash loses nothing; `committed` is set when the undo time
# is over: the next start sends it (once: `key` is the idempotency key of the send), and
# gives back as a draft one that could still have been undone when its process died.
_V5 = [
    """
    CREATE TABLE outbox (
        partner_id bigint NOT NULL,
        key text NOT NULL,
        task_id text NOT NULL,
        body text NOT NULL,
        queued_at bigint NOT NULL,
        send_after bigint NOT NULL,
        owner text NOT NULL,
        committed boolean NOT NULL,
        PRIMARY KEY (partner_id, key)
    )
    """,
    *_tenant("outbox"),
]

# v6, measured with bench/postgres.py at 100,000 tasks:
# - The activity index carries `received_at`, as SQLite's does since its v9 (see there):
#   the expired tasks still stored `new` or `opened` are read in activity order with a
#   condition on `received_at`; as the index's last key column it is checked on the index
#   entry itself, where before every entry walked fetched its row (first page in
#   urgency order 90 → 33 ms).
# - `search_task_count`: how many tasks match, counted up to a limit, so a search that
#   matches nearly every task (a first letter) walks the listing's order checking each
#   task instead of reading and ordering every match (`PostgresStore._dense`).
_V6 = [
    "DROP INDEX tasks_activity",
    "CREATE INDEX tasks_activity ON tasks (partner_id, inbox, status, activity_at, seq, received_at)",
    """
    CREATE FUNCTION search_task_count(p_partner bigint, p_query tsquery, p_inbox smallint, p_limit integer)
    RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = {schema}, pg_temp
    SET plan_cache_mode = force_custom_plan
    AS $$
    BEGIN
        IF p_partner IS DISTINCT FROM NULLIF(current_setting('app.partner_id', true), '')::bigint THEN
            RAISE EXCEPTION 'search outside the partner of this transaction' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN (
            SELECT count(*) FROM (
                SELECT 1 FROM tasks t
                WHERE t.partner_id = p_partner AND t.inbox = p_inbox AND t.search @@ p_query
                LIMIT p_limit
            ) AS found
        );
    END
    $$
    """,
    "REVOKE ALL ON FUNCTION search_task_count FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION search_task_count TO {APP_ROLE}",
]

# v7: a search puts its matches in the listing's order in the database and sends back a
# page (`PostgresStore._search_keys`): `search_task_rows` gives the columns a listing
# filters and orders on of every match, and the store's own statement orders them (a
# top-N sort over the rows the index found). Reading every match's seq back and ordering
# in Python cost 270-370 ms for a word in one task in ten at 100,000 tasks, 90-150 ms
# this way (bench/postgres_search.py, on a loaded machine). The seqs function goes.
_V7 = [
    "DROP FUNCTION search_task_seqs(bigint, tsquery, smallint, text, text, bigint, bigint, integer)",
    """
    CREATE FUNCTION search_task_rows(p_partner bigint, p_query tsquery, p_inbox smallint)
    RETURNS TABLE (
        partner_id bigint, seq bigint, id text, kind text, inbox smallint, status text, service text,
        received_at bigint, activity_at bigint, unread integer
    )
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = {schema}, pg_temp
    SET plan_cache_mode = force_custom_plan
    AS $$
    BEGIN
        IF p_partner IS DISTINCT FROM NULLIF(current_setting('app.partner_id', true), '')::bigint THEN
            RAISE EXCEPTION 'search outside the partner of this transaction' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN QUERY
            SELECT t.partner_id, t.seq, t.id, t.kind, t.inbox, t.status, t.service, t.received_at, t.activity_at,
                   t.unread
            FROM tasks t
            WHERE t.partner_id = p_partner AND t.inbox = p_inbox AND t.search @@ p_query;
    END
    $$
    """,
    "REVOKE ALL ON FUNCTION search_task_rows FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION search_task_rows TO {APP_ROLE}",
]

#: Migration i (0-based) takes the database from version i to version i + 1.
MIGRATIONS: tuple[list[str], ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7)
LATEST = len(MIGRATIONS)


def migrate(conn: Connection) -> int:
    """Bring the database to `LATEST`, one transaction per migration; returns the version
    it was at. `conn` is a fresh connection of the owning role, not in a transaction."""
    found = -1
    while True:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            version = _version(conn)
            if found < 0:
                found = version
            if version > LATEST:
                raise SchemaError(
                    f"this database was written by a newer expert-tui (schema version {version}; "
                    f"this one knows up to {LATEST}) — upgrade expert-tui to use it"
                )
            if version == LATEST:
                return found
            if version == 0:
                _refuse_foreign(conn)
                conn.execute(f"CREATE TABLE {VERSION_TABLE} (version integer NOT NULL)")
                conn.execute(f"INSERT INTO {VERSION_TABLE} VALUES (0)")
            schema = sql.Identifier(_current_schema(conn)).as_string(conn)
            for statement in MIGRATIONS[version]:
                conn.execute(statement.replace("{schema}", schema))
            conn.execute(f"UPDATE {VERSION_TABLE} SET version = %s", (version + 1,))


def has_schema(conn: Connection) -> bool:
    """Whether the database holds an expert-tui store (of any version)."""
    return _version(conn) > 0


def _version(conn: Connection) -> int:
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (VERSION_TABLE,)).fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute(f"SELECT version FROM {VERSION_TABLE}").fetchone()
    return 0 if row is None else int(row[0])


def _current_schema(conn: Connection) -> str:
    row = conn.execute("SELECT current_schema()").fetchone()
    if row is None or row[0] is None:
        raise SchemaError("no schema to create the tables in: the search_path names none that exists")
    return str(row[0])


def _refuse_foreign(conn: Connection) -> None:
    """A database without our version table must have no tables of its own where ours
    would go: adopting another program's tables would mix our data into them."""
    names = [
        name
        for (name,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename LIMIT 4"
        )
    ]
    if names:
        listed = ", ".join(repr(name[:40]) for name in names[:3]) + (", ..." if len(names) > 3 else "")
        raise SchemaError(
            f"this database holds tables of another program ({listed}), not an expert-tui store"
            " — give an empty database or one expert-tui created"
        )
