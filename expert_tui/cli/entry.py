"""`main()`: parse, run one command (or the TUI), and turn every failure into one line.

A partner or a script never sees a traceback: refusals by a rule exit 1, bad input 2,
a store locked past `--wait` 75, and anything unexpected is reported in one line with
exit code 70. Under `--json` (or `--fields`, `--jq`) a failure is a JSON document
instead, `{"error": {"code": ..., "message": ..., "rule"/"field": ...}}`, so a loop
can tell "refused: expired" from "no such task" without reading prose; either way it
goes to stderr only (SPEC 6), so stdout never holds an error that reads like data.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence

from ..domain import DomainError, Invalid, NotFound, Refused, system_clock
from ..domain.text import one_line
from ..i18n import _
from ..paths import settings_path
from ..private_files import UnsafePath
from ..settings import PersonalSettings, SettingsError, read_settings, use_language, use_time_zone
from ..store import StoreLocked
from ..store.errors import StoreUnavailable, TokenRefused
from . import exits
from .backend import Backend, choose_backend, open_store, os_reason, store_exists
from .exits import CliError
from .handlers import HANDLERS, Context
from .output import error_document
from .parser import build_parser

#: Commands that create the store when there is none (SPEC 6, "Creating a store").
_CREATING = frozenset({"import"})
_JSON_OPTIONS = ("--json", "--fields", "--jq")


def _complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request and exit (argcomplete's protocol)."""
    import argcomplete

    argcomplete.autocomplete(parser)


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_streams()
    _choose_language()
    argv = list(sys.argv[1:] if argv is None else argv)
    wants_json = any(arg == name or arg.startswith(name + "=") for arg in argv for name in _JSON_OPTIONS)
    undecodable = _undecodable_argument(argv)
    if undecodable is not None:
        message = _("argument {position} is not valid UTF-8 text").format(position=undecodable)
        return _fail(message, exits.BAD_INPUT, wants_json, "invalid")
    try:
        parser = build_parser()
        if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (see `completion`)
            _complete(parser)
        args = parser.parse_args(argv)
        if wants_json or args.command == "export":
            sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]  # JSON is UTF-8 whatever the locale
        code = _run(args)
        sys.stdout.flush()
        return code
    except CliError as error:
        return _fail(error.message, error.code, wants_json, error.error_code, field=error.field, hint=error.hint)
    except UnsafePath as error:
        return _fail(error.message, exits.BAD_INPUT, wants_json, "invalid")
    except StoreUnavailable as error:
        return _fail(error.message, exits.UNAVAILABLE, wants_json, "unavailable")
    except TokenRefused as error:
        return _fail(error.message, exits.TOKEN_REFUSED, wants_json, "unauthorized")
    except Refused as error:
        return _fail(error.message, exits.REFUSED, wants_json, "refused", rule=error.rule)
    except Invalid as error:  # `invalid`, or a more precise code such as `idempotency_mismatch`
        return _fail(error.message, exits.BAD_INPUT, wants_json, error.code, field=error.field)
    except DomainError as error:  # NotFound and any other: the input was wrong
        return _fail(error.message, exits.BAD_INPUT, wants_json, error.code)
    except StoreLocked as error:
        return _fail(error.message, exits.LOCKED, wants_json, "unavailable")
    except sqlite3.Error as error:
        if "locked" in str(error):
            return _fail(StoreLocked(0).message, exits.LOCKED, wants_json, "unavailable")
        message = _("the store could not be read or written: {reason}").format(reason=one_line(str(error)))
        return _fail(message, exits.BAD_INPUT, wants_json, "invalid")
    except KeyboardInterrupt:
        message = _("interrupted — everything already saved stays saved")
        return _fail(message, exits.INTERRUPTED, wants_json, "interrupted")
    except BrokenPipeError:
        _discard_stdout()
        return exits.BROKEN_PIPE
    except OSError as error:
        where = f"{one_line(str(error.filename))}: " if error.filename else ""
        return _fail(f"{where}{os_reason(error)}", exits.BAD_INPUT, wants_json, "invalid")
    except Exception as error:
        if type(error).__module__.partition(".")[0] in ("psycopg", "psycopg_pool"):  # PostgreSQL went away mid-command
            message = _("the database could not be reached or did not answer: {reason}").format(
                reason=one_line(str(error))[:200]
            )
            return _fail(message, exits.UNAVAILABLE, wants_json, "unavailable")
        what = f"{type(error).__name__}: {one_line(str(error))}"
        return _fail(
            _("internal error ({what}) — please report it").format(what=what), exits.INTERNAL, wants_json, "internal"
        )


