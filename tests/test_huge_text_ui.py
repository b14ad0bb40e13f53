"""Stored text of any size costs the screen what fits on it, not what was stored.

The limits keep new text small, but a store written before them (or by another program)
may hold a 50 MB title, requirement, message or note. The inbox, the preview and the
task screen must still draw at once, and `q` must still answer.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from task_ui import message, note, opened, task_record, terminal_output, until

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock
from expert_tui.screens.inbox import InboxScreen
from expert_tui.store.sqlite import SqliteStore
from expert_tui.widgets.conversation import message_content, note_content
from expert_tui.widgets.preview import summary
from expert_tui.widgets.safe import SCREEN_MAX_CHARS
from expert_tui.widgets.task_details import details_content, header_content, title_content

pytestmark = pytest.mark.anyio

HUGE = 50 * 1024 * 1024


def store_with_huge_text(path: Path, clock: FrozenClock) -> SqliteStore:
    """A task with a 50 MB title and a 10 MB message and note, written into the file
    directly as an old store would hold them (an import refuses them now)."""
    now = clock()
    record = task_record(
        now=now,
        messages=[message("m1", "merchant", "short", now - timedelta(hours=1))],
        notes=[note("n1", "short", now - timedelta(minutes=5))],
    )
    with SqliteStore(path, clock=clock) as store:
        assert not store.import_tasks([(1, record)]).rejected
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE tasks SET title = ?", ("Żółw " + "x" * HUGE,))
        # One unbroken word: the costliest text to wrap. 10 MB each keeps the test quick.
        conn.execute("UPDATE messages SET body = ?", ("Żółw " + "x" * (HUGE // 5),))
        conn.execute("UPDATE notes SET body = ?", ("Żółw " + "x" * (HUGE // 5),))
    return SqliteStore(path, clock=clock)


async def test_a_50_mb_title_message_and_note_draw_at_once_and_q_answers(tmp_path: Path, clock: FrozenClock) -> None:
    store = store_with_huge_text(tmp_path / "t.db", clock)
    app = ExpertApp(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.task_list.row_count > 0, "rows")
        await pilot.pause()
        text, _ = terminal_output(app)
        assert "Żółw xxxx" in text, "the inbox row and the preview show the start of the title"
        await pilot.press("enter")
        await opened(pilot)
        text, _ = terminal_output(app)
        assert "Żółw" in text and "x" * 100 in text
        await pilot.press("G")  # the end of the conversation: the note, cut and said so
        await until(pilot, lambda: "more characters not shown)" in terminal_output(app)[0], "the cut note")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "back in the inbox")
        await pilot.press("q")
        await until(pilot, lambda: app._exit, "q quits")
    store.close()


def test_what_widgets_are_given_is_bounded_whatever_was_stored(tmp_path: Path, clock: FrozenClock) -> None:
    """The screen-cost budget, without a clock: every piece of text handed to a widget
    is at most what a few screens hold (the time it takes is measured in bench/)."""
    with store_with_huge_text(tmp_path / "t.db", clock) as store:
        task = store.get_task("T-1")
    now = clock()
    pieces = [title_content(task), header_content(task, now), details_content(task)]
    pieces += [message_content(task.messages[0]), note_content(task.notes[0]), summary(task)]
    for content in pieces:
        assert len(content.plain) <= SCREEN_MAX_CHARS + 200, "the text, a header and the cut note"
    assert message_content(task.messages[0]).plain.rstrip().endswith("more characters not shown)")
