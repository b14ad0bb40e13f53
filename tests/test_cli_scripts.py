"""The command line as scripts use it (issue 15), through the real entry point.

Each test is one point of the issue: what a `gh`/`jq` user's loop or pipeline relies
on. Subprocesses are grouped so each test starts as few as it can.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pty_run import PtyProcess
from test_cli import TIMEOUT, assert_one_line_error, cli, write_jsonl

from expert_tui.cli.output import TASK_FIELDS
from expert_tui.cli.parser import build_parser
from expert_tui.demo import demo_tasks, generate_tasks
from expert_tui.domain.codec import task_from_dict, task_to_dict

WHOLE_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def tasks() -> list[dict[str, Any]]:
    return demo_tasks(datetime.now(UTC))


@pytest.fixture
def db(tmp_path: Path, tasks: list[dict[str, Any]]) -> Path:
    path = tmp_path / "tasks.db"
    assert cli("--db", str(path), "import", str(write_jsonl(tmp_path / "t.jsonl", tasks))).code == 0
    return path


def usage_error(run: Any, command: str) -> None:
    """Argument errors: one line, then where to read more; never argparse's usage dump."""
    assert run.code == 2 and "Traceback" not in run.err, run.err
    lines = run.err.splitlines()
    assert len(lines) == 2 and lines[0].startswith("expert-tui: "), run.err
    assert lines[1] == f"see '{command} --help'"


# --- 1. a missing store is an error, never a new empty one ----------------------------------


def test_only_import_creates_a_store(tmp_path: Path, isolated_home: Path) -> None:
    typo = tmp_path / "typo.db"
    backup = cli("--db", str(typo), "export")
    assert_one_line_error(backup, 2, f"no store at {typo} (import creates one)")
    assert backup.out == "" and not typo.exists(), "a backup script on a mistyped path fails loudly"
    deep = tmp_path / "nonexistent" / "dir" / "x.db"
    assert_one_line_error(cli("--db", str(deep), "list"), 2, "no store at")
    assert not (tmp_path / "nonexistent").exists(), "no folders are created either"
    as_json = cli("--db", str(typo), "show", "T-1", "--json")
    assert as_json.code == 2 and as_json.error()["code"] == "not_found"

    default = isolated_home / "data" / "expert-tui" / "tasks.db"
    assert_one_line_error(cli("list"), 2, f"no store at {default} (import creates one)")
    assert not default.exists()
    # An empty store file at the default path (older versions made one on any command)
    # still counts as missing until something is imported.
    from expert_tui.store.sqlite import SqliteStore

    SqliteStore(default).close()
    assert_one_line_error(cli("list"), 2, "no store at")
    assert cli("import", "-", stdin=json.dumps(demo_tasks(datetime.now(UTC))[:2]).encode()).code == 0
    listed = cli("list")
    assert listed.code == 0 and "T-" in listed.out
    assert cli("--demo", "list", "--limit", "1").code == 0, "--demo keeps working"


def test_the_tui_asks_before_creating_a_store(tmp_path: Path) -> None:
    target = tmp_path / "new.db"
    argv = [sys.executable, "-m", "expert_tui", "--db", str(target)]
    quit_run = PtyProcess(argv, cols=100, rows=30)
    assert quit_run.wait_for(b"There is no store here yet", 30) is not None, quit_run.output[-2000:]
    quit_run.send(b"q")
    assert quit_run.close() == 0
    assert not target.exists(), "leaving the question creates nothing"

    create_run = PtyProcess(argv, cols=100, rows=30)
    assert create_run.wait_for(b"There is no store here yet", 30) is not None
    create_run.send(b"c")
    assert create_run.wait_for(b"No tasks", 30) is not None, create_run.output[-2000:]
    create_run.send(b"q")
    assert create_run.close() == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_the_missing_store_question_offers_the_demo(tmp_path: Path) -> None:
    import asyncio

    from expert_tui.screens.no_store import NoStoreApp

    async def choose(key: str) -> str | None:
        app = NoStoreApp("/srv/\x1b[31mtypo.db")
        async with app.run_test() as pilot:
            await pilot.press(key)
        return app.return_value

    assert asyncio.run(choose("d")) == "demo"
    assert asyncio.run(choose("escape")) is None


# --- 2. whole-second RFC 3339 timestamps everywhere ----------------------------------------


