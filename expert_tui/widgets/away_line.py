"""One line at the top of the inbox while the partner is unavailable: a partner back from
a holiday who forgot the switch would otherwise wonder why nothing arrives."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from ..domain import Preferences
from ..domain.timefmt import day_words


def away_words(prefs: Preferences, now: datetime) -> str | None:
    """What the inbox says while no tasks are delivered (SPEC 6), or None while they are."""
    if prefs.is_available_at(now):
        return None
    if not prefs.available:
        return "Unavailable until you switch it back — no new tasks are delivered · p changes it"
    if prefs.unavailable_until is None:
        return "Away until you switch it back — no new tasks are delivered · p changes it"
    return f"Away until {day_words(prefs.unavailable_until)} — no new tasks are delivered · p changes it"


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

    def show(self, prefs: Preferences, now: datetime) -> None:
        words = away_words(prefs, now)
        self.set_class(words is not None, "-away")
        self.update(Content(words or ""))
