"""`reply --template NAME`: the TUI's first-reply templates for scripts, filled in for the
task and signed as the TUI signs (the display name, or the token's person on a server)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from expert_tui.cli import main
from expert_tui.demo import demo_tasks
from expert_tui.settings import SettingsFile
from expert_tui.store.sqlite import SqliteStore
from tests.live_server import server_in_thread
from tests.store_contract import record


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path, isolated_home: Path) -> Path:
    path = tmp_path / "store.db"
    with SqliteStore(path) as store:
        store.import_tasks(enumerate(demo_tasks(datetime.now(UTC)), start=1))
    return path


def test_a_template_is_filled_in_and_signed_with_the_display_name(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    SettingsFile().update(display_name="Ola Kowalska", asked_display_name=True)
    code, out, err = run(capsys, "--db", str(db), "reply", "T-1042", "--template", "introduce", "--json")
    assert (code, err) == (0, "")
    sent = json.loads(out)["messages"][-1]
    assert sent["author"] == "partner"
    assert sent["body"].startswith("Hi Anna,\n\nThanks for reaching out about theme customization for Żółw i Spółka.")
    assert sent["body"].endswith("Best regards,\nOla Kowalska")


def test_one_way_to_give_the_text(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", str(db), "reply", "T-1042", "--template", "call", "--message", "hi")
    assert code == 2 and "one way only" in err
    code, _, err = run(capsys, "--db", str(db), "reply", "T-1042", "--template", "bogus")
    assert code == 2 and "no template named 'bogus'" in err and "introduce, call, quote, introduce-pl" in err
    code, _, err = run(capsys, "--db", str(db), "reply", "T-404", "--template", "call")
    assert code == 2 and "T-404" in err


def test_on_a_server_the_token_s_person_signs(
    tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with server_in_thread(tmp_path / "server.db") as server:
        monkeypatch.setenv("EXPERT_TUI_TOKEN", server.token("acme", "Jan Nowak"))
        market = server.token("acme", marketplace=True)
        from expert_tui.domain import Preferences, ServiceOffer
        from expert_tui.store.remote import RemoteStore

        with RemoteStore(
            server.url, server.token("acme", "Ola"), marketplace_token=market, client_file=tmp_path / "c.db"
        ) as store:
            store.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
            store.deliver_task(record("T-1"))
        code, out, err = run(capsys, "--server", server.url, "reply", "T-1", "--template", "quote", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["messages"][-1]["body"].endswith("Best regards,\nJan Nowak")


def test_the_polish_built_ins_by_their_pl_names(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    SettingsFile().update(display_name="Ola Kowalska", asked_display_name=True)
    code, out, err = run(capsys, "--db", str(db), "reply", "T-1042", "--template", "Introduce-PL", "--json")
    assert (code, err) == (0, "")
    body = json.loads(out)["messages"][-1]["body"]
    assert body.startswith("Dzień dobry,\n\npiszę w sprawie Państwa zadania dotyczącego usługi „Theme customization”")
    assert body.endswith("Pozdrawiam,\nOla Kowalska")


def test_a_saved_reply_by_its_name_in_any_capitals(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from expert_tui.replies_file import RepliesFile

    SettingsFile().update(display_name="Ola", asked_display_name=True)
    RepliesFile().add("Follow up", "Hi {merchant_first_name|there}, re {task_id} for {store_name}\n{my_name}")
    code, out, _ = run(capsys, "--db", str(db), "reply", "T-1042", "--template", "follow UP", "--json")
    assert code == 0
    body = json.loads(out)["messages"][-1]["body"]
    assert body.startswith("Hi Anna, re T-1042 for Żółw i Spółka\n")
    assert body.endswith("\nOla")


def test_an_empty_field_is_warned_about(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from expert_tui.replies_file import RepliesFile

    path = tmp_path / "plain.db"
    with SqliteStore(path) as store:
        store.import_tasks(enumerate([record("T-9", budget=None, received_at=datetime.now(UTC).isoformat())], 1))
    RepliesFile().add("Budget", "Your budget: {budget}. Or {budget|not said}.")
    code, out, err = run(capsys, "--db", str(path), "reply", "T-9", "--template", "budget", "--json")
    assert code == 0
    assert json.loads(out)["messages"][-1]["body"] == "Your budget: . Or not said."
    assert "warning: {budget} empty for T-9 and without a fallback (write {budget|…}" in err


def test_templates_list_and_a_broken_file(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from expert_tui.paths import saved_replies_path
    from expert_tui.replies_file import RepliesFile

    RepliesFile().add("Follow up", "Hi {merchant_first_name|there},\nmore")
    code, out, err = run(capsys, "templates", "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["introduce", "built-in,", "en"]
    assert lines[3].split()[:3] == ["introduce-pl", "built-in,", "pl"]
    assert lines[-1].startswith("Follow up") and lines[-1].endswith("Hi {merchant_first_name|there},")
    code, out, err = run(capsys, "templates", "list", "--json")
    listed = json.loads(out)
    assert [row["name"] for row in listed][-1] == "Follow up"
    assert listed[-1] == {
        "name": "Follow up",
        "kind": "saved",
        "lang": None,
        "first_reply_only": False,
        "title": "Hi {merchant_first_name|there},",
        "body": "Hi {merchant_first_name|there},\nmore",
    }
    saved_replies_path().write_text("reply = [")
    code, out, err = run(capsys, "templates", "list")
    assert code == 2 and "not valid TOML" in err and len(out.splitlines()) == 6
    code, _, err = run(capsys, "--db", str(db), "reply", "T-1042", "--template", "follow up")
    assert code == 2 and "no template named 'follow up'" in err and "not valid TOML" in err
    code, _, err = run(capsys, "--db", str(db), "reply", "T-1042", "--template", "call", "--json")
    assert code == 0  # the built-ins still work
