"""The inbox's views: which tasks it lists, named for the work rather than the data.

A partner opens the app to answer what is waiting for them, so the default view is
"needs you": the tasks still owed a first response (new, opened) and those where the
merchant wrote last (awaiting your reply), most urgent first. The other views are the
places a task goes once it is off the partner's plate (one status each), everything at
once, and the tasks holding the partner's own unsent draft.

A view is a set of statuses (`TaskQuery.statuses`) and, for drafts, a search filter
(`has:draft`: drafts are the person's own, SPEC 6), so every store answers it the way it
answers any listing: same order, same paging, same jumps.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_, _
from .model import Status
from .words import STATUS


@dataclass(frozen=True, slots=True)
class View:
    """One way of listing the inbox. `statuses` None means every status."""

    #: Stable identifier (the config file and tests use it; never translated).
    id: str
    #: The name a person reads, marked for translation.
    name: str
    statuses: frozenset[Status] | None = None
    #: A search filter the view adds to whatever is typed in the search box.
    filter: str | None = None

    @property
    def label(self) -> str:
        """The name in this context's language."""
        return _(self.name)

    def counted(self, counts: dict[Status, int]) -> int | None:
        """How many tasks the view lists, from the per-status counts; None when the
        counts cannot say (a search filter narrows it further)."""
        if self.filter is not None:
            return None
        return sum(n for status, n in counts.items() if self.statuses is None or status in self.statuses)

    def query_text(self, typed: str | None) -> str | None:
        """The search the store is asked: the view's filter and what is typed, both holding."""
        parts = [part for part in (self.filter, typed) if part]
        return " ".join(parts) or None


NEEDS_YOU = View("needs_you", N_("Needs you"), frozenset({Status.NEW, Status.OPENED, Status.AWAITING_RESPONSE}))
ALL = View("all", N_("All tasks"))
DRAFTS = View("drafts", N_("With your draft"), filter="has:draft")

#: Off the partner's plate, one status each, in the order a task tends to get there.
_ONE_STATUS = (Status.RESPONDED, Status.INACTIVE, Status.COMPLETED, Status.DECLINED, Status.EXPIRED)
#: A status that needs the partner can still be listed on its own (SPEC 3: filter by status).
_NEEDING = (Status.NEW, Status.OPENED, Status.AWAITING_RESPONSE)


def status_view(status: Status) -> View:
    """The view of one status, named as the status is (SPEC 2's display names)."""
    return View(status.value, STATUS[status.value], frozenset({status}))


#: Every view, in the order `f` offers them.
VIEWS: tuple[View, ...] = (
    NEEDS_YOU,
    ALL,
    *(status_view(s) for s in _ONE_STATUS),
    DRAFTS,
    *(status_view(s) for s in _NEEDING),
)

VIEW_BY_ID: dict[str, View] = {view.id: view for view in VIEWS}
