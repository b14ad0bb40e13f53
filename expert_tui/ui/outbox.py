"""Undo send: the replies this process is holding back for a few seconds.

A reply is in the store's outbox from the moment the partner sends it
(`Store.queue_reply`), so a crash or a dropped SSH session loses nothing. This keeps the
count on the app's clock: when a reply's undo time is over it is committed (from then on
it goes out whatever happens to this process) and sent by its idempotency key; `u` takes
one back before that. What an earlier process left behind is settled on start
(`Store.settle_outbox`), leaving alone the replies another running expert-tui is
holding back.
"""

from __future__ import annotations

import math
import os
import socket
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..domain import DomainError, Task
from ..domain.text import one_line
from ..i18n import N_, _, ngettext
from ..store.base import OutboxSettled, QueuedReply
from .store_client import StoreFailed, failure_reason, notify_refusal

if TYPE_CHECKING:
    from ..app import ExpertApp
    from ..store.base import Store

#: What `u` says when no reply is waiting (undo exists for sending only, SPEC 6).
NOTHING_TO_UNDO = N_("No reply is waiting to be sent — nothing to undo (undo is for sending only).")
#: Seconds between two tries of a reply the store could not take (a server out of reach), at most.
MAX_RETRY_S = 30


def this_process() -> str:
    """The owner written on this process's waiting replies: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_running(owner: str) -> bool:
    """Whether the expert-tui that queued a reply is still running (on this host), so
    it, not a newer process, decides that reply's fate."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    except OverflowError:
        return False
    return True


def sends_at_once(task: Task, now: datetime, delay: int) -> bool:
    """No undo time for this reply: undo is off, or the 72-hour window would close
    before it ends (SPEC 6: the delay counts against `expires_at`)."""
    if delay <= 0:
        return True
    left = task.time_left(now)
    return left is not None and left <= timedelta(seconds=delay)


def seconds_left(queued: QueuedReply, now: datetime) -> int:
    """Whole seconds until `queued` goes out, rounded up (10 right after sending)."""
    return max(0, math.ceil((queued.send_after - now).total_seconds()))


