"""`import` shows its progress on a terminal (count, rate, time left) and nowhere else."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from expert_tui.demo import generate_tasks
from tests.pty_run import PtyProcess

TASKS = 3_000


def tasks_file(tmp_path: Path) -> Path:
    path = tmp_path / "tasks.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for task in generate_tasks(TASKS, datetime.now(UTC), seed=3):
            out.write(json.dumps(task) + "\n")
    return path


def test_a_terminal_sees_the_bar_then_the_report(tmp_path: Path) -> None:
    source = tasks_file(tmp_path)
    run = PtyProcess(
        [sys.executable, "-m", "expert_tui", "--db", str(tmp_path / "s.db"), "import", str(source)], cols=100, rows=10
    )
    assert run.close(timeout=120) == 0
    written = run.output.decode("utf-8", "replace")
    assert "importing" in written and f"{TASKS:,} tasks ·" in written and "/s" in written
    # Transient: once done, the report is what the terminal shows.
    assert f"added {TASKS}, unchanged 0, rejected 0" in run.text()
    assert "importing" not in run.text()


def test_a_pipe_or_a_log_gets_no_bar(tmp_path: Path) -> None:
    source = tasks_file(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "expert_tui", "--db", str(tmp_path / "s.db"), "import", str(source)],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0
    assert done.stdout.decode() == f"added {TASKS}, unchanged 0, rejected 0\n"
    assert done.stderr == b""
