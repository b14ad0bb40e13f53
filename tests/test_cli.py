"""The real `expert-tui` entry point in a subprocess: a new user's flow, exit codes, errors.

The CLI runs on the system clock, so test data is built relative to the real now
(`demo_tasks(now)`): the windows these tests rely on are minutes to days wide.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import stat
import struct
import subprocess
import sys
import termios
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from expert_tui.demo import demo_tasks, generate_tasks

TIMEOUT = 60


class Run:
    def __init__(self, done: subprocess.CompletedProcess[bytes]) -> None:
        self.code = done.returncode
        self.raw = done.stdout
        self.out = done.stdout.decode("utf-8")
        self.err = done.stderr.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.out)

    def error(self) -> Any:
        """A failure with --json: one JSON document on stderr, nothing on stdout."""
        assert self.out == "", self.out
        return json.loads(self.err)["error"]


def cli(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "expert_tui", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=TIMEOUT,
        check=False,
    )
    return Run(done)


def assert_one_line_error(run: Run, code: int, words: str = "") -> None:
    assert run.code == code, (run.code, run.err)
    assert "Traceback" not in run.err
    lines = run.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("expert-tui: "), run.err
    assert words in lines[0], lines[0]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def tasks_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "tasks.jsonl", demo_tasks(datetime.now(UTC)))


@pytest.fixture
def db(tmp_path: Path, tasks_file: Path) -> Path:
    """A store holding the demo tasks, imported through the CLI."""
    path = tmp_path / "store" / "tasks.db"
    run = cli("--db", str(path), "import", str(tasks_file))
    assert run.code == 0, run.err
    return path


def test_a_new_users_flow(tmp_path: Path, tasks_file: Path, isolated_home: Path) -> None:
    count = len(demo_tasks(datetime.now(UTC)))
    first = cli("import", str(tasks_file))
    assert first.code == 0 and first.out.strip() == f"added {count}, unchanged 0, rejected 0"
    again = cli("import", str(tasks_file))
    assert again.out.strip() == f"added 0, unchanged {count}, rejected 0", "importing twice adds nothing"

    inbox = cli("list").out.splitlines()
    assert inbox[0].split()[:4] == ["ID", "KIND", "STATUS", "LEFT"]
    assert inbox[1].startswith("T-1042") and "Anna Nowak" in inbox[1], "the most urgent task comes first"
    assert not any(line.startswith("C-") for line in inbox), "contacts are not in the inbox"
    assert any(line.startswith("C-201") for line in cli("list", "--kind", "contact").out.splitlines())

    shown = cli("show", "T-1042")
    assert shown.code == 0
    assert "Anna Nowak <anna@zolw.example>" in shown.out and "Żółw i Spółka" in shown.out
    assert "What do you need?" in shown.out and "Product pages take 6 s to load" in shown.out
    assert "left to answer" in shown.out

    sent = cli("reply", "T-1042", "--message", "Dzień dobry Anno, chętnie pomogę.")
    assert sent.code == 0 and sent.out.strip() == "T-1042: reply sent to Anna Nowak — now Responded"
    task = cli("show", "T-1042", "--json").json()
    assert task["status"] == "responded" and task["first_response_at"] is not None
    assert task["messages"][-1]["body"] == "Dzień dobry Anno, chętnie pomogę."

    declined = cli("decline", "T-1045", "--reason", "budget", "--comment", "Needs twice the budget", "--json")
    assert declined.code == 0 and declined.json()["decline"]["reason"] == "budget"
    noted = cli("note", "T-1045", "-", stdin="Lost on price — check again in spring\n".encode())
    assert noted.code == 0
    assert cli("show", "T-1045", "--json").json()["notes"][-1]["body"] == "Lost on price — check again in spring"

    found = cli("search", "zolw")
    assert found.code == 0 and "T-1042" in found.out, "diacritics-insensitive search"
    assert "T-1045" in cli("search", "spring").out, "notes are searched"

    exported = tmp_path / "backup.jsonl"
    assert cli("export", str(exported)).code == 0
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    fresh = tmp_path / "other.db"
    restored = cli("--db", str(fresh), "import", str(exported))
    assert restored.out.strip() == f"added {count}, unchanged 0, rejected 0"
    again_exported = cli("--db", str(fresh), "export")
    original = sorted(json.loads(line)["id"] for line in exported.read_text().splitlines())
    copy = [json.loads(line) for line in again_exported.out.splitlines()]
    assert sorted(t["id"] for t in copy) == original
    replied = next(t for t in copy if t["id"] == "T-1042")
    assert replied["status"] == "responded" and replied["messages"][-1]["body"].startswith("Dzień dobry Anno")


def test_actions_for_scripts(db: Path) -> None:
    base = ("--db", str(db))
    opened = cli(*base, "open", "T-1045", "--json").json()
    assert opened["status"] == "opened"
    assert cli(*base, "reply", "T-1045", "-m", "Hello!").code == 0
    assert cli(*base, "inactive", "T-1045", "--json").json()["status"] == "inactive"
    assert cli(*base, "reactivate", "T-1045").out.strip() == "T-1045: reactivated — now Responded"
    assert cli(*base, "complete", "T-1045", "--json").json()["status"] == "completed"


def test_ids_in_other_capitals_and_the_search_language(db: Path) -> None:
    # SPEC 6 Ids and issue 10: `t-1045` names T-1045; `search` takes the inbox's query.
    base = ("--db", str(db))
    assert cli(*base, "show", "t-1045", "--json").json()["id"] == "T-1045"
    assert cli(*base, "reply", "t-1045", "-m", "Hello!", "--json").json()["id"] == "T-1045"
    found = cli(*base, "search", "status:responded kind:match", "--json").json()
    assert "T-1045" in [t["id"] for t in found]
    assert {(t["status"], t["kind"]) for t in found} == {("responded", "match")}
    received = cli(*base, "search", "--sort", "received", "--limit", "0", "--json", "--", "-zzzz").json()
    times = [t["received_at"] for t in received]
    assert len(times) > 10 and times == sorted(times, reverse=True)
    assert_one_line_error(cli(*base, "search", "status:nope"), 2, "status:nope — no such status")


def test_reply_from_a_file_and_idempotency(db: Path, tmp_path: Path) -> None:
    body = tmp_path / "reply.txt"
    body.write_text("Quote attached.\nTwo milestones.\n", encoding="utf-8")
    args = ("--db", str(db), "reply", "T-1043", "--file", str(body), "--idempotency-key", "k-1", "--json")
    first = cli(*args).json()
    second = cli(*args).json()
    assert first["messages"][-1]["body"] == "Quote attached.\nTwo milestones."
    assert len(second["messages"]) == len(first["messages"]), "the same key never sends twice"


def test_global_options_work_before_and_after_the_command_and_from_the_environment(db: Path) -> None:
    before = cli("--db", str(db), "list", "--json").json()
    after = cli("list", "--db", str(db), "--json").json()
    from_env = cli("list", "--json", env={"EXPERT_TUI_DB": str(db)}).json()
    assert before == after == from_env and len(before) > 10


def test_list_filters_sorts_and_limits(db: Path) -> None:
    base = ("--db", str(db))
    expired = cli(*base, "list", "--status", "expired", "--json").json()
    assert expired and {t["status"] for t in expired} == {"expired"}
    direct = cli(*base, "list", "--kind", "direct", "--json").json()
    assert direct and {t["kind"] for t in direct} == {"direct"}
    limited = cli(*base, "list", "--limit", "3")
    assert len(limited.out.splitlines()) == 4
    assert "--limit N shows N" in limited.err
    by_received = cli(*base, "list", "--sort", "received", "--limit", "0", "--json").json()
    times = [t["received_at"] for t in by_received]
    assert times == sorted(times, reverse=True)


def test_list_over_many_pages(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "many.jsonl", list(generate_tasks(1200, datetime.now(UTC), seed=5)))
    db = tmp_path / "many.db"
    assert cli("--db", str(db), "import", str(source)).code == 0
    everything = cli("--db", str(db), "list", "--limit", "0", "--json").json()
    inbox = [t for t in generate_tasks(1200, datetime.now(UTC), seed=5) if t["kind"] != "contact"]
    assert len(everything) == len(inbox)
    assert len({t["id"] for t in everything}) == len(everything)


def test_paths(isolated_home: Path) -> None:
    run = cli("paths", "--json").json()
    assert run["data_dir"] == str(isolated_home / "data" / "expert-tui")
    assert run["config_dir"] == str(isolated_home / "config" / "expert-tui")
    assert run["store"] == str(isolated_home / "data" / "expert-tui" / "tasks.db")
    assert run["store_chosen_by"] == "default"
    plain = cli("paths", "--db", "/srv/team.db").out
    assert "/srv/team.db  (--db)" in plain
    assert not (isolated_home / "data").exists(), "paths creates nothing"


def test_files_created_by_the_cli_are_private(isolated_home: Path, tasks_file: Path) -> None:
    """Under umask 000. The -wal and -shm exist only while the store is open (after the
    process exits they are gone), so they are looked at while `import -` still reads stdin."""
    folder = isolated_home / "data" / "expert-tui"
    proc = subprocess.Popen(
        [sys.executable, "-m", "expert_tui", "import", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        umask=0,
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write(tasks_file.read_bytes())
        proc.stdin.flush()
        wal, shm = folder / "tasks.db-wal", folder / "tasks.db-shm"
        deadline = time.monotonic() + 30
        while not (wal.exists() and shm.exists()) and time.monotonic() < deadline:
            time.sleep(0.05)
        seen = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (folder, folder / "tasks.db", wal, shm)}
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
    assert seen == {"expert-tui": 0o700, "tasks.db": 0o600, "tasks.db-wal": 0o600, "tasks.db-shm": 0o600}
    assert proc.returncode == 0


def test_export_formats(db: Path, tmp_path: Path) -> None:
    lines = cli("--db", str(db), "export").out.splitlines()
    array = cli("--db", str(db), "export", "--format", "json").json()
    assert [json.loads(line) for line in lines] == array
    assert any("Żółw i Spółka" in line for line in lines), "JSON is UTF-8, so grep finds names"
    target = tmp_path / "out.json"
    assert cli("--db", str(db), "export", str(target), "--format", "json").code == 0
    assert "Żółw i Spółka" in target.read_text(encoding="utf-8"), "files keep text readable"


# --- exit codes and one-line errors ---------------------------------------------------------


def test_refused_by_a_rule_exits_1(db: Path) -> None:
    run = cli("--db", str(db), "reply", "T-0980", "-m", "Sorry for the delay")
    assert_one_line_error(run, 1, "T-0980 expired")
    assert "ago — no actions are possible on expired tasks" in run.err
    assert_one_line_error(cli("--db", str(db), "reply", "T-0990", "-m", "hi"), 1, "declined by you")
    assert_one_line_error(cli("--db", str(db), "complete", "T-1042"), 1, "has no reply yet")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("show", "T-404"), "no task 'T-404' in the store at"),
        (("reply", "T-404", "-m", "hi"), "no task 'T-404'"),
        (("reply", "T-1042", "-m", "   "), "message is empty — write something first"),
        (("reply", "T-1042"), "give the text with --message TEXT, --file F or '-'"),
        (("reply", "T-1042", "--file", "/nonexistent/reply.txt"), "cannot read /nonexistent/reply.txt"),
        (("reply", "T-1042", "-m", "a", "--file", "x"), "one way only"),
        (("note", "T-1042"), "give the text with --message TEXT, --file F or '-'"),
        (("decline", "T-1042", "--reason", "other"), "needs a comment"),
        (("--server", "https://team.example", "list"), "needs a token: set EXPERT_TUI_TOKEN"),
        (("--db", "x.db", "--demo", "list"), "choose one backend"),
    ],
)
def test_bad_input_exits_2_with_one_line(db: Path, args: tuple[str, ...], words: str) -> None:
    # Cases that pick their own backend run as given; the others run on the demo tasks.
    run = cli(*args) if args[0].startswith("--") else cli("--db", str(db), *args)
    assert_one_line_error(run, 2, words)


def test_a_server_from_the_environment_that_is_not_there_exits_69_in_words() -> None:
    run = cli("list", env={"EXPERT_TUI_SERVER": "http://127.0.0.1:9", "EXPERT_TUI_TOKEN": "et1_secret"})
    assert_one_line_error(run, 69, "the server at http://127.0.0.1:9 is unreachable")
    assert "secret" not in run.err


@pytest.mark.parametrize("args", [("list", "--status", "bogus"), ("decline", "T-1", "--reason", "meh"), ("nope",)])
def test_usage_errors_exit_2_without_traceback(args: tuple[str, ...]) -> None:
    run = cli(*args)
    assert run.code == 2 and "Traceback" not in run.err
    assert len(run.err.splitlines()) == 2 and run.err.splitlines()[1].startswith("see 'expert-tui"), run.err


def test_help_documents_the_exit_codes() -> None:
    run = cli("--help")
    assert run.code == 0
    for line in ("0    done", "1    refused by a rule", "2    bad usage or bad input", "unknown task id"):
        assert line in run.out


def test_a_corrupt_database_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite " * 100)
    bad.chmod(0o600)  # private: the store's own checks pass and the content is what is wrong
    assert_one_line_error(cli("--db", str(bad), "list"), 2, "not an expert-tui database, or it is damaged")


def test_an_sqlite_file_of_another_program_is_refused_and_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('CREATE TABLE songs (t)')",
            other,
        ],
        check=True,
    )
    other.chmod(0o600)
    before = other.read_bytes()
    assert_one_line_error(cli("--db", str(other), "list"), 2, "SQLite database of another program")
    assert other.read_bytes() == before


def test_a_folder_given_as_the_database(tmp_path: Path) -> None:
    assert_one_line_error(cli("--db", str(tmp_path), "list"), 2, "it is a folder")


def test_a_database_in_an_unwritable_place(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    source = write_jsonl(tmp_path / "t.jsonl", demo_tasks(datetime.now(UTC))[:1])
    run = cli("--db", str(blocker / "tasks.db"), "import", str(source))
    assert_one_line_error(run, 2, f"{blocker}: it is not a folder")


def test_a_missing_import_file_creates_no_store(tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    assert_one_line_error(cli("--db", str(db), "import", str(tmp_path / "missing.json")), 2, "no such file")
    assert not db.exists()


def test_invalid_json_and_invalid_records_are_reported_by_line(tmp_path: Path) -> None:
    good = demo_tasks(datetime.now(UTC))[0]
    source = tmp_path / "mixed.jsonl"
    source.write_text(
        json.dumps(good) + "\n" + "{not json\n" + "\n" + json.dumps({**good, "id": "T-9", "kind": "lead"}) + "\n",
        encoding="utf-8",
    )
    run = cli("--db", str(tmp_path / "s.db"), "import", str(source))
    assert run.code == 2, "some records were rejected"
    assert run.out.strip() == "added 1, unchanged 0, rejected 2"
    # One line number each, the record's, after the file's name (a bare `-` once stood for
    # "no id" and read as standard input; the decoder's own line sat beside the record's).
    assert run.err.splitlines() == [
        f"{source}, line 2: not valid JSON: Expecting property name enclosed in double quotes (column 2)",
        f"{source}, line 4: T-9: kind is 'lead'; expected one of: match, direct, contact",
    ]
    truncated = tmp_path / "bad.jsonl"
    truncated.write_text('{"id": "T-1", "kind": "match"\n' + json.dumps(good) + "\n", encoding="utf-8")
    run = cli("--db", str(tmp_path / "s.db"), "import", str(truncated))
    assert run.err.splitlines() == [
        f"{truncated}, line 1: not valid JSON: Expecting ',' delimiter (at the end of the line)"
    ]
    piped = cli("--db", str(tmp_path / "s.db"), "import", "-", stdin=b"[{}, {not json}]")
    assert piped.err.splitlines() == [
        "standard input, line 1: id is required",
        "standard input, line 2: not valid JSON: Expecting property name enclosed in double quotes"
        " (line 1 of the file, column 7)",
    ]
    report = cli("--db", str(tmp_path / "s.db"), "import", str(source), "--json").json()
    assert report["unchanged"] == [good["id"]]
    assert [r["line"] for r in report["rejected"]] == [2, 4]


def test_import_from_stdin_as_a_json_array(tmp_path: Path) -> None:
    records = demo_tasks(datetime.now(UTC))[:5]
    run = cli("--db", str(tmp_path / "s.db"), "import", "-", stdin=json.dumps(records, indent=2).encode())
    assert run.code == 0 and run.out.strip() == "added 5, unchanged 0, rejected 0"


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "many.jsonl", list(generate_tasks(2000, datetime.now(UTC))))
    db = tmp_path / "many.db"
    assert cli("--db", str(db), "import", str(source)).code == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "expert_tui", "--db", str(db), "export"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()  # like `| head -c 100`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=TIMEOUT) == 141
    assert err == ""


def test_ctrl_c_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "expert_tui", "--db", str(db), "import", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # As from a terminal: a test run started in the background (`make test &`) has
        # SIGINT ignored, the child would inherit that and never hear the ctrl+c.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdin is not None and proc.stderr is not None
    proc.stdin.write(json.dumps(demo_tasks(datetime.now(UTC))[0]).encode() + b"\n")
    proc.stdin.flush()
    # The store file appears once the command is running and waiting for more input.
    deadline = time.monotonic() + TIMEOUT
    while not db.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    try:
        _, err_bytes = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
    err = err_bytes.decode()
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert err.strip() == "expert-tui: interrupted — everything already saved stays saved"


def test_demo_opens_the_tui_in_a_terminal_and_q_quits(isolated_home: Path) -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real entry point on a real terminal
        try:
            os.execv(sys.executable, [sys.executable, "-m", "expert_tui", "--demo"])
        finally:
            os._exit(127)  # never run the rest of pytest in the child
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        screen = _read_until(fd, b"Anna Nowak")
        assert b"Anna Nowak" in screen, screen[-500:]
        os.write(fd, b"q")
        _read_until(fd, None)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert list((isolated_home / "data" / "expert-tui").glob("demo-*.db"))
    assert not (isolated_home / "data" / "expert-tui" / "tasks.db").exists(), "the demo never touches the real store"


def _read_until(fd: int, marker: bytes | None) -> bytes:
    """Terminal output until `marker` appears (or, with None, until the program ends)."""
    seen = b""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            return seen
        if not chunk:
            return seen
        seen += chunk
        if marker is not None and marker in seen:
            return seen
    return seen


def test_the_tui_needs_a_terminal() -> None:
    assert_one_line_error(cli(), 2, "the terminal UI needs a terminal")


def test_scripted_commands_do_not_load_textual(db: Path) -> None:
    code = (
        "import sys\n"
        "from expert_tui.cli import main\n"
        f"main(['--db', {str(db)!r}, 'list', '--json'])\n"
        "sys.stderr.write(str(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT, check=True)
    assert done.stderr == "[]"


# --- hostile text ----------------------------------------------------------------------------

_TERMINAL_ACTIVE = [b"\x1b", b"\x07", b"\x08", b"\r", b"\x00"]
_TERMINAL_ACTIVE += [bytes([0xC2, c]) for c in range(0x80, 0xA0)]  # C1 controls in UTF-8
_TERMINAL_ACTIVE += ["\u202e".encode(), "\u202d".encode(), "\u2066".encode()]


def test_hostile_text_never_reaches_the_terminal_and_round_trips(tmp_path: Path, corpus: list[dict[str, str]]) -> None:
    now = datetime.now(UTC)
    template = demo_tasks(now)[0]
    records = []
    for i, entry in enumerate(corpus):
        text = entry["text"]
        record = json.loads(json.dumps(template))
        record["id"] = f"H-{i}"
        # Titles and names have their own, shorter limits (SPEC section 5).
        record["title"] = text[:2000]
        record["service"] = text or "SEO"
        record["merchant"] = {"name": (text or "-")[:200], "email": ""}
        record["requirements"] = [{"question": text, "answer": text}]
        sent = record["received_at"]
        message = {"id": "m1", "author": "merchant", "author_name": text[:200], "body": text or ".", "sent_at": sent}
        record["messages"] = [message]
        record["notes"] = [{"id": "n1", "author": text[:200], "body": text or ".", "created_at": sent}]
        records.append(record)
    source = tmp_path / "hostile.jsonl"
    # ensure_ascii keeps the lone surrogate writable; the importer must reject it by line.
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="ascii")
    db = tmp_path / "h.db"
    run = cli("--db", str(db), "import", str(source))
    surrogate = next(i for i, e in enumerate(corpus) if "\udcff" in e["text"])
    assert run.code == 2
    assert run.err.startswith(f"{source}, line {surrogate + 1}: H-{surrogate}: ") and "surrogate" in run.err

    listing = cli("--db", str(db), "list", "--limit", "0")
    assert listing.code == 0
    outputs = [listing.raw]
    for i, entry in enumerate(corpus):
        if i == surrogate:
            continue
        shown = cli("--db", str(db), "show", f"H-{i}")
        assert shown.code == 0, shown.err
        outputs.append(shown.raw)
        as_json = cli("--db", str(db), "show", f"H-{i}", "--json").json()
        assert as_json["title"] == entry["text"][:2000], entry["id"]
        assert as_json["messages"][0]["body"] == (entry["text"] or ".")
        assert as_json["notes"][0]["author"] == entry["text"][:200]
    for found in cli("--db", str(db), "search", corpus[0]["text"]), cli("--db", str(db), "search", 'NEAR( " *'):
        assert found.code == 0 and "Traceback" not in found.err
        outputs.append(found.raw)
    for raw in outputs:
        for sequence in _TERMINAL_ACTIVE:
            assert sequence not in raw, f"{sequence!r} reached the terminal"
