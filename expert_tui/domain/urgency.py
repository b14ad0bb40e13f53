"""How close a deadline is, said in colour *and* in glyphs.

Partners work in terminals without colour (`NO_COLOR`, some SSH clients, screen
readers), so every urgency band carries a marker that reads on its own: `!` under a
day, `!!` under six hours, `!!!` under an hour. The colour comes from a component
class named after the band, so themes and `.tcss` decide how it looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from ..i18n import N_
from . import Status, Task
from .timefmt import countdown


class Band(Enum):
    """Urgency bands of a running 72-hour window, most urgent first."""

    HOUR = ("!!!", N_("under an hour left"), timedelta(hours=1))
    SIX_HOURS = ("!!", N_("under 6 hours left"), timedelta(hours=6))
    DAY = ("!", N_("under a day left"), timedelta(hours=24))
    CALM = ("", "", timedelta.max)

    def __init__(self, glyph: str, words: str, limit: timedelta) -> None:
        self.glyph = glyph
        #: An English message, marked: whoever shows it translates it (`_()`).
        self.words = words
        self.limit = limit

    @property
    def css_class(self) -> str:
        return f"urgency-{self.name.lower().replace('_', '-')}"


def band_for(left: timedelta) -> Band:
    for band in (Band.HOUR, Band.SIX_HOURS, Band.DAY):
        if left < band.limit:
            return band
    return Band.CALM


@dataclass(frozen=True, slots=True)
class Deadline:
    """What a row shows in its deadline cell at one instant."""

    text: str
    band: Band | None
    expired: bool

    @property
    def marked(self) -> str:
        """The text with its glyph, e.g. `!! 05:12:09`, right-aligned in a cell."""
        if self.band is None or not self.band.glyph:
            return self.text
        return f"{self.band.glyph} {self.text}"


NO_DEADLINE = Deadline("", None, expired=False)
#: The status column already says "expired"; the deadline cell stays empty.
EXPIRED = Deadline("", None, expired=True)


def deadline_of(task: Task, now: datetime) -> Deadline:
    """The countdown for `new`/`opened` tasks, `expired` once the window closed."""
    status = task.status_at(now)
    if status is Status.EXPIRED:
        return EXPIRED
    left = task.time_left(now)
    if left is None:
        return NO_DEADLINE
    return Deadline(countdown(left), band_for(left), expired=False)


def changed_span(old: str, new: str) -> tuple[int, int]:
    """The cells `start..end` where two equally wide deadline cells differ.

    Countdown text is ASCII (digits, `:`, `!`, spaces), one cell per character.
    """
    start = next((i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b), len(new))
    end = len(new) - next((i for i, (a, b) in enumerate(zip(old[::-1], new[::-1], strict=True)) if a != b), 0)
    return start, max(start, end)
