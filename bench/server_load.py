"""Load on one `expert-tui serve`: concurrent clients list, open, search and reply.

    .venv/bin/python bench/server_load.py [--tasks 100000] [--clients 50] [--seconds 30]

The server runs as its own process on loopback (`serve --rate-limit 0`) over a store
filled with `--tasks` tasks. First a baseline: the same clients on the cheapest
authenticated endpoint (`GET /v1/me`); then the mix. Printed: throughput, p50/p95/p99
per operation, errors, and each operation's p95 as a ratio of the baseline's. Afterwards
every reply sent is looked for in the store: lost or doubled replies are counted.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from expert_tui.demo import generate_tasks  # noqa: E402
from expert_tui.domain import Preferences, ServiceOffer, system_clock  # noqa: E402
from expert_tui.store.sqlite import SqliteStore  # noqa: E402
from expert_tui.store.tokens import TokenStore  # noqa: E402

WORDS = ["store", "theme", "seo", "migration", "anna", "speed", "garden", "pets", "shop", "zolw"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fill(db: Path, count: int) -> list[str]:
    store = SqliteStore(db, partner="bench", user="bench")
    try:
        store.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
        tasks = generate_tasks(count, system_clock())
        report = store.import_tasks(enumerate(tasks, start=1))
        return report.added
    finally:
        store.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


class Load:
    def __init__(self, url: str, token: str, ids: list[str]) -> None:
        self.url = url
        self.token = token
        self.ids = ids
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.replies: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def run(self, clients: int, seconds: float, mix: bool) -> float:
        stop = time.monotonic() + seconds
        threads = [threading.Thread(target=self.client, args=(stop, mix, n)) for n in range(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started

    def client(self, stop: float, mix: bool, n: int) -> None:
        rng = random.Random(n)
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=60) as http:
            while time.monotonic() < stop:
                op = rng.choice(["list", "open", "search", "reply"]) if mix else "baseline"
                task_id = rng.choice(self.ids)
                began = time.monotonic()
                try:
                    if op == "baseline":
                        answer = http.get("/v1/me")
                    elif op == "list":
                        answer = http.get("/v1/tasks", params={"limit": 50})
                    elif op == "search":
                        answer = http.get("/v1/tasks", params={"q": rng.choice(WORDS), "limit": 50})
                    elif op == "open":
                        answer = http.post(f"/v1/tasks/{task_id}/open", headers={"Idempotency-Key": uuid.uuid4().hex})
                    else:
                        body = f"bench reply {uuid.uuid4().hex}"
                        answer = http.post(
                            f"/v1/tasks/{task_id}/messages",
                            json={"body": body},
                            headers={"Idempotency-Key": uuid.uuid4().hex},
                        )
                        if answer.status_code == 200:
                            with self.lock:
                                self.replies.append((task_id, body))
                    ok = answer.status_code < 300 or (op == "reply" and answer.status_code == 409)
                except httpx.HTTPError:
                    ok = False
                elapsed = time.monotonic() - began
                with self.lock:
                    self.latencies[op].append(elapsed)
                    if not ok:
                        self.errors[op] += 1


def report(load: Load, seconds: float, baseline_p95: float | None) -> None:
    total = sum(len(v) for v in load.latencies.values())
    print(f"  {total:,} requests in {seconds:.1f} s: {total / seconds:,.0f} requests/s")
    for op, values in sorted(load.latencies.items()):
        p50, p95, p99 = (percentile(values, q) * 1000 for q in (0.5, 0.95, 0.99))
        ratio = f"  p95 = {p95 / (baseline_p95 * 1000):.1f}x baseline" if baseline_p95 else ""
        print(
            f"  {op:<9} n={len(values):>7,}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms"
            f"  errors {load.errors.get(op, 0)}{ratio}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="expert-bench-") as folder:
        db = Path(folder) / "server.db"
        started = time.monotonic()
        ids = fill(db, args.tasks)
        print(f"store: {len(ids):,} tasks imported in {time.monotonic() - started:.1f} s")
        tokens = TokenStore(db)
        token = tokens.create("bench", "bench")[0]
        tokens.close()
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "expert_tui", "--db", str(db), "serve", "--port", str(port), "--rate-limit", "0"],
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(url + "/openapi.json", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            baseline = Load(url, token, ids)
            seconds = baseline.run(args.clients, max(5.0, args.seconds / 3), mix=False)
            print(f"baseline (GET /v1/me, {args.clients} clients):")
            report(baseline, seconds, None)
            base_p95 = percentile(baseline.latencies["baseline"], 0.95)
            load = Load(url, token, ids)
            seconds = load.run(args.clients, args.seconds, mix=True)
            print(f"mix (list, open, search, reply; {args.clients} clients):")
            report(load, seconds, base_p95)
        finally:
            server.terminate()
            server.wait(timeout=30)
        store = SqliteStore(db, partner="bench", user="bench")
        try:
            found: dict[str, int] = defaultdict(int)
            for task_id in {task_id for task_id, _ in load.replies}:
                for message in store.get_task(task_id).messages:
                    found[message.body] += 1
        finally:
            store.close()
        lost = sum(1 for _, body in load.replies if found.get(body, 0) == 0)
        doubled = sum(1 for _, body in load.replies if found.get(body, 0) > 1)
        print(f"replies: {len(load.replies):,} acknowledged, {lost} lost, {doubled} duplicated")
        if load.latencies:
            p95s = {op: percentile(v, 0.95) for op, v in load.latencies.items()}
            print(f"worst p95 ratio (list/search): {max(p95s.get('list', 0), p95s.get('search', 0)) / base_p95:.1f}x")
            print(f"median request: {statistics.median(v for vs in load.latencies.values() for v in vs) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
