"""The TUI opens without its server (issue 8): the inbox says it cannot reach it and
when the next try is, and fills in when the server answers; a script's command still
exits 69 (it cannot wait)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from expert_tui.app import ExpertApp
from expert_tui.cli import main
from expert_tui.domain import FrozenClock, Preferences, ServiceOffer
from expert_tui.screens.inbox import InboxScreen
from expert_tui.store.errors import StoreUnavailable
from expert_tui.store.remote import RemoteStore
from expert_tui.widgets.preview import TaskPreview
from expert_tui.widgets.task_list import TaskList
from tests.live_server import server_in_thread
from tests.store_contract import record
from tests.task_ui import until

pytestmark = pytest.mark.anyio


def preview_words(app: ExpertApp) -> str:
    found = app.screen.query(TaskPreview)
    return str(found.first().query_one("#preview-body").render()) if found else ""


async def test_the_tui_opens_without_its_server_and_fills_in_when_it_answers(
    tmp_path: Path, clock: FrozenClock
) -> None:
    db, client_file = tmp_path / "server.db", tmp_path / "client" / "ola.db"
    running = ExitStack()
    server = running.enter_context(server_in_thread(db, clock=clock))
    port = urlsplit(server.url).port or 0
    token, market = server.token("acme", "Ola"), server.token("acme", marketplace=True)
    # Once with the server there: the client learns whose token it holds.
    first = RemoteStore(server.url, token, marketplace_token=market, client_file=client_file, clock=clock)
    first.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
    first.deliver_task(record("T-1", received_at=clock().strftime("%Y-%m-%dT%H:%M:%SZ")))
    first.close()
    running.close()

    # A command cannot wait: it fails (the CLI says so and exits 69).
    with pytest.raises(StoreUnavailable):
        RemoteStore(server.url, token, client_file=client_file, clock=clock, attempts=1)
    # Another token the client never met cannot open offline either: whose would it be?
    with pytest.raises(StoreUnavailable):
        RemoteStore(server.url, "never-seen", client_file=client_file, clock=clock, attempts=1, offline=True)

    store = RemoteStore(server.url, token, client_file=client_file, clock=clock, attempts=1, offline=True)
    assert store.started_offline and (store.partner, store.user) == ("acme", "Ola")
    app = ExpertApp(store, clock=clock, poll_interval=0.05)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
            await until(pilot, lambda: "Cannot reach the server" in preview_words(app), "the inbox says it")
            await until(pilot, lambda: "Next try at" in preview_words(app), "and when the next try is")
            await pilot.press("j", "k", "f", "escape")
            assert app.is_running
            with server_in_thread(db, clock=clock, port=port):
                tasks = app.screen.query_one(TaskList)
                await until(pilot, lambda: tasks.highlighted is not None, "the inbox filled in", 40)
                assert tasks.highlighted is not None and tasks.highlighted.id == "T-1"
                # The preview follows the highlight a message later.
                await until(pilot, lambda: "Cannot reach the server" not in preview_words(app), "the task previewed")
                assert "Make our product pages faster" in preview_words(app)
    finally:
        store.close()


def test_a_command_without_its_server_still_exits_69(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with server_in_thread(tmp_path / "server.db") as server:
        url, token = server.url, server.token("acme", "Ola")
        assert main(["--server", url, "--token", token, "list"]) == 0
    capsys.readouterr()
    assert main(["--server", url, "--token", token, "list"]) == 69
    assert "unreachable" in capsys.readouterr().err
