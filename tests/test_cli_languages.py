"""Issue 11 items 5 and 6: the command line's words follow the person's language (Polish
with the seed's names, plural forms, days and prices in Polish format), while what
scripts read — JSON, tab-separated rows, exit codes, error codes and rules — stays the
same English identifiers in every language."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from expert_tui import i18n
from expert_tui.cli import main, render
from expert_tui.domain.timefmt import format_ts
from expert_tui.i18n import speaking
from expert_tui.store.sqlite import SqliteStore
from tests.store_contract import record


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """Three tasks: T-1 new (a PLN budget, two merchant messages), T-2 expired, T-3 direct."""
    now = datetime.now(UTC).replace(microsecond=0)
    messages = [
        {
            "id": f"m{i}",
            "author": "merchant",
            "author_name": "Anna Nowak",
            "body": f"Hello {i}",
            "sent_at": format_ts(now),
        }
        for i in (1, 2)
    ]
    tasks = [
        record(
            "T-1",
            budget={"min": 2500, "max": 12500, "currency": "PLN"},
            received_at=format_ts(now - timedelta(hours=1)),
            messages=messages,
        ),
        record("T-2", received_at=format_ts(now - timedelta(hours=80))),
        record("T-3", kind="direct", received_at=format_ts(now - timedelta(hours=2)), budget=None),
    ]
    source = tmp_path / "tasks.json"
    source.write_text(json.dumps(tasks), encoding="utf-8")
    path = tmp_path / "tasks.db"
    assert main(["--db", str(path), "import", str(source)]) == 0
    capsys.readouterr()
    return path


def speak(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """The person's locale, as a shell sets it (EXPERT_TUI_LANG unset)."""
    monkeypatch.delenv(i18n.ENV_LANG, raising=False)
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", lang)


