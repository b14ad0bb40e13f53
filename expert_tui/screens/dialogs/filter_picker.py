"""`f` in the inbox: which tasks it lists — a view (needs you, all, one status, drafts)
and one kind (or both)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.widgets.option_list import Option

from ...domain import INBOX_KINDS, Kind, Status
from ...domain.views import ALL, DRAFTS, NEEDS_YOU, VIEWS, View
from ...i18n import N_, _
from ...i18n.formats import number as formatted
from .picker import Picker


@dataclass(frozen=True, slots=True)
class Filter:
    """What the inbox lists: a view ("needs you" unless the partner chose another) and
    one kind (or match and direct)."""

    view: View = NEEDS_YOU
    kind: Kind | None = None


#: The choice of one kind only, for each kind the inbox lists.
ONLY_KIND: dict[Kind, str] = {Kind.MATCH: N_("Match tasks only"), Kind.DIRECT: N_("Direct tasks only")}

#: Where `f`'s list puts a line between two groups: after the views of the day's work,
#: and after the places tasks go once off the partner's plate (drafts close that group).
_GROUP_ENDS = (ALL, DRAFTS)


class FilterPicker(Picker):
    """Returns a new `Filter`, or None when cancelled."""

    def __init__(self, current: Filter, counts: dict[Status, int]) -> None:
        values: dict[str, object] = {}
        options: list[Option | None] = []
        for view in VIEWS:
            key = f"view-{view.id}"
            values[key] = Filter(view, current.kind)
            number = view.counted(counts)
            label = view.label if number is None else f"{view.label} ({formatted(number)})"
            options.append(Option(label, id=key))
            if view in _GROUP_ENDS:
                options.append(None)
        options.append(None)
        values["kind-all"] = Filter(current.view, None)
        options.append(Option(_("Match and direct tasks"), id="kind-all"))
        for kind in INBOX_KINDS:
            key = f"kind-{kind.value}"
            values[key] = Filter(current.view, kind)
            options.append(Option(_(ONLY_KIND[kind]), id=key))
        super().__init__(_("Show which tasks?"), options, values, f"view-{current.view.id}")
