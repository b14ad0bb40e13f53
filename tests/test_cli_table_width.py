"""README: on a terminal `list` prints "aligned columns cut to its width". At 80 columns
every row once was 117 cells and wrapped (only the title was cut). Each row now fits the
terminal at every width — measured by Rich's cell count and by a real pty's screen —
with the hostile corpus in every merchant-written cell, in English and in Polish; a pipe
still gets every cell whole."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pty_run import PtyProcess
from rich.cells import cell_len
from test_cli import TIMEOUT, cli

from expert_tui.cli import render
from expert_tui.domain import Kind, Merchant, Status, Task
from expert_tui.i18n import speaking
from tests.store_contract import record

WIDTHS = (80, 100, 120, 200)
HOSTILE = json.loads((Path(__file__).parent / "data" / "hostile_text.json").read_text(encoding="utf-8"))


def hostile_tasks(now: datetime) -> list[Task]:
    """One task per corpus entry, its text as merchant, service and title; the longest
    status name and an unread count among them."""
    return [
        Task(
            id=f"T-{index}",
            kind=Kind.DIRECT if index % 2 else Kind.MATCH,
            service=entry["text"],
            title=entry["text"],
            received_at=now - timedelta(hours=index),
            merchant=Merchant(entry["text"] or "Anna Nowak", "anna@example.com"),
            status=Status.AWAITING_RESPONSE if index % 3 == 0 else Status.NEW,
            unread=index,
        )
        for index, entry in enumerate(HOSTILE)
    ]


@pytest.mark.parametrize("lang", ["en", "pl"])
@pytest.mark.parametrize("width", WIDTHS)
def test_every_row_fits_the_width(lang: str, width: int) -> None:
    now = datetime.now(UTC)
    with speaking(lang):
        header, *rows = render.task_table(hostile_tasks(now), now, width)
    assert len(rows) == len(HOSTILE)
    too_wide = [(cell_len(line), line) for line in (header, *rows) if cell_len(line) > width]
    assert too_wide == []
    assert not any(ch in line for line in rows for ch in "\x1b\x07\x9b\r\n\u202e")
    # What a row is for stays whole: its id, its status and the time left to answer.
    for index, row in enumerate(rows):
        assert row.startswith(f"T-{index} ")
    assert header.split()[0] == "ID" and len(header.split()) >= 4


def test_the_least_useful_columns_give_way_first() -> None:
    now = datetime.now(UTC)
    task = Task(
        id="T-1042",
        kind=Kind.MATCH,
        service="Theme customization of the whole store",
        title="Make our product pages faster, they take ten seconds to load",
        received_at=now - timedelta(hours=1),
        merchant=Merchant("Anna Nowak-Kowalska"),
        status=Status.AWAITING_RESPONSE,
        unread=2,
    )
    headers = {width: next(render.task_table([task], now, width)).split() for width in WIDTHS}
    assert headers[200] == ["ID", "KIND", "STATUS", "LEFT", "UNREAD", "MERCHANT", "SERVICE", "TITLE"]
    assert headers[80] == ["ID", "STATUS", "LEFT", "UNREAD", "MERCHANT", "TITLE"]
    wide, narrow = (list(render.task_table([task], now, width))[1] for width in (200, 80))
    assert "Awaiting your reply" in wide and "Theme customization" in wide and "Make our product pages faster" in wide
    assert "Awaiting you…" in narrow and "Make our product pa…" in narrow and "Theme" not in narrow


def import_hostile(tmp_path: Path) -> Path:
    now = datetime.now(UTC)
    tasks = [
        record(
            f"T-{index}",
            title=entry["text"][:2000],
            service=entry["text"][:200],
            merchant={"name": entry["text"][:200], "email": "anna@example.com"},
            received_at=(now - timedelta(hours=index)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        for index, entry in enumerate(HOSTILE)
        if entry["id"] != "surrogate-escape"  # not UTF-8: an import file cannot hold it
    ]
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(tasks), encoding="utf-8")
    db = tmp_path / "tasks.db"
    done = cli("--db", str(db), "import", str(source))
    assert done.code == 0, done.err
    return db


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_real_terminal_shows_each_row_on_one_line(tmp_path: Path, lang: str) -> None:
    db = import_hostile(tmp_path)
    count = len(HOSTILE) - 1
    env: dict[str, Any] = {"COLUMNS": "", "LINES": "", "EXPERT_TUI_LANG": lang}  # the pty's own size
    for cols in (80, 120):
        term = PtyProcess(
            [sys.executable, "-m", "expert_tui", "--db", str(db), "list", "--limit", "0"], cols=cols, rows=60, env=env
        )
        assert term.close(TIMEOUT) == 0
        lines = term.output.decode("utf-8").split("\r\n")
        assert max(cell_len(line) for line in lines) <= cols
        shown = [line for line in term.lines() if line]
        assert len(shown) == count + 1, "no row wrapped onto a second line"
        assert sorted(line.split()[0] for line in shown[1:]) == sorted(f"T-{i}" for i in range(len(HOSTILE)) if i != 24)


def test_a_pipe_still_gets_every_cell_whole(tmp_path: Path) -> None:
    db = import_hostile(tmp_path)
    rows = cli("--db", str(db), "list", "--limit", "0", env={"COLUMNS": "80"}).out.splitlines()
    assert rows[0].split("\t") == ["ID", "KIND", "STATUS", "LEFT", "UNREAD", "MERCHANT", "SERVICE", "TITLE"]
    polish = next(row.split("\t") for row in rows if row.startswith("T-18\t"))
    assert polish[5] == polish[6] == polish[7] == "Zażółć gęślą jaźń — sklep z żółwiami, Łódź"
