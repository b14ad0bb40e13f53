"""The command line's grammar and its help, which is where scripts learn the exit codes.

Every word a person reads here is in their language: `build_parser` runs after the CLI
has chosen it, so help texts are `_()` where they are given (module constants `N_()`
where defined). argparse's own words go through Python's `gettext` domain, which has no
Polish and cannot see our catalogue, so `Parser` says them itself: the usage prefix (its
formatters), the section titles and `-h`, and the usage errors argparse raises (a table of
its known English messages, `ARGPARSE_ERRORS`). Command and option names, metavars,
choices and environment variables are machine words and stay English.
"""

from __future__ import annotations

import argparse
import re
import textwrap
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

from .. import __version__
from ..domain import DeclineReason, Kind, Status
from ..domain.actions import TASK_ACTIONS, Ask, TaskAction
from ..domain.templates import TEMPLATES, built_in
from ..i18n import N_, _, language
from ..store.base import MAX_PAGE_SIZE, Sort
from .exits import CliError

DESCRIPTION = N_(
    """\
A keyboard-driven inbox for experts-marketplace partners. With no command it
opens the terminal UI on your local store; the commands below do the same
actions for scripts. `expert-tui help COMMAND` (or `expert-tui COMMAND --help`)
explains one command."""
)

#: Preformatted (its columns are aligned by hand, within 80 columns): a translation
#: keeps its lines as short and the exit codes' column where it is.
EPILOG = N_(
    """\
backend:
  The local store lives in the user data folder (see `expert-tui paths`);
  --db or EXPERT_TUI_DB use another file, or a PostgreSQL database given as
  a postgresql:// URL. --server URL with a token (EXPERT_TUI_SERVER and
  EXPERT_TUI_TOKEN, or `expert-tui login`, which keeps both in a 0600 config
  file) work on a shared server instead. A token typed with --token is visible
  to others in `ps`.
  Only `import` (and `serve`, `token create`) creates a store: any other
  command on a store that does not exist exits 2 ("no store at PATH (import
  creates one)").

exit codes:
  0    done (also when the task already was in the asked state: "already
       inactive")
  1    refused by a rule (e.g. the task expired, or was declined)
  2    bad usage or bad input: an unknown option, an unknown task id, an
       unreadable file, a store that does not exist, invalid text (an empty
       reply), an import that rejected records (the rest is stored)
  69   the server is unreachable or cannot answer now (nothing was done twice)
  77   the server refused the token (unknown, revoked, or of the wrong kind)
  70   an internal error in expert-tui (one line on stderr; please report it)
  75   the store stayed locked by another process past --wait (default 30 s):
       a temporary failure, retry later
  130  interrupted (ctrl+c); everything already committed stays committed
  141  the reader of the output went away (e.g. `expert-tui list | head`)

Errors go to stderr only, never to stdout: one line (a usage error adds a
line naming the help to read), or with --json one JSON document instead,
{"error": {"code", "message", ...}}. Merchant text is shown with control and
escape sequences removed; --json output is UTF-8 JSON in which bidi controls
and invisible characters stay \\uXXXX escapes, and every timestamp is RFC 3339
UTC in whole seconds."""
)

#: The shells `completion` writes a script for.
SHELLS = ("bash", "zsh", "fish")
#: Default --wait: how long a command waits for a store another process is writing.
DEFAULT_WAIT_S = 30.0
#: Tasks a text listing shows unless --limit says otherwise (JSON lists everything).
TEXT_LIMIT = 50


#: A one-letter word ("w", "i", "z", "a") and the word after it: Polish typesetting never
#: leaves it at the end of a line, and English loses nothing by it.
_ONE_LETTER = re.compile(r"(?<!\S)(\w) (?=\S)")
#: Holds such a pair together while textwrap breaks lines (textwrap breaks at ASCII spaces only).
_GLUE = "\ue000"


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout, with "usage: " in the person's language, and lines broken
    only between words: never inside `expert-tui`, `--merchant-consented` or `e-mail`,
    nor after a one-letter word."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        text = _ONE_LETTER.sub(rf"\1{_GLUE}", self._whitespace_matcher.sub(" ", text).strip())
        return [line.replace(_GLUE, " ") for line in textwrap.wrap(text, width, break_on_hyphens=False)]

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in self._split_lines(text, width - len(indent)))

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


