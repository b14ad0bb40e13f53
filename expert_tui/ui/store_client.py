"""The one way from the UI to the store: every call off the event loop, every failure said once.

A slow disk, or a server a network away, must never freeze typing, and a store that fails
must never end the app. So no screen, widget or helper calls a `Store` method itself: it
hands the client a function of the store (Datasette's `Database.execute_fn` is the model)
and awaits it; the client runs it in a thread.

What comes back is one of three things:

* the result;
* a rule's refusal, typed (`Refused`, `Invalid`, `NotFound`, ...: a `DomainError` the store
  raised on purpose), for the caller to show or to act on (`attempt` shows it for them);
* `StoreFailed`, for anything else (a locked or broken database, a server out of reach, a
  bug): the client has already said it, in words, once, app-wide (Harlequin's
  `handle_worker_error` is the model), and told the app when the store is out of reach, so
  the footer's connection state follows. The caller only stops what it was doing; a
  worker may even let it escape (the app ignores a worker ended by `StoreFailed`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ..domain import DomainError, Invalid, NotFound
from ..domain.text import one_line
from ..i18n import _
from ..store.errors import StoreUnavailable, TokenRefused
from ..store.schema import SchemaError

if TYPE_CHECKING:
    from textual.app import App

    from ..store.base import Store

T = TypeVar("T")

#: Errors that are `DomainError`s by type but say the store could not answer, not that a rule refused.
_STORE_FAILURES = (StoreUnavailable, TokenRefused, SchemaError)


class StoreFailed(Exception):
    """The store could not answer (not a refusal); already said to the partner."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(failure_reason(error))
        self.error = error

    @property
    def unreachable(self) -> bool:
        """The store is out of reach (a server down, a dropped link): a retry may work."""
        return isinstance(self.error, StoreUnavailable)


def is_refusal(error: BaseException) -> bool:
    """A rule's refusal (the store's own sentence for the partner), not a failure."""
    return isinstance(error, DomainError) and not isinstance(error, _STORE_FAILURES)


class StoreClient:
    """The app's one door to its `Store`.

    `unreachable` is told of every failure that means the store is out of reach (the app
    turns the footer to "reconnecting"); it answers whether that is news, so "Store
    unreachable" is said once, not at every call that meets the same dead link.
    """

    def __init__(
        self,
        app: App[object],
        store: Store,
        *,
        unreachable: Callable[[], bool] | None = None,
    ) -> None:
        self._app = app
        self._store = store
        self._unreachable = unreachable

    @property
    def user(self) -> str:
        """The person who types (notes and first replies are signed with it)."""
        return self._store.user

    @property
    def over_network(self) -> bool:
        return self._store.over_network

    @property
    def queues_notes(self) -> bool:
        """Notes go through this machine's outbox first (a server a network away)."""
        return self._store.queues_notes

    @property
    def long_polls(self) -> bool:
        """The store's change log can be waited on (a server), rather than polled."""
        return self._store.long_polls

    async def run(self, fn: Callable[[Store], T], *, quiet: bool = False) -> T:
        """`fn(store)` in a thread. A refusal is raised as it is; any other failure is said
        and raised as `StoreFailed` — unless `quiet`: then the caller says it in its own
        words (a reply kept in the outbox, a draft not saved yet, the change log's poller)."""
        try:
            return await asyncio.to_thread(fn, self._store)
        except Exception as error:
            if is_refusal(error):
                raise
            raise self.failed(error, quiet=quiet) from error

    async def attempt(self, fn: Callable[[Store], T]) -> T | None:
        """`run`, with a refusal said too: None when nothing was done (and it was said why)."""
        try:
            return await self.run(fn)
        except StoreFailed:
            return None
        except DomainError as error:
            notify_refusal(self._app, error)
            return None

    def run_now(self, fn: Callable[[Store], T]) -> T:
        """`fn(store)` right here, blocking: only where awaiting is no longer possible (a
        screen being removed as the app exits saves its last draft). Raises what the store raises."""
        return fn(self._store)

    def follow(
        self, look: Callable[[Store], Callable[[], None]], pause: Callable[[], float], *, stop: threading.Event
    ) -> None:
        """Run `look(store)` over and over in a daemon thread of its own, `pause()` seconds
        apart, until `stop` is set; what each look returns is then run on the app's loop.

        For a call that waits long by design, the change log's long-poll: a Textual worker
        runs on the loop's executor, which the app's exit waits for, so a pending long-poll
        would hold `q` for its wait. `look` says its own failures (what it returns shows them).
        """

        def follow() -> None:
            while not stop.is_set():
                tell = look(self._store)
                if stop.is_set():
                    return
                try:
                    self._app.call_from_thread(tell)
                except Exception:
                    stop.set()  # the app (or its loop) is gone
                    return
                stop.wait(pause())

        threading.Thread(target=follow, name="store-events", daemon=True).start()

    def failed(self, error: BaseException, *, quiet: bool = False) -> StoreFailed:
        """Say a failure the store met (the one place the UI does), feed the connection
        state, and return it as `StoreFailed` for the caller to raise."""
        failure = error if isinstance(error, StoreFailed) else StoreFailed(error)
        if quiet:
            return failure
        news = failure.unreachable and self._unreachable is not None and self._unreachable()
        reason = failure_reason(failure.error)
        if news:
            self._app.notify(
                _("{reason}. Trying again every few seconds; what you type is kept.").format(reason=reason),
                title=_("Store unreachable"),
                severity="warning",
                markup=False,
                timeout=10,
            )
        elif failure.unreachable:
            self._app.notify(
                _("Not done — {reason}.").format(reason=reason), title=_("Not done"), severity="warning", markup=False
            )
        else:
            self._app.notify(
                _("The store failed — {reason}").format(reason=reason),
                title=_("Store error"),
                severity="error",
                markup=False,
            )
        return failure


def failure_reason(error: BaseException) -> str:
    """A failure's own words on one line, for a notification (it may quote a path)."""
    if isinstance(error, DomainError):
        return one_line(error.message)[:200]
    return one_line(str(error) or type(error).__name__)[:200]


def notify_refusal(app: App[object], error: DomainError) -> None:
    title = (
        _("Not found")
        if isinstance(error, NotFound)
        else _("Check the input")
        if isinstance(error, Invalid)
        else _("Not possible")
    )
    # The message may quote task ids or text from an import file: never markup.
    app.notify(one_line(error.message), title=title, severity="error", markup=False, timeout=8)
