"""The store contract on PostgreSQL, and what only the shared database has.

One throwaway cluster for the session (`pg_cluster`, from the machine's PostgreSQL 15
binaries); each test gets a fresh schema of one database, which is a fresh, empty store
(migrating a schema costs a third of what copying a template database does).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from pg_cluster import Cluster, missing, running_cluster
from store_contract import StoreContract, offering, record

from expert_tui.domain import Clock, FrozenClock, Status
from expert_tui.store import TaskQuery

_MISSING = missing()
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")
psycopg = pytest.importorskip("psycopg", reason="pip install 'expert-tui[postgres]' (make test installs it)")

from expert_tui.store.pg_schema import LATEST, VERSION_TABLE  # noqa: E402
from expert_tui.store.postgres import EVENTS_CHANNEL, PostgresStore  # noqa: E402
from expert_tui.store.schema import SchemaError  # noqa: E402

_DATABASE = "expert_tui_test"
_schemas = itertools.count(1)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    with running_cluster() as running:
        with psycopg.connect(running.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {_DATABASE}")
        yield running


def _fresh_schema(cluster: Cluster) -> str:
    """The URL of a new, empty schema, the only one on its connections' search path."""
    name = f"t{next(_schemas)}"
    with psycopg.connect(cluster.url(_DATABASE), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return cluster.url(_DATABASE) + "?options=" + quote(f"-csearch_path={name}")


@pytest.fixture
def db_url(cluster: Cluster) -> str:
    return _fresh_schema(cluster)


@pytest.fixture
def make_store(db_url: str) -> Iterator[Callable[..., PostgresStore]]:
    opened: list[PostgresStore] = []

    def make(clock: Clock, partner: str = "local", user: str | None = None) -> PostgresStore:
        store = PostgresStore(db_url, clock=clock, partner=partner, user=user)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


class TestPostgresStoreContract(StoreContract):
    pass


def _owner(db_url: str) -> psycopg.Connection:
    """A connection of the role that migrated (and owns) the tables: no policies apply."""
    return psycopg.connect(db_url, autocommit=True)


# --- isolation in the database ------------------------------------------------------------------


def test_a_query_without_the_partner_filter_sees_only_its_partners_rows(
    make_store: Callable[..., PostgresStore], db_url: str, clock: FrozenClock
) -> None:
    ola, jan = offering(make_store(clock, partner="ola")), offering(make_store(clock, partner="jan"))
    for store, name in ((ola, "ola"), (jan, "jan")):
        task = store.deliver_task(record(f"T-{name}"))
        store.reply(task.id, f"hello from {name}")
        store.add_note(task.id, f"{name}'s note")
        store.save_draft(task.id, f"{name}'s draft")
    # The bug the policies are there for: no `WHERE partner_id = ...` at all.
    unfiltered = {
        table: f"SELECT count(*) FROM {table}"
        for table in ("tasks", "messages", "notes", "drafts", "events", "task_counts", "preferences", "partners")
    }
    for store in (ola, jan):
        seen = store._run(lambda tx: {t: tx.execute(q).fetchone()[0] for t, q in unfiltered.items()})
        assert seen == {
            "tasks": 1,
            "messages": 1,
            "notes": 1,
            "drafts": 1,
            "events": 4,  # preferences, delivered, replied, noted
            "task_counts": 2,  # (match, new) now 0 and (match, responded)
            "preferences": 1,
            "partners": 1,
        }
        titles = store._run(lambda tx: tx.execute("SELECT id FROM tasks").fetchall())
        assert titles == [(f"T-{store.partner}",)]
        # Writing another partner's rows is refused too, not just hidden.
        other = ola.partner_id + jan.partner_id - store.partner_id
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            store._run(
                lambda tx, other=other: tx.execute(
                    "INSERT INTO drafts (partner_id, task_id, kind, body, saved_at) VALUES (%s, 'x', 'reply', 'b', 0)",
                    (other,),
                )
            )
    with _owner(db_url) as conn:  # the rows are all there: the policy is what hid them
        assert conn.execute("SELECT count(*) FROM tasks").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 2


def test_without_a_partner_set_nothing_is_visible(
    make_store: Callable[..., PostgresStore], db_url: str, clock: FrozenClock
) -> None:
    offering(make_store(clock)).deliver_task(record("T-1"))
    with _owner(db_url) as conn, conn.transaction():
        conn.execute("SELECT set_config('role', 'expert_tui_app', true)")
        assert conn.execute("SELECT count(*) FROM tasks").fetchone()[0] == 0


def test_search_function_refuses_another_partner(make_store: Callable[..., PostgresStore], clock: FrozenClock) -> None:
    ola, jan = offering(make_store(clock, partner="ola")), offering(make_store(clock, partner="jan"))
    jan.deliver_task(record("T-jan"))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        ola._run(
            lambda tx: tx.execute(
                "SELECT search_task_seqs(%s, %s::tsquery, 1::smallint, NULL, NULL, NULL, 10)",
                (jan.partner_id, "'garden':*"),
            ).fetchall()
        )
    assert ola.search("garden").items == []
    assert [t.id for t in jan.search("garden").items] == ["T-jan"]


# --- schema -----------------------------------------------------------------------------------------


def test_fresh_database_is_migrated_and_reopening_keeps_everything(
    make_store: Callable[..., PostgresStore], db_url: str, clock: FrozenClock
) -> None:
    store = offering(make_store(clock))
    store.deliver_task(record("T-1"))
    store.reply("T-1", "hello")
    store.close()
    with _owner(db_url) as conn:
        assert conn.execute(f"SELECT version FROM {VERSION_TABLE}").fetchone()[0] == LATEST
    assert make_store(clock).get_task("T-1").messages[0].body == "hello"


def test_a_database_from_a_newer_version_is_refused(
    make_store: Callable[..., PostgresStore], db_url: str, clock: FrozenClock
) -> None:
    make_store(clock).close()
    with _owner(db_url) as conn:
        conn.execute(f"UPDATE {VERSION_TABLE} SET version = %s", (LATEST + 1,))
    with pytest.raises(SchemaError, match=r"newer expert-tui \(schema version 2; this one knows up to 1\)"):
        PostgresStore(db_url, clock=clock)


def test_a_database_of_another_program_is_refused_untouched(db_url: str, clock: FrozenClock) -> None:
    with _owner(db_url) as conn:
        conn.execute("CREATE TABLE songs (title text)")
    with pytest.raises(SchemaError, match=r"tables of another program \('songs'\)"):
        PostgresStore(db_url, clock=clock)
    with _owner(db_url) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()
        assert tables == [("songs",)]


def test_servers_starting_together_migrate_once(db_url: str, clock: FrozenClock) -> None:
    opened: list[PostgresStore] = []
    errors: list[BaseException] = []

    def start(n: int) -> None:
        try:
            opened.append(PostgresStore(db_url, clock=clock, partner=f"p{n % 2}"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert len({store.partner_id for store in opened}) == 2
    finally:
        for store in opened:
            store.close()


def test_text_postgres_cannot_hold_reads_back_unchanged(
    make_store: Callable[..., PostgresStore], clock: FrozenClock
) -> None:
    store = offering(make_store(clock))
    odd = "nul\x00 and the escape mark \U0010ffff0 \U0010ffff1\x00\U0010ffff"
    task = store.deliver_task(record("T-odd", title=odd, merchant={"name": odd, "email": "a@b"}))
    store.reply(task.id, odd)
    store.save_draft(task.id, odd, kind="note")
    got = store.get_task("T-odd")
    assert (got.title, got.merchant.name, got.messages[0].body) == (odd, odd, odd)
    assert store.get_draft(task.id, kind="note") == odd
    assert [t.id for t in store.list_tasks(TaskQuery(status=Status.RESPONDED)).items] == ["T-odd"]


# --- live events ------------------------------------------------------------------------------------


def test_each_commit_notifies_listeners_with_partner_and_seq(
    make_store: Callable[..., PostgresStore], db_url: str, clock: FrozenClock
) -> None:
    store = offering(make_store(clock))
    with psycopg.connect(db_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {EVENTS_CHANNEL}")
        task = store.deliver_task(record("T-1"))
        store.add_note(task.id, "n")
        payloads = [n.payload for n in itertools.islice(listener.notifies(timeout=5), 2)]
    assert payloads == [f"{store.partner_id}:{seq}" for seq in (store.latest_event() - 1, store.latest_event())]