class RawDescriptionHelpFormatter(argparse.RawDescriptionHelpFormatter, HelpFormatter):
    """The top level's: its description and epilog are laid out by hand."""


def _argparse_pattern(english: str) -> re.Pattern[str]:
    """argparse's English message, its `%(name)s` fields as named groups."""
    parts = re.split(r"%\((\w+)\)[sr]", english)
    pattern = re.escape(parts[0])
    for name, literal in zip(parts[1::2], parts[2::2], strict=True):
        pattern += f"(?P<{name}>.+?)" + re.escape(literal)
    return re.compile(pattern, re.DOTALL)


#: argparse's usage errors (its English, fields named here where argparse has a bare `%s`),
#: each with its message in our catalogue; the fields keep what argparse put in them
#: (option names, values, choices). The first that matches wins.
ARGPARSE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (_argparse_pattern(english), ours)
    for english, ours in (
        (
            "the following arguments are required: %(arguments)s",
            N_("the following arguments are required: {arguments}"),
        ),
        (
            "invalid choice: %(value)r (choose from %(choices)s)",
            N_("invalid choice: {value} (choose from {choices})"),
        ),
        ("expected one argument", N_("expected one argument")),
        ("expected at most one argument", N_("expected at most one argument")),
        ("expected at least one argument", N_("expected at least one argument")),
        ("invalid int value: %(value)r", N_("not a whole number: {value}")),
        ("invalid float value: %(value)r", N_("not a number: {value}")),
        ("invalid %(type)s value: %(value)r", N_("invalid {type} value: {value}")),
        ("not allowed with argument %(other)s", N_("not allowed with argument {other}")),
        ("ignored explicit argument %(value)r", N_("takes no value (given {value})")),
        ("one of the arguments %(arguments)s is required", N_("one of the arguments {arguments} is required")),
        ("unrecognized arguments: %(arguments)s", N_("unrecognized arguments: {arguments}")),
        (
            "ambiguous option: %(option)s could match %(matches)s",
            N_("ambiguous option: {option} could match {matches}"),
        ),
    )
)
_ARGUMENT = re.compile(r"argument (?P<argument>.+?): (?P<message>.+)", re.DOTALL)


def argparse_error(message: str) -> str:
    """argparse's usage error `message` in the person's language, where it is one of the
    messages it is known to say; as argparse said it otherwise."""
    argument = _ARGUMENT.fullmatch(message)
    if argument is not None:
        return _("argument {argument}: {message}").format(
            argument=argument["argument"], message=argparse_error(argument["message"])
        )
    for pattern, ours in ARGPARSE_ERRORS:
        said = pattern.fullmatch(message)
        if said is not None:
            return _(ours).format(**said.groupdict())
    return message


class Parser(argparse.ArgumentParser):
    """argparse with the project's manners: no abbreviated options (a script that
    says `--stat` must not silently mean `--status`), a usage error in one line
    plus where to read more, raised (not printed) so `--json` can answer in JSON, and
    its own words (section titles, `-h`, usage errors) in the person's language."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", HelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)  # type: ignore[arg-type]
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help=_("show this help and exit")
            )

    def error(self, message: str) -> NoReturn:
        raise CliError(argparse_error(message), hint=_("see '{command} --help'").format(command=self.prog))

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        """As argparse's, but an unknown option after a command points at that command's help."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = getattr(parsed, "command", None)
            prog = f"{self.prog} {command}" if command else self.prog
            raise CliError(
                _("unrecognized arguments: {arguments}").format(arguments=" ".join(extras)),
                hint=_("see '{command} --help'").format(command=prog),
            )
        return parsed


