"""`expert-tui simulate` fills a partner's inbox on a real server, as a marketplace would."""

from __future__ import annotations

from pathlib import Path

import pytest

from expert_tui.cli import main
from expert_tui.domain import Preferences, ServiceOffer
from expert_tui.store.remote import RemoteStore
from expert_tui.store.sqlite import SqliteStore
from tests.live_server import server_in_thread


def test_simulate_delivers_tasks_and_merchant_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with server_in_thread(tmp_path / "server.db") as server:
        partner = RemoteStore(server.url, server.token("acme", "Ola"), client_file=tmp_path / "c.db")
        partner.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
        partner.close()
        monkeypatch.setenv("EXPERT_TUI_TOKEN", server.token("marketplace", marketplace=True))
        monkeypatch.setattr("time.sleep", lambda seconds: None)
        code = main(
            ["--server", server.url, "simulate", "--partner", "acme", "--rate", "600", "--duration", "2", "--seed", "7"]
        )
        out = capsys.readouterr().out
    assert code == 0
    assert "delivered SIM-" in out
    store = SqliteStore(tmp_path / "server.db", partner="acme")
    try:
        tasks = list(store.export_tasks())
    finally:
        store.close()
    assert tasks and all(task.id.startswith("SIM-") for task in tasks)
    assert any(m.author.value == "merchant" for task in tasks for m in task.messages)
