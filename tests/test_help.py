"""`?` lists every key from the live bindings (remaps included); the palette runs every action."""

from __future__ import annotations

from pathlib import Path

import pytest
from inbox_helpers import demo_store
from task_ui import TaskApp, make_store, opened, task_record, terminal_output, until

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock
from expert_tui.screens.dialogs import DeclineDialog
from expert_tui.screens.help import HelpScreen
from expert_tui.settings import SettingsFile

pytestmark = pytest.mark.anyio


def help_lines(text: str) -> list[str]:
    return [" ".join(line.replace("█", " ").split()) for line in text.splitlines()]


async def test_help_lists_every_key_of_the_task_screen(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock).run_test(size=(120, 60)) as pilot:
        await opened(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
        await pilot.pause()
        lines = help_lines(terminal_output(pilot.app)[0])
    for expected in (
        "Task",
        "esc Back",
        "r Reply",
        "d Decline",
        "n Note",
        "Moving",
        "j / ↓ Scroll down",
        "k / ↑ Scroll up",
        "Everywhere",
        "^q Quit",
        "? / f1 Help",
        "^p Command palette",
        "General",
    ):
        assert any(line.startswith(expected) or f" {expected}" in f" {line}" for line in lines), expected
    # On a task `q` goes back like `esc` (SPEC 3); only the inbox's `q` quits.
    assert any("esc" in line and " q " in f" {line} " and "Back" in line for line in lines), lines
    assert not any(line.strip().startswith("q / ^q Quit") for line in lines)
    # What the rules do not allow on a new task is listed and marked, not hidden.
    assert any("c Complete (not available now)" in line for line in lines)
    assert any("i Inactive (not available now)" in line for line in lines)


async def test_help_shows_remapped_keys(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    app = TaskApp(store, clock)
    async with app.run_test(size=(120, 60)) as pilot:
        await opened(pilot)
        app.set_keymap({"task.reply": "R", "task.decline": "x"})
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
        await pilot.pause()
        lines = help_lines(terminal_output(pilot.app)[0])
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(pilot.app.screen, HelpScreen), "help closed")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(pilot.app.screen, DeclineDialog), "remapped key works")
    assert any(line.startswith("R Reply") for line in lines)
    assert any(line.startswith("x Decline") for line in lines)
    assert not any(line.startswith("r Reply") for line in lines)


async def test_help_in_the_editor_shows_the_editor_keys(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock(), status="opened"))
    app = TaskApp(store, clock)
    async with app.run_test(size=(120, 60)) as pilot:
        screen = await opened(pilot)
        await pilot.press("r")  # the editor, focused at once (templates are a choice inside it)
        await pilot.pause()
        app.push_screen(HelpScreen(screen))
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
        await pilot.pause()
        lines = help_lines(terminal_output(pilot.app)[0])
    assert any(line.startswith("Reply editor") for line in lines)
    assert any(line.startswith("^s / alt+") and line.endswith("Send") for line in lines), lines
    # ctrl+j is the line feed a paste arrives as: a new line, never a send key (SPEC 3).
    assert any(line.startswith("^j") and line.endswith("New line") for line in lines), lines
    assert not any("^j" in line and "Send" in line for line in lines), lines
    assert any(line.startswith("esc Leave (keeps draft)") for line in lines)


async def test_palette_offers_task_actions_and_runs_them(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock).run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"decline")
        await until(pilot, lambda: "Task: decline (d)" in terminal_output(pilot.app)[0], "the command offered")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, DeclineDialog), "decline dialog from the palette")


async def test_palette_offers_only_what_the_rules_allow(tmp_path: Path, clock: FrozenClock) -> None:
    from expert_tui.ui.palette import screen_commands

    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock).run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        names = [command.name for command in screen_commands(screen)]
    assert "Task: reply (r)" in names and "Task: decline (d)" in names and "Task: add internal note (n)" in names
    assert not any("complete" in name or "inactive" in name for name in names)
    # Quit is not a key of this screen's footer; the palette offers it as Textual's "Quit".
    assert "Back (esc)" in names and "Help (?)" in names
    assert not any(name.startswith("Scroll") for name in names)  # movement keys are not commands


def _index(lines: list[str], start: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(start))


@pytest.mark.parametrize("size", [(120, 60), (80, 24)])
async def test_help_starts_with_what_the_screen_does(tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    """The inbox's own actions first, then moving, then app-wide keys; Textual's focus
    and copy keys last, under 'General'. At 80x24 the first keys are in view."""
    app = ExpertApp(demo_store(tmp_path / "t.db", clock), clock=clock, poll_interval=3600)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.screen.task_list.highlighted is not None, "the inbox")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await pilot.pause()
        lines = help_lines(terminal_output(app)[0])
    order = ["Inbox", "⏎ Open", "r Reply", "d Decline", "n Note", "/ Search", "f Filter", "s Sort"]
    if size == (120, 60):
        order += ["Moving", "j / ↓ Down", "Everywhere", "q / ^q Quit", "? / f1 Help", "^p Command palette"]
        order += ["General", "tab Focus next", "shift+tab Focus previous", "^c / super+c Copy selected text"]
    found = [_index(lines, start) for start in order]
    assert found == sorted(found), list(zip(order, found, strict=True))
    assert found[0] == _index(lines, "Keys") + 1  # nothing before the inbox's own keys