def said(out: str) -> list[str]:
    """The lines of `out`, runs of spaces as one (the columns' widths are the language's)."""
    return [" ".join(line.split()) for line in out.splitlines()]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_show_in_polish(db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    speak(monkeypatch, "pl_PL.UTF-8")
    code, out, _err = run(capsys, "--db", str(db), "show", "T-1")
    assert code == 0
    lines = said(out)
    assert re.fullmatch(
        r"Status: Nowe — na odpowiedź zostało 2 d 2[23]:\d\d:\d\d, do \S+Z "
        r"\((pon|wt|śr|czw|pt|sob|niedz)\. \d+ \w+ 20\d\d\)",
        lines[1],
    ), lines[1]
    assert "Rodzaj: Dopasowanie (sprzedawca jeszcze Cię nie zna)" in lines
    assert "Priorytety: czas: wysoki · koszty: średnie · jakość: wysoka" in lines
    assert "Budżet: 2 500,00 zł – 12 500,00 zł" in lines  # one line: no-break spaces plain
    assert "Sklep: Garden Goods — https://garden.example (Home, GB, plan Basic)" in lines
    assert "Rozmowa (2 wiadomości)" in lines and "Nieprzeczytane: 2 wiadomości" in lines
    assert "  ── Anna Nowak (sprzedawca) · " in out
    assert "Notatki wewnętrzne: brak" in lines
    code, out, _err = run(capsys, "--db", str(db), "show", "T-2")
    assert said(out)[1].startswith("Status: Wygasłe — 72-godzinny termin minął ")


def test_plural_forms_of_notes_and_exports(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    speak(monkeypatch, "pl_PL.UTF-8")
    done = []
    for i in range(5):
        code, out, _err = run(capsys, "--db", str(db), "note", "T-3", "--message", f"note {i}")
        assert code == 0
        done.append(out.strip())
    assert done[0] == "T-3: dodano notatkę (razem 1 notatka, nigdy nie trafiają do sprzedawcy) — teraz Nowe"
    assert done[1].startswith("T-3: dodano notatkę (razem 2 notatki,")
    assert done[4].startswith("T-3: dodano notatkę (razem 5 notatek,")
    code, out, _err = run(capsys, "--db", str(db), "show", "T-3")
    assert "Notatki wewnętrzne (5 notatek) — nigdy nie trafiają do sprzedawcy" in out.splitlines()
    code, _out, err = run(capsys, "--db", str(db), "export", str(tmp_path / "out.json"))
    assert code == 0 and err.startswith("wyeksportowano 3 zadania do ")
    code, out, _err = run(capsys, "--db", str(db), "reply", "T-3", "--message", "Dzień dobry")
    assert out.strip() == "T-3: wysłano odpowiedź do: Grace Hopper — teraz Udzielono odpowiedzi"


def test_lang_c_is_english(db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    speak(monkeypatch, "C")
    code, out, _err = run(capsys, "--db", str(db), "show", "T-1")
    assert code == 0
    assert re.match(r"Status: New — 2d 2[23]:\d\d:\d\d left to answer, until ", said(out)[1])
    assert "Budget: 2,500.00 PLN – 12,500.00 PLN" in said(out)
    assert "Conversation (2 messages)" in out


def test_the_terminal_table_in_polish(db: Path) -> None:
    store = SqliteStore(db)
    try:
        tasks = [store.get_task(task_id) for task_id in ("T-1", "T-2", "T-3")]
    finally:
        store.close()
    now = datetime.now(UTC)
    with speaking("pl"):
        header, *rows = render.task_table(tasks, now, 140)
    assert header.split()[:4] == ["ID", "RODZAJ", "STATUS", "ZOSTAŁO"]
    assert header.rstrip().endswith("TYTUŁ")
    assert rows[0].split()[:4] == ["T-1", "dopasowanie", "Nowe", "2"]
    assert rows[1].split()[:3] == ["T-2", "dopasowanie", "Wygasłe"]
    assert rows[2].split()[:3] == ["T-3", "bezpośrednie", "Nowe"]
    # every row lines up under the header, the longest status name included
    assert {len(row) - len(row.lstrip()) for row in rows} == {0}
    assert header.index("ZOSTAŁO") > header.index("STATUS") + len("Oczekiwanie na odpowiedź")


def machine(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, Any]:
    code, out, err = run(capsys, "--db", str(db), *argv)
    return code, out, json.loads(err)["error"] if err.startswith("{") else err


def test_what_scripts_read_stays_english(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers: dict[str, list[Any]] = {}
    for lang in ("pl_PL.UTF-8", "C"):
        speak(monkeypatch, lang)
        listed = run(capsys, "--db", str(db), "list", "--json")
        rows = run(capsys, "--db", str(db), "list")
        searched = run(capsys, "--db", str(db), "search", "status:wygasłe", "--json")
        refused = machine(capsys, db, "reply", "T-2", "--message", "x", "--json")
        missing = machine(capsys, db, "show", "T-404", "--json")
        bad = machine(capsys, db, "search", "status:zgubione", "--json")
        paged = run(capsys, "--db", str(db), "list", "--json", "--page-size", "1")
        assert re.search(r"^next cursor: \S+$", paged[2], re.MULTILINE), paged[2]  # scripts parse it
        answers[lang] = [listed, rows, searched, refused, missing, bad]
    polish, english = answers["pl_PL.UTF-8"], answers["C"]

    # JSON and the rows a pipe reads: the same in both languages (but for the seconds that
    # passed between the runs: the countdown column, in its one form for scripts)
    def steady(rows: str) -> list[list[str]]:
        cells = [line.split("\t") for line in rows.splitlines()]
        assert all(re.fullmatch(r"(\d+d )?\d\d:\d\d:\d\d|", row[3]) for row in cells[1:]), rows
        return [row[:3] + row[4:] for row in cells]

    assert polish[0] == english[0] and polish[2] == english[2]
    assert steady(polish[1][1]) == steady(english[1][1]) and polish[1][0] == english[1][0] == 0
    listed = json.loads(polish[0][1])
    assert sorted((t["id"], t["kind"], t["status"]) for t in listed) == [
        ("T-1", "match", "new"),
        ("T-2", "match", "expired"),
        ("T-3", "direct", "new"),
    ]
    assert polish[1][1].splitlines()[0] == "ID\tKIND\tSTATUS\tLEFT\tUNREAD\tMERCHANT\tSERVICE\tTITLE"
    assert "\texpired\t" in polish[1][1]
    assert [t["id"] for t in json.loads(polish[2][1])] == ["T-2"]
    # errors: the exit code, code, rule and field stay; the message is in the person's language
    for (p_code, _p_out, p_error), (e_code, _e_out, e_error) in zip(polish[3:], english[3:], strict=True):
        assert p_code == e_code
        assert {k: v for k, v in p_error.items() if k != "message"} == {
            k: v for k, v in e_error.items() if k != "message"
        }
        assert p_error["message"] != e_error["message"]
    assert polish[3][0] == 1 and polish[3][2]["code"] == "refused" and polish[3][2]["rule"] == "expired"
    assert polish[3][2]["message"].startswith("zadanie T-2 wygasło")
    assert polish[4][0] == 2 and polish[4][2]["code"] == "not_found"
    assert polish[5][0] == 2 and polish[5][2]["field"] == "q"
    assert polish[5][2]["message"].startswith("status:zgubione — nie ma takiego statusu")


def test_preferences_for_people_and_for_pipes(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    speak(monkeypatch, "pl_PL.UTF-8")
    code, _out, _err = run(capsys, "--db", str(db), "preferences", "set", "available=no", "--json")
    assert code == 0
    code, out, _err = run(capsys, "--db", str(db), "preferences", "show")  # a pipe: the words scripts know
    assert code == 0 and "available\tno\n" in out and "dropshippers\tyes\n" in out
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    code, out, _err = run(capsys, "--db", str(db), "preferences", "show")
    assert said(out)[:1] == ["available nie"] and "dropshippers tak" in said(out)


def test_paths_says_default_in_polish(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """What chose the store is said in Polish when it is the default; options, variables
    and `--json` stay as the shell writes them."""
    speak(monkeypatch, "pl_PL.UTF-8")
    code, out, _err = run(capsys, "paths")
    assert code == 0
    store = next(line for line in out.splitlines() if line.startswith("baza "))
    assert store.endswith("(domyślna)") and "(default)" not in out, store
    code, out, _err = run(capsys, "paths", "--json")
    assert json.loads(out)["store_chosen_by"] == "default"
    code, out, _err = run(capsys, "paths", "--db", "/srv/team.db")
    assert "/srv/team.db  (--db)" in out
