"""The TUI on a shared server: teammates' changes arrive without a key press, and a
server that goes away is said in words while the app stays and keys keep answering."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from textual.widgets import Static

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock, Preferences, ServiceOffer
from expert_tui.store.remote import RemoteStore
from expert_tui.widgets.away_line import AwayLine
from expert_tui.widgets.connection_state import ConnectionState
from expert_tui.widgets.preview import TaskPreview
from tests.live_server import server_in_thread
from tests.store_contract import record
from tests.task_ui import until

pytestmark = pytest.mark.anyio


def titles(app: ExpertApp) -> list[str]:
    """The titles of the notifications on screen now."""
    return [notice.title for notice in app._notifications]


async def test_changes_arrive_live_and_a_lost_server_never_ends_the_app(tmp_path: Path, clock: FrozenClock) -> None:
    with ExitStack() as running:
        server = running.enter_context(server_in_thread(tmp_path / "server.db", clock=clock))
        ola = RemoteStore(
            server.url,
            server.token("acme", "Ola"),
            marketplace_token=server.token("acme", marketplace=True),
            client_file=tmp_path / "ola.db",
            clock=clock,
            attempts=1,
        )
        jan = RemoteStore(server.url, server.token("acme", "Jan"), client_file=tmp_path / "jan.db", clock=clock)
        ola.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
        ola.deliver_task(record("T-1"))
        app = ExpertApp(ola, clock=clock, poll_interval=0.05)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app._seen_event is not None, "the first look at the store")
            version = app.store_version
            jan.add_note("T-1", "I'll call them")
            await until(pilot, lambda: app.store_version > version, "Jan's note to arrive")
            jan.close()
            running.close()  # the server stops while the app runs on
            # `notify` posts a message: the notice shows a moment after the failure is counted.
            await until(pilot, lambda: "Store unreachable" in titles(app), "the lost server to be said")
            await pilot.press("j", "k")
            assert app.is_running
            await until(pilot, lambda: app._failures > 1, "a later try")
            await pilot.pause()
            assert titles(app).count("Store unreachable") == 1  # said once, not at every try
        ola.close()


def connection_words(app: ExpertApp) -> str:
    """What the footer of the screen in front says about the connection ("" if hidden)."""
    states = app.screen.query(ConnectionState)
    return str(states.first().render()) if states and states.first().display else ""


async def test_every_footer_says_whether_the_server_answers(tmp_path: Path, clock: FrozenClock) -> None:
    """Live; reconnecting with the next try; offline after a minute; live again when the
    server is back on its port, without a key press."""
    db = tmp_path / "server.db"
    with ExitStack() as running:
        server = running.enter_context(server_in_thread(db, clock=clock))
        port = urlsplit(server.url).port
        assert port is not None
        ola = RemoteStore(
            server.url, server.token("acme", "Ola"), client_file=tmp_path / "ola.db", clock=clock, attempts=1
        )
        app = ExpertApp(ola, clock=clock, poll_interval=0.05)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: connection_words(app) == "● live", "live in the footer")
            running.close()
            await until(pilot, lambda: "○ reconnecting · next try in" in connection_words(app), "reconnecting")
            clock.advance(timedelta(seconds=61))
            await until(pilot, lambda: "○ offline since" in connection_words(app), "offline after a minute", 40)
            assert "next try in" in connection_words(app) or "trying now" in connection_words(app)
            await pilot.resize_terminal(80, 24)
            await until(pilot, lambda: connection_words(app) == "○ offline", "the short words at 80 columns")
            with server_in_thread(db, clock=clock, port=port):
                await until(pilot, lambda: connection_words(app) == "●", "live again, a dot at 80 columns", 40)
                await until(pilot, lambda: "Back online" in titles(app), "the notice that it is back")
        ola.close()


async def test_a_local_store_shows_no_connection_until_it_fails(tmp_path: Path, clock: FrozenClock) -> None:
    from expert_tui.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path / "local.db", clock=clock)
    app = ExpertApp(store, clock=clock, poll_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app._seen_event is not None, "the first look at the store")
        assert connection_words(app) == ""
        store.close()  # the file's connection is gone: every look fails from now on
        await until(pilot, lambda: "reconnecting" in connection_words(app), "the failure in the footer")
        assert app.is_running


class _Counting(httpx.HTTPTransport):
    """The real transport, noting the query of every read of the change log."""

    def __init__(self) -> None:
        super().__init__()
        self.feed: list[dict[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/events":
            self.feed.append(dict(request.url.params))
        return super().handle_request(request)


async def test_on_a_server_the_app_long_polls_the_change_log(tmp_path: Path, clock: FrozenClock) -> None:
    """No polling load: the app's read of the feed waits at the server (25 s), and a
    teammate's note still arrives at once; a quit does not wait for the pending read."""
    with server_in_thread(tmp_path / "server.db", clock=clock) as server:
        counting = _Counting()
        ola = RemoteStore(
            server.url,
            server.token("acme", "Ola"),
            marketplace_token=server.token("acme", marketplace=True),
            client_file=tmp_path / "ola.db",
            clock=clock,
            transport=counting,
        )
        jan = RemoteStore(server.url, server.token("acme", "Jan"), client_file=tmp_path / "jan.db", clock=clock)
        ola.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
        ola.deliver_task(record("T-1"))
        # A poll interval that would be hammering the server if the app polled.
        app = ExpertApp(ola, clock=clock, poll_interval=0.01)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: bool(counting.feed), "the first long-poll")
            version = app.store_version
            jan.add_note("T-1", "I'll call them")
            await until(pilot, lambda: app.store_version > version, "Jan's note to arrive")
            await until(pilot, lambda: len(counting.feed) >= 2, "the next long-poll")
            # One read of the feed per change (however long the wait took), each waiting 25 s.
            assert len(counting.feed) <= 3
            assert {read["timeout"] for read in counting.feed} == {"25.0"}
            await pilot.press("j", "k")
            assert app.is_running
        jan.close()
        ola.close()


async def test_on_a_server_an_inbox_offering_no_service_says_why_nothing_arrives(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """Deliveries come only once a service is offered (SPEC 6): a partner new on a server
    is told so, and where to set one up, instead of "import some from a shell"."""
    with server_in_thread(tmp_path / "server.db", clock=clock) as server:
        ola = RemoteStore(server.url, server.token("acme", "Ola"), client_file=tmp_path / "ola.db", clock=clock)
        app = ExpertApp(ola, clock=clock, poll_interval=0.05)
        async with app.run_test(size=(120, 40)) as pilot:
            line = app.screen.query_one(AwayLine)
            await until(pilot, lambda: line.has_class("-away"), "the line saying why nothing arrives")
            assert str(line.render()) == "No service offered yet — tasks arrive once you add one · p adds one"
            preview = app.screen.query_one(TaskPreview)
            await until(pilot, lambda: "as the marketplace delivers them" in preview_text(preview), "the hint")
            assert "import" not in preview_text(preview)
            ola.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
            app.store_version += 1  # what the event feed does for a change made elsewhere
            await until(pilot, lambda: not line.has_class("-away"), "the line gone once a service is offered")
        ola.close()


def preview_text(preview: TaskPreview) -> str:
    return str(preview.query_one("#preview-body", Static).render())
