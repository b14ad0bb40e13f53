"""The store contract against `RemoteStore`, through the real server on a loopback port.

No mocks: uvicorn serves the app in a thread, on the same clock as the test (the
server's clock decides every rule), and the client speaks HTTP to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from expert_tui.domain import Clock, FrozenClock
from expert_tui.store.remote import RemoteStore
from tests.live_server import LiveServer, server_in_thread
from tests.store_contract import StoreContract


class _Clock:
    """The server's clock: whichever the test's stores were made with."""

    def __init__(self) -> None:
        self.current: Clock | None = None

    def __call__(self):  # type: ignore[no-untyped-def]
        assert self.current is not None
        return self.current()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[LiveServer, _Clock]]:
    clock = _Clock()
    with server_in_thread(tmp_path / "server.db", clock=clock) as server:
        yield server, clock


@pytest.fixture
def make_store(live: tuple[LiveServer, _Clock], tmp_path: Path) -> Iterator[Callable[..., RemoteStore]]:
    server, server_clock = live
    opened: list[RemoteStore] = []

    def make(clock: FrozenClock, partner: str = "local", user: str | None = None) -> RemoteStore:
        server_clock.current = clock
        store = RemoteStore(
            server.url,
            server.token(partner, user if user is not None else "partner"),
            marketplace_token=server.token(partner, marketplace=True),
            client_file=tmp_path / "client" / f"{partner}-{user}.db",
            clock=clock,
        )
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


class TestRemoteStoreContract(StoreContract):
    pass
