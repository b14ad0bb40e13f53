"""Every input has an upper bound (SPEC sections 5 and 6), enforced below the CLI, and a
bad input is one clear line with exit 2, never exit 70."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import T0
from task_ui import message, note, task_record

from expert_tui.demo import demo_tasks
from expert_tui.domain import FrozenClock, Invalid
from expert_tui.domain.timefmt import format_ts
from expert_tui.store.sqlite import SqliteStore


def test_an_id_that_is_not_utf8_is_bad_input_not_an_internal_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "expert_tui", "--db", str(tmp_path / "s.db"), "show", os.fsdecode(b"T-\xff")],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.decode() == "expert-tui: argument 4 is not valid UTF-8 text\n"


def test_the_store_refuses_an_id_that_is_not_unicode(tmp_path: Path, clock: FrozenClock) -> None:
    with SqliteStore(tmp_path / "s.db", clock=clock) as store:
        with pytest.raises(Invalid, match="lone surrogate") as error:
            store.get_task("T-\udcff")
        assert error.value.field == "id"


# --- limits of one task object (SPEC sections 5 and 6), enforced by the store ---------------------


def record(task_id: str = "T-1", **fields: object) -> dict:
    return task_record(task_id, now=T0, **fields)


def import_one(store: SqliteStore, bad: dict) -> str:
    """Import a good task, `bad`, and another good task: the reason `bad` was refused."""
    report = store.import_tasks(enumerate([record("T-good-1"), bad, record("T-good-2")], start=1))
    assert report.added == ["T-good-1", "T-good-2"], "the rest of the import goes on"
    ((rejection,),) = [report.rejected]
    assert rejection.line == 2
    return rejection.reason


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"title": "t" * 2001}, "title is too long (2,001 characters; at most 2,000)"),
        ({"merchant": {"name": "n" * 201}}, "merchant.name is too long (201 characters; at most 200)"),
        ({"business": {"store_name": "s" * 201}}, "business.store_name is too long (201 characters; at most 200)"),
        ({"service": "x" * 100_001}, "service is too long (100,001 characters; at most 100,000)"),
        ({"requirements": [{"question": "q", "answer": "a" * 100_001}]}, "requirements[0].answer is too long"),
        (
            {"messages": [message("m1", "merchant", "b" * 100_001, T0 - timedelta(hours=1))]},
            "messages[0].body is too long (100,001 characters; at most 100,000)",
        ),
        (
            {"messages": [message("m1", "merchant", "hi", T0 - timedelta(hours=1), name="n" * 201)]},
            "messages[0].author_name is too long",
        ),
        ({"notes": [note("n1", "hi", T0 - timedelta(hours=1), author="a" * 201)]}, "notes[0].author is too long"),
        (
            {"messages": [message(f"m{i}", "merchant", "hi", T0 - timedelta(hours=1)) for i in range(1001)]},
            "messages holds 1,001 items; at most 1,000",
        ),
        (
            {"notes": [note(f"n{i}", "hi", T0 - timedelta(hours=1)) for i in range(1001)]},
            "notes holds 1,001 items; at most 1,000",
        ),
        (
            {"requirements": [{"question": "q" * 50_000, "answer": "a" * 50_000}] * 11},
            "requirements makes the task too large (1.05 MiB of JSON without its messages and notes; at most 1 MiB)",
        ),
        ({"budget": {"min": 1, "max": math.inf, "currency": "EUR"}}, "budget.max must be a finite"),
    ],
)
def test_a_record_over_a_limit_is_refused_with_its_field_named(
    tmp_path: Path, clock: FrozenClock, fields: dict, reason: str
) -> None:
    with SqliteStore(tmp_path / "s.db", clock=clock) as store:
        assert reason in import_one(store, record("T-bad", **fields))


def test_at_the_limits_a_task_is_accepted(tmp_path: Path, clock: FrozenClock) -> None:
    at_limits = record(
        title="t" * 2000,
        merchant={"name": "n" * 200, "email": "a@b.example"},
        requirements=[{"question": "q" * 50_000, "answer": "a" * 50_000}] * 10,
        messages=[message(f"m{i}", "merchant", "hi", T0 - timedelta(hours=1)) for i in range(1000)],
        notes=[note(f"n{i}", "n" * 100_000 if i == 0 else "hi", T0 - timedelta(hours=1)) for i in range(1000)],
    )
    with SqliteStore(tmp_path / "s.db", clock=clock) as store:
        assert store.import_tasks([(1, at_limits)]).added == ["T-1"]
        with pytest.raises(Invalid, match="a task holds at most 1,000 notes") as error:
            store.add_note("T-1", "one more")
        assert error.value.field == "notes"


def test_the_1001st_message_is_refused(tmp_path: Path, clock: FrozenClock) -> None:
    full = record(
        messages=[message(f"m{i}", "merchant", "hi", T0 - timedelta(hours=1)) for i in range(1000)], status="new"
    )
    with SqliteStore(tmp_path / "s.db", clock=clock) as store:
        store.import_tasks([(1, full)])
        with pytest.raises(Invalid, match="a task holds at most 1,000 messages"):
            store.reply("T-1", "hello")
        assert len(store.get_task("T-1").messages) == 1000


def test_names_a_person_gives_are_bounded(tmp_path: Path, clock: FrozenClock) -> None:
    with pytest.raises(Invalid, match="user is too long"):
        SqliteStore(tmp_path / "s.db", clock=clock, user="u" * 201)
    with SqliteStore(tmp_path / "s.db", clock=clock) as store:
        store.import_tasks([(1, record())])
        with pytest.raises(Invalid, match="author is too long"):
            store.add_note("T-1", "hi", author="a" * 201)
        with pytest.raises(Invalid, match="draft is too long"):
            store.save_draft("T-1", "d" * (10 * 100_000 + 1))


# --- the import command: what jq writes, and what breaks one record only -----------------------------


def run_cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "expert_tui", *args], input=stdin, capture_output=True, timeout=120, check=False
    )


def test_a_number_too_large_and_invalid_utf8_reject_one_line_each(tmp_path: Path) -> None:
    good = [json.dumps(record(f"T-{i}", received_at=format_ts(datetime.now(UTC)))).encode() for i in range(3)]
    huge = good[1].replace(b'"min": 800', b'"min": ' + b"9" * 5000)
    bad_utf8 = good[2].replace(b"Anna Nowak", b"Anna \xff Nowak")
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join([good[0], huge, bad_utf8]) + b"\n")
    done = run_cli("--db", str(tmp_path / "s.db"), "import", str(source))
    assert done.returncode == 2, done.stderr
    assert done.stdout.decode().strip() == "added 1, unchanged 0, rejected 2"
    err = done.stderr.decode().splitlines()
    assert err[0].startswith(f"{source}, line 2: T-1: budget.min must be a finite number"), err
    assert err[1].startswith(f"{source}, line 3: not valid UTF-8 (byte"), err
    array = tmp_path / "in.json"
    array.write_bytes(b"[" + b",\n".join([huge.replace(b"T-1", b"T-9"), bad_utf8, good[0]]) + b"]")
    done = run_cli("--db", str(tmp_path / "s2.db"), "import", str(array))
    assert done.returncode == 2 and done.stdout.decode().strip() == "added 1, unchanged 0, rejected 2"


def test_export_through_jq_and_back_into_import(tmp_path: Path) -> None:
    """`export | jq 'select(.service=="SEO")' | import -`: jq prints pretty documents."""
    db = tmp_path / "s.db"
    tasks = demo_tasks(datetime.now(UTC))
    source = tmp_path / "all.jsonl"
    source.write_text("".join(json.dumps(t) + "\n" for t in tasks), encoding="utf-8")
    assert run_cli("--db", str(db), "import", str(source)).returncode == 0
    exported = run_cli("--db", str(db), "export").stdout
    seo = sorted(t["id"] for t in tasks if t["service"] == "SEO")
    assert len(seo) >= 2
    if shutil.which("jq"):
        pretty = subprocess.run(["jq", 'select(.service=="SEO")'], input=exported, capture_output=True, check=True)
        piped = pretty.stdout
    else:  # what jq prints: each document indented by 2, one after another
        piped = "".join(
            json.dumps(t, indent=2, ensure_ascii=False) + "\n"
            for t in map(json.loads, exported.splitlines())
            if t["service"] == "SEO"
        ).encode()
    assert piped.startswith(b"{\n  ")
    done = run_cli("--db", str(tmp_path / "seo.db"), "import", "--json", "-", stdin=piped)
    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(done.stdout)["added"]) == seo
