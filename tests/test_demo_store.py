"""The demo store: built through the real import, private, rebuilt when its deadlines go stale."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from expert_tui import demo, paths
from expert_tui.demo import DEMO_MAX_AGE, DEMO_PREFERENCES, demo_tasks, open_demo_store
from expert_tui.domain import FrozenClock, Kind, Status
from expert_tui.store import Store
from expert_tui.store.sqlite import SqliteStore


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _stamp(db: Path) -> Path:
    return db.with_name(db.name + ".built.json")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "private" / "demo.db"


def test_first_open_imports_every_demo_task(db: Path, clock: FrozenClock) -> None:
    with open_demo_store(db, clock) as store:
        exported = {task.id: task for task in store.export_tasks()}
        assert set(exported) == {record["id"] for record in demo_tasks(clock())}
        counts = store.counts()
        assert all(counts[status] >= 2 for status in Status), counts
        assert store.counts(Kind.CONTACT)[Status.NEW] >= 1
        assert store.get_task("T-1042").time_left(clock()) == timedelta(minutes=14)


def test_the_demo_partner_has_set_up_their_preferences(db: Path, clock: FrozenClock) -> None:
    """A newcomer's Preferences screen shows services and an e-mail, not an empty form."""
    with open_demo_store(db, clock) as store:
        prefs = store.get_preferences()
    assert prefs == DEMO_PREFERENCES
    assert prefs.notification_email and len(prefs.services) >= 3


def test_files_are_private_from_the_start(db: Path, clock: FrozenClock) -> None:
    old = os.umask(0)
    try:
        with open_demo_store(db, clock) as store:
            build = store.path
    finally:
        os.umask(old)
    assert _mode(db.parent) == 0o700
    assert build.parent == db.parent and _mode(build) == 0o600
    assert {p.name: _mode(p) for p in db.parent.iterdir()} == dict.fromkeys(
        (p.name for p in db.parent.iterdir()), 0o600
    )
    assert _mode(_stamp(db)) == 0o600
    assert json.loads(_stamp(db).read_text())["version"] == demo.DEMO_VERSION


def _touch_demo(store: Store) -> None:
    store.add_note("T-1042", "written after the demo was built")


def _has_touch(store: Store) -> bool:
    return any(n.body == "written after the demo was built" for n in store.get_task("T-1042").notes)


def test_a_fresh_demo_store_is_reused(db: Path, clock: FrozenClock) -> None:
    with open_demo_store(db, clock) as store:
        _touch_demo(store)
    clock.advance(DEMO_MAX_AGE - timedelta(seconds=1))
    with open_demo_store(db, clock) as store:
        assert _has_touch(store)


def test_a_stale_demo_store_is_rebuilt_with_live_deadlines(db: Path, clock: FrozenClock) -> None:
    with open_demo_store(db, clock) as store:
        _touch_demo(store)
    clock.advance(DEMO_MAX_AGE)
    with open_demo_store(db, clock) as store:
        assert not _has_touch(store)
        task = store.get_task("T-1042")
        assert task.status is Status.NEW
        assert task.time_left(clock()) == timedelta(minutes=14)


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda stamp: stamp.unlink(), id="stamp-missing"),
        pytest.param(lambda stamp: stamp.write_text("{not json"), id="stamp-corrupt"),
        pytest.param(lambda stamp: stamp.write_text('{"version": 1}'), id="stamp-incomplete"),
        pytest.param(
            lambda stamp: stamp.write_text(json.dumps({"version": -1, "built_at": "2026-11-28T06:00:00Z"})),
            id="old-version",
        ),
        pytest.param(
            lambda stamp: stamp.write_text(
                json.dumps({"version": demo.DEMO_VERSION, "built_at": "2027-01-01T00:00:00Z"})
            ),
            id="built-in-the-future",
        ),
    ],
)
def test_a_demo_store_without_a_trustworthy_stamp_is_rebuilt(db: Path, clock: FrozenClock, spoil: object) -> None:
    with open_demo_store(db, clock) as store:
        _touch_demo(store)
    spoil(_stamp(db))  # type: ignore[operator]
    with open_demo_store(db, clock) as store:
        assert not _has_touch(store)
        assert len(list(store.export_tasks())) == len(demo_tasks(clock()))


def test_default_path_is_the_demo_db_not_the_real_store(clock: FrozenClock) -> None:
    with open_demo_store(clock=clock) as store:
        assert isinstance(store, SqliteStore)
        assert store.path.parent == paths.demo_db_path().parent
        assert store.path.name.startswith("demo-") and store.path.suffix == ".db"
    assert not paths.default_db_path().exists()


# --- several processes showing the demo at once ----------------------------------------------------


def test_a_rebuild_leaves_a_running_app_its_store(db: Path, clock: FrozenClock) -> None:
    """The issue's loss: a rebuild deleted the files under a running app, whose writes then
    went into deleted files. Now the running app keeps its build, and it is removed only
    once nobody holds it."""
    first = open_demo_store(db, clock)
    _touch_demo(first)
    clock.advance(DEMO_MAX_AGE)
    with open_demo_store(db, clock) as second:
        assert second.path != first.path and not _has_touch(second)
        waiting = (Status.RESPONDED, Status.AWAITING_RESPONSE)
        talking = next(t.id for t in first.export_tasks() if t.status_at(clock()) in waiting)
        first.reply(talking, "still working on the old build")
        assert first.get_task(talking).messages[-1].body == "still working on the old build"
        assert _has_touch(first) and first.path.exists(), "held: not removed"
    old = first.path
    first.close()
    clock.advance(DEMO_MAX_AGE)
    with open_demo_store(db, clock) as third:
        assert not old.exists() and not old.with_name(old.name + "-wal").exists(), "unheld builds are removed"
        assert sorted(p.name for p in db.parent.glob("demo-*.db")) == [third.path.name]


def test_parallel_opens_on_a_stale_stamp_build_once_and_all_succeed(isolated_home: Path) -> None:
    runs = [
        subprocess.Popen([sys.executable, "-m", "expert_tui", "--demo", "list"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
        for _ in range(6)
    ]  # fmt: skip
    failures = [(run.wait(timeout=120), run.stderr.read().decode()) for run in runs if run.stderr]
    assert all(code == 0 for code, _ in failures), failures
    assert len(list((isolated_home / "data" / "expert-tui").glob("demo-*.db"))) == 1, "built once"


def test_planted_links_for_the_stamps_temporary_file_are_never_followed(db: Path, clock: FrozenClock) -> None:
    victim = db.parent.parent / "bashrc"
    victim.write_text("alias ll='ls -l'\n")
    db.parent.mkdir(mode=0o700)
    for pid in range(os.getpid() - 50, os.getpid() + 50):  # the names the old code used
        (db.parent / f".{_stamp(db).name}.{pid}.tmp").symlink_to(victim)
    open_demo_store(db, clock).close()
    assert victim.read_text() == "alias ll='ls -l'\n"
    assert json.loads(_stamp(db).read_text())["version"] == demo.DEMO_VERSION
