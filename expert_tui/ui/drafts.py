"""The saver that keeps what the partner is typing (a reply, a note) in the store as it is
typed, so a crash, a `kill -9` or a dropped SSH session loses nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.timer import Timer
from textual.widget import Widget

from ..i18n import _
from .store_client import failure_reason

if TYPE_CHECKING:
    from ..store.base import Store
    from .store_client import StoreClient

DRAFT_SAVE_DELAY = 0.3


class DraftSaver:
    """Saves the latest text of one draft (a task's reply or note), debounced, and never
    an older text after a newer one.

    Saves run in the store client's thread (a slow disk must not freeze typing). Each text gets a
    sequence number; the thread-side writer skips any text older than one already
    written, so a save still in flight can never overwrite a later one — including the
    blocking save made while the app exits.
    """

    def __init__(
        self,
        owner: Widget,
        client: Callable[[], StoreClient],
        task_id: str,
        *,
        kind: str = "reply",
        delay: float = DRAFT_SAVE_DELAY,
        initial: str = "",
    ) -> None:
        self._owner = owner
        #: A getter: the owner reaches the app's client only once it is mounted.
        self._client = client
        self._task_id = task_id
        self._kind = kind
        self._delay = delay
        self._latest = initial
        self._seq = 0
        self._saved_seq = 0
        self._written_seq = 0
        self._write_lock = threading.Lock()
        self._timer: Timer | None = None
        self._failed = False

    @property
    def pending(self) -> bool:
        return self._saved_seq < self._seq

    def reset(self, text: str) -> None:
        """The store already holds `text` (loaded or cleared by a send)."""
        self.cancel()
        self._latest = text
        self._saved_seq = self._seq

    def changed(self, text: str) -> None:
        if text == self._latest:
            return
        self._latest = text
        self._seq += 1
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._owner.set_timer(self._delay, self._on_timer)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _on_timer(self) -> None:
        self._timer = None
        self._owner.run_worker(self.flush, group="draft-save")

    async def flush(self) -> bool:
        """Save now if anything is unsaved; True when the store holds the latest text."""
        self.cancel()
        if not self.pending:
            return True
        seq, text = self._seq, self._latest
        try:
            await self._client().run(lambda store: self._write(store, seq, text), quiet=True)
        except Exception as error:  # a failed save must not lose the text on screen
            self._report(error)
            return False
        self._saved_seq = max(self._saved_seq, seq)
        self._failed = False
        return not self.pending

    def flush_blocking(self) -> None:
        """Last chance on screen removal or app exit, when awaiting is no longer possible."""
        self.cancel()
        if not self.pending:
            return
        seq, text = self._seq, self._latest
        try:
            self._client().run_now(lambda store: self._write(store, seq, text))
        except Exception:  # the app is closing: nothing left to tell the partner
            return
        self._saved_seq = self._seq

    def _write(self, store: Store, seq: int, text: str) -> None:
        with self._write_lock:
            if seq <= self._written_seq:
                return
            store.save_draft(self._task_id, text, kind=self._kind)
            self._written_seq = seq

    def _report(self, error: Exception) -> None:
        if self._failed:
            return
        self._failed = True
        said = (
            _("Note draft not saved yet — {reason}. Your text is still in the editor.")
            if self._kind == "note"
            else _("Reply draft not saved yet — {reason}. Your text is still in the editor.")
        )
        self._owner.notify(
            said.format(reason=failure_reason(error)),
            title=_("Draft"),
            severity="warning",
            markup=False,
        )
