"""`?`: every key of the screen underneath, read from its live bindings.

Built from the binding chain at the moment help opens (the focused widget, its
screen, the app), so a user's remapped key is the key shown, and keys that do
nothing right now are still listed, marked as such, instead of silently missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer, Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

_NOT_NOW = "not available now"


@dataclass
class HelpRow:
    keys: list[str]
    description: str
    available: bool


@dataclass
class HelpGroup:
    title: str
    rows: list[HelpRow]


def group_title(node: DOMNode) -> str:
    """A node may say how its keys are grouped (`HELP_GROUP`); else a plain name."""
    title = getattr(node, "HELP_GROUP", None)
    if isinstance(title, str):
        return title
    if node is node.app:
        return "Everywhere"
    if isinstance(node, ScrollableContainer):
        return "Scrolling"
    name = type(node).__name__
    return name.removesuffix("Screen") or name


def _group_order(node: DOMNode) -> int:
    """The focused widget first, then the screen, plain scrolling, and app keys last."""
    if node is node.app:
        return 3
    if isinstance(node, ScrollableContainer):
        return 2
    return 1 if isinstance(node, Screen) else 0


def help_groups(screen: Screen[object]) -> list[HelpGroup]:
    """The keys `screen` answers to now, innermost first, one row per action."""
    app = screen.app
    taken: set[str] = set()
    groups: list[tuple[int, HelpGroup]] = []
    for node, bindings in screen._modal_binding_chain:  # the same chain key presses walk
        rows: dict[tuple[str, str], HelpRow] = {}
        for key, binding in bindings:
            if key in taken:
                continue  # an inner binding of the same key wins, as it does for a key press
            taken.add(key)
            state = app._check_action_state(binding.action, node)
            description = binding.description or binding.action.replace("_", " ")
            shown_key = app.get_key_display(binding)
            row = rows.get((binding.action, description))
            if row is None:
                rows[(binding.action, description)] = HelpRow([shown_key], description, bool(state))
            elif shown_key not in row.keys:
                row.keys.append(shown_key)
        if rows:
            groups.append((_group_order(node), HelpGroup(group_title(node), list(rows.values()))))
    return [group for _order, group in sorted(groups, key=lambda pair: pair[0])]


def help_content(groups: list[HelpGroup]) -> Content:
    width = max((len(" / ".join(row.keys)) for group in groups for row in group.rows), default=0)
    parts: list[Content | str | tuple[str, str]] = []
    for group in groups:
        parts += [("\n" if parts else "", ""), (group.title, "bold underline"), "\n"]
        for row in group.rows:
            keys = " / ".join(row.keys).ljust(width)
            if row.available:
                parts += [(f"  {keys}", "bold"), f"  {row.description}\n"]
            else:
                parts += [(f"  {keys}  {row.description}  ({_NOT_NOW})\n", "dim")]
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    """Every key of the screen below, grouped; `esc`, `q` or `?` closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background 60%; }
    HelpScreen > Vertical {
        width: 90; max-width: 100%; height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    HelpScreen #help-body { height: 1fr; }
    HelpScreen .help-hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close help", id="help.close"),
        Binding("j", "scroll(1)", "Down", show=False),
        Binding("k", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, screen: Screen[object] | None = None) -> None:
        super().__init__()
        self._target = screen

    def _screen_below(self) -> Screen[object]:
        if self._target is not None:
            return self._target
        stack = self.app.screen_stack
        return stack[stack.index(self) - 1] if self in stack else stack[-1]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled("Keys", "bold"))
            with VerticalScroll(id="help-body"):
                yield Static(id="help-keys")
            yield Static(
                Content("Keys marked 'not available now' apply to other tasks or states. esc closes."),
                classes="help-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#help-keys", Static).update(help_content(help_groups(self._screen_below())))
        self.query_one("#help-body").focus()

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
