"""Alerts (issue 10): a bell or a desktop notification through the terminal (OSC 9, OSC 777)
when a task arrives or a task owed an answer falls under the threshold; one a minute at most;
merchant words never able to break out of the sequence."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from pty_run import PtyProcess
from task_ui import make_store, task_record, until
from test_pty_flow import make_db, now, see, seen_after

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock
from expert_tui.settings import SettingsFile
from expert_tui.store.sqlite import SqliteStore
from expert_tui.ui.alerts import alert_bytes

pytestmark = pytest.mark.anyio


def test_the_bytes_of_each_kind_of_alert() -> None:
    assert alert_bytes("off", "New task", "x") == ""
    assert alert_bytes("bell", "New task", "x") == "\a"
    assert alert_bytes("desktop", "New task", "Anna — Shop") == "\x1b]9;New task: Anna — Shop\x07"
    assert alert_bytes("osc777", "Reply soon", "a;b") == "\x1b]777;notify;Reply soon;a,b\x07"
    hostile = alert_bytes("desktop", "New task", "Eve\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J" + "x" * 500)
    assert hostile.count("\x1b") == 1 and hostile.count("\x07") == 1, "merchant words end nothing"
    assert len(hostile) < 260
    wrapped = alert_bytes("desktop", "New task", "x", in_tmux=True)
    assert wrapped == "\x1bPtmux;\x1b\x1b]9;New task: x\x07\x1b\\"


def said(app: ExpertApp, words: str) -> bool:
    return any(words in str(n.message) for n in app._notifications)


async def test_one_alert_a_minute_at_most(tmp_path: Path, clock: FrozenClock) -> None:
    SettingsFile().update(alerts="bell")
    app = ExpertApp(make_store(tmp_path / "t.db", clock), clock=clock, poll_interval=3600)
    async with app.run_test(size=(80, 24)):
        assert app.alerts.alert("New task", "first")
        clock.advance(timedelta(seconds=59))
        assert not app.alerts.alert("New task", "second")
        clock.advance(timedelta(seconds=2))
        assert app.alerts.alert("New task", "third")


async def test_a_task_falling_under_the_threshold_alerts_once(tmp_path: Path, clock: FrozenClock) -> None:
    SettingsFile().update(alerts="desktop", alert_hours=6)
    store = make_store(
        tmp_path / "t.db",
        clock,
        task_record("T-1", now=clock(), age=timedelta(hours=67)),  # 5 h left at start: known, no alert
        task_record("T-2", now=clock(), age=timedelta(hours=65)),  # 7 h left
    )
    app = ExpertApp(store, clock=clock, poll_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.alerts._warned is not None, "the alerts' stock taken")
        assert app.alerts._warned == {"T-1"}
        clock.advance(timedelta(hours=1, minutes=1))  # T-2 has 5 h 59 min left
        await app.alerts._check_deadlines()
        await until(pilot, lambda: said(app, "Reply soon: T-2 Anna Nowak: 05:59:00 left to reply"), "the alert")
        clock.advance(timedelta(minutes=5))  # past the minute: only a new task could alert now
        await app.alerts._check_deadlines()
        assert sum("T-2" in str(n.message) for n in app._notifications) == 1, "once per task"


def test_a_new_task_alerts_through_the_terminal_with_osc_9(tmp_path: Path) -> None:
    SettingsFile().update(alerts="desktop")
    db = make_db(tmp_path, task_record(now=now()))
    app = PtyProcess([sys.executable, "-m", "expert_tui", "--db", str(db)], cols=80, rows=24, env={"TMUX": ""})
    try:
        see(app, "Anna Nowak")
        mark = len(app.output)
        with SqliteStore(db) as store:  # another process delivers (an import, here)
            arrived = task_record("T-2", now=now(), merchant={"name": "Noah Miller", "email": "noah@example.com"})
            assert not store.import_tasks([(1, arrived)]).rejected
        seen_after(app, mark, "\x1b]9;New task: Noah Miller — Set up our pet store before Christmas\x07")
        app.send(b"q")
        assert app.close() == 0
    finally:
        if app.process.poll() is None:
            app.process.kill()
