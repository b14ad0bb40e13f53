"""The language is chosen in Preferences (SPEC 6: a personal setting, in the person's own
0600 settings file, never on the server) and spoken at once, without a restart: the
preferences themselves, the screens under them and their footers."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from typing import Any

import pytest
from screens_ui import ScreenApp, contact_record
from task_ui import make_store, task_record, terminal_output, until
from test_health import standing_shown, standing_store
from test_preferences_screen import loaded
from textual.pilot import Pilot
from textual.widgets import RadioSet

from expert_tui import i18n
from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock
from expert_tui.screens.contacts import ContactsScreen
from expert_tui.screens.health import HealthScreen
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.preferences import PreferencesScreen

pytestmark = pytest.mark.anyio


def on_screen(pilot: Pilot[Any]) -> str:
    return terminal_output(pilot.app)[0]


async def choose_language(pilot: Pilot[Any], screen: PreferencesScreen, steps: list[str]) -> None:
    """Move through the language's choices from the one in force, take the one reached, save."""
    screen.query_one("#language", RadioSet).focus()
    await pilot.pause()
    await pilot.press(*steps, "enter")
    await until(pilot, lambda: screen.dirty, "the choice taken")
    await pilot.press("ctrl+s")


def saved_language(app: ExpertApp) -> object:
    path = app.settings.path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return json.loads(path.read_text(encoding="utf-8")).get("language")


async def test_polski_is_spoken_at_once_everywhere_and_english_again(tmp_path: Any, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record("T-1", now=clock()))
    app = ExpertApp(store, clock=clock, poll_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, InboxScreen), "the inbox")
        await pilot.press("p")
        screen = await loaded(pilot)
        assert "Edit preferences" in on_screen(pilot)

        await choose_language(pilot, screen, ["left"])  # from "As the system" to Polski
        await until(pilot, lambda: "Wszystko zapisane." in on_screen(pilot), "Polish on the preferences")
        assert i18n.language() == "pl"
        text = on_screen(pilot)
        for words in ("Edytuj preferencje", "Osobiste — tylko na tym komputerze", "Podpis", "Język", "Jak w systemie"):
            assert words in text
        assert "Tak, współpracuję z dropshipperami" in str(screen.query_one("#dropshippers").render())  # out of view
        await until(pilot, lambda: "^s Zapisz esc Wróć" in on_screen(pilot), "the footer in Polish")
        assert saved_language(app) == "pl"
        assert app.settings.current.language == "pl"

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, InboxScreen), "back in the inbox")
        await until(pilot, lambda: "Pomoc" in on_screen(pilot).splitlines()[-1], "the inbox's footer in Polish")

        await pilot.press("p")
        screen = await loaded(pilot)
        assert "Edytuj preferencje" in on_screen(pilot)
        await choose_language(pilot, screen, ["left"])  # from Polski to English
        await until(pilot, lambda: "Everything is saved." in on_screen(pilot), "English again")
        assert i18n.language() == "en"
        assert "Edit preferences" in on_screen(pilot)
        await until(pilot, lambda: "^s Save esc Back" in on_screen(pilot), "the footer in English")
        assert saved_language(app) == "en"


async def test_as_the_system_saves_no_language_and_follows_the_environment(
    tmp_path: Any, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(tmp_path / "t.db", clock)
    app = ExpertApp(store, clock=clock, poll_interval=3600)
    app.settings.update(language="en")
    monkeypatch.setenv(i18n.ENV_LANG, "pl_PL.UTF-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, InboxScreen), "the inbox")
        await pilot.press("p")
        screen = await loaded(pilot)
        await choose_language(pilot, screen, ["right", "right"])  # from English to "As the system"
        await until(pilot, lambda: "Wszystko zapisane." in on_screen(pilot), "the environment's Polish")
        assert saved_language(app) is None  # "" is not written: the file follows the environment
        assert app.settings.current.language == ""
        pressed = screen.query_one("#language", RadioSet).pressed_button
        assert pressed is not None and pressed.id == "language-system"
        assert str(pressed.label) == "Jak w systemie (Polski)"  # what the environment gives, named in itself


async def test_contacts_and_the_standing_say_their_words_again_on_a_switch(tmp_path: Any, clock: FrozenClock) -> None:
    contact = contact_record("C-1", now=clock(), age=timedelta(hours=2))
    async with ScreenApp(make_store(tmp_path / "c.db", clock, contact), clock, ContactsScreen).run_test(
        size=(80, 24)
    ) as pilot:
        await until(pilot, lambda: "Sat 28 Nov 2026, 04:00 UTC" in on_screen(pilot), "the contact")
        pilot.app.speak("pl")
        await until(pilot, lambda: "sob. 28 lis 2026, 04:00 UTC" in on_screen(pilot), "the list in Polish")
        text = on_screen(pilot)
        assert "Kontakty 1" in text and "· nowe" in text and "Pierwsza wiadomość:" in text
        await until(pilot, lambda: "⏎ Otwórz esc Wróć r Odpowiedz" in on_screen(pilot), "the footer in Polish")
    async with ScreenApp(standing_store(tmp_path / "s.db", clock), clock, HealthScreen).run_test(
        size=(80, 24)
    ) as pilot:
        await standing_shown(pilot)
        pilot.app.speak("pl")
        await until(pilot, lambda: "Mediana pierwszej odpowiedzi" in on_screen(pilot), "the figures in Polish")
        text = on_screen(pilot)
        for words in (
            "Twoja pozycja",
            "Ostatnie 30 dni",
            "Zadania otrzymane dziennie",
            "Według rodzaju  Dopasowania 1",
        ):
            assert words in text
