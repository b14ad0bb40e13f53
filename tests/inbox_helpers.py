"""Helpers for the inbox tests: a real store with demo data, and what reaches the screen."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from task_ui import settle
from textual.pilot import Pilot

from expert_tui.app import ExpertApp
from expert_tui.demo import demo_tasks
from expert_tui.domain import FrozenClock
from expert_tui.store.sqlite import SqliteStore

#: Escape sequences Textual itself writes for an update: colours, cursor moves, sync.
_OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;:]*m|\x1b\[\d+;\d+H|\x1b\[\?2026[hl]")


def demo_store(path: Path, clock: FrozenClock, records: list[dict[str, Any]] | None = None) -> SqliteStore:
    store = SqliteStore(path, clock=clock)
    report = store.import_tasks(enumerate(records if records is not None else demo_tasks(clock()), 1))
    assert not report.rejected, report.rejected
    return store


def screen_lines(app: ExpertApp) -> list[str]:
    """The plain text of every line of the screen, as the compositor has it."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def terminal_bytes(app: ExpertApp) -> str:
    """What the driver would write to the terminal for a full repaint of the screen."""
    update = app.screen._compositor.render_update(full=True)
    return update.render_segments(app.console)


def foreign_escapes(sequence: str) -> list[str]:
    """Control characters in `sequence` that Textual did not put there itself."""
    rest = _OWN_SEQUENCES.sub("", sequence)
    return [f"U+{ord(ch):04X}" for ch in rest if ch in "\x1b\x07\x9b\x9c\x9d" or (ord(ch) < 0x20 and ch != "\n")]


def row_of(app: ExpertApp, task_id: str) -> int | None:
    window = app.screen.task_list.window
    assert window is not None
    return window.find(task_id, 0, span=window.known_rows + 1)


def now_of(app: ExpertApp) -> datetime:
    return app.now


async def show_every_task(pilot: Pilot[None]) -> None:
    """The "all tasks" view: `f`, then the view after "needs you" (the default view lists
    only what needs the partner; some tests act on tasks that need no one)."""
    await pilot.press("f")
    await settle(pilot)
    await pilot.press("j", "enter")
    await settle(pilot)
