"""Every path the app uses, in one place, and private creation of files and folders.

These machines are shared: anything holding merchant data or tokens is created
owner-only from the first byte (`os.open`/`os.mkdir` with a mode), never chmod-ed later.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "expert-tui"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def settings_path() -> Path:
    """The person's own settings (display name, undo-send delay, ...): never on a server."""
    return config_dir() / "settings.json"


def default_db_path() -> Path:
    return data_dir() / "tasks.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700; existing folders are left alone."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE_DIR_MODE)
        except FileExistsError:
            continue
    return path


def ensure_private_file(path: Path) -> Path:
    """Create an empty 0600 file if it does not exist yet (before SQLite opens it)."""
    ensure_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return path
    os.close(fd)
    return path
