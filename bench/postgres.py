"""PostgreSQL against SQLite, same data, same run (on demand, not in the test suite).

    .venv/bin/python bench/postgres.py [--sizes 1000 100000] [--repeat 30] [--url postgresql://...]

For each size it imports the same generated tasks into a fresh `SqliteStore` (temporary
file) and a fresh `PostgresStore` (a new schema in a throwaway cluster started from the
machine's PostgreSQL 15 binaries, fsync off; or in the database of `--url`), and prints:
- import throughput of each, tasks/s, and PostgreSQL's as a ratio of SQLite's;
- for each store: search p95 over the `import_search` query set, first and 40th page of
  each sort (with and without a status filter), a page at the bottom of the order by
  offset, and counts, in milliseconds (p95), so "flat from 1,000 to 100,000 tasks" can
  be read across sizes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from import_search import NOW, PAGE, QUERIES, pct, timed, walk

from expert_tui.demo import generate_tasks
from expert_tui.domain import FrozenClock, Status
from expert_tui.store import Sort, Store, TaskQuery
from expert_tui.store.sqlite import SqliteStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from pg_cluster import database_url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--repeat", type=int, default=30, help="timed runs of each read")
    parser.add_argument("--url", help="an existing database to use (a new schema is made per size)")
    args = parser.parse_args()
    import psycopg

    from expert_tui.store.postgres import PostgresStore

    with database_url(args.url) as url, tempfile.TemporaryDirectory(prefix="expert-tui-bench-") as tmp:
        for size in args.sizes:
            schema = f"bench_{size}_{int(time.time())}"
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            records = list(generate_tasks(size, NOW, seed=1))
            print(f"\n=== {size:,} tasks ===")
            sqlite = SqliteStore(Path(tmp) / f"{size}.db", clock=FrozenClock(NOW))
            postgres = PostgresStore(
                url + ("&" if "?" in url else "?") + "options=" + quote(f"-csearch_path={schema}"),
                clock=FrozenClock(NOW),
            )
            rates = {name: imported(store, records) for name, store in (("sqlite", sqlite), ("postgres", postgres))}
            print(
                f"import   sqlite {rates['sqlite']:8,.0f} tasks/s   postgres {rates['postgres']:8,.0f} tasks/s"
                f"   postgres/sqlite {rates['postgres'] / rates['sqlite']:.2f}x"
            )
            reads(sqlite, "sqlite", args.repeat)
            reads(postgres, "postgres", args.repeat)
            sqlite.close()
            postgres.close()
    return 0


def imported(store: Store, records: list[dict[str, object]]) -> float:
    started = time.perf_counter()
    report = store.import_tasks(enumerate(records, start=1))
    elapsed = time.perf_counter() - started
    assert len(report.added) == len(records) and not report.rejected, report.rejected[:3]
    return len(records) / elapsed


def reads(store: Store, name: str, repeat: int) -> None:
    search = [
        t for q in QUERIES for t in timed(lambda q=q: store.list_tasks(TaskQuery(q=q, limit=PAGE)), max(3, repeat // 5))
    ]
    cells = [f"search p95 {pct(search, 95):6.2f}"]
    for sort in Sort:
        for status in (None, Status.RESPONDED):
            first = timed(lambda s=sort, st=status: store.list_tasks(TaskQuery(status=st, sort=s, limit=PAGE)), repeat)
            cursor = walk(store, TaskQuery(status=status, sort=sort, limit=PAGE), pages=40)
            deep = timed(
                lambda s=sort, st=status, c=cursor: store.list_tasks(
                    TaskQuery(status=st, sort=s, limit=PAGE, cursor=c)
                ),
                repeat,
            )
            label = sort.value[0] + ("" if status is None else "/resp")
            cells.append(f"{label} {pct(first, 95):5.2f}/{pct(deep, 95):5.2f}")
    total = sum(store.counts().values())
    bottom = timed(lambda: store.list_tasks(TaskQuery(limit=PAGE, offset=max(0, total - PAGE))), repeat)
    counts = timed(store.counts, repeat)
    cells += [f"bottom {pct(bottom, 95):5.2f}", f"counts {pct(counts, 95):5.2f}"]
    print(f"{name:8} p95 ms: " + "  ".join(cells))


if __name__ == "__main__":
    sys.exit(main())
