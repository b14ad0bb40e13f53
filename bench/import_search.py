"""Import and search at 1,000 and 100,000 tasks (run on demand, not in the test suite).

    .venv/bin/python bench/import_search.py [--sizes 1000 100000] [--repeat 30]

For each size it builds a fresh store in a temporary folder and prints:
- import time of `SqliteStore.import_tasks` (validation, search documents, every
  write, one transaction per batch) against the baseline: the very rows the store
  writes for tasks, messages and notes, already prepared as tuples, inserted with
  `executemany` into bare tables (no indexes, no search index) in one transaction,
  in a file with the same settings (WAL, synchronous FULL) (target: at most 3x);
- what each stage of an import costs on its own, one after the other on one thread
  (parse the JSON Lines file, validate, prepare rows, fold the search documents,
  write tasks/messages/notes/search/commit into the store's schema), so the ratio
  explains itself; the import overlaps the Python stages with the writes (a writer
  thread), so it costs less than their sum;
- search latency p50/p95 over a fixed set of queries, including a prefix that matches
  about 10% of the tasks (target: p95 at most 20 ms at 100,000, growing far slower
  than the store);
- list-page latency for each sort, with and without a status filter: first and 40th
  page by cursor, and pages at an offset (top, middle, bottom) as a far jump makes.
"""

from __future__ import annotations

import argparse
import gc
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from expert_tui.demo import generate_tasks
from expert_tui.domain import FrozenClock, Status
from expert_tui.domain.codec import task_from_dict
from expert_tui.store import Sort, TaskQuery
from expert_tui.store import rows as store_rows
from expert_tui.store.records import read_records
from expert_tui.store.schema import migrate
from expert_tui.store.sqlite import IMPORT_BATCH, SqliteStore

NOW = datetime(2026, 11, 28, 6, 0, 0, tzinfo=UTC)
PAGE = 50
#: The fixed query set. "coff" is the prefix matching about 10% of the generated tasks
#: (coffee shops); the rest mix names, diacritics, short prefixes, misses and FTS syntax.
QUERIES = (
    "coff",
    "ann",
    "zolw",
    "Żółw",
    "lodz",
    "theme",
    "migr",
    "kaw",
    "seo shop",
    "ma",
    "a",
    "wombat",
    'NEAR( "unterminated AND OR * ^ -',
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--repeat", type=int, default=30, help="timed runs of each query")
    args = parser.parse_args()
    results = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="expert-tui-bench-") as tmp:
            results[size] = run(size, Path(tmp), args.repeat)
    if len(results) > 1:
        small, large = min(results), max(results)
        growth = results[large]["search_p95"] / max(results[small]["search_p95"], 1e-9)
        print(f"\nsearch p95 grew {growth:.1f}x while the store grew {large / small:.0f}x")
    return 0


