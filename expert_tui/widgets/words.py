"""A fixed line of the app's own words that follows a language switch."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from ..i18n import _


class Words(Static):
    """Shows `_(message)`: `message` is an English message marked `N_()` where it is
    written. `retell` (called by `ExpertApp.speak` on every node) says it again in the
    language in force."""

    def __init__(self, message: str, **static: Any) -> None:
        super().__init__(_(message), **static)
        self.message = message

    def retell(self) -> None:
        self.update(_(self.message))
