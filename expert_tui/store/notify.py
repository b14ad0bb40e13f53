"""The outbox of notification e-mails, kept in the store beside the tasks (SPEC 6, issue 14).

A store made with `notify=True` (the shared server's, when it has a relay) writes one
`notifications` row in the same transaction as each delivered task or contact request,
when the partner has a notification address: committed together or not at all.

`MailQueue` is the sender's side of that table: it folds a partner's waiting rows into
one `mail_batches` row whose message is rendered once (so a resend is byte for byte the
same message, with the same Message-ID), claims a due batch before sending it (two
servers on one file never send the same batch at once; a claim left by a process that
died on this machine is released at start-up, one left by another machine expires
after `CLAIM_S`), and records the relay's answer the moment it comes.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..domain import Clock, Preferences, Task, system_clock
from ..domain.codec import preferences_from_dict
from ..domain.timefmt import format_ts
from ..private_files import prepare_store_file
from . import rows
from .schema import check_ours, migrate

#: How long a claim on a batch keeps other senders off it (longer than any one SMTP
#: conversation, whose every step times out after `SMTP_TIMEOUT_S` in the sender).
CLAIM_S = 300
#: What of a merchant's requirements an e-mail quotes: enough to judge the lead.
_QUOTED_REQUIREMENTS = 10
_QUOTED_CHARS = 1_000

#: The most arrivals one e-mail lists (a digest after a long holiday stays readable, and
#: bounded in size); the rest follow in the next, at the partner's pace.
MAX_PER_EMAIL = 200

QUEUED, SENT, FAILED = "queued", "sent", "failed"


def notification_doc(task: Task) -> dict[str, Any]:
    """What the e-mail about `task` says, as of its delivery (merchant text as given:
    the renderer makes it safe)."""
    budget = task.budget
    return {
        "id": task.id,
        "kind": task.kind.value,
        "service": task.service,
        "title": task.title,
        "merchant": {"name": task.merchant.name, "email": task.merchant.email},
        "store_name": task.business.store_name,
        "store_url": task.business.store_url,
        "country": task.business.country,
        "received_at": format_ts(task.received_at),
        "expires_at": None if task.expires_at is None else format_ts(task.expires_at),
        "budget": None if budget is None else {"min": budget.min, "max": budget.max, "currency": budget.currency},
        "requirements": [
            [item.question[:_QUOTED_CHARS], item.answer[:_QUOTED_CHARS]]
            for item in task.requirements[:_QUOTED_REQUIREMENTS]
        ],
        "message": task.messages[0].body[:_QUOTED_CHARS] if task.messages else "",
    }


def notification_json(task: Task) -> str:
    return _dumps(notification_doc(task))


def enqueue(conn: sqlite3.Connection, partner: str, task: Task, now: datetime) -> None:
    """Queue the e-mail about a delivered `task`, inside the delivery's transaction."""
    conn.execute(
        "INSERT INTO notifications (partner, task_id, kind, doc, created_at) VALUES (?, ?, ?, ?, ?)",
        (partner, task.id, task.kind.value, notification_json(task), rows.to_micros(now)),
    )


@dataclass(frozen=True, slots=True)
class Waiting:
    """A notification not yet folded into an e-mail."""

    id: int
    partner: str
    task_id: str
    kind: str
    doc: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Batch:
    """One e-mail: its rendered message and where its delivery stands."""

    id: str
    partner: str
    recipient: str
    message_id: str
    message: bytes
    items: int
    created_at: datetime
    state: str
    attempts: int
    next_try_at: datetime
    done_at: datetime | None
    reply: str | None


_BATCH_COLUMNS = (
    "id, partner, recipient, message_id, message, items, created_at, state, attempts, next_try_at, done_at, reply"
)


