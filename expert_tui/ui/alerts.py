"""Alerts for a partner whose terminal is not in front: a bell, or a desktop notification
through the terminal itself (OSC 9, or OSC 777 for the terminals that read that one), which
passes SSH and tmux like any other output — no daemon, no library, nothing to install.

Two moments deserve one (the person's `alerts` setting: off, bell, desktop or osc777): a
new task arrives, or a task still owed a first answer falls under the threshold
(`alert_hours`, 6 by default). Never more than one alert a minute: a flood of deliveries
makes one alert, not a din. What the app already showed when it started is not alerted.
Merchant words in a notification are cleaned like any merchant text on screen and cut
short; the separators of OSC 777 are taken out of them.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..domain import Status, Task
from ..domain.text import one_line
from ..domain.timefmt import countdown
from ..i18n import _, ngettext
from ..store.base import Sort, TaskQuery

if TYPE_CHECKING:
    from ..app import ExpertApp

#: At most one alert in this long.
ALERT_GAP = timedelta(minutes=1)
#: How often deadlines are looked at (a task crosses the threshold between two looks).
DEADLINE_LOOK_SECONDS = 30.0
#: Tasks read per look, most urgent first: the ones near their deadline come first.
URGENT_PAGE = 20
#: Words of a notification, at most.
MAX_ALERT_CHARS = 200


def alert_bytes(mode: str, title: str, body: str, *, in_tmux: bool = False) -> str:
    """What the terminal is sent for an alert in `mode` (empty for `off`). Inside tmux a
    notification is wrapped for tmux to pass on (`allow-passthrough on`); a bell needs not."""
    if mode == "bell":
        return "\a"
    title, body = _clean(title), _clean(body)
    if mode == "desktop":
        sequence = f"\x1b]9;{title}: {body}\x07"
    elif mode == "osc777":
        sequence = f"\x1b]777;notify;{title.replace(';', ',')};{body.replace(';', ',')}\x07"
    else:
        return ""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\" if in_tmux else sequence


def _clean(text: str) -> str:
    """One visible line, no byte that could end or start an escape sequence."""
    line = one_line(text, MAX_ALERT_CHARS)
    return "".join(c for c in line if c.isprintable())


class Alerts:
    """Watches the store for the two moments; writes an alert through the app's terminal."""

    def __init__(self, app: ExpertApp) -> None:
        self.app = app
        self._last: datetime | None = None
        self._new_tasks: int | None = None
        #: Tasks already alerted (or already under the threshold when the app started).
        self._warned: set[str] | None = None

    @property
    def mode(self) -> str:
        return self.app.settings.current.alerts

    def start(self) -> None:
        if self.mode == "off":
            return
        self.app.watch(self.app, "store_version", self._store_changed, init=False)
        self.app.set_interval(DEADLINE_LOOK_SECONDS, self._look_at_deadlines, name="alert deadlines")
        self.app.run_worker(self._take_stock(), group="alerts")

    async def _take_stock(self) -> None:
        """What is there at start is known already: no alert for it."""
        counts = await self.app.client.attempt(lambda store: store.counts())
        if counts is not None:
            self._new_tasks = counts.get(Status.NEW, 0)
        urgent = await self._urgent()
        if urgent is not None:
            self._warned = {task.id for task in urgent}

    def _store_changed(self) -> None:
        self.app.run_worker(self._count_new(), group="alerts")

    async def _count_new(self) -> None:
        counts = await self.app.client.attempt(lambda store: store.counts())
        if counts is None:
            return
        new, before = counts.get(Status.NEW, 0), self._new_tasks
        self._new_tasks = new
        if before is None or new <= before:
            return
        page = await self.app.client.attempt(
            lambda store: store.list_tasks(TaskQuery(status=Status.NEW, sort=Sort.RECEIVED, limit=1))
        )
        newest = page.items[0] if page is not None and page.items else None
        others = new - before - 1
        more = ngettext(" (and {n} more)", " (and {n} more)", others).format(n=others) if others > 0 else ""
        if newest is None:
            body = ngettext("{n} new task", "{n} new tasks", new - before).format(n=new - before)
        else:
            body = f"{newest.merchant.name} — {newest.title}{more}"
        self.alert(_("New task"), body)

    def _look_at_deadlines(self) -> None:
        self.app.run_worker(self._check_deadlines(), group="alerts")

    async def _check_deadlines(self) -> None:
        urgent = await self._urgent()
        if urgent is None:
            return
        if self._warned is None:
            self._warned = {task.id for task in urgent}
            return
        fresh = [task for task in urgent if task.id not in self._warned]
        if not fresh:
            return
        self._warned.update(task.id for task in fresh)
        first = fresh[0]
        left = countdown(first.time_left(self.app.clock()) or timedelta(0))
        others = len(fresh) - 1
        more = ngettext(" (and {n} more)", " (and {n} more)", others).format(n=others) if others > 0 else ""
        body = _("{id} {merchant}: {left} left to reply").format(id=first.id, merchant=first.merchant.name, left=left)
        self.alert(_("Reply soon"), body + more)

    async def _urgent(self) -> list[Task] | None:
        """Tasks owed a first answer whose window closes within the threshold."""
        page = await self.app.client.attempt(
            lambda store: store.list_tasks(TaskQuery(sort=Sort.URGENCY, limit=URGENT_PAGE))
        )
        if page is None:
            return None
        now = self.app.clock()
        threshold = timedelta(hours=self.app.settings.current.alert_hours)
        return [
            task
            for task in page.items
            if (left := task.time_left(now)) is not None and timedelta(0) < left <= threshold
        ]

    def alert(self, title: str, body: str) -> bool:
        """Alert now unless one went out less than a minute ago; whether it went out."""
        now = self.app.clock()
        if self._last is not None and now - self._last < ALERT_GAP:
            return False
        self._last = now
        sequence = alert_bytes(self.mode, title, body, in_tmux=bool(os.environ.get("TMUX")))
        driver = self.app._driver  # Textual's own `bell()` writes through it the same way
        if sequence and driver is not None and not self.app.is_headless:
            driver.write(sequence)
        self.app.notify(f"{_clean(title)}: {_clean(body)}", markup=False, timeout=6)
        return True
