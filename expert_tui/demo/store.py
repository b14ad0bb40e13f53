"""The demo store: built from the demo inbox, rebuilt when its deadlines have gone stale,
and safe with several demo apps open at once (each build is its own file)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .. import paths
from ..domain import Clock, system_clock
from ..domain.timefmt import format_ts, parse_ts
from ..private_files import SQLITE_SIDE_FILES, UnsafePath, ensure_private_dir, open_private_lock, replace_privately
from ..store import Store
from ..store.sqlite import SqliteStore
from .inbox import DEMO_PREFERENCES, DEMO_VERSION, demo_tasks

#: How long a demo store stays fresh: countdowns are meant to be live, not hours stale.
DEMO_MAX_AGE = timedelta(hours=1)


def open_demo_store(path: Path | None = None, clock: Clock = system_clock) -> Store:
    """Open the demo store, building a new one first when the current one is stale.

    Stale means: no record of when it was built, built more than `DEMO_MAX_AGE` ago
    (or in the future), or built from an older `DEMO_VERSION`. The record is a small
    sidecar JSON file (`path` + ".built.json") naming the current build, so it does not
    depend on the store's schema.

    Several processes may show the demo at once, so a build never replaces a file in
    use: each build is a new file (built in a private folder, then renamed beside
    `path`), and the stamp is then pointed at it. A process holding an older build keeps
    working on it (it holds a shared lock on it); builds nobody holds are removed. One
    lock file serialises builds, so two processes never build at the same time.
    """
    path = path or paths.demo_db_path()
    folder = ensure_private_dir(path.parent)
    stamp = _stamp_path(path)
    now = clock()
    with _locked(folder / f"{path.name}.lock", fcntl.LOCK_SH):
        current = _fresh_build(folder, stamp, now)
        if current is not None:
            return _DemoStore(current, clock)
    with _locked(folder / f"{path.name}.lock", fcntl.LOCK_EX):
        current = _fresh_build(folder, stamp, now)  # built by another process meanwhile?
        if current is None:
            current = _build(folder, path, clock)
            _write_private_json(stamp, {"version": DEMO_VERSION, "built_at": format_ts(now), "file": current.name})
        store = _DemoStore(current, clock)
        _remove_unused_builds(folder, path, keep=current)
    return store


class _DemoStore(SqliteStore):
    """A demo build, held with a shared lock until closed, so no rebuild removes it."""

    def __init__(self, build: Path, clock: Clock) -> None:
        self._hold = open_private_lock(_lock_of(build))
        try:
            fcntl.flock(self._hold, fcntl.LOCK_SH)
            super().__init__(build, clock=clock)
        except BaseException:
            os.close(self._hold)
            raise

    def close(self) -> None:
        try:
            super().close()
        finally:
            os.close(self._hold)


@contextmanager
def _locked(lock: Path, how: int) -> Iterator[None]:
    fd = open_private_lock(lock)
    try:
        fcntl.flock(fd, how)
        yield
    finally:
        os.close(fd)


def _build(folder: Path, path: Path, clock: Clock) -> Path:
    """A new demo store, built in a private folder and renamed into `folder` whole."""
    workshop = Path(tempfile.mkdtemp(prefix=f".{path.stem}-building-", dir=folder))
    try:
        built = workshop / path.name
        with SqliteStore(built, clock=clock) as store:
            store.import_tasks(enumerate(demo_tasks(clock()), start=1))
            store.set_preferences(DEMO_PREFERENCES)
        # Closing checkpointed the WAL into the file: it is complete on its own.
        final = folder / f"{path.stem}-{int(time.time() * 1000)}-{os.getpid()}{path.suffix}"
        os.rename(built, final)
        return final
    finally:
        shutil.rmtree(workshop, ignore_errors=True)


def _remove_unused_builds(folder: Path, path: Path, keep: Path) -> None:
    """Older builds that no process holds any more (a holder has a shared lock)."""
    for build in folder.glob(f"{path.stem}-*{path.suffix}"):
        if build == keep:
            continue
        try:
            fd = open_private_lock(_lock_of(build))
        except (OSError, UnsafePath):
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # still shown somewhere: removed by a later build
        try:
            for leftover in (build, *(build.with_name(build.name + s) for s in SQLITE_SIDE_FILES)):
                leftover.unlink(missing_ok=True)
            _lock_of(build).unlink(missing_ok=True)
        finally:
            os.close(fd)


def _lock_of(build: Path) -> Path:
    return build.with_name(build.name + ".lock")


def _stamp_path(db: Path) -> Path:
    return db.with_name(db.name + ".built.json")


def _fresh_build(folder: Path, stamp: Path, now: datetime) -> Path | None:
    """The build the stamp names, if it is fresh, of this version, and there."""
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
        built_at = parse_ts(data["built_at"])
        version = data["version"]
        name = data["file"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(name, str) or Path(name).name != name:
        return None
    build = folder / name
    fresh = version == DEMO_VERSION and timedelta(0) <= now - built_at < DEMO_MAX_AGE
    return build if fresh and build.is_file() else None


def _write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically through a 0600 temporary file, so a crash leaves no half stamp."""
    with replace_privately(path) as out:
        json.dump(data, out)
