"""`expert-tui simulate`: the marketplace side of a live inbox, for a team or a newcomer.

With a marketplace token it delivers realistic tasks to a partner on a server, and
posts merchant events on the tasks it delivered: replies, withdrawals, reviews. A rule
that refuses an event (a matched merchant cannot write before the partner has) is part
of the show: the event is skipped and the next one comes. A server that goes away (a
restart during a walk-through) is waited for, as the TUI waits: said on stderr, tried
again later; only a run that ends with it still away exits 69.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime
from typing import Any

from ..domain import Clock, DomainError
from ..domain.text import one_line
from ..i18n import _
from ..store.errors import StoreUnavailable, TokenRefused
from ..store.remote import RemoteStore
from .backend import Backend
from .exits import OK, CliError
from .handlers import err, out

_SERVER_FIELDS = ("expires_at", "status", "first_response_at", "last_activity_at", "unread", "decline", "review")
_FOLLOW_UPS = (
    "Thanks for getting back to me! When could you start?",
    "Could you share two or three stores you have worked on?",
    "What would the whole thing cost, roughly?",
    "Sounds good. Can we have a short call this week?",
)
#: The longest wait between two tries while the server is away.
RETRY_MAX_S = 30.0


def simulate_command(backend: Backend, args: argparse.Namespace, clock: Clock) -> int:
    if backend.server is None or backend.token is None:
        raise CliError("simulate needs a server and a marketplace token: --server URL with EXPERT_TUI_TOKEN")
    store = RemoteStore(backend.server, backend.token, marketplace_token=backend.token, clock=clock)
    store.partner = args.partner  # the marketplace acts for the partner it names
    rng = random.Random(args.seed)
    pause = 60.0 / args.rate
    delivered: list[str] = []
    ends = time.monotonic() + args.duration if args.duration else None
    count = 0
    away: StoreUnavailable | None = None
    retry = 0.0
    try:
        while ends is None or time.monotonic() < ends:
            try:
                line = _one_event(store, rng, delivered, clock(), count)
            except StoreUnavailable as error:
                away, retry = error, min(RETRY_MAX_S, max(1.0, 2 * retry))
                err(
                    _("simulate: {reason} — trying again in {seconds:.0f} s").format(
                        reason=one_line(error.message), seconds=retry
                    )
                )
                time.sleep(retry)
                continue
            if away is not None:
                err(_("simulate: the server answers again"))
                away, retry = None, 0.0
            if line:
                out(f"{clock().strftime('%H:%M:%S')}  {line}")
            count += 1
            time.sleep(rng.uniform(0.5, 1.5) * pause)
    finally:
        store.close()
    if away is not None:
        raise away  # the run ended with the server still away: exit 69, in its words
    return OK


def _one_event(store: RemoteStore, rng: random.Random, delivered: list[str], now: datetime, count: int) -> str:
    roll = rng.random()
    try:
        if not delivered or roll < 0.45:
            task = store.deliver_task(_new_task(rng, now, count))
            delivered.append(task.id)
            return f"delivered {task.id}: {one_line(task.title)} ({one_line(task.service)}, {task.kind.value})"
        task_id = rng.choice(delivered)
        if roll < 0.85:
            task = store.merchant_message(task_id, rng.choice(_FOLLOW_UPS))
            return f"{one_line(task.merchant.name)} wrote on {task_id}"
        if roll < 0.93:
            store.merchant_decline(task_id, "We went another way, thank you.")
            delivered.remove(task_id)
            return f"the merchant withdrew {task_id}"
        store.merchant_review(task_id, rng.randint(3, 5), "Great work, thank you!")
        return f"the merchant reviewed {task_id}"
    except (StoreUnavailable, TokenRefused):
        raise
    except DomainError as error:  # a rule refused this event (or its text): the next one comes
        return f"(skipped: {one_line(error.message)})"


def _new_task(rng: random.Random, now: datetime, count: int) -> dict[str, Any]:
    from ..demo import generate_tasks

    (record,) = generate_tasks(1, now, seed=rng.randrange(1 << 30))
    task = {key: value for key, value in record.items() if key not in _SERVER_FIELDS}
    opening = []
    for message in record.get("messages", []):
        if message["author"] != "merchant":
            break
        opening.append({**message, "sent_at": now.isoformat().replace("+00:00", "Z")})
    task.update(
        id=f"SIM-{int(now.timestamp())}-{count}",
        received_at=now.isoformat().replace("+00:00", "Z"),
        messages=opening,
        notes=[],
    )
    return task
