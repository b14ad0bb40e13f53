"""Snapshots of the task screen, the decline dialog, the template editor and help.

Deterministic: a frozen clock, fixed data, no cursor blink, isolated home. Update with
`pytest tests/test_snapshots_task.py --snapshot-update` after looking at the new SVGs.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from task_ui import TaskApp, make_store, message, note, opened, task_record, until
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from expert_tui.domain import FrozenClock
from expert_tui.screens.dialogs import DeclineDialog, TemplatePicker
from expert_tui.screens.help import HelpScreen

SIZES = [(80, 24), (120, 40)]


def snapshot_app(tmp_path: Path, clock: FrozenClock, task_id: str = "T-1") -> TaskApp:
    now = clock()
    conversation = task_record(
        "T-1",
        now=now,
        age=timedelta(hours=30),
        status="awaiting_response",
        title="Move our [shop] from Etsy before the holidays",
        messages=[
            message(
                "m1",
                "merchant",
                "We sell hand-knitted sweaters.\nCan you move 120 products?",
                now - timedelta(hours=29),
            ),
            message(
                "m2",
                "partner",
                "Yes — about a week of work. Do you have reviews to keep?",
                now - timedelta(hours=5),
                name="Ola",
            ),
            message("m3", "merchant", "Yes, 340 reviews. Budget is [firm].", now - timedelta(minutes=40)),
        ],
        notes=[note("n1", "Quote 1,200 EUR incl. review import", now - timedelta(minutes=20))],
    )
    fresh = task_record("T-2", now=now, age=timedelta(hours=67), title="Speed up product pages")
    store = make_store(tmp_path / "snap.db", clock, conversation, fresh)
    store.user = "Ola"  # not the login name of whoever runs the tests
    return TaskApp(store, clock, task_id)


def still(pilot: Pilot[Any]) -> None:
    """No blinking cursor anywhere, so two runs paint the same frame."""
    for widget in pilot.app.screen.query("*"):
        if isinstance(widget, TextArea | Input):
            widget.cursor_blink = False


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_task_screen(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.pause()

    assert snap_compare(snapshot_app(tmp_path, clock), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_new_task_with_countdown(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.pause()

    assert snap_compare(snapshot_app(tmp_path, clock, "T-2"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_decline_dialog(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    async def open_dialog(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(pilot.app.screen, DeclineDialog), "decline dialog")
        await pilot.press("6", "ctrl+s")  # 'Other' without a comment: the dialog says why it stays
        still(pilot)
        await pilot.pause()

    assert snap_compare(snapshot_app(tmp_path, clock, "T-2"), terminal_size=size, run_before=open_dialog)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_first_reply_from_template(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(pilot.app.screen, TemplatePicker), "template picker")
        await pilot.press("1")
        await until(pilot, lambda: not isinstance(pilot.app.screen, TemplatePicker), "template chosen")
        still(pilot)
        await pilot.pause()

    assert snap_compare(snapshot_app(tmp_path, clock, "T-2"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
        await pilot.pause()

    assert snap_compare(snapshot_app(tmp_path, clock), terminal_size=size, run_before=run_before)
