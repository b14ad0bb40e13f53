"""Search as you type at 100,000 tasks (run on demand, not in the test suite).

    .venv/bin/python bench/search_typing.py [--size 100000] [--repeat 5] [--db PATH]

Types a few searches a partner makes, one character at a time, and times the first
page of 50 that each keystroke asks the embedded store for (what the inbox's worker
asks: the query typed so far, in the chosen order) — target: p95 at most 50 ms. Each
search runs in the inbox's default view ("Needs you": new, opened, awaiting your
reply, most urgent first) and in "all" by urgency and by received. The baseline, in the
same run, is the same page without a search: a ratio near 1 means searching costs what
listing does. `--db` reuses a store built before (it is imported once otherwise, in a
temporary folder).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from import_search import NOW, pct, timed

from expert_tui.demo import generate_tasks
from expert_tui.domain import FrozenClock, Invalid
from expert_tui.domain.query import parse
from expert_tui.store import Sort, TaskQuery
from expert_tui.store.sqlite import SqliteStore

PAGE = 50
#: What is typed: a merchant, diacritics, a note's words, a filter and words, a phrase,
#: an exclusion, an id in other capitals.
TYPED = (
    "anna nowak",
    "żółw",
    "coffee shop",
    "status:new migr",
    '"product pages"',
    "theme -shopify",
    "t-1045",
)
#: The views a search runs in: (name, the view's own filters, order).
VIEWS = (
    ("needs you", "status:new,opened,awaiting_response ", Sort.URGENCY),
    ("all", "", Sort.URGENCY),
    ("all", "", Sort.RECEIVED),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each keystroke")
    parser.add_argument("--db", type=Path, help="an existing store to search (else one is built)")
    args = parser.parse_args()
    if args.db is not None:
        return run(SqliteStore(args.db, clock=FrozenClock(NOW)), args.repeat)
    with tempfile.TemporaryDirectory(prefix="expert-tui-bench-") as tmp:
        store = SqliteStore(Path(tmp) / "store.db", clock=FrozenClock(NOW))
        started = time.perf_counter()
        store.import_tasks(enumerate(generate_tasks(args.size, NOW, seed=1), start=1))
        print(f"imported {args.size:,} tasks in {time.perf_counter() - started:.1f} s")
        return run(store, args.repeat)


def run(store: SqliteStore, repeat: int) -> int:
    print(f"search as you type: first page of {PAGE} per keystroke (p50 / p95 / max ms over {repeat} runs)")
    every: list[float] = []
    worst: list[tuple[float, str]] = []
    for name, view, sort in VIEWS:
        base = timed(lambda v=view, s=sort: store.list_tasks(TaskQuery(q=v or None, sort=s, limit=PAGE)), repeat)
        typed: list[float] = []
        for text in TYPED:
            for end in range(1, len(text) + 1):
                q = view + text[:end]
                if not _valid(q):  # "status:" half typed: the box says what it takes, nothing is asked
                    continue
                times = timed(lambda q=q, s=sort: store.list_tasks(TaskQuery(q=q, sort=s, limit=PAGE)), repeat)
                worst.append((pct(times, 95), f"{q} ({sort.value})"))
                typed += times
        every += typed
        ratio = pct(typed, 95) / max(pct(base, 95), 1e-9)
        print(
            f"  {name:9} by {sort.value:8}  {len(typed) // repeat:3} keystrokes  "
            f"{pct(typed, 50):6.2f} / {pct(typed, 95):6.2f} / {max(typed):6.2f}   "
            f"baseline (no search) p95 {pct(base, 95):6.2f}   ratio {ratio:4.2f}x"
        )
    print(f"  every keystroke   p50 {pct(every, 50):.2f} ms   p95 {pct(every, 95):.2f} ms (target p95 <= 50 ms)")
    slowest = sorted(worst, reverse=True)[:6]
    print("  slowest keystrokes (p95 ms): " + ", ".join(f"{q!r} {ms:.0f}" for ms, q in slowest))
    store.close()
    return 0


def _valid(q: str) -> bool:
    try:
        parse(q)
    except Invalid:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
