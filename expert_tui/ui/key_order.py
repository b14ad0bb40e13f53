"""Keys and pastes are handled one at a time, in the order they were typed, each by the
screen and widget that the keys before it left in front.

Why: Textual routes a key to the focused widget the moment the app reads it, but a
binding runs only once the key has bubbled back up to the app, several message hops
later. In a burst (fast typing, tmux, an SSH session that delivers a line at once) the
keys after `r` were routed to the inbox list before `r` had opened the editor: they
bubbled up unbound and were lost (`/quick` could even quit on its `q`). And a screen
that is still mounting or loading (the task, a note's stored draft) has no input
focused yet, so what was typed then went nowhere, or to the wrong widget.

So the app holds every key and paste while the one before it is still on its way (a
marker message follows it along the same path; when the marker reaches the app, the
key has done all it does) and while the screen in front does not take input yet. A
screen that loads before it takes input says so with a `takes_input` attribute; for
any other screen, having a focused widget (or nothing to focus) is enough.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual import events
from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.screen import Screen

#: A key whose marker has not come back by then was dropped on the way (its widget
#: went away): the next key goes on regardless.
IN_FLIGHT_LIMIT = 2.0
#: How long a new screen may take to focus something before keys go to it anyway.
FOCUS_WAIT = 0.5
#: How long a screen that loads (`takes_input` False) may hold keys: past this, a
#: screen that never said it is ready must not leave the app deaf.
LOADING_WAIT = 15.0
RECHECK = 0.02


class KeyHandled(Message):
    """Follows a key along its path; reaching the app means the key has been handled."""

    def __init__(self, ticket: int) -> None:
        super().__init__()
        self.ticket = ticket


InputEvent = events.Key | events.Paste


class KeyOrder:
    """The queue of keys and pastes of one app, released one at a time.

    `deliver` is Textual's own handling of an input event (priority bindings, then
    forwarding to the focused widget); the app calls `take` with every event it reads.
    """

    def __init__(self, app: App[object], deliver: Callable[[InputEvent], Awaitable[None]]) -> None:
        self.app = app
        self._deliver = deliver
        self._held: deque[InputEvent] = deque()
        self._ticket = 0
        self._in_flight: tuple[int, MessagePump, float] | None = None
        self._screen: Screen[object] | None = None
        self._screen_since = 0.0
        self._recheck_pending = False

    @property
    def busy(self) -> bool:
        return bool(self._held) or self._in_flight is not None

    @staticmethod
    def concerns(event: events.Event) -> bool:
        """A key or a paste straight from the terminal (not one on its way down the DOM)."""
        return isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded

    async def take(self, event: InputEvent) -> None:
        """Handle `event` now if nothing is before it and the screen takes input, else queue it."""
        if self.busy or not self.ready():
            self._held.append(event)
            self._schedule_recheck()
            return
        await self._send(event)

    async def _send(self, event: InputEvent) -> None:
        # Where Textual forwards it: the focused widget, else the screen.
        target: MessagePump = self.app.focused or self.app.screen
        await self._deliver(event)
        if not event.is_forwarded:
            return  # a priority binding took it, at once
        self._ticket += 1
        self._in_flight = (self._ticket, target, time.monotonic())
        target.post_message(KeyHandled(self._ticket))

    def handled(self, message: KeyHandled) -> None:
        if self._in_flight is not None and self._in_flight[0] == message.ticket:
            self._in_flight = None
            # After the callbacks the key queued (`focus()` runs a step later).
            self.app.call_later(self.release)

    def ready(self) -> bool:
        """Whether the screen in front takes input now."""
        if not self.app.screen_stack:
            return False  # starting, or closing
        screen = self.app.screen
        if screen is not self._screen:
            self._screen, self._screen_since = screen, time.monotonic()
        waited = time.monotonic() - self._screen_since
        if not screen.is_mounted:
            return waited > LOADING_WAIT
        takes_input = getattr(screen, "takes_input", None)
        if takes_input is not None and not takes_input:
            return waited > LOADING_WAIT
        return screen.focused is not None or waited > FOCUS_WAIT or not screen.focus_chain

    async def release(self) -> None:
        """Hand on held keys, one at a time, while nothing is on its way and the screen is ready."""
        self._expire_in_flight()
        while self._held and self._in_flight is None and self.ready():
            await self._send(self._held.popleft())
        if self._held:
            self._schedule_recheck()

    def _expire_in_flight(self) -> None:
        if self._in_flight is None:
            return
        _ticket, target, since = self._in_flight
        if not target.is_attached or time.monotonic() - since > IN_FLIGHT_LIMIT:
            self._in_flight = None

    def _schedule_recheck(self) -> None:
        if self._recheck_pending:
            return
        self._recheck_pending = True

        async def recheck() -> None:
            self._recheck_pending = False
            await self.release()

        self.app.set_timer(RECHECK, recheck, name="key-order")
