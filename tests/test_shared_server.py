"""A shared server: another Unix user plants files where expert-tui will look.

The attacker is a second user (uid 2001) acting through `setpriv`; the partner is the
user running the tests. Every scenario ends in a one-line refusal (exit 2) or a correct
result, and no merchant byte lands in a file the attacker can read. Each test sets
`umask 000` for what it runs instead of trusting the runner's umask.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_cli import Run, assert_one_line_error, write_jsonl

from expert_tui.demo import demo_tasks
from expert_tui.private_files import UnsafePath, check_private, replace_privately
from expert_tui.store.sqlite import SqliteStore

ATTACKER = 2001
MERCHANT_WORDS = b"Nowak"  # a merchant's name in the demo tasks

needs_two_users = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="playing a second Unix user needs root and setpriv (CI has both)",
)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "expert_tui", *args],
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
        umask=0,
    )


def cli0(*args: str, env: dict[str, str] | None = None) -> Run:
    """The real entry point under umask 000."""
    return Run(run_cli(*args, env=env))


def as_attacker(script: str) -> None:
    """Run a shell script as the second user, with nothing of the partner's environment."""
    subprocess.run(
        ["setpriv", f"--reuid={ATTACKER}", f"--regid={ATTACKER}", "--clear-groups",
         "env", "-i", "PATH=/usr/bin:/bin", "/bin/sh", "-c", f"umask 000; {script}"],
        check=True,
        timeout=30,
    )  # fmt: skip


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder every user can write to, like /tmp (root's, mode 1777)."""
    folder = Path(tempfile.mkdtemp(prefix="expert-tui-shared-"))
    folder.chmod(0o1777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def tasks_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "tasks.jsonl", demo_tasks(datetime.now(UTC)))


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# --- a planted data folder and store --------------------------------------------------------------


@needs_two_users
def test_an_attackers_data_folder_with_a_symlinked_store_is_refused(shared: Path, tasks_file: Path) -> None:
    as_attacker(
        f"mkdir -m 777 {shared}/expert-tui && : > {shared}/loot && chmod 666 {shared}/loot"
        f" && ln -s {shared}/loot {shared}/expert-tui/tasks.db"
    )
    run = cli0("import", str(tasks_file), env={"XDG_DATA_HOME": str(shared)})
    assert_one_line_error(run, 2, f"refusing to use {shared}/expert-tui: it belongs to user id {ATTACKER}")
    assert (shared / "loot").read_bytes() == b"", "no merchant byte reaches the attacker's file"


@needs_two_users
def test_a_symlinked_store_in_the_partners_own_folder_is_refused(shared: Path, tasks_file: Path) -> None:
    data = shared / "data"
    (data / "expert-tui").mkdir(parents=True, mode=0o700)
    as_attacker(f": > {shared}/loot && chmod 666 {shared}/loot")
    (data / "expert-tui" / "tasks.db").symlink_to(shared / "loot")
    run = cli0("import", str(tasks_file), env={"XDG_DATA_HOME": str(data)})
    assert_one_line_error(run, 2, "tasks.db: it is a symbolic link")
    assert (shared / "loot").read_bytes() == b""


@needs_two_users
def test_planted_wal_and_shm_beside_a_chosen_store_are_refused(shared: Path, tasks_file: Path) -> None:
    as_attacker(f": > {shared}/v.db-wal && : > {shared}/v.db-shm && chmod 666 {shared}/v.db-wal {shared}/v.db-shm")
    run = cli0("--db", str(shared / "v.db"), "import", str(tasks_file))
    assert_one_line_error(run, 2, f"refusing to use {shared}/v.db-wal: it belongs to user id {ATTACKER}")
    assert (shared / "v.db-wal").read_bytes() == b"" and (shared / "v.db-shm").read_bytes() == b""
    assert not (shared / "v.db").exists(), "a refusal creates nothing"


@needs_two_users
def test_a_store_in_a_folder_the_attacker_controls_is_refused(shared: Path, tasks_file: Path) -> None:
    as_attacker(f"mkdir -m 777 {shared}/theirs")
    run = cli0("--db", str(shared / "theirs" / "v.db"), "import", str(tasks_file))
    assert_one_line_error(run, 2, f"the folder belongs to user id {ATTACKER}")
    assert not (shared / "theirs" / "v.db").exists()


def test_a_store_in_a_folder_anyone_can_write_without_the_sticky_bit_is_refused(
    tmp_path: Path, tasks_file: Path
) -> None:
    open_folder = tmp_path / "open"
    open_folder.mkdir()
    open_folder.chmod(0o777)
    run = cli0("--db", str(open_folder / "v.db"), "import", str(tasks_file))
    assert_one_line_error(run, 2, "other users can replace files in this folder (mode 0777, no sticky bit)")


def test_a_shared_store_in_a_sticky_folder_is_private(shared: Path, tasks_file: Path) -> None:
    """/tmp-like folders are fine: nobody else can replace the partner's files there."""
    db = shared / "v.db"
    assert cli0("--db", str(db), "import", str(tasks_file)).code == 0
    assert mode(db) == 0o600


# --- the partner's own files, left too open -----------------------------------------------------------


def test_an_open_data_folder_is_refused_with_the_fix(isolated_home: Path, tasks_file: Path) -> None:
    folder = isolated_home / "data" / "expert-tui"
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    run = cli0("import", str(tasks_file))
    assert_one_line_error(run, 2, f"{folder}: other users can open it (mode 0755) — run: chmod 700 {folder}")
    folder.chmod(0o700)
    assert cli0("import", str(tasks_file)).code == 0, "after the fix it works"


def test_an_open_store_file_is_refused_with_the_fix(tmp_path: Path, tasks_file: Path) -> None:
    db = tmp_path / "s.db"
    assert cli0("--db", str(db), "import", str(tasks_file)).code == 0
    db.chmod(0o644)
    run = cli0("--db", str(db), "list")
    assert_one_line_error(run, 2, f"other users can open it (mode 0644) — run: chmod 600 {db}")
    db.chmod(0o600)
    assert cli0("--db", str(db), "list").code == 0


def test_an_open_journal_beside_the_store_is_refused(tmp_path: Path, tasks_file: Path) -> None:
    db = tmp_path / "s.db"
    assert cli0("--db", str(db), "import", str(tasks_file)).code == 0
    journal = tmp_path / "s.db-journal"
    journal.write_bytes(b"")
    journal.chmod(0o666)
    assert_one_line_error(cli0("--db", str(db), "list"), 2, "s.db-journal: other users can open it")


# --- said in the person's language ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "opened", "linked"),
    [
        (
            "pl",
            "nie użyję {path}: inni użytkownicy mogą go otworzyć (tryb 0644) — uruchom: chmod 600 {path}",
            "nie użyję {path}: to dowiązanie symboliczne — podaj prawdziwą ścieżkę albo usuń dowiązanie",
        ),
        (
            "en",
            "refusing to use {path}: other users can open it (mode 0644) — run: chmod 600 {path}",
            "refusing to use {path}: it is a symbolic link — give the real path, or remove the link",
        ),
    ],
)
def test_a_refusal_reads_in_the_persons_language(
    tmp_path: Path, request: pytest.FixtureRequest, lang: str, opened: str, linked: str
) -> None:
    """What is wrong and the fix in Polish; the path and the command to run as the shell needs them."""
    if lang == "pl":
        request.getfixturevalue("in_polish")
    db, link = tmp_path / "s.db", tmp_path / "link.db"
    db.write_bytes(b"")
    db.chmod(0o644)
    link.symlink_to(db)
    with pytest.raises(UnsafePath) as refused:
        check_private(db)
    assert refused.value.message == opened.format(path=db)
    with pytest.raises(UnsafePath) as refused:
        check_private(link)
    assert refused.value.message == linked.format(path=link)


