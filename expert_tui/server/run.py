"""`expert-tui serve`: uvicorn on the app, loopback unless told otherwise."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Mailing
    from .pool import ChangeBell

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
    config = uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning", server_header=False)
    stopping_server(config, app.fastapi.state.bell).run()


def stopping_server(config: Any, bell: ChangeBell) -> Any:
    """uvicorn's server, which on ctrl+c (or SIGTERM) also answers the long-polls waiting
    for changes: uvicorn waits for every request in flight before it stops, and each TUI
    keeps one waiting up to 25 s (its clients ask again, of the next server)."""
    import uvicorn

    class Stopping(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            bell.close()
            super().handle_exit(sig, frame)

    return Stopping(config)
