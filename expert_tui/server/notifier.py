"""The sender worker: turns the outbox into e-mails, at each partner's pace.

One pass (`tick`) does two things, on the injected clock:

1. For each partner with waiting notifications, decide whether an e-mail is due:
   never while the partner is unavailable (SPEC 6: the notifications wait, and the
   first pass after the holiday sends them as one digest); with immediate e-mails
   (`notification_digest_minutes` 0) at once, but at most one a minute, anything more
   folded into the next; with a digest of N minutes, N minutes after the first waiting
   one and at least N after the last e-mail. A due e-mail is rendered and sealed: its
   rows, its bytes and its Message-ID are committed together before any send.
2. Send the due e-mails: the relay's acceptance is recorded at once; a temporary
   failure is retried after a backoff that doubles up to `MAX_BACKOFF`; a permanent
   refusal, or temporary ones for longer than `GIVE_UP_AFTER`, is kept as failed for
   the operator (`expert-tui admin notifications --failed`).

SMTP cannot promise exactly once (docs/notifications.md): a crash after the relay
accepted a message and before that was committed sends it again, the same bytes with
the same Message-ID, which mail clients show once.
"""

from __future__ import annotations

import logging
import secrets
import threading
from datetime import datetime, timedelta

from ..domain import Clock
from ..domain.text import one_line
from ..store.notify import Batch, MailQueue
from .mail import MailSettings, Unsendable, compose, rendered
from .smtp import PermanentFailure, Relay, TemporaryFailure

log = logging.getLogger("expert_tui.server.mail")

#: At most one immediate e-mail a minute per partner; more are folded into the next.
IMMEDIATE_PACE = timedelta(minutes=1)
FIRST_BACKOFF = timedelta(seconds=15)
MAX_BACKOFF = timedelta(minutes=10)
#: Temporary failures for this long (the relay down for days) become a recorded failure.
GIVE_UP_AFTER = timedelta(days=3)
#: Sent e-mails are kept this long (the operator's `admin notifications`), then forgotten.
KEEP_SENT = timedelta(days=30)
PRUNE_EVERY = timedelta(hours=1)
#: How often the worker looks when nothing woke it (real seconds; its clock may be a test's).
POLL_S = 0.5


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 15 s, 30 s, 1 min, ... at most 10 min."""
    return min(FIRST_BACKOFF * (2 ** max(0, attempts - 1)), MAX_BACKOFF)


class Notifier:
    def __init__(self, queue: MailQueue, relay: Relay, settings: MailSettings, *, clock: Clock) -> None:
        self.queue = queue
        self.relay = relay
        self.settings = settings
        self.clock = clock
        self._domain = settings.sender.rpartition("@")[2]
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pruned: datetime | None = None

    # --- one pass -------------------------------------------------------------------------------
    def tick(self) -> None:
        now = self.clock()
        if self._pruned is None or now - self._pruned >= PRUNE_EVERY:
            self.queue.prune(now - KEEP_SENT)
            self._pruned = now
        for partner in self.queue.waiting_partners():
            self._seal_if_due(partner, self.clock())
        # Each claimed batch ends sent, failed or due later: the loop ends.
        while batches := self.queue.claim_due():
            for batch in batches:
                self._send(batch)

    def _seal_if_due(self, partner: str, now: datetime) -> None:
        prefs = self.queue.preferences(partner)
        if not prefs.notification_email or not prefs.is_available_at(now):
            return  # no address (they wait for one) or on holiday (one digest after)
        items = self.queue.waiting(partner)
        if not items:
            return
        pace = timedelta(minutes=prefs.notification_digest_minutes) or IMMEDIATE_PACE
        due = items[0].created_at + (pace if prefs.notification_digest_minutes else timedelta(0))
        last = self.queue.last_batch_at(partner)
        if last is not None:
            due = max(due, last + pace)
        if now < due:
            return
        ids = [item.id for item in items]
        batch_id = secrets.token_hex(16)
        message_id = f"<{batch_id}@{self._domain}>"
        try:
            message = rendered(
                compose(
                    items,
                    prefs,
                    partner=partner,
                    recipient=prefs.notification_email,
                    message_id=message_id,
                    settings=self.settings,
                    now=now,
                )
            )
        except Unsendable as error:
            self._seal_failed(partner, ids, batch_id, message_id, prefs.notification_email, error)
            return
        except Exception as error:  # a text the library cannot write: kept as failed, not retried forever
            unsendable = Unsendable(f"the e-mail could not be written: {one_line(str(error), 200)}")
            self._seal_failed(partner, ids, batch_id, message_id, prefs.notification_email, unsendable)
            return
        self.queue.seal(
            partner,
            ids,
            batch_id=batch_id,
            recipient=prefs.notification_email,
            message_id=message_id,
            message=message,
        )

    def _seal_failed(
        self, partner: str, ids: list[int], batch_id: str, message_id: str, recipient: str, error: Unsendable
    ) -> None:
        sealed = self.queue.seal(
            partner,
            ids,
            batch_id=batch_id,
            recipient=recipient,
            message_id=message_id,
            message=b"",
            unsendable=str(error),
        )
        if sealed:
            log.error("notification e-mail for %s not sent: %s", one_line(partner, 80), error)

    def _send(self, batch: Batch) -> None:
        try:
            reply = self.relay.send(batch.message, self.settings.sender, batch.recipient)
        except PermanentFailure as error:
            self.queue.failed(batch.id, str(error))
            log.error("notification e-mail %s refused for good: %s", batch.message_id, error)
            return
        except TemporaryFailure as error:
            now = self.clock()
            if now - batch.created_at >= GIVE_UP_AFTER:
                self.queue.failed(batch.id, f"gave up after {GIVE_UP_AFTER.days} days; last answer: {error}")
                log.error("notification e-mail %s given up: %s", batch.message_id, error)
                return
            self.queue.retry(batch.id, str(error), now + backoff(batch.attempts + 1))
            log.warning("notification e-mail %s not sent yet (will retry): %s", batch.message_id, error)
            return
        self.queue.sent(batch.id, reply)

    # --- the worker thread ---------------------------------------------------------------------
    def wake(self) -> None:
        """Something may be due now (a delivery committed): look without waiting."""
        self._wake.set()

    def start(self) -> None:
        self.queue.release_dead_claims()
        self._thread = threading.Thread(target=self._run, name="expert-tui-mail", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # a storage hiccup: logged, and the next pass tries again
                log.exception("the notification sender's pass failed")
            self._wake.wait(POLL_S)
            self._wake.clear()
