"""From the inbox to the partner's other screens: `p` preferences, `C` contacts.

Both keys stay out of the 80-column footer (it keeps `? Help` in view), so help and
the command palette are where a partner finds them: both are checked here.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from inbox_helpers import demo_store, screen_lines, show_every_task
from task_ui import make_store, message, task_record, terminal_output, until

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock, Status
from expert_tui.screens.contacts import ContactsScreen
from expert_tui.screens.dialogs import ConfirmKey
from expert_tui.screens.help import HelpScreen
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.preferences import PreferencesScreen
from expert_tui.store.sqlite import SqliteStore
from expert_tui.ui.palette import screen_commands

pytestmark = pytest.mark.anyio


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock) -> SqliteStore:
    return demo_store(tmp_path / "tasks.db", clock)


async def inbox_ready(pilot: object) -> InboxScreen:
    app = pilot.app  # type: ignore[attr-defined]
    await until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.task_list.highlighted, "the inbox")  # type: ignore[arg-type]
    return app.screen


@pytest.mark.parametrize(("action", "screen_type"), [("preferences", PreferencesScreen), ("contacts", ContactsScreen)])
async def test_the_screen_opens_once_and_esc_comes_back(
    store: SqliteStore, clock: FrozenClock, action: str, screen_type: type
) -> None:
    """Two requests in one frame (a key and the palette, a bouncing key): one screen."""
    app = ExpertApp(store, clock=clock, poll_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = await inbox_ready(pilot)
        getattr(inbox, f"action_{action}")()
        getattr(inbox, f"action_{action}")()
        await until(pilot, lambda: isinstance(app.screen, screen_type), screen_type.__name__)
        await pilot.pause()
        assert sum(isinstance(screen, screen_type) for screen in app.screen_stack) == 1
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is inbox, "back in the inbox")


@pytest.mark.parametrize(("key", "screen_type"), [("p", PreferencesScreen), ("C", ContactsScreen)])
async def test_pressing_the_key_opens_the_screen(
    store: SqliteStore, clock: FrozenClock, key: str, screen_type: type
) -> None:
    app = ExpertApp(store, clock=clock, poll_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await inbox_ready(pilot)
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, screen_type), screen_type.__name__)


async def test_the_palette_offers_both_and_runs_them(store: SqliteStore, clock: FrozenClock) -> None:
    app = ExpertApp(store, clock=clock, poll_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        inbox = await inbox_ready(pilot)
        names = [command.name for command in screen_commands(inbox)]
        assert "Go to: preferences (p)" in names and "Go to: contacts (C)" in names
        await pilot.press("ctrl+p", *"contacts")
        await until(pilot, lambda: "Go to: contacts (C)" in terminal_output(app)[0], "the command offered")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ContactsScreen), "contacts from the palette")


async def test_help_lists_both_and_the_80_column_footer_keeps_help(store: SqliteStore, clock: FrozenClock) -> None:
    app = ExpertApp(store, clock=clock, poll_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await inbox_ready(pilot)
        await until(pilot, lambda: screen_lines(app)[-1].strip() != "", "the footer")
        footer = screen_lines(app)[-1]
        assert footer.rstrip().endswith("? Help"), footer
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await pilot.pause()
        help_text = app.screen.query_one("#help-body")
        rows = [" ".join(line.split()) for line in terminal_output(app)[0].splitlines()]
        help_text.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        rows += [" ".join(line.split()) for line in terminal_output(app)[0].splitlines()]
    assert any("p Preferences" in row for row in rows), rows
    assert any("C Contacts" in row for row in rows), rows


async def test_the_palette_offers_hidden_task_actions_only_where_the_rules_allow(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """`i` and `c` are out of the footer; the palette offers them on a conversation, not on a new task."""
    now = clock()
    records = [
        task_record("T-1", now=now, age=timedelta(hours=2)),
        task_record(
            "T-2",
            now=now,
            age=timedelta(hours=30),
            status="responded",
            messages=[message("m1", "partner", "Hello Anna", now - timedelta(hours=29), name="Ola")],
        ),
    ]
    app = ExpertApp(make_store(tmp_path / "tasks.db", clock, *records), clock=clock, poll_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        inbox = await inbox_ready(pilot)
        await show_every_task(pilot)  # T-2 needs no one: not in the default view
        assert inbox.task_list.highlighted.id == "T-1"
        names = [command.name for command in screen_commands(inbox)]
        assert "Inactive (i)" not in names and "Complete (c)" not in names
        await pilot.press("j")
        await until(pilot, lambda: inbox.task_list.highlighted.id == "T-2", "the conversation highlighted")
        names = [command.name for command in screen_commands(inbox)]
        assert "Inactive (i)" in names and "Complete (c)" in names
        command = next(command for command in screen_commands(inbox) if command.name == "Complete (c)")
        app.call_later(command.run)  # as the palette runs a chosen command
        # The same question as the key: completing has no undo, y confirms.
        await until(pilot, lambda: isinstance(app.screen, ConfirmKey), "the question")
        await pilot.press("y")
        await until(pilot, lambda: app.store.get_task("T-2").status is Status.COMPLETED, "completed from the palette")
