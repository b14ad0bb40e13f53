"""The store contract on the embedded SQLite store, and what only SQLite has."""

from __future__ import annotations

import getpass
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing
from datetime import timedelta
from pathlib import Path

import pytest
from store_contract import StoreContract, all_items, offering, record

from expert_tui.domain import Clock, FrozenClock, Kind, Status
from expert_tui.store import Sort, TaskQuery, search
from expert_tui.store.schema import LATEST, MIGRATIONS, SchemaError
from expert_tui.store.sqlite import IMPORT_BATCH, SqliteStore
from expert_tui.store.tokens import IDEMPOTENCY_DAYS, StoredResponse, TokenStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "expert-tui" / "tasks.db"


@pytest.fixture
def make_store(db_path: Path) -> Iterator[Callable[..., SqliteStore]]:
    opened: list[SqliteStore] = []

    def make(clock: Clock, partner: str = "local", user: str | None = None) -> SqliteStore:
        store = SqliteStore(db_path, clock=clock, partner=partner, user=user)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


class TestSqliteStoreContract(StoreContract):
    pass


# --- files on a shared machine ---------------------------------------------------------------


def test_files_are_private_from_the_first_byte(tmp_path: Path, clock: FrozenClock) -> None:
    folder = tmp_path / "fresh" / "expert-tui"
    old = os.umask(0)  # even with a permissive umask nothing is readable by others
    try:
        with offering(SqliteStore(folder / "tasks.db", clock=clock)) as store:
            store.deliver_task(record("T-1"))
            made = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    assert {"tasks.db", "tasks.db-wal", "tasks.db-shm"} <= set(made)
    assert set(made.values()) == {0o600}


# --- schema ----------------------------------------------------------------------------------


def test_fresh_file_is_migrated_and_reopening_keeps_everything(db_path: Path, clock: FrozenClock) -> None:
    with offering(SqliteStore(db_path, clock=clock)) as store:
        store.deliver_task(record("T-1"))
        store.reply("T-1", "hello")
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with SqliteStore(db_path, clock=clock) as store:
        assert store.get_task("T-1").messages[0].body == "hello"


def test_an_empty_existing_file_becomes_a_store(db_path: Path, clock: FrozenClock) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch(mode=0o600)
    with SqliteStore(db_path, clock=clock) as store:
        assert store.counts()[Status.NEW] == 0


def test_a_store_from_a_newer_version_is_refused(db_path: Path, clock: FrozenClock) -> None:
    SqliteStore(db_path, clock=clock).close()
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(SchemaError, match="newer expert-tui"):
        SqliteStore(db_path, clock=clock)


def test_not_a_database_is_a_clear_error(db_path: Path, clock: FrozenClock) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is a text file, not a database\n" * 200)
    db_path.chmod(0o600)
    with pytest.raises(sqlite3.DatabaseError):
        SqliteStore(db_path, clock=clock)


def test_an_sqlite_file_of_another_program_is_refused_untouched(db_path: Path, clock: FrozenClock) -> None:
    db_path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("CREATE TABLE songs (title TEXT)")
        conn.execute("INSERT INTO songs VALUES ('x')")
        conn.commit()
    db_path.chmod(0o600)
    with pytest.raises(SchemaError, match=r"SQLite database of another program .*'songs'"):
        SqliteStore(db_path, clock=clock)
    with closing(sqlite3.connect(db_path)) as conn:
        assert [name for (name,) in conn.execute("SELECT name FROM sqlite_schema")] == ["songs"]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0


# --- who writes ------------------------------------------------------------------------------------


def test_the_user_defaults_to_the_login_name(
    db_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "ola.nowak")
    assert getpass.getuser() == "ola.nowak"
    with offering(SqliteStore(db_path, clock=clock)) as store:
        task = store.deliver_task(record("T-1"))
        store.reply(task.id, "Hello")
        store.add_note(task.id, "Called them")
        got = store.get_task(task.id)
        assert (store.partner, store.user) == ("local", "ola.nowak")
        assert (got.messages[-1].author_name, got.notes[-1].author) == ("ola.nowak", "ola.nowak")


