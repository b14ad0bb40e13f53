"""A multi-line text box for what a person writes (a reply, a note), where pasting is safe.

A paste that the terminal does not bracket reaches the app as keys: a line feed as
`ctrl+j`, a tab as `tab`. Here both are text, so a pasted paragraph keeps its lines and
never sends, saves or moves the focus (SPEC 6: no character a paste can hold sends or
leaves). A bracketed paste arrives whole and is inserted as it is.

It also redraws every line after a resize: Textual re-wraps the text then, but kept
lines it had drawn at the old width, so after 60×20 → 80×24 a wrapped line showed its
old tail (or none) until the cursor moved.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import TextArea

from ..i18n import N_


class TextBox(TextArea):
    """A soft-wrapping `TextArea` whose `enter`, `ctrl+j` and `tab` are always text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j", "type('\\n')", N_("New line"), show=False, id="text.line_feed"),
        Binding("tab", "type('\\t')", N_("Tab"), show=False, id="text.tab"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(soft_wrap=True, tab_behavior="focus", **kwargs)

    def action_type(self, text: str) -> None:
        """Insert `text` as a typed key would: over the selection, undoable."""
        if not self.read_only:
            start, end = self.selection
            self.replace(text, start, end, maintain_selection_offset=False)

    def _on_resize(self) -> None:
        super()._on_resize()
        self.refresh()
