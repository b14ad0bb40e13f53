"""`expert-tui serve` and `expert-tui token`: the server's operator's commands."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from expert_tui.cli import main
from expert_tui.store.tokens import TokenStore, token_hash


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_token_create_prints_the_token_once_and_keeps_only_its_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "server" / "store.db"
    code, out, err = run(capsys, "--db", str(db), "token", "create", "--partner", "ola", "--user", "Ola Nowak")
    assert code == 0
    token = out.strip()
    assert token.startswith("et1_") and len(token) > 40
    assert "shown once" in err and "Ola Nowak" in err and token not in err
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert token.encode() not in db.read_bytes()
    assert token_hash(token).encode() in db.read_bytes()
    tokens = TokenStore(db)
    info = tokens.lookup(token)
    tokens.close()
    assert info is not None and (info.partner, info.person, info.marketplace) == ("ola", "Ola Nowak", False)

    code, out, _ = run(capsys, "--db", str(db), "token", "list")
    assert code == 0 and info.id in out and "Ola Nowak" in out and "live" in out and token not in out
    code, out, _ = run(capsys, "--db", str(db), "token", "revoke", info.id)
    assert code == 0 and "revoked" in out
    code, out, _ = run(capsys, "--db", str(db), "token", "list", "--json")
    listed = json.loads(out)
    assert listed[0]["id"] == info.id and listed[0]["revoked_at"] is not None
    tokens = TokenStore(db)
    assert tokens.lookup(token) is None
    tokens.close()


def test_token_create_json_and_marketplace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.db"
    code, out, _ = run(capsys, "--db", str(db), "token", "create", "--partner", "ola", "--marketplace", "--json")
    made = json.loads(out)
    assert code == 0 and made["marketplace"] is True and made["user"] == "ola" and made["token"].startswith("et1_")


def test_token_commands_refuse_bad_input_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.db"
    code, _, err = run(capsys, "--db", str(db), "token", "revoke", "nope")
    assert code == 2 and "no token" in err and err.count("\n") == 1
    code, _, err = run(capsys, "--db", str(db), "token", "create", "--partner", "  ")
    assert code == 2 and "partner" in err


def test_serve_without_the_server_extra_says_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    code, _, err = run(capsys, "--db", str(tmp_path / "s.db"), "serve")
    assert code == 2
    assert err == "expert-tui: the server needs its extra packages: pip install 'expert-tui[server]'\n"


@pytest.mark.parametrize(("host", "warned"), [("127.0.0.1", False), ("::1", False), ("0.0.0.0", True)])
def test_serve_beyond_loopback_warns_about_clear_text_tokens(
    host: str, warned: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    ran: dict[str, Any] = {}

    def started(server: uvicorn.Server, sockets: object = None) -> None:
        config = server.config
        ran.update(host=config.host, port=config.port, access_log=config.access_log)

    monkeypatch.setattr(uvicorn.Server, "run", started)
    code, _, err = run(capsys, "--db", str(tmp_path / "s.db"), "serve", "--host", host, "--port", "9999")
    assert code == 0 and ran["host"] == host and ran["port"] == 9999
    assert ("clear text" in err) is warned
    assert ran["access_log"] is False


def test_serve_refuses_the_demo_and_a_remote_backend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--demo", "serve")
    assert code == 2 and "demo" in err
