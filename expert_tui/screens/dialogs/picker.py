"""A modal list to choose from: what the inbox's `f` (filter) and `s` (sort) open.

Arrows or j/k to move (g/G to the ends), enter to choose, esc to leave unchanged. The
list stops at its ends instead of wrapping round, so a few presses too many of `k` land
on the first choice, not on the last.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ...i18n import N_, _
from .base import Dialog

PICKER_CSS = """
Picker {
    /* See-through (set in app.tcss), so the inbox being filtered stays in view. */
    align: center middle;
    & > Vertical {
        width: 56;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    & #picker-title { width: 100%; text-style: bold; margin-bottom: 1; }
    & #picker-keys { width: 100%; color: $text-muted; margin-top: 1; }
    & OptionList, & OptionList:focus { height: auto; max-height: 20; border: none; padding: 0; background: $surface; }
}
"""


class Choices(OptionList):
    """An `OptionList` that stops at its first and last option."""

    def action_cursor_up(self) -> None:
        before = self.highlighted
        super().action_cursor_up()
        if before is not None and self.highlighted is not None and self.highlighted > before:
            self.highlighted = before

    def action_cursor_down(self) -> None:
        before = self.highlighted
        super().action_cursor_down()
        if before is not None and self.highlighted is not None and self.highlighted < before:
            self.highlighted = before


class Picker(Dialog[object]):
    """A titled list of choices; dismisses with the chosen value, or None."""

    DEFAULT_CSS = PICKER_CSS
    CSS_PATH = None
    BOX_ID = BOX_CLASSES = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", N_("Cancel")),
        Binding("j", "move(1)", N_("Down"), show=False),
        Binding("k", "move(-1)", N_("Up"), show=False),
        Binding("g", "edge(0)", N_("First"), show=False),
        Binding("G", "edge(1)", N_("Last"), show=False),
    ]

    def __init__(self, title: str, options: list[Option | None], values: dict[str, object], current: str) -> None:
        super().__init__()
        self._title = title
        self._options = options
        self._values = values
        self._current = current

    def body(self) -> ComposeResult:
        yield Label(self._title, id="picker-title", markup=False)
        yield Choices(*self._options)
        yield Label(_("↑↓ j k move · enter choose · esc cancel"), id="picker-keys", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(Choices)
        options.highlighted = options.get_option_index(self._current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._values[event.option_id or ""])

    def action_move(self, step: int) -> None:
        options = self.query_one(Choices)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_edge(self, last: int) -> None:
        options = self.query_one(Choices)
        if last:
            options.action_last()
        else:
            options.action_first()

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
