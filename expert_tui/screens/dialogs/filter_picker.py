"""`f` in the inbox: which tasks it lists — one status (or all), one kind (or both)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.widgets.option_list import Option

from ...domain import INBOX_KINDS, Kind, Status
from ...widgets.status_counts import COUNT_ORDER
from ...widgets.task_columns import STATUS_WORDS
from .picker import Picker


@dataclass(frozen=True, slots=True)
class Filter:
    """What the inbox lists: one status (or all) and one kind (or match and direct)."""

    status: Status | None = None
    kind: Kind | None = None


class FilterPicker(Picker):
    """Returns a new `Filter`, or None when cancelled."""

    def __init__(self, current: Filter, counts: dict[Status, int]) -> None:
        values: dict[str, object] = {"all": Filter(None, current.kind)}
        options: list[Option | None] = [Option(f"All statuses ({sum(counts.values()):,})", id="all")]
        for status in COUNT_ORDER:
            key = f"status-{status.value}"
            values[key] = Filter(status, current.kind)
            options.append(Option(f"{STATUS_WORDS[status].capitalize()} ({counts.get(status, 0):,})", id=key))
        options.append(None)
        values["kind-all"] = Filter(current.status, None)
        options.append(Option("Match and direct tasks", id="kind-all"))
        for kind in INBOX_KINDS:
            key = f"kind-{kind.value}"
            values[key] = Filter(current.status, kind)
            options.append(Option(f"{kind.value.capitalize()} tasks only", id=key))
        selected = "all" if current.status is None else f"status-{current.status.value}"
        super().__init__("Show which tasks?", options, values, selected)
