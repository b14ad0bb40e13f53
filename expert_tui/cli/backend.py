"""Which store a command works on, and opening it with errors a person can act on."""

from __future__ import annotations

import argparse
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from .. import paths
from ..domain import Clock, DomainError, system_clock
from ..domain.text import one_line
from ..i18n import _
from ..private_files import UnsafePath
from ..store import Store, StoreLocked
from .exits import CliError
from .parser import DEFAULT_WAIT_S

if TYPE_CHECKING:
    from ..store.pg_database import PgDatabase

ENV_DB = "EXPERT_TUI_DB"
ENV_SERVER = "EXPERT_TUI_SERVER"
ENV_TOKEN = "EXPERT_TUI_TOKEN"
ENV_PARTNER = "EXPERT_TUI_PARTNER"
#: The partner of a store used without a server (as `SqliteStore` and `PostgresStore` default).
LOCAL_PARTNER = "local"


#: A `--db` (or EXPERT_TUI_DB) value that starts so names a PostgreSQL database, not a file.
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True, slots=True)
class Backend:
    """A local store file, where it came from (for `paths`), and whether it is the demo;
    or, with `url`, a PostgreSQL database (`db` is then unused); or, with `server`, a
    shared server (`token_in_argv` when its token was typed on the command line)."""

    db: Path
    source: str
    demo: bool = False
    url: str | None = None
    server: str | None = None
    token: str | None = field(default=None, repr=False)
    token_in_argv: bool = False
    #: Whose tasks, in a store (file or database) a server shares among partners.
    partner: str = LOCAL_PARTNER

    @property
    def where(self) -> str:
        """Where the store is, fit to print: a URL without its password, or the server."""
        if self.server is not None:
            return self.server
        return str(self.db) if self.url is None else _without_password(self.url)

    @property
    def located(self) -> str:
        """Where the tasks are, for messages: "in the store at ..." or "on the server at ..."."""
        return (_("on the server at {where}") if self.server else _("in the store at {where}")).format(where=self.where)


def _from_value(value: str, source: str) -> Backend:
    if value.startswith(POSTGRES_SCHEMES):
        return Backend(Path(), source, url=value)
    return Backend(Path(value).expanduser(), source)


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = f"{parts.username or ''}:***@{netloc.rpartition('@')[2]}"
    query = "&".join(f"{key}=***" if key == "password" else f"{key}={value}" for key, value in parse_qsl(parts.query))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def choose_backend(args: argparse.Namespace) -> Backend:
    """Options beat the environment, which beats the config file of `expert-tui login`;
    two backends at once is a usage error, not a guess."""
    backend = _choose_backend(args)
    if backend.server is not None:
        if getattr(args, "account", None):
            raise CliError("--account is for a store opened with --db: a server knows the partner from the token")
        return backend
    partner = getattr(args, "account", None) or os.environ.get(ENV_PARTNER)
    return replace(backend, partner=partner) if partner else backend


def _choose_backend(args: argparse.Namespace) -> Backend:
    if getattr(args, "command", None) in ("login", "logout"):
        return Backend(paths.default_db_path(), "login")  # they pick the server themselves
    db = getattr(args, "db", None)
    server = getattr(args, "server", None)
    demo = getattr(args, "demo", False)
    chosen = [name for name, value in (("--db", db), ("--server", server), ("--demo", demo)) if value]
    if len(chosen) > 1:
        raise CliError(f"choose one backend: {' and '.join(chosen)} were both given")
    if demo:
        return Backend(paths.demo_db_path(), "--demo", demo=True)
    if db:
        return _from_value(db, "--db")
    if server:
        return _remote(args, server, "--server")
    env_db, env_server = os.environ.get(ENV_DB), os.environ.get(ENV_SERVER)
    if env_server:
        if env_db:
            raise CliError(f"choose one backend: both {ENV_DB} and {ENV_SERVER} are set")
        return _remote(args, env_server, ENV_SERVER)
    if env_db:
        return _from_value(env_db, ENV_DB)
    if getattr(args, "command", None) not in LOCAL_ONLY:
        from .remote_config import config_path, load

        config = load()
        if config is not None:
            return _remote(args, config.server, str(config_path()), config.token)
    if getattr(args, "token", None):
        raise CliError("--token needs a server: give --server URL (or set EXPERT_TUI_SERVER)")
    return Backend(paths.default_db_path(), "default")


#: Commands that work on a store file on this machine, whatever `expert-tui login` chose.
LOCAL_ONLY = frozenset({"serve", "token"})


def _remote(args: argparse.Namespace, server: str, source: str, saved_token: str | None = None) -> Backend:
    """A server backend and its token: --token, else EXPERT_TUI_TOKEN, else the login's."""
    typed = getattr(args, "token", None)
    token = typed or os.environ.get(ENV_TOKEN) or saved_token
    if not token:
        raise CliError(
            f"the server ({source}) needs a token: set {ENV_TOKEN}, run `expert-tui login --server URL`,"
            " or give --token"
        )
    return Backend(paths.default_db_path(), source, server=server, token=token, token_in_argv=bool(typed))