def _run(args: argparse.Namespace) -> int:
    if args.command == "help":
        return _help(args.topic)
    backend = choose_backend(args)
    if backend.token_in_argv:
        warning = _(
            "warning: a token given with --token can be seen by other users of this machine (ps);"
            " use EXPERT_TUI_TOKEN or `expert-tui login` instead"
        )
        sys.stderr.write(f"expert-tui: {warning}\n")
    if args.command is None:
        return _run_tui(backend, args.wait)
    ctx = Context(backend, system_clock, wait=args.wait, create=args.command in _CREATING)
    try:
        if backend.server is not None and args.command not in ("paths", "templates"):
            # Reach the server before any output: a script sees "unreachable", never half a list.
            ctx.store  # noqa: B018
        if isinstance(getattr(args, "task_id", None), str):
            args.task_id = ctx.store.resolve_id(args.task_id)  # SPEC 6: `t-1045` is T-1045
        return HANDLERS[args.command](ctx, args)
    except NotFound as error:
        # Naming the store helps when the task is in another one (--db, EXPERT_TUI_DB, --demo).
        raise CliError(f"{error.message} {backend.located}", error_code="not_found") from None
    finally:
        ctx.close()


def _help(topic: str | None) -> int:
    """`expert-tui help [COMMAND]`: the same text as `--help`, for those who type it this way."""
    parser = build_parser()
    if topic is None:
        parser.print_help()
        return exits.OK
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub = commands.choices.get(topic)
    if sub is None:
        names = ", ".join(name for name in commands.choices if name != "help")
        raise CliError(
            _("no command {topic!r}; the commands are: {names}").format(topic=topic, names=names),
            hint=_("see 'expert-tui --help'"),
        )
    sub.print_help()
    return exits.OK


def _run_tui(backend: Backend, wait: float) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CliError(_("the terminal UI needs a terminal — for scripts use a command (see expert-tui --help)"))
    if not store_exists(backend):
        # Imported here only: scripted commands start without loading Textual.
        from ..screens.no_store import ask_about_missing_store

        choice = ask_about_missing_store(str(backend.db))
        if choice is None:
            return exits.OK
        if choice == "demo":
            from .. import paths

            backend = Backend(paths.demo_db_path(), "--demo", demo=True)
    # A server out of reach does not keep the TUI shut (it waits for it); a command exits 69.
    store = open_store(backend, system_clock, create=True, wait=wait, offline=True)
    try:
        from ..app import ExpertApp

        app = ExpertApp(store, clock=system_clock)
        app.run()
        return app.return_code or exits.OK
    finally:
        store.close()


def _undecodable_argument(argv: Sequence[str]) -> int | None:
    """Python hands bytes that are not UTF-8 over as lone surrogates (`show $'T-\\xff'`);
    the 1-based position of the first such argument, if any."""
    for position, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return position
    return None


def _fail(
    message: str,
    code: int,
    wants_json: bool,
    error_code: str,
    *,
    rule: str | None = None,
    field: str | None = None,
    hint: str | None = None,
) -> int:
    # A failure goes to stderr only, so a script's stdout never holds an error that reads
    # like data; with --json it is one JSON document there, for the script to parse.
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        _discard_stdout()
    try:
        if wants_json:
            sys.stderr.write(error_document(error_code, one_line(message), rule=rule, field=field) + "\n")
        else:
            sys.stderr.write(f"expert-tui: {one_line(message)}\n")
            if hint:
                sys.stderr.write(hint + "\n")
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    return code


def _choose_language() -> None:
    """The person's language for every word printed (settings file, `EXPERT_TUI_LANG`,
    the locale), and their time zone for every time shown (settings file, else `TZ`); a
    settings file that cannot be used gives way to the environment (the TUI says why it
    was not used)."""
    try:
        chosen = read_settings(settings_path())
    except SettingsError:
        chosen = PersonalSettings()
    use_language(chosen)
    use_time_zone(chosen)


def _tolerant_streams() -> None:
    """Never a UnicodeEncodeError traceback on a terminal that is not UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _discard_stdout() -> None:
    """After a failure (or a closed pipe), drop buffered output instead of failing at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