def test_without_a_login_name_the_user_is_partner(
    db_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_login_name() -> str:
        raise OSError("No username set in the environment")  # as getpass says in a bare container

    monkeypatch.setattr(getpass, "getuser", no_login_name)
    with SqliteStore(db_path, clock=clock) as store:
        assert store.user == "partner"


# --- query plans: a page costs what it holds ----------------------------------------------------


def _filled(store: SqliteStore, n: int = 60) -> None:
    store.import_tasks((i, record(f"T-{i}", kind="direct" if i % 2 else "match")) for i in range(n))
    for i in range(0, n, 3):
        store.reply(f"T-{i}", "hello")


def _executed_plans(store: SqliteStore, call: Callable[[], object]) -> list[str]:
    """Run `call`, then EXPLAIN QUERY PLAN every SELECT it ran (with its values)."""
    statements: list[str] = []
    with _reader(store) as conn:
        conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        with _reader(store) as conn:
            conn.set_trace_callback(None)
    selects = [
        s
        for s in statements
        if s.lstrip().upper().startswith("SELECT") and ("tasks t " in s or "FROM task_search s" in s)
    ]
    assert selects
    with _reader(store) as conn:
        return ["\n".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()) for sql in selects]


def _reader(store: SqliteStore) -> AbstractContextManager[sqlite3.Connection]:
    """The connection the reads of this (single) thread run on: the pool lends the one
    it was last given back, and a read gives it back before the next begins."""
    return store._readers.connection()


#: The indexes each order reads: urgency is served by the other two (owed tasks by
#: receipt, the rest by activity), see `schema` v4.
_ORDER_INDEXES = {
    Sort.URGENCY: ("tasks_received", "tasks_activity"),
    Sort.RECEIVED: ("tasks_received",),
    Sort.ACTIVITY: ("tasks_activity",),
}


def _sorts_nothing_but_ties(plan: str, sort: Sort) -> bool:
    """No sort step, except urgency's ties: its rest (latest activity first, ties oldest
    first) reads the activity index backwards and orders each group of equal times."""
    sorts = [line for line in plan.splitlines() if "TEMP B-TREE" in line]
    return all(sort is Sort.URGENCY and line == "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY" for line in sorts)


