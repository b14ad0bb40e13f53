"""The server and token a person uses, in their own config file (`expert-tui login`).

The token is a password: the file is written 0600 from its first byte, atomically (a
new file renamed over the old, so a crash never leaves half a token), and read only
when it is a regular file (not a symlink) of this user that no one else can read.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..i18n import _
from ..private_files import write_private
from .exits import CliError


@dataclass(frozen=True, slots=True)
class RemoteConfig:
    server: str
    token: str


def config_path() -> Path:
    return paths.config_dir() / "server.json"


def load() -> RemoteConfig | None:
    path = config_path()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CliError(
            _("cannot read {path}: {reason} (a symlink is not accepted)").format(
                path=path, reason=error.strerror or error
            )
        ) from None
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            raise CliError(
                _("{path} is not your own regular file — remove it and run `expert-tui login` again").format(path=path)
            )
        if info.st_mode & 0o077:
            raise CliError(
                _("{path} can be read by others — remove it (the token may be known) and log in again").format(
                    path=path
                )
            )
        data = stream.read(64 * 1024)
    try:
        value = json.loads(data)
        config = RemoteConfig(str(value["server"]), str(value["token"]))
    except (ValueError, KeyError, TypeError):
        raise CliError(_("{path} is damaged — run `expert-tui login` again").format(path=path)) from None
    return config


def save(config: RemoteConfig) -> Path:
    path = config_path()
    write_private(path, json.dumps({"server": config.server, "token": config.token}))
    return path


def forget() -> bool:
    try:
        config_path().unlink()
    except FileNotFoundError:
        return False
    return True
