"""`serve` and `token` (the server's operator's: they work on the server's store file,
never through a server, so tokens are made by whoever can read that file), and `login`
and `logout` (a person's: which server their commands and TUI use by default)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TYPE_CHECKING

from ..domain import Invalid
from ..domain.text import one_line
from ..domain.timefmt import format_ts
from ..i18n import _
from ..store.tokens import TokenInfo, TokenStore
from .backend import Backend, local_backend, missing_store, open_database
from .exits import OK, CliError
from .handlers import Context, err, out, print_json

if TYPE_CHECKING:
    from ..server.app import Mailing
    from ..store.notify import Batch


def _server_file(ctx: Context) -> Backend:
    backend = local_backend(ctx.backend, "the server's store")
    if backend.url is None and backend.db.is_dir():
        raise CliError(f"cannot open the store at {one_line(str(backend.db))}: it is a folder, not a database file")
    return backend


def serve_command(ctx: Context, args: argparse.Namespace) -> int:
    try:
        from ..server.run import serve
    except ModuleNotFoundError:
        raise CliError("the server needs its extra packages: pip install 'expert-tui[server]'") from None
    backend = _server_file(ctx)
    mailing = _mailing(args)
    if backend.url is not None:
        if mailing is not None:
            raise CliError("notification e-mails (--smtp) are sent from a SQLite store file for now, not PostgreSQL")
        open_database(backend, create=True).close()  # made and migrated, or one line why not
    try:
        serve(backend.url or backend.db, args.host, args.port, args.rate_limit, mailing, where=backend.where)
    except ModuleNotFoundError:
        raise CliError("the server needs its extra packages: pip install 'expert-tui[server]'") from None
    return OK


def _mailing(args: argparse.Namespace) -> Mailing | None:
    """The notification e-mails' settings from `serve`'s options (None: they are off)."""
    from ..server.app import Mailing
    from ..server.mail import MailSettings, Unsendable, check_address
    from ..server.smtp import Relay, RelayConfigError, relay_config

    if not args.smtp:
        for option in ("smtp_credentials", "mail_from", "mail_unsubscribe"):
            if getattr(args, option):
                raise CliError(f"--{option.replace('_', '-')} needs --smtp URL (the relay to send through)")
        return None
    if not args.mail_from:
        raise CliError("--smtp needs --mail-from ADDRESS: the From address of the notification e-mails")
    try:
        sender = check_address(args.mail_from, "--mail-from address")
        config = relay_config(args.smtp, args.smtp_credentials)
    except (RelayConfigError, Unsendable) as error:
        raise CliError(str(error)) from None
    unsubscribe = args.mail_unsubscribe
    if unsubscribe is not None and (
        not unsubscribe.startswith(("mailto:", "https://", "http://"))
        or not unsubscribe.isprintable()
        or any(c in unsubscribe for c in " <>,")
    ):
        raise CliError("--mail-unsubscribe takes one mailto: or https: address, without spaces, commas or <>")
    where = (args.public_url or f"http://{args.host}:{args.port}").rstrip("/")
    return Mailing(
        Relay(config),
        MailSettings(
            sender=sender,
            preferences_where=f"the Preferences screen of expert-tui (key p), or PATCH {where}/v1/preferences",
            unsubscribe=unsubscribe,
        ),
    )


def admin_command(ctx: Context, args: argparse.Namespace) -> int:
    """`admin notifications [--failed]`: what the sender did, for the operator."""
    from ..store.notify import FAILED, MailQueue

    backend = _server_file(ctx)
    if backend.url is not None:
        raise CliError("notification e-mails are kept in a SQLite store file for now, not PostgreSQL")
    if not backend.db.exists():
        raise missing_store(backend)
    queue = MailQueue(backend.db)
    try:
        found = queue.batches(FAILED if args.failed else None, limit=args.limit or 1_000_000)
        listed = [(batch, queue.task_ids(batch.id)) for batch in found]
    finally:
        queue.close()
    if args.json:
        print_json([_batch_json(batch, task_ids) for batch, task_ids in listed])
        return OK
    if not listed:
        out("No failed notification e-mails." if args.failed else "No notification e-mails yet.")
        return OK
    for batch, task_ids in listed:
        done = f"  {batch.state} {format_ts(batch.done_at)}" if batch.done_at else f"  {batch.state}"
        out(
            f"{format_ts(batch.created_at)}{done}  {one_line(batch.partner)[:40]}  to {one_line(batch.recipient)[:80]}"
            f"  tasks {', '.join(one_line(t) for t in task_ids)}  tries {batch.attempts}"
        )
        if batch.reply:
            out(f"    relay: {one_line(batch.reply)}")
    return OK


def _batch_json(batch: Batch, task_ids: list[str]) -> dict[str, object]:
    return {
        "message_id": batch.message_id,
        "partner": batch.partner,
        "recipient": batch.recipient,
        "tasks": task_ids,
        "state": batch.state,
        "attempts": batch.attempts,
        "created_at": format_ts(batch.created_at),
        "done_at": None if batch.done_at is None else format_ts(batch.done_at),
        "next_try_at": None if batch.state != "queued" else format_ts(batch.next_try_at),
        "relay_answer": batch.reply,
    }


def _tokens(ctx: Context, *, create: bool) -> TokenStore:
    backend = _server_file(ctx)
    if backend.url is None:
        return TokenStore(backend.db)
    return TokenStore.on_postgres(open_database(backend, create=create), owned=True)


def token_command(ctx: Context, args: argparse.Namespace) -> int:
    tokens = _tokens(ctx, create=args.token_command == "create")
    try:
        if args.token_command == "create":
            token, info = tokens.create(args.partner, args.user, marketplace=args.marketplace)
            if args.json:
                print_json({"token": token, **_info_json(info)})
            else:
                what = "marketplace token" if info.marketplace else f"token for {one_line(info.person)}"
                out(token)
                err(f"{what} of partner {one_line(info.partner)} (id {info.id}) — shown once: only its hash is kept")
            return OK
        if args.token_command == "list":
            found = tokens.list()
            if args.json:
                print_json([_info_json(info) for info in found])
            elif not found:
                out("No tokens. Make one with: expert-tui token create --partner NAME [--user PERSON]")
            else:
                for info in found:
                    state = "revoked " + format_ts(info.revoked_at) if info.revoked_at else "live"
                    kind = "marketplace" if info.marketplace else "partner"
                    out(
                        f"{info.id}  {kind:<11}  {one_line(info.partner)[:40]:<20}  {one_line(info.person)[:40]:<20}"
                        f"  created {format_ts(info.created_at)}  {state}"
                    )
            return OK
        info = tokens.revoke(args.token_id)
        if args.json:
            print_json(_info_json(info))
        else:
            out(f"token {info.id} of {one_line(info.partner)} ({one_line(info.person)}) is revoked")
        return OK
    finally:
        tokens.close()


def _info_json(info: TokenInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "partner": info.partner,
        "user": info.person,
        "marketplace": info.marketplace,
        "created_at": format_ts(info.created_at),
        "revoked_at": None if info.revoked_at is None else format_ts(info.revoked_at),
    }


def login_command(ctx: Context, args: argparse.Namespace) -> int:
    """Check the server and token, then keep both in the 0600 config file."""
    from ..store.remote import RemoteStore
    from .backend import ENV_SERVER, ENV_TOKEN
    from .remote_config import RemoteConfig, save

    server = getattr(args, "server", None) or os.environ.get(ENV_SERVER)
    if not server:
        raise CliError(
            _("give the server: expert-tui login --server URL (the token is asked for, never typed in argv)")
        )
    token = getattr(args, "token", None) or os.environ.get(ENV_TOKEN) or _ask_token()
    try:
        store = RemoteStore(server, token, clock=ctx.clock)
    except Invalid as error:
        raise CliError(one_line(error.message)) from None
    with store:
        user, partner = one_line(store.user), one_line(store.partner)
    path = save(RemoteConfig(store.url, token))
    out(
        _("logged in to {server} as {user} of {partner}; saved in {path} (readable by you only)").format(
            server=store.url, user=user, partner=partner, path=path
        )
    )
    return OK


def _ask_token() -> str:
    token = getpass.getpass(_("token (not shown): ")) if sys.stdin.isatty() else sys.stdin.readline()
    token = token.strip()
    if not token:
        raise CliError(_("no token was given — paste the one `expert-tui token create` printed"))
    return token


def logout_command(ctx: Context, args: argparse.Namespace) -> int:
    from .remote_config import config_path, forget

    if forget():
        out(_("logged out: {path} is removed").format(path=config_path()))
    else:
        out(_("not logged in to a server"))
    return OK
