"""`expert-tui serve`: uvicorn on the app, loopback unless told otherwise."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import Mailing

INSTALL_HINT = "the server needs its extra packages: pip install 'expert-tui[server]'"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    db: Path | str,
    host: str,
    port: int,
    rate_limit: float,
    mailing: Mailing | None = None,
    *,
    where: str | None = None,
) -> None:
    """Run until interrupted. Raises `ModuleNotFoundError` without the server extra.

    `db` is a SQLite file or a PostgreSQL URL; `where` says which, fit to print (a URL
    without its password)."""
    import uvicorn

    from .app import create_app

    app = create_app(db, rate_limit=rate_limit, mail=mailing)
    if mailing is None:
        sys.stderr.write("expert-tui: notification e-mails are off (no --smtp relay given)\n")
    else:
        sys.stderr.write(
            f"expert-tui: notification e-mails go through {mailing.relay.config.where} from {mailing.settings.sender}\n"
        )
    if not is_loopback(host):
        sys.stderr.write(
            f"expert-tui: warning: listening on {host}, beyond this machine: tokens and merchant data travel in"
            " clear text unless TLS terminates in front (see README, 'Sharing one store')\n"
        )
    sys.stderr.write(f"expert-tui: serving {where or db} on http://{host}:{port} (ctrl+c stops)\n")
    # No access log: request lines are noise here and headers never belong in a log.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", server_header=False)
