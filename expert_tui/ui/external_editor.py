"""A reply written in the partner's own editor (`$VISUAL`, else `$EDITOR`, else `vi`), the way
git and aerc hand a long text over, and back into the app's editor and draft.

The text goes through a file only the partner can read (0600, in a 0700 folder of the
app's own, created without following a link) and is removed afterwards. What comes back
is bounded like any draft, and decoded leniently: an editor that saved in another
encoding costs a replacement character, never the text.
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import uuid
from collections.abc import Mapping
from pathlib import Path

from textual.app import App, SuspendNotSupported

from .. import paths
from ..domain.limits import MAX_DRAFT_CHARS
from ..i18n import _
from ..private_files import UnsafePath, create_private, ensure_private_dir

#: What is read back: a draft's bound, four bytes a character at most.
MAX_EDITED_BYTES = 4 * MAX_DRAFT_CHARS


class EditorFailed(Exception):
    """The editor did not give a text back; `str()` says why, in words."""


def editor_command(environ: Mapping[str, str]) -> list[str]:
    """The partner's editor as argv (`$VISUAL` first, as Unix tools do; `code --wait` works)."""
    chosen = environ.get("VISUAL", "").strip() or environ.get("EDITOR", "").strip() or "vi"
    try:
        command = shlex.split(chosen)
    except ValueError:
        raise EditorFailed(
            _("$VISUAL/$EDITOR cannot be read as a command: {command}").format(command=chosen[:80])
        ) from None
    return command or ["vi"]


def _read_back(path: Path) -> bytes:
    """The edited file, bounded. Editors that save by writing a new file and renaming it
    (vim's default) leave it with the umask's mode: the 0700 folder keeps it private, so
    only the owner and the kind of file are checked, on the open file, never via a link."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            raise OSError(_("{path} is not your own file any more").format(path=path))
        return stream.read(MAX_EDITED_BYTES + 1)


def edit_text(app: App[object], text: str, folder: Path | None = None, environ: Mapping[str, str] = os.environ) -> str:
    """Hand `text` to the partner's editor with the app suspended; the edited text back.

    Raises `EditorFailed` when no text comes back (no editor, a non-zero exit, a
    terminal that cannot hand over); the caller keeps its text as it was then."""
    command = editor_command(environ)
    folder = paths.data_dir() / "editing" if folder is None else folder
    try:
        ensure_private_dir(folder)
        path = folder / f"reply-{uuid.uuid4().hex}.txt"
        with os.fdopen(create_private(path), "w", encoding="utf-8") as stream:
            stream.write(text)
    except (OSError, UnsafePath) as error:
        raise EditorFailed(_("the text could not be handed over: {reason}").format(reason=error)) from None
    try:
        try:
            with app.suspend():
                done = subprocess.run([*command, str(path)], check=False)
        except SuspendNotSupported:
            raise EditorFailed(_("this terminal cannot hand the screen to an editor")) from None
        except FileNotFoundError:
            raise EditorFailed(_("{editor} was not found — set $VISUAL or $EDITOR").format(editor=command[0])) from None
        if done.returncode != 0:
            raise EditorFailed(
                _("{editor} ended with exit code {code}: the reply is as it was").format(
                    editor=command[0], code=done.returncode
                )
            )
        try:
            edited = _read_back(path)
        except OSError as error:
            raise EditorFailed(_("the edited text could not be read: {reason}").format(reason=error)) from None
        if len(edited) > MAX_EDITED_BYTES:
            raise EditorFailed(
                _("the edited text is over {mb} MB: the reply is as it was").format(
                    mb=MAX_EDITED_BYTES // (1024 * 1024)
                )
            )
        return edited.decode("utf-8", errors="replace").removesuffix("\n")
    finally:
        path.unlink(missing_ok=True)
