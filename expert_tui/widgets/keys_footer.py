"""The footer of every screen over the store: its keys, and on the right the connection state.

At 80 columns the inbox's and the task's footers hold the keys that matter and `? Help`,
nothing more; the command palette's key (`^p`) joins them on the right only where there
is room for it (screens with few keys show it at any width). Help and the palette
themselves list it everywhere. The connection state (`ConnectionState`) is in
every footer, so whether the store answers is in sight on every screen.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer

from .connection_state import ConnectionState

#: Columns from which the palette's key is shown.
PALETTE_FROM = 100


class KeysFooter(Footer):
    def __init__(self, *, palette_from: int = PALETTE_FROM) -> None:
        """`palette_from`: the width from which the palette's key is shown (0: always)."""
        super().__init__(compact=True, show_command_palette=palette_from == 0)
        self._palette_from = palette_from

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield ConnectionState()

    def on_resize(self, event: events.Resize) -> None:
        wide = event.size.width >= self._palette_from
        if wide != self.show_command_palette:
            self.show_command_palette = wide
            self.refresh(recompose=True)
