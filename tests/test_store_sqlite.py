"""The store contract on the embedded SQLite store, and what only SQLite has."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from store_contract import StoreContract

from expert_tui.domain import Clock
from expert_tui.store.sqlite import SqliteStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "expert-tui" / "tasks.db"


@pytest.fixture
def make_store(db_path: Path) -> Iterator[Callable[..., SqliteStore]]:
    opened: list[SqliteStore] = []

    def make(clock: Clock, partner: str = "local") -> SqliteStore:
        store = SqliteStore(db_path, clock=clock, partner=partner)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


class TestSqliteStoreContract(StoreContract):
    pass
