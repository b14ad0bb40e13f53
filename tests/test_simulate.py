"""`expert-tui simulate` fills a partner's inbox on a real server, as a marketplace would."""

from __future__ import annotations

import time
from contextlib import ExitStack
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


def test_simulate_waits_for_a_server_that_restarts_and_exits_69_for_one_never_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A walk-through's server restarted under the simulator: it says so and goes on, as
    the TUI does; a server away from the start is said at once, exit 69."""
    db = tmp_path / "server.db"
    real_sleep = time.sleep
    with ExitStack() as first:
        server = first.enter_context(server_in_thread(db))
        url, port = server.url, int(server.url.rsplit(":", 1)[1])
        partner = RemoteStore(url, server.token("acme", "Ola"), client_file=tmp_path / "c.db")
        partner.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
        partner.close()
        monkeypatch.setenv("EXPERT_TUI_TOKEN", server.token("marketplace", marketplace=True))
        calls: list[float] = []
        restarted = ExitStack()

        def sleep(seconds: float) -> None:
            """The server goes at the 3rd pause, and comes back at the simulator's second
            wait for it (2 s; the client's own retries wait a jittered fraction first)."""
            calls.append(seconds)
            if len(calls) == 3:
                first.close()
            elif seconds == 2.0:
                monkeypatch.setattr("time.sleep", real_sleep)  # the server's own start-up waits
                restarted.enter_context(server_in_thread(db, port=port))
                monkeypatch.setattr("time.sleep", sleep)

        monkeypatch.setattr("time.sleep", sleep)
        with restarted:
            code = main(["--server", url, "simulate", "--partner", "acme", "--rate", "600", "--duration", "4"])
        monkeypatch.setattr("time.sleep", real_sleep)
    captured = capsys.readouterr()
    assert code == 0
    assert "trying again in 1 s" in captured.err and "trying again in 2 s" in captured.err
    assert captured.err.rstrip().endswith("simulate: the server answers again")
    assert captured.out.count("delivered SIM-") >= 2 or "wrote on" in captured.out
    # Away from the start (a wrong URL as much as a stopped server): exit 69 at once, in words.
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    code = main(["--server", url, "simulate", "--partner", "acme", "--rate", "600", "--duration", "1"])
    captured = capsys.readouterr()
    assert code == 69
    assert "is unreachable: the connection was refused" in captured.err and "Traceback" not in captured.err


def test_simulate_exits_69_when_its_run_ends_with_the_server_still_away(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with ExitStack() as running:
        server = running.enter_context(server_in_thread(tmp_path / "server.db"))
        partner = RemoteStore(server.url, server.token("acme", "Ola"), client_file=tmp_path / "c.db")
        partner.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
        partner.close()
        monkeypatch.setenv("EXPERT_TUI_TOKEN", server.token("marketplace", marketplace=True))
        calls: list[float] = []

        def sleep(seconds: float) -> None:
            calls.append(seconds)
            if len(calls) == 3:
                running.close()  # for good

        monkeypatch.setattr("time.sleep", sleep)
        code = main(["--server", server.url, "simulate", "--partner", "acme", "--rate", "600", "--duration", "1"])
    captured = capsys.readouterr()
    assert code == 69
    assert "delivered SIM-" in captured.out
    lines = captured.err.splitlines()
    assert "trying again in 30 s" in captured.err  # the waits grow to their bound
    assert lines[-1].startswith("expert-tui: the server at") and "unreachable" in lines[-1]
