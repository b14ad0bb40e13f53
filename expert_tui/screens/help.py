"""`?`: every key of the screen underneath, read from its live bindings.

Built from the binding chain at the moment help opens (the focused widget, its
screen, the app), so a user's remapped key is the key shown, and keys that do
nothing right now are still listed, marked as such, instead of silently missing.
Ordered for the partner: what this screen does (open, reply, decline, note, ...),
then moving, then the keys that work everywhere; Textual's focus and copy keys last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static, TextArea

from ..i18n import N_, _

_NOT_NOW = N_("not available now")


@dataclass
class HelpRow:
    keys: list[str]
    description: str
    available: bool


@dataclass
class HelpGroup:
    #: An English message (a `HELP_GROUP`, a section's name): shown translated.
    title: str
    rows: list[HelpRow]


#: Keys every screen answers to, whichever node binds them.
APP_WIDE = frozenset({"quit", "help", "command_palette"})
#: Textual's focus and copy keys: useful, but not what a partner opens help for.
GENERAL = frozenset({"focus_next", "focus_previous", "copy_text", "help_quit"})
#: Keys that move the cursor or the view rather than act on a task.
MOVES = frozenset(
    {
        *("cursor", "cursor_down", "cursor_up", "ends", "first", "last", "move", "edge", "scroll"),
        *("scroll_down", "scroll_up", "scroll_top", "scroll_end", "scroll_home", "scroll_left", "scroll_right"),
        *("page_up", "page_down", "page_left", "page_right"),
    }
)
MOVING, EVERYWHERE, EDITING, GENERAL_TITLE = N_("Moving"), N_("Everywhere"), N_("Editing"), N_("General")
#: After the focused widget's and the screen's own keys (order 0 and 1).
_LATER = {MOVING: 2, EVERYWHERE: 3, EDITING: 4, GENERAL_TITLE: 5}


def bare_action(action: str) -> str:
    """'app.quit' -> 'quit', 'move(1)' -> 'move'."""
    return action.rpartition(".")[2].partition("(")[0]


def group_title(node: DOMNode) -> str:
    """A node may say how its keys are grouped (`HELP_GROUP`); else a plain name."""
    title = getattr(node, "HELP_GROUP", None)
    if isinstance(title, str):
        return title
    name = type(node).__name__
    return name.removesuffix("Screen") or name


def _own_actions(node: DOMNode) -> set[str]:
    """Actions bound by the app's own classes, not inherited from Textual's."""
    actions: set[str] = set()
    for cls in type(node).__mro__:
        if cls.__module__.startswith("textual."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            actions.add(binding.action if isinstance(binding, Binding) else binding[1])
    return actions


def _section(node: DOMNode, screen: Screen[object], action: str) -> tuple[int, str]:
    """Where a key is listed: what the partner came for first, generic keys last."""
    name = bare_action(action)
    if name in GENERAL:
        return _LATER[GENERAL_TITLE], GENERAL_TITLE
    if name in APP_WIDE or node is node.app:
        return _LATER[EVERYWHERE], EVERYWHERE
    if isinstance(node, TextArea | Input) and action not in _own_actions(node):
        return _LATER[EDITING], EDITING
    if name in MOVES:
        return _LATER[MOVING], MOVING
    if node is not screen and isinstance(getattr(node, "HELP_GROUP", None), str):
        return 0, group_title(node)  # a focused widget with keys of its own (the reply editor)
    return 1, group_title(screen)


#: Words for actions whose bindings' own are short (the footer's) or Textual's.
_FULL_WORDS = {
    "command_palette": N_("Command palette"),
    # Textual's own, in our sentence case and in the catalogue.
    "focus_next": N_("Focus next"),
    "focus_previous": N_("Focus previous"),
    "copy_text": N_("Copy selected text"),
    "help_quit": N_("Help quit"),
    # The keys after ctrl+t are the editor's own (never bindings: they must not fire in text).
    "templates": N_("Templates (then 1–9 or ↑↓ enter; l language; m saved replies)"),
}


def _sentence_case(text: str) -> str:
    """Textual's 'Focus Next' reads as ours do: 'Focus next'."""
    return text[:1].upper() + text[1:].lower() if text else text


