"""What an idle inbox writes to the terminal: the countdown digits that changed, nothing
else; and nothing at all of the inbox while another screen covers it.

The app is the real one over a real store; it only keeps a copy of every update the
compositor hands to the driver (`_display`), rendered to the bytes a terminal gets.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from inbox_helpers import demo_store
from rich.segment import Segment
from rich.style import Style
from task_ui import settle, until
from textual._compositor import CompositorUpdate
from textual.screen import Screen
from textual.strip import Strip

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock
from expert_tui.domain.timefmt import countdown
from expert_tui.screens.dialogs import FilterPicker
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.task import TaskScreen
from expert_tui.store.base import Event, TaskQuery
from expert_tui.store.sqlite import SqliteStore
from expert_tui.ui.exact_updates import ExactChopsUpdate, whole_characters
from expert_tui.widgets.countdown_line import CountdownLine
from expert_tui.widgets.task_columns import columns
from expert_tui.widgets.task_list import TaskList

pytestmark = pytest.mark.anyio

SIZE = (120, 40)
_MOVE = re.compile(r"\x1b\[(\d+);(\d+)H")
_SGR = re.compile(r"\x1b\[[0-9;]*m")


class RecordingApp(ExpertApp):
    """The real app; `written` holds what each screen update sends to the terminal."""

    def __init__(self, store: SqliteStore, clock: FrozenClock) -> None:
        # No store polling: nothing but the clock changes during these tests.
        super().__init__(store, clock=clock, poll_interval=3600)
        self.written: list[str] = []

    def _display(self, screen: Screen[object], renderable: object) -> None:
        if isinstance(renderable, CompositorUpdate):
            self.written.append(renderable.render_segments(self.console))
        super()._display(screen, renderable)  # type: ignore[arg-type]


def runs(written: str) -> list[tuple[int, int, str]]:
    """(row, column, text) of every run of cells a sequence writes (0-based)."""
    pieces = _MOVE.split(written)  # text, then (row, column, text) for every move
    found = []
    for index in range(1, len(pieces), 3):
        row, column, chunk = pieces[index : index + 3]
        text = _SGR.sub("", chunk).replace("\n", "")
        if text:
            found.append((int(row) - 1, int(column) - 1, text))
    return found


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock) -> SqliteStore:
    return demo_store(tmp_path / "tasks.db", clock)


def countdown_rows(task_list: TaskList) -> set[int]:
    """Screen rows of the list whose task shows a running countdown."""
    assert task_list.window is not None
    rows = set()
    for y in range(task_list.scrollable_content_region.height):
        task = task_list.window.task_at(round(task_list.scroll_y) + y)
        if task is not None and task.time_left(task_list.now) is not None:
            rows.add(task_list.region.y + y)
    return rows


async def test_an_idle_second_writes_only_the_countdown_digits_that_changed(
    store: SqliteStore, clock: FrozenClock
) -> None:
    app = RecordingApp(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        task_list = screen.task_list
        ticking = countdown_rows(task_list)
        assert len(ticking) >= 10  # the demo inbox is full of running countdowns
        app.written.clear()
        clock.advance(timedelta(seconds=1))
        app._tick()
        await settle(pilot)
        written = "".join(app.written)
        deadline_x = task_list.region.x + columns(task_list.scrollable_content_region.width).deadline[0]
        preview_y = screen.query_one(CountdownLine).region.y
        list_rows = range(task_list.region.y, task_list.region.bottom)
        found = runs(written)
        for row, column, text in found:
            assert row in list_rows or row == preview_y, (row, column, text)
            assert set(text) <= set("0123456789:"), text
            if row in list_rows:
                assert column >= deadline_x and len(text) <= len("00:00:00"), (row, column, text)
        assert {row for row, _, _ in found if row in list_rows} == ticking
        # A second changes one or two digits of most countdowns: a few bytes each.
        assert len(written) < 60 * (len(ticking) + 1), len(written)


async def test_the_preview_countdown_shows_the_new_time(store: SqliteStore, clock: FrozenClock) -> None:
    app = RecordingApp(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        task = screen.task_list.highlighted
        assert task is not None and task.time_left(clock()) is not None
        clock.advance(timedelta(seconds=61))
        app._tick()
        await settle(pilot)
        line = screen.query_one(CountdownLine).render_line(0).text
        assert countdown(task.time_left(clock())) in line  # type: ignore[arg-type]


@pytest.mark.parametrize(("key", "cover"), [("f", FilterPicker), ("enter", TaskScreen)])
async def test_nothing_of_the_inbox_renders_while_it_is_covered(
    store: SqliteStore, clock: FrozenClock, key: str, cover: type[Screen[object]]
) -> None:
    app = RecordingApp(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        task_list = inbox.task_list
        preview = inbox.query_one(CountdownLine)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, cover)
        lines = task_list._lines
        rendered = lines.hits + lines.misses
        preview_content = preview.content
        app.written.clear()
        for _ in range(3):
            clock.advance(timedelta(seconds=1))
            app._tick()
            await settle(pilot)
        window = task_list.window
        app.store_version += 1  # what another process's change looks like to the screens
        await settle(pilot)
        assert task_list.window is window  # not reloaded while covered
        assert lines.hits + lines.misses == rendered
        assert preview.content == preview_content
        if cover is FilterPicker:
            assert app.written == []  # the picker is still: nothing at all is written
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is inbox
        assert task_list.window is not window  # caught up once shown again
        task = task_list.highlighted
        assert task is not None
        left = task.time_left(clock())
        if left is not None:
            assert countdown(left) in task_list.render_line(task_list.cursor_row - round(task_list.scroll_y)).text


def test_a_span_never_cuts_a_wide_character_in_half() -> None:
    strip = Strip([Segment("ab", Style()), Segment("日本x", Style(bold=True))])  # cells: a b 日日 本本 x
    assert whole_characters(strip, 0, 2) == (0, 2)
    assert whole_characters(strip, 3, 4) == (2, 4)  # right half of 日 -> all of it
    assert whole_characters(strip, 2, 5) == (2, 6)  # ends inside 本 -> to its end
    assert whole_characters(strip, 6, 7) == (6, 7)


def test_an_update_span_is_cropped_at_both_ends() -> None:
    from rich.console import Console

    line = Strip([Segment("0123456789")])
    update = ExactChopsUpdate([{0: line}], [(0, 4, 6)], [[10]])
    assert update.render_segments(Console()) == "\x1b[1;5H45"


class EventLog(SqliteStore):
    """The real store, noting where each read of the change log started."""

    def __init__(self, path: Path, clock: FrozenClock) -> None:
        super().__init__(path, clock=clock)
        self.reads_after: list[int] = []

    def events(self, after: int, limit: int = 1000) -> list[Event]:
        self.reads_after.append(after)
        return super().events(after, limit)


async def test_start_up_skips_the_history_without_reading_it(tmp_path: Path, clock: FrozenClock) -> None:
    """The demo import left a history; start-up takes its end from `latest_event`, then
    reads only what comes after it, and a change made later still shows up."""
    demo_store(tmp_path / "t.db", clock).close()
    store = EventLog(tmp_path / "t.db", clock=clock)
    latest = store.latest_event()
    assert latest > 0
    app = ExpertApp(store, clock=clock, poll_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: bool(store.reads_after), "the first poll")
        assert app._seen_event == latest
        assert min(store.reads_after) == latest  # the history before start-up is never read
        version = app.store_version
        other = SqliteStore(tmp_path / "t.db", clock=clock)
        task_id = other.list_tasks(TaskQuery(limit=1)).items[0].id
        other.add_note(task_id, "from a second terminal")
        other.close()
        await until(pilot, lambda: app.store_version > version, "the change to arrive")
        assert app._seen_event > latest
