"""Where the inbox cursor goes while loads are in flight: the whole state, in one place.

The inbox reloads often — after an action, on a store change, on coming back from a task,
when a window closes — and every load runs off the event loop. So loads overlap and
finish out of order, and the task the cursor should land on may sit on a page that has
not arrived yet. `InboxCursor` holds everything that decides where the cursor goes; the
inbox screen and its list only ask it.

Its fields, and the one rule each keeps:

`loads`, `shown`
    Every load takes the next number (`start_load`); only the newest may be shown
    (`may_show`), an older one is dropped when it finishes. `loading` while the newest
    has not been shown.
`wish`
    The task the loads in flight should put the cursor on: the next task after an action
    in the inbox (a note keeps the same task), or the highlighted one when a reload must
    keep the cursor where it is. A newer load carries it on (a store change arriving
    meanwhile cannot undo an action's move); a newer action replaces it. Cleared when a
    load is shown: that load's choice becomes `landing`.
`visit`
    A return from the task screen whose load has not been shown. The load decides the
    task (on to the next one if the visited task was acted on, else back to it); a newer
    `wish` (an action taken in the inbox since) drops it.
`opened`
    The task opened from the inbox, remembered until the inbox is in front again, when it
    becomes `visit` (`returned`).
`landing`
    The task the shown list should land on once the page holding it arrives (`land`).
    Replaced by the next load shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..domain import Status


@dataclass(frozen=True, slots=True)
class Visit:
    """A task opened from the inbox: its status then, and the task after it at that moment."""

    task_id: str
    status: Status
    next_id: str | None


@dataclass(frozen=True, slots=True)
class Load:
    """One load as started: its number, and what decides where the cursor goes after it."""

    number: int
    wish: str | None
    visit: Visit | None


class InboxCursor:
    """See the module's docstring: one object, five facts, each with its rule."""

    def __init__(self) -> None:
        self.loads = 0
        self.shown = 0
        self.wish: str | None = None
        self.visit: Visit | None = None
        self.opened: Visit | None = None
        self.landing: str | None = None

    @property
    def loading(self) -> bool:
        return self.loads != self.shown

    # --- loads ----------------------------------------------------------------------------------
    def start_load(self, *, wish: str | None = None, visit: Visit | None = None) -> Load:
        """A new load; `wish` (an action's target) drops a pending visit, `visit` sets one."""
        if wish is not None:
            self.wish = wish
            self.visit = None
        if visit is not None:
            self.visit = visit
        self.loads += 1
        return Load(self.loads, self.wish, self.visit)

    def keep(self, highlighted: str | None) -> None:
        """The next load keeps the cursor on its task: the one still wished for or being
        landed on, else the highlighted one (a pending visit decides for itself)."""
        if self.visit is None:
            self.wish = self.wish or self.landing or highlighted

    def may_show(self, load: int) -> bool:
        """Only the newest load is shown; an older one is superseded, its wishes carried on."""
        return load == self.loads

    def showing(self, load: int, landing: str | None) -> None:
        """Load `load` is on screen; the cursor now heads for `landing` (its choice)."""
        self.shown = load
        self.wish = self.visit = None
        self.landing = landing

    # --- the task screen --------------------------------------------------------------------------
    def open(self, visit: Visit) -> None:
        self.opened = visit

    def returned(self) -> Visit | None:
        """Back in front: the task opened from here, if any, is now a pending visit's to decide."""
        visit, self.opened = self.opened, None
        return visit

    # --- the list -----------------------------------------------------------------------------------
    def land(self, row_of: Callable[[str], int | None]) -> int | None:
        """The row to put the cursor on, once `landing`'s page is here (then nothing is
        wanted any more); None while there is nothing to land on, or its page is not here."""
        if self.landing is None:
            return None
        row = row_of(self.landing)
        if row is not None:
            self.landing = None
        return row

    def wanted(self, highlighted: str | None) -> str | None:
        """The task the cursor is on, or is waiting to land on once its page arrives."""
        return self.landing if self.landing is not None else highlighted
