"""The footer of the inbox and the task screen.

At 80 columns the footer holds the keys that matter and `? Help`, nothing more; the
command palette's key (`^p`) joins them on the right only where there is room for it.
Help and the palette themselves list it everywhere.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

#: Columns from which the palette's key is shown.
PALETTE_FROM = 100


class KeysFooter(Footer):
    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)

    def on_resize(self, event: events.Resize) -> None:
        wide = event.size.width >= PALETTE_FROM
        if wide != self.show_command_palette:
            self.show_command_palette = wide
            self.refresh(recompose=True)
