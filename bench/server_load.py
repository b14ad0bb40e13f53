"""Load on `expert-tui serve`: concurrent clients list, open, search and reply.

    .venv/bin/python bench/server_load.py [--tasks 100000] [--clients 50] [--seconds 30] [--postgres]

The server runs as its own process on loopback (`serve --rate-limit 0`) over a store
filled with `--tasks` tasks. First a baseline: the same clients on the cheapest
authenticated endpoint (`GET /v1/me`); then the mix, with one client in ten more asking
that endpoint throughout (`baseline` in the mix: its latency under the same load).
Printed: throughput, p50/p95/p99 per operation, errors, and each operation's p95 as a
ratio of the baseline's alone and of the baseline's in the mix, with the
servers' CPU time per request and the machine's load average (the clients share the
machine: on a busy one compare ratios, not times). Afterwards every reply sent is looked
for in the store: lost or doubled replies are counted.

With `--postgres`, the same run follows on PostgreSQL (a throwaway cluster from the
machine's binaries, or `--url`): the same tasks, two `serve` processes on the one
database, the clients split between them; then both runs side by side, PostgreSQL's
throughput and p95s as ratios of SQLite's.
"""

from __future__ import annotations

import argparse
import os
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
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from expert_tui.demo import generate_tasks  # noqa: E402
from expert_tui.domain import Preferences, ServiceOffer, system_clock  # noqa: E402
from expert_tui.store.base import Store  # noqa: E402
from expert_tui.store.sqlite import SqliteStore  # noqa: E402
from expert_tui.store.tokens import TokenStore  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from pg_cluster import database_url  # noqa: E402

