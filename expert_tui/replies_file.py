"""The person's saved replies: one TOML file in their config folder, 0600.

TOML because a partner may well open it in their own editor (multi-line texts read as
they are, between `\"\"\"`), and because stdlib `tomllib` reads it. It is written with
`tomli_w` (the writer half of the same project) through `private_files.replace_privately`,
so a crash mid-write leaves the old file or the new one, and the file is private from its
first byte. It is read only when it is the person's own private regular file (never
through a symlink, never a FIFO), at most `MAX_FILE_BYTES`; every reply in it is checked as
the app checks one typed in. A file that cannot be used is said in one sentence, in the
person's language (the saved-replies screen and `templates` show it), and the app goes on
with the built-in templates only; it is never overwritten until the person
saves a reply again (then it holds what they see).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from .domain.saved_replies import (
    MAX_BODY_CHARS,
    MAX_NAME_CHARS,
    MAX_SAVED_REPLIES,
    SavedReply,
    TemplateError,
    check_body,
    check_name,
    name_key,
)
from .i18n import _, ngettext
from .paths import saved_replies_path
from .private_files import UnsafePath, read_private, write_private

#: 200 replies of a few KiB each fit many times over; a bigger file is not ours.
MAX_FILE_BYTES = 1024 * 1024
FORMAT_VERSION = 1
_HEADER = (
    "# expert-tui saved replies (edit in the app: ctrl+t then m in the reply editor, or here).\n"
    "# Variables like {merchant_first_name} are filled in from the task; {name|fallback} is used\n"
    "# when the task leaves it empty; {{ and }} write a brace. `expert-tui templates list` shows them.\n\n"
)


class RepliesFileError(Exception):
    """A file or a change that cannot be used; `message` is said to the person as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_replies(path: Path) -> tuple[SavedReply, ...]:
    """The saved replies in `path` (none when there is no file yet); raises
    `RepliesFileError` naming the file and what is wrong with it."""
    try:
        # O_NONBLOCK: a FIFO put in its place must not hang the start-up.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return ()
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise RepliesFileError(
                _("{path}: a symbolic link — ignored (give the real file its place)").format(path=path)
            ) from None
        raise RepliesFileError(
            _("{path}: cannot be read ({reason})").format(path=path, reason=error.strerror or error)
        ) from None
    with os.fdopen(fd, "rb") as handle:
        _check_private(os.fstat(handle.fileno()), path)
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise RepliesFileError(
            _("{path}: larger than {size} MiB, not a saved-replies file").format(
                path=path, size=MAX_FILE_BYTES // 1024 // 1024
            )
        )
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise RepliesFileError(_("{path}: not UTF-8 text").format(path=path)) from None
    except tomllib.TOMLDecodeError as error:
        raise RepliesFileError(_("{path}: not valid TOML ({reason})").format(path=path, reason=error)) from None
    return _replies_in(data, path)


def _replies_in(data: dict[str, object], path: Path) -> tuple[SavedReply, ...]:
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise RepliesFileError(
            _("{path}: written by another version of expert-tui (version {version})").format(
                path=path, version=repr(version)
            )
        )
    entries = data.get("reply", [])
    if not isinstance(entries, list):
        raise RepliesFileError(_("{path}: 'reply' must be a list of [[reply]] tables").format(path=path))
    if len(entries) > MAX_SAVED_REPLIES:
        raise RepliesFileError(
            ngettext(
                "{path}: {n} saved reply; at most {limit}", "{path}: {n} saved replies; at most {limit}", len(entries)
            ).format(path=path, n=len(entries), limit=MAX_SAVED_REPLIES)
        )
    replies: list[SavedReply] = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise RepliesFileError(_("{path}: reply {number} is not a table").format(path=path, number=number))
        try:
            name = check_name(entry.get("name"), tuple(reply.name for reply in replies))
            body = check_body(entry.get("body"))
        except TemplateError as error:
            named = entry.get("name")
            said = (
                _("{path}: reply {number} ({name}): {problem}").format(
                    path=path, number=number, name=repr(named), problem=error.message
                )
                if isinstance(named, str)
                else _("{path}: reply {number}: {problem}").format(path=path, number=number, problem=error.message)
            )
            raise RepliesFileError(said) from None
        replies.append(SavedReply(name, body))
    return tuple(replies)


def dumps(replies: tuple[SavedReply, ...]) -> str:
    """The file's text for `replies` (texts as multi-line strings, as typed)."""
    document = {
        "version": FORMAT_VERSION,
        "reply": [{"name": reply.name, "body": reply.body} for reply in replies],
    }
    return _HEADER + tomli_w.dumps(document, multiline_strings=True)


def write_replies(path: Path, replies: tuple[SavedReply, ...]) -> None:
    """Replace the file atomically (raises `RepliesFileError` on failure)."""
    payload = dumps(replies)
    try:
        write_private(path, payload)
    except UnsafePath as error:
        raise RepliesFileError(_("saved replies could not be saved: {reason}").format(reason=error.message)) from None
    except OSError as error:
        raise RepliesFileError(
            _("saved replies could not be saved to {path}: {reason}").format(path=path, reason=error.strerror or error)
        ) from None


