"""The headless core never imports Textual, nor a SQLite server the PostgreSQL driver: proven in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    "module",
    ["expert_tui.domain", "expert_tui.domain.rules", "expert_tui.domain.codec", "expert_tui.store"],
)
def test_core_does_not_import_textual(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_server_on_a_sqlite_file_does_not_load_the_postgresql_driver(tmp_path: Path) -> None:
    """`serve` on SQLite: psycopg and its pool (about 0.1 s of start-up) load only for a database URL."""
    code = (
        "import sys\n"
        "from expert_tui.server.app import create_app\n"
        f"create_app({str(tmp_path / 'server.db')!r})\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'psycopg_pool'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
