"""A new saved reply starts empty: the example is a greyed placeholder in the partner's
language, never text their typing lands after (a partner got `{my_name}Dzień dobry …`);
and what is wrong with a text is said in their language too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from task_ui import TaskApp, make_store, ongoing, opened, screen_when, terminal_output, until
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from expert_tui.domain import FrozenClock
from expert_tui.domain.saved_replies import EXAMPLE_BODIES, TemplateError, check_body, check_name, example_body, parse
from expert_tui.replies_file import RepliesFile
from expert_tui.screens.dialogs import DiscardQuestion, SavedReplyDialog
from expert_tui.screens.saved_replies import SavedRepliesScreen

pytestmark = pytest.mark.anyio


async def new_saved_reply(pilot: Pilot[Any]) -> SavedReplyDialog:
    await opened(pilot)
    pilot.app.action_saved_replies()
    await screen_when(pilot, SavedRepliesScreen, lambda s: s.is_mounted, "the saved replies")
    await pilot.press("n")
    return await screen_when(pilot, SavedReplyDialog, lambda d: d.is_mounted, "the saved-reply editor")


def problem(dialog: SavedReplyDialog) -> str:
    return str(dialog.query_one("#problem", Static).render())


async def test_the_example_is_a_placeholder_and_typing_starts_on_an_empty_text(
    tmp_path: Path, clock: FrozenClock
) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock, "What would it cost?"))
    app = TaskApp(store, clock)
    async with app.run_test(size=(100, 40)) as pilot:
        dialog = await new_saved_reply(pilot)
        text = dialog.query_one("#text", TextArea)
        assert text.text == "" and text.placeholder == Content(EXAMPLE_BODIES["en"])
        await until(pilot, lambda: "Thanks for your message about" in terminal_output(app)[0], "the example shown")
        assert problem(dialog) == ""  # an empty text is not an error before it is saved
        await pilot.press("escape")  # nothing typed: nothing to ask about
        await until(pilot, lambda: isinstance(app.screen, SavedRepliesScreen), "left without a question")
        await pilot.press("n")
        dialog = await screen_when(pilot, SavedReplyDialog, lambda d: d.is_mounted, "the editor again")
        await pilot.press(*"Price list", "tab", *"Dzień dobry {my_name}")
        text = dialog.query_one("#text", TextArea)
        await until(pilot, lambda: text.text == "Dzień dobry {my_name}", "only what was typed")
        assert "Thanks for your message" not in terminal_output(app)[0]  # the placeholder is gone
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, SavedRepliesScreen), "saved")
    assert [(r.name, r.body) for r in RepliesFile().replies] == [("Price list", "Dzień dobry {my_name}")]


async def test_saving_an_empty_text_says_why(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock, "What would it cost?"))
    app = TaskApp(store, clock)
    async with app.run_test(size=(100, 40)) as pilot:
        dialog = await new_saved_reply(pilot)
        await pilot.press(*"Empty", "ctrl+s")
        await until(pilot, lambda: "the text is empty — write the reply" in problem(dialog), "said")
        assert app.screen is dialog and RepliesFile().replies == ()
        await pilot.press("escape")  # a name was typed: it asks
        await until(pilot, lambda: isinstance(app.screen, DiscardQuestion), "asked")


async def test_in_polish_the_example_and_the_errors_are_polish(
    tmp_path: Path, clock: FrozenClock, in_polish: None
) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock, "What would it cost?"))
    app = TaskApp(store, clock)
    async with app.run_test(size=(100, 40)) as pilot:
        dialog = await new_saved_reply(pilot)
        assert dialog.query_one("#text", TextArea).placeholder == Content(EXAMPLE_BODIES["pl"])
        await until(pilot, lambda: "dziękuję za wiadomość w sprawie" in terminal_output(app)[0], "the Polish example")
        await pilot.press("tab", *"Dzień dobry {merchant_firstname}")
        expected = "wiersz 1, kolumna 13: nie ma zmiennej {merchant_firstname} — czy chodziło o {merchant_first_name}?"
        await until(pilot, lambda: problem(dialog) == expected, "the mistake said in Polish")


def test_the_examples_are_valid_saved_replies() -> None:
    for lang, body in EXAMPLE_BODIES.items():
        assert check_body(body) == body, lang
    assert example_body("de") == EXAMPLE_BODIES["en"]


@pytest.mark.parametrize(
    ("text", "polish"),
    [
        ("Hi } there", "wiersz 1, kolumna 4: } niczego nie zamyka (nawias klamrowy pisze się }})"),
        ("Hi {merchant_name", "wiersz 1, kolumna 4: { nie jest zamknięty w tym wierszu (nawias klamrowy pisze się {{)"),
        ("Hi {}", "wiersz 1, kolumna 4: {} nie wskazuje żadnej zmiennej (nawias klamrowy pisze się {{)"),
        ("{zzz}", "wiersz 1, kolumna 1: nie ma zmiennej {zzz} (zmienne: merchant_first_name,"),
    ],
)
def test_template_errors_speak_polish(text: str, polish: str, in_polish: None) -> None:
    with pytest.raises(TemplateError) as raised:
        parse(text)
    assert raised.value.message.startswith(polish)


def test_name_and_length_errors_speak_polish(in_polish: None) -> None:
    for name, polish in [
        ("", "nadaj zapisanej odpowiedzi nazwę"),
        ("x" * 61, "nazwa jest za długa (znaków: 61; najwyżej 60)"),
        ("Introduce", "„Introduce” to nazwa wbudowanego szablonu — wybierz inną"),
    ]:
        with pytest.raises(TemplateError) as raised:
            check_name(name)
        assert raised.value.message == polish
    with pytest.raises(TemplateError) as raised:
        check_body("x" * 100_001)
    assert raised.value.message == "tekst jest za długi (znaków: 100\xa0001; najwyżej 100\xa0000)"