def test_a_scripts_refusal_keeps_its_code_in_english(tmp_path: Path, tasks_file: Path) -> None:
    """`--json` in Polish: the message a person reads is Polish, the code a script reads is not."""
    db = tmp_path / "s.db"
    assert cli0("--db", str(db), "import", str(tasks_file)).code == 0
    db.chmod(0o644)
    run = cli0("--db", str(db), "list", "--json", env={"EXPERT_TUI_LANG": "pl"})
    assert run.code == 2
    assert run.error() == {
        "code": "invalid",
        "message": f"nie użyję {db}: inni użytkownicy mogą go otworzyć (tryb 0644) — uruchom: chmod 600 {db}",
    }


def test_files_the_store_creates_are_private_under_umask_000_while_in_use(tmp_path: Path) -> None:
    """The -wal and -shm exist only while a connection is open: look at them then."""
    db = tmp_path / "new" / "s.db"
    old = os.umask(0)
    try:
        with SqliteStore(db) as store:
            store.import_tasks(enumerate(demo_tasks(datetime.now(UTC)), start=1))
            side = [db.with_name(db.name + s) for s in ("-wal", "-shm")]
            assert all(p.exists() for p in side), "WAL mode keeps both files while open"
            assert {p.name: mode(p) for p in [db, *side]} == {"s.db": 0o600, "s.db-wal": 0o600, "s.db-shm": 0o600}
            assert mode(db.parent) == 0o700
    finally:
        os.umask(old)


