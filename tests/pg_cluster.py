"""A throwaway PostgreSQL cluster from the machine's own binaries, for tests and benchmarks.

`initdb` and `postgres` refuse to run as root, and tests here (and CI) run as root: the
cluster then belongs to the `postgres` system user (`runuser`), in a folder of its own.
It listens on 127.0.0.1 at a free port and on a socket in that folder, trusts local
connections (nothing else can reach it), and runs with fsync off: it is thrown away at
the end, so durability would only cost time.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: Debian's PostgreSQL 15, where `apt-get install postgresql-15` puts it.
BIN = Path(os.environ.get("EXPERT_TUI_PG_BIN", "/usr/lib/postgresql/15/bin"))
_RESTART = ("-m", "fast", "-w", "restart")
HOW_TO_GET = "PostgreSQL 15 binaries not found in {bin}: apt-get install postgresql-15 (or set EXPERT_TUI_PG_BIN)"


@dataclass(frozen=True, slots=True)
class Cluster:
    port: int
    folder: Path

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """The cluster down (every connection refused) inside, started again on leaving."""
        data, log = str(self.folder / "data"), str(self.folder / "log")
        run = {"check": True, "capture_output": True, "timeout": 120}
        subprocess.run(_as_owner([str(BIN / "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"]), **run)
        try:
            yield
        finally:
            start = [str(BIN / "pg_ctl"), "-D", data, "-w", "-l", log, "-o", _options(self.port, self.folder), "start"]
            subprocess.run(_as_owner(start), **run)

    def restart(self) -> None:
        """Stop (ending every connection, as a crash or a failover does) and start again."""
        subprocess.run(
            _as_owner(
                [str(BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-l", str(self.folder / "log"), *_RESTART]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )


def missing() -> str | None:
    """Why no cluster can be started here (one line saying how to fix it), or None."""
    if not (BIN / "initdb").exists() or not (BIN / "pg_ctl").exists():
        return HOW_TO_GET.format(bin=BIN)
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "no 'postgres' system user to own the test cluster: apt-get install postgresql-15"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _options(port: int, folder: Path) -> str:
    return (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        " -c full_page_writes=off -c synchronous_commit=off -c max_connections=200"
    )


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def running_cluster(prefix: str = "expert-tui-pg-") -> Iterator[Cluster]:
    """Start a fresh cluster; stop it and remove its folder on leaving."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, log = folder / "data", folder / "log"
    initdb = [str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-N", "-E", "UTF8", "--locale=C"]
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    try:
        subprocess.run(_as_owner(initdb), **run)
        for attempt in range(5):
            port = _free_port()
            started = subprocess.run(
                _as_owner(
                    [str(BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(log), "-o", _options(port, folder), "start"]
                ),
                capture_output=True,
                text=True,
                timeout=120,
            )
            if started.returncode == 0:
                break
            if attempt == 4:  # the port was taken between probing and binding, five times
                raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log.read_text()[-2000:]}")
        try:
            yield Cluster(port, folder)
        finally:
            subprocess.run(_as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), **run)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def database_url(url: str | None, prefix: str = "expert-tui-bench-pg-") -> Iterator[str]:
    """`url` when given, else that of a throwaway cluster for the block (for benchmarks:
    `SystemExit` saying how to get the binaries when there are none)."""
    if url is not None:
        yield url
        return
    why = missing()
    if why is not None:
        raise SystemExit(why)
    with running_cluster(prefix=prefix) as cluster:
        yield cluster.url()