def run(size: int, tmp: Path, repeat: int) -> dict[str, float]:
    print(f"\n=== {size:,} tasks ===")
    records = list(generate_tasks(size, NOW, seed=1))
    n_messages = sum(len(r.get("messages") or ()) for r in records)
    print(f"generated {size:,} tasks with {n_messages:,} messages")

    stages(records, tmp)
    baseline = plain_executemany(records, tmp / "bare.db")
    store = SqliteStore(tmp / "store.db", clock=FrozenClock(NOW))
    started = time.perf_counter()
    report = store.import_tasks(enumerate(records, start=1))
    imported = time.perf_counter() - started
    assert len(report.added) == size and not report.rejected, report.rejected[:3]
    ratio = imported / baseline
    print(
        f"import        {imported:8.2f} s   baseline {baseline:6.2f} s   "
        f"ratio {ratio:4.2f}x (target <= 3x)  {size / imported:,.0f} tasks/s"
    )

    print("search (first page of 50; p50 / p95 over", repeat, "runs):")
    search_times: list[float] = []
    for query in QUERIES:
        matches = count_matches(store, query)
        times = timed(lambda q=query: store.list_tasks(TaskQuery(q=q, limit=PAGE)), repeat)
        filtered = timed(lambda q=query: store.list_tasks(TaskQuery(q=q, status=Status.NEW, limit=PAGE)), repeat)
        search_times += times + filtered
        print(
            f"  {query[:24]!r:28} {100 * matches / size:5.1f}% match   "
            f"{pct(times, 50):6.2f} / {pct(times, 95):6.2f} ms   with status=new {pct(filtered, 95):6.2f} ms p95"
        )
    p50, p95 = pct(search_times, 50), pct(search_times, 95)
    print(f"  all queries  p50 {p50:.2f} ms   p95 {p95:.2f} ms (target p95 <= 20 ms)")

    print("list page of 50 (p95 ms): first page / 40th page, without and with status filter")
    for sort in Sort:
        cells = []
        for status in (None, Status.RESPONDED):
            first = timed(lambda s=sort, st=status: store.list_tasks(TaskQuery(status=st, sort=s, limit=PAGE)), repeat)
            deep_cursor = walk(store, TaskQuery(status=status, sort=sort, limit=PAGE), pages=40)
            deep = timed(
                lambda s=sort, st=status, c=deep_cursor: store.list_tasks(
                    TaskQuery(status=st, sort=s, limit=PAGE, cursor=c)
                ),
                repeat,
            )
            cells.append(f"{pct(first, 95):5.2f} / {pct(deep, 95):5.2f}")
        print(f"  {sort.value:9} {cells[0]}   status=responded {cells[1]}")
    print("page of 50 at an offset (p95 ms): top / middle / bottom, without and with status filter")
    for sort in Sort:
        cells = []
        for status in (None, Status.RESPONDED):
            counts_now = store.counts()
            total = sum(counts_now.values()) if status is None else counts_now[status]
            offsets = (0, total // 2, max(0, total - PAGE))
            times = [
                pct(
                    timed(
                        lambda s=sort, st=status, o=offset: store.list_tasks(
                            TaskQuery(status=st, sort=s, limit=PAGE, offset=o)
                        ),
                        repeat,
                    ),
                    95,
                )
                for offset in offsets
            ]
            cells.append(f"{'/'.join(f'{o:,}' for o in offsets):>20}: " + " / ".join(f"{t:5.2f}" for t in times))
        print(f"  {sort.value:9} {cells[0]}   status=responded {cells[1]}")
    counts = timed(store.counts, repeat)
    print(f"counts        p95 {pct(counts, 95):.2f} ms")
    store.close()
    return {"search_p95": p95, "ratio": ratio}


def prepared_rows(records: list[dict[str, Any]]) -> list[store_rows.Prepared]:
    return [store_rows.prepare(task_from_dict(r, NOW, keep_state=True)) for r in records]


def plain_executemany(records: list[dict[str, Any]], path: Path) -> float:
    """The baseline: the rows the store writes for tasks, messages and notes, already
    prepared as tuples, into bare tables (no indexes, no search) in one transaction."""
    prepared = prepared_rows(records)
    task_rows = [(seq, "local", *p.values) for seq, p in enumerate(prepared, start=1)]
    message_rows = [(seq, *m) for seq, p in enumerate(prepared, start=1) for m in p.messages]
    note_rows = [(seq, *n) for seq, p in enumerate(prepared, start=1) for n in p.notes]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    columns = ("seq", "partner", *store_rows.WRITE_COLUMNS)
    conn.execute(f"CREATE TABLE tasks ({', '.join(columns)})")
    conn.execute(f"CREATE TABLE messages (task, {', '.join(store_rows.MESSAGE_COLUMNS)})")
    conn.execute(f"CREATE TABLE notes (task, {', '.join(store_rows.NOTE_COLUMNS)})")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO tasks VALUES ({', '.join('?' for _ in columns)})", task_rows)
    conn.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)", message_rows)
    conn.executemany("INSERT INTO notes VALUES (?, ?, ?, ?, ?)", note_rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def stages(records: list[dict[str, Any]], tmp: Path) -> None:
    """Each stage of an import on its own, on one thread, batch by batch as the store
    runs them (the live records set aside from the collector, as the store does)."""
    path = tmp / "records.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    spent: dict[str, float] = dict.fromkeys(
        ("parse", "validate", "rows", "fold", "tasks", "messages", "notes", "search", "commit"), 0.0
    )
    gc.freeze()
    started = time.perf_counter()
    with path.open(encoding="utf-8") as stream:
        parsed = sum(1 for _ in read_records(stream))
    spent["parse"] = time.perf_counter() - started
    assert parsed == len(records)
    conn = sqlite3.connect(tmp / "stages.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA cache_size = -32768")
    migrate(conn)
    insert_task = (
        f"INSERT INTO tasks (seq, partner, {', '.join(store_rows.WRITE_COLUMNS)})"
        f" VALUES ({', '.join('?' for _ in range(len(store_rows.WRITE_COLUMNS) + 2))})"
    )
    seq = 0
    for start in range(0, len(records), IMPORT_BATCH):
        chunk = records[start : start + IMPORT_BATCH]
        mark = time.perf_counter()
        tasks = [task_from_dict(r, NOW, keep_state=True) for r in chunk]
        spent["validate"] += time.perf_counter() - mark
        mark = time.perf_counter()
        rows = [
            (
                store_rows.task_values(t),
                [store_rows.message_values(m) for m in t.messages],
                [store_rows.note_values(n) for n in t.notes],
            )
            for t in tasks
        ]
        spent["rows"] += time.perf_counter() - mark
        mark = time.perf_counter()
        documents = [store_rows.search_document(t) for t in tasks]
        spent["fold"] += time.perf_counter() - mark
        numbered = list(enumerate(rows, start=seq + 1))
        seq += len(rows)
        conn.execute("BEGIN IMMEDIATE")
        for stage, sql, values in (
            ("tasks", insert_task, [(n, "local", *r[0]) for n, r in numbered]),
            (
                "messages",
                "INSERT INTO messages (task, id, author, author_name, body, sent_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(n, *m) for n, r in numbered for m in r[1]],
            ),
            (
                "notes",
                "INSERT INTO notes (task, id, author, body, created_at) VALUES (?, ?, ?, ?, ?)",
                [(n, *x) for n, r in numbered for x in r[2]],
            ),
            (
                "search",
                "INSERT INTO task_search (rowid, doc) VALUES (?, ?)",
                [(n, d) for (n, _), d in zip(numbered, documents, strict=True)],
            ),
        ):
            mark = time.perf_counter()
            conn.executemany(sql, values)
            spent[stage] += time.perf_counter() - mark
        mark = time.perf_counter()
        conn.execute("COMMIT")
        spent["commit"] += time.perf_counter() - mark
    conn.close()
    gc.unfreeze()
    python = spent["validate"] + spent["rows"] + spent["fold"]
    writes = sum(spent[k] for k in ("tasks", "messages", "notes", "search", "commit"))
    print(
        "stages, one at a time (s): "
        + "  ".join(f"{name} {value:.2f}" for name, value in spent.items())
        + f"\n  Python work (validate + rows + fold) {python:.2f} s; writes into the store's schema"
        f" (3 indexes on tasks, search index, commits of {IMPORT_BATCH:,}) {writes:.2f} s;"
        " parsing is the CLI's, before the store"
    )


def count_matches(store: SqliteStore, query: str) -> int:
    return sum(1 for _ in iterate(store, TaskQuery(q=query, limit=500)))


def iterate(store: SqliteStore, query: TaskQuery) -> Any:
    cursor = None
    while True:
        page = store.list_tasks(TaskQuery(query.status, query.kind, query.q, query.sort, query.limit, cursor))
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def walk(store: SqliteStore, query: TaskQuery, pages: int) -> str | None:
    cursor = None
    for _ in range(pages):
        page = store.list_tasks(TaskQuery(query.status, query.kind, query.q, query.sort, query.limit, cursor))
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return cursor


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    call()  # warm the page cache and the statement cache
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


if __name__ == "__main__":
    sys.exit(main())