# --- export never destroys a database ---------------------------------------------------------------


def test_export_refuses_to_write_over_the_store_it_reads(tmp_path: Path, tasks_file: Path) -> None:
    db = tmp_path / "s.db"
    assert cli0("--db", str(db), "import", str(tasks_file)).code == 0
    before = len(cli0("--db", str(db), "export").out.splitlines())
    assert_one_line_error(cli0("--db", str(db), "export", str(db)), 2, "it is the store being exported")
    link = tmp_path / "link.json"
    link.symlink_to(db)
    assert_one_line_error(cli0("--db", str(db), "export", str(link)), 2, "it is the store being exported")
    assert len(cli0("--db", str(db), "export").out.splitlines()) == before > 0


def test_export_refuses_to_write_over_any_sqlite_file(tmp_path: Path, tasks_file: Path) -> None:
    db = tmp_path / "s.db"
    assert cli0("--db", str(db), "import", str(tasks_file)).code == 0
    other = tmp_path / "music.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE songs (t)")
    before = other.read_bytes()
    assert_one_line_error(cli0("--db", str(db), "export", str(other)), 2, "it is a SQLite database")
    assert other.read_bytes() == before


def test_export_writes_a_private_file_and_replaces_a_link_instead_of_following_it(
    tmp_path: Path, tasks_file: Path
) -> None:
    db = tmp_path / "s.db"
    assert cli0("--db", str(db), "import", str(tasks_file)).code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "out.jsonl"
    out.symlink_to(victim)
    assert cli0("--db", str(db), "export", str(out)).code == 0
    assert victim.read_text() == "keep me"
    assert not out.is_symlink() and mode(out) == 0o600
    assert MERCHANT_WORDS in out.read_bytes()


# --- the helpers others reuse ----------------------------------------------------------------------


def test_replace_privately_never_follows_planted_links(tmp_path: Path) -> None:
    victim = tmp_path / "bashrc"
    victim.write_text("alias ls='ls -F'\n")
    target = tmp_path / "stamp.json"
    for pid in range(os.getpid(), os.getpid() + 50):  # the old predictable temporary names
        (tmp_path / f".{target.name}.{pid}.tmp").symlink_to(victim)
    old = os.umask(0)
    try:
        with replace_privately(target) as out:
            out.write("{}")
    finally:
        os.umask(old)
    assert victim.read_text() == "alias ls='ls -F'\n"
    assert target.read_text() == "{}" and mode(target) == 0o600
