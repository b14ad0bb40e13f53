"""410 `resync` (SPEC 6): a reader whose place is not in the server's change log (the
store was restored from a backup, or replaced) is told so, reads the list again and
follows on from the log's end: no crash, nothing missed."""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock, Preferences, ServiceOffer
from expert_tui.store.base import TaskQuery
from expert_tui.store.errors import ResyncNeeded
from expert_tui.store.remote import RemoteStore
from expert_tui.widgets.task_list import TaskList
from tests.live_server import server_in_thread
from tests.store_contract import record
from tests.task_ui import until

pytestmark = pytest.mark.anyio


def test_a_place_beyond_the_log_is_410_resync_and_the_client_says_so(tmp_path: Path, clock: FrozenClock) -> None:
    with server_in_thread(tmp_path / "server.db", clock=clock) as server:
        token = server.token("acme", "Ola")
        answer = httpx.get(
            f"{server.url}/v1/events",
            params={"after": 1000, "timeout": 0},
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "pl"},
        )
        assert answer.status_code == 410
        error = answer.json()["error"]
        assert error["code"] == "resync" and error["message"].startswith("dziennik zmian kończy się na 0")
        store = RemoteStore(server.url, token, client_file=tmp_path / "c.db", clock=clock)
        with pytest.raises(ResyncNeeded):
            store.wait_events(1000, 0)
        assert store.wait_events(0, 0) == []
        store.close()


async def test_the_tui_reads_everything_again_when_the_server_was_restored_from_a_backup(
    tmp_path: Path, clock: FrozenClock
) -> None:
    db, backup = tmp_path / "server.db", tmp_path / "backup.db"
    running = ExitStack()
    server = running.enter_context(server_in_thread(db, clock=clock))
    port = urlsplit(server.url).port or 0
    token, market = server.token("acme", "Ola"), server.token("acme", marketplace=True)
    setup = RemoteStore(server.url, token, marketplace_token=market, client_file=tmp_path / "s.db", clock=clock)
    setup.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
    setup.deliver_task(record("T-1", received_at=clock().strftime("%Y-%m-%dT%H:%M:%SZ")))
    setup.close()
    running.close()
    shutil.copy(db, backup)  # the backup: T-1 only
    running.enter_context(server_in_thread(db, clock=clock, port=port))
    ola = RemoteStore(server.url, token, marketplace_token=market, client_file=tmp_path / "ola.db", clock=clock)
    for n in range(2, 6):  # work done after the backup: the log runs on
        ola.deliver_task(record(f"T-{n}", received_at=clock().strftime("%Y-%m-%dT%H:%M:%SZ")))
    app = ExpertApp(ola, clock=clock, poll_interval=0.05)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            tasks = app.screen.query_one(TaskList)
            await until(pilot, lambda: app._seen_event is not None and tasks.highlighted is not None, "the inbox")
            followed = app._seen_event
            running.close()
            shutil.copy(backup, db)  # the server comes back from the backup
            for suffix in ("-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            running.enter_context(server_in_thread(db, clock=clock, port=port))
            # The log now ends before where the app was: it reads everything again.
            await until(pilot, lambda: app._seen_event is not None and app._seen_event < followed, "the resync", 40)
            await until(pilot, lambda: app.screen.query_one(TaskList).row_count == 1, "the inbox re-listed", 40)
            # And follows on from there: a change after the restore arrives.
            version = app.store_version
            ola.deliver_task(record("T-9", received_at=clock().strftime("%Y-%m-%dT%H:%M:%SZ")))
            await until(pilot, lambda: app.store_version > version, "the next change")
            assert {t.id for t in ola.list_tasks(TaskQuery()).items} == {"T-1", "T-9"}
            assert app.is_running
    finally:
        running.close()
        ola.close()
