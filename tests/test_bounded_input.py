"""Every input has an upper bound (SPEC sections 5 and 6), enforced below the CLI, and a
bad input is one clear line with exit 2, never exit 70."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from expert_tui.domain import FrozenClock, Invalid
from expert_tui.store.sqlite import SqliteStore


def test_an_id_that_is_not_utf8_is_bad_input_not_an_internal_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "expert_tui", "--db", str(tmp_path / "s.db"), "show", os.fsdecode(b"T-\xff")],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.decode() == "expert-tui: argument 4 is not valid UTF-8 text\n"


def test_the_store_refuses_an_id_that_is_not_unicode(tmp_path: Path, clock: FrozenClock) -> None:
    with SqliteStore(tmp_path / "s.db", clock=clock) as store:
        with pytest.raises(Invalid, match="lone surrogate") as error:
            store.get_task("T-\udcff")
        assert error.value.field == "id"
