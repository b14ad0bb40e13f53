"""Every `Store` method made to fail, in turn, under the screen that calls it: the app stays,
and the failure is said in words (issue 12). The methods come from the `Store` ABC, so a
new one fails `test_every_store_method_is_covered` until it has a scenario here (or is
shown not to be called by the UI at all). And the UI has one way to the store: the
app's `StoreClient` (a source check, like `test_layers`)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from inbox_helpers import screen_lines
from screens_ui import contact_record
from task_ui import T0, TaskApp, make_store, task_record, until
from textual.pilot import Pilot
from textual.widgets import TextArea

from expert_tui.app import ExpertApp
from expert_tui.demo import generate_tasks
from expert_tui.domain import FrozenClock
from expert_tui.screens.dialogs import NoteDialog
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.preferences import PreferencesScreen
from expert_tui.screens.task import TaskScreen
from expert_tui.store.base import Store
from expert_tui.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

PACKAGE = Path(__file__).resolve().parent.parent / "expert_tui"
STORE_METHODS = frozenset(Store.__abstractmethods__)
WORDS = "disk I/O error"


class FailingStore(SqliteStore):
    """The real store, whose method named `failing` raises what a failing disk raises."""

    failing: str | None = None

    def __getattribute__(self, name: str) -> Any:
        if name in STORE_METHODS and name == object.__getattribute__(self, "failing"):

            def broken(*_args: object, **_kwargs: object) -> Any:
                raise sqlite3.OperationalError(WORDS)

            return broken
        return super().__getattribute__(name)


Scenario = Callable[[Path, FrozenClock, str], Awaitable[None]]
#: Store method -> the scenarios that make it fail under the UI.
SCENARIOS: dict[str, list[Scenario]] = {}

#: Methods the TUI never calls (the CLI, the server and the marketplace do); checked below
#: against the UI's source.
NOT_CALLED_BY_THE_UI = frozenset(
    {
        "close",
        "decide_store_access",
        "deliver_task",
        "export_tasks",
        "import_tasks",
        "merchant_decline",
        "merchant_message",
        "merchant_review",
    }
)


def scenario(*methods: str) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        for method in methods:
            SCENARIOS.setdefault(method, []).append(fn)
        return fn

    return register


def store_with_tasks(path: Path, clock: FrozenClock, count: int = 5) -> FailingStore:
    """Tasks T-1 (new), T-2 (answered), T-3 (inactive), T-4 (completed), then generated ones."""
    make_store(path, clock, *(task_record(f"T-{n}", now=clock()) for n in range(1, 5))).close()
    store = FailingStore(path, clock=clock)
    store.reply("T-2", "Happy to help.")
    store.reply("T-3", "Happy to help.")
    store.mark_inactive("T-3")
    store.reply("T-4", "Happy to help.")
    store.complete("T-4")
    if count > 4:
        report = store.import_tasks(enumerate(generate_tasks(count - 4, T0, seed=7), 1))
        assert not report.rejected
    return store


def said(app: ExpertApp) -> bool:
    """The failure in words: in a notification, or on the screen itself."""
    if any(WORDS in notice.message for notice in app._notifications):
        return True
    return any(WORDS in line for line in screen_lines(app))


async def still_up(pilot: Pilot[Any], method: str) -> None:
    app = pilot.app
    assert isinstance(app, ExpertApp)
    await until(pilot, lambda: said(app), f"a failing {method} said in words")
    assert app.is_running and app.return_code is None, f"{method}: the app ended"
    assert app._exception is None, f"{method}: {app._exception!r}"
    assert app.screen.is_mounted


async def inbox_ready(pilot: Pilot[Any]) -> InboxScreen:
    app = pilot.app
    await until(
        pilot,
        lambda: isinstance(app.screen, InboxScreen) and app.screen.task_list.highlighted is not None,
        "the inbox",
    )
    assert isinstance(app.screen, InboxScreen)
    return app.screen


async def task_ready(pilot: Pilot[Any]) -> TaskScreen:
    app = pilot.app
    await until(
        pilot,
        lambda: isinstance(app.screen, TaskScreen) and app.screen.current is not None and app.screen.takes_input,
        "the task",
    )
    assert isinstance(app.screen, TaskScreen)
    return app.screen


def inbox_app(store: FailingStore, clock: FrozenClock) -> ExpertApp:
    return ExpertApp(store, clock=clock, poll_interval=0.05, undo_send_seconds=0)


# --- the inbox ------------------------------------------------------------------------------
@scenario("counts")
async def change_the_filter(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock)
    app = inbox_app(store, clock)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await inbox_ready(pilot)
        store.failing = method
        await pilot.press("f", "j", "enter")
        await still_up(pilot, method)


@scenario("list_tasks")
async def jump_to_the_last_task(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock, 450)  # the last page is not loaded until `G`
    app = inbox_app(store, clock)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await inbox_ready(pilot)
        store.failing = method
        await pilot.press("G")
        await still_up(pilot, method)


@scenario("open_task")
async def open_the_highlighted_task(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock)
    app = inbox_app(store, clock)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await inbox_ready(pilot)
        store.failing = method
        await pilot.press("enter")
        await still_up(pilot, method)


@scenario("decline")
async def decline_from_the_inbox(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock)
    app = inbox_app(store, clock)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await inbox_ready(pilot)
        store.failing = method
        await pilot.press("d", "1", "enter")
        await still_up(pilot, method)


@scenario("add_note")
async def note_from_the_inbox(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock)
    app = inbox_app(store, clock)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await inbox_ready(pilot)
        await pilot.press("n")
        await until(
            pilot,
            lambda: isinstance(app.screen, NoteDialog) and not app.screen.query_one("#note", TextArea).read_only,
            "the note dialog",
        )
        await pilot.press(*"call them")
        store.failing = method
        await pilot.press("ctrl+s")
        await still_up(pilot, method)


# --- the task screen --------------------------------------------------------------------------
@scenario("get_task", "get_draft")
async def open_a_task(path: Path, clock: FrozenClock, method: str) -> None:
    """The task screen reads the task (for its unread count) and its draft as it opens."""
    store = store_with_tasks(path, clock)
    store.failing = method
    async with TaskApp(store, clock, "T-1").run_test(size=(120, 40), notifications=True) as pilot:
        await still_up(pilot, method)


@scenario("save_draft")
async def type_a_reply(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock)
    async with TaskApp(store, clock, "T-1").run_test(size=(120, 40), notifications=True) as pilot:
        await task_ready(pilot)
        store.failing = method
        await pilot.press("r", *"Dear Anna")
        await still_up(pilot, method)


@scenario("reply")
async def send_a_reply(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock)
    async with TaskApp(store, clock, "T-1").run_test(size=(120, 40), notifications=True) as pilot:
        await task_ready(pilot)
        await pilot.press("r", *"Dear Anna")
        store.failing = method
        await pilot.press("ctrl+s")
        await still_up(pilot, method)


@scenario("queue_reply")
async def send_a_reply_with_undo_time(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock)
    app = TaskApp(store, clock, "T-1", undo_send_seconds=10)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await task_ready(pilot)
        await pilot.press("r", *"Dear Anna")
        store.failing = method
        await pilot.press("ctrl+s")
        await still_up(pilot, method)


@scenario("cancel_queued", "commit_queued", "send_queued")
async def a_reply_waiting_out_its_undo_time(path: Path, clock: FrozenClock, method: str) -> None:
    """`u` takes it back (cancel); past its undo time it is committed and sent."""
    store = store_with_tasks(path, clock)
    app = TaskApp(store, clock, "T-1", undo_send_seconds=10)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await task_ready(pilot)
        await pilot.press("r", *"Dear Anna", "ctrl+s")
        await until(pilot, lambda: bool(app.outbox.waiting), "the reply waiting")
        store.failing = method
        if method == "cancel_queued":
            await pilot.press("u")
        else:
            clock.advance(timedelta(seconds=11))
        await still_up(pilot, method)


@scenario("mark_inactive", "complete", "request_store_access")
async def confirm_an_action(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock)
    key = {"mark_inactive": "i", "complete": "c", "request_store_access": "A"}[method]
    async with TaskApp(store, clock, "T-2").run_test(size=(120, 40), notifications=True) as pilot:
        await task_ready(pilot)
        store.failing = method
        await pilot.press(key, "y")
        await still_up(pilot, method)


@scenario("reactivate", "request_review")
async def a_one_key_action(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock)
    task_id, key = ("T-3", "a") if method == "reactivate" else ("T-4", "v")
    async with TaskApp(store, clock, task_id).run_test(size=(120, 40), notifications=True) as pilot:
        await task_ready(pilot)
        store.failing = method
        await pilot.press(key)
        await still_up(pilot, method)


# --- the app and the other screens --------------------------------------------------------------
@scenario("queued_replies", "latest_event")
async def start_the_app(path: Path, clock: FrozenClock, method: str) -> None:
    """On start the app settles what an earlier run left in the outbox and reads where
    the change log stands."""
    store = store_with_tasks(path, clock)
    store.failing = method
    async with inbox_app(store, clock).run_test(size=(120, 40), notifications=True) as pilot:
        await still_up(pilot, method)


@scenario("events")
async def watch_for_changes(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock)
    app = inbox_app(store, clock)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await inbox_ready(pilot)
        await until(pilot, lambda: app._seen_event is not None, "the first look at the change log")
        store.failing = method
        await still_up(pilot, method)


@scenario("get_preferences", "stats")
async def open_preferences(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock)
    app = inbox_app(store, clock)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await inbox_ready(pilot)
        store.failing = method
        await pilot.press("p")
        await still_up(pilot, method)


@scenario("set_preferences")
async def save_preferences(path: Path, clock: FrozenClock, method: str) -> None:
    store = store_with_tasks(path, clock)
    app = inbox_app(store, clock)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await inbox_ready(pilot)
        await pilot.press("p")
        await until(
            pilot,
            lambda: isinstance(app.screen, PreferencesScreen) and app.screen.saved is not None,
            "the preferences",
        )
        await pilot.press("space")  # the availability toggle has the focus
        store.failing = method
        await pilot.press("ctrl+s")
        await still_up(pilot, method)


@scenario("counts", "list_tasks", "get_task")
async def open_contacts(path: Path, clock: FrozenClock, method: str) -> None:
    """The contacts screen counts them, lists them and reads the highlighted one."""
    store = store_with_tasks(path, clock)
    store.import_tasks([(1, contact_record("C-1", now=clock(), age=timedelta(hours=1)))])
    app = inbox_app(store, clock)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await inbox_ready(pilot)
        store.failing = method
        await pilot.press("C")
        await still_up(pilot, method)


# --- the tests ------------------------------------------------------------------------------------
def test_every_store_method_is_covered() -> None:
    """A new `Store` method needs a scenario here, or to be one the UI never calls."""
    assert set(SCENARIOS) | NOT_CALLED_BY_THE_UI == STORE_METHODS
    assert not set(SCENARIOS) & NOT_CALLED_BY_THE_UI


@pytest.mark.parametrize(
    ("method", "drive"),
    [
        pytest.param(method, drive, id=f"{method}-{drive.__name__}")
        for method, drives in sorted(SCENARIOS.items())
        for drive in drives
    ],
)
async def test_a_failing_store_method_is_said_and_the_app_stays(
    method: str, drive: Scenario, tmp_path: Path, clock: FrozenClock
) -> None:
    await drive(tmp_path / "tasks.db", clock, method)


def ui_sources() -> dict[str, str]:
    """The UI's modules (the app, screens, widgets, ui helpers) by path."""
    paths = [PACKAGE / "app.py", *[p for part in ("screens", "widgets", "ui") for p in (PACKAGE / part).rglob("*.py")]]
    return {str(path.relative_to(PACKAGE)): path.read_text(encoding="utf-8") for path in paths}


