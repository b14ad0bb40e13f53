"""The connection state at the right of every footer: live, reconnecting, offline.

Shown for a store over a network (a server, a database) at all times, and for any store
while it does not answer (a local file on a full or vanished disk says so too). Where the
footer is short of room (80 columns) live is one dot, so the keys keep their place, and
no dot at all where the keys need those cells too.
"""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from ..ui.connection import Connection, State

#: Columns from which the state is said in whole words.
WORDS_FROM = 100


class ConnectionState(Static):
    DEFAULT_CSS = """
    ConnectionState {
        dock: right;
        width: auto;
        height: 1;
        padding: 0 0 0 1;
        color: $text-success;
        background: $footer-background;
    }
    ConnectionState.reconnecting { color: $text-warning; }
    ConnectionState.offline { color: $text-error; text-style: bold; }
    """

    def on_mount(self) -> None:
        app: Any = self.app
        if not hasattr(app, "connection"):
            self.display = False
            return
        self.watch(app, "connection", self._show)
        self.watch(app, "now", self._show, init=False)

    def on_resize(self) -> None:
        """Laid out, with the footer's keys beside it (a footer is composed anew with every
        change of keys or language): whether they leave room for the dot is known now."""
        self._show()

    def _show(self, _changed: object = None) -> None:
        app: Any = self.app
        connection: Connection = app.connection
        wide = self.screen.size.width >= WORDS_FROM
        shown = connection.state is not State.LIVE or (app.client.over_network and (wide or self._room_for_a_dot()))
        self.display = shown
        if not shown:
            return
        self.set_classes(connection.state.value)
        self.update(Content(connection.words(app.now, wide=wide)))

    def _room_for_a_dot(self) -> bool:
        """Whether the footer's keys leave the two cells of live's dot: a language with
        longer key words (Polish at 80 columns) keeps `? Help` whole instead; trouble
        (reconnecting, offline) is always shown."""
        footer = self.parent
        if not isinstance(footer, Widget):
            return True
        keys = [child.region for child in footer.children if child is not self and child.display]
        if any(not key for key in keys):  # not laid out yet: `on_resize` looks again
            return True
        return not keys or max(key.right for key in keys) - footer.region.x + 2 <= footer.region.width
