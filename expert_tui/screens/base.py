"""The base of every screen over the store: its client and clock, and one hook for changes.

Another process (the CLI, a teammate on the server, this app's outbox) may change the
store at any moment; the app says so by bumping `store_version`. A screen in front
re-reads what it shows at once. A screen covered by another (the inbox under a task, a
task under a dialog) must not: it would redraw unseen and, worse, move its cursor under
the partner's eyes later. So a change that arrives while it is covered only marks it
stale, and it catches up once when shown again, however many changes came meanwhile.
That logic lives here, once; a screen only says what "catch up" means (`store_changed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

from textual import events
from textual.screen import Screen

from .speaking import SpeaksKeys

if TYPE_CHECKING:
    from ..app import ExpertApp
    from ..domain import Clock, Task
    from ..ui.store_client import StoreClient

ResultT = TypeVar("ResultT")


class StoreScreen(SpeaksKeys, Screen[ResultT]):
    """A screen that shows what the store holds.

    * `client`: the app's one way to the store (`ui.store_client`), and `clock`: the
      app's clock (tests freeze it).
    * `store_changed()`: the hook for "the store changed", called only while this screen
      is in front — at once, or when it is shown again after a change it missed.
    * `resumed(stale)`: shown again after being covered; by default it catches up when
      the store changed meanwhile. A screen with more to do on return overrides it.
    """

    app: ExpertApp

    #: The store changed while another screen covered this one.
    _stale: bool = False

    @property
    def client(self) -> StoreClient:
        return self.app.client

    @property
    def clock(self) -> Clock:
        return self.app.clock

    def store_changed(self) -> None:
        """Re-read what the screen shows (the store changed). Nothing by default."""

    def resumed(self, stale: bool) -> None:
        """Shown again after another screen covered this one; `stale`: the store changed meanwhile."""
        if stale:
            self.store_changed()

    # `_on_*`: Textual calls these as well as any `on_*` handler a subclass defines.
    def _on_mount(self, _event: events.Mount) -> None:
        self.watch(self.app, "store_version", self._store_version_changed, init=False)

    def _on_screen_resume(self, _event: events.ScreenResume) -> None:
        stale, self._stale = self._stale, False
        self.resumed(stale)

    def _store_version_changed(self, _version: int) -> None:
        # Not `is_current`: Textual counts the screen right under the top one as current
        # (it might show through a modal), even under the opaque task screen.
        # `screen_stack`, not `screen`: while the app closes the stack may already be empty.
        stack = self.app.screen_stack
        if stack and stack[-1] is self:
            self.store_changed()
        else:
            self._stale = True


@runtime_checkable
class TaskLister(Protocol):
    """A screen listing tasks that a task screen opened from it can step through (`J`/`K`)."""

    def neighbour(self, task_id: str, step: int) -> Task | str:
        """The task `step` rows from `task_id` in the list, or why there is none, in words."""
        ...

    def open_neighbour(self, task: Task) -> None:
        """Open `task` (its task screen is gone), the list's cursor on it."""
        ...
