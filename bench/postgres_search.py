"""PostgreSQL search pages by how many tasks a word matches (on demand, not in the test suite).

    .venv/bin/python bench/postgres_search.py [--size 100000] [--repeat 10] [--url URL --schema NAME] [--vacuum]

Imports `--size` generated tasks into a fresh `PostgresStore` (a throwaway cluster, or
the database of `--url`; with `--schema` an existing schema is reused when it already
holds tasks, so a change can be measured again without a new import) and reads right
after the import, as a partner who just imported would (`--vacuum` first runs the
`VACUUM ANALYZE` that autovacuum would run some time later).

For each sort it prints the median time of the plain list's first page (the baseline),
then for each word — from none and a few matches, through 2-20 % of the tasks (the
medium band, 'coff' is about 11 %), to nearly every task — the first page and a later page
(by the cursor of the fifth page), in milliseconds and as
a ratio to the baseline of the same run (the machine is shared: ratios travel, times do not).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

from import_search import NOW, PAGE, timed, walk

from expert_tui.demo import generate_tasks
from expert_tui.domain import FrozenClock, Status
from expert_tui.store import Sort, TaskQuery

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from pg_cluster import database_url

#: (label, query): words from rare to dense in the generated tasks, and the medium band
#: with what a search adds to words (a status, a flag, an excluded word, a phrase).
WORDS = (
    ("none", "wombat"),
    ("rare", "12345"),
    ("2.5%", "xero"),
    ("5.6%", "zolw"),
    ("11%", "coff"),
    ("18%", "migration"),
    ("11%/resp", "coff status:responded"),
    ("11%+flag", "coff is:unread"),
    ("11%-word", "coff -zolw"),
    ("11%phrase", '"coffee shop"'),
    ("82%", "a"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each read")
    parser.add_argument("--url", help="an existing database to use")
    parser.add_argument("--schema", help="the schema to import into, or to reuse when it holds tasks")
    parser.add_argument("--vacuum", action="store_true", help="VACUUM ANALYZE the tasks before reading")
    parser.add_argument("--sorts", nargs="+", default=[sort.value for sort in Sort])
    parser.add_argument("--words", nargs="+", help="only these labels of WORDS")
    args = parser.parse_args()
    import psycopg

    from expert_tui.store.postgres import PostgresStore

    with database_url(args.url) as url:
        schema = args.schema or f"bench_search_{int(time.time())}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        store = PostgresStore(
            url + ("&" if "?" in url else "?") + "options=" + quote(f"-csearch_path={schema}"),
            clock=FrozenClock(NOW),
        )
        try:
            if not sum(store.counts().values()):
                started = time.perf_counter()
                report = store.import_tasks(enumerate(generate_tasks(args.size, NOW, seed=1), start=1))
                assert not report.rejected, report.rejected[:3]
                print(f"imported {len(report.added):,} tasks in {time.perf_counter() - started:.1f} s")
            if args.vacuum:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f"VACUUM ANALYZE {schema}.tasks")
            for sort in map(Sort, args.sorts):
                pages(store, sort, args.repeat, args.words)
        finally:
            store.close()
    return 0


def pages(store: object, sort: Sort, repeat: int, labels: list[str] | None) -> None:
    def median(query: TaskQuery) -> float:
        return statistics.median(timed(lambda: store.list_tasks(query), repeat))  # type: ignore[attr-defined]

    base = median(TaskQuery(sort=sort, limit=PAGE))
    print(f"\n{sort.value}: plain list first page {base:.2f} ms (= 1x)")
    print(f"{'word':>10} {'query':>22} {'first':>16} {'5th page':>16}")
    for label, q in WORDS:
        if labels and label not in labels:
            continue
        status = None
        if " status:" in q:
            q, _, named = q.partition(" status:")
            status = Status(named)
        first = TaskQuery(status=status, q=q, sort=sort, limit=PAGE)
        cursor = walk(store, first, pages=5)  # type: ignore[arg-type]
        cells = [median(first)]
        cells.append(median(TaskQuery(status=status, q=q, sort=sort, limit=PAGE, cursor=cursor)) if cursor else 0.0)
        print(f"{label:>10} {q[:22]:>22} " + " ".join(f"{ms:7.1f} {ms / base:5.1f}x " for ms in cells))


if __name__ == "__main__":
    sys.exit(main())
