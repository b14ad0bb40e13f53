"""Peak memory of `expert-tui import` against the size of the file (run on demand).

    .venv/bin/python bench/import_memory.py [--mb 1024] [--baseline-mb 64] [--parse-only]

Writes the same generated tasks as JSON Lines, as one JSON array and as pretty
documents one after another (jq's default output), at the baseline size and at the
full size, imports each into a fresh store with the real entry point in its own
process, and prints that process's peak RSS (`wait4`), the time, and the ratio of the
full-size peak to the baseline peak of the same format. Flat memory means a ratio near
1 whatever `--mb` is: what an import holds is bounded by a record, a few batches and
SQLite's page cache (32 MiB, full from about 64 MiB of tasks on), not by the file.
`--parse-only` reads the records without a store (`read_records`), which shows the
reader alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from expert_tui.demo import generate_tasks

FORMATS = ("jsonl", "array", "pretty")
_DISTINCT = 2000


def write_file(path: Path, fmt: str, megabytes: int) -> int:
    """Write at least `megabytes` MiB of tasks in `fmt`; the number of tasks written."""
    base = list(generate_tasks(_DISTINCT, datetime.now(UTC), seed=13))
    limit = megabytes * 1024 * 1024
    written = count = 0
    encode: Callable[[dict[str, Any]], str] = (
        (lambda t: json.dumps(t, indent=2, ensure_ascii=False)) if fmt == "pretty" else json.dumps
    )
    with open(path, "w", encoding="utf-8") as out:
        write: Callable[[str], Any] = out.write
        if fmt == "array":
            write("[\n")
        while written < limit:
            task = dict(base[count % _DISTINCT])
            task["id"] = f"B-{count}"
            text = encode(task)
            if fmt == "array":
                text = ("," if count else "") + text
            text += "\n"
            write(text)
            written += len(text)
            count += 1
        if fmt == "array":
            write("]\n")
    return count


_PARSE_ONLY = (
    "import sys; from expert_tui.store.records import read_records; "
    "f = open(sys.argv[1], 'rb'); print(f'read {sum(1 for _ in read_records(f))}')"
)


def peak_import(db: Path, source: Path, *, parse_only: bool) -> tuple[float, float, str]:
    """(peak RSS in MiB, seconds, the summary line) of one import (or parse) process."""
    started = time.perf_counter()
    command = (
        [sys.executable, "-c", _PARSE_ONLY, str(source)]
        if parse_only
        else [sys.executable, "-m", "expert_tui", "--db", str(db), "import", str(source)]
    )
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=null)
        out: IO[bytes] | None = proc.stdout
        summary = out.read().decode().strip() if out else ""
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, time.perf_counter() - started, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=1024, help="size of the large files, in MiB")
    parser.add_argument("--baseline-mb", type=int, default=64, help="size of the baseline files, in MiB")
    parser.add_argument("--parse-only", action="store_true", help="read the records without importing them")
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="expert-tui-bench-") as folder:
        root = Path(folder)
        print(f"{'format':<8}{'size':>10}{'tasks':>10}{'peak RSS':>12}{'time':>9}  ratio to baseline")
        for fmt in args.formats:
            baseline = 0.0
            for megabytes in (args.baseline_mb, args.mb):
                source = root / f"{fmt}-{megabytes}.json"
                tasks = write_file(source, fmt, megabytes)
                size = source.stat().st_size / 1024 / 1024
                peak, seconds, summary = peak_import(root / f"{fmt}-{megabytes}.db", source, parse_only=args.parse_only)
                ratio = "" if not baseline else f"{peak / baseline:.2f}x"
                baseline = baseline or peak
                print(f"{fmt:<8}{size:>8.0f}MB{tasks:>10,}{peak:>10.0f}MB{seconds:>8.0f}s  {ratio}  ({summary})")
                source.unlink()
                for leftover in root.glob(f"{fmt}-{megabytes}.db*"):
                    leftover.unlink()


if __name__ == "__main__":
    main()
