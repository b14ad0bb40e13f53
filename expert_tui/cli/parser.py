"""The command line's grammar and its help, which is where scripts learn the exit codes."""

from __future__ import annotations

import argparse

from .. import __version__
from ..domain import DeclineReason, Kind, Status
from ..store.base import Sort

DESCRIPTION = """\
A keyboard-driven inbox for experts-marketplace partners. With no command it opens the
terminal UI on your local store; the commands below do the same actions for scripts."""

EPILOG = """\
backend:
  The local store lives in the user data folder (see `expert-tui paths`); --db or
  EXPERT_TUI_DB use another file, or a PostgreSQL database given as a postgresql:// URL.
  --server URL with a token (EXPERT_TUI_SERVER and EXPERT_TUI_TOKEN, or `expert-tui login`,
  which keeps both in a 0600 config file) work on a shared server instead. A token typed
  with --token is visible to others in `ps`.

exit codes:
  0    done
  1    refused by a rule (e.g. the task expired, or was declined)
  2    bad usage or bad input: an unknown option, an unknown task id, an unreadable
       file or store, invalid text (an empty reply), an import that rejected records
  69   the server is unreachable or cannot answer now (nothing was done twice)
  77   the server refused the token (unknown, revoked, or of the wrong kind)
  70   an internal error in expert-tui (one line on stderr; please report it)
  130  interrupted (ctrl+c); everything already committed stays committed
  141  the reader of the output went away (e.g. `expert-tui list | head`)

Errors are one line on stderr. Output from merchants is shown with control and escape
sequences removed; --json output is JSON with every non-ASCII character escaped."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="expert-tui",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"expert-tui {__version__}")
    _add_backend_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    def command(name: str, summary: str, description: str | None = None) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=description or summary)
        _add_backend_options(sub, suppress=True)
        return sub

    sub = command(
        "import",
        "add tasks from a JSON array or JSON Lines file ('-' reads stdin)",
        "Add tasks (SPEC section 5 task objects, with messages and notes) from a JSON array or a "
        "JSON Lines file. Importing the same file twice adds nothing. Each rejected record is "
        "reported as 'line N: ID: reason'; the exit code is 2 when any record was rejected.",
    )
    sub.add_argument("file", metavar="FILE", help="the file to read, or '-' for standard input")
    _add_json(sub)

    sub = command("list", "the inbox, most urgent first")
    sub.add_argument("--status", choices=[s.value for s in Status], help="only tasks in this status")
    sub.add_argument(
        "--kind",
        choices=[k.value for k in Kind],
        help="only this kind (default: match and direct; 'contact' lists the Contacts)",
    )
    sub.add_argument("--sort", choices=[s.value for s in Sort], default=Sort.URGENCY.value, help="default: urgency")
    _add_limit(sub)
    _add_json(sub)

    sub = command("show", "one task with its conversation and internal notes (does not mark it opened)")
    _add_id(sub)
    _add_json(sub)

    sub = command("search", "full-text search: merchant, details, notes and messages (prefix, any accents)")
    sub.add_argument("query", metavar="QUERY")
    _add_limit(sub)
    _add_json(sub)

    sub = command("reply", "send a message to the merchant")
    _add_id(sub)
    _add_body(sub, allow_file=True)
    sub.add_argument(
        "--idempotency-key",
        metavar="KEY",
        help="a key for this message: re-running with the same key never sends it twice",
    )
    _add_json(sub)

    sub = command("decline", "decline a task, with a reason")
    _add_id(sub)
    sub.add_argument("--reason", required=True, choices=[r.value for r in DeclineReason])
    sub.add_argument("--comment", default="", help="why, in your words (required with --reason other)")
    _add_json(sub)

    sub = command("note", "add an internal note (never sent to the merchant)")
    _add_id(sub)
    _add_body(sub, allow_file=False)
    sub.add_argument("--author", help="who wrote it (default: you)")
    _add_json(sub)

    for name, summary in (
        ("open", "mark a task opened and its messages read"),
        ("inactive", "mark a task inactive (messages can still be sent)"),
        ("reactivate", "bring an inactive task back to the side that wrote last"),
        ("complete", "mark a task completed"),
    ):
        sub = command(name, summary)
        _add_id(sub)
        _add_json(sub)

    sub = command(
        "export",
        "write every task, with messages and notes, as JSON Lines",
        "Write every task (contacts included) with its messages and notes, in the shape `import` "
        "reads. The file is created readable by you only.",
    )
    sub.add_argument("file", metavar="FILE", nargs="?", default="-", help="where to write (default: standard output)")
    sub.add_argument(
        "--format", choices=["jsonl", "json"], default="jsonl", help="JSON Lines (default) or one JSON array"
    )

    sub = command(
        "serve",
        "run the shared server on this store (needs expert-tui[server])",
        "Serve the store (--db PATH, default the local store) over HTTP for a team, on loopback unless --host "
        "says otherwise. Beyond loopback, put TLS in front (see README): tokens travel in every request.",
    )
    sub.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    sub.add_argument("--port", type=_port, default=8765, help="the port (default 8765)")
    sub.add_argument(
        "--rate-limit",
        type=_rate,
        default=50.0,
        metavar="N",
        help="requests a second per token, bursts of 4 s worth (default 50; 0 turns it off)",
    )

    sub = command("token", "make, list and revoke the server's API tokens")
    tokens = sub.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = tokens.add_parser("create", help="make a token; it is printed once, only its hash is kept")
    create.add_argument("--partner", required=True, help="the account (e.g. the agency) whose tasks it reaches")
    create.add_argument("--user", help="the person using it: the author of their notes and replies (default: partner)")
    create.add_argument("--marketplace", action="store_true", help="a marketplace token: delivers tasks and events")
    _add_json(create)
    listing = tokens.add_parser("list", help="every token: id, partner, person, kind, created, revoked")
    _add_json(listing)
    revoke = tokens.add_parser("revoke", help="revoke a token by its id (see token list)")
    revoke.add_argument("token_id", metavar="ID")
    _add_json(revoke)
    for action in (create, listing, revoke):
        _add_backend_options(action, suppress=True)

    sub = command(
        "simulate",
        "the marketplace side of a live inbox: deliver tasks and merchant events to a partner on a server",
        "With a marketplace token (token create --marketplace), deliver realistic tasks to --partner on the "
        "server, and post merchant replies, withdrawals and reviews on them, until --duration ends (or ctrl+c).",
    )
    sub.add_argument("--partner", required=True, help="the partner whose inbox fills")
    sub.add_argument(
        "--rate", type=_rate_per_minute, default=6.0, metavar="PER_MIN", help="events a minute (default 6)"
    )
    sub.add_argument("--duration", type=_positive, default=0, metavar="S", help="stop after S seconds (default: never)")
    sub.add_argument("--seed", type=int, default=None, help="the same seed gives the same story")

    command(
        "login",
        "use a server by default: asks for the token and keeps both in your config file (0600)",
        "Check --server URL (or EXPERT_TUI_SERVER) and a token (asked for; or EXPERT_TUI_TOKEN), then keep "
        "them in your config file, readable by you only: every command and the TUI then use that server "
        "unless --db, --server or the environment say otherwise.",
    )
    command("logout", "forget the server and token `login` kept")

    sub = command("paths", "print where configuration and data live")
    _add_json(sub)
    return parser


def _add_backend_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The global options, accepted before and after the command.

    On subcommands the defaults are suppressed, so an option given before the command is
    not overwritten by the subcommand's default.
    """
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("backend")
    group.add_argument(
        "--db", metavar="PATH", default=default, help="the local store file, or a postgresql:// URL (env EXPERT_TUI_DB)"
    )
    group.add_argument("--server", metavar="URL", default=default, help="a remote store (env EXPERT_TUI_SERVER)")
    group.add_argument("--token", metavar="T", default=default, help="the remote store's token (env EXPERT_TUI_TOKEN)")
    group.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="use the demo store of realistic tasks (rebuilt every hour so deadlines stay live)",
    )


def _add_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task_id", metavar="ID", help="the task's id, e.g. T-1042")


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _add_limit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limit", type=_positive, default=50, metavar="N", help="show at most N tasks (default 50; 0 = all)"
    )


def _add_body(parser: argparse.ArgumentParser, *, allow_file: bool) -> None:
    parser.add_argument("--message", "-m", metavar="TEXT", help="the text")
    if allow_file:
        parser.add_argument("--file", "-f", metavar="F", help="read the text from a file")
    parser.add_argument("stdin", metavar="-", nargs="?", choices=["-"], help="read the text from standard input")


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError("a port is 0 to 65535")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError("must be 0 (off) or a positive number of requests a second")
    return value


def _rate_per_minute(text: str) -> float:
    value = _rate(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 events a minute")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value
