"""The installed app in a real terminal: start, draw the inbox, quit with `q`, exit 0;
and leave (not spin) when the terminal goes away."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psutil
from inbox_helpers import demo_store
from pty_run import PtyProcess

from expert_tui.domain import FrozenClock


def start(db: Path, cols: int = 120, rows: int = 40, env: dict[str, str] | None = None) -> PtyProcess:
    return PtyProcess([sys.executable, "-m", "expert_tui", "--db", str(db)], cols=cols, rows=rows, env=env)


def test_the_app_starts_draws_the_inbox_and_quits(tmp_path: Path, clock: FrozenClock) -> None:
    db = tmp_path / "tasks.db"
    demo_store(db, clock).close()
    app = start(db)
    assert app.wait_for(b"Reply within", timeout=20) is not None, app.output[-2000:]
    assert app.wait_for(b"Merchant", timeout=20) is not None
    app.send(b"q")
    assert app.close() == 0
    assert b"\x1b[?1049l" in app.output  # left the alternate screen: the terminal is restored


def test_the_app_speaks_the_persons_language(tmp_path: Path, clock: FrozenClock) -> None:
    """`LANG=pl_PL.UTF-8` (EXPERT_TUI_LANG unset): the screens are in Polish, at 80x24."""
    db = tmp_path / "tasks.db"
    demo_store(db, clock).close()
    app = start(db, 80, 24, env={"EXPERT_TUI_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "pl_PL.UTF-8"})
    assert app.wait_for(b"Pomoc", timeout=20) is not None, app.output[-2000:]
    assert app.wait_for("Wyjdź".encode(), timeout=20) is not None
    assert b"Help" not in app.output and b"Quit" not in app.output
    app.send(b"q")
    assert app.close() == 0


def test_the_app_exits_when_its_terminal_goes_away(tmp_path: Path, clock: FrozenClock) -> None:
    db = tmp_path / "tasks.db"
    demo_store(db, clock).close()
    app = start(db, 80, 24)
    assert app.wait_for(b"Reply within", timeout=20) is not None
    process = psutil.Process(app.process.pid)
    app.process.send_signal(1)  # SIGHUP: what a dropped SSH session sends
    app.read(0.2)
    try:
        code = app.close(timeout=10)
    except Exception:
        cpu = process.cpu_percent(interval=1.0)
        app.process.kill()
        raise AssertionError(f"still running after SIGHUP, at {cpu:.0f}% CPU") from None
    assert code == 129


def test_the_app_exits_when_the_tty_hangs_up_without_a_signal(tmp_path: Path, clock: FrozenClock) -> None:
    """`nohup`-style: SIGHUP ignored, the master side closes; the app must not spin."""
    db = tmp_path / "tasks.db"
    demo_store(db, clock).close()
    app = PtyProcess(
        [
            sys.executable,
            "-c",
            "import signal, sys, runpy; signal.signal(signal.SIGHUP, signal.SIG_IGN);"
            "sys.argv = ['expert-tui', '--db', sys.argv[1]]; runpy.run_module('expert_tui', run_name='__main__')",
            str(db),
        ],
        cols=80,
        rows=24,
    )
    assert app.wait_for(b"Reply within", timeout=20) is not None
    os.close(app.master)
    try:
        app.process.wait(10)
    except Exception:
        cpu = psutil.Process(app.process.pid).cpu_percent(interval=1.0)
        app.process.kill()
        raise AssertionError(f"still running after the hang-up, at {cpu:.0f}% CPU") from None
