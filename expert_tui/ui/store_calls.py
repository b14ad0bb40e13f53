"""Store calls from the UI: off the event loop, refusals shown in words.

A slow disk (or, later, a slow network) must never freeze typing, so every store call
the UI makes goes through `call_store`, which runs it in a thread. A rule's refusal is
the store's own sentence, shown as a notification; the caller gets `None` and knows
nothing was changed. Any other failure (a full disk, a dropped connection) is said in
words too, never as a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from textual.app import App

from ..domain import DomainError, Invalid, NotFound
from ..domain.text import one_line

T = TypeVar("T")


async def call_store(app: App[object], fn: Callable[..., T], *args: object, **kwargs: object) -> T | None:
    """Run `fn(*args, **kwargs)` in a thread; on a refusal or a failure notify and return None."""
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except DomainError as error:
        notify_refusal(app, error)
    except Exception as error:
        notify_failure(app, error)
    return None


def failure_reason(error: BaseException) -> str:
    """A failure's own words on one line, for a notification (it may quote a path)."""
    return one_line(str(error) or type(error).__name__)[:200]


def notify_failure(app: App[object], error: BaseException) -> None:
    app.notify(f"The store failed — {failure_reason(error)}", title="Store error", severity="error", markup=False)


def notify_refusal(app: App[object], error: DomainError) -> None:
    title = (
        "Not found"
        if isinstance(error, NotFound)
        else "Check the input"
        if isinstance(error, Invalid)
        else "Not possible"
    )
    # The message may quote task ids or text from an import file: never markup.
    app.notify(one_line(error.message), title=title, severity="error", markup=False, timeout=8)
