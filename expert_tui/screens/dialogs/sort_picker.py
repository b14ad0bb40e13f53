"""`s` in the inbox: the order of the list."""

from __future__ import annotations

from textual.widgets.option_list import Option

from ...i18n import N_, _
from ...store.base import Sort
from .picker import Picker

#: Each order with what it puts first (every `Sort` has one).
DESCRIPTIONS: dict[Sort, str] = {
    Sort.URGENCY: N_("urgency — soonest deadline, then merchants waiting"),
    Sort.RECEIVED: N_("received — newest first"),
    Sort.ACTIVITY: N_("last activity — most recent first"),
}


class SortPicker(Picker):
    """Returns a `Sort`, or None when cancelled."""

    def __init__(self, current: Sort) -> None:
        values: dict[str, object] = {sort.value: sort for sort in Sort}
        options: list[Option | None] = [Option(_(DESCRIPTIONS[sort]), id=sort.value) for sort in Sort]
        super().__init__(_("Sort by"), options, values, current.value)
