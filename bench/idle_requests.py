"""Requests an idle TUI makes to a shared server: long-poll against the old 1 s poll.

    .venv/bin/python bench/idle_requests.py [--seconds 60]

The real server on loopback, one TUI (headless) on a remote store, nobody typing, for
`--seconds` each: first following the change log by long-poll (what the app does on a
server), then polling it every second (what it did before). Printed: requests per minute
of each, and their ratio. Then how long a teammate's note takes to reach the idle TUI
while it long-polls (five notes; the median and the worst).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import ClassVar

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from expert_tui.app import ExpertApp  # noqa: E402
from expert_tui.domain import Preferences, ServiceOffer  # noqa: E402
from expert_tui.store.remote import RemoteStore  # noqa: E402
from tests.live_server import server_in_thread  # noqa: E402
from tests.store_contract import record  # noqa: E402


class Counting(httpx.HTTPTransport):
    """Counts the requests by path."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: Counter[str] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths[request.url.path] += 1
        return super().handle_request(request)


class Polling(RemoteStore):
    """The remote store as the app treated it before: asked every second."""

    long_polls: ClassVar[bool] = False


async def idle(store: RemoteStore, counting: Counting, seconds: float) -> Counter[str]:
    """The requests made in `seconds` of idling, once start-up's reads are done."""
    app = ExpertApp(store, poll_interval=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        while app._seen_event is None:
            await pilot.pause(0.05)
        await pilot.pause(2.0)
        before = counting.paths.copy()
        await pilot.pause(seconds)
        return counting.paths - before


async def note_delays(store: RemoteStore, teammate: RemoteStore, task_id: str) -> list[float]:
    app = ExpertApp(store)
    delays = []
    async with app.run_test(size=(120, 40)) as pilot:
        while app._seen_event is None:
            await pilot.pause(0.05)
        await pilot.pause(1.0)  # the long-poll is waiting at the server
        for n in range(5):
            version = app.store_version
            started = time.monotonic()
            await asyncio.to_thread(teammate.add_note, task_id, f"note {n}")
            while app.store_version == version:
                await pilot.pause(0.01)
            delays.append(time.monotonic() - started)
            await pilot.pause(0.5)
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="server-idle-") as folder,
        server_in_thread(Path(folder) / "s.db") as server,
    ):
        token = server.token("acme", "Ola")
        market = server.token("acme", marketplace=True)
        setup = RemoteStore(server.url, token, marketplace_token=market, client_file=Path(folder) / "setup.db")
        setup.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
        task_id = setup.deliver_task(record("T-1")).id
        rates = {}
        for name, kind in (("long-poll", RemoteStore), ("1 s poll", Polling)):
            counting = Counting()
            store = kind(server.url, token, client_file=Path(folder) / f"{name}.db", transport=counting)
            made = asyncio.run(idle(store, counting, args.seconds))
            store.close()
            total = sum(made.values())
            rates[name] = total * 60 / args.seconds
            print(f"{name}: {total} requests in {args.seconds:.0f} s idle = {rates[name]:.1f}/min {dict(made)}")
        print(f"ratio: the long-poll makes {rates['long-poll'] / rates['1 s poll']:.3f}x the requests of the 1 s poll")
        ola = RemoteStore(server.url, token, client_file=Path(folder) / "ola.db")
        jan = RemoteStore(server.url, server.token("acme", "Jan"), client_file=Path(folder) / "jan.db")
        delays = asyncio.run(note_delays(ola, jan, task_id))
        print(
            f"a teammate's note reaches the idle TUI in {statistics.median(delays) * 1000:.0f} ms (median of 5),"
            f" {max(delays) * 1000:.0f} ms at worst"
        )
        for store in (ola, jan, setup):
            store.close()


if __name__ == "__main__":
    main()
