"""Helpers for the UI tests: task records, a real store and the app around it, and the
one way every UI test waits (`until`, `settle`), stills the frame (`still`) and sizes
its snapshots (`SIZES`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TextArea

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock
from expert_tui.domain.timefmt import format_ts
from expert_tui.screens.task import TaskScreen
from expert_tui.store.sqlite import SqliteStore

S = TypeVar("S", bound=Screen[Any])

T0 = datetime(2026, 11, 28, 6, 0, 0)
#: How long `until` lets the app run: generous, so a loaded CI machine is not a failure.
UNTIL_TIMEOUT = 10.0
#: The terminal sizes every screen is checked at (SPEC 3: it works at 80x24).
SIZES = [(80, 24), (120, 40)]
#: `@size_ids` runs a test at each of `SIZES`, named like `[80x24]`.
size_ids = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


def still(pilot: Pilot[Any]) -> None:
    """No blinking cursor anywhere, so two runs paint the same frame: a focused editor shows
    a steady cursor. A TextArea's line cache is emptied too: its key does not tell a line
    drawn in the blink's "off" phase from one drawn with the blink stopped, so without that
    the frame followed the blink's phase at the moment (a CI failure under load)."""
    for screen in pilot.app.screen_stack:
        for widget in screen.query("*"):
            if isinstance(widget, TextArea | Input):
                widget.cursor_blink = False
                if isinstance(widget, TextArea):
                    widget._line_cache.clear()
                widget.refresh()


def task_record(task_id: str = "T-1", *, now: datetime, age: timedelta = timedelta(hours=2), **fields: Any) -> dict:
    """A realistic task object (SPEC section 5), received `age` before `now`."""
    record: dict[str, Any] = {
        "id": task_id,
        "kind": "match",
        "service": "Store setup",
        "title": "Set up our pet store before Christmas",
        "received_at": format_ts(now - age),
        "merchant": {"name": "Anna Nowak", "email": "anna@zolw.example"},
        "requirements": [
            {"question": "What do you sell?", "answer": "Turtle food, terrariums and lamps"},
            {"question": "When do you need it?", "answer": "Before 15 December"},
        ],
        "business": {
            "store_name": "Żółw i Spółka",
            "store_url": "https://zolw.example",
            "industry": "Pets",
            "country": "PL",
            "plan": "Basic",
            "dropshipper": False,
        },
        "priorities": {"time": "high", "cost": "medium", "quality": "high"},
        "budget": {"min": 800, "max": 1500, "currency": "EUR"},
        "status": "new",
        "messages": [],
        "notes": [],
    }
    record.update(fields)
    return record


def message(msg_id: str, author: str, body: str, sent_at: datetime, name: str = "Anna Nowak") -> dict:
    return {"id": msg_id, "author": author, "author_name": name, "body": body, "sent_at": format_ts(sent_at)}


def ongoing(clock: FrozenClock, asked: str = "Great, what would it cost?") -> dict:
    """A task in conversation: the partner (Ola) wrote first, the merchant asked `asked`
    back, so it awaits the partner's reply: where a follow-up is written."""
    now = clock()
    return task_record(
        now=now,
        status="awaiting_response",
        messages=[
            message("m1", "partner", "Hello Anna, happy to help.", now - timedelta(hours=1), name="Ola"),
            message("m2", "merchant", asked, now - timedelta(minutes=30)),
        ],
    )


def note(note_id: str, body: str, at: datetime, author: str = "marek") -> dict:
    return {"id": note_id, "author": author, "body": body, "created_at": format_ts(at)}


def make_store(path: Path, clock: FrozenClock, *records: dict) -> SqliteStore:
    store = SqliteStore(path, clock=clock)
    report = store.import_tasks(enumerate(records, 1))
    assert not report.rejected, report.rejected
    return store


class TaskApp(ExpertApp):
    """The real app, opened on one task as the inbox would open it."""

    def __init__(
        self,
        store: SqliteStore,
        clock: FrozenClock,
        task_id: str = "T-1",
        *,
        reply: bool = False,
        undo_send_seconds: int = 0,
    ) -> None:
        """`undo_send_seconds` is 0 (send at once) unless a test is about undo send."""
        super().__init__(store, clock=clock, undo_send_seconds=undo_send_seconds)
        self._task_id = task_id
        self._reply = reply

    def on_mount(self) -> None:
        super().on_mount()
        self.push_screen(TaskScreen(self._task_id, reply=self._reply))


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str, timeout: float = UNTIL_TIMEOUT) -> None:
    """Let the app run until `condition` holds (bounded by time, not by a count of
    pauses, which a loaded CI machine stretches; no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for: {what}")
        await pilot.pause(0.01)


async def settle(pilot: Pilot[Any], *, steady: bool = False) -> None:
    """Let workers (page loads, store calls) finish and the screen repaint; `steady`: then
    stop every cursor blinking (`still`) and wait until the screen stays the same, for a
    snapshot."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    if steady:
        await steady_screen(pilot)


async def steady_screen(pilot: Pilot[Any], timeout: float = UNTIL_TIMEOUT) -> None:
    """For a snapshot: no cursor blinking (`still`), and then until two repaints in a row
    show the same screen: a scroll deferred to after a refresh, or a worker started by the
    last one, lands before the snapshot instead of after it on a loaded machine (a count
    of pauses is not enough there). Bounded by time; a screen that keeps moving is left to
    the snapshot to show."""
    still(pilot)
    deadline = time.monotonic() + timeout
    shown = pilot.app.export_screenshot()
    while time.monotonic() < deadline:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.02)
        again = pilot.app.export_screenshot()
        if again == shown:
            return
        shown = again


async def screen_when(pilot: Pilot[Any], screen_type: type[S], ready: Callable[[S], bool], what: str) -> S:
    """The app's front screen once it is a `screen_type` and `ready` says it has loaded."""

    def shown() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, screen_type) and ready(screen)

    await until(pilot, shown, what)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, screen_type)
    return screen


async def opened(pilot: Pilot[Any]) -> TaskScreen:
    """The task screen once its task has loaded."""
    return await screen_when(pilot, TaskScreen, lambda screen: screen.current is not None, "the task to load")


def terminal_output(app: App[Any]) -> tuple[str, str]:
    """What the app writes to the terminal for a full repaint, as (text, raw bytes).

    The raw string is exactly what the driver would write (`render_segments` is what
    `App._display` sends); the text is the characters on screen, row by row.
    """
    update = app.screen._compositor.render_full_update()
    raw = update.render_segments(app.console)
    text = "\n".join("".join(segment.text for segment in strip) for strip in update.strips)
    return text, raw