def build_parser() -> Parser:
    parser = Parser(
        prog="expert-tui",
        description=_(DESCRIPTION),
        epilog=_(EPILOG),
        formatter_class=RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"expert-tui {__version__}", help=_("show the version and exit")
    )
    _add_backend_options(parser, suppress=False)
    commands = parser.add_subparsers(
        dest="command",
        metavar="COMMAND",
        title=_("commands"),
        parser_class=Parser,
        help=_("with none, the terminal UI"),
    )

    def command(name: str, summary: str, description: str | None = None) -> Parser:
        sub = commands.add_parser(name, help=_(summary), description=_(description or summary))
        _add_backend_options(sub, suppress=True)
        return sub

    sub = command(
        "import",
        N_("add tasks from a JSON array or JSON Lines file ('-' reads stdin)"),
        N_(
            "Add tasks (SPEC section 5 task objects, with messages and notes) from a JSON array or a "
            "JSON Lines file, creating the store if there is none. Importing the same file twice adds "
            "nothing: a known id is kept as stored, and the report says how many of those differ from "
            "the stored task (--json lists their ids). Each rejected record is reported as "
            "'line N: ID: reason'; the exit code is 2 when any record was rejected."
        ),
    )
    sub.add_argument("file", metavar="FILE", help=_("the file to read, or '-' for standard input"))
    _add_json(sub, fields=False)

    sub = command(
        "list",
        N_("the inbox, most urgent first"),
        N_(
            "The inbox, most urgent first. Text output shows 50 tasks unless --limit says otherwise; "
            "--json prints one JSON array of every task (streamed). In a pipe, rows are tab-separated, "
            "never cut, and statuses are identifiers (awaiting_response). --page-size reads one page: "
            "the cursor of the next page is printed on stderr as 'next cursor: CURSOR' (nothing when it "
            "was the last page); pass it back with --cursor."
        ),
    )
    _add_filters(sub)
    sub.add_argument(
        "--kind",
        choices=[k.value for k in Kind],
        help=_("only this kind (default: match and direct; 'contact' lists the Contacts)"),
    )
    _add_sort(sub)
    _add_paging(sub)
    _add_json(sub)

    sub = command(
        "show",
        N_("one task with its conversation and internal notes (does not mark it opened)"),
    )
    _add_id(sub)
    _add_json(sub)

    sub = command(
        "search",
        N_("full-text search: merchant, details, notes and messages (prefix, any accents)"),
        N_(
            "Full-text search over merchant, task details, notes and messages: each word matches as a "
            'prefix, accents do not matter. The inbox\'s search box takes the same query: "a phrase" '
            "(its words in a row), -word (leave out), status:new,opened, kind:direct, service:seo, "
            "is:unread, has:draft, has:note (a - before a filter turns it around). Results come in the "
            "order --sort names, as `list`'s do. Output, filters and paging as for `list`."
        ),
    )
    sub.add_argument(
        "query",
        metavar="QUERY",
        help=_("""what to find, e.g. 'zolw theme' or 'nowak status:new -spam "product pages"'"""),
    )
    _add_filters(sub)
    _add_sort(sub)
    _add_paging(sub)
    _add_json(sub)

    for action in TASK_ACTIONS:
        _add_action_command(command(action.command, action.summary, action.description or None), action)

    sub = command("open", N_("mark a task opened and its messages read (exit 0 if it already was)"))
    _add_id(sub)
    _add_json(sub)

    sub = command(
        "export",
        N_("write every task, with messages and notes, as JSON Lines"),
        N_(
            "Write every task (contacts included) with its messages and notes, in the shape `import` "
            "reads. The file is created readable by you only."
        ),
    )
    sub.add_argument(
        "file", metavar="FILE", nargs="?", default="-", help=_("where to write (default: standard output)")
    )
    sub.add_argument(
        "--format", choices=["jsonl", "json"], default="jsonl", help=_("JSON Lines (default) or one JSON array")
    )
    sub.add_argument("--json", action="store_true", help=_("accepted for symmetry: export always writes JSON"))

    sub = command(
        "preferences",
        N_("show or change the partner's preferences: availability, services, notifications"),
        N_(
            "The partner's preferences (SPEC section 5): which tasks are delivered and where they are "
            "announced. `set` changes only the fields it is given, NAME=VALUE (yes/no for switches, "
            "YYYY-MM-DD or none for a date, a JSON array for services), or a JSON object with --file "
            "('-' reads standard input); the others stay as they are. A wrong value is refused naming "
            "its field, and nothing is saved. Example: expert-tui preferences set available=no "
            "unavailable_until=2026-12-24"
        ),
    )
    actions = sub.add_subparsers(
        dest="preferences_command", metavar="ACTION", required=True, help=_("show, or set some fields")
    )
    show = actions.add_parser("show", help=_("print the preferences"))
    _add_json(show, fields=False)
    change = actions.add_parser("set", help=_("change the fields given; print the preferences as saved"))
    change.add_argument("assignments", metavar="NAME=VALUE", nargs="*", help=_("a field and its new value"))
    change.add_argument("--file", metavar="F", help=_("a JSON object of fields to change ('-' reads standard input)"))
    _add_json(change, fields=False)
    for action in (show, change):
        _add_backend_options(action, suppress=True)

    sub = command(
        "serve",
        N_("run the shared server on this store (needs expert-tui[server])"),
        N_(
            "Serve the store (--db PATH, default the local store) over HTTP for a team, on loopback unless --host "
            "says otherwise. Beyond loopback, put TLS in front (see README): tokens travel in every request."
        ),
    )
    sub.add_argument("--host", default="127.0.0.1", help=_("the address to listen on (default 127.0.0.1)"))
    sub.add_argument("--port", type=_port, default=8765, help=_("the port (default 8765)"))
    sub.add_argument(
        "--rate-limit",
        type=_rate,
        default=50.0,
        metavar="N",
        help=_("requests a second per token, bursts of 4 s worth (default 50; 0 turns it off)"),
    )
    mail = sub.add_argument_group(_("notification e-mails (off without --smtp)"))
    mail.add_argument(
        "--smtp",
        metavar="URL",
        help=_(
            "the mail relay: smtp://HOST[:PORT], smtp+starttls://HOST[:PORT] or smtps://HOST[:PORT]; its login from"
            " EXPERT_TUI_SMTP_USER and EXPERT_TUI_SMTP_PASSWORD or --smtp-credentials, never the command line"
        ),
    )
    mail.add_argument(
        "--smtp-credentials",
        metavar="FILE",
        type=Path,
        help=_("a file of yours, mode 0600: the relay's user on the first line, the password on the second"),
    )
    mail.add_argument("--mail-from", metavar="ADDRESS", help=_("the From address of the e-mails (needed with --smtp)"))
    mail.add_argument(
        "--mail-unsubscribe",
        metavar="URI",
        help=_("a mailto: or https: address for List-Unsubscribe (only sent when given)"),
    )
    mail.add_argument(
        "--public-url",
        metavar="URL",
        help=_("where partners reach this server, named in the e-mails (default http://HOST:PORT)"),
    )

    sub = command(
        "admin",
        N_("the server operator's view: notification e-mails"),
        N_(
            "Read the server's store file (--db): `admin notifications` lists the notification e-mails, newest"
            " first; --failed only those the relay refused for good (or that were given up on), with its answer."
        ),
    )
    sub.add_argument("what", choices=["notifications"], help=_("what to show: notifications"))
    sub.add_argument("--failed", action="store_true", help=_("only the e-mails that failed for good"))
    sub.add_argument(
        "--limit", type=_count, default=100, metavar="N", help=_("at most N e-mails (0 = all; default 100)")
    )
    sub.add_argument("--json", action="store_true", help=_("print JSON (UTF-8) instead of text"))

    sub = command("token", N_("make, list and revoke the server's API tokens"))
    tokens = sub.add_subparsers(dest="token_command", metavar="ACTION", required=True, help=_("create, list or revoke"))
    create = tokens.add_parser("create", help=_("make a token; it is printed once, only its hash is kept"))
    create.add_argument("--partner", required=True, help=_("the account (e.g. the agency) whose tasks it reaches"))
    create.add_argument(
        "--user", help=_("the person using it: the author of their notes and replies (default: partner)")
    )
    create.add_argument("--marketplace", action="store_true", help=_("a marketplace token: delivers tasks and events"))
    _add_json(create)
    listing = tokens.add_parser("list", help=_("every token: id, partner, person, kind, created, revoked"))
    _add_json(listing)
    revoke = tokens.add_parser("revoke", help=_("revoke a token by its id (see token list)"))
    revoke.add_argument("token_id", metavar="ID", help=_("the token's id (see token list)"))
    _add_json(revoke)
    for action in (create, listing, revoke):
        _add_backend_options(action, suppress=True)

    sub = command(
        "simulate",
        N_("the marketplace side of a live inbox: deliver tasks and merchant events to a partner on a server"),
        N_(
            "With a marketplace token (token create --marketplace), deliver realistic tasks to --partner on the "
            "server, and post merchant replies, withdrawals and reviews on them, until --duration ends (or ctrl+c)."
        ),
    )
    sub.add_argument("--partner", required=True, help=_("the partner whose inbox fills"))
    sub.add_argument(
        "--rate", type=_rate_per_minute, default=6.0, metavar="PER_MIN", help=_("events a minute (default 6)")
    )
    sub.add_argument("--duration", type=_count, default=0, metavar="S", help=_("stop after S seconds (default: never)"))
    sub.add_argument("--seed", type=int, default=None, help=_("the same seed gives the same story"))

    command(
        "login",
        N_("use a server by default: asks for the token and keeps both in your config file (0600)"),
        N_(
            "Check --server URL (or EXPERT_TUI_SERVER) and a token (asked for; or EXPERT_TUI_TOKEN), then keep "
            "them in your config file, readable by you only: every command and the TUI then use that server "
            "unless --db, --server or the environment say otherwise."
        ),
    )
    command("logout", N_("forget the server and token `login` kept"))

    sub = command(
        "completion",
        N_("print the shell's tab completion script: commands, options, their choices"),
        N_(
            "Print the tab completion script for bash, zsh or fish. bash/zsh: add "
            'eval "$(expert-tui completion bash)" (or zsh) to ~/.bashrc or ~/.zshrc; fish: '
            "expert-tui completion fish > ~/.config/fish/completions/expert-tui.fish"
        ),
    )
    sub.add_argument("shell", choices=SHELLS, help=_("the shell to complete in"))

    sub = command(
        "templates",
        N_("list the reply templates: the built-in first replies and your saved replies"),
        N_(
            "List the templates `reply ID --template NAME` takes: the built-in first replies, in English and in "
            "Polish (NAME-pl), then your saved replies (kept in your config folder, see `paths`; edited in the "
            "app: ctrl+t then m in the reply editor). A saved-replies file that cannot be read is said on stderr "
            "(exit 2) and only the built-ins are listed."
        ),
    )
    listing = sub.add_subparsers(
        dest="templates_command", metavar="ACTION", required=True, help=_("the only action: list")
    )
    _add_json(listing.add_parser("list", help=_("every template: name, kind, language, first line")), fields=False)

    sub = command("paths", N_("print where configuration and data live"))
    _add_json(sub, fields=False)

    sub = command("help", N_("explain a command: expert-tui help COMMAND"))
    sub.add_argument("topic", metavar="COMMAND", nargs="?", help=_("the command to explain (default: all of them)"))
    sub.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    return parser


