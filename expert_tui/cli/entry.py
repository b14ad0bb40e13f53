"""`main()`: parse, run one command (or the TUI), and turn every failure into one line.

A partner or a script never sees a traceback: refusals by a rule exit 1, bad input 2,
and anything unexpected is reported in one line with exit code 70.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence

from ..domain import DomainError, NotFound, Refused, system_clock
from ..domain.text import one_line
from ..private_files import UnsafePath
from ..store.errors import StoreUnavailable, TokenRefused
from . import exits
from .backend import Backend, choose_backend, open_store, os_reason
from .commands import HANDLERS, Context
from .exits import CliError
from .parser import build_parser


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_streams()
    undecodable = _undecodable_argument(sys.argv[1:] if argv is None else argv)
    if undecodable is not None:
        return _fail(f"argument {undecodable} is not valid UTF-8 text", exits.BAD_INPUT)
    args = build_parser().parse_args(argv)
    try:
        code = _run(args)
        sys.stdout.flush()
        return code
    except CliError as error:
        return _fail(error.message, error.code)
    except UnsafePath as error:
        return _fail(error.message, exits.BAD_INPUT)
    except StoreUnavailable as error:
        return _fail(error.message, exits.UNAVAILABLE)
    except TokenRefused as error:
        return _fail(error.message, exits.TOKEN_REFUSED)
    except Refused as error:
        return _fail(error.message, exits.REFUSED)
    except DomainError as error:  # Invalid, NotFound: the input was wrong
        return _fail(error.message, exits.BAD_INPUT)
    except sqlite3.Error as error:
        return _fail(f"the store could not be read or written: {one_line(str(error))}", exits.BAD_INPUT)
    except KeyboardInterrupt:
        return _fail("interrupted — everything already saved stays saved", exits.INTERRUPTED)
    except BrokenPipeError:
        _discard_stdout()
        return exits.BROKEN_PIPE
    except OSError as error:
        where = f"{one_line(str(error.filename))}: " if error.filename else ""
        return _fail(f"{where}{os_reason(error)}", exits.BAD_INPUT)
    except Exception as error:
        what = f"{type(error).__name__}: {one_line(str(error))}"
        return _fail(f"internal error ({what}) — please report it", exits.INTERNAL)


def _run(args: argparse.Namespace) -> int:
    backend = choose_backend(args)
    if backend.token_in_argv:
        sys.stderr.write(
            "expert-tui: warning: a token given with --token can be seen by other users of this machine (ps);"
            " use EXPERT_TUI_TOKEN or `expert-tui login` instead\n"
        )
    if args.command is None:
        return _run_tui(backend)
    ctx = Context(backend, system_clock)
    try:
        if backend.server is not None and args.command != "paths":
            # Reach the server before any output: a script sees "unreachable", never half a list.
            ctx.store  # noqa: B018
        return HANDLERS[args.command](ctx, args)
    except NotFound as error:
        # Naming the store helps when the task is in another one (--db, EXPERT_TUI_DB, --demo).
        raise CliError(f"{error.message} {backend.located}") from None
    finally:
        ctx.close()


def _run_tui(backend: Backend) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CliError("the terminal UI needs a terminal — for scripts use a command (see expert-tui --help)")
    store = open_store(backend, system_clock)
    try:
        # Imported here only: scripted commands start without loading Textual.
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


def _fail(message: str, code: int) -> int:
    try:
        sys.stderr.write(f"expert-tui: {one_line(message)}\n")
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        _discard_stdout()
    return code


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
