"""The footer of every screen over the store: its keys, and on the right the connection state.

At 80 columns the footer holds the keys that matter and `? Help`, nothing more; the
command palette's key (`^p`) joins them on the right only where there is room for it
(screens whose keys are many, like the inbox and the task, ask for that). Help and the
palette themselves list it everywhere. The connection state (`ConnectionState`) is in
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
    def __init__(self, *, palette: bool = True) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self._palette = palette

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield ConnectionState()

    def on_resize(self, event: events.Resize) -> None:
        wide = self._palette and event.size.width >= PALETTE_FROM
        if wide != self.show_command_palette:
            self.show_command_palette = wide
            self.refresh(recompose=True)
