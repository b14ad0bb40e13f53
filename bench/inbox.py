"""The inbox at 20 and at 100,000 tasks, in a real pty at 120x40, in one run.

Prints, for each size: first paint (start to the first row drawn), peak RSS, idle CPU
while the countdowns run, bytes written to the terminal per second while idle, and
key-press-to-repaint latency (j, then G). Targets: 100,000 within 1.5x of 20 for
first paint, RSS and idle CPU; idle output at most 4,000 B/s.

    .venv/bin/python bench/inbox.py [--big 100000] [--idle 10]
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from pty_run import PtyProcess  # noqa: E402

from expert_tui.demo import generate_tasks  # noqa: E402
from expert_tui.domain import system_clock  # noqa: E402
from expert_tui.store.sqlite import SqliteStore  # noqa: E402

COLS, ROWS = 120, 40


def build(path: Path, n: int) -> None:
    store = SqliteStore(path)
    report = store.import_tasks(enumerate(generate_tasks(n, system_clock(), seed=7), 1))
    assert not report.rejected, report.rejected[:3]
    store.close()


def measure(db: Path, idle: float) -> dict[str, float]:
    app = PtyProcess([sys.executable, "-m", "expert_tui", "--db", str(db)], cols=COLS, rows=ROWS)
    process = psutil.Process(app.process.pid)
    first_paint = app.wait_for(b"Reply within", timeout=60)
    # The first row is drawn once the first page arrived: its countdown has a colon.
    app.read(1.0)
    peak = process.memory_info().rss
    process.cpu_percent(None)
    before = len(app.output)
    started = time.perf_counter()
    while time.perf_counter() - started < idle:
        app.read(0.5)
        peak = max(peak, process.memory_info().rss)
    elapsed = time.perf_counter() - started
    idle_cpu = process.cpu_percent(None)
    idle_bytes = (len(app.output) - before) / elapsed
    latencies = {}
    for name, key in (("j", b"j"), ("G", b"G"), ("g", b"g")):
        samples = []
        for _ in range(5 if name == "j" else 1):
            app.read(0.3)
            samples.append(_repaint_latency(app, key))
        latencies[name] = statistics.median(samples)
    peak = max(peak, process.memory_info().rss)
    app.send(b"q")
    code = app.close()
    assert code == 0, code
    return {
        "first_paint_s": first_paint or float("nan"),
        "peak_rss_mb": peak / 2**20,
        "idle_cpu_pct": idle_cpu,
        "idle_bytes_per_s": idle_bytes,
        "key_j_ms": latencies["j"] * 1000,
        "key_G_ms": latencies["G"] * 1000,
        "key_g_ms": latencies["g"] * 1000,
    }


def _repaint_latency(app: PtyProcess, key: bytes) -> float:
    """Seconds from sending `key` until the repaint has been written (output goes quiet)."""
    sent = time.perf_counter()
    app.send(key)
    last = float("nan")
    deadline = sent + 10
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([app.master], [], [], 0.15 if last == last else 10)
        if not ready:
            break
        app.output += os.read(app.master, 65536)
        last = time.perf_counter()
    return last - sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for n in (args.small, args.big):
            db = Path(folder) / f"{n}.db"
            t = time.perf_counter()
            build(db, n)
            print(f"built {n:,} tasks in {time.perf_counter() - t:.1f} s", flush=True)
            results[n] = measure(db, args.idle)
    small, big = results[args.small], results[args.big]
    print(f"\n{'':22}{args.small:>12,}{args.big:>12,}{'ratio':>8}")
    for key in small:
        ratio = big[key] / small[key] if small[key] else float("nan")
        print(f"{key:22}{small[key]:12.2f}{big[key]:12.2f}{ratio:8.2f}")
    checks = {
        "first paint <= 1.5x": big["first_paint_s"] <= 1.5 * small["first_paint_s"],
        "peak RSS <= 1.5x": big["peak_rss_mb"] <= 1.5 * small["peak_rss_mb"],
        "idle CPU <= 1.5x (or under 2%)": big["idle_cpu_pct"] <= max(1.5 * small["idle_cpu_pct"], 2.0),
        "idle output <= 4000 B/s": big["idle_bytes_per_s"] <= 4000,
    }
    print()
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
