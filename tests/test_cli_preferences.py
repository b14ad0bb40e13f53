"""`expert-tui preferences show|set`, on a local store and on a real server: set changes only
what it is given, a wrong value is refused naming its field and nothing is saved."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from expert_tui.cli import main
from expert_tui.domain import Preferences, ServiceOffer
from expert_tui.store.sqlite import SqliteStore
from tests.live_server import server_in_thread

SEO = Preferences(notification_email="ola@agency.example", services=(ServiceOffer("SEO", 250, "USD"),))


@pytest.fixture(params=["local", "server"])
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The options that reach a store holding `SEO`: a file, or a server over one."""
    db = tmp_path / "store.db"
    with SqliteStore(db) as store:
        store.set_preferences(SEO)
    if request.param == "local":
        yield ["--db", str(db)]
        return
    with server_in_thread(tmp_path / "server.db") as server:
        token = server.token("acme", "Ola")
        monkeypatch.setenv("EXPERT_TUI_TOKEN", token)
        assert main(["--server", server.url, "preferences", "set", "--file", str(_write(tmp_path, SEO))]) == 0
        yield ["--server", server.url]


def _write(tmp_path: Path, prefs: Preferences) -> Path:
    from expert_tui.domain.codec import preferences_to_dict

    path = tmp_path / "prefs.json"
    path.write_text(json.dumps(preferences_to_dict(prefs)))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_show_prints_every_preference(backend: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *backend, "preferences", "show")
    assert (code, err) == (0, "")
    # Not a terminal here: tab-separated, one preference a line.
    assert "available\tyes\n" in out
    assert "notification_email\tola@agency.example\n" in out
    assert "services\tSEO from 250 USD\n" in out
    code, out, _ = run(capsys, *backend, "preferences", "show", "--json")
    shown = json.loads(out)
    assert shown["services"] == [{"name": "SEO", "starting_price": 250, "currency": "USD"}]
    assert shown["available"] is True


def test_set_changes_only_what_it_is_given(backend: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *backend, "preferences", "set", "available=no", "unavailable_until=2026-12-24")
    assert (code, err) == (0, "")
    assert "available\tno\n" in out and "unavailable_until\t2026-12-24\n" in out
    code, out, _ = run(capsys, *backend, "preferences", "show", "--json")
    shown = json.loads(out)
    assert shown["available"] is False and shown["unavailable_until"] == "2026-12-24"
    # Everything not named is as it was.
    assert shown["notification_email"] == "ola@agency.example"
    assert shown["services"] == [{"name": "SEO", "starting_price": 250, "currency": "USD"}]
    code, out, _ = run(capsys, *backend, "preferences", "set", "unavailable_until=none", "--json")
    assert json.loads(out)["unavailable_until"] is None


def test_a_wrong_value_names_its_field_and_saves_nothing(
    backend: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    services = '[{"name": "SEO", "starting_price": -5, "currency": "USD"}]'
    code, out, err = run(capsys, *backend, "preferences", "set", "available=no", f"services={services}", "--json")
    assert code == 2
    error = json.loads(err)["error"]
    assert error["code"] == "invalid" and error["field"] == "services[0].starting_price" and out == ""
    assert "0 or more" in err
    code, out, _ = run(capsys, *backend, "preferences", "show", "--json")
    assert json.loads(out)["available"] is True  # the whole set was refused, not half of it

    code, _, err = run(capsys, *backend, "preferences", "set", "availble=no")
    assert code == 2 and "no preference 'availble'" in err and "available" in err
    code, _, err = run(capsys, *backend, "preferences", "set", "unavailable_until=24.12")
    assert code == 2 and "unavailable_until is not a valid date" in err
    code, _, err = run(capsys, *backend, "preferences", "set")
    assert code == 2 and "nothing to set" in err
    code, _, err = run(capsys, *backend, "preferences", "set", "available")
    assert code == 2 and "is not NAME=VALUE" in err


def test_a_switch_is_refused_in_the_words_the_command_line_takes(
    backend: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`available=maybe` once said "must be true or false" while README says yes/no; the
    message now names every word `set` takes, and JSON (--file) keeps JSON's words."""
    for value in ("maybe", "none", "[true]"):
        code, out, err = run(capsys, *backend, "preferences", "set", "dropshippers=no", f"available={value}", "--json")
        error = json.loads(err)["error"]
        assert (code, out, error["field"]) == (2, "", "available")
        assert error["message"] == "available must be yes or no (or true/false, on/off, 1/0)"
    for words in (("yes", True), ("off", False), ("TRUE", True), ("0", False)):
        code, out, _ = run(capsys, *backend, "preferences", "set", f"available={words[0]}", "--json")
        assert code == 0 and json.loads(out)["available"] is words[1]
    code, out, _ = run(capsys, *backend, "preferences", "show", "--json")
    assert json.loads(out)["dropshippers"] is True  # nothing of a refused set was saved
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b'{"available": "maybe"}')))
    code, _, err = run(capsys, *backend, "preferences", "set", "--file", "-")
    assert code == 2 and "available must be true or false" in err


def test_set_reads_a_json_object_from_stdin(
    backend: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b'{"dropshippers": false}')))
    code, out, _ = run(capsys, *backend, "preferences", "set", "--file", "-", "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["dropshippers"] is False and shown["notification_email"] == "ola@agency.example"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"[1, 2]")))
    code, _, err = run(capsys, *backend, "preferences", "set", "--file", "-")
    assert code == 2 and "no JSON object" in err


def test_a_missing_store_is_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "typo.db"
    code, _, err = run(capsys, "--db", str(missing), "preferences", "show")
    assert code == 2 and "no store at" in err
    assert not missing.exists()


def test_merchant_looking_text_in_a_service_name_is_shown_safely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.db"
    with SqliteStore(db) as store:
        store.set_preferences(Preferences(services=(ServiceOffer("SEO\x1b]0;owned\x07 [b]x[/b]", 1, "USD"),)))
    code, out, _ = run(capsys, "--db", str(db), "preferences", "show")
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "[b]x[/b]" in out