async def test_palette_keys_command_opens_this_help(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    app = TaskApp(store, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await pilot.press("ctrl+p", *"keys")
        await until(pilot, lambda: "Every key for where you are" in terminal_output(app)[0], "our Keys command")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help from the palette")


async def test_j_and_k_scroll_help_one_line_per_press(tmp_path: Path, clock: FrozenClock) -> None:
    """Keys arriving faster than the screen repaints (a held key, tmux) are each counted."""
    app = ExpertApp(demo_store(tmp_path / "t.db", clock), clock=clock, poll_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.screen.task_list.highlighted is not None, "the inbox")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await pilot.pause()
        body = app.screen.query_one("#help-body")
        for _ in range(6):
            app.screen.action_scroll(1)  # as six key presses handled within one frame
        app.screen.action_scroll(-1)
        await pilot.pause()
        assert body.scroll_y == 5


async def test_the_palette_offers_no_screenshot_and_nothing_writes_one(
    tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual's "Screenshot" writes the screen (merchant data) into the current folder
    with default permissions: not offered, bound to no key, refused if named."""
    from textual.command import CommandPalette

    from expert_tui.screens.contacts import ContactsScreen
    from expert_tui.screens.preferences import PreferencesScreen
    from expert_tui.screens.task import TaskScreen

    monkeypatch.chdir(tmp_path)
    app = ExpertApp(demo_store(tmp_path / "t.db", clock), clock=clock, poll_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.screen.task_list.highlighted is not None, "the inbox")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Screenshot" not in titles and "Theme" in titles and "Quit" in titles
        await pilot.press("ctrl+p", *"screensh")
        # Textual's own entry would match; with it gone the palette says so.
        await until(pilot, lambda: "No matches found" in terminal_output(app)[0], "the palette's answer")
        assert "Screenshot" not in terminal_output(app)[0]
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, CommandPalette), "palette closed")
        bound: list[str] = [binding.action for _key, binding in app._bindings]
        for make in (lambda: TaskScreen(app.screen.task_list.highlighted.id), PreferencesScreen, ContactsScreen):
            screen = make()
            app.push_screen(screen)
            await until(pilot, lambda screen=screen: app.screen is screen, type(screen).__name__)
            bound += [binding.action for _node, bindings in app.screen._binding_chain for _key, binding in bindings]
        assert bound and not any("screenshot" in action for action in bound)
        await app.run_action("app.screenshot")
        await until(pilot, lambda: any("Screenshots are off" in str(n.message) for n in app._notifications), "refusal")
        assert not list(tmp_path.glob("*.svg"))


async def test_the_keymap_of_the_settings_file_is_in_force(tmp_path: Path, clock: FrozenClock) -> None:
    SettingsFile().update(keymap={"task.decline": "x", "task.nope": "z"})
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    app = TaskApp(store, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await until(
            pilot,
            lambda: any("no key named task.nope" in str(n.message) for n in app._notifications),
            "the unknown name said",
        )
        await pilot.press("x")
        await until(pilot, lambda: isinstance(pilot.app.screen, DeclineDialog), "the remapped key works")


async def test_the_palette_asks_in_polish(tmp_path: Path, clock: FrozenClock, in_polish: None) -> None:
    """Textual's palette placeholder is English ("Search for commands…"): the app's says it in Polish."""
    from textual.command import CommandInput, CommandPalette

    app = ExpertApp(demo_store(tmp_path / "t.db", clock), clock=clock, poll_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.screen.task_list.highlighted is not None, "the inbox")
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        assert app.screen.query_one(CommandInput).placeholder == "Szukaj poleceń…"
        await until(pilot, lambda: "Szukaj poleceń…" in terminal_output(app)[0], "the placeholder shown")


async def test_help_says_space_in_polish(tmp_path: Path, clock: FrozenClock, in_polish: None) -> None:
    """Textual shows the space bar as the English word: help says it in Polish."""
    app = ExpertApp(demo_store(tmp_path / "t.db", clock), clock=clock, poll_interval=3600)
    async with app.run_test(size=(120, 60)) as pilot:
        await until(pilot, lambda: app.screen.task_list.highlighted is not None, "the inbox")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await until(pilot, lambda: "x / spacja" in " ".join(help_lines(terminal_output(app)[0])), "x / spacja")
        assert "space" not in " ".join(help_lines(terminal_output(app)[0]))