def local_backend(backend: Backend, what: str) -> Backend:
    """The store of a command that works on the store itself, never through a server
    (`serve`, `token`): a file, or a PostgreSQL database."""
    if backend.demo:
        raise CliError(f"{what} is a store file of its own, not the demo — give --db PATH|URL or none")
    if backend.server:
        raise CliError(f"{what} is a store file or database, not a server — give --db PATH|URL or none")
    return backend


def open_store(
    backend: Backend,
    clock: Clock,
    *,
    create: bool = False,
    wait: float = DEFAULT_WAIT_S,
    on_busy: Callable[[], None] | None = None,
    offline: bool = False,
) -> Store:
    """Open the store, or fail with one line saying why.

    Only `create=True` (import, the TUI after asking) makes a new store: a mistyped
    `--db` must fail loudly, not answer from an empty store it just created. `offline`
    (the TUI): a server out of reach that this token has met before still opens, to be
    waited for; a command fails instead (exit 69).
    """
    if backend.server is not None:
        return _open_remote(backend, clock, offline=offline)
    from ..store.sqlite import SqliteStore

    if backend.url is not None:
        return _open_postgres(backend, clock, create=create)
    where = one_line(str(backend.db))
    if backend.db.is_dir():
        raise cannot_open(where, _("it is a folder, not a database file"))
    if not create and not backend.demo and not backend.db.exists():
        raise missing_store(backend)
    try:
        if backend.demo:
            from ..demo import open_demo_store

            return open_demo_store(backend.db, clock)
        store = SqliteStore(backend.db, clock=clock, partner=backend.partner, busy_timeout=wait, on_busy=on_busy)
    except UnsafePath as error:
        raise CliError(error.message) from None
    except DomainError as error:  # e.g. a store written by a newer expert-tui
        raise cannot_open(where, one_line(error.message)) from None
    except sqlite3.DatabaseError as error:
        if "locked" in str(error):
            raise StoreLocked(wait) from None
        raise cannot_open(where, _sqlite_reason(error)) from None
    except OSError as error:
        raise cannot_open(where, os_reason(error)) from None
    if not create and backend.source == "default" and store.latest_event() == 0:
        # An empty file at the default path (an older version created one on any
        # command) is no store either, until something is imported.
        store.close()
        raise missing_store(backend)
    return store


def store_exists(backend: Backend) -> bool:
    """Whether `open_store` without `create` would find a store (the TUI asks if not).
    A server always has one (and asking it here would need it to answer)."""
    if backend.demo or backend.server is not None:
        return True
    try:
        open_store(backend, system_clock).close()
    except CliError as error:
        return error.error_code != "not_found"
    return True


def cannot_open(where: str, reason: str) -> CliError:
    return CliError(_("cannot open the store at {where}: {reason}").format(where=where, reason=reason))


def missing_store(backend: Backend) -> CliError:
    return CliError(
        _("no store at {where} (import creates one)").format(where=one_line(backend.where)), error_code="not_found"
    )


def open_database(backend: Backend, *, create: bool) -> PgDatabase:
    """The PostgreSQL database of `backend` (for `serve` and `token`), or one line why not."""
    with _postgres_errors(backend):
        from ..store.pg_database import PgDatabase

        return PgDatabase(backend.url or "", create=create)


def _open_postgres(backend: Backend, clock: Clock, *, create: bool) -> Store:
    with _postgres_errors(backend):
        from ..store.postgres import PostgresStore

        return PostgresStore(backend.url or "", clock=clock, partner=backend.partner, create=create)


@contextmanager
def _postgres_errors(backend: Backend) -> Iterator[None]:
    """Opening a database: every failure is one line naming it (without its password)."""
    where = one_line(backend.where)
    try:
        import psycopg

        from ..store.pg_database import MissingDatabaseStore
    except ImportError:
        raise cannot_open(
            where, _("PostgreSQL support is not installed — pip install 'expert-tui[postgres]'")
        ) from None
    try:
        yield
    except MissingDatabaseStore:
        raise missing_store(backend) from None
    except DomainError as error:  # e.g. a database written by a newer expert-tui
        raise cannot_open(where, one_line(error.message)) from None
    except (psycopg.Error, ValueError) as error:  # unreachable, refused, a malformed URL
        raise cannot_open(where, one_line(str(error)) or type(error).__name__) from None


def _open_remote(backend: Backend, clock: Clock, *, offline: bool = False) -> Store:
    from ..domain import Invalid
    from ..store.remote import RemoteStore

    assert backend.server is not None and backend.token is not None
    try:
        return RemoteStore(backend.server, backend.token, clock=clock, offline=offline)
    except Invalid as error:  # the address itself is wrong
        raise CliError(one_line(error.message)) from None


def _sqlite_reason(error: sqlite3.Error) -> str:
    text = str(error)
    if "not a database" in text or "malformed" in text:
        return "the file is not an expert-tui database, or it is damaged"
    return one_line(text) or type(error).__name__


def os_reason(error: OSError) -> str:
    """'No such file or directory' rather than '[Errno 2] No such file or directory: ...'."""
    if error.strerror:
        return error.strerror.lower()
    return one_line(str(error)) or type(error).__name__