def _described(words: str) -> str:
    """A binding's words in the language shown; Textual's own (untranslated: 'Focus
    Next') in our sentence case."""
    translated = _(words)
    return translated if translated != words else _sentence_case(words)


#: Keys Textual shows as an English word a partner reads ("x / space" → "x / spacja");
#: key names in config and hints stay as they are.
_KEY_WORDS: dict[str, str] = {"space": N_("space")}


def help_groups(screen: Screen[object]) -> list[HelpGroup]:
    """The keys `screen` answers to now, one row per action: the screen's own actions
    (and those of the focused widget) first, then moving, then keys that work everywhere,
    text editing, and Textual's general focus and copy keys last."""
    app = screen.app
    taken: set[str] = set()
    sections: dict[str, tuple[int, dict[tuple[str, str], HelpRow]]] = {}
    for node, bindings in screen._modal_binding_chain:  # the same chain key presses walk
        for key, binding in bindings:
            if key in taken:
                continue  # an inner binding of the same key wins, as it does for a key press
            taken.add(key)
            order, title = _section(node, screen, binding.action)
            rows = sections.setdefault(title, (order, {}))[1]
            description = _described(
                _FULL_WORDS.get(bare_action(binding.action)) or binding.description or binding.action.replace("_", " ")
            )
            shown_key = app.get_key_display(binding)
            shown_key = _(_KEY_WORDS[shown_key]) if shown_key in _KEY_WORDS else shown_key
            row = rows.get((bare_action(binding.action), description))
            if row is None:
                state = app._check_action_state(binding.action, node)
                rows[(bare_action(binding.action), description)] = HelpRow([shown_key], description, bool(state))
            elif shown_key not in row.keys:
                row.keys.append(shown_key)
    ordered = sorted(sections.items(), key=lambda item: item[1][0])
    groups = [HelpGroup(title, list(rows.values())) for title, (_order, rows) in ordered if rows]
    for group in groups:
        for row in group.rows:
            row.keys.sort(key=_letters_first)
    return groups


def _letters_first(key: str) -> bool:
    """'q / ^q', 'j / ↓': the key a partner types is read first."""
    return not (len(key) == 1 and key.isascii())


def help_content(groups: list[HelpGroup]) -> Content:
    width = max((cell_len(" / ".join(row.keys)) for group in groups for row in group.rows), default=0)
    parts: list[Content | str | tuple[str, str]] = []
    for group in groups:
        parts += [("\n" if parts else "", ""), (_(group.title), "bold underline"), "\n"]
        for row in group.rows:
            shown = " / ".join(row.keys)
            keys = shown + " " * (width - cell_len(shown))
            if row.available:
                parts += [(f"  {keys}", "bold"), f"  {row.description}\n"]
            else:
                parts += [(f"  {keys}  {row.description}  ({_(_NOT_NOW)})\n", "dim")]
    return Content.assemble(*parts)


HINT = N_("Keys marked 'not available now' apply to other tasks or states. esc closes.")


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
        Binding("escape,q,question_mark,f1", "close", N_("Close help"), id="help.close"),
        Binding("j", "scroll(1)", N_("Down"), show=False),
        Binding("k", "scroll(-1)", N_("Up"), show=False),
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
            yield Static(Content.styled(_("Keys"), "bold"), id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(id="help-keys")
            yield Static(Content(_(HINT)), id="help-hint", classes="help-hint")

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#help-body").focus()

    def retell(self) -> None:
        """After a switch of language: every word again, in the new one."""
        self.query_one("#help-title", Static).update(Content.styled(_("Keys"), "bold"))
        self.query_one("#help-hint", Static).update(Content(_(HINT)))
        self._fill()

    def _fill(self) -> None:
        below = self._screen_below()
        content = help_content(help_groups(below))
        legend = getattr(below, "help_legend", None)
        if callable(legend):  # what the screen's marks and short words mean (the inbox's)
            content = Content.assemble(content, "\n", legend())
        self.query_one("#help-keys", Static).update(content)

    def action_scroll(self, lines: int) -> None:
        # From the target, not `scroll_y`: presses faster than a repaint each count.
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_to(y=body.scroll_target_y + lines, animate=False, immediate=True)

    def action_close(self) -> None:
        self.dismiss(None)
