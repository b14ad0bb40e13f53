"""Issue 11: the command line's help and its usage errors are in the person's language —
argparse's own words included (Python has no Polish for them) — while what scripts read
(exit codes, `--json` error codes, command and option names) stays English; and the help
still fits 80 columns in Polish."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from expert_tui import i18n
from expert_tui.cli import main
from expert_tui.cli.parser import argparse_error, build_parser
from expert_tui.i18n import speaking

#: argparse's words, which must not be left in English in the Polish help.
ARGPARSE_ENGLISH = ("usage:", "options:", "positional arguments:", "show this help", "show program's version")


def speak(monkeypatch: pytest.MonkeyPatch, lang: str, *, via: str = "LANG") -> None:
    """The person's language as a shell gives it: the locale (`LANG`), or `EXPERT_TUI_LANG`."""
    for var in (i18n.ENV_LANG, "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv(via, lang)
    monkeypatch.setenv("COLUMNS", "80")


def help_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """What `expert-tui ARGV` prints for help (argparse's -h exits 0; `help` returns 0)."""
    try:
        code = main(list(argv))
    except SystemExit as done:
        code = done.code
    captured = capsys.readouterr()
    assert code in (0, None) and captured.err == "", captured.err
    return captured.out


def failure(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err.splitlines()


@pytest.mark.parametrize(("via", "lang"), [("LANG", "pl_PL.UTF-8"), (i18n.ENV_LANG, "pl")])
def test_the_help_in_polish(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], via: str, lang: str
) -> None:
    speak(monkeypatch, lang, via=via)
    top = help_of(capsys, "--help")
    assert top.startswith("użycie: expert-tui [-h] [--version] [--db PATH]")
    for line in (
        "opcje:",
        "  -h, --help         pokaż tę pomoc i zakończ",
        "  --version          pokaż wersję i zakończ",
        "baza i serwer:",
        "polecenia:",
        "    list             skrzynka zadań, najpilniejsze najpierw",
        "    note             dodaj notatkę wewnętrzną (nigdy nie trafia do sprzedawcy)",
        "kody wyjścia:",
        '  0    wykonano (także gdy zadanie już było w żądanym stanie: "już',
        "  2    złe użycie lub złe dane: nieznana opcja, nieznany identyfikator",
        "  75   baza była zablokowana przez inny proces dłużej niż --wait (domyślnie",
        "  141  program czytający wyjście zakończył pracę (np. `expert-tui list | head`)",
    ):
        assert line in top.splitlines(), line
    assert not any(word in top for word in ARGPARSE_ENGLISH), top

    listing = help_of(capsys, "list", "--help")
    assert listing.startswith("użycie: expert-tui list [-h]")
    assert "Skrzynka zadań, najpilniejsze najpierw." in listing
    for title in ("opcje:", "filtry:", "ile pokazać:", "wyjście:", "baza i serwer:"):
        assert title in listing.splitlines(), title
    # machine words stay: option names, metavars, choices
    assert "  --status STATUS       tylko zadania w tym statusie (new, opened, declined," in listing.splitlines()
    assert "--kind {match,direct,contact}" in listing

    decline = help_of(capsys, "help", "decline")
    assert decline == help_of(capsys, "decline", "--help")
    assert "odrzuć zadanie, podając powód (kod 0, jeśli już jest odrzucone)" in decline
    assert "argumenty pozycyjne:" in decline.splitlines()
    assert "  ID                 identyfikator zadania, np. T-1042" in decline.splitlines()
    # the decline reasons in the domain's Polish words, with the ids a script passes
    assert "powód: not_a_fit = nie pasuje do mojej oferty;" in " ".join(decline.split())
    assert not any(word in decline for word in ARGPARSE_ENGLISH), decline


def test_the_help_in_english_under_lang_c(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    speak(monkeypatch, "C")
    top = help_of(capsys, "--help")
    assert top.startswith("usage: expert-tui [-h]")
    for line in ("options:", "backend:", "commands:", "exit codes:", "  -h, --help         show this help and exit"):
        assert line in top.splitlines(), line
    assert "  1    refused by a rule (e.g. the task expired, or was declined)" in top.splitlines()
    listing = help_of(capsys, "list", "--help")
    assert "The inbox, most urgent first." in listing and "filters:" in listing.splitlines()
    decline = help_of(capsys, "help", "decline")
    assert "positional arguments:" in decline.splitlines()
    assert "why: not_a_fit = not a good fit;" in " ".join(decline.split())


def parsers() -> Iterator[argparse.ArgumentParser]:
    """The top level and every command and sub-action (preferences set, token create …)."""
    pending = [build_parser()]
    while pending:
        parser = pending.pop()
        yield parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                pending.extend(action.choices.values())


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_help_fits_80_columns(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    with speaking(lang):
        helps = {parser.prog: parser.format_help() for parser in parsers()}
    assert len(helps) > 25
    wide = [(prog, line) for prog, text in helps.items() for line in text.splitlines() if len(line) > 80]
    assert wide == []
    if lang == "pl":
        assert all(text.startswith("użycie: ") for text in helps.values())


@pytest.mark.parametrize(
    ("argv", "polish", "english"),
    [
        (
            ("decline",),
            "expert-tui: wymagane są argumenty: ID, --reason",
            "expert-tui: the following arguments are required: ID, --reason",
        ),
        (
            ("list", "--status", "bogus"),
            "expert-tui: --status: niepoprawny wybór: 'bogus' (do wyboru: 'new', 'opened', ",
            "expert-tui: argument --status: invalid choice: 'bogus' (choose from 'new', 'opened', ",
        ),
        (
            ("frobnicate",),
            "expert-tui: COMMAND: niepoprawny wybór: 'frobnicate' (do wyboru: 'import', ",
            "expert-tui: argument COMMAND: invalid choice: 'frobnicate' (choose from 'import', ",
        ),
        (
            ("list", "--db"),
            "expert-tui: --db: oczekiwano jednego argumentu",
            "expert-tui: argument --db: expected one argument",
        ),
        (
            ("simulate", "--partner", "p", "--seed", "x"),
            "expert-tui: --seed: to nie jest liczba całkowita: 'x'",
            "expert-tui: argument --seed: not a whole number: 'x'",
        ),
        (
            ("list", "--limit", "-1"),
            "expert-tui: --limit: musi być 0 lub więcej",
            "expert-tui: argument --limit: must be 0 or more",
        ),
        (
            ("preferences",),
            "expert-tui: wymagane są argumenty: ACTION",
            "expert-tui: the following arguments are required: ACTION",
        ),
        (
            ("list", "--bogus"),
            "expert-tui: nierozpoznane argumenty: --bogus",
            "expert-tui: unrecognized arguments: --bogus",
        ),
    ],
)
def test_usage_errors_in_both_languages(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    polish: str,
    english: str,
) -> None:
    command = (
        "expert-tui list" if argv[0] == "list" else "expert-tui" if argv[0] == "frobnicate" else f"expert-tui {argv[0]}"
    )
    for lang, said, hint in (("pl_PL.UTF-8", polish, "zobacz"), ("C", english, "see")):
        speak(monkeypatch, lang)
        code, lines = failure(capsys, *argv)
        assert code == 2, lines
        assert len(lines) == 2 and lines[0].startswith(said), lines
        assert lines[1] == f"{hint} '{command} --help'"


def test_a_json_usage_error_keeps_its_code(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    errors = {}
    for lang in ("pl_PL.UTF-8", "C"):
        speak(monkeypatch, lang)
        for argv in (("decline", "--json"), ("list", "--json=yes"), ("list", "--fields", ",")):
            code, lines = failure(capsys, *argv)
            assert code == 2 and len(lines) == 1, lines
            errors[lang, argv] = json.loads(lines[0])["error"]
    assert errors["pl_PL.UTF-8", ("decline", "--json")] == {
        "code": "invalid",
        "message": "wymagane są argumenty: ID, --reason",
    }
    assert errors["C", ("decline", "--json")]["code"] == "invalid"
    assert errors["pl_PL.UTF-8", ("list", "--json=yes")]["message"] == "--json: nie przyjmuje wartości (podano 'yes')"
    assert errors["C", ("list", "--json=yes")]["message"] == "argument --json: takes no value (given 'yes')"
    assert errors["pl_PL.UTF-8", ("list", "--fields", ",")]["message"] == (
        "--fields: podaj co najmniej jedno pole, np. id,status"
    )
    assert {error["code"] for error in errors.values()} == {"invalid"}


@pytest.mark.parametrize(
    ("argparse_says", "polish", "english"),
    [
        ("expected at most one argument", "oczekiwano najwyżej jednego argumentu", None),
        ("expected at least one argument", "oczekiwano co najmniej jednego argumentu", None),
        ("argument --x: invalid float value: 'y'", "--x: to nie jest liczba: 'y'", "argument --x: not a number: 'y'"),
        ("argument --x: invalid Path value: 'y'", "--x: niepoprawna wartość typu Path: 'y'", None),
        ("argument --x: not allowed with argument --y", "--x: nie można użyć razem z argumentem --y", None),
        ("one of the arguments --x --y is required", "wymagany jest jeden z argumentów: --x --y", None),
        (
            "ambiguous option: --s could match --sort, --status",
            "niejednoznaczna opcja: --s może oznaczać --sort, --status",
            None,
        ),
        # argparse 3.12+ names choices without quotes: the fields keep whatever it put there
        ("argument --k: invalid choice: 'x' (choose from a, b)", "--k: niepoprawny wybór: 'x' (do wyboru: a, b)", None),
        # a message the table does not know stays as argparse said it
        ("argument --x: something argparse says one day", "--x: something argparse says one day", None),
        ("conflicting subparser: x", "conflicting subparser: x", None),
    ],
)
def test_argparse_messages_the_table_knows(argparse_says: str, polish: str, english: str | None) -> None:
    with speaking("pl"):
        assert argparse_error(argparse_says) == polish
    with speaking("en"):
        assert argparse_error(argparse_says) == (english or argparse_says)


def test_polish_help_from_the_shell() -> None:
    """The installed entry point, started as a shell starts it, under a Polish locale."""
    env = {k: v for k, v in os.environ.items() if k not in (i18n.ENV_LANG, "LC_ALL", "LC_MESSAGES")}
    env.update(LANG="pl_PL.UTF-8", COLUMNS="80", PYTHONIOENCODING="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "expert_tui", "list", "--help"], capture_output=True, env=env, timeout=60, check=False
    )
    out = done.stdout.decode("utf-8")
    assert done.returncode == 0 and out.startswith("użycie: expert-tui list"), done.stderr
    assert max(len(line) for line in out.splitlines()) <= 80
    failed = subprocess.run(
        [sys.executable, "-m", "expert_tui", "decline"], capture_output=True, env=env, timeout=60, check=False
    )
    assert failed.returncode == 2
    assert failed.stderr.decode("utf-8").splitlines() == [
        "expert-tui: wymagane są argumenty: ID, --reason",
        "zobacz 'expert-tui decline --help'",
    ]


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        (
            "C",
            "Errors go to stderr only, never to stdout: one line (a usage error adds a line naming the help to "
            "read), or with --json one JSON document instead,",
        ),
        (
            "pl",
            "Błędy trafiają tylko na stderr, nigdy na stdout: jeden wiersz (błąd użycia dodaje wiersz ze "
            "wskazaniem pomocy) albo, z --json, zamiast niego jeden dokument JSON",
        ),
    ],
)
def test_the_help_says_where_a_json_failure_goes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, lang: str, says: str
) -> None:
    """The help once promised a --json failure "also on stdout"; SPEC 6 puts it on stderr only
    (a script reading stdout must never take an error for data), so the words follow that."""
    speak(monkeypatch, lang)
    top = " ".join(help_of(capsys, "--help").split())
    assert says in top
    code, err = failure(capsys, "--db", str(tmp_path / "none.db"), "show", "T-1", "--json")
    assert code == 2 and json.loads("\n".join(err))["error"]["code"] == "not_found"
