"""Focus never selects a field's text (Textual's `select_on_focus` default did): Tab is the
way between fields, and with everything selected the next key replaced a saved value
(Tab to the e-mail, then space, blanked it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from screens_ui import ScreenApp
from task_ui import TaskApp, make_store, ongoing, opened, screen_when, until
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TextArea

from expert_tui.domain import FrozenClock, Preferences, ServiceOffer
from expert_tui.screens.dialogs import DeclineDialog, DisplayNameQuestion, SavedReplyDialog
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.preferences import PreferencesScreen
from expert_tui.screens.saved_replies import SavedRepliesScreen
from expert_tui.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


def none_selects_on_focus(screen: Screen[Any]) -> None:
    selecting = [str(field) for field in screen.query(Input) if field.select_on_focus]
    assert not selecting, f"select everything on focus: {selecting}"


async def tab_to(pilot: Pilot[Any], field: Input) -> None:
    """Tab, as a person moves, until `field` has the keys (bounded by the fields there are)."""
    for _ in range(40):
        if field.has_focus:
            return
        await pilot.press("tab")
    raise AssertionError(f"tab never reached {field}")


async def test_tab_to_the_e_mail_then_space_adds_a_space_and_blanks_nothing(tmp_path: Path, clock: FrozenClock) -> None:
    store = SqliteStore(tmp_path / "p.db", clock=clock)
    store.set_preferences(
        Preferences(notification_email="ola@agency.example", services=(ServiceOffer("Store setup", 300, "USD"),))
    )
    app = ScreenApp(store, clock, PreferencesScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await screen_when(pilot, PreferencesScreen, lambda s: s.saved is not None, "the preferences")
        none_selects_on_focus(screen)
        email = screen.query_one("#notification_email", Input)
        await tab_to(pilot, email)
        await pilot.press("space")
        await until(pilot, lambda: email.value == "ola@agency.example ", "the space after the address")
        service = screen.query_one(".service .name", Input)
        await tab_to(pilot, service)
        await pilot.press(*" and SEO")
        await until(pilot, lambda: service.value == "Store setup and SEO", "typed after the name")


async def test_tab_back_to_a_saved_replys_name_types_after_it(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock, "What would it cost?"))
    app = TaskApp(store, clock)
    app.replies.add("Follow up", "first")
    async with app.run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        app.action_saved_replies()
        await screen_when(pilot, SavedRepliesScreen, lambda s: s.is_mounted, "the saved replies")
        await pilot.press("e")
        dialog = await screen_when(pilot, SavedReplyDialog, lambda d: d.is_mounted, "the saved-reply editor")
        none_selects_on_focus(dialog)
        name = dialog.query_one("#name", Input)
        await until(pilot, lambda: dialog.query_one("#text", TextArea).has_focus, "the text has the keys")
        await pilot.press("shift+tab", *" call")
        await until(pilot, lambda: name.value == "Follow up call", "typed after the name")


async def test_no_other_field_selects_on_focus(tmp_path: Path, clock: FrozenClock) -> None:
    """The decline comment, the display name and the inbox's search: the rest of the app's fields."""
    store = make_store(tmp_path / "t.db", clock, ongoing(clock, "What would it cost?"))
    app = TaskApp(store, clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("d")
        none_selects_on_focus(await screen_when(pilot, DeclineDialog, lambda d: d.is_mounted, "the decline dialog"))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, DeclineDialog), "closed")
        app.push_screen(DisplayNameQuestion())
        none_selects_on_focus(await screen_when(pilot, DisplayNameQuestion, lambda d: d.is_mounted, "the question"))
        inbox = app.screen_stack[0]
        assert isinstance(inbox, InboxScreen)  # under the task, as the app opened it
        none_selects_on_focus(inbox)
