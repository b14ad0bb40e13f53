"""`store-access ID --merchant-consented`: asked only with the merchant's consent, once; a
repeat is done (exit 0), a task not in conversation is refused by the rules (exit 1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from expert_tui.cli import main
from expert_tui.demo import demo_tasks
from expert_tui.store.sqlite import SqliteStore


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


#: A demo task in conversation, not yet asked for access.
TALKING = next(
    t["id"]
    for t in demo_tasks(datetime.now(UTC))
    if t["status"] == "responded" and t["store_access"]["status"] == "none"
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    with SqliteStore(path) as store:
        store.import_tasks(enumerate(demo_tasks(datetime.now(UTC)), start=1))
    return path


def test_requested_once_with_consent(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--db", str(db), "store-access", TALKING)
    assert code == 2 and "--merchant-consented" in err and out == ""
    code, out, _ = run(capsys, "--db", str(db), "store-access", TALKING, "--merchant-consented", "--json")
    assert code == 0
    access = json.loads(out)["store_access"]
    assert access["status"] == "requested" and access["requested_at"].endswith("Z")
    code, out, _ = run(capsys, "--db", str(db), "store-access", TALKING, "--merchant-consented")
    assert code == 0 and "store access already requested" in out


def test_a_task_not_in_conversation_is_refused_by_the_rules(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = next(t["id"] for t in demo_tasks(datetime.now(UTC)) if t["status"] == "new")
    code, out, err = run(capsys, "--db", str(db), "store-access", new, "--merchant-consented", "--json")
    assert code == 1
    assert json.loads(err)["error"]["code"] == "refused" and out == ""
