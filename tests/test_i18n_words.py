"""Issue 11 items 2–4: which language a person gets, switching it while the app runs, the
seed's words in one place, and Polish grammar (plural forms, dates, numbers, prices)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from expert_tui import i18n
from expert_tui.domain import DeclineReason, Kind, Level, Status, words
from expert_tui.domain.timefmt import countdown, day_words, time_left_words
from expert_tui.i18n import _, choose_language, formats, language, set_language, speaking
from expert_tui.settings import PersonalSettings, SettingsError, SettingsFile, use_language
from expert_tui.widgets.task_columns import DEADLINE_WIDTH, GAP, STATUS_WIDTH

NBSP = "\xa0"


# --- choosing the language ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("configured", "environ", "lang"),
    [
        (None, {}, "en"),
        (None, {"LANG": "pl_PL.UTF-8"}, "pl"),
        (None, {"LANG": "pl_PL"}, "pl"),
        (None, {"LANG": "pl"}, "pl"),
        (None, {"LANG": "pl_PL.ISO-8859-2@euro"}, "pl"),
        (None, {"LANG": "C"}, "en"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"LANG": "POSIX"}, "en"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),  # no catalogue: English
        (None, {"LANG": "en_GB.UTF-8"}, "en"),
        # LC_ALL over LC_MESSAGES over LANG; an empty one does not count
        (None, {"LANG": "en_US.UTF-8", "LC_MESSAGES": "pl_PL.UTF-8"}, "pl"),
        (None, {"LANG": "pl_PL.UTF-8", "LC_MESSAGES": "C"}, "en"),
        (None, {"LANG": "en_US.UTF-8", "LC_MESSAGES": "en_US.UTF-8", "LC_ALL": "pl_PL.UTF-8"}, "pl"),
        (None, {"LANG": "pl_PL.UTF-8", "LC_ALL": ""}, "pl"),
        # EXPERT_TUI_LANG over the locale
        (None, {"LANG": "pl_PL.UTF-8", "EXPERT_TUI_LANG": "en"}, "en"),
        (None, {"LC_ALL": "C", "EXPERT_TUI_LANG": "pl"}, "pl"),
        (None, {"EXPERT_TUI_LANG": "pl-PL"}, "pl"),
        (None, {"EXPERT_TUI_LANG": "PL"}, "pl"),
        (None, {"EXPERT_TUI_LANG": "", "LANG": "pl_PL.UTF-8"}, "pl"),
        # the config file over both
        ("pl", {"LANG": "C", "EXPERT_TUI_LANG": "en"}, "pl"),
        ("en", {"LANG": "pl_PL.UTF-8", "EXPERT_TUI_LANG": "pl"}, "en"),
        ("", {"LANG": "pl_PL.UTF-8"}, "pl"),
    ],
)
def test_the_language_a_person_gets(configured: str | None, environ: dict[str, str], lang: str) -> None:
    assert choose_language(configured, environ) == lang


def test_the_settings_files_language_is_checked_kept_and_used(isolated_home: Path) -> None:
    settings = SettingsFile(isolated_home / "config" / "expert-tui" / "settings.json")
    assert settings.current.language == ""
    with pytest.raises(SettingsError) as wrong:
        settings.update(language="de")
    assert wrong.value.field == "language"
    settings.update(language="pl")
    assert SettingsFile(settings.path).current.language == "pl"
    assert use_language(settings.current, {"LANG": "C"}) == "pl" == language()
    assert Status.EXPIRED.label == "Wygasłe"
    assert use_language(PersonalSettings(), {"LANG": "C"}) == "en" == language()
    assert Status.EXPIRED.label == "Expired"


def test_switching_applies_at_once_everywhere_but_inside_speaking() -> None:
    """Preferences switch without a restart: nothing is bound at import, and the switch
    reaches other threads (a Textual worker) too; a server request's `speaking` keeps
    its own."""
    label = Kind.DIRECT.label
    assert label == "Direct request"
    set_language("pl")
    assert Kind.DIRECT.label == "Bezpośrednie zapytanie"
    seen: list[str] = []
    thread = threading.Thread(target=lambda: seen.append(Status.NEW.label))
    thread.start()
    thread.join()
    assert seen == ["Nowe"]
    with speaking("en"):
        assert Status.NEW.label == "New"
    assert Status.NEW.label == "Nowe"
    set_language("de")  # no catalogue
    assert language() == "en" and Status.NEW.label == "New"


def test_the_cli_speaks_the_environments_language(monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> None:
    from expert_tui.cli import main

    monkeypatch.delenv(i18n.ENV_LANG)
    monkeypatch.setenv("LANG", "pl_PL.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    main(["paths", "--json"])
    assert language() == "pl"
    monkeypatch.setenv("LC_ALL", "C")
    main(["paths", "--json"])
    assert language() == "en"


# --- the seed's words -------------------------------------------------------------------------


def test_the_seeds_words_in_polish() -> None:
    with speaking("pl"):
        assert [words.word(words.STATUS, s) for s in Status] == [
            "Nowe",
            "Otwarte",
            "Odrzucone",
            "Wygasłe",
            "Udzielono odpowiedzi",
            "Oczekiwanie na odpowiedź",
            "Nieaktywne",
            "Zakończone",
        ]
        assert [words.word(words.KIND_GROUP, k) for k in Kind] == [
            "Dopasowania",
            "Bezpośrednie zapytania",
            "Kontakty z potencjalnymi sprzedawcami",
        ]
        assert [k.label for k in Kind] == [
            "Dopasowanie",
            "Bezpośrednie zapytanie",
            "Kontakt z potencjalnym sprzedawcą",
        ]
        assert [words.word(words.PRIORITY, p) for p in ("time", "cost", "quality")] == ["czas", "koszty", "jakość"]
        assert [level.label for level in Level] == ["niski", "średni", "wysoki"]
        # The adjective agrees with each priority: czas (masculine), koszty (plural), jakość (feminine).
        assert words.priorities("high", "medium", "low") == "czas: wysoki · koszty: średnie · jakość: niska"
        assert words.priorities("low", "high", "medium") == "czas: niski · koszty: wysokie · jakość: średnia"
        assert words.priorities("medium", "low", "high") == "czas: średni · koszty: niskie · jakość: wysoka"
        assert _(words.EDIT_PREFERENCES) == "Edytuj preferencje"
        assert [_(w) for w in (words.PARTNER, words.MERCHANT, words.TASK, words.UNAVAILABILITY)] == [
            "partner",
            "sprzedawca",
            "zadanie",
            "niedostępność",
        ]
        assert DeclineReason.TOO_BUSY.label == "Teraz mam za dużo pracy"
        assert len({r.label for r in DeclineReason}) == len(DeclineReason)
        # The list's status cell is ten cells beside a countdown or the expired mark; a status
        # without either writes on over the empty deadline cell, so it may say the seed's words.
        beside_a_mark = (Status.NEW, Status.OPENED, Status.EXPIRED)
        assert all(len(words.word(words.STATUS_SHORT, s)) <= STATUS_WIDTH for s in beside_a_mark)
        run_on = STATUS_WIDTH + GAP + DEADLINE_WIDTH
        assert all(len(words.word(words.STATUS_SHORT, s)) <= run_on for s in Status)
        assert words.word(words.STATUS_SHORT, "responded") == "udzielono odpowiedzi"


def test_the_english_names_are_the_specs() -> None:
    assert [s.label for s in Status] == [
        "New",
        "Opened",
        "Declined",
        "Expired",
        "Responded",
        "Awaiting your reply",
        "Inactive",
        "Completed",
    ]
    assert [words.word(words.KIND_GROUP, k) for k in Kind] == [
        "Matches",
        "Direct requests",
        "Contacts from prospective merchants",
    ]
    assert words.priorities("high", "medium", "low") == "time high · cost medium · quality low"
    assert words.priorities(Level.LOW, Level.HIGH, Level.MEDIUM) == "time low · cost high · quality medium"
    assert set(words.PRIORITY_LEVEL) == {(p, level) for p in words.PRIORITY for level in words.LEVEL}
    assert words.word(words.STATUS, "no_such") == "no_such"


# --- Polish grammar -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "task", "hour", "day", "message", "note"),
    [
        (0, "0 zadań", "0 godzin", "0 dni", "0 wiadomości", "0 notatek"),
        (1, "1 zadanie", "1 godzina", "1 dzień", "1 wiadomość", "1 notatka"),
        (2, "2 zadania", "2 godziny", "2 dni", "2 wiadomości", "2 notatki"),
        (4, "4 zadania", "4 godziny", "4 dni", "4 wiadomości", "4 notatki"),
        (5, "5 zadań", "5 godzin", "5 dni", "5 wiadomości", "5 notatek"),
        (12, "12 zadań", "12 godzin", "12 dni", "12 wiadomości", "12 notatek"),
        (14, "14 zadań", "14 godzin", "14 dni", "14 wiadomości", "14 notatek"),
        (21, "21 zadań", "21 godzin", "21 dni", "21 wiadomości", "21 notatek"),
        (22, "22 zadania", "22 godziny", "22 dni", "22 wiadomości", "22 notatki"),
        (25, "25 zadań", "25 godzin", "25 dni", "25 wiadomości", "25 notatek"),
        (112, "112 zadań", "112 godzin", "112 dni", "112 wiadomości", "112 notatek"),
        (
            1002,
            f"1{NBSP}002 zadania",
            f"1{NBSP}002 godziny",
            f"1{NBSP}002 dni",
            f"1{NBSP}002 wiadomości",
            f"1{NBSP}002 notatki",
        ),
    ],
)
def test_polish_plural_forms(count: int, task: str, hour: str, day: str, message: str, note: str) -> None:
    with speaking("pl"):
        assert [words.tasks(count), words.hours(count), words.days(count), words.messages(count)] == [
            task,
            hour,
            day,
            message,
        ]
        assert words.notes(count) == note


def test_english_plural_forms() -> None:
    assert [words.tasks(1), words.tasks(2), words.hours(1), words.days(0), words.notes(1_000)] == [
        "1 task",
        "2 tasks",
        "1 hour",
        "0 days",
        "1,000 notes",
    ]
    with speaking("pl"):
        assert [words.unread(1), words.unread(3), words.unread(5), words.minutes(22)] == [
            "1 nieprzeczytana",
            "3 nieprzeczytane",
            "5 nieprzeczytanych",
            "22 minuty",
        ]


def test_dates_and_weekdays_from_the_locale_data() -> None:
    christmas_eve = date(2026, 12, 24)
    with speaking("pl"):
        assert formats.day(christmas_eve) == "czw. 24 gru 2026"
        assert day_words(christmas_eve) == "czw. 24 gru 2026"
        assert formats.weekday(christmas_eve) == "czwartek"
        assert formats.day(date(2026, 5, 3)) == "niedz. 3 maj 2026"
        at = datetime(2026, 12, 24, 13, 5, tzinfo=UTC)
        assert formats.day_and_time(at, ZoneInfo("Europe/Warsaw")) == "czw. 24 gru 2026, 14:05"
    assert day_words(christmas_eve) == "Thu 24 Dec 2026"
    assert formats.day_and_time(datetime(2026, 12, 24, 23, 30, tzinfo=UTC), ZoneInfo("Europe/Warsaw")) == (
        "Fri 25 Dec 2026, 00:30"
    )


def test_the_countdowns_words() -> None:
    left = timedelta(days=2, hours=11, minutes=59, seconds=58)
    with speaking("pl"):
        assert countdown(left) == "2 d 11:59:58"
        assert time_left_words(left) == "zostało 2 d 11:59:58"
        assert time_left_words(timedelta(minutes=5)) == "zostało 00:05:00"
    assert countdown(left) == "2d 11:59:58"  # the inbox's column, unchanged in English
    assert time_left_words(left) == "2d 11:59:58 left"


def test_numbers_and_prices() -> None:
    with speaking("pl"):
        assert formats.money(2500, "PLN") == f"2{NBSP}500,00{NBSP}zł"
        assert formats.money(2500, "pln") == f"2{NBSP}500,00{NBSP}zł"
        assert formats.money(1500.5, "EUR") == f"1{NBSP}500,50{NBSP}€"
        assert formats.money(300, "USD") == f"300,00{NBSP}USD"
        assert formats.money(300, "JPY") == f"300{NBSP}JPY"  # yen have no minor unit
        assert formats.number(12_500) == f"12{NBSP}500"
        assert formats.number(2.5) == "2,5"
        assert formats.money_range(500, 1500, "PLN") == f"500,00{NBSP}zł – 1{NBSP}500,00{NBSP}zł"
        assert formats.money_range(500, None, "PLN") == f"od 500,00{NBSP}zł"
        assert formats.money_range(None, 1500, "PLN") == f"do 1{NBSP}500,00{NBSP}zł"
    assert formats.money(2500, "PLN") == f"2,500.00{NBSP}PLN"
    assert formats.money(2500, "USD") == f"2,500.00{NBSP}USD"
    assert formats.money_range(None, None, "USD") == ""
    assert formats.money_range(None, 90, "USD") == f"up to 90.00{NBSP}USD"
    assert formats.number(12_500) == "12,500"
