"""The real server on a loopback port, for tests: uvicorn in a thread, or a child process.

Port 0: the system picks a free port, so tests running at once never collide.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from expert_tui.domain import Clock, system_clock
from expert_tui.server.app import Mailing, create_app
from expert_tui.store.tokens import TokenStore


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def token_store(db: Path | str) -> TokenStore:
    """The tokens of the store file `db`, or of the PostgreSQL database at the URL `db`."""
    if isinstance(db, str) and db.startswith("postgresql://"):
        from expert_tui.store.pg_database import PgDatabase

        return TokenStore.on_postgres(PgDatabase(db), owned=True)
    return TokenStore(db)


class LiveServer:
    """A running server: its URL, and tokens made on its store (file or database)."""

    def __init__(self, db: Path | str, url: str, app: Any = None) -> None:
        self.db = db
        self.url = url
        self.app = app

    def token(self, partner: str = "ola", user: str | None = None, *, marketplace: bool = False) -> str:
        tokens = token_store(self.db)
        try:
            return tokens.create(partner, user, marketplace=marketplace)[0]
        finally:
            tokens.close()

    def revoke(self, token: str) -> None:
        tokens = token_store(self.db)
        try:
            info = tokens.lookup(token)
            assert info is not None
            tokens.revoke(info.id)
        finally:
            tokens.close()


@contextmanager
def server_in_thread(
    db: Path | str,
    *,
    clock: Clock = system_clock,
    rate_limit: float = 0,
    port: int = 0,
    mail: Mailing | None = None,
) -> Iterator[LiveServer]:
    """The real server in a thread of this process, on a store file or a PostgreSQL URL;
    `port` 0 takes a free one (give the port of a server that was stopped to start it
    again where its clients look)."""
    app = create_app(db, clock=clock, rate_limit=rate_limit, mail=mail)
    # Port 0 through uvicorn's own bind: a socket handed in with `sockets=` loses
    # TCP_NODELAY on its connections, and every answer waits 40 ms for a delayed ACK.
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="error",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name="test-server")
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield LiveServer(db, f"http://127.0.0.1:{port}", app)
    finally:
        app.fastapi.state.bell.close()  # as `serve` does on ctrl+c: waiting long-polls answer now
        server.should_exit = True
        thread.join(timeout=10)


class ServerProcess:
    """`expert-tui serve` as a child process, which a test may kill and start again."""

    def __init__(self, db: Path, port: int, args: tuple[str, ...] = (), env: dict[str, str] | None = None) -> None:
        self.db = db
        self.port = port
        self.args = args
        self.env = env or {}
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "expert_tui", "--db", str(self.db), "serve", "--port", str(self.port), *self.args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.proc.stderr.read().decode() if self.proc.stderr else ''}")
            try:
                httpx.get(self.url + "/openapi.json", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start in 30 s")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def free_port() -> int:
    sock = free_socket()
    try:
        return sock.getsockname()[1]
    finally:
        sock.close()
