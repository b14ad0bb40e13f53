"""The question the TUI asks when there is no store yet, instead of creating one silently.

A mistyped `--db` (or a first start) must not quietly become an empty inbox: the
partner chooses to create the store, to look around the demo, or to leave.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ..i18n import N_, _
from ..widgets.safe import safe_line
from .speaking import SpeaksKeys

Choice = Literal["create", "demo"]


class _SpeakingScreen(SpeaksKeys, Screen[None]):
    """The question's screen: its footer names the keys in the language in force."""


class NoStoreApp(App[Choice | None]):
    """Three choices, each on a key: `c` create, `d` demo, `q`/`esc` quit."""

    CSS = """
    Screen { align: center middle; }
    #no-store { width: 76; max-width: 100%; height: auto; border: round $warning; padding: 1 2; }
    #no-store-path { color: $text-muted; margin-bottom: 1; }
    #no-store-choices { height: auto; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "choose('create')", N_("Create it"), id="no_store.create"),
        Binding("d", "choose('demo')", N_("Open the demo"), id="no_store.demo"),
        Binding("q,escape", "choose('quit')", N_("Quit"), id="no_store.quit"),
    ]

    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path

    def compose(self) -> ComposeResult:
        with Vertical(id="no-store"):
            yield Static(Content.styled(_("There is no store here yet."), "bold"))
            yield Static(Content.assemble(_("Store:") + " ", safe_line(self._path)), id="no-store-path")
            yield Static(
                Content(
                    _(
                        "Create an empty one here (then add tasks with: expert-tui import FILE), "
                        "open the demo inbox to look around, or quit if the path is wrong."
                    )
                )
            )
            yield OptionList(
                Option("c  " + _("Create an empty store here"), id="create"),
                Option("d  " + _("Open the demo inbox (a separate store)"), id="demo"),
                Option("q  " + _("Quit"), id="quit"),
                id="no-store-choices",
            )
        yield Footer()

    def get_default_screen(self) -> Screen[None]:
        """A screen whose footer names the keys in the partner's language."""
        return _SpeakingScreen(id="_default")

    def action_choose(self, choice: str) -> None:
        self.exit(None if choice == "quit" else choice)  # type: ignore[arg-type]

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(event.option.id or "quit")


def ask_about_missing_store(path: str) -> Choice | None:
    """Ask on the terminal; None means leave without creating anything."""
    return NoStoreApp(path).run()