def this_process() -> str:
    """Who holds a claim: this machine and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


class MailQueue:
    """The sender's view of the outbox in the server's SQLite file (its own connection)."""

    def __init__(self, path: Path | str, *, clock: Clock = system_clock) -> None:
        self.path = Path(path)
        self.clock = clock
        self.owner = this_process()
        prepare_store_file(self.path)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        try:
            self._conn.execute("PRAGMA busy_timeout = 30000")
            check_ours(self._conn)
            self._conn.execute("PRAGMA journal_mode = WAL")
            # FULL: "the relay accepted it" must survive a power cut, or it is sent again.
            self._conn.execute("PRAGMA synchronous = FULL")
            migrate(self._conn)
        except BaseException:
            self._conn.close()
            raise

    def _write(self, statements: Any) -> Any:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                result = statements(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return result

    # --- what waits -------------------------------------------------------------------------------
    def preferences(self, partner: str) -> Preferences:
        with self._lock:
            found = self._conn.execute("SELECT doc FROM preferences WHERE partner = ?", (partner,)).fetchone()
        return Preferences() if found is None else preferences_from_dict(json.loads(found[0]))

    def waiting_partners(self) -> list[str]:
        with self._lock:
            return [p for (p,) in self._conn.execute("SELECT DISTINCT partner FROM notifications WHERE batch IS NULL")]

    def waiting(self, partner: str, limit: int = MAX_PER_EMAIL) -> list[Waiting]:
        """The partner's oldest waiting notifications, at most `limit` (one e-mail's worth)."""
        with self._lock:
            found = self._conn.execute(
                "SELECT id, partner, task_id, kind, doc, created_at FROM notifications"
                " WHERE batch IS NULL AND partner = ? ORDER BY id LIMIT ?",
                (partner, limit),
            ).fetchall()
        return [Waiting(i, p, t, k, json.loads(d), rows.from_micros(c)) for i, p, t, k, d, c in found]

    def last_batch_at(self, partner: str) -> datetime | None:
        """When the partner's latest e-mail was made (sent or not): the pace of the next."""
        with self._lock:
            (found,) = self._conn.execute(
                "SELECT MAX(created_at) FROM mail_batches WHERE partner = ?", (partner,)
            ).fetchone()
        return None if found is None else rows.from_micros(found)

    def seal(
        self,
        partner: str,
        ids: list[int],
        *,
        batch_id: str,
        recipient: str,
        message_id: str,
        message: bytes,
        unsendable: str | None = None,
    ) -> bool:
        """Fold the waiting rows `ids` into one e-mail, due now (or, with `unsendable`,
        failed at once for that reason). False (nothing changed) when another sender
        folded any of them first."""
        now = rows.to_micros(self.clock())
        state, done = (QUEUED, None) if unsendable is None else (FAILED, now)

        def statements(conn: sqlite3.Connection) -> bool:
            marks = ", ".join("?" for _ in ids)
            changed = conn.execute(
                f"UPDATE notifications SET batch = ? WHERE batch IS NULL AND partner = ? AND id IN ({marks})",
                (batch_id, partner, *ids),
            ).rowcount
            if changed != len(ids):
                raise _Lost
            conn.execute(
                f"INSERT INTO mail_batches ({_BATCH_COLUMNS}, claimed_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, NULL)",
                (batch_id, partner, recipient, message_id, message, len(ids), now, state, now, done, unsendable),
            )
            return True

        try:
            return bool(self._write(statements))
        except _Lost:
            return False

    # --- sending ----------------------------------------------------------------------------------
    def claim_due(self, limit: int = 20) -> list[Batch]:
        """Due batches, each claimed for this process for `CLAIM_S`."""
        now = self.clock()
        until = rows.to_micros(now + timedelta(seconds=CLAIM_S))

        def statements(conn: sqlite3.Connection) -> list[Batch]:
            found = conn.execute(
                f"SELECT {_BATCH_COLUMNS} FROM mail_batches WHERE state = ? AND next_try_at <= ?"
                " ORDER BY next_try_at, created_at LIMIT ?",
                (QUEUED, rows.to_micros(now), limit),
            ).fetchall()
            conn.executemany(
                "UPDATE mail_batches SET next_try_at = ?, claimed_by = ? WHERE id = ?",
                [(until, self.owner, row[0]) for row in found],
            )
            return [_batch(row) for row in found]

        return list(self._write(statements))

    def release_dead_claims(self) -> int:
        """Make due at once the batches a process of this machine claimed and died with
        (a SIGKILL between the relay's acceptance and its record): sent again now, with
        the same Message-ID, rather than after their claim expires."""
        host = socket.gethostname()
        with self._lock:
            owners = [
                o
                for (o,) in self._conn.execute(
                    "SELECT DISTINCT claimed_by FROM mail_batches WHERE state = ? AND claimed_by IS NOT NULL", (QUEUED,)
                )
            ]
        dead = [o for o in owners if _dead_here(o, host)]
        if not dead:
            return 0
        now = rows.to_micros(self.clock())
        return int(
            self._write(
                lambda conn: sum(
                    conn.execute(
                        "UPDATE mail_batches SET next_try_at = ?, claimed_by = NULL WHERE state = ? AND claimed_by = ?",
                        (now, QUEUED, owner),
                    ).rowcount
                    for owner in dead
                )
            )
        )

    def sent(self, batch_id: str, reply: str) -> None:
        """The relay accepted the message: recorded at once (the at-least-once window is
        the time between its answer and this commit)."""
        now = rows.to_micros(self.clock())
        self._write(
            lambda conn: conn.execute(
                "UPDATE mail_batches SET state = ?, done_at = ?, reply = ?, claimed_by = NULL,"
                " attempts = attempts + 1 WHERE id = ?",
                (SENT, now, reply, batch_id),
            )
        )

    def retry(self, batch_id: str, reply: str, at: datetime) -> None:
        """A temporary failure: try again at `at`."""
        self._write(
            lambda conn: conn.execute(
                "UPDATE mail_batches SET attempts = attempts + 1, next_try_at = ?, reply = ?, claimed_by = NULL"
                " WHERE id = ?",
                (rows.to_micros(at), reply, batch_id),
            )
        )

    def failed(self, batch_id: str, reply: str) -> None:
        """A permanent refusal (or temporary ones for too long): kept for the operator."""
        now = rows.to_micros(self.clock())
        self._write(
            lambda conn: conn.execute(
                "UPDATE mail_batches SET state = ?, done_at = ?, reply = ?, claimed_by = NULL,"
                " attempts = attempts + 1 WHERE id = ?",
                (FAILED, now, reply, batch_id),
            )
        )

    def next_due(self) -> datetime | None:
        with self._lock:
            (found,) = self._conn.execute(
                "SELECT MIN(next_try_at) FROM mail_batches WHERE state = ?", (QUEUED,)
            ).fetchone()
        return None if found is None else rows.from_micros(found)

    def prune(self, before: datetime) -> int:
        """Forget the e-mails sent before `before` (failed ones stay for the operator)."""
        cutoff = rows.to_micros(before)

        def statements(conn: sqlite3.Connection) -> int:
            conn.execute(
                "DELETE FROM notifications WHERE batch IN"
                " (SELECT id FROM mail_batches WHERE state = ? AND done_at < ?)",
                (SENT, cutoff),
            )
            return int(
                conn.execute("DELETE FROM mail_batches WHERE state = ? AND done_at < ?", (SENT, cutoff)).rowcount
            )

        return int(self._write(statements))

    # --- the operator's view -----------------------------------------------------------------------
    def batches(self, state: str | None = None, limit: int = 1000) -> list[Batch]:
        where, args = ("WHERE state = ?", (state,)) if state else ("", ())
        with self._lock:
            found = self._conn.execute(
                f"SELECT {_BATCH_COLUMNS} FROM mail_batches {where} ORDER BY created_at DESC LIMIT ?", (*args, limit)
            ).fetchall()
        return [_batch(row) for row in found]

    def task_ids(self, batch_id: str) -> list[str]:
        with self._lock:
            found = self._conn.execute("SELECT task_id FROM notifications WHERE batch = ? ORDER BY id", (batch_id,))
            return [task_id for (task_id,) in found]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class _Lost(Exception):
    """Another sender sealed a row first: roll back."""


def _batch(row: Any) -> Batch:
    i, partner, recipient, message_id, message, items, created, state, attempts, next_try, done, reply = row
    return Batch(
        i,
        partner,
        recipient,
        message_id,
        bytes(message),
        items,
        rows.from_micros(created),
        state,
        attempts,
        rows.from_micros(next_try),
        None if done is None else rows.from_micros(done),
        reply,
    )


def _dead_here(owner: str, host: str) -> bool:
    name, _, pid = owner.rpartition(":")
    if name != host or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
