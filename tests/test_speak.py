"""A language switch while the app runs (issue 11: Preferences' choice applies without a
restart): every footer, every fixed line and every word drawn next is in the new
language, and nothing typed or composed is lost on the way."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input

from expert_tui.app import TEXTUAL_COMMANDS, ExpertApp
from expert_tui.domain import FrozenClock
from expert_tui.i18n import N_, language
from expert_tui.screens.speaking import SpeaksKeys
from expert_tui.widgets.words import Words
from tests.inbox_helpers import demo_store
from tests.task_ui import until

pytestmark = pytest.mark.anyio


class Probe(SpeaksKeys, Screen[None]):
    """A screen like ours: a key named in the footer, a fixed line, a field being typed in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "noop", N_("Reply"), tooltip=N_("Task: reply")),
    ]

    def compose(self) -> ComposeResult:
        yield Words(N_("Decline"), id="fixed")
        yield Input(id="typed")
        yield Footer()

    def action_noop(self) -> None:
        """Bound, so the footer shows the key."""


def footer_text(screen: Screen[object]) -> str:
    return " ".join(str(key.render()) for key in screen.query("FooterKey"))


async def test_a_switch_retells_fixed_words_and_footers_and_keeps_what_was_typed(
    tmp_path: Path, clock: FrozenClock
) -> None:
    app = ExpertApp(demo_store(tmp_path / "t.db", clock), clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        probe = Probe()
        await app.push_screen(probe)
        await pilot.click("#typed")
        await pilot.press("a", "b", "c")
        await until(pilot, lambda: "Reply" in footer_text(probe), "the footer in English")
        assert str(probe.query_one(Words).render()) == "Decline"

        app.speak("pl")
        assert language() == "pl"
        await until(pilot, lambda: "Odpowiedz" in footer_text(probe), "the footer in Polish")
        assert "Reply" not in footer_text(probe)
        assert str(probe.query_one(Words).render()) == "Odrzuć"
        assert probe.query_one("#typed", Input).value == "abc"
        tooltip = probe.active_bindings["ctrl+r"].tooltip
        assert tooltip == "Zadanie: odpowiedz"

        # The inbox under it was told too: its footer is ready when it is shown again.
        await until(pilot, lambda: "Odrzuć" in footer_text(app.screen_stack[0]), "the inbox's footer in Polish")
        app.speak("en")
        await until(pilot, lambda: "Reply" in footer_text(probe), "the footer in English")
        assert str(probe.query_one(Words).render()) == "Decline"
        assert probe.query_one("#typed", Input).value == "abc"


async def test_a_language_without_a_catalogue_speaks_english(tmp_path: Path, clock: FrozenClock) -> None:
    app = ExpertApp(demo_store(tmp_path / "t.db", clock), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        probe = Probe()
        await app.push_screen(probe)
        app.speak("xx")
        await until(pilot, lambda: "Reply" in footer_text(probe), "the footer in English")
        assert language() == "en"


async def test_the_palettes_own_commands_speak_the_language_too(tmp_path: Path, clock: FrozenClock) -> None:
    """Textual's commands (Theme, Quit…) are offered in the partner's language; the table
    that puts their words in the catalogue still names what Textual offers."""
    app = ExpertApp(demo_store(tmp_path / "t.db", clock), clock=clock)
    async with app.run_test(size=(120, 40)):
        english = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Theme", "Quit"} <= english and "Screenshot" not in english
        app.speak("pl")
        polish = {command.title: command.help for command in app.get_system_commands(app.screen)}
        assert polish["Motyw"] == "Zmień motyw kolorów"
        assert {"Wyjdź", "Klawisze", "Zapisane odpowiedzi"} <= set(polish)
        assert not english & set(polish)
        for title, _help in TEXTUAL_COMMANDS:
            assert title in english or title in ("Minimize", "Maximize")  # those two only with a widget to size
