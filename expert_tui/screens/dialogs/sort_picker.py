"""`s` in the inbox: the order of the list."""

from __future__ import annotations

from textual.widgets.option_list import Option

from ...store.base import Sort
from ...widgets.status_counts import SORT_WORDS
from .picker import Picker


class SortPicker(Picker):
    """Returns a `Sort`, or None when cancelled."""

    def __init__(self, current: Sort) -> None:
        descriptions = {
            Sort.URGENCY: "urgency — soonest deadline, then merchants waiting",
            Sort.RECEIVED: "received — newest first",
            Sort.ACTIVITY: "last activity — most recent first",
        }
        values: dict[str, object] = {sort.value: sort for sort in Sort}
        options: list[Option | None] = [
            Option(descriptions.get(sort, SORT_WORDS[sort]), id=sort.value) for sort in Sort
        ]
        super().__init__("Sort by", options, values, current.value)
