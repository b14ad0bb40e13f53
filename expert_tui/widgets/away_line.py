"""One line at the top of the inbox while the partner is unavailable: a partner back from
a holiday who forgot the switch would otherwise wonder why nothing arrives."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from ..domain import Preferences
from ..domain.timefmt import day_words
from ..i18n import _


def away_words(prefs: Preferences, now: datetime) -> str | None:
    """What the inbox says while no tasks are delivered (SPEC 6), or None while they are."""
    if prefs.is_available_at(now):
        return None
    if not prefs.available:
        return _("Unavailable until you switch it back — no new tasks are delivered · p changes it")
    if prefs.unavailable_until is None:
        return _("Away until you switch it back — no new tasks are delivered · p changes it")
    return _("Away until {day} — no new tasks are delivered · p changes it").format(
        day=day_words(prefs.unavailable_until)
    )


class AwayLine(Static):
    """Shown only while the partner is unavailable (`-away`)."""

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

    _shown: tuple[Preferences, datetime] | None = None

    def show(self, prefs: Preferences, now: datetime) -> None:
        self._shown = (prefs, now)
        words = away_words(prefs, now)
        self.set_class(words is not None, "-away")
        self.update(Content(words or ""))

    def retell(self) -> None:
        """After a switch of language: the same words in the new one."""
        if self._shown is not None:
            self.show(*self._shown)
