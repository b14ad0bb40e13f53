"""Every command against a real server on a loopback port, as a script would use them.

The same output and exit codes as on a local store, plus the remote ones: 69 when the
server cannot be reached, 77 when it refuses the token; and the token never shows.
"""

from __future__ import annotations

import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from expert_tui.cli import main
from expert_tui.cli.remote_config import config_path
from tests.live_server import LiveServer, free_port, server_in_thread
from tests.store_contract import record

SERVICES = {"services": [{"name": "SEO", "starting_price": 100, "currency": "USD"}]}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with server_in_thread(tmp_path / "server.db") as live:
        yield live


@pytest.fixture
def token(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> str:
    token = server.token("acme", "Ola Nowak")
    monkeypatch.setenv("EXPERT_TUI_SERVER", server.url)
    monkeypatch.setenv("EXPERT_TUI_TOKEN", token)
    return token


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_import(path: Path, count: int) -> Path:
    lines = [json.dumps(record(f"T-{i}", received_at="2026-11-28T06:00:00Z")) for i in range(1, count + 1)]
    lines.insert(2, "{not json")
    lines.append(json.dumps({"id": "T-bad", "kind": "nope", "service": "x", "merchant": {"name": "A"}}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_to_a_server_reports_each_line_like_a_local_import(
    tmp_path: Path, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_import(tmp_path / "tasks.jsonl", 30)
    code, out, err = run(capsys, "import", str(source), "--json")
    assert code == 2
    report = json.loads(out)
    assert len(report["added"]) == 30
    assert [(r["line"], r["id"]) for r in report["rejected"]] == [(3, None), (32, "T-bad")]
    local = tmp_path / "local.db"
    code, local_out, _ = run(capsys, "--db", str(local), "import", str(source), "--json")
    assert json.loads(local_out) == report
    code, out, _ = run(capsys, "import", str(source), "--json")
    again = json.loads(out)
    assert again["added"] == [] and len(again["unchanged"]) == 30
    assert token not in out + err


def test_import_batches_by_bytes(
    tmp_path: Path, token: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from expert_tui.store import remote

    monkeypatch.setattr(remote, "IMPORT_BYTES", 2000)  # a few records a request
    source = write_import(tmp_path / "tasks.jsonl", 12)
    code, out, _ = run(capsys, "import", str(source), "--json")
    report = json.loads(out)
    assert code == 2 and len(report["added"]) == 12
    assert [r["line"] for r in report["rejected"]] == [3, 14]


def test_the_daily_commands_work_on_a_server(
    server: LiveServer, token: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "import", str(write_import(tmp_path / "t.jsonl", 3)))
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0 and sorted(t["id"] for t in json.loads(out)) == ["T-1", "T-2", "T-3"]
    code, out, _ = run(capsys, "reply", "T-1", "-m", "Hello Grace", "--idempotency-key", "k1")
    assert code == 0 and "reply sent" in out
    assert run(capsys, "reply", "T-1", "-m", "Hello Grace", "--idempotency-key", "k1")[0] == 0
    code, out, _ = run(capsys, "note", "T-1", "-m", "call Monday")
    assert code == 0
    code, out, _ = run(capsys, "show", "T-1", "--json")
    task = json.loads(out)
    assert [m["body"] for m in task["messages"]] == ["Hello Grace"]
    assert task["messages"][0]["author_name"] == "Ola Nowak"
    assert task["notes"][0]["author"] == "Ola Nowak"
    code, out, _ = run(capsys, "search", "grace", "--json")
    assert code == 0 and len(json.loads(out)) == 3
    assert run(capsys, "decline", "T-2", "--reason", "too_busy")[0] == 0
    code, _, err = run(capsys, "reply", "T-2", "-m", "late")
    assert code == 1 and "declined" in err
    code, _, err = run(capsys, "show", "T-404")
    assert code == 2 and f"no task 'T-404' on the server at {server.url}" in err
    code, out, _ = run(capsys, "export")
    assert code == 0 and len(out.splitlines()) == 3
    code, out, _ = run(capsys, "paths", "--json")
    assert json.loads(out)["store"] == server.url


def test_a_token_on_the_command_line_is_warned_about_and_never_shown(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    token = server.token("acme")
    code, out, err = run(capsys, "--server", server.url, "--token", token, "list")
    assert code == 0
    assert err.startswith("expert-tui: warning: a token given with --token can be seen by other users")
    # The warning, then "No tasks." (a message, on stderr: issue 15).
    assert "EXPERT_TUI_TOKEN" in err and err.splitlines()[1:] == ["No tasks."]
    assert token not in out + err


def test_an_unreachable_server_exits_69_in_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPERT_TUI_TOKEN", "et1_00000000_secret")
    url = f"http://127.0.0.1:{free_port()}"
    code, out, err = run(capsys, "--server", url, "list", "--json")
    assert code == 69 and out == "" and json.loads(err)["error"]["code"] == "unavailable", "--json: JSON on stderr"
    assert err.count("\n") == 1 and "unreachable" in err and url in err and "secret" not in err


def test_a_refused_token_exits_77(
    server: LiveServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    revoked = server.token("acme")
    server.revoke(revoked)
    monkeypatch.setenv("EXPERT_TUI_TOKEN", revoked)
    code, _, err = run(capsys, "--server", server.url, "list")
    assert code == 77 and "refused the token" in err and revoked not in err
    monkeypatch.setenv("EXPERT_TUI_TOKEN", server.token("acme", marketplace=True))
    code, _, err = run(capsys, "--server", server.url, "list")
    assert code == 77 and "marketplace token" in err


def test_a_server_without_a_token_is_a_usage_error(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--server", server.url, "list")
    assert code == 2 and "needs a token" in err and "expert-tui login" in err


def test_login_keeps_server_and_token_private_and_commands_use_them(
    server: LiveServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = server.token("acme", "Jan")
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
    code, out, err = run(capsys, "login", "--server", server.url)
    assert code == 0 and "as Jan of acme" in out and token not in out + err
    path = config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text()) == {"server": server.url, "token": token}
    code, out, _ = run(capsys, "paths", "--json")
    assert json.loads(out)["store"] == server.url
    assert run(capsys, "list")[0] == 0
    path.chmod(0o644)
    code, _, err = run(capsys, "list")
    assert code == 2 and "can be read by others" in err
    path.chmod(0o600)
    assert run(capsys, "logout")[0] == 0 and not path.exists()


def test_login_with_a_wrong_token_keeps_nothing(
    server: LiveServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("et1_nope_nope\n"))
    code, _, err = run(capsys, "login", "--server", server.url)
    assert code == 77 and "refused the token" in err and not config_path().exists()
