"""One function per subcommand: read the input, call the store, print the result.

Input files are read before the store is opened, so a typo in a file name never
creates an empty store; each handler returns its exit code.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import paths
from ..domain import Clock, Kind, Refused, Status, Task, words
from ..domain.actions import TASK_ACTIONS, Ask, TaskAction
from ..domain.codec import task_to_dict
from ..domain.jsontext import dumps
from ..domain.text import one_line
from ..i18n import _, ngettext
from ..private_files import SQLITE_SIDE_FILES, replace_privately
from ..store import Page, Sort, Store, TaskQuery
from . import render
from .backend import Backend, open_store, os_reason
from .exits import BAD_INPUT, OK, CliError
from .listing import Fetch, Filters, Listing
from .output import JsonOut
from .parser import DEFAULT_WAIT_S, TEXT_LIMIT, consent_option


class Context:
    """What every command needs: the backend, the clock, and the store once it is opened."""

    def __init__(self, backend: Backend, clock: Clock, *, wait: float = DEFAULT_WAIT_S, create: bool = False) -> None:
        self.backend = backend
        self.clock = clock
        self.wait = wait
        self.create = create
        self._store: Store | None = None
        self._told_waiting = False

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(
                self.backend, self.clock, create=self.create, wait=self.wait, on_busy=self._waiting
            )
        return self._store

    def _waiting(self) -> None:
        if not self._told_waiting:
            self._told_waiting = True
            err(_("waiting for the store (locked by another process)…"))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def err(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def print_json(value: Any) -> None:
    """One JSON document on one line, written like every other JSON output (jsontext)."""
    out(dumps(value))


def _task_json(task: Task, ctx: Context, *, conversation: bool = True) -> dict[str, Any]:
    return task_to_dict(task, ctx.clock(), conversation=conversation)


# --- reading -------------------------------------------------------------------------------------


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    kind = None if args.kind is None else Kind(args.kind)
    sort = Sort(args.sort)

    def fetch(status: Status | None, cursor: str | None, limit: int) -> Page:
        return ctx.store.list_tasks(TaskQuery(status, kind, None, sort, limit, cursor))

    return _print_tasks(ctx, args, fetch)


def cmd_search(ctx: Context, args: argparse.Namespace) -> int:
    def fetch(status: Status | None, cursor: str | None, limit: int) -> Page:
        return ctx.store.list_tasks(TaskQuery(status, None, args.query, Sort(args.sort), limit, cursor))

    return _print_tasks(ctx, args, fetch)


def _print_tasks(ctx: Context, args: argparse.Namespace, fetch: Fetch) -> int:
    as_json = JsonOut(args, conversation=False)
    if args.cursor is not None and args.page_size is None:
        raise CliError(_("--cursor needs --page-size (the size of the page to read)"), field="cursor")
    if args.page_size is not None and args.limit is not None:
        raise CliError(_("give --limit or --page-size, not both"), field="limit")
    now = ctx.clock()
    listing = Listing(fetch, Filters.from_args(args), now)
    tasks: Iterable[Task]
    if args.page_size is not None:
        tasks = listing.page(args.page_size, args.cursor)
    else:
        limit = args.limit if args.limit is not None else (0 if as_json.wanted else TEXT_LIMIT)
        tasks = listing.up_to(limit or None)
    if as_json.wanted:
        # Streamed, so listing a large store never holds every task in memory.
        as_json.array(as_json.shape(task_to_dict(task, now, conversation=False)) for task in tasks)
    else:
        _print_table(tasks, now, headers=not args.no_headers)
    if args.page_size is not None:
        if listing.next_cursor is not None:
            # Read by scripts (`--page-size` paging): a machine line, English in every language.
            err(f"next cursor: {listing.next_cursor}")
    elif listing.more:
        shown = args.limit or TEXT_LIMIT
        err(
            ngettext(
                "(more tasks than the {n} shown: --limit N shows N, --limit 0 all)",
                "(more tasks than the {n} shown: --limit N shows N, --limit 0 all)",
                shown,
            ).format(n=shown)
        )
    return OK


def _print_table(tasks: Iterable[Task], now: datetime, *, headers: bool) -> None:
    found = iter(tasks)
    first = next(found, None)
    if first is None:
        err(_("No tasks."))  # a message, not data: a pipe reading rows gets none
        return
    everything = itertools.chain([first], found)
    if sys.stdout.isatty():
        lines = render.task_table(everything, now, shutil.get_terminal_size().columns, headers=headers)
    else:
        lines = render.task_rows(everything, now, headers=headers)
    for line in lines:
        out(line)


def cmd_show(ctx: Context, args: argparse.Namespace) -> int:
    as_json = JsonOut(args)
    task = ctx.store.get_task(args.task_id)
    if as_json.wanted:
        as_json.document(as_json.shape(_task_json(task, ctx)))
    else:
        for line in render.task_detail(task, ctx.clock()):
            out(line)
    return OK


# --- acting --------------------------------------------------------------------------------------


def _reply(ctx: Context, args: argparse.Namespace, action: TaskAction) -> int:
    body = _template_text(ctx, args) if args.template is not None else read_body(args)
    task = ctx.store.reply(args.task_id, body, idempotency_key=args.idempotency_key)
    return _done(ctx, JsonOut(args), task, _("reply sent to {merchant}").format(merchant=one_line(task.merchant.name)))


def _decline(ctx: Context, args: argparse.Namespace, action: TaskAction) -> int:
    return _attempt(ctx, args, action, lambda: ctx.store.decline(args.task_id, args.reason, args.comment))


def _note(ctx: Context, args: argparse.Namespace, action: TaskAction) -> int:
    if args.author is not None and not args.author.strip():
        raise CliError(_("--author is empty — give a name, or leave the option out to sign as you"), field="author")
    body = read_body(args)
    task = ctx.store.add_note(args.task_id, body, author=args.author)
    done = _("note added ({notes} in all, never sent to the merchant)").format(notes=words.notes(len(task.notes)))
    return _done(ctx, JsonOut(args), task, done)


def _act(ctx: Context, args: argparse.Namespace, action: TaskAction) -> int:
    """An action that asks for nothing, or for a confirmation: on the command line the
    confirmation that records a consent is its option (`--merchant-consented`)."""
    kwargs = dict(action.store_kwargs)
    if kwargs and not getattr(args, next(iter(kwargs))):
        assert action.confirm is not None
        option = consent_option(action)
        raise CliError(
            _("confirm that {what} with {option}: without it nothing is requested").format(
                what=_(action.confirm.consent_words), option=option
            ),
            field=action.confirm.consent,
        )
    method = getattr(ctx.store, action.store_method)
    return _attempt(ctx, args, action, lambda: method(args.task_id, **kwargs))


def _attempt(ctx: Context, args: argparse.Namespace, action: TaskAction, do: Callable[[], Task]) -> int:
    """Do `action`; a task already where it leads is done too (exit 0, 'already inactive'),
    so a script may repeat itself — anything else the rules refuse stays a refusal (exit 1)."""
    as_json = JsonOut(args)
    try:
        return _done(ctx, as_json, do(), _(action.done))
    except Refused as refused:
        if refused.rule not in action.already_rules:
            raise
    task = ctx.store.get_task(args.task_id)
    return _done(ctx, as_json, task, _(action.already).format(access=task.store_access.status.label))


#: How each kind of action gets what it needs on the command line.
_BY_ASK: dict[Ask, Callable[[Context, argparse.Namespace, TaskAction], int]] = {
    Ask.EDITOR: _reply,
    Ask.DECLINE: _decline,
    Ask.NOTE: _note,
    Ask.NOTHING: _act,
    Ask.CONFIRM: _act,
}


def _action_handler(action: TaskAction) -> Callable[[Context, argparse.Namespace], int]:
    return functools.partial(_BY_ASK[action.ask], action=action)


def cmd_open(ctx: Context, args: argparse.Namespace) -> int:
    as_json = JsonOut(args)
    before = ctx.store.get_task(args.task_id).status_at(ctx.clock())
    task = ctx.store.open_task(args.task_id)
    return _done(ctx, as_json, task, _("opened") if before is Status.NEW else _("already opened"))


def _done(ctx: Context, as_json: JsonOut, task: Task, what: str) -> int:
    if as_json.wanted:
        as_json.document(as_json.shape(_task_json(task, ctx)))
    else:
        out(render.action_line(what, task, ctx.clock()))
    return OK


def _template_text(ctx: Context, args: argparse.Namespace) -> str:
    from .templates_command import template_text

    return template_text(ctx, args)


def read_body(args: argparse.Namespace) -> str:
    """The text of a reply or note from exactly one of --message, --file F, --file - or '-'
    (the last two read standard input)."""
    given = [
        name
        for name, present in (
            ("--message", args.message is not None),
            ("--file", args.file is not None),
            ("'-'", args.stdin == "-"),
        )
        if present
    ]
    if not given:
        raise CliError(_("give the text with --message TEXT, --file F or '-' (standard input)"), field="message")
    if len(given) > 1:
        raise CliError(_("give the text one way only, not {ways}").format(ways=_(" and ").join(given)), field="message")
    if args.message is not None:
        return args.message
    if args.stdin == "-" or args.file == "-":
        return _decode(sys.stdin.buffer.read(), "standard input").removesuffix("\n").removesuffix("\r")
    name = args.file
    try:
        data = Path(name).read_bytes()
    except OSError as error:
        raise CliError(
            _("cannot read {file}: {reason}").format(file=one_line(name), reason=os_reason(error)), field="file"
        ) from None
    return _decode(data, one_line(name)).removesuffix("\n").removesuffix("\r")


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise CliError(
            _("{where} is not valid UTF-8 text (byte {byte})").format(where=where, byte=error.start + 1)
        ) from None


# --- bulk ------------------------------------------------------------------------------------------


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    from ..store.records import read_records
    from .progress import import_progress

    as_json = JsonOut(args)
    if args.file == "-":
        with import_progress(None, None) as tracked:
            report = ctx.store.import_tasks(tracked(read_records(sys.stdin.buffer)))
    else:
        name = one_line(args.file)
        try:
            stream = open(args.file, "rb")  # noqa: SIM115 - closed below, after the store is opened
            size = os.fstat(stream.fileno()).st_size
        except OSError as error:
            raise CliError(
                _("cannot read {file}: {reason}").format(file=name, reason=os_reason(error)), field="file"
            ) from None
        with stream, import_progress(stream, size) as tracked:
            report = ctx.store.import_tasks(tracked(read_records(stream)))
    if as_json.wanted:
        as_json.document(
            {
                "added": report.added,
                "unchanged": report.unchanged,
                "differing": report.differing,
                "rejected": [{"line": r.line, "id": r.task_id, "reason": r.reason} for r in report.rejected],
            }
        )
    else:
        source = _("standard input") if args.file == "-" else one_line(args.file)
        rejected, summary = render.import_lines(report, source)
        for line in rejected:
            err(line)
        out(summary)
    return BAD_INPUT if report.rejected else OK


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    store = ctx.store
    if args.file == "-":
        _write_tasks(store.export_tasks(), ctx, args.format, sys.stdout.write)
        return OK
    target = Path(args.file)
    name = one_line(args.file)
    if target.is_dir():
        raise CliError(_("cannot write {file}: it is a folder").format(file=name))
    _refuse_to_overwrite_a_database(target, ctx.backend.db, name)
    try:
        # Merchant data: readable by the owner only, from the first byte.
        with replace_privately(target) as stream:
            count = _write_tasks(store.export_tasks(), ctx, args.format, stream.write)
    except OSError as error:
        raise CliError(_("cannot write {file}: {reason}").format(file=name, reason=os_reason(error))) from None
    err(_("exported {tasks} to {file}").format(tasks=words.tasks(count), file=name))
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
        raise CliError(
            _("cannot write {file}: it is the store being exported — choose another file name").format(file=name)
        )
    if head == _SQLITE_HEADER or head[:4] in _WAL_MAGIC:
        raise CliError(_("cannot write {file}: it is a SQLite database — choose another file name").format(file=name))


_SQLITE_HEADER = b"SQLite format 3\x00"
_WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _write_tasks(tasks: Iterator[Task], ctx: Context, fmt: str, write: Callable[[str], object]) -> int:
    count = 0
    if fmt == "json":
        write("[")
    for task in tasks:
        text = dumps(_task_json(task, ctx))
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
        "saved_replies": str(paths.saved_replies_path()),
        "data_dir": str(paths.data_dir()),
        "store": ctx.backend.where,
        "store_chosen_by": ctx.backend.source,
        "demo_store": str(paths.demo_db_path()),
    }
    as_json = JsonOut(args)
    if as_json.wanted:
        as_json.document(where)
        return OK
    lines = (
        (_("config"), one_line(where["config_dir"])),
        (
            _("settings"),
            one_line(where["settings"]) + "  " + _("(yours only: display name, language, undo-send delay)"),
        ),
        (_("replies"), one_line(where["saved_replies"]) + "  " + _("(yours only: saved replies)")),
        (_("data"), one_line(where["data_dir"])),
        (_("store"), f"{one_line(where['store'])}  ({_chosen_by(ctx.backend.source)})"),
        (_("demo store"), one_line(where["demo_store"])),
    )
    width = max(len(label) for label, _value in lines) + 2
    for label, value in lines:
        out(f"{label:<{width}}{value}")
    return OK


def _chosen_by(source: str) -> str:
    """What chose the store, for people: "default" in their language; an option, a
    variable or a file's path as it is (`--json` keeps `store_chosen_by` as it is)."""
    return _("default") if source == "default" else source


