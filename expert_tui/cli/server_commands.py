"""`serve` and `token`: running the shared server and managing its API tokens.

Both work on a local store file (the server's), never through a server: tokens are
made by whoever can read that file, which is the server's operator.
"""

from __future__ import annotations

import argparse

from ..domain.text import one_line
from ..domain.timefmt import format_ts
from ..store.tokens import TokenInfo, TokenStore
from .backend import Backend, local_backend
from .commands import Context, err, out, print_json
from .exits import OK, CliError


def _server_file(ctx: Context) -> Backend:
    backend = local_backend(ctx.backend, "the server's store")
    if backend.db.is_dir():
        raise CliError(f"cannot open the store at {one_line(str(backend.db))}: it is a folder, not a database file")
    return backend


def serve_command(ctx: Context, args: argparse.Namespace) -> int:
    try:
        from ..server.run import serve
    except ModuleNotFoundError:
        raise CliError("the server needs its extra packages: pip install 'expert-tui[server]'") from None
    backend = _server_file(ctx)
    try:
        serve(backend.db, args.host, args.port, args.rate_limit)
    except ModuleNotFoundError:
        raise CliError("the server needs its extra packages: pip install 'expert-tui[server]'") from None
    return OK


def _tokens(ctx: Context) -> TokenStore:
    return TokenStore(_server_file(ctx).db)


def token_command(ctx: Context, args: argparse.Namespace) -> int:
    tokens = _tokens(ctx)
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
