"""Quitting never silently drops what was typed (issue: ctrl+q discarded unsaved work).

`q`, Textual's `ctrl+q` and the palette's Quit are one way out (`ExpertApp.action_quit`):
every open screen and dialog is asked first, and asks what its own `esc` asks, in the
person's language; what is saved as it is typed (a reply draft, a note) lets go at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from screens_ui import ScreenApp
from task_ui import TaskApp, make_store, ongoing, opened, screen_when, terminal_output, until
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock, Preferences
from expert_tui.replies_file import RepliesFile
from expert_tui.screens.dialogs import DeclineDialog, DiscardQuestion, SavedReplyDialog
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.preferences import LeaveDialog, PreferencesScreen
from expert_tui.screens.saved_replies import SavedRepliesScreen
from expert_tui.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

#: The ways out a person has: Textual's key, this app's key, the palette's command.
QUITS = ["ctrl+q", "q", "palette"]


async def quit_by(pilot: Pilot[Any], how: str) -> None:
    if how == "palette":
        app = pilot.app
        command = next(c for c in app.get_system_commands(app.screen) if c.callback == app.action_quit)
        await command.callback()
    else:
        await pilot.press(how)


def shown(app: ExpertApp) -> str:
    return terminal_output(app)[0]


async def preferences_with_a_change(pilot: Pilot[Any]) -> PreferencesScreen:
    def ready() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, PreferencesScreen) and screen.saved is not None

    await until(pilot, ready, "the preferences to load")
    screen = pilot.app.screen
    assert isinstance(screen, PreferencesScreen)
    email = screen.query_one("#notification_email", Input)
    email.focus()
    await pilot.press("end", *".pl")
    await until(pilot, lambda: screen.dirty, "the change noticed")
    return screen


@pytest.mark.parametrize("how", QUITS)
async def test_quitting_preferences_with_a_change_asks_save_discard_or_stay(
    tmp_path: Path, clock: FrozenClock, how: str
) -> None:
    store = SqliteStore(tmp_path / "p.db", clock=clock)
    store.set_preferences(Preferences(notification_email="ola@agency.example"))
    app = ScreenApp(store, clock, PreferencesScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await preferences_with_a_change(pilot)
        if how == "q":  # in a text field `q` is a letter: quitting with it is from a switch
            screen.query_one("#available").focus()
        await quit_by(pilot, how)
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, LeaveDialog) and "Save them before you quit, discard them, or stay" in shown(app)
            ),
            "the question",
        )
        await pilot.press("escape")  # stay
        await until(pilot, lambda: app.screen is screen, "back in the form")
        assert app.is_running and screen.query_one("#notification_email", Input).value == "ola@agency.example.pl"
        await quit_by(pilot, how)
        await until(pilot, lambda: isinstance(app.screen, LeaveDialog), "the question again")
        await pilot.press("s")
        await until(pilot, lambda: not app.is_running, "quit once saved")
    assert store.get_preferences().notification_email == "ola@agency.example.pl"


async def test_discarding_on_quit_quits_and_keeps_the_store_as_it_was(tmp_path: Path, clock: FrozenClock) -> None:
    store = SqliteStore(tmp_path / "p.db", clock=clock)
    store.set_preferences(Preferences(notification_email="ola@agency.example"))
    app = ScreenApp(store, clock, PreferencesScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await preferences_with_a_change(pilot)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, LeaveDialog), "the question")
        await pilot.press("d")
        await until(pilot, lambda: not app.is_running, "quit")
    assert store.get_preferences().notification_email == "ola@agency.example"


async def decline_with_comment(pilot: Pilot[Any], comment: str) -> DeclineDialog:
    await opened(pilot)
    await pilot.press("d")
    dialog = await screen_when(pilot, DeclineDialog, lambda d: d.is_mounted, "the decline dialog")
    await pilot.press("2", *comment)
    await until(pilot, lambda: dialog.query_one("#comment", Input).value == comment, "the comment typed")
    return dialog


@pytest.mark.parametrize("how", ["ctrl+q", "palette"])
async def test_quitting_with_a_decline_comment_asks_what_esc_asks(tmp_path: Path, clock: FrozenClock, how: str) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = TaskApp(store, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await decline_with_comment(pilot, "too far from my work")
        await quit_by(pilot, how)
        await until(
            pilot,
            lambda: isinstance(app.screen, DiscardQuestion) and "Discard this comment? y / n" in shown(app),
            "the question",
        )
        await pilot.press("n")
        await until(pilot, lambda: app.screen is dialog, "back in the comment")
        assert app.is_running and dialog.query_one("#comment", Input).value == "too far from my work"
        await quit_by(pilot, how)
        await until(pilot, lambda: isinstance(app.screen, DiscardQuestion), "the question again")
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, "quit")
    assert store.get_task("T-1").status.value == "awaiting_response"  # nothing declined on the way out


async def test_the_question_on_quit_is_in_the_persons_language(
    tmp_path: Path, clock: FrozenClock, in_polish: None
) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = TaskApp(store, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await decline_with_comment(pilot, "za daleko")
        await pilot.press("ctrl+q")
        await until(
            pilot,
            lambda: isinstance(app.screen, DiscardQuestion) and "Porzucić ten komentarz? y / n" in shown(app),
            "the question",
        )


async def test_nothing_typed_quits_at_once_from_a_dialog(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = TaskApp(store, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("d")
        await screen_when(pilot, DeclineDialog, lambda d: d.is_mounted, "the decline dialog")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: not app.is_running, "quit without a question")


async def test_a_reply_draft_is_kept_and_quitting_does_not_ask(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = TaskApp(store, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("r", *"About 900 EUR")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: not app.is_running, "quit without a question")
    assert store.get_draft("T-1") == "About 900 EUR"


async def saved_reply_editor(pilot: Pilot[Any]) -> SavedReplyDialog:
    await opened(pilot)
    pilot.app.action_saved_replies()
    await screen_when(pilot, SavedRepliesScreen, lambda s: s.is_mounted, "the saved replies")
    await pilot.press("e")
    dialog = await screen_when(pilot, SavedReplyDialog, lambda d: d.is_mounted, "the saved-reply editor")
    await pilot.press(*" and more")
    await until(pilot, lambda: dialog.query_one("#text", TextArea).text == "first and more", "typed")
    return dialog


@pytest.mark.parametrize(("answer", "kept"), [("y", False), ("n", True)])
async def test_quitting_a_saved_reply_being_written_asks_and_y_forgets_it(
    tmp_path: Path, clock: FrozenClock, answer: str, kept: bool
) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = TaskApp(store, clock)
    app.replies.add("One", "first")
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await saved_reply_editor(pilot)
        await pilot.press("ctrl+q")
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, DiscardQuestion) and "Discard the changes to this saved reply?" in shown(app)
            ),
            "the question",
        )
        await pilot.press(answer)
        if kept:
            await until(pilot, lambda: app.screen is dialog, "still writing")
            assert app.is_running
        else:
            await until(pilot, lambda: not app.is_running, "quit")
    assert RepliesFile().replies[0].body == "first"
    assert (RepliesFile().edit_draft() is not None) is kept  # discarded: it does not come back next time


async def test_ctrl_c_says_how_to_quit_and_does_not(tmp_path: Path, clock: FrozenClock, in_polish: None) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = ExpertApp(store, clock=clock)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
        await pilot.press("ctrl+c")
        await until(pilot, lambda: bool(app._notifications), "said")
        notice = list(app._notifications)[-1]
        assert "ctrl+q" in notice.message and notice.message != "Press ctrl+q to quit expert-tui."  # in Polish
        assert app.is_running