def _timestamps(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in ([v] if k.endswith("_at") and v else _timestamps(v))]
    if isinstance(value, list):
        return [t for v in value for t in _timestamps(v)]
    return []


def test_every_timestamp_has_whole_seconds(db: Path) -> None:
    base = ("--db", str(db))
    replied = cli(*base, "reply", "T-1042", "-m", "Hello", "--json").json()
    noted = cli(*base, "note", "T-1042", "-m", "call Friday", "--json").json()
    exported = [json.loads(line) for line in cli(*base, "export").out.splitlines()]
    listed = cli(*base, "list", "--json").json()
    stamps = _timestamps([replied, noted, exported, listed])
    assert len(stamps) > 100
    assert all(WHOLE_SECONDS.match(s) for s in stamps), [s for s in stamps if not WHOLE_SECONDS.match(s)]
    assert replied["first_response_at"] == replied["messages"][-1]["sent_at"]
    shown = cli(*base, "show", "T-1042").out
    received = re.search(r"Received:\s+(\S+)", shown)
    assert received and WHOLE_SECONDS.match(received.group(1)), "text output uses the same form"


# --- 3. lists: everything in JSON, capped text, pages -----------------------------------------


def test_lists_are_complete_in_json_and_say_so_in_text(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    records = list(generate_tasks(180, now, seed=3))
    db = tmp_path / "many.db"
    assert cli("--db", str(db), "import", str(write_jsonl(tmp_path / "m.jsonl", records))).code == 0
    base = ("--db", str(db))
    inbox = [r["id"] for r in records if r["kind"] != "contact"]
    everything = cli(*base, "list", "--json")
    assert len(everything.json()) == len(inbox) > 50 and everything.err == ""
    assert len(cli(*base, "list", "--json", "--limit", "7").json()) == 7
    text = cli(*base, "list")
    assert len(text.out.splitlines()) == 51, "a header and 50 rows"
    assert "--limit N shows N, --limit 0 all" in text.err
    assert len(cli(*base, "list", "--limit", "0").out.splitlines()) == len(inbox) + 1

    # Pages: walk with the cursor from stderr; together they are the whole list, in order.
    wanted = [t["id"] for t in everything.json()]
    for size, extra in ((40, ()), (7, ("--status", "new", "--status", "opened"))):
        expected = wanted if not extra else [t["id"] for t in cli(*base, "list", "--json", *extra).json()]
        seen: list[str] = []
        cursor: list[str] = []
        for _ in range(100):
            page = cli(*base, "list", "--json", "--page-size", str(size), *extra, *cursor)
            items = page.json()
            assert len(items) <= size
            seen += [t["id"] for t in items]
            found = re.search(r"^next cursor: (\S+)$", page.err, re.MULTILINE)
            if found is None:
                break
            assert len(items) == size, "a page that is not the last is full, filters or not"
            cursor = ["--cursor", found.group(1)]
        assert seen == expected and len(expected) > 2 * size
    searched = cli(*base, "search", "store", "--json")
    assert searched.code == 0 and len(searched.json()) > 50, "search lists every match too"
    assert_one_line_error(cli(*base, "list", "--cursor", "abc"), 2, "--cursor needs --page-size")


# --- 5. a known id with other content ----------------------------------------------------------


def test_reimport_says_which_known_records_differ(db: Path, tmp_path: Path, tasks: list[dict[str, Any]]) -> None:
    base = ("--db", str(db))
    assert cli(*base, "reply", "T-1043", "-m", "Hello").code == 0  # a time with microseconds in the store
    exported = tmp_path / "backup.jsonl"
    assert cli(*base, "export", str(exported)).code == 0
    same = cli(*base, "import", str(exported))
    assert same.out.strip() == f"added 0, unchanged {len(tasks)}, rejected 0", "an export is no difference"
    backup = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    changed = [dict(t, title="Another title") if t["id"] == "T-1042" else t for t in backup]
    source = write_jsonl(tmp_path / "changed.jsonl", changed)
    run = cli(*base, "import", str(source))
    assert run.code == 0
    assert run.out.strip() == (
        f"added 0, unchanged {len(tasks)} (1 differs from the stored task, kept the stored one), rejected 0"
    )
    report = cli(*base, "import", str(source), "--json").json()
    assert report["differing"] == ["T-1042"] and len(report["unchanged"]) == len(tasks)
    assert cli(*base, "show", "T-1042", "--json").json()["title"] != "Another title", "the stored task is kept"
    twice = [dict(tasks[0], id="T-5000"), dict(tasks[0], id="T-5000", title="Second copy")]
    dup = cli(*base, "import", "-", "--json", stdin=json.dumps(twice).encode()).json()
    assert (dup["added"], dup["unchanged"], dup["differing"]) == (["T-5000"], ["T-5000"], ["T-5000"])


# --- 6. state commands a loop can repeat -----------------------------------------------------------


def test_state_commands_are_idempotent_and_refusals_carry_a_rule(db: Path) -> None:
    base = ("--db", str(db))
    assert cli(*base, "reply", "T-1045", "-m", "Hello").code == 0
    for command, words in (("inactive", "already inactive"), ("complete", "already completed")):
        first, again = cli(*base, command, "T-1045"), cli(*base, command, "T-1045")
        assert first.code == 0 and again.code == 0, again.err
        assert again.out.strip().startswith(f"T-1045: {words}")
    declined = [cli(*base, "decline", "T-1044", "--reason", "too_busy") for _ in range(2)]
    assert [d.code for d in declined] == [0, 0] and "already declined" in declined[1].out
    assert "already opened" in cli(*base, "open", "T-1044").out
    opened = cli(*base, "open", "T-1042")
    assert opened.code == 0 and opened.out.strip() == "T-1042: opened — now Opened"
    again = cli(*base, "open", "T-1042", "--json")
    assert again.code == 0 and again.json()["status"] == "opened"

    refused = cli(*base, "reply", "T-0980", "-m", "late", "--json")
    assert refused.code == 1
    error = refused.error()
    assert error["code"] == "refused" and "expired" in error["message"]
    assert error["rule"] == "expired"
    declined = cli(*base, "reply", "T-1044", "-m", "after declining", "--json")
    assert declined.code == 1 and declined.error()["rule"] == "declined"
    missing = cli(*base, "show", "T-404", "--json")
    assert missing.code == 2 and missing.error()["code"] == "not_found"
    invalid = cli(*base, "reply", "T-1042", "-m", "  ", "--json")
    assert invalid.code == 2 and invalid.error() == {
        "code": "invalid",
        "message": "message is empty — write something first",
        "field": "message",
    }
    usage = cli(*base, "list", "--status", "bogus", "--json")
    assert usage.code == 2 and usage.error()["code"] == "invalid"


# --- 7. text from stdin and files ---------------------------------------------------------------------


def test_text_from_stdin_files_and_a_named_author(db: Path, tmp_path: Path) -> None:
    base = ("--db", str(db))
    reply = cli(*base, "reply", "T-1042", "--file", "-", "--json", stdin="Dzień dobry\nfrom stdin\n".encode())
    assert reply.json()["messages"][-1]["body"] == "Dzień dobry\nfrom stdin"
    note_file = tmp_path / "note.txt"
    note_file.write_text("From a file\n", encoding="utf-8")
    noted = cli(*base, "note", "T-1042", "--file", str(note_file), "--author", "ola", "--json").json()
    assert (noted["notes"][-1]["body"], noted["notes"][-1]["author"]) == ("From a file", "ola")
    piped = cli(*base, "note", "T-1042", "-f", "-", "--json", stdin=b"piped note")
    assert piped.json()["notes"][-1]["body"] == "piped note"
    empty_author = cli(*base, "note", "T-1042", "-m", "x", "--author", "")
    assert_one_line_error(empty_author, 2, "--author is empty")
    assert len(cli(*base, "show", "T-1042", "--json").json()["notes"]) == 2, "nothing was added"


# --- 8. a locked store -------------------------------------------------------------------------------


_HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def _hold_lock(db: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_locked_store_waits_says_so_and_gives_up_with_75(db: Path) -> None:
    base = ("--db", str(db))
    holder = _hold_lock(db, 30)
    try:
        started = time.monotonic()
        gave_up = cli(*base, "reply", "T-1042", "-m", "hello", "--wait", "0.5", "--json")
        assert time.monotonic() - started < 15
    finally:
        holder.kill()
        holder.wait()
    assert gave_up.code == 75, gave_up.err
    assert gave_up.error()["code"] == "unavailable"
    assert "locked by another process" in gave_up.err and "waiting" not in gave_up.err, "no notice before 2 s"

    holder = _hold_lock(db, 4)
    try:
        waited = cli(*base, "reply", "T-1042", "-m", "hello", "--wait", "20")
    finally:
        holder.wait(timeout=TIMEOUT)
    assert waited.code == 0, waited.err
    assert waited.err == "waiting for the store (locked by another process)…\n"
    assert len(cli(*base, "show", "T-1042", "--json").json()["messages"]) == 1, "sent once"
    sqlite3.connect(db).close()


# --- 9. text output in a pipe and on a terminal -----------------------------------------------------


def test_rows_in_a_pipe_are_tab_separated_whole_and_use_identifiers(db: Path, tmp_path: Path) -> None:
    base = ("--db", str(db))
    long_title = "A very long title " * 12
    hostile = demo_tasks(datetime.now(UTC))[0] | {
        "id": "T-7777",
        "title": long_title + "\x1b]0;pwned\x07\tend",
        "merchant": {"name": "Evil\u202eName\x1b[2J", "email": ""},
    }
    assert cli(*base, "import", "-", stdin=json.dumps(hostile).encode()).code == 0
    assert cli(*base, "reply", "T-1043", "-m", "hi").code == 0
    assert cli(*base, "inactive", "T-1043").code == 0
    listed = cli(*base, "list", "--limit", "0")
    lines = listed.out.splitlines()
    assert lines[0].split("\t") == ["ID", "KIND", "STATUS", "LEFT", "UNREAD", "MERCHANT", "SERVICE", "TITLE"]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert all(len(r) == 8 for r in rows.values())
    assert rows["T-1043"][2] == "inactive" and rows["T-1042"][2] == "new"
    assert {r[2] for r in rows.values()} >= {"new", "opened", "expired", "awaiting_response", "inactive"}
    assert rows["T-7777"][7].startswith(long_title.strip()) and "…" not in listed.out
    assert "\x1b" not in listed.out and "\x07" not in listed.out and "\u202e" not in listed.out
    headless = cli(*base, "list", "--no-headers", "--limit", "0").out.splitlines()
    assert [r.split("\t")[0] for r in headless] == [r.split("\t")[0] for r in lines[1:]]
    nothing = cli(*base, "list", "--merchant", "nobody at all")
    assert nothing.code == 0 and nothing.out == "" and nothing.err == "No tasks.\n"


def test_on_a_terminal_rows_are_columns_with_display_names(db: Path) -> None:
    assert cli("--db", str(db), "reply", "T-1043", "-m", "hi").code == 0
    term = PtyProcess([sys.executable, "-m", "expert_tui", "--db", str(db), "list"], cols=120, rows=40)
    assert term.close(TIMEOUT) == 0
    shown = term.output.decode("utf-8")
    assert "STATUS" in shown and "Responded" in shown and "\t" not in shown
    assert "responded " not in shown


# --- 10. JSON is UTF-8, with terminal-active characters escaped ------------------------------------


def test_json_is_utf8_but_bidi_and_invisible_characters_stay_escaped(db: Path, tmp_path: Path) -> None:
    base = ("--db", str(db))
    tricky = demo_tasks(datetime.now(UTC))[0] | {
        "id": "T-8888",
        "title": "Paweł \u202egnp.exe\u202c zero\u200bwidth\u2066iso\u2069 soft\u00adhyphen \x85nel",
    }
    assert cli(*base, "import", "-", stdin=json.dumps(tricky).encode()).code == 0
    for raw in (
        cli(*base, "show", "T-8888", "--json").raw,
        cli(*base, "list", "--json").raw,
        cli(*base, "export").raw,
    ):
        text = raw.decode("utf-8")
        assert "Paweł" in text and "\\u0142" not in text, "UTF-8, so grep finds names"
        for ch in ("\u202e", "\u202c", "\u200b", "\u2066", "\u2069", "\x85"):
            assert ch not in text, f"{ch!r} written raw"
        assert "\\u202e" in text
    assert cli(*base, "show", "T-8888", "--json").json()["title"] == tricky["title"], "the value is unchanged"


# --- 11. help agrees with the tool -------------------------------------------------------------------


def _commands() -> dict[str, Any]:
    parser = build_parser()
    return next(a for a in parser._actions if a.dest == "command").choices


#: The server operator's and the session's commands: they print no task data (README says so).
_NO_JSON = {"serve", "token", "simulate", "login", "logout", "completion"}


def test_every_option_has_help_and_every_command_takes_json() -> None:
    commands = _commands()
    for name, sub in [("expert-tui", build_parser()), *commands.items()]:
        if name in _NO_JSON:
            continue
        for action in sub._actions:
            if name == "help" and action.dest == "json":
                continue
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
        if name in ("expert-tui", "help"):
            continue
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        # A command with actions of its own (preferences show|set): each of them takes --json.
        for parser in [p for a in nested for p in a.choices.values()] or [sub]:
            assert any("--json" in a.option_strings for a in parser._actions), f"{parser.prog} takes no --json"
            assert all(a.help for a in parser._actions), f"{parser.prog} has an option without help"


def test_help_abbreviations_and_usage_errors() -> None:
    assert cli("help", "list").out == cli("list", "--help").out
    assert "exit codes" in cli("help").out and "75" in cli("help").out
    usage_error(cli("help", "lists"), "expert-tui")
    usage_error(cli("list", "--stat", "new"), "expert-tui list")  # no abbreviations
    usage_error(cli("list", "--status", "bogus"), "expert-tui list")
    usage_error(cli("reply"), "expert-tui reply")
    usage_error(cli("list", "--expiring-within", "soon"), "expert-tui list")
    usage_error(cli("frobnicate"), "expert-tui")


def test_the_readme_claims_hold(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for code in ("0", "1", "2", "70", "75", "130", "141"):
        assert re.search(rf"\b{code}\b", readme), f"exit code {code} is not in the README"
    assert (
        "every command but `serve`, `token`, `simulate`, `login`, `logout` and `completion` takes `--json`"
        in readme.lower()
    )
    assert "errors go to stderr only" in readme.lower()


# --- 12. output shaping -------------------------------------------------------------------------------


def test_fields_jq_and_the_commonest_filters(db: Path) -> None:
    base = ("--db", str(db))
    picked = cli(*base, "list", "--fields", "id,status,expires_at").json()
    assert picked and all(list(t) == ["id", "status", "expires_at"] for t in picked)
    assert list(cli(*base, "show", "T-1042", "--fields", "id,notes").json()) == ["id", "notes"]
    unknown = cli(*base, "list", "--fields", "id,nope")  # --fields asks for JSON: the error is JSON too
    assert unknown.code == 2 and "no field 'nope'" in unknown.error()["message"]
    ids = cli(*base, "list", "--jq", '.[] | select(.kind == "direct") | .id').out.split()
    assert ids and all(i.startswith("T-") for i in ids)
    count = cli(*base, "list", "--status", "new", "--status", "opened", "--jq", "length").out.strip()
    both = (
        cli(*base, "list", "--status", "new", "--json").json()
        + cli(*base, "list", "--status", "opened", "--json").json()
    )
    assert int(count) == len(both) > 0
    broken = cli(*base, "list", "--jq", ".[] | (")
    assert broken.code == 2 and broken.error()["field"] == "jq" and len(broken.err.splitlines()) == 1

    soon = cli(*base, "list", "--expiring-within", "6h", "--json").json()
    now = datetime.now(UTC)
    assert soon and all(t["status"] in ("new", "opened") for t in soon)
    assert all(datetime.fromisoformat(t["expires_at"]) - now <= timedelta(hours=6) for t in soon)
    anna = cli(*base, "list", "--merchant", "ANNA", "--json").json()
    assert anna and all("anna" in t["merchant"]["name"].lower() for t in anna)
    assert cli(*base, "list", "--merchant", "zielinski", "--json").json(), "any accents"
    seo = cli(*base, "list", "--service", "seo", "--json").json()
    assert seo and {t["service"] for t in seo} == {"SEO"}


def test_jq_without_the_package_says_so_in_one_line(db: Path) -> None:
    code = (
        "import sys; sys.modules['jq'] = None\n"
        "from expert_tui.cli import main\n"
        f"sys.exit(main(['--db', {str(db)!r}, 'list', '--jq', '.[].id']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1
    assert json.loads(done.stderr)["error"]["message"] == (
        "--jq needs the jq Python package, which is not installed: pip install 'expert-tui[jq]' "
        "(or pipe --json into any jq)"
    )


def test_task_fields_are_the_codecs(tasks: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    assert tuple(task_to_dict(task_from_dict(tasks[0], now, keep_state=True), now)) == TASK_FIELDS