def cmd_serve(ctx: Context, args: argparse.Namespace) -> int:
    from .server_commands import serve_command

    return serve_command(ctx, args)


def cmd_admin(ctx: Context, args: argparse.Namespace) -> int:
    from .server_commands import admin_command

    return admin_command(ctx, args)


def cmd_preferences(ctx: Context, args: argparse.Namespace) -> int:
    from .preferences_command import preferences_command

    return preferences_command(ctx, args)


def cmd_completion(ctx: Context, args: argparse.Namespace) -> int:
    import argcomplete

    out(argcomplete.shellcode(["expert-tui"], shell=args.shell).rstrip("\n"))
    return OK


def cmd_token(ctx: Context, args: argparse.Namespace) -> int:
    from .server_commands import token_command

    return token_command(ctx, args)


def cmd_simulate(ctx: Context, args: argparse.Namespace) -> int:
    from .simulate import simulate_command

    return simulate_command(ctx.backend, args, ctx.clock)


def cmd_templates(ctx: Context, args: argparse.Namespace) -> int:
    from .templates_command import templates_command

    return templates_command(ctx, args)


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
    **{action.command: _action_handler(action) for action in TASK_ACTIONS},
    "open": cmd_open,
    "export": cmd_export,
    "preferences": cmd_preferences,
    "paths": cmd_paths,
    "completion": cmd_completion,
    "serve": cmd_serve,
    "token": cmd_token,
    "admin": cmd_admin,
    "simulate": cmd_simulate,
    "templates": cmd_templates,
    "login": cmd_login,
    "logout": cmd_logout,
}