def _add_backend_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The global options, accepted before and after the command.

    On subcommands the defaults are suppressed, so an option given before the command is
    not overwritten by the subcommand's default.
    """
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group(_("backend"))
    group.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help=_("the local store file, or a postgresql:// URL (env EXPERT_TUI_DB)"),
    )
    group.add_argument(
        "--account",
        metavar="PARTNER",
        default=default,
        help=_(
            "with --db: the partner whose tasks, in a store a server shares among partners"
            " (env EXPERT_TUI_PARTNER; default: local)"
        ),
    )
    group.add_argument("--server", metavar="URL", default=default, help=_("a remote store (env EXPERT_TUI_SERVER)"))
    group.add_argument(
        "--token", metavar="T", default=default, help=_("the remote store's token (env EXPERT_TUI_TOKEN)")
    )
    group.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help=_("use the demo store of realistic tasks (rebuilt every hour so deadlines stay live)"),
    )
    group.add_argument(
        "--wait",
        metavar="SECONDS",
        type=_seconds,
        default=argparse.SUPPRESS if suppress else DEFAULT_WAIT_S,
        help=_("how long to wait for a store another process is writing (default {seconds}); then exit 75").format(
            seconds=f"{DEFAULT_WAIT_S:g}"
        ),
    )


def _add_action_command(sub: argparse.ArgumentParser, action: TaskAction) -> None:
    """A task action's command (see `domain.actions`): the task, what the action asks for
    (the text of a reply or a note, a decline's reason), the consent a confirmation
    stands for, and the output options."""
    _add_id(sub)
    if action.ask is Ask.EDITOR:
        _add_body(sub)
        sub.add_argument(
            "--template",
            metavar="NAME",
            help=_(
                "the text of a template, filled in for the task: a saved reply's name (see `templates list`) or a"
                " built-in first reply: {templates} (-pl after the name: its Polish text)"
            ).format(templates=_built_in_templates()),
        )
        sub.add_argument(
            "--idempotency-key",
            metavar="KEY",
            help=_("a key for this message: re-running with the same key never sends it twice"),
        )
    elif action.ask is Ask.DECLINE:
        sub.add_argument(
            "--reason",
            required=True,
            choices=[r.value for r in DeclineReason],
            metavar="REASON",
            help=_("why: {reasons}").format(reasons="; ".join(f"{r.value} = {r.label.lower()}" for r in DeclineReason)),
        )
        sub.add_argument("--comment", default="", help=_("why, in your words (required with --reason other)"))
    elif action.ask is Ask.NOTE:
        _add_body(sub)
        sub.add_argument("--author", help=_("who wrote it (default: you); an empty name is refused"))
    if action.confirm is not None and action.confirm.consent:
        sub.add_argument(
            consent_option(action),
            action="store_true",
            help=_("{consent} (required: without it nothing is requested)").format(
                consent=_(action.confirm.consent_words)
            ),
        )
    _add_json(sub)


def consent_option(action: TaskAction) -> str:
    """`merchant_consented` is said `--merchant-consented`."""
    assert action.confirm is not None and action.confirm.consent
    return "--" + action.confirm.consent.replace("_", "-")


def _built_in_templates() -> str:
    """`introduce = introduce yourself and ask a question; …`: each built-in's id with
    what it writes, said by its version in the person's language where there is one."""
    named = ((t.id, built_in(f"{t.id}-{language()}") or t) for t in TEMPLATES)
    return "; ".join(f"{template_id} = {template.name.lower()}" for template_id, template in named)


def _add_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task_id", metavar="ID", help=_("the task's id, e.g. T-1042"))


def _add_json(parser: argparse.ArgumentParser, *, fields: bool = True) -> None:
    group = parser.add_argument_group(_("output"))
    group.add_argument("--json", action="store_true", help=_("print JSON (UTF-8) instead of text"))
    if fields:
        group.add_argument(
            "--fields",
            metavar="F,F",
            type=_field_list,
            help=_("JSON with only these task fields, e.g. id,status,expires_at (implies --json)"),
        )
    group.add_argument(
        "--jq",
        metavar="EXPR",
        help=_(
            "filter the JSON through a jq expression, strings printed raw (implies --json; "
            "needs the jq package: pip install 'expert-tui[jq]')"
        ),
    )


def _add_sort(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--sort", choices=[s.value for s in Sort], default=Sort.URGENCY.value, help=_("the order (default: urgency)")
    )


def _add_filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(_("filters"))
    group.add_argument(
        "--status",
        action="append",
        choices=[s.value for s in Status],
        metavar="STATUS",
        help=_(
            "only tasks in this status ({statuses}); repeat for any of several (--status new --status opened)"
        ).format(statuses=", ".join(s.value for s in Status)),
    )
    group.add_argument(
        "--expiring-within",
        metavar="DURATION",
        type=duration,
        help=_("only tasks whose 72-hour window closes within DURATION (e.g. 45m, 6h, 2d, 1h30m)"),
    )
    group.add_argument(
        "--merchant", metavar="TEXT", help=_("only merchants whose name or e-mail holds TEXT (any case, any accents)")
    )
    group.add_argument("--service", metavar="NAME", help=_("only this service, e.g. SEO (any case, any accents)"))


def _add_paging(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(_("how many"))
    group.add_argument(
        "--limit",
        type=_count,
        metavar="N",
        help=_("at most N tasks (0 = all; default: all with --json, {limit} as text)").format(limit=TEXT_LIMIT),
    )
    group.add_argument(
        "--page-size",
        type=_page_size,
        metavar="N",
        help=_(
            "read one page of N tasks (1-{most}); the next page's cursor goes to stderr as 'next cursor: CURSOR'"
        ).format(most=MAX_PAGE_SIZE),
    )
    group.add_argument("--cursor", metavar="CURSOR", help=_("the page after this cursor (needs --page-size)"))
    group.add_argument("--no-headers", action="store_true", help=_("text output without the header line"))


def _add_body(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--message", "-m", metavar="TEXT", help=_("the text"))
    parser.add_argument("--file", "-f", metavar="F", help=_("read the text from a file ('-' reads standard input)"))
    parser.add_argument("stdin", metavar="-", nargs="?", choices=["-"], help=_("read the text from standard input"))


def _port(text: str) -> int:
    value = _count(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(_("a port is 0 to 65535"))
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a number: {value}").format(value=repr(text))) from None
    if not 0 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(_("must be 0 (off) or a positive number of requests a second"))
    return value


def _rate_per_minute(text: str) -> float:
    value = _rate(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(_("must be more than 0 events a minute"))
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a whole number: {value}").format(value=repr(text))) from None
    if value < 0:
        raise argparse.ArgumentTypeError(_("must be 0 or more"))
    return value


def _page_size(text: str) -> int:
    value = _count(text)
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise argparse.ArgumentTypeError(_("must be from 1 to {most}").format(most=MAX_PAGE_SIZE))
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a number of seconds: {value}").format(value=repr(text))) from None
    if not 0 <= value <= 86_400:
        raise argparse.ArgumentTypeError(_("must be from 0 to 86400 seconds"))
    return value


_DURATION_PART = re.compile(r"(\d+)([dhms])")
_UNITS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}


def duration(text: str) -> timedelta:
    """'6h', '45m', '1h30m', '2d' — the units `--expiring-within` reads."""
    raw = text.strip().lower()
    parts = _DURATION_PART.findall(raw)
    if not raw or "".join(n + u for n, u in parts) != raw:
        raise argparse.ArgumentTypeError(
            _("not a duration: {value} (e.g. 45m, 6h, 2d, 1h30m)").format(value=repr(text))
        )
    seconds = sum(int(n) * _UNITS[u] for n, u in parts)
    if seconds > 365 * 86_400:
        raise argparse.ArgumentTypeError(_("at most 365 days"))
    return timedelta(seconds=seconds)


def _field_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(_("name at least one field, e.g. id,status"))
    return names