def _uses_only(plan: str, indexes: tuple[str, ...]) -> bool:
    searches = [line for line in plan.splitlines() if line.startswith(("SEARCH", "SCAN"))]
    return bool(searches) and all(
        any(f" INDEX {index} " in line for index in indexes) or "INTEGER PRIMARY KEY" in line for line in searches
    )


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("status", [None, Status.RESPONDED])
@pytest.mark.parametrize("kind", [None, Kind.DIRECT])
def test_every_page_is_an_index_range_scan(
    db_path: Path, clock: FrozenClock, sort: Sort, status: Status | None, kind: Kind | None
) -> None:
    with SqliteStore(db_path, clock=clock) as store:
        _filled(store)
        first = store.list_tasks(TaskQuery(status=status, kind=kind, sort=sort, limit=5))
        assert first.next_cursor
        for cursor in (None, first.next_cursor):
            query = TaskQuery(status=status, kind=kind, sort=sort, limit=5, cursor=cursor)
            for plan in _executed_plans(store, lambda q=query: store.list_tasks(q)):
                assert _sorts_nothing_but_ties(plan, sort), plan
                assert _uses_only(plan, _ORDER_INDEXES[sort]), plan
                assert "SCAN" not in plan, plan


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("status", [None, Status.RESPONDED])
@pytest.mark.parametrize("kind", [None, Kind.DIRECT])
def test_a_jump_to_an_offset_merges_index_ranges_without_sorting(
    db_path: Path, clock: FrozenClock, sort: Sort, status: Status | None, kind: Kind | None
) -> None:
    with SqliteStore(db_path, clock=clock) as store:
        _filled(store)
        total = sum(store.counts(kind).values()) if status is None else store.counts(kind)[status]
        for offset in (1, total // 3, total - 2):  # from the top and from the bottom
            query = TaskQuery(status=status, kind=kind, sort=sort, limit=5, offset=offset)
            plans = _executed_plans(store, lambda q=query: store.list_tasks(q))
            assert any("LIMIT 1 OFFSET" in sql for sql in _executed_sql(store, query)), offset
            for plan in plans:
                assert _sorts_nothing_but_ties(plan, sort), plan
                assert _uses_only(plan, _ORDER_INDEXES[sort]), plan
                assert "SCAN" not in plan, plan


def test_expired_tasks_still_stored_new_are_found_in_the_activity_index_alone(
    db_path: Path, clock: FrozenClock
) -> None:
    """The urgency order's expired run reads the stored `new`/`opened` past their window
    in activity order, filtered on `received_at`: from the index, never row by row from
    the table (schema v9; 49 ms of a first page at 100,000 tasks)."""
    with SqliteStore(db_path, clock=clock) as store:
        _filled(store)
        clock.advance(timedelta(days=3, seconds=1))
        for status in (None, Status.EXPIRED):
            query = TaskQuery(status=status, sort=Sort.URGENCY, limit=5)
            plans = _executed_plans(store, lambda q=query: store.list_tasks(q))
            activity = [plan for plan in plans if " INDEX tasks_activity " in plan]
            assert activity
            for plan in activity:
                assert "COVERING INDEX tasks_activity" in plan, plan


def _executed_sql(store: SqliteStore, query: TaskQuery) -> list[str]:
    statements: list[str] = []
    with _reader(store) as conn:
        conn.set_trace_callback(statements.append)
    try:
        store.list_tasks(query)
    finally:
        with _reader(store) as conn:
            conn.set_trace_callback(None)
    return statements


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("status", [None, Status.NEW])
@pytest.mark.parametrize(("sparse", "dense"), [(500, 3), (0, 0), (0, 10**9)])
def test_search_keeps_the_order_without_sorting_the_store(
    db_path: Path,
    clock: FrozenClock,
    sort: Sort,
    status: Status | None,
    sparse: int,
    dense: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A few matches are read by their row ids and put in order in Python; more are found
    # by walking the order's index, keeping the matches (written down first, or each
    # task's document checked when nearly all match): never a sort of the store.
    monkeypatch.setattr("expert_tui.store.sqlite.SPARSE_HITS", sparse)
    monkeypatch.setattr("expert_tui.store.sqlite.DENSE_SHARE", dense)
    with SqliteStore(db_path, clock=clock) as store:
        _filled(store)
        first = store.list_tasks(TaskQuery(q="garden", status=status, sort=sort, limit=5))
        assert first.next_cursor
        listed = [t.id for t in all_items(store, TaskQuery(status=status, sort=sort, limit=7))]
        phrase = [t.id for t in all_items(store, TaskQuery(q='"garden good"', status=status, sort=sort, limit=7))]
        assert phrase == listed  # every task holds the phrase: the listing's order, page after page
        assert not store.list_tasks(TaskQuery(q='"goods garden"', status=status, sort=sort)).items
        for cursor in (None, first.next_cursor):
            query = TaskQuery(q="garden", status=status, sort=sort, limit=5, cursor=cursor)
            for plan in _executed_plans(store, lambda q=query: store.list_tasks(q)):
                if sparse:
                    assert "TEMP B-TREE" not in plan and "USING INTEGER PRIMARY KEY" in plan, plan
                else:
                    assert _sorts_nothing_but_ties(plan, sort) and _uses_only(plan, _ORDER_INDEXES[sort]), plan


def _searched(store: SqliteStore, query: TaskQuery) -> tuple[list[str], list[str]]:
    """What a listing asked FTS5 (each MATCH's statement, values in place) and every statement."""
    statements = _executed_sql(store, query)
    return [sql for sql in statements if "task_search MATCH" in sql and not sql.startswith("--")], statements


def _titled(n: int) -> Iterator[tuple[int, dict[str, object]]]:
    """Tasks whose titles hold words that begin with `store` and `stor` in turn."""
    words = ["store", "stores", "storefront", "storm", "story", "plain"]
    for i in range(n):
        yield i, record(f"T-{i}", kind="direct" if i % 2 else "match", title=f"{words[i % len(words)]} work {i}")


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize(("sparse", "dense"), [(500, 3), (0, 0), (0, 10**9)])  # each plan: FEW, SOME, MOST
def test_a_longer_prefix_is_asked_as_the_words_it_begins_and_finds_the_same_pages(
    db_path: Path, clock: FrozenClock, sort: Sort, sparse: int, dense: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FTS5 merges every match of a prefix it keeps no index for before yielding the
    # first (12 ms for "store" at 100,000 tasks); the words it begins, it reads as it goes.
    monkeypatch.setattr("expert_tui.store.sqlite.SPARSE_HITS", sparse)
    monkeypatch.setattr("expert_tui.store.sqlite.DENSE_SHARE", dense)
    with SqliteStore(db_path, clock=clock) as store:
        store.import_tasks(_titled(90))
        searches = ["store", "stor work", "work -stores", "-storm", "storef", '"store work"', "stor"]
        for q in searches:
            spelled = [[t.id for t in all_items(store, TaskQuery(q=q, sort=sort, limit=7))] for q in searches]
        asked, _ = _searched(store, TaskQuery(q="store -storm", sort=sort))
        assert asked and all(
            'MATCH \'(("store" OR "storefront" OR "stores")) NOT ("storm")\'' in sql for sql in asked
        ), asked
        # The same pages as the prefixes themselves, when nothing is spelled out.
        monkeypatch.setattr("expert_tui.store.search.MAX_SPELLED_OUT", 0)
        monkeypatch.setattr("expert_tui.store.sqlite.MAX_SPELLED_OUT", 0)
        asked, _ = _searched(store, TaskQuery(q="store -storm", sort=sort))
        assert asked and all('MATCH \'("store"*) NOT ("storm"*)\'' in sql for sql in asked), asked
        prefixes = [[t.id for t in all_items(store, TaskQuery(q=q, sort=sort, limit=7))] for q in searches]
    assert spelled == prefixes
    assert [len(ids) for ids in spelled] == [45, 75, 75, 75, 15, 15, 75]


def test_a_prefix_of_too_many_words_and_a_short_one_are_asked_as_prefixes(db_path: Path, clock: FrozenClock) -> None:
    with SqliteStore(db_path, clock=clock) as store:
        store.import_tasks((i, record(f"T-{i}", title=f"quiz{i:03d}")) for i in range(search.MAX_SPELLED_OUT + 1))
        for q, expression in (
            ("quiz", "'\"quiz\"*'"),
            ("qu", "'\"qu\"*'"),
            ("quiz03", '\'("quiz030" OR "quiz031" OR "quiz032")\''),
        ):
            asked, _ = _searched(store, TaskQuery(q=q))
            assert asked and all(expression in sql for sql in asked), (q, asked)
        assert len(store.list_tasks(TaskQuery(q="quiz", limit=100)).items) == search.MAX_SPELLED_OUT + 1


def test_a_lone_word_most_tasks_hold_walks_the_order_without_writing_down_its_matches(
    db_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Writing 33,334 matches down to learn that a word is that common cost 9 ms at
    # 100,000 tasks; the index's count of the word's tasks says so in 1.4 ms.
    monkeypatch.setattr("expert_tui.store.sqlite.SPARSE_HITS", 10)  # one task in three is dense at 90
    with SqliteStore(db_path, clock=clock) as store:
        store.import_tasks(_titled(90))
        _, statements = _searched(store, TaskQuery(q="work"))  # every task
        assert not [sql for sql in statements if "INSERT INTO temp.search_hits" in sql]
        _, statements = _searched(store, TaskQuery(q="story"))  # one in six: written down
        assert [sql for sql in statements if "INSERT INTO temp.search_hits" in sql]
        _, statements = _searched(store, TaskQuery(q="work story"))  # two words: counted
        assert [sql for sql in statements if "INSERT INTO temp.search_hits" in sql]
        assert len(store.list_tasks(TaskQuery(q="work", limit=100)).items) == 90


def test_expiry_sweep_uses_the_index(db_path: Path, clock: FrozenClock) -> None:
    with SqliteStore(db_path, clock=clock) as store:
        _filled(store)
        probe = (
            "EXPLAIN QUERY PLAN SELECT 1 FROM tasks WHERE partner = 'local' AND inbox IN (0, 1)"
            " AND status IN ('new', 'opened') AND received_at <= 0 LIMIT 1"
        )
        plan = "\n".join(row[-1] for row in store._conn.execute(probe))
        assert "USING COVERING INDEX tasks_received" in plan, plan


#: Before version 5 every draft was a reply draft, keyed by (partner, task) alone.
_V1_DRAFTS = (
    "INSERT INTO drafts (partner, task_id, body, saved_at)"
    " SELECT partner, task_id, body, saved_at FROM src.drafts WHERE kind = 'reply'"
)


def test_migrating_a_version_1_store_keeps_its_tasks(db_path: Path, clock: FrozenClock) -> None:
    with SqliteStore(db_path, clock=clock) as store:
        _filled(store, 12)
        exported = list(store.export_tasks())
        counts = store.counts()
        urgent = [t.id for t in store.list_tasks(TaskQuery(sort=Sort.URGENCY, limit=100)).items]
    # The same data in a version-1 file, as the first release left it.
    v1 = db_path.with_name("v1.db")
    with closing(sqlite3.connect(v1, isolation_level=None)) as conn:
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute("ATTACH ? AS src", (str(db_path),))
        columns = ", ".join(c[1] for c in conn.execute("PRAGMA src.table_info(tasks)"))
        band = "CASE status WHEN 'new' THEN 0 WHEN 'opened' THEN 0 WHEN 'awaiting_response' THEN 1 ELSE 2 END"
        key = (
            "CASE status WHEN 'new' THEN expires_at WHEN 'opened' THEN expires_at"
            " WHEN 'awaiting_response' THEN activity_at ELSE -activity_at END"
        )
        conn.execute(
            f"INSERT INTO tasks ({columns}, urgency_band, urgency_key) SELECT {columns}, {band}, {key} FROM src.tasks"
        )
        for table in ("messages", "notes", "events", "replies", "preferences"):
            conn.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")
        conn.execute(_V1_DRAFTS)
        conn.execute("INSERT INTO task_search (rowid, doc) SELECT rowid, doc FROM src.task_search")
    v1.chmod(0o600)
    with SqliteStore(v1, clock=clock) as migrated:
        assert list(migrated.export_tasks()) == exported
        assert migrated.counts() == counts
        assert [t.id for t in migrated.list_tasks(TaskQuery(sort=Sort.URGENCY, limit=100)).items] == urgent
        assert [t.id for t in migrated.search("garden").items]
    with closing(sqlite3.connect(v1)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST


def test_migrating_a_version_4_store_keeps_its_reply_drafts_and_adds_note_drafts(
    db_path: Path, clock: FrozenClock
) -> None:
    with SqliteStore(db_path, clock=clock) as store:
        _filled(store, 12)
        store.save_draft("T-1", "Dear Grace,\nabout the budget")
        store.save_draft("T-2", "Hello")
        exported = list(store.export_tasks())
        counts = store.counts()
    # The same data in a version-4 file, as the release before note drafts left it.
    v4 = db_path.with_name("v4.db")
    with closing(sqlite3.connect(v4, isolation_level=None)) as conn:
        for migration in MIGRATIONS[:4]:
            for statement in migration:
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 4")
        conn.execute("ATTACH ? AS src", (str(db_path),))
        for table in ("tasks", "task_counts", "messages", "notes", "events", "replies", "preferences"):
            conn.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")
        conn.execute(_V1_DRAFTS)
        conn.execute("INSERT INTO task_search (rowid, doc) SELECT rowid, doc FROM src.task_search")
    v4.chmod(0o600)
    with SqliteStore(v4, clock=clock) as migrated:
        assert list(migrated.export_tasks()) == exported
        assert migrated.counts() == counts
        assert migrated.get_draft("T-1") == "Dear Grace,\nabout the budget"
        assert migrated.get_draft("T-2", kind="reply") == "Hello"
        assert migrated.get_draft("T-1", kind="note") is None
        migrated.save_draft("T-1", "budget is firm", kind="note")
        migrated.add_note("T-1", "budget is firm")
        assert migrated.get_draft("T-1", kind="note") is None
        assert migrated.get_draft("T-1") == "Dear Grace,\nabout the budget"
    with closing(sqlite3.connect(v4)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        columns = [c[1] for c in conn.execute("PRAGMA table_info(drafts)")]
        assert columns == ["partner", "task_id", "kind", "body", "saved_at"]


def test_migrating_a_version_7_store_adds_an_empty_outbox(db_path: Path, clock: FrozenClock) -> None:
    v7 = db_path.with_name("v7.db")
    v7.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with closing(sqlite3.connect(v7, isolation_level=None)) as conn:
        for migration in MIGRATIONS[:7]:
            for statement in migration:
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 7")
    v7.chmod(0o600)  # made by sqlite3 with the umask's mode: the store refuses a file others can open
    with SqliteStore(v7, clock=clock) as store:
        _filled(store, 3)
        assert store.queued_replies() == []
        store.save_draft("T-1", "Dear Grace,")
        store.queue_reply("T-1", "Dear Grace,", key="k", send_after=clock() + timedelta(seconds=10))
        assert [q.key for q in store.queued_replies()] == ["k"]
    with closing(sqlite3.connect(v7)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST == 9
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"tokens", "idempotency", "notifications", "outbox"} <= tables, "the earlier tables stay"


# --- threads and processes ----------------------------------------------------------------------


def test_threads_share_one_store(db_path: Path, clock: FrozenClock) -> None:
    with SqliteStore(db_path, clock=clock) as store:
        _filled(store, 20)
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                for i in range(20):
                    store.add_note(f"T-{(n + i) % 20}", f"note {n}-{i}")
                    store.list_tasks(TaskQuery(limit=10))
                    store.save_draft(f"T-{i}", f"draft {n}")
                    store.counts()
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sum(len(t.notes) for t in store.export_tasks()) == 80


def test_reads_never_wait_for_a_write(db_path: Path, clock: FrozenClock) -> None:
    """A write in progress (one holding the file's write lock, e.g. a reply waiting for
    its fsync) leaves every read free to run, each seeing what was committed."""
    with SqliteStore(db_path, clock=clock) as store:
        _filled(store, 5)
        store.add_note("T-1", "kept")
        seen: list[list[object]] = []
        done = threading.Event()

        def read() -> None:
            seen.append(
                [
                    [t.id for t in store.list_tasks(TaskQuery(limit=10)).items],
                    store.get_task("T-1").notes,
                    store.counts(),
                    store.events(0),
                    store.latest_event(),
                    store.get_preferences(),
                ]
            )
            done.set()

        read()
        done.clear()

        with store._write() as conn:
            conn.execute("DELETE FROM notes")  # uncommitted: no reader sees it
            reader = threading.Thread(target=read)
            reader.start()
            assert done.wait(timeout=60), "a read waited for the write"
            conn.execute("ROLLBACK")
            conn.execute("BEGIN")
        reader.join()
        assert seen[1] == seen[0] and len(seen[0][1]) == 1


def test_a_closed_store_refuses_at_once(db_path: Path, clock: FrozenClock) -> None:
    """A thread still following the store after it closed (the app's change feed) gets
    an error, as from a closed connection, never a wait for ever: more reads than the
    store has readers, and a write."""
    store = SqliteStore(db_path, clock=clock)
    _filled(store, 2)
    store.close()
    outcomes: list[type[BaseException]] = []

    def use() -> None:
        for call in [lambda: store.events(0)] * 8 + [lambda: store.get_task("T-1"), lambda: store.open_task("T-1")]:
            try:
                call()
            except sqlite3.ProgrammingError as error:
                outcomes.append(type(error))

    user = threading.Thread(target=use, daemon=True)
    user.start()
    user.join(timeout=60)
    assert not user.is_alive(), "a call on the closed store waited"
    assert outcomes == [sqlite3.ProgrammingError] * 10


_WRITER = """
import sys
from expert_tui.store.sqlite import SqliteStore
db, name = sys.argv[1], sys.argv[2]
store = SqliteStore(db)  # the test's first store offers a service
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()
for i in range(60):
    task = store.deliver_task({"id": f"{name}-{i}", "kind": "match", "service": "SEO",
                               "merchant": {"name": "Grace"}})
    store.add_note(task.id, f"{name} was here")
    store.reply("shared", f"{name} {i}")
store.close()
"""


def test_two_processes_writing_at_once_never_see_locked(db_path: Path) -> None:
    with offering(SqliteStore(db_path)) as store:
        store.deliver_task(record("shared"))
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(db_path), name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for name in ("a", "b")
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    for writer in writers:  # both start writing at the same moment
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    with SqliteStore(db_path) as store:
        assert store.counts()[Status.NEW] == 120
        assert len(store.get_task("shared").messages) == 120
        assert len(store.events(0, limit=10_000)) == 2 + 120 * 3  # preferences, the shared task, 3 per written task


# --- a kill at any moment of an import -----------------------------------------------------------

_IMPORTER = """
import sys, threading
from expert_tui.store.sqlite import IMPORT_BATCH, SqliteStore
from expert_tui.store.tokens import IDEMPOTENCY_DAYS, StoredResponse, TokenStore
db, n, pause_at, where = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
store = SqliteStore(db)

def pause():
    sys.stdout.write("paused\\n"); sys.stdout.flush()
    sys.stdin.readline()

written = threading.Semaphore(0)
write_batch = store._import_batch
def counted(batch, report):
    write_batch(batch, report)
    written.release()
store._import_batch = counted

def records():
    for i in range(n):
        if where == "between" and i == pause_at:
            for _ in range(pause_at // IMPORT_BATCH):
                written.acquire()  # the batches before this record are committed
            pause()
        yield i + 1, {"id": f"T-{i}", "kind": "match", "service": "SEO", "title": f"task {i}",
                      "merchant": {"name": "Grace"},
                      "messages": [{"id": "m1", "author": "merchant", "body": f"hello {i}",
                                    "sent_at": "2026-11-28T05:00:00Z"}]}

batches = 0
def trace(sql):
    global batches
    if sql.startswith("BEGIN IMMEDIATE"):
        batches += 1
    if sql.startswith("INSERT INTO task_search") and batches * IMPORT_BATCH > pause_at:
        pause()  # tasks and messages of this batch are written, not committed

if where == "inside":
    store._conn.set_trace_callback(trace)
store.import_tasks(records())
"""


@pytest.mark.parametrize("where", ["between", "inside"])
def test_import_killed_mid_way_then_rerun_completes(db_path: Path, where: str) -> None:
    n = 3 * IMPORT_BATCH + 100
    pause_at = 2 * IMPORT_BATCH + 50
    SqliteStore(db_path).close()
    importer = subprocess.Popen(
        [sys.executable, "-c", _IMPORTER, str(db_path), str(n), str(pause_at), where],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert importer.stdout is not None
    assert importer.stdout.readline() == "paused\n", importer.stderr and importer.stderr.read()
    os.kill(importer.pid, signal.SIGKILL)  # between two batches, or inside a transaction
    importer.wait(timeout=30)

    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        committed = conn.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
        assert committed == 2 * IMPORT_BATCH  # whole batches only
    with SqliteStore(db_path) as store:
        again = [
            (
                i + 1,
                record(
                    f"T-{i}",
                    title=f"task {i}",
                    messages=[
                        {"id": "m1", "author": "merchant", "body": f"hello {i}", "sent_at": "2026-11-28T05:00:00Z"}
                    ],
                ),
            )
            for i in range(n)
        ]
        report = store.import_tasks(again)
        assert len(report.unchanged) == committed
        assert len(report.added) == n - committed
        assert sorted(report.added + report.unchanged) == sorted(f"T-{i}" for i in range(n))
        assert sum(store.counts().values()) == n
        assert len(store.search("hello").items) == 50
        assert len(list(store.export_tasks())) == n
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == n
        assert conn.execute("SELECT COUNT(*) FROM task_search").fetchone()[0] == n
        assert conn.execute("SELECT COUNT(DISTINCT id) FROM tasks").fetchone()[0] == n
        conn.execute("INSERT INTO task_search (task_search) VALUES ('integrity-check')")


def test_import_report_survives_json_round_trip(db_path: Path) -> None:
    """The CLI prints the report as JSON: every part of it is plain data."""
    with SqliteStore(db_path) as store:
        report = store.import_tasks([(1, record("T-1")), (2, {"id": 5})])
    assert json.loads(json.dumps({"added": report.added, "rejected": [r.line for r in report.rejected]})) == {
        "added": ["T-1"],
        "rejected": [2],
    }


# --- the server's tokens and kept answers, beside the tasks -----------------------------------------


def test_kept_answers_are_pruned_after_a_week_through_their_index(db_path: Path, clock: FrozenClock) -> None:
    SqliteStore(db_path, clock=clock).close()
    tokens = TokenStore(db_path, clock=clock)
    try:
        tokens.keep_response("p:local", "old", "d1", 200, b"{}")
        clock.advance(timedelta(days=IDEMPOTENCY_DAYS, minutes=1))
        assert tokens.response_for("p:local", "old") is not None  # until the next answer is kept
        tokens.keep_response("p:local", "new", "d2", 200, b"{}")
        assert tokens.response_for("p:local", "old") is None
        assert tokens.response_for("p:local", "new") == StoredResponse("d2", 200, b"{}")
    finally:
        tokens.close()
    with closing(sqlite3.connect(db_path)) as conn:
        plan = " ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN DELETE FROM idempotency WHERE at < 0"))
        assert "USING INDEX idempotency_at" in plan or "USING COVERING INDEX idempotency_at" in plan, plan


def test_writers_of_one_file_in_one_process_share_one_lock(db_path: Path, clock: FrozenClock) -> None:
    """Two stores (two people of a server) and the tokens write the file in turns handed
    over by one lock, never polling SQLite's (`sqlite_access`)."""
    with SqliteStore(db_path, clock=clock) as ola, SqliteStore(db_path, clock=clock, user="zuzia") as zuzia:
        tokens = TokenStore(db_path.parent / ".." / db_path.parent.name / db_path.name, clock=clock)
        try:
            assert ola._lock is zuzia._lock is tokens._db._writing  # however the path is spelled
        finally:
            tokens.close()
