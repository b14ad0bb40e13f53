"""Files other users can neither read, replace nor redirect.

expert-tui runs on shared servers. What it creates is private from the first byte
(`O_CREAT|O_EXCL|O_NOFOLLOW` with mode 0600, folders `mkdir` 0700, never chmod-ed
later). What it finds already there is used only when it is the user's own, private
and not a symbolic link: anything else may have been planted by another user to read
merchant data, or to have expert-tui write over one of the user's own files.

Every module that creates or opens a file of the user's goes through here; a refusal
is an `UnsafePath` whose message is one line saying what is wrong and how to fix it, in
the person's language (it reaches them as a CLI error or a notice in the app); the
commands it suggests (`chmod 600 …`) and the paths stay as the shell needs them.
"""

from __future__ import annotations

import os
import pwd
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from . import paths
from .i18n import _

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
#: What SQLite keeps beside a database file; each is as sensitive as the database.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class UnsafePath(Exception):
    """An existing path expert-tui will not use; `message` is one line with the fix.
    `problem` and `fix` come translated: each is its own sentence for the translator."""

    def __init__(self, path: Path | str, problem: str, fix: str) -> None:
        self.path = str(path)
        self.message = _("refusing to use {path}: {problem} — {fix}").format(path=path, problem=problem, fix=fix)
        super().__init__(self.message)


def check_private(path: Path, *, folder: bool = False) -> bool:
    """True when `path` exists and is the user's own private file (or folder); False when
    it does not exist; `UnsafePath` when it is a symlink, someone else's, or shared."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    _check_stat(path, st, folder=folder)
    return True


def read_private(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of the user's own private file (a secret: credentials),
    checked on the open file itself, never through a symbolic link."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    with os.fdopen(fd, "rb") as stream:
        _check_stat(path, os.fstat(stream.fileno()), folder=False)
        return stream.read(limit)


def check_store_files(db: Path) -> None:
    """A database file and the files SQLite keeps beside it, each private (or absent)."""
    check_private(db)
    for suffix in SQLITE_SIDE_FILES:
        check_private(db.with_name(db.name + suffix))


def check_folder_is_safe(folder: Path) -> None:
    """A folder that holds a private file without being private itself (`--db /srv/x.db`):
    it must be the user's or root's, and nobody else may replace what is in it (writable
    by others only with the sticky bit, like /tmp)."""
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafePath(folder, _("it is not a folder"), _("choose a path inside a folder"))
    if st.st_uid not in (os.getuid(), 0):
        raise UnsafePath(
            folder,
            _("the folder belongs to {owner}, who can replace any file in it").format(owner=_owner(st.st_uid)),
            _("keep the store in a folder of your own"),
        )
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not st.st_mode & stat.S_ISVTX:
        raise UnsafePath(
            folder,
            _("other users can replace files in this folder (mode {mode}, no sticky bit)").format(
                mode=_mode(st.st_mode)
            ),
            _("run: chmod go-w {folder}   (or keep the store in a folder of your own)").format(folder=folder),
        )


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700, or check the existing one is private."""
    missing: list[Path] = []
    current = path
    while not os.path.lexists(current):
        missing.append(current)
        current = current.parent
    for created in reversed(missing):
        try:
            os.mkdir(created, PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # made by another process at the same moment: checked below
    check_folder_is_safe(path.parent)
    check_private(path, folder=True)
    return path


def prepare_store_file(db: Path) -> Path:
    """Everything a SQLite store needs before SQLite opens it: a safe folder (created
    0700 when missing; the app's own data folder must be private, a folder the user
    chose only safe), the database created 0600 or checked, and no foreign side file."""
    folder = db.parent
    if folder in (paths.data_dir(), paths.config_dir()) or not os.path.lexists(folder):
        ensure_private_dir(folder)
    else:
        check_folder_is_safe(folder)
    check_store_files(db)  # before creating anything: a refusal leaves no trace
    ensure_private_file(db)
    return db


def create_private(path: Path) -> int:
    """Open a new 0600 file for writing; fails (`FileExistsError`) if anything is there,
    a symbolic link included. Returns the file descriptor."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, PRIVATE_FILE_MODE)


def ensure_private_file(path: Path) -> Path:
    """An empty 0600 file if none exists (before SQLite opens it), else a check of it."""
    try:
        os.close(create_private(path))
    except FileExistsError:
        check_private(path)
    return path


def open_private_lock(path: Path) -> int:
    """A lock file of the user's (created 0600 if missing), opened read-write without
    following links; checked through the open descriptor, so it cannot be swapped."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, PRIVATE_FILE_MODE)
    try:
        _check_stat(path, os.fstat(fd), folder=False)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def replace_privately(target: Path, mode: str = "w") -> Iterator[IO[str]]:
    """Write `target` whole or not at all: into a 0600 file with a random name beside it
    (`mkstemp`: `O_EXCL|O_NOFOLLOW`), flushed to disk, then renamed over `target`. A
    symbolic link at `target` is replaced, never written through."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode, encoding="utf-8") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_private(path: Path, text: str) -> None:
    """`text` as the whole of `path`: its folder made private first (0700), the file 0600
    from its first byte and replaced whole or not at all (raises `UnsafePath`, `OSError`)."""
    ensure_private_dir(path.parent)
    with replace_privately(path) as handle:
        handle.write(text)


def _check_stat(path: Path, st: os.stat_result, *, folder: bool) -> None:
    fix_mode = "700" if folder else "600"
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePath(path, _("it is a symbolic link"), _("give the real path, or remove the link"))
    if folder and not stat.S_ISDIR(st.st_mode):
        raise UnsafePath(path, _("it is not a folder"), _("move it away and let expert-tui create the folder"))
    if not folder and not stat.S_ISREG(st.st_mode):
        raise UnsafePath(path, _("it is not a regular file"), _("move it away, or choose another path"))
    if st.st_uid != os.getuid():
        raise UnsafePath(
            path,
            _("it belongs to {owner}, not to you").format(owner=_owner(st.st_uid)),
            _("move it away (expert-tui then creates its own), or choose another path"),
        )
    if st.st_mode & 0o077:
        raise UnsafePath(
            path,
            _("other users can open it (mode {mode})").format(mode=_mode(st.st_mode)),
            _("run: chmod {mode} {path}").format(mode=fix_mode, path=path),
        )


def _mode(st_mode: int) -> str:
    return f"{stat.S_IMODE(st_mode):04o}"


def _owner(uid: int) -> str:
    """Who owns a file, said after "belongs to" (Polish puts it in the genitive there:
    `należy do użytkownika 'bob'`)."""
    try:
        return _("user {name}").format(name=repr(pwd.getpwuid(uid).pw_name))
    except KeyError:
        return _("user id {uid}").format(uid=uid)