WORDS = ["store", "theme", "seo", "migration", "anna", "speed", "garden", "pets", "shop", "zolw"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fill(store: Store, tasks: list[dict[str, object]]) -> list[str]:
    try:
        store.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
        report = store.import_tasks(enumerate(tasks, start=1))
        return report.added
    finally:
        store.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


class Load:
    def __init__(self, urls: list[str], token: str, ids: list[str]) -> None:
        self.urls = urls
        self.token = token
        self.ids = ids
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.replies: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def run(self, clients: int, seconds: float, mix: bool, probes: int = 0) -> float:
        """`clients` asking the mix (or the baseline alone), and beside a mix `probes`
        more asking the baseline's endpoint: its latency under the same load."""
        stop = time.monotonic() + seconds
        threads = [threading.Thread(target=self.client, args=(stop, mix, n)) for n in range(clients)]
        threads += [threading.Thread(target=self.client, args=(stop, False, clients + n)) for n in range(probes)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started

    def client(self, stop: float, mix: bool, n: int) -> None:
        rng = random.Random(n)
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.urls[n % len(self.urls)], headers=headers, timeout=60) as http:
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


def report(load: Load, seconds: float, baseline_p95: float | None, cpu_s: float) -> None:
    """Figures per operation; with `baseline_p95` (the baseline run alone), each p95 as a
    ratio of it and of the baseline's p95 in this same load, when the load had probes."""
    total = sum(len(v) for v in load.latencies.values())
    print(
        f"  {total:,} requests in {seconds:.1f} s: {total / seconds:,.0f} requests/s;"
        f" server CPU {cpu_s * 1000 / max(1, total):.1f} ms a request; load average {os.getloadavg()[0]:.1f}"
    )
    for op, values in sorted(load.latencies.items()):
        p50, p95, p99 = (percentile(values, q) * 1000 for q in (0.5, 0.95, 0.99))
        ratio = f"  p95 = {p95 / (baseline_p95 * 1000):.1f}x baseline" if baseline_p95 else ""
        if baseline_p95 and load.latencies.get("baseline"):
            ratio += f", {p95 / (percentile(load.latencies['baseline'], 0.95) * 1000):.1f}x in the mix"
        print(
            f"  {op:<9} n={len(values):>7,}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms"
            f"  errors {load.errors.get(op, 0)}{ratio}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--postgres", action="store_true", help="then the same on PostgreSQL, two servers")
    parser.add_argument("--url", help="with --postgres: an existing, empty database instead of a throwaway cluster")
    args = parser.parse_args()
    tasks = list(generate_tasks(args.tasks, system_clock()))
    results: dict[str, Result] = {}
    with tempfile.TemporaryDirectory(prefix="expert-bench-") as folder:
        db = Path(folder) / "server.db"
        print(f"=== SQLite: one server on {db.name} ===")
        results["sqlite"] = run(str(db), lambda: SqliteStore(db, partner="bench", user="bench"), tasks, 1, args)
    if args.postgres:
        with database_url(args.url) as url:
            from expert_tui.store.pg_database import PgDatabase
            from expert_tui.store.postgres import PostgresStore

            print("=== PostgreSQL: two servers on one database ===")

            def tokens() -> TokenStore:
                return TokenStore.on_postgres(PgDatabase(url), owned=True)

            results["postgres"] = run(
                url, lambda: PostgresStore(url, partner="bench", user="bench"), tasks, 2, args, tokens
            )
        compare(results["sqlite"], results["postgres"])
    return 0


class Result:
    def __init__(self, load: Load, seconds: float) -> None:
        self.throughput = sum(len(v) for v in load.latencies.values()) / seconds
        self.p95 = {op: percentile(values, 0.95) for op, values in load.latencies.items()}
        self.errors = sum(load.errors.values())


def run(
    db: str,
    open_store: Callable[[], Store],
    tasks: list[dict[str, object]],
    servers: int,
    args: argparse.Namespace,
    open_tokens: Callable[[], TokenStore] | None = None,
) -> Result:
    started = time.monotonic()
    ids = fill(open_store(), tasks)
    print(f"store: {len(ids):,} tasks imported in {time.monotonic() - started:.1f} s")
    tokens = open_tokens() if open_tokens is not None else TokenStore(db)
    token = tokens.create("bench", "bench")[0]
    tokens.close()
    ports = [free_port() for _ in range(servers)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "expert_tui", "--db", db, "serve", "--port", str(port), "--rate-limit", "0"],
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            for _ in range(300):
                try:
                    httpx.get(url + "/openapi.json", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
        servers_cpu = [psutil.Process(process.pid) for process in processes]

        def cpu() -> float:
            return sum(p.cpu_times().user + p.cpu_times().system for p in servers_cpu)

        baseline = Load(urls, token, ids)
        before = cpu()
        seconds = baseline.run(args.clients, max(5.0, args.seconds / 3), mix=False)
        print(f"baseline (GET /v1/me, {args.clients} clients):")
        report(baseline, seconds, None, cpu() - before)
        base_p95 = percentile(baseline.latencies["baseline"], 0.95)
        load = Load(urls, token, ids)
        before = cpu()
        probes = max(1, args.clients // 10)
        seconds = load.run(args.clients, args.seconds, mix=True, probes=probes)
        print(
            f"mix (list, open, search, reply; {args.clients} clients, {servers} server(s);"
            f" {probes} more on GET /v1/me):"
        )
        report(load, seconds, base_p95, cpu() - before)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
    store = open_store()
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
        worst = max(p95s.get("list", 0), p95s.get("search", 0))
        print(
            f"worst p95 ratio (list/search): {worst / base_p95:.1f}x the baseline alone,"
            f" {worst / p95s['baseline']:.1f}x the baseline in the mix"
        )
        print(f"median request: {statistics.median(v for vs in load.latencies.values() for v in vs) * 1000:.1f} ms")
    return Result(load, seconds)


def compare(sqlite: Result, postgres: Result) -> None:
    print("=== PostgreSQL (two servers) / SQLite (one server), same run ===")
    print(
        f"  throughput {postgres.throughput:,.0f} / {sqlite.throughput:,.0f} requests/s"
        f" = {postgres.throughput / sqlite.throughput:.2f}x"
    )
    for op in sorted(sqlite.p95):
        if op in postgres.p95:
            print(
                f"  {op:<9} p95 {postgres.p95[op] * 1000:7.1f} / {sqlite.p95[op] * 1000:7.1f} ms"
                f" = {postgres.p95[op] / sqlite.p95[op]:.2f}x"
            )
    print(f"  errors: postgres {postgres.errors}, sqlite {sqlite.errors}")


if __name__ == "__main__":
    raise SystemExit(main())
