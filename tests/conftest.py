"""Shared fixtures: an isolated home for every test, a frozen clock, the corpus."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from expert_tui import i18n
from expert_tui.domain import FrozenClock

#: The project's own copy of the hostile corpus: a bare clone has nothing beside it.
CORPUS_PATH = Path(__file__).resolve().parent / "data" / "hostile_text.json"
#: The instant every deterministic test starts at.
T0 = datetime(2026, 11, 28, 6, 0, 0, tzinfo=UTC)


def load_corpus() -> list[dict[str, str]]:
    return json.loads(CORPUS_PATH.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No test reads or writes the real user's data, config or environment choices; each
    speaks English whatever the machine's locale (a test that wants Polish says so), and
    a language a test chose (the CLI's main() sets the process's) ends with it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    for var in ("EXPERT_TUI_DB", "EXPERT_TUI_SERVER", "EXPERT_TUI_TOKEN", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv(i18n.ENV_LANG, "en")
    # Screens show times in the partner's zone (TZ): every test reads them in UTC unless
    # it sets another zone itself, whatever the machine's zone.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield home
    i18n.set_language(i18n.DEFAULT)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture(scope="session")
def corpus() -> list[dict[str, str]]:
    return load_corpus()


@pytest.fixture
def in_polish() -> Iterator[None]:
    """This test speaks Polish (the process's language, as the app and the CLI set it);
    English again after it."""
    i18n.set_language("pl")
    yield
    i18n.set_language(i18n.DEFAULT)


@pytest.fixture(params=["en", "pl"])
def each_language(request: pytest.FixtureRequest) -> Iterator[str]:
    """The test runs once in English and once in Polish (`[en-…]`, `[pl-…]`), so a
    screen's snapshot test is written once for both; the language is returned for the
    words a test types or waits for in it. English again after it."""
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language(i18n.DEFAULT)
