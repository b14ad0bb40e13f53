"""Every path the app uses, in one place.

Creating and opening them safely on a shared machine is `private_files`' job.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "expert-tui"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def settings_path() -> Path:
    """The person's own settings (display name, undo-send delay, ...): never on a server."""
    return config_dir() / "settings.json"


def saved_replies_path() -> Path:
    """The person's saved replies (TOML, editable by hand): on their machine only."""
    return config_dir() / "replies.toml"


def default_db_path() -> Path:
    return data_dir() / "tasks.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"