class Outbox:
    """This process's waiting replies, oldest first; `app.outbox_version` changes with them."""

    def __init__(self, app: ExpertApp, delay: int | None = None) -> None:
        """`delay`: seconds of undo time, fixed; None follows the person's setting
        (`undo_send_seconds`, read at each send, so a change applies at once)."""
        self.app = app
        self._delay = delay
        self.owner = this_process()
        self._waiting: dict[str, QueuedReply] = {}
        #: Replies whose commit and send are under way.
        self._sending: set[str] = set()
        #: Replies the store could not take (not refused): said once, then tried again
        #: less and less often (each key's next try).
        self._retry_at: dict[str, datetime] = {}
        self._tries: dict[str, int] = {}
        self._said_failing: set[str] = set()

    # --- reading ---------------------------------------------------------------------------
    @property
    def delay(self) -> int:
        """Seconds a reply waits before it is sent, while `u` takes it back (0: at once)."""
        if self._delay is not None:
            return self._delay
        return self.app.settings.current.undo_send_seconds

    @property
    def waiting(self) -> list[QueuedReply]:
        return list(self._waiting.values())

    def undoable(self, task_id: str | None = None) -> QueuedReply | None:
        """The reply `u` takes back: the task's own, else the latest sent; `None` when
        none can be undone any more (being sent, or committed: its undo time is over)."""
        candidates = [q for q in self._waiting.values() if q.key not in self._sending and not q.committed]
        if task_id is not None:
            own = [q for q in candidates if q.task_id == task_id]
            candidates = own or candidates
        return candidates[-1] if candidates else None

    def holds(self, task_id: str) -> bool:
        """Whether a reply to `task_id` waits (a note waiting does not hold the task)."""
        return any(q.task_id == task_id and q.kind == "reply" for q in self._waiting.values())

    def held(self, task_id: str | None = None) -> list[QueuedReply]:
        """Replies past their undo time and notes that wait for the store to take them
        (a server out of reach): what the bar says is kept and sent when it answers."""
        return [
            q
            for q in self._waiting.values()
            if q.committed and (task_id is None or q.task_id == task_id) and q.key in self._retry_at
        ]

    # --- changes ----------------------------------------------------------------------------
    def new_key(self) -> str:
        return uuid.uuid4().hex

    async def queue(self, task_id: str, body: str, key: str) -> QueuedReply:
        """Store the reply in the outbox, to go out `delay` seconds from now. Raises a
        refusal, or `StoreFailed` (said by the client)."""
        send_after = self.app.clock() + timedelta(seconds=self.delay)
        queued = await self.app.client.run(
            lambda store: store.queue_reply(task_id, body, key=key, send_after=send_after, owner=self.owner)
        )
        self._waiting[queued.key] = queued
        self._changed()
        return queued

    async def undo(self, queued: QueuedReply) -> QueuedReply | None:
        """Take `queued` back into its task's draft; `None` (and said) when it is too late."""
        if queued.key in self._sending:
            self.app.notify(_("Too late to undo — the reply is being sent."), severity="warning", markup=False)
            return None
        try:
            taken = await self.app.client.run(lambda store: store.cancel_queued(queued.key), quiet=True)
        except Exception as error:
            self.app.notify(
                _("Could not undo — {reason}. The reply is still waiting.").format(reason=failure_reason(error)),
                severity="error",
                markup=False,
            )
            return None
        self._waiting.pop(queued.key, None)
        self._changed()
        if taken is None:
            self.app.notify(_("Too late to undo — the reply was already sent."), severity="warning", markup=False)
        return taken

    def held_for_server(self, task_id: str) -> bool:
        """Whether the task's reply is past its undo time and waits for the store to take it."""
        return any(q.task_id == task_id and q.committed and q.kind == "reply" for q in self._waiting.values())

    async def note(self, task_id: str, body: str) -> Task | None:
        """Add a note. On a store with a local outbox (`queues_notes`: a server) it is
        kept on this machine first and sent by its key: with the server out of reach it
        stays kept, is said once, and is added (once) when the server answers — `None`
        then. A refusal is raised, the text back in the note draft."""
        client = self.app.client
        if not client.queues_notes:
            return await client.run(lambda store: store.add_note(task_id, body))
        key = self.new_key()
        queued = await client.run(lambda store: store.queue_note(task_id, body, key=key, owner=self.owner))
        self._waiting[queued.key] = queued
        self._sending.add(queued.key)
        try:
            task = await client.run(lambda store: store.send_queued(queued.key), quiet=True)
        except StoreFailed as failure:
            self._retry_later(queued, now=self.app.clock())
            self._said_failing.add(queued.key)
            if failure.unreachable:
                self.app.notify(
                    _(
                        "Note on {id} not added yet — {reason}. It is kept on this computer and added as soon as"
                        " the server answers (once)."
                    ).format(id=queued.task_id, reason=failure_reason(failure.error)),
                    title=_("Waiting for the server"),
                    severity="warning",
                    markup=False,
                    timeout=12,
                )
            else:
                self._say_not_sent_yet(queued, failure)
            return None
        except DomainError:
            self._forget(queued.key)
            raise
        finally:
            self._sending.discard(queued.key)
            self._changed()
        self._forget(queued.key)
        return task

    def tick(self, now: datetime) -> None:
        """On the app's clock: send every reply whose undo time is over (and try again,
        less often, those the store could not take)."""
        for queued in list(self._waiting.values()):
            retry_at = self._retry_at.get(queued.key)
            if retry_at is not None and now < retry_at:
                continue
            if queued.send_after <= now and queued.key not in self._sending:
                self._sending.add(queued.key)
                self.app.run_worker(self._send(queued), group="outbox")

    async def send_all_now(self) -> bool:
        """Send every waiting reply now (quitting); True when none is left waiting."""
        for queued in list(self._waiting.values()):
            if queued.key not in self._sending:
                self._sending.add(queued.key)
                await self._send(queued)
        return not self._waiting

    async def keep_all_as_drafts(self) -> None:
        """Take every waiting reply back into its draft (quitting without sending); one
        whose undo time is over stays in the outbox and goes out on the next start."""
        for queued in list(self._waiting.values()):
            if queued.key not in self._sending and not queued.committed:
                await self.undo(queued)

    async def _send(self, queued: QueuedReply) -> None:
        client = self.app.client
        try:
            if await client.run(lambda store: store.commit_queued(queued.key), quiet=True) is not None:
                # From now on it goes out: `u` no longer takes it back.
                self._waiting[queued.key] = replace(queued, committed=True)
            task = await client.run(lambda store: store.send_queued(queued.key), quiet=True)
        except StoreFailed as failure:
            # Not taken (a server out of reach, a locked disk): kept in the outbox and sent
            # by its key when the store answers, once. Said once, tried again less often.
            self._retry_later(queued, now=self.app.clock())
            if queued.key not in self._said_failing:
                self._said_failing.add(queued.key)
                self._say_not_sent_yet(queued, failure)
        except DomainError as error:
            # Refused now (the task changed while the reply waited): it is the draft again.
            self._forget(queued.key)
            notify_refusal(self.app, error)
            self.app.notify(
                _said(
                    queued,
                    N_("Reply to {id} not sent — it is back as a draft (r continues it)."),
                    N_("Note on {id} not added — it is back as a draft (n continues it)."),
                ),
                title=_("Not sent"),
                severity="error",
                markup=False,
                timeout=10,
            )
        else:
            late = queued.key in self._said_failing
            self._forget(queued.key)
            if task is not None:
                if queued.kind == "note":
                    said = _("Note added on {id} (the server answers again).") if late else _("Note added on {id}.")
                    self.app.notify(said.format(id=task.id), title=_("Note added"), markup=False)
                else:
                    said = _("Reply sent to {name} (the server answers again).") if late else _("Reply sent to {name}.")
                    name = one_line(task.merchant.name)[:60]
                    self.app.notify(said.format(name=name), title=_("Sent"), markup=False)
                self.app.reply_sent(task)
        finally:
            self._sending.discard(queued.key)
            self._changed()

    def _say_not_sent_yet(self, queued: QueuedReply, failure: StoreFailed) -> None:
        reason = failure_reason(failure.error)
        if failure.unreachable:
            self.app.notify(
                _said(
                    queued,
                    N_(
                        "Reply to {id} not sent yet — {reason}. It is kept and sent as soon as the server answers"
                        " (nothing is lost, nothing is sent twice)."
                    ),
                    N_(
                        "Note on {id} not added yet — {reason}. It is kept and added as soon as the server answers"
                        " (nothing is lost, nothing is added twice)."
                    ),
                    reason=reason,
                ),
                title=_("Waiting for the server"),
                severity="warning",
                markup=False,
                timeout=12,
            )
        else:  # a disk failure: kept, tried again
            self.app.notify(
                _said(
                    queued,
                    N_("Reply to {id} not sent yet — {reason}. It stays in the outbox and is tried again."),
                    N_("Note on {id} not added yet — {reason}. It stays in the outbox and is tried again."),
                    reason=reason,
                ),
                title=_("Not sent yet"),
                severity="error",
                markup=False,
            )

    def _retry_later(self, queued: QueuedReply, *, now: datetime) -> None:
        """The next try of a reply the store could not take: 1, 2, 4 … up to 30 s later."""
        tries = self._tries.get(queued.key, 0) + 1
        self._tries[queued.key] = tries
        self._retry_at[queued.key] = now + timedelta(seconds=min(MAX_RETRY_S, 2 ** (tries - 1)))

    def _forget(self, key: str) -> None:
        self._waiting.pop(key, None)
        self._retry_at.pop(key, None)
        self._tries.pop(key, None)
        self._said_failing.discard(key)

    def _changed(self) -> None:
        self.app.outbox_version += 1

    # --- on start ------------------------------------------------------------------------------
    def settle(self, store: Store) -> OutboxSettled:
        """What an earlier expert-tui left in the outbox (run in the client's thread)."""
        return store.settle_outbox(leave=lambda queued: owner_is_running(queued.owner))

    def adopt(self, settled: OutboxSettled) -> None:
        """Replies an earlier run committed that the store could not take yet: this
        process sends them (by their keys, so once) when it can."""
        now = self.app.clock()
        for queued, _reason in settled.unsent:
            self._waiting[queued.key] = replace(queued, committed=True)
            self._said_failing.add(queued.key)
            self._retry_later(queued, now=now)
        if settled.unsent:
            self._changed()

    def report(self, settled: OutboxSettled) -> None:
        """Say what happened to the replies an earlier run left waiting."""
        if settled.sent:
            n, names = len(settled.sent), ", ".join(task.id for task in settled.sent)
            self.app.notify(
                ngettext(
                    "Sent {n} reply whose undo time had passed when expert-tui last closed: {ids}.",
                    "Sent {n} replies whose undo time had passed when expert-tui last closed: {ids}.",
                    n,
                ).format(n=n, ids=names),
                title=_("Sent"),
                markup=False,
                timeout=12,
            )
        if settled.notes_added:
            n, names = len(settled.notes_added), ", ".join(task.id for task in settled.notes_added)
            self.app.notify(
                ngettext(
                    "Added {n} note kept while the server could not be reached: {ids}.",
                    "Added {n} notes kept while the server could not be reached: {ids}.",
                    n,
                ).format(n=n, ids=names),
                title=_("Notes added"),
                markup=False,
                timeout=12,
            )
        if settled.restored:
            n, names = len(settled.restored), ", ".join(queued.task_id for queued in settled.restored)
            self.app.notify(
                ngettext(
                    "{n} reply still inside the undo time when expert-tui last closed came back as a draft,"
                    " not sent: {ids} (r continues it).",
                    "{n} replies still inside the undo time when expert-tui last closed came back as drafts,"
                    " not sent: {ids} (r continues them).",
                    n,
                ).format(n=n, ids=names),
                title=_("Back as drafts"),
                severity="warning",
                markup=False,
                timeout=15,
            )
        if settled.unsent:
            n, names = len(settled.unsent), ", ".join(queued.task_id for queued, _reason in settled.unsent)
            self.app.notify(
                ngettext(
                    "{n} reply or note from when expert-tui last closed not sent yet — {reason}. Kept, and sent"
                    " as soon as the server answers: {ids}.",
                    "{n} replies and notes from when expert-tui last closed not sent yet — {reason}. Kept, and sent"
                    " as soon as the server answers: {ids}.",
                    n,
                ).format(n=n, reason=one_line(settled.unsent[0][1]), ids=names),
                title=_("Waiting for the server"),
                severity="warning",
                markup=False,
                timeout=15,
            )
        for queued, reason in settled.refused:
            self.app.notify(
                _said(
                    queued,
                    N_("Reply to {id} not sent — {reason}. It is back as a draft."),
                    N_("Note on {id} not added — {reason}. It is back as a draft."),
                    reason=one_line(reason),
                ),
                title=_("Not sent"),
                severity="error",
                markup=False,
                timeout=15,
            )


def _said(queued: QueuedReply, reply: str, note: str, **values: str) -> str:
    """One sentence about a waiting reply or note (`reply`, `note`: messages marked
    `N_`), in the language in force: a sentence each, never a noun glued into one."""
    return _(note if queued.kind == "note" else reply).format(id=queued.task_id, **values)
