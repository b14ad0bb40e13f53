"""Saved replies in the app: offered on every reply, the built-ins in both languages, and
the screen that lists, writes, renames, orders and deletes them (keyboard only)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from task_ui import TaskApp, make_store, ongoing, opened, screen_when, task_record, terminal_output, until
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static, TextArea

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock
from expert_tui.paths import saved_replies_path
from expert_tui.replies_file import RepliesFile
from expert_tui.screens.dialogs import SavedReplyDialog
from expert_tui.screens.saved_replies import SavedRepliesScreen
from expert_tui.screens.task import TaskScreen
from expert_tui.widgets.reply_editor import ReplyEditor, ReplyPrompt

pytestmark = pytest.mark.anyio

FOLLOW_UP = "Hi {merchant_first_name|there},\n\nA quick follow-up on {task_id} for {store_name}.\n\n{my_name}"


def app_with(store: object, clock: FrozenClock, *replies: tuple[str, str], name: str = "Ola") -> TaskApp:
    app = TaskApp(store, clock)  # type: ignore[arg-type]
    app.settings.update(display_name=name, asked_display_name=True)
    for reply_name, body in replies:
        app.replies.add(reply_name, body)
    return app


def editor(pilot: Pilot[None]) -> ReplyEditor:
    return pilot.app.screen.query_one(ReplyEditor)


def prompt(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one(ReplyPrompt).render())


async def test_a_follow_up_is_offered_the_saved_replies_draft_kept(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    async with app_with(store, clock, ("Follow up", FOLLOW_UP)).run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r")
        assert "ctrl+t saved reply: 1 Follow up" in prompt(pilot)
        await pilot.press("ctrl+t")
        assert "Introduce" not in prompt(pilot) and "1  Follow up" in prompt(pilot)
        await pilot.press("1")
        expected = "Hi Anna,\n\nA quick follow-up on T-1 for Żółw i Spółka.\n\nOla"
        await until(pilot, lambda: editor(pilot).text == expected, "the saved reply filled in")
        await until(pilot, lambda: store.get_draft("T-1") == expected, "the draft saved")


async def test_a_first_reply_offers_both_and_l_switches_to_polish(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with app_with(store, clock, ("Follow up", FOLLOW_UP), ("Price list", "Prices: {store_url}")).run_test(
        size=(100, 40)
    ) as pilot:
        await opened(pilot)
        await pilot.press("r")
        assert "1 Introduce · 2 Propose a call · 3 First quote · 4–5 saved" in prompt(pilot)
        await pilot.press("ctrl+t")
        assert "l Polski" in prompt(pilot) and "4  Follow up  saved reply" in prompt(pilot)
        assert "Price list" not in prompt(pilot)  # four at once; the arrows scroll
        await pilot.press("down", "down", "down", "down")
        assert "▶ 5  Price list  saved reply" in prompt(pilot) and "1  Introduce" not in prompt(pilot)
        await pilot.press("up", "up", "up", "up")
        await pilot.press("l")
        assert "1  Przedstaw się i zadaj pytanie" in prompt(pilot) and "l English" in prompt(pilot)
        await pilot.press("1")
        await until(pilot, lambda: editor(pilot).text.startswith("Dzień dobry,\n\npiszę"), "the Polish text")
        assert editor(pilot).text.endswith("Pozdrawiam,\nOla")
        # The language chosen stays for the next choice; l goes back.
        await pilot.press("ctrl+t", "l", "3")
        assert "Your draft has text" in prompt(pilot)
        await pilot.press("r")
        await until(pilot, lambda: editor(pilot).text.startswith("Hi Anna,"), "the English quote")
        await pilot.press("ctrl+z")
        await until(pilot, lambda: editor(pilot).text.startswith("Dzień dobry"), "undo brings the draft back")


async def test_an_empty_field_is_said_when_filled_in(tmp_path: Path, clock: FrozenClock) -> None:
    record = task_record(now=clock(), status="awaiting_response", messages=ongoing(clock)["messages"], budget=None)
    store = make_store(tmp_path / "t.db", clock, record)
    app = app_with(store, clock, ("Budget", "Your budget: {budget}; or {budget|to agree}."))
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "1")
        await until(pilot, lambda: editor(pilot).text == "Your budget: ; or to agree.", "filled in")
        await until(
            pilot,
            lambda: any("Empty for this task: {budget}" in n.message for n in pilot.app._notifications),
            "the gap said",
        )


async def _manager(pilot: Pilot[None]) -> SavedRepliesScreen:
    return await screen_when(pilot, SavedRepliesScreen, lambda s: s.is_mounted, "the saved replies")


async def _dialog(pilot: Pilot[None]) -> SavedReplyDialog:
    return await screen_when(pilot, SavedReplyDialog, lambda s: s.is_mounted, "the saved-reply dialog")


async def test_write_one_from_the_editor_and_use_it_at_once(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    async with app_with(store, clock).run_test(size=(100, 40)) as pilot:
        task_screen = await opened(pilot)
        await pilot.press("r", *"Dear Anna", "ctrl+t", "m")
        manager = await _manager(pilot)
        assert "None yet" in str(manager.query_one("#about", Static).render())
        await pilot.press("n")
        dialog = await _dialog(pilot)
        assert dialog.query_one("#name", Input).has_focus
        await pilot.press(*"Thanks", "tab")
        text = dialog.query_one("#text", TextArea)
        assert text.has_focus
        text.load_text("")
        await pilot.press(*"Thanks {merchant_firstname}")
        await until(
            pilot,
            lambda: "did you mean {merchant_first_name}?" in str(dialog.query_one("#problem", Static).render()),
            "the typo said as it is typed",
        )
        await pilot.press("ctrl+s")
        assert pilot.app.screen is dialog and pilot.app.replies.replies == ()  # refused, still writing
        text.load_text("Thanks, {merchant_first_name|there}!")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: pilot.app.screen is manager, "back in the list")
        assert [r.name for r in RepliesFile().replies] == ["Thanks"]
        assert stat.S_IMODE(saved_replies_path().stat().st_mode) == 0o600
        assert "Thanks, Anna!" in str(manager.query_one("#preview", Static).render())  # as the merchant reads it
        await pilot.press("escape")
        await until(pilot, lambda: pilot.app.screen is task_screen and editor(pilot).has_focus, "back in the editor")
        assert editor(pilot).text == "Dear Anna"  # the draft as it was
        assert "1 Thanks" in prompt(pilot)
        await pilot.press("ctrl+t", "1", "i")
        await until(pilot, lambda: editor(pilot).text == "Dear Anna\nThanks, Anna!", "inserted at the cursor")


async def test_rename_move_and_delete(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = app_with(store, clock, ("One", "first"), ("Two", "second"), ("Three", "third"))
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await opened(pilot)
        pilot.app.action_saved_replies()
        manager = await _manager(pilot)
        assert manager.task_shown is not None and manager.task_shown.id == "T-1"  # over a task: filled for it
        listing = manager.query_one("#replies", OptionList)
        await pilot.press("j", "r")
        dialog = await _dialog(pilot)
        assert dialog.query_one("#name", Input).has_focus
        await pilot.press("ctrl+u", *"one")  # another's name, in other capitals
        await pilot.press("ctrl+s")
        assert "already a saved reply named 'one'" in str(dialog.query_one("#problem", Static).render())
        await pilot.press("ctrl+u", *"Deux", "ctrl+s")
        await until(pilot, lambda: pilot.app.screen is manager, "renamed")
        assert [r.name for r in RepliesFile().replies] == ["One", "Deux", "Three"]
        assert listing.highlighted == 1
        await pilot.press("K")
        assert [r.name for r in RepliesFile().replies] == ["Deux", "One", "Three"] and listing.highlighted == 0
        await pilot.press("d", "n")  # anything but y keeps it
        await until(pilot, lambda: pilot.app.screen is manager, "the question gone")
        assert len(RepliesFile().replies) == 3
        await pilot.press("d", "y")
        await until(pilot, lambda: [r.name for r in RepliesFile().replies] == ["One", "Three"], "deleted")
        assert listing.option_count == 2


async def test_leaving_a_changed_text_asks_first(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    async with app_with(store, clock, ("One", "first")).run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        pilot.app.action_saved_replies()
        manager = await _manager(pilot)
        await pilot.press("e")
        dialog = await _dialog(pilot)
        await pilot.press(*" more", "escape")
        await until(pilot, lambda: pilot.app.screen is not dialog, "the question")
        await pilot.press("n")  # keep writing
        await until(pilot, lambda: pilot.app.screen is dialog, "still writing")
        assert dialog.query_one("#text", TextArea).text == "first more"
        await pilot.press("escape", "y")
        await until(pilot, lambda: pilot.app.screen is manager, "discarded")
        assert RepliesFile().replies[0].body == "first"


async def test_merchant_text_in_the_preview_is_data(tmp_path: Path, clock: FrozenClock) -> None:
    record = ongoing(clock) | {"merchant": {"name": "[bold red]Anna[/] \x1b[31mX", "email": "a@b.example"}}
    store = make_store(tmp_path / "t.db", clock, record)
    async with app_with(store, clock, ("Hi", "Hi {merchant_name}")).run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "m")
        manager = await _manager(pilot)
        shown = str(manager.query_one("#preview", Static).render())
        assert "Hi [bold red]Anna[/] X" in shown and "\x1b" not in shown


async def test_a_broken_file_is_said_and_the_built_ins_remain(tmp_path: Path, clock: FrozenClock) -> None:
    path = saved_replies_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text('[[reply]]\nname = "x"\nbody = "{oops}"\n')
    path.chmod(0o600)
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    app = TaskApp(store, clock)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await opened(pilot)
        assert any("Saved replies not loaded" in (n.title or "") for n in pilot.app._notifications)
        await pilot.press("r")
        assert "1 Introduce · 2 Propose a call · 3 First quote" in prompt(pilot) and "saved" not in prompt(pilot)
        await pilot.press("ctrl+t", "m")
        manager = await _manager(pilot)
        assert "Not loaded" in str(manager.query_one("#about", Static).render())
        await pilot.press("n")
        dialog = await _dialog(pilot)
        await pilot.press(*"New", "tab", *"Hi", "ctrl+s")  # a new reply starts empty: a text to save
        assert "fix or move the file first" in str(dialog.query_one("#problem", Static).render())
    assert "{oops}" in path.read_text()  # never written over


async def test_reachable_from_the_inbox_palette(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    app = ExpertApp(store, clock=clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("ctrl+p", *"saved replies")
        await until(pilot, lambda: "Your own reply templates" in terminal_output(pilot.app)[0], "the command listed")
        await pilot.press("enter")
        manager = await _manager(pilot)
        assert manager.task_shown is None
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(pilot.app.screen, SavedRepliesScreen), "back")
        assert not isinstance(pilot.app.screen, TaskScreen)


async def test_help_lists_the_keys(tmp_path: Path, clock: FrozenClock) -> None:
    from expert_tui.screens.help import HelpScreen

    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    async with app_with(store, clock, ("One", "first")).run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", "f1")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
        await until(pilot, lambda: "l language; m saved replies)" in terminal_output(pilot.app)[0], "ctrl+t")
        await pilot.press("escape", "ctrl+t", "m")
        await _manager(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help on the list")
        text = terminal_output(pilot.app)[0]
        for words in ("Saved replies", "New", "Edit", "Rename", "Delete", "Move up", "Move down"):
            assert words in text, words


async def test_an_edit_is_kept_as_it_is_typed_and_comes_back_after_a_crash(tmp_path: Path, clock: FrozenClock) -> None:
    # nothing typed is lost: a saved reply being written survives the app going away
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    async with app_with(store, clock, ("One", "first")).run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        pilot.app.action_saved_replies()
        await _manager(pilot)
        await pilot.press("e")
        dialog = await _dialog(pilot)
        await pilot.press(*" and more")
        kept = RepliesFile().edit_path
        await until(pilot, lambda: kept.exists(), "the edit kept as it is typed")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert dialog.query_one("#text", TextArea).text == "first and more"
        os.kill(os.getpid(), 0)  # (the app is left without saving: as a crash leaves it)
    assert RepliesFile().replies[0].body == "first"  # not saved: only kept
    async with app_with(store, clock).run_test(size=(100, 40), notifications=True) as pilot:
        await opened(pilot)
        pilot.app.action_saved_replies()
        await _manager(pilot)
        await pilot.press("e")
        dialog = await _dialog(pilot)
        assert dialog.query_one("#text", TextArea).text == "first and more"
        await until(
            pilot, lambda: any("unsaved changes are back" in n.message for n in pilot.app._notifications), "said"
        )
        await pilot.press("ctrl+s")
        await until(pilot, lambda: RepliesFile().replies[0].body == "first and more", "saved")
        assert not RepliesFile().edit_path.exists()  # saved: the kept edit is gone
