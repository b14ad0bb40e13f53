"""How wide each column of the terminal table is at a terminal's width.

A partner at 80 columns needs every row on one line more than every column: what a row
is for (its id, to act on it; its status and time left; what it is about) stays, and
what helps least gives way first — cut to its narrowest readable width, and only then
left out. Identifiers and countdowns are never cut: a cut id cannot be typed back.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Cells between two columns.
GAP = 2
#: Cut in this order, each down to its `least`, until the row fits.
CUT_FIRST = ("service", "merchant", "title", "status")
#: Left out in this order while even the narrowest columns do not fit.
LEAVE_OUT_FIRST = ("service", "kind", "unread", "merchant")


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    #: Cells it takes when there is room.
    width: int
    #: The narrowest it is cut to before it is left out.
    least: int


def fit(columns: list[Column], width: int) -> list[tuple[Column, int]]:
    """The columns kept at `width` and how wide each is; the last one (the title) takes
    whatever is left over. A terminal narrower than the columns that are never cut gets
    them anyway (its rows wrap rather than lose an id)."""
    shown = columns
    for key in LEAVE_OUT_FIRST:
        if _total(shown, [c.least for c in shown]) <= width:
            break
        shown = [c for c in shown if c.key != key]
    widths = [c.width for c in shown]
    excess = _total(shown, widths) - width
    for key in CUT_FIRST:
        for index, column in enumerate(shown):
            if column.key == key and excess > 0:
                cut = min(excess, widths[index] - column.least)
                widths[index] -= cut
                excess -= cut
    if excess < 0:
        widths[-1] -= excess
    return list(zip(shown, widths, strict=True))


def _total(columns: list[Column], widths: list[int]) -> int:
    return sum(widths) + GAP * (len(columns) - 1)
