"""SPEC 2: contacts have no 72-hour window, no countdown and never expire — so the
command line shows no time left, deadline or closed window for one, in words, in the
terminal table, down a pipe or in JSON, however old the contact is; tasks keep theirs."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from expert_tui.cli import main
from expert_tui.domain.timefmt import format_ts
from tests.store_contract import record

#: A countdown as the CLI writes one (`2d 18:48:19`, `00:00:00`).
COUNTDOWN = re.compile(r"\d\d:\d\d:\d\d")


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """C-201 came in 6 hours ago (a countdown would read 2d 18:…), C-1 400 days ago
    (one would read 00:00:00 or 'closed'), T-1 is a task whose window is running."""
    now = datetime.now(UTC).replace(microsecond=0)
    tasks = [
        record("C-201", kind="contact", received_at=format_ts(now - timedelta(hours=6))),
        record("C-1", kind="contact", received_at=format_ts(now - timedelta(days=400))),
        record("T-1", received_at=format_ts(now - timedelta(hours=6))),
    ]
    source = tmp_path / "tasks.json"
    source.write_text(json.dumps(tasks), encoding="utf-8")
    path = tmp_path / "tasks.db"
    assert main(["--db", str(path), "import", str(source)]) == 0
    capsys.readouterr()
    return path


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> str:
    assert main(["--db", str(db), *argv]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_show_says_no_deadline_for_a_contact(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    monkeypatch.setenv("EXPERT_TUI_LANG", lang)
    for contact in ("C-201", "C-1"):
        status = run(capsys, db, "show", contact).splitlines()[1]
        assert status.split() == (["Status:", "New"] if lang == "en" else ["Status:", "Nowe"]), status
    task = run(capsys, db, "show", "T-1").splitlines()[1]
    assert COUNTDOWN.search(task), task


def test_json_has_no_expires_at_for_a_contact(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for contact in ("C-201", "C-1"):
        shown = json.loads(run(capsys, db, "show", contact, "--json"))
        assert shown["expires_at"] is None and shown["status"] == "new"
    listed = json.loads(run(capsys, db, "list", "--kind", "contact", "--json"))
    assert {task["id"]: task["expires_at"] for task in listed} == {"C-201": None, "C-1": None}
    fields = json.loads(run(capsys, db, "list", "--kind", "contact", "--fields", "id,expires_at"))
    assert sorted(fields, key=str) == [{"id": "C-1", "expires_at": None}, {"id": "C-201", "expires_at": None}]
    assert json.loads(run(capsys, db, "show", "T-1", "--json"))["expires_at"].endswith("Z")


def test_a_pipe_leaves_a_contacts_left_column_empty(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header, *rows = run(capsys, db, "list", "--kind", "contact").splitlines()
    left = header.split("\t").index("LEFT")
    assert sorted(row.split("\t")[0] for row in rows) == ["C-1", "C-201"]
    assert [row.split("\t")[left] for row in rows] == ["", ""]


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_terminal_table_shows_no_countdown_for_a_contact(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    monkeypatch.setenv("EXPERT_TUI_LANG", lang)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    _header, *rows = run(capsys, db, "list", "--kind", "contact").splitlines()
    assert len(rows) == 2 and not any(COUNTDOWN.search(row) for row in rows), rows
    _header, *tasks = run(capsys, db, "list").splitlines()
    assert len(tasks) == 1 and COUNTDOWN.search(tasks[0]), tasks


def test_expiring_within_never_lists_a_contact(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listed = json.loads(run(capsys, db, "list", "--kind", "contact", "--expiring-within", "365d", "--json"))
    assert listed == []