@dataclass(frozen=True, slots=True)
class EditDraft:
    """A saved reply being written, kept as it is typed (nothing typed is lost, even in a
    crash): `editing` names the saved reply it changes, None for a new one."""

    editing: str | None
    name: str
    body: str


def read_edit_draft(path: Path) -> EditDraft | None:
    """The edit kept in `path`, or None (no file, or one that is not a draft of ours)."""
    try:
        data = json.loads(read_private(path, 4 * (MAX_BODY_CHARS + MAX_NAME_CHARS) + 4096).decode("utf-8"))
    except (OSError, UnsafePath, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    editing, name, body = data.get("editing"), data.get("name"), data.get("body")
    if not (editing is None or isinstance(editing, str)) or not isinstance(name, str) or not isinstance(body, str):
        return None
    return EditDraft(editing, name, body)


@dataclass
class RepliesFile:
    """The saved-replies file and what it holds. `problem` says why the file was not
    used (only the built-ins are offered), or is None. Every change is checked, written,
    then adopted: on any failure nothing changes and `RepliesFileError` says why."""

    path: Path = field(default_factory=saved_replies_path)
    replies: tuple[SavedReply, ...] = field(init=False, default=())
    problem: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.reload()

    def reload(self) -> tuple[SavedReply, ...]:
        try:
            self.replies, self.problem = read_replies(self.path), None
        except RepliesFileError as error:
            self.replies, self.problem = (), error.message
        return self.replies

    def add(self, name: str, body: str) -> SavedReply:
        if len(self.replies) >= MAX_SAVED_REPLIES:
            raise RepliesFileError(
                _("at most {limit} saved replies — delete one first").format(limit=MAX_SAVED_REPLIES)
            )
        reply = SavedReply(self._checked_name(name), self._checked_body(body))
        self._save((*self.replies, reply))
        return reply

    def change(self, old_name: str, name: str, body: str) -> SavedReply:
        """Rename and/or rewrite the reply now named `old_name`, where it stands."""
        index = self._index(old_name)
        others = tuple(reply.name for n, reply in enumerate(self.replies) if n != index)
        reply = SavedReply(self._checked_name(name, others), self._checked_body(body))
        self._save((*self.replies[:index], reply, *self.replies[index + 1 :]))
        return reply

    def delete(self, name: str) -> SavedReply:
        index = self._index(name)
        gone = self.replies[index]
        self._save(self.replies[:index] + self.replies[index + 1 :])
        return gone

    def move(self, name: str, by: int) -> int:
        """Move the reply `by` places (-1 up, 1 down) in the order it is offered; returns
        its new index."""
        index = self._index(name)
        target = max(0, min(len(self.replies) - 1, index + by))
        if target != index:
            replies = list(self.replies)
            replies.insert(target, replies.pop(index))
            self._save(tuple(replies))
        return target

    # --- the edit being typed ------------------------------------------------------------------
    @property
    def edit_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".editing.json")

    def edit_draft(self) -> EditDraft | None:
        return read_edit_draft(self.edit_path)

    def keep_edit(self, draft: EditDraft) -> None:
        """Keep what is being typed (0600, whole or not at all); raises `RepliesFileError`."""
        payload = json.dumps({"editing": draft.editing, "name": draft.name, "body": draft.body}, ensure_ascii=False)
        try:
            write_private(self.edit_path, payload)
        except (OSError, UnsafePath) as error:
            raise RepliesFileError(
                _("the edit could not be kept in {path}: {reason}").format(path=self.edit_path, reason=error)
            ) from None

    def drop_edit(self) -> None:
        """Saved or discarded: the kept edit goes."""
        with contextlib.suppress(OSError):  # a folder in its place: read_edit_draft ignores it
            self.edit_path.unlink(missing_ok=True)

    def _index(self, name: str) -> int:
        key = name_key(name)
        for index, reply in enumerate(self.replies):
            if name_key(reply.name) == key:
                return index
        raise RepliesFileError(_("no saved reply named {name}").format(name=repr(name)))

    def _checked_name(self, name: str, taken: tuple[str, ...] | None = None) -> str:
        try:
            return check_name(name, tuple(reply.name for reply in self.replies) if taken is None else taken)
        except TemplateError as error:
            raise RepliesFileError(error.message) from None

    @staticmethod
    def _checked_body(body: str) -> str:
        try:
            return check_body(body)
        except TemplateError as error:
            raise RepliesFileError(error.message) from None

    def _save(self, replies: tuple[SavedReply, ...]) -> None:
        if self.problem is not None and os.path.lexists(self.path):
            # Never write over a file that was not read: it may hold replies the app
            # could not take in (a typo made by hand) that the person wants back.
            raise RepliesFileError(_("not saved — {problem}; fix or move the file first").format(problem=self.problem))
        write_replies(self.path, replies)
        self.replies = replies


def _check_private(info: os.stat_result, path: Path) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise RepliesFileError(_("{path}: not a regular file — ignored").format(path=path))
    if info.st_uid != os.getuid():
        raise RepliesFileError(_("{path}: belongs to another user — ignored").format(path=path))
    if info.st_mode & 0o077:
        mode = f"{stat.S_IMODE(info.st_mode):o}"
        raise RepliesFileError(
            _("{path}: readable by others (mode {mode}; run chmod 600) — ignored").format(path=path, mode=mode)
        )
