"""One line at the top of the inbox while no tasks are delivered: a partner back from a
holiday who forgot the switch, or new on a server and offering no service yet, would
otherwise wonder why nothing arrives."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from ..domain import Preferences
from ..domain.timefmt import day_words
from ..i18n import _


def away_words(prefs: Preferences, now: datetime, *, delivered: bool = False) -> str | None:
    """What the inbox says while no tasks are delivered (SPEC 6), or None while they are.
    `delivered`: the store receives the marketplace's deliveries (a server), which come
    only once the partner offers a service; a file filled by imports has none to miss."""
    if prefs.is_available_at(now):
        if delivered and not prefs.services:
            return _("No service offered yet — tasks arrive once you add one · p adds one")
        return None
    if not prefs.available:
        return _("Unavailable until you switch it back — no new tasks are delivered · p changes it")
    if prefs.unavailable_until is None:
        return _("Away until you switch it back — no new tasks are delivered · p changes it")
    return _("Away until {day} — no new tasks are delivered · p changes it").format(
        day=day_words(prefs.unavailable_until)
    )


class AwayLine(Static):
    """Shown only while no tasks are delivered (`-away`)."""

    DEFAULT_CSS = """
    AwayLine {
        display: none;
        height: 1;
        padding: 0 1;
        background: $warning-muted;
        color: $text-warning;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    AwayLine.-away {
        display: block;
    }
    """

    _shown: tuple[Preferences, datetime, bool] | None = None

    def show(self, prefs: Preferences, now: datetime, delivered: bool = False) -> None:
        self._shown = (prefs, now, delivered)
        words = away_words(prefs, now, delivered=delivered)
        self.set_class(words is not None, "-away")
        self.update(Content(words or ""))

    def retell(self) -> None:
        """After a switch of language: the same words in the new one."""
        if self._shown is not None:
            self.show(*self._shown)