def test_the_methods_the_ui_never_calls_are_not_called() -> None:
    """The UI calls the store only as `store.NAME(...)` inside a function the client runs
    (`test_the_ui_reaches_the_store_one_way` sees to that), or by the name a row of the
    task-action table gives (`domain.actions`)."""
    from expert_tui.domain.actions import TASK_ACTIONS

    assert not {action.store_method for action in TASK_ACTIONS} & NOT_CALLED_BY_THE_UI
    for path, source in ui_sources().items():
        for method in NOT_CALLED_BY_THE_UI:
            assert not re.search(rf"\bstore\.{method}\(", source), f"{path} calls {method}: give it a scenario"


#: What a second way to the store would look like: a thread of its own, the store itself.
OTHER_WAYS = {
    "a thread of its own": re.compile(r"to_thread|thread=True|call_from_thread|threading\.Thread|run_in_executor"),
    "the app's store itself": re.compile(r"\bapp\.store\b|\bself\.store\b|cast\(\"Store\""),
    "a guess at the app's kind": re.compile(r"hasattr\(self\.app|getattr\(self\.app, \"(store|clock|client)"),
}


def test_the_ui_reaches_the_store_one_way() -> None:
    """Only the store client runs store calls (off the event loop, failures said once)."""
    found = [
        f"{path}: {what}"
        for path, source in ui_sources().items()
        if path != "ui/store_client.py"
        for what, pattern in OTHER_WAYS.items()
        for line in source.splitlines()
        if pattern.search(line) and not (path == "app.py" and line.strip() == "self.store = store")
    ]
    assert not found, "\n".join(found)
