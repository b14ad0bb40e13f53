"""One function per subcommand: read the input, call the store, print the result.

Input files are read before the store is opened, so a typo in a file name never
creates an empty store; each handler returns its exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .. import paths
from ..domain import Clock, Kind, Status, Task
from ..domain.codec import task_to_dict
from ..domain.text import one_line
from ..private_files import SQLITE_SIDE_FILES, replace_privately
from ..store import ImportReport, Page, Sort, Store, TaskQuery
from ..store.base import MAX_PAGE_SIZE
from . import render
from .backend import Backend, open_store, os_reason
from .exits import BAD_INPUT, OK, CliError


class Context:
    """What every command needs: the backend, the clock, and the store once it is opened."""

    def __init__(self, backend: Backend, clock: Clock) -> None:
        self.backend = backend
        self.clock = clock
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.backend, self.clock)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def err(line: str) -> None:
    sys.stderr.write(line + "\n")


def print_json(value: Any) -> None:
    # ASCII-only: C1 controls and bidi marks in merchant text reach the terminal as \u escapes.
    out(json.dumps(value, ensure_ascii=True))


def _task_json(task: Task, ctx: Context, *, conversation: bool = True) -> dict[str, Any]:
    return task_to_dict(task, ctx.clock(), conversation=conversation)


# --- reading -------------------------------------------------------------------------------------


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    query = TaskQuery(
        status=None if args.status is None else Status(args.status),
        kind=None if args.kind is None else Kind(args.kind),
        sort=Sort(args.sort),
    )

    def fetch(cursor: str | None, limit: int) -> Page:
        return ctx.store.list_tasks(TaskQuery(query.status, query.kind, None, query.sort, limit, cursor))

    return _print_tasks(ctx, args, fetch)


def cmd_search(ctx: Context, args: argparse.Namespace) -> int:
    def fetch(cursor: str | None, limit: int) -> Page:
        return ctx.store.search(args.query, limit=limit, cursor=cursor)

    return _print_tasks(ctx, args, fetch)


def _print_tasks(ctx: Context, args: argparse.Namespace, fetch: Callable[[str | None, int], Page]) -> int:
    more: list[bool] = []
    tasks = _pages(fetch, args.limit, more)
    now = ctx.clock()
    if args.json:
        # Streamed, so `--limit 0` over a large store never holds every task in memory.
        sys.stdout.write("[")
        for i, task in enumerate(tasks):
            sys.stdout.write(("," if i else "") + "\n" + json.dumps(_task_json(task, ctx, conversation=False)))
        out("\n]")
    else:
        first = next(tasks, None)
        if first is None:
            out("No tasks.")
        else:
            width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
            for line in render.task_table(_chain(first, tasks), now, width):
                out(line)
    if more:
        err(f"(more tasks than --limit {args.limit}; use --limit N for more or --limit 0 for all)")
    return OK


def _chain(first: Task, rest: Iterator[Task]) -> Iterator[Task]:
    yield first
    yield from rest


def _pages(fetch: Callable[[str | None, int], Page], limit: int, more: list[bool]) -> Iterator[Task]:
    """Tasks page by page up to `limit` (0: no limit); `more` gets an entry if some were left."""
    left = limit or None
    cursor = None
    while True:
        size = MAX_PAGE_SIZE if left is None else min(MAX_PAGE_SIZE, left)
        page = fetch(cursor, size)
        yield from page.items
        if left is not None:
            left -= len(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return
        if left == 0:
            more.append(True)
            return


def cmd_show(ctx: Context, args: argparse.Namespace) -> int:
    task = ctx.store.get_task(args.task_id)
    if args.json:
        print_json(_task_json(task, ctx))
    else:
        for line in render.task_detail(task, ctx.clock()):
            out(line)
    return OK


# --- acting --------------------------------------------------------------------------------------


def cmd_reply(ctx: Context, args: argparse.Namespace) -> int:
    body = read_body(args)
    task = ctx.store.reply(args.task_id, body, idempotency_key=args.idempotency_key)
    return _done(ctx, args, task, f"reply sent to {one_line(task.merchant.name)}")


def cmd_decline(ctx: Context, args: argparse.Namespace) -> int:
    task = ctx.store.decline(args.task_id, args.reason, args.comment)
    return _done(ctx, args, task, "declined")


def cmd_note(ctx: Context, args: argparse.Namespace) -> int:
    body = read_body(args)
    task = ctx.store.add_note(args.task_id, body, author=args.author)
    return _done(ctx, args, task, f"note added ({len(task.notes)} in all, never sent to the merchant)")


def cmd_open(ctx: Context, args: argparse.Namespace) -> int:
    return _done(ctx, args, ctx.store.open_task(args.task_id), "opened")


def cmd_inactive(ctx: Context, args: argparse.Namespace) -> int:
    return _done(ctx, args, ctx.store.mark_inactive(args.task_id), "marked inactive")


def cmd_reactivate(ctx: Context, args: argparse.Namespace) -> int:
    return _done(ctx, args, ctx.store.reactivate(args.task_id), "reactivated")


def cmd_complete(ctx: Context, args: argparse.Namespace) -> int:
    return _done(ctx, args, ctx.store.complete(args.task_id), "completed")


def _done(ctx: Context, args: argparse.Namespace, task: Task, what: str) -> int:
    if args.json:
        print_json(_task_json(task, ctx))
    else:
        out(render.action_line(what, task, ctx.clock()))
    return OK


def read_body(args: argparse.Namespace) -> str:
    """The text of a reply or note from exactly one of --message, --file, or '-' (stdin)."""
    given = [
        name
        for name, present in (
            ("--message", args.message is not None),
            ("--file", getattr(args, "file", None) is not None),
            ("'-'", args.stdin == "-"),
        )
        if present
    ]
    ways = "--message TEXT, --file F or '-'" if hasattr(args, "file") else "--message TEXT or '-'"
    if not given:
        raise CliError(f"give the text with {ways} (standard input)")
    if len(given) > 1:
        raise CliError(f"give the text one way only, not {' and '.join(given)}")
    if args.message is not None:
        return args.message
    if args.stdin == "-":
        return _decode(sys.stdin.buffer.read(), "standard input").removesuffix("\n").removesuffix("\r")
    name = args.file
    try:
        data = Path(name).read_bytes()
    except OSError as error:
        raise CliError(f"cannot read {one_line(name)}: {os_reason(error)}") from None
    return _decode(data, one_line(name)).removesuffix("\n").removesuffix("\r")


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise CliError(f"{where} is not valid UTF-8 text (byte {error.start + 1})") from None


# --- bulk ------------------------------------------------------------------------------------------


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    from ..store.records import read_records

    if args.file == "-":
        report = ctx.store.import_tasks(read_records(sys.stdin.buffer))
    else:
        name = one_line(args.file)
        try:
            stream = open(args.file, "rb")  # noqa: SIM115 - closed below, after the store is opened
        except OSError as error:
            raise CliError(f"cannot read {name}: {os_reason(error)}") from None
        with stream:
            report = ctx.store.import_tasks(read_records(stream))
    _print_import(report, as_json=args.json)
    return BAD_INPUT if report.rejected else OK


def _print_import(report: ImportReport, *, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "added": report.added,
                "unchanged": report.unchanged,
                "rejected": [{"line": r.line, "id": r.task_id, "reason": r.reason} for r in report.rejected],
            }
        )
        return
    rejected, summary = render.import_lines(report)
    for line in rejected:
        err(line)
    out(summary)


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    store = ctx.store
    if args.file == "-":
        _write_tasks(store.export_tasks(), ctx, args.format, sys.stdout.write, ascii_only=True)
        return OK
    target = Path(args.file)
    name = one_line(args.file)
    if target.is_dir():
        raise CliError(f"cannot write {name}: it is a folder")
    _refuse_to_overwrite_a_database(target, ctx.backend.db, name)
    try:
        # Merchant data: readable by the owner only, from the first byte.
        with replace_privately(target) as stream:
            count = _write_tasks(store.export_tasks(), ctx, args.format, stream.write, ascii_only=False)
    except OSError as error:
        raise CliError(f"cannot write {name}: {os_reason(error)}") from None
    err(f"exported {count} tasks to {name}")
    return OK


def _refuse_to_overwrite_a_database(target: Path, db: Path, name: str) -> None:
    """An export lands on a file name a person typed: never over the store being read
    (`export s.db` would leave nothing to export from) nor over any other SQLite file."""
    try:
        with open(target, "rb") as existing:
            head = existing.read(16)
    except OSError:
        return  # nothing there (or nothing readable): the rename decides
    store_files = [db, *(db.with_name(db.name + suffix) for suffix in SQLITE_SIDE_FILES)]
    if any(_same_file(target, f) for f in store_files):
        raise CliError(f"cannot write {name}: it is the store being exported — choose another file name")
    if head == _SQLITE_HEADER or head[:4] in _WAL_MAGIC:
        raise CliError(f"cannot write {name}: it is a SQLite database — choose another file name")


_SQLITE_HEADER = b"SQLite format 3\x00"
_WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _write_tasks(
    tasks: Iterator[Task], ctx: Context, fmt: str, write: Callable[[str], object], *, ascii_only: bool
) -> int:
    count = 0
    if fmt == "json":
        write("[")
    for task in tasks:
        text = json.dumps(_task_json(task, ctx), ensure_ascii=ascii_only)
        if fmt == "json":
            write(("," if count else "") + "\n" + text)
        else:
            write(text + "\n")
        count += 1
    if fmt == "json":
        write("\n]\n")
    return count


def cmd_paths(ctx: Context, args: argparse.Namespace) -> int:
    where = {
        "config_dir": str(paths.config_dir()),
        "settings": str(paths.settings_path()),
        "data_dir": str(paths.data_dir()),
        "store": ctx.backend.where,
        "store_chosen_by": ctx.backend.source,
        "demo_store": str(paths.demo_db_path()),
    }
    if args.json:
        print_json(where)
        return OK
    out(f"config      {one_line(where['config_dir'])}")
    out(f"settings    {one_line(where['settings'])}  (yours only: display name, undo-send delay)")
    out(f"data        {one_line(where['data_dir'])}")
    out(f"store       {one_line(where['store'])}  ({ctx.backend.source})")
    out(f"demo store  {one_line(where['demo_store'])}")
    return OK


def cmd_serve(ctx: Context, args: argparse.Namespace) -> int:
    from .server_commands import serve_command

    return serve_command(ctx, args)


def cmd_token(ctx: Context, args: argparse.Namespace) -> int:
    from .server_commands import token_command

    return token_command(ctx, args)


def cmd_simulate(ctx: Context, args: argparse.Namespace) -> int:
    from .simulate import simulate_command

    return simulate_command(ctx.backend, args, ctx.clock)


def cmd_login(ctx: Context, args: argparse.Namespace) -> int:
    from .server_commands import login_command

    return login_command(ctx, args)


def cmd_logout(ctx: Context, args: argparse.Namespace) -> int:
    from .server_commands import logout_command

    return logout_command(ctx, args)


HANDLERS: dict[str, Callable[[Context, argparse.Namespace], int]] = {
    "import": cmd_import,
    "list": cmd_list,
    "show": cmd_show,
    "search": cmd_search,
    "reply": cmd_reply,
    "decline": cmd_decline,
    "note": cmd_note,
    "open": cmd_open,
    "inactive": cmd_inactive,
    "reactivate": cmd_reactivate,
    "complete": cmd_complete,
    "export": cmd_export,
    "paths": cmd_paths,
    "serve": cmd_serve,
    "token": cmd_token,
    "simulate": cmd_simulate,
    "login": cmd_login,
    "logout": cmd_logout,
}
