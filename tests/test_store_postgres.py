"""The store contract on PostgreSQL, and what only the shared database has.

One throwaway cluster for the session (`pg_cluster`, from the machine's PostgreSQL 15
binaries); each test gets a fresh schema of one database, which is a fresh, empty store
(migrating a schema costs a third of what copying a template database does).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from conftest import T0
from live_server import LiveServer, server_in_thread
from pg_cluster import Cluster, missing, running_cluster
from store_contract import SERVICE, StoreContract, offering, record

from expert_tui.domain import Clock, FrozenClock, Kind, NotDelivered, Preferences, Status
from expert_tui.domain.timefmt import format_ts
from expert_tui.store import Sort, Store, TaskQuery

_MISSING = missing()
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")
psycopg = pytest.importorskip("psycopg", reason="pip install 'expert-tui[postgres]' (make test installs it)")

from expert_tui.store import postgres  # noqa: E402
from expert_tui.store.pg_schema import LATEST, VERSION_TABLE  # noqa: E402
from expert_tui.store.postgres import EVENTS_CHANNEL, PostgresStore  # noqa: E402
from expert_tui.store.schema import SchemaError  # noqa: E402

_ROOT = Path(__file__).resolve().parents[1]
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
                "SELECT * FROM search_task_rows(%s, %s::tsquery, 1::smallint)",
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
    with pytest.raises(
        SchemaError, match=rf"newer expert-tui \(schema version {LATEST + 1}; this one knows up to {LATEST}\)"
    ):
        PostgresStore(db_url, clock=clock)


def test_a_version_4_database_gets_an_empty_outbox_and_keeps_its_tasks(
    db_url: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from expert_tui.store import pg_schema

    with monkeypatch.context() as version_4:
        version_4.setattr(pg_schema, "MIGRATIONS", pg_schema.MIGRATIONS[:4])
        version_4.setattr(pg_schema, "LATEST", 4)
        old = offering(PostgresStore(db_url, clock=clock))
        old.deliver_task(record("T-1"))
        old.close()
    with _owner(db_url) as conn:
        assert conn.execute(f"SELECT version FROM {VERSION_TABLE}").fetchone()[0] == 4
    store = PostgresStore(db_url, clock=clock)
    try:
        assert store.queued_replies() == []
        store.queue_reply("T-1", "Dear Grace,", key="k", send_after=clock() + timedelta(seconds=10))
        assert [q.key for q in store.queued_replies()] == ["k"]
        assert store.get_task("T-1").id == "T-1"
    finally:
        store.close()
    with _owner(db_url) as conn:
        assert conn.execute(f"SELECT version FROM {VERSION_TABLE}").fetchone()[0] == LATEST
        # v6 on the way: the activity index ends with received_at (the expired tasks' condition).
        (index,) = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'tasks_activity'").fetchone()
        assert index.endswith("(partner_id, inbox, status, activity_at, seq, received_at)"), index


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


def test_concurrent_writers_never_make_a_reader_skip_an_event(
    make_store: Callable[..., PostgresStore], clock: FrozenClock
) -> None:
    """Four writers (each its own pool, as separate servers would be) commit in whatever
    order they finish; a reader polling `events(after)` all along must see every seq once,
    in order, with no gap: a sequence-numbered log would let it step over one that
    committed late (design note)."""
    offering(make_store(clock))
    writers = [make_store(clock) for _ in range(4)]
    for n, store in enumerate(writers):
        store.deliver_task(record(f"T-w{n}"))
    reader = make_store(clock)
    start = reader.latest_event()
    per_writer = 25
    done = threading.Event()
    failures: list[BaseException] = []
    seen: list[int] = []

    def write(n: int, store: PostgresStore) -> None:
        try:
            for i in range(per_writer):
                store.add_note(f"T-w{n}", f"note {i}")
        except BaseException as error:
            failures.append(error)

    def read() -> None:
        after = start
        while True:
            finished = done.is_set()
            for event in reader.events(after):
                seen.append(event.seq)
                after = event.seq
            if finished:
                return

    threads = [threading.Thread(target=write, args=(n, store)) for n, store in enumerate(writers)]
    poller = threading.Thread(target=read)
    poller.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    poller.join()
    assert failures == []
    assert seen == list(range(start + 1, start + 1 + 4 * per_writer))
    assert {e.task_id for e in reader.events(start)} == {f"T-w{n}" for n in range(4)}


# --- query plans: a page costs what it holds -----------------------------------------------------

#: Enough tasks in every status that the planner's choices are the ones of a large inbox.
_FILLED = 3000
_FILLED_STATUSES = ("new", "responded", "awaiting_response", "completed", "inactive")


@pytest.fixture(scope="module")
def filled(cluster: Cluster) -> Iterator[PostgresStore]:
    url = _fresh_schema(cluster)
    clock = FrozenClock(T0)
    store = offering(PostgresStore(url, clock=clock, partner="big"))
    records = []
    for i in range(_FILLED):
        received = T0 - timedelta(minutes=3 * (i + 1))  # 150 hours: half the new ones have expired
        status = _FILLED_STATUSES[i % len(_FILLED_STATUSES)]
        fields: dict[str, object] = {"received_at": format_ts(received), "status": status}
        if status != "new":
            fields["first_response_at"] = format_ts(received + timedelta(seconds=30))
        kind = "direct" if i % 2 else "match"
        records.append((i + 1, record(f"T-{i}", kind=kind, title=f"task code{i:05d}", **fields)))
    report = store.import_tasks(records)
    assert len(report.added) == _FILLED, report.rejected[:3]
    with _owner(url) as conn:
        # Other partners' counts, as a shared database has them.
        conn.execute(
            "INSERT INTO task_counts (partner_id, kind, status, n)"
            " SELECT p, k, s, 1 FROM generate_series(1000, 1300) p, unnest(%s::text[]) k, unnest(%s::text[]) s",
            (["match", "direct"], list(_FILLED_STATUSES)),
        )
        conn.execute("VACUUM ANALYZE")  # as autovacuum leaves a table: statistics, visibility map
    yield store
    store.close()


def _executed_plans(store: PostgresStore, call: Callable[[], object], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run `call`, then EXPLAIN (as the store's role, for its partner) every SELECT on the
    tasks or the counts it ran, with its values.

    With sorts and heap scans priced out: on a table of a few thousand rows the planner
    may rightly find reading a whole run and sorting it cheap (it did for a jump to an
    offset, depending on what ran before), while at a million rows it must not. What
    these tests prove is that the statement *can* be answered by index ranges in order:
    when it cannot, the plan still holds the Sort or the Seq Scan."""
    ran: list[tuple[str, object]] = []
    execute = postgres._Tx.execute

    def recording(tx: object, query: str, params: object = None) -> object:
        ran.append((query, params))
        return execute(tx, query, params)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(postgres._Tx, "execute", recording)
        call()
    selects = [
        (q, p)
        for q, p in ran
        if q.lstrip().startswith(("SELECT", "(SELECT")) and ("FROM tasks t" in q or "task_counts" in q)
    ]
    assert selects
    return ["\n".join(row[0] for row in store._run(lambda tx, q=q, p=p: _explain(tx, q, p))) for q, p in selects]


