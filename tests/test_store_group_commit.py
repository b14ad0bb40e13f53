"""Changes of many threads committed together (`store.sqlite_access.GroupCommit`): each
thread's outcome is what its own transaction would have had."""

from __future__ import annotations

import contextvars
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from store_contract import offering, record

from expert_tui.domain import Author, FrozenClock, Refused
from expert_tui.store.sqlite import SqliteStore
from expert_tui.store.sqlite_access import GroupCommit, write_lock

WHO = contextvars.ContextVar("who", default="nobody")


@pytest.fixture
def table(tmp_path: Path) -> Iterator[tuple[sqlite3.Connection, GroupCommit, Path]]:
    path = tmp_path / "group.db"
    path.touch(mode=0o600)
    with closing(sqlite3.connect(path, isolation_level=None, check_same_thread=False)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (name TEXT PRIMARY KEY, who TEXT)")
        yield conn, GroupCommit(conn, write_lock(path), lambda: conn.execute("BEGIN IMMEDIATE")), path


def _queued_behind_the_lock(
    group: GroupCommit, path: Path, works: dict[str, Callable[[sqlite3.Connection], object]]
) -> dict[str, object]:
    """Each work from its own thread, all waiting while the lock is held, then run as
    one group: what each thread got back (or raised)."""
    outcome: dict[str, object] = {}
    lock = write_lock(path)
    threads = []
    with lock:
        for name, work in works.items():

            def ask(name: str = name, work: Callable[[sqlite3.Connection], object] = work) -> None:
                WHO.set(name)
                try:
                    outcome[name] = group.run(work)
                except Exception as error:
                    outcome[name] = error

            thread = threading.Thread(target=ask)
            thread.start()
            threads.append(thread)
        while len(group._waiting) < len(works):  # every change waits for its turn
            threading.Event().wait(0.01)
    for thread in threads:
        thread.join(timeout=60)
    return outcome


def _insert(name: str) -> Callable[[sqlite3.Connection], object]:
    def work(conn: sqlite3.Connection) -> object:
        conn.execute("INSERT INTO t (name, who) VALUES (?, ?)", (name, WHO.get()))
        return name

    return work


def test_a_change_that_raises_is_undone_alone(table: tuple[sqlite3.Connection, GroupCommit, Path]) -> None:
    conn, group, path = table

    def refused(conn: sqlite3.Connection) -> object:
        conn.execute("INSERT INTO t (name, who) VALUES ('c', 'c')")
        raise Refused("no", "rule")

    outcome = _queued_behind_the_lock(group, path, {"a": _insert("a"), "c": refused, "d": _insert("d")})
    assert outcome["a"] == "a" and outcome["d"] == "d"
    assert isinstance(outcome["c"], Refused)
    # Each ran in its own thread's context, whichever thread committed the group.
    assert dict(conn.execute("SELECT name, who FROM t")) == {"a": "a", "d": "d"}
    assert not conn.in_transaction


def test_a_failed_commit_fails_every_change_of_the_group(
    table: tuple[sqlite3.Connection, GroupCommit, Path],
) -> None:
    conn, _, path = table
    refusing = GroupCommit(conn, write_lock(path), lambda: (_ for _ in ()).throw(sqlite3.OperationalError("disk")))
    outcome = _queued_behind_the_lock(refusing, path, {"a": _insert("a"), "b": _insert("b")})
    assert all(isinstance(outcome[name], sqlite3.OperationalError) for name in "ab")
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_a_change_seeing_an_earlier_one_of_its_group(table: tuple[sqlite3.Connection, GroupCommit, Path]) -> None:
    """Changes of one group run one after another, each seeing those before it (as if
    each had been committed): a duplicate is refused, not stored twice."""
    conn, group, path = table
    outcome = _queued_behind_the_lock(group, path, {"a": _insert("same"), "b": _insert("same")})
    assert sorted(map(type, outcome.values()), key=str) == sorted([str, sqlite3.IntegrityError], key=str)
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 1


def test_replies_of_many_threads_are_each_stored_once(tmp_path: Path, clock: FrozenClock) -> None:
    with offering(SqliteStore(tmp_path / "tasks.db", clock=clock)) as store:
        store.deliver_task(record("T-late"))
        clock.advance(timedelta(days=3, seconds=1))  # its window closed
        for i in range(4):
            store.deliver_task(record(f"T-{i}"))
        errors: list[BaseException] = []

        def send(n: int) -> None:
            for i in range(10):
                try:
                    store.reply(f"T-{n}", f"reply {n}-{i}", idempotency_key=f"k-{n}-{i}")
                    store.reply(f"T-{n}", f"reply {n}-{i}", idempotency_key=f"k-{n}-{i}")  # a retry
                except BaseException as error:
                    errors.append(error)
                with pytest.raises(Refused):
                    store.reply("T-late", "too late")

        threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        for n in range(4):
            assert [m.body for m in store.get_task(f"T-{n}").messages if m.author is Author.PARTNER] == [
                f"reply {n}-{i}" for i in range(10)
            ]
        assert not [m for m in store.get_task("T-late").messages if m.author is Author.PARTNER]
