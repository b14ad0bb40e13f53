"""Server CPU per request, by type: what a busy server can sustain, measured on a noisy machine.

    .venv/bin/python bench/server_cpu.py [--tasks 100000] [--requests 200] [--rounds 5] [--db PATH]

`expert-tui serve --rate-limit 0` runs as its own process over `--tasks` tasks; one
client asks, one request at a time, `--requests` of each kind per round: the baseline
`GET /v1/me` (the cheapest authenticated endpoint), a list page, a search page, a
task, an open and a reply. What is measured is the server process's own CPU time
(user + system) over each batch, not wall time: other work on the machine slows the
clock but hardly the CPU a request costs. The kinds take turns, round after round, so
a slow spell hits all of them; printed per kind: the median over rounds of CPU ms a
request, its ratio to the baseline's, and the response size.

With `--db PATH` the store file is kept there (filled on the first run, reused after).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from expert_tui.demo import generate_tasks  # noqa: E402
from expert_tui.domain import system_clock  # noqa: E402
from expert_tui.store.sqlite import SqliteStore  # noqa: E402
from expert_tui.store.tokens import TokenStore  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from server_load import WORDS, fill, free_port  # noqa: E402


def requests(http: httpx.Client, ids: list[str]) -> dict[str, Callable[[int], httpx.Response]]:
    """Each kind of request, given a counter (which task, which word)."""

    def key() -> dict[str, str]:
        return {"Idempotency-Key": uuid.uuid4().hex}

    return {
        "me (baseline)": lambda n: http.get("/v1/me"),
        "list": lambda n: http.get("/v1/tasks", params={"limit": 50}),
        "search": lambda n: http.get("/v1/tasks", params={"q": WORDS[n % len(WORDS)], "limit": 50}),
        "get": lambda n: http.get(f"/v1/tasks/{ids[n % len(ids)]}"),
        "open": lambda n: http.post(f"/v1/tasks/{ids[n % len(ids)]}/open", headers=key()),
        "reply": lambda n: http.post(
            f"/v1/tasks/{ids[(7 * n) % len(ids)]}/messages", json={"body": f"cpu bench {n}"}, headers=key()
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="of each kind, per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", type=Path, help="keep the store here (filled once)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="expert-bench-cpu-") as folder:
        db = args.db or Path(folder) / "server.db"
        if not db.exists():
            started = time.monotonic()
            fill(SqliteStore(db, partner="bench", user="bench"), list(generate_tasks(args.tasks, system_clock())))
            print(f"store: {args.tasks:,} tasks imported in {time.monotonic() - started:.1f} s")
        with sqlite3.connect(db) as plain:
            ids = [row[0] for row in plain.execute("SELECT id FROM tasks WHERE partner = 'bench' ORDER BY seq")]
        ids = ids[:: max(1, len(ids) // 5000)]
        tokens = TokenStore(db)
        token = tokens.create("bench", "bench")[0]
        tokens.close()
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "expert_tui", "--db", str(db), "serve", "--port", str(port), "--rate-limit", "0"],
            stderr=subprocess.DEVNULL,
        )
        try:
            return measure(f"http://127.0.0.1:{port}", token, ids, server.pid, args)
        finally:
            server.terminate()
            server.wait(timeout=30)


def measure(url: str, token: str, ids: list[str], pid: int, args: argparse.Namespace) -> int:
    for _ in range(300):
        try:
            httpx.get(url + "/openapi.json", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    process = psutil.Process(pid)

    def cpu() -> float:
        times = process.cpu_times()
        return times.user + times.system

    per_request: dict[str, list[float]] = defaultdict(list)
    sizes: dict[str, int] = {}
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        kinds = requests(http, ids)
        for ask in kinds.values():  # warm up: connections, caches, first-use imports
            for n in range(20):
                ask(n)
        counter = 0
        for _ in range(args.rounds):
            for name, ask in kinds.items():
                before = cpu()
                for _ in range(args.requests):
                    counter += 1
                    answer = ask(counter)
                    if answer.status_code >= 300 and not (name == "reply" and answer.status_code == 409):
                        print(f"{name}: HTTP {answer.status_code} {answer.text[:200]}", file=sys.stderr)
                        return 1
                    sizes[name] = len(answer.content)
                per_request[name].append((cpu() - before) * 1000 / args.requests)
    base = statistics.median(per_request["me (baseline)"])
    print(
        f"server CPU a request, median of {args.rounds} rounds of {args.requests} (one client;"
        f" load average {os.getloadavg()[0]:.1f}):"
    )
    for name, values in per_request.items():
        mid = statistics.median(values)
        spread = f"{min(values):.2f}–{max(values):.2f}"
        print(f"  {name:<14} {mid:6.2f} ms  ({spread})  {mid / base:5.1f}x baseline  {sizes[name]:>7,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
