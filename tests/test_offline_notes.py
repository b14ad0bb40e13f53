"""A note written while the server is out of reach (issue 8's offline outbox), through
the real TUI and the real server stopped and started again on its port: kept on this
computer with its idempotency key, shown as queued on the task and in the inbox, added
once when the server answers — by this run, or by the next start."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from textual.widgets import TextArea

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock, Preferences, ServiceOffer
from expert_tui.screens.dialogs import NoteDialog
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.task import TaskScreen
from expert_tui.store.remote import RemoteStore
from expert_tui.store.sqlite import SqliteStore
from expert_tui.widgets.outbox_bar import OutboxBar
from tests.live_server import server_in_thread
from tests.store_contract import record
from tests.task_ui import until

pytestmark = pytest.mark.anyio


def titles(app: ExpertApp) -> list[str]:
    return [notice.title for notice in app._notifications]


def bar(app: ExpertApp) -> str:
    """What the outbox bar of the screen in front says ("" when hidden)."""
    found = app.screen.query(OutboxBar)
    return str(found.first().render()) if found and found.first().has_class("shown") else ""


def notes(db: Path) -> list[tuple[str, str]]:
    store = SqliteStore(db, partner="acme", user="reader")
    try:
        return [(n.author, n.body) for n in store.get_task("T-1").notes]
    finally:
        store.close()


class _Team:
    """A server on a port it can be started on again, and Ola's client of it."""

    def __init__(self, tmp_path: Path, clock: FrozenClock) -> None:
        self.db = tmp_path / "server.db"
        self.clock = clock
        self.client_file = tmp_path / "ola.db"
        self.running = ExitStack()
        server = self.running.enter_context(server_in_thread(self.db, clock=clock))
        self.url, self.port = server.url, urlsplit(server.url).port
        self.token, self.market = server.token("acme", "Ola"), server.token("acme", marketplace=True)
        setup = RemoteStore(self.url, self.token, marketplace_token=self.market, client_file=tmp_path / "s.db")
        setup.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
        setup.deliver_task(record("T-1", received_at=clock().strftime("%Y-%m-%dT%H:%M:%SZ")))
        setup.close()

    def ola(self) -> RemoteStore:
        return RemoteStore(self.url, self.token, client_file=self.client_file, clock=self.clock, attempts=1)

    def stop(self) -> None:
        self.running.close()

    def start(self) -> None:
        self.running.enter_context(server_in_thread(self.db, clock=self.clock, port=self.port or 0))


def listed(app: ExpertApp) -> bool:
    """The inbox shows the task under its cursor (enter opens it then, not before)."""
    screen = app.screen
    return isinstance(screen, InboxScreen) and screen.task_list.highlighted is not None


async def write_note(pilot: object, app: ExpertApp, text: str) -> None:
    await pilot.press("n")  # type: ignore[attr-defined]
    await until(pilot, lambda: isinstance(app.screen, NoteDialog), "the note dialog")  # type: ignore[arg-type]
    box = app.screen.query_one("#note", TextArea)
    await until(pilot, lambda: not box.read_only, "the note box ready")  # type: ignore[arg-type]
    await pilot.press(*text, "ctrl+s")  # type: ignore[attr-defined]
    await until(pilot, lambda: isinstance(app.screen, TaskScreen), "back on the task")  # type: ignore[arg-type]


async def test_a_note_written_offline_is_queued_shown_and_added_once_when_the_server_is_back(
    tmp_path: Path, clock: FrozenClock
) -> None:
    team = _Team(tmp_path, clock)
    ola = team.ola()
    app = ExpertApp(ola, clock=clock, poll_interval=0.05)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app._seen_event is not None, "the first look at the store")
            await until(pilot, lambda: listed(app), "the task listed")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, TaskScreen), "the task")
            team.stop()
            await write_note(pilot, app, "Call them Monday")
            await until(pilot, lambda: "Waiting for the server" in titles(app), "the queued note said")
            await until(pilot, lambda: bar(app).startswith("Queued: note — kept"), "queued, on the task")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
            await until(pilot, lambda: bar(app).startswith("Queued: note on T-1"), "queued, in the inbox")
            assert notes(team.db) == []
            team.start()
            clock.advance(timedelta(seconds=31))  # past the next try
            await until(pilot, lambda: "Note added" in titles(app), "the note added when the server is back", 40)
            await until(pilot, lambda: bar(app) == "", "nothing queued any more")
            assert notes(team.db) == [("Ola", "Call them Monday")]
            clock.advance(timedelta(seconds=61))
            await until(pilot, lambda: app._failures == 0, "live again", 40)
            assert notes(team.db) == [("Ola", "Call them Monday")], "added once"
    finally:
        team.stop()
        ola.close()


async def test_a_note_still_queued_at_quit_is_added_by_the_next_start(tmp_path: Path, clock: FrozenClock) -> None:
    team = _Team(tmp_path, clock)
    first = team.ola()
    app = ExpertApp(first, clock=clock, poll_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app._seen_event is not None, "the first look at the store")
        await until(pilot, lambda: listed(app), "the task listed")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TaskScreen), "the task")
        team.stop()
        await write_note(pilot, app, "Quote sent by mail")
        await until(pilot, lambda: bool(app.outbox.held("T-1")), "the note kept")
    first.close()
    assert notes(team.db) == []
    team.start()
    try:
        again = team.ola()
        app = ExpertApp(again, clock=clock, poll_interval=0.05)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: "Notes added" in titles(app), "the kept note added on start")
            assert notes(team.db) == [("Ola", "Quote sent by mail")]
            assert again.queued_replies() == []
        again.close()
    finally:
        team.stop()