def _explain(tx: postgres._Tx, query: str, params: object) -> list[tuple[str]]:
    for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
        tx.execute("SELECT set_config(%s, 'off', true)", (setting,))
    return tx.execute(f"EXPLAIN {query}", params).fetchall()  # type: ignore[arg-type]


_INDEXES = ("tasks_received", "tasks_activity", "tasks_pkey", "task_counts_pkey")


def _reads_only_indexes(plan: str) -> bool:
    scans = [
        line
        for line in plan.splitlines()
        if (" Scan " in line or line.lstrip("-> ").startswith("Seq Scan")) and "Subquery Scan" not in line
    ]
    return bool(scans) and all(any(f" using {index} " in line for index in _INDEXES) for line in scans)


def _sorts_nothing_whole(plan: str) -> bool:
    """No sort of a whole run: urgency's rest (latest activity first, ties oldest first)
    reads the activity index backwards and sorts only groups of equal times (Incremental
    Sort); a plain Sort only of a handful of rows: a run the planner knows is nearly
    empty, or a partner's counts (kinds x statuses)."""
    sorted_rows = re.findall(r"(?:^|->\s+)Sort\s+\(cost=\S+ rows=(\d+)", plan, re.MULTILINE)
    return all(int(rows) <= 3 * len(Status) for rows in sorted_rows)


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("status", [None, Status.RESPONDED])
@pytest.mark.parametrize("kind", [None, Kind.DIRECT])
def test_every_page_is_an_index_range_scan(
    filled: PostgresStore, monkeypatch: pytest.MonkeyPatch, sort: Sort, status: Status | None, kind: Kind | None
) -> None:
    first = filled.list_tasks(TaskQuery(status=status, kind=kind, sort=sort, limit=5))
    assert first.next_cursor
    for cursor in (None, first.next_cursor):
        query = TaskQuery(status=status, kind=kind, sort=sort, limit=5, cursor=cursor)
        for plan in _executed_plans(filled, lambda q=query: filled.list_tasks(q), monkeypatch):
            assert _reads_only_indexes(plan), plan
            assert _sorts_nothing_whole(plan), plan


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("status", [None, Status.RESPONDED])
def test_a_jump_to_an_offset_merges_index_ranges_without_sorting(
    filled: PostgresStore, monkeypatch: pytest.MonkeyPatch, sort: Sort, status: Status | None
) -> None:
    total = sum(filled.counts().values()) if status is None else filled.counts()[status]
    for offset in (1, total // 3, total - 2):
        query = TaskQuery(status=status, sort=sort, limit=5, offset=offset)
        plans = _executed_plans(filled, lambda q=query: filled.list_tasks(q), monkeypatch)
        for plan in plans:
            assert _reads_only_indexes(plan), plan
            assert _sorts_nothing_whole(plan), plan


def test_counts_read_the_counts_table_and_only_the_window_of_tasks(
    filled: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Expiry is computed at read time (SPEC 6): the stored counts by their key, and of
    # the stored new/opened tasks only those received inside the window, by index range.
    counts = filled.counts()
    assert sum(counts.values()) == _FILLED
    assert counts[Status.EXPIRED] > 0 and counts[Status.NEW] > 0
    stored, window = _executed_plans(filled, filled.counts, monkeypatch)
    assert "using task_counts_pkey" in stored and " on tasks " not in stored, stored
    assert "using tasks_received" in window and "received_at >" in window, window


def test_search_uses_the_text_index_and_finds_folded_prefixes(filled: PostgresStore) -> None:
    assert sorted(t.id for t in filled.search("CODE0004").items) == sorted(f"T-{i}" for i in range(40, 50))
    assert [t.id for t in filled.search("cöde00042").items] == ["T-42"]
    with _owner(filled.url) as conn:  # the function's query, as the function runs it
        plan = "\n".join(
            row[0]
            for row in conn.execute(
                "EXPLAIN SELECT t.seq FROM tasks t WHERE t.partner_id = %s AND t.inbox = 1"
                " AND t.search @@ %s::tsquery ORDER BY t.seq DESC LIMIT 51",
                (filled.partner_id, "'code00042':*"),
            )
        )
    assert "Bitmap Index Scan on tasks_search" in plan and "Seq Scan" not in plan, plan


# --- the command line on a database URL -----------------------------------------------------------


def _cli(*args: str, env_db: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if env_db is not None:
        env["EXPERT_TUI_DB"] = env_db
    return subprocess.run(
        [sys.executable, "-m", "expert_tui", *args], capture_output=True, text=True, timeout=120, env=env, cwd=_ROOT
    )


def test_every_command_works_on_a_postgresql_url(db_url: str, tmp_path: Path) -> None:
    lines = [json.dumps(record(f"T-{i}", title=f"Żółw w Łodzi {i}")) for i in range(3)]
    (tmp_path / "tasks.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    imported = _cli("--db", db_url, "import", str(tmp_path / "tasks.jsonl"))
    assert imported.returncode == 0, imported.stderr
    replied = _cli("reply", "T-1", "-m", "Chętnie pomogę", env_db=db_url)
    assert replied.returncode == 0, replied.stderr
    listed = _cli("--db", db_url, "list", "--status", "responded", "--json")
    assert [task["id"] for task in json.loads(listed.stdout)] == ["T-1"], listed.stderr
    found = _cli("search", "zolw lodz", "--json", env_db=db_url)
    assert sorted(task["id"] for task in json.loads(found.stdout)) == ["T-0", "T-1", "T-2"], found.stderr
    missing_task = _cli("--db", db_url, "show", "T-9")
    assert missing_task.returncode != 0 and "Traceback" not in missing_task.stderr


def test_a_database_that_cannot_be_reached_is_one_line_without_the_password(cluster: Cluster) -> None:
    closed_port = cluster.port + 1 if cluster.port < 65535 else cluster.port - 1
    url = f"postgresql://ola:s3cret@127.0.0.1:{closed_port}/nowhere?connect_timeout=2"
    done = _cli("--db", url, "list")
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "cannot open the store at postgresql://ola:***@127.0.0.1" in done.stderr
    assert "s3cret" not in done.stderr
    where = _cli("--db", url, "paths", "--json")
    assert (
        json.loads(where.stdout)["store"] == f"postgresql://ola:***@127.0.0.1:{closed_port}/nowhere?connect_timeout=2"
    )


# --- a kill at any moment of an import -----------------------------------------------------------

_IMPORTER = """
import sys, threading
from expert_tui.store import postgres
postgres.PostgresStore.import_batch = 50
url, n, pause_at, where = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
store = postgres.PostgresStore(url)

def pause():
    sys.stdout.write("paused\\n"); sys.stdout.flush()
    sys.stdin.readline()

written = threading.Semaphore(0)
batches = 0
write_batch, count = store._import_batch, store._count
def counted(batch, report):
    global batches
    batches += 1
    write_batch(batch, report)
    written.release()
def count_then_pause(tx, deltas):
    count(tx, deltas)
    if where == "inside" and batches * 50 > pause_at:
        pause()  # tasks, messages and counts of this batch are written, not committed
store._import_batch, store._count = counted, count_then_pause

def records():
    for i in range(n):
        if where == "between" and i == pause_at:
            for _ in range(pause_at // 50):
                written.acquire()  # the batches before this record are committed
            pause()
        yield i + 1, {"id": f"T-{i}", "kind": "match", "service": "SEO", "title": f"task {i}",
                      "merchant": {"name": "Grace"},
                      "messages": [{"id": "m1", "author": "merchant", "body": f"hello {i}",
                                    "sent_at": "2026-11-28T05:00:00Z"}]}

store.import_tasks(records())
"""


@pytest.mark.parametrize("where", ["between", "inside"])
def test_import_killed_mid_way_then_rerun_completes(db_url: str, where: str) -> None:
    n, pause_at = 170, 120
    PostgresStore(db_url).close()
    importer = subprocess.Popen(
        [sys.executable, "-c", _IMPORTER, db_url, str(n), str(pause_at), where],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=_ROOT,
    )
    assert importer.stdout is not None
    assert importer.stdout.readline() == "paused\n", importer.stderr and importer.stderr.read()
    os.kill(importer.pid, signal.SIGKILL)  # between two batches, or inside a transaction
    importer.wait(timeout=30)
    with _owner(db_url) as conn:
        # The server notices the dropped connection and rolls its transaction back.
        for _ in range(100):
            if not conn.execute("SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in%'").fetchone()[0]:
                break
            time.sleep(0.1)
        committed = conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
        assert committed == 100  # whole batches only
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == committed
        assert conn.execute("SELECT sum(n) FROM task_counts").fetchone()[0] == committed
    again = [
        (
            i + 1,
            record(
                f"T-{i}",
                title=f"task {i}",
                messages=[{"id": "m1", "author": "merchant", "body": f"hello {i}", "sent_at": "2026-11-28T05:00:00Z"}],
            ),
        )
        for i in range(n)
    ]
    with PostgresStore(db_url) as store:
        report = store.import_tasks(again)
        assert (len(report.unchanged), len(report.added)) == (committed, n - committed)
        assert sum(store.counts().values()) == n
        assert len(list(store.export_tasks())) == n
        assert len(store.search("hello").items) == 50


def test_a_restarted_database_is_reconnected_without_a_failed_call(
    make_store: Callable[..., PostgresStore], cluster: Cluster, clock: FrozenClock
) -> None:
    store = offering(make_store(clock))
    store.deliver_task(record("T-1"))
    cluster.restart()  # every pooled connection is gone, as after a crash or a failover
    assert store.get_task("T-1").id == "T-1"
    assert store.add_note("T-1", "after the restart").notes[-1].body == "after the restart"


def test_one_idempotency_key_sent_through_many_servers_at_once_is_stored_once(
    make_store: Callable[..., PostgresStore], clock: FrozenClock
) -> None:
    """The same reply retried at the same moment through four pools (as four servers
    would): the key is claimed first, so the others wait for that commit and replay it."""
    offering(make_store(clock)).deliver_task(record("T-1"))
    servers = [make_store(clock) for _ in range(4)]
    start = threading.Barrier(len(servers))
    results: list[object] = []

    def send(store: PostgresStore) -> None:
        start.wait()
        try:
            results.append(store.reply("T-1", "Hello, happy to help.", idempotency_key="retry-1"))
        except BaseException as error:
            results.append(error)

    threads = [threading.Thread(target=send, args=(store,)) for store in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(not isinstance(result, BaseException) for result in results), results
    stored = servers[0].get_task("T-1")
    assert [m.body for m in stored.messages] == ["Hello, happy to help."]
    assert {len(result.messages) for result in results} == {1}  # type: ignore[attr-defined]


# --- notification e-mails (issue 14) -----------------------------------------------------------------


def test_a_notifying_store_queues_the_email_in_the_deliverys_transaction(db_url: str, clock: FrozenClock) -> None:
    def queued() -> list[tuple[str, str]]:
        with _owner(db_url) as conn:
            return conn.execute("SELECT task_id, kind FROM notifications ORDER BY id").fetchall()

    quiet = PostgresStore(db_url, clock=clock, partner="solo")
    ola = PostgresStore(db_url, clock=clock, partner="ola", notify=True)
    jan = PostgresStore(db_url, clock=clock, partner="jan", notify=True)
    try:
        for store in (quiet, ola, jan):
            store.set_preferences(Preferences(services=(SERVICE,), notification_email=f"{store.partner}@x.example"))
        quiet.deliver_task(record("T-quiet"))
        ola.deliver_task(record("T-1"))
        ola.deliver_task(record("C-1", kind="contact"))
        jan.deliver_task(record("T-jan"))
        ola.set_preferences(Preferences(services=(SERVICE,), available=False, notification_email="ola@x.example"))
        with pytest.raises(NotDelivered):
            ola.deliver_task(record("T-2"))
        assert queued() == [("T-1", "match"), ("C-1", "contact"), ("T-jan", "match")]
        seen = ola._run(lambda tx: tx.execute("SELECT task_id FROM notifications ORDER BY id").fetchall())
        assert seen == [("T-1",), ("C-1",)], "a tenant table: the partner's own rows only"
        doc = json.loads(ola._run(lambda tx: tx.execute("SELECT doc FROM notifications LIMIT 1").fetchone())[0])
        assert doc["id"] == "T-1" and doc["merchant"]["name"] == "Grace Hopper" and doc["expires_at"]
    finally:
        for store in (quiet, ola, jan):
            store.close()


# --- the server on PostgreSQL -----------------------------------------------------------------------


def _server_app(server: LiveServer) -> Any:
    return server.app.fastapi  # type: ignore[union-attr]


def test_two_servers_on_one_database_wake_each_others_long_polls(db_url: str, clock: FrozenClock) -> None:
    # A long-poll on one server is answered by a commit through another: NOTIFY from the
    # committing transaction, LISTEN in the waiting server. Neither polls the log (the
    # long-poll's 30 s would run out first).
    with server_in_thread(db_url, clock=clock) as one, server_in_thread(db_url, clock=clock) as two:
        assert not _server_app(one).state.polls and not _server_app(two).state.polls
        partner = one.token("ola")
        with httpx.Client(base_url=two.url, headers={"Authorization": f"Bearer {partner}"}) as client:
            client.put(
                "/v1/preferences", json={"services": [{"name": "SEO", "starting_price": 1, "currency": "USD"}]}
            ).raise_for_status()
        market = two.token("market", marketplace=True)
        with httpx.Client(base_url=two.url, headers={"Authorization": f"Bearer {market}"}) as client:
            delivered = client.post("/v1/marketplace/tasks", json={**record("T-1"), "partner": "ola", "service": "SEO"})
            assert delivered.status_code == 201, delivered.text
        bell = _server_app(one).state.bell
        waiting = threading.Event()
        wait = bell.wait

        async def noting_wait(seconds: float, since: int | None = None) -> None:
            waiting.set()
            await wait(seconds, since)

        bell.wait = noting_wait
        answer: list[httpx.Response] = []
        with httpx.Client(base_url=one.url, headers={"Authorization": f"Bearer {partner}"}, timeout=60) as client:
            after = client.get("/v1/events/latest").json()["seq"]
            poll = threading.Thread(
                target=lambda: answer.append(client.get("/v1/events", params={"after": after, "timeout": 30}))
            )
            poll.start()
            assert waiting.wait(30), "the long-poll never waited"
            with httpx.Client(base_url=two.url, headers={"Authorization": f"Bearer {partner}"}) as other:
                other.post("/v1/tasks/T-1/notes", json={"body": "seen on the other server"}).raise_for_status()
            poll.join(60)
        assert answer and answer[0].status_code == 200
        assert [(e["task_id"], e["kind"]) for e in answer[0].json()["items"]] == [("T-1", "noted")]


def test_a_lost_database_is_a_503_with_retry_after_then_service_resumes(
    db_url: str, cluster: Cluster, clock: FrozenClock
) -> None:
    with server_in_thread(db_url, clock=clock) as server:
        token = server.token("ola")
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            assert client.get("/v1/tasks").status_code == 200
            with cluster.stopped():
                for path in ("/v1/tasks", "/v1/preferences"):  # a token lookup and a store read
                    down = client.get(path)
                    assert down.status_code == 503, down.text
                    assert down.json()["error"]["code"] == "unavailable" and int(down.headers["Retry-After"]) > 0
                    assert "Traceback" not in down.text
                posted = client.post("/v1/tasks/T-1/notes", json={"body": "x"}, headers={"Idempotency-Key": "k1"})
                assert posted.status_code == 503, posted.text
            deadline = time.monotonic() + 60
            while client.get("/v1/tasks").status_code != 200:  # the pool reconnects
                assert time.monotonic() < deadline, "the server did not come back"
                time.sleep(0.2)


def test_serve_and_tokens_on_a_url_and_the_partner_of_the_cli(db_url: str, tmp_path: Path) -> None:
    # A database without our schema is no store for a reading command (exit 2), and
    # `token create` (like `serve` and `import`) makes one.
    listed = _cli("--db", db_url, "list")
    assert listed.returncode == 2 and "no store at postgresql://" in listed.stderr, listed.stderr
    assert _cli("--db", db_url, "token", "list").returncode == 2
    made = _cli("--db", db_url, "token", "create", "--partner", "acme", "--json")
    assert made.returncode == 0, made.stderr
    token = json.loads(made.stdout)["token"]
    (tmp_path / "t.jsonl").write_text(json.dumps(record("T-acme")) + "\n", encoding="utf-8")
    imported = _cli("--db", db_url, "--account", "acme", "import", str(tmp_path / "t.jsonl"))
    assert imported.returncode == 0, imported.stderr
    env = {**os.environ, "EXPERT_TUI_PARTNER": "acme"}
    shown = subprocess.run(
        [sys.executable, "-m", "expert_tui", "--db", db_url, "list", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=_ROOT,
    )
    assert [t["id"] for t in json.loads(shown.stdout)] == ["T-acme"], shown.stderr
    assert json.loads(_cli("--db", db_url, "list", "--json").stdout) == []  # partner "local" has none
    port = _free_port()
    serving = subprocess.Popen(
        [sys.executable, "-m", "expert_tui", "--db", db_url, "serve", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
        cwd=_ROOT,
    )
    try:
        assert serving.stderr is not None
        said = [serving.stderr.readline() for _ in range(2)]  # e-mails off, then where it serves
        started = next((line for line in said if "serving" in line), said)
        assert "serving postgresql://" in started and f":{port}" in started, said
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    answer = client.get("/v1/tasks")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and serving.poll() is None, "serve did not start"
                    time.sleep(0.1)
            assert [t["id"] for t in answer.json()["items"]] == ["T-acme"]
    finally:
        serving.terminate()
        serving.wait(30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _served(db_url: str) -> subprocess.Popen[str]:
    """`expert-tui serve` on the database, a process of its own, once it answers."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "expert_tui", "--db", db_url, "serve", "--port", str(port), "--rate-limit", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=_ROOT,
    )
    process.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(process.url + "/openapi.json", timeout=1)  # type: ignore[attr-defined]
            return process
        except httpx.TransportError:
            assert time.monotonic() < deadline and process.poll() is None, "serve did not start"
            time.sleep(0.1)


def test_a_reply_sent_to_a_server_that_is_killed_then_retried_on_another_is_stored_once(db_url: str) -> None:
    """Issue 9, exactly once across processes: two servers on one database; replies are sent
    to the first, which is SIGKILLed (one reply answered, the answer lost on the way back;
    one in flight as it dies, whatever it had done), then retried with their keys on the
    second: each is stored once, and the answered one is replayed as first answered."""
    made = _cli("--db", db_url, "token", "create", "--partner", "acme", "--user", "Ola", "--json")
    assert made.returncode == 0, made.stderr
    partner = {"Authorization": f"Bearer {json.loads(made.stdout)['token']}"}
    market = json.loads(_cli("--db", db_url, "token", "create", "--partner", "acme", "--marketplace", "--json").stdout)
    delivering = {"Authorization": f"Bearer {market['token']}"}
    first, second = _served(db_url), _served(db_url)
    try:
        with httpx.Client(base_url=first.url, timeout=30) as one:  # type: ignore[attr-defined]
            service = {"name": SERVICE.name, "starting_price": SERVICE.starting_price, "currency": SERVICE.currency}
            assert one.patch("/v1/preferences", headers=partner, json={"services": [service]}).status_code == 200
            for task_id in ("T-1", "T-2"):
                answer = one.post("/v1/marketplace/tasks", headers=delivering, json=record(task_id))
                assert answer.status_code in (200, 201), answer.text
            sent = one.post(
                "/v1/tasks/T-1/messages", headers={**partner, "Idempotency-Key": "k-1"}, json={"body": "Hello!"}
            )
            assert sent.status_code in (200, 201), sent.text

            def in_flight() -> None:
                with contextlib.suppress(httpx.HTTPError):
                    one.post(
                        "/v1/tasks/T-2/messages", headers={**partner, "Idempotency-Key": "k-2"}, json={"body": "Hi!"}
                    )

            sending = threading.Thread(target=in_flight)
            sending.start()
            first.kill()
            first.wait(30)
            sending.join(30)
        with httpx.Client(base_url=second.url, timeout=30) as two:  # type: ignore[attr-defined]
            again = two.post(
                "/v1/tasks/T-1/messages", headers={**partner, "Idempotency-Key": "k-1"}, json={"body": "Hello!"}
            )
            assert again.status_code in (200, 201) and again.json() == sent.json()  # the first answer, replayed
            for _ in range(2):
                retried = two.post(
                    "/v1/tasks/T-2/messages", headers={**partner, "Idempotency-Key": "k-2"}, json={"body": "Hi!"}
                )
                assert retried.status_code in (200, 201), retried.text
            answered = two.get("/v1/tasks/T-1", headers=partner).json()
            in_the_air = two.get("/v1/tasks/T-2", headers=partner).json()
        assert [m["body"] for m in answered["messages"] if m["author"] == "partner"] == ["Hello!"]
        assert [m["body"] for m in in_the_air["messages"] if m["author"] == "partner"] == ["Hi!"]
    finally:
        for process in (first, second):
            process.kill()
            process.wait(30)


def _all_pages(store: Store, query: TaskQuery) -> list[str]:
    ids: list[str] = []
    page = store.list_tasks(query)
    while True:
        ids += [task.id for task in page.items]
        if page.next_cursor is None:
            return ids
        page = store.list_tasks(dataclasses.replace(query, cursor=page.next_cursor))


@pytest.mark.parametrize("plan", ["top-n", "walk", "chunks"])
def test_a_search_gives_sqlites_pages_whichever_way_it_is_read(
    make_store: Callable[..., PostgresStore],
    clock: FrozenClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plan: str,
) -> None:
    """A search's matches are put in the listing's order by the database (a top-N sort),
    or, when nearly every task matches, the order's index is walked checking each task;
    a phrase's order and a service's words are checked on the matches in order, a chunk
    at a time. Each way gives the pages SQLite gives: the same tasks in the same
    order, page after page by cursor, in every sort and view, with flags, excluded words,
    phrases and services."""
    from expert_tui.demo import generate_tasks
    from expert_tui.store.sqlite import SqliteStore

    records = list(generate_tasks(150, clock(), seed=3))
    records += [{**record, "id": f"{record['id']}-twin"} for record in records[::4]]  # ties in every order
    store = make_store(clock)
    sqlite = SqliteStore(tmp_path / "same.db", clock=clock)
    for each in (store, sqlite):
        assert not each.import_tasks(enumerate(records, 1)).rejected
        for task_id in ("T-3", "T-9", "T-40", "T-77"):
            each.save_draft(task_id, "half a reply")
    queries = [
        TaskQuery(q=q, sort=sort, status=status, kind=kind, limit=7)
        for q in (
            "a",
            "coff",
            "shop -seo",
            "s is:unread",
            "e -is:unread has:note",
            "o has:draft",
            "st -has:draft",
            '"our store"',
            "service:seo a",
            "wombat",
        )
        for sort in Sort
        for status, kind in ((None, None), (Status.RESPONDED, None), (Status.EXPIRED, None), (None, Kind.DIRECT))
    ] + [TaskQuery(q=q, sort=sort, kind=Kind.CONTACT, limit=3) for q in ("a", "shop") for sort in Sort]
    expected = [_all_pages(sqlite, query) for query in queries]
    sqlite.close()
    assert sum(map(len, expected)) > 500 and max(map(len, expected)) > 21  # pages after pages

    walked: list[tuple[Any, ...]] = []
    read_runs = postgres._read_runs
    monkeypatch.setattr(postgres, "_read_runs", lambda *a, **k: walked.append(a) or read_runs(*a, **k))
    if plan == "walk":  # one match is dense enough
        monkeypatch.setattr(postgres, "SPARSE_HITS", 0)
        monkeypatch.setattr(postgres, "DENSE_SHARE", 10**9)
    if plan == "chunks":  # a phrase or service checked a page's worth of keys, one match, at a time
        monkeypatch.setattr(postgres, "_CHECK_CHUNK", 1)
        monkeypatch.setattr(postgres, "_PHRASE_CHUNK", 1)
    assert [_all_pages(store, query) for query in queries] == expected
    assert bool(walked) == (plan == "walk")


def test_an_import_that_outgrows_the_planners_view_of_the_tasks_settles_them(
    db_url: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Right after a bulk import the planner would guess the new rows blind and index-only
    scans would fetch the heap until autovacuum came by: an import that grew the tasks
    far past the planner's last count vacuums and analyzes them; a small one leaves them
    to autovacuum."""
    from expert_tui.demo import generate_tasks
    from expert_tui.store import pg_database

    def planner_view() -> tuple[float, int]:
        with _owner(db_url) as conn:
            found = conn.execute("SELECT reltuples, relallvisible FROM pg_class WHERE oid = 'tasks'::regclass")
            return found.fetchone()

    # The test cluster commits asynchronously: VACUUM may not mark a page all-visible
    # before the commit of its rows is flushed, which a synchronous commit does at once.
    store = PostgresStore(db_url + quote(" -csynchronous_commit=on"), clock=clock)
    try:
        monkeypatch.setattr(pg_database, "STALE_ROWS", 50)
        records = list(generate_tasks(120, clock(), seed=5))
        store.import_tasks(enumerate(records[:40], 1))
        assert planner_view()[0] < 0  # 40 new rows: never analyzed, left to autovacuum
        store.import_tasks(enumerate(records[40:], 41))
        reltuples, visible = planner_view()
        assert reltuples == 120 and visible > 0
        store.import_tasks(enumerate(records, 1))  # nothing new: nothing to settle
        assert not store.database.settle_tasks()
    finally:
        store.close()
