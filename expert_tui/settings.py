"""The person's own settings: one small 0600 JSON file in their config folder.

SPEC 6 (2026-11-29): personal settings (display name, language, time zone for display,
keymap, alerts, undo-send delay, templates' order) belong to the person at the keyboard,
not to the partner account, so they live on the person's machine and never on the server.

The file is read with a size bound and only if it is the person's own private file
(never through a symlink); a file that is missing, unreadable or wrong gives the
defaults and a sentence saying why, never a crash. It is written atomically through
`private_files.replace_privately` (a new 0600 file with a random name, created
exclusively in the private folder, then renamed over the old one), so a crash
mid-write leaves the old settings or the new ones, never half a file. Keys this
version does not know are kept as they were.
"""

from __future__ import annotations

import json
import os
import re
import stat
import time
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .domain.text import one_line
from .i18n import LANGUAGES, _, choose_language, set_language
from .paths import settings_path
from .private_files import UnsafePath, write_private

#: A settings file is a few lines; anything larger is not ours.
MAX_SETTINGS_BYTES = 64 * 1024
#: Names are at most 200 characters everywhere (SPEC 5).
MAX_DISPLAY_NAME_CHARS = 200
#: A keymap binds each action (by its binding id, `task.reply`) to keys (`R`, `ctrl+r,f5`).
MAX_KEYMAP_ENTRIES = 200
_BINDING_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
_KEYS = re.compile(r"[A-Za-z0-9_+-]+(,[A-Za-z0-9_+-]+)*")
DEFAULT_UNDO_SEND_SECONDS = 10
ALERT_MODES = ("off", "bell", "desktop", "osc777")
DEFAULT_ALERT_HOURS = 6
MAX_UNDO_SEND_SECONDS = 60


class SettingsError(Exception):
    """A value or a file that cannot be used; `message` is said to the person as is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class PersonalSettings:
    """What one person chose for themselves. `display_name` signs first replies ("" =
    not chosen yet: the first reply asks); `undo_send_seconds` is how long a sent reply
    waits in the outbox before it leaves (0 = at once)."""

    display_name: str = ""
    undo_send_seconds: int = DEFAULT_UNDO_SEND_SECONDS
    #: The first reply asked for a display name (once: a skipped question is not asked again).
    asked_display_name: bool = False
    #: Alerts when the terminal is not in front: off, bell, desktop (OSC 9) or osc777.
    alerts: str = "off"
    #: A task owed a first answer alerts once under this many hours left.
    alert_hours: int = DEFAULT_ALERT_HOURS
    #: The language of the app's words ("en", "pl"); "" follows the environment
    #: (`EXPERT_TUI_LANG`, then the locale: `i18n.choose_language`).
    language: str = ""
    #: The time zone times are shown in (an IANA name, "Europe/Warsaw"); "" follows `TZ`,
    #: else the system's. Never silently UTC: a partner plans the day in their own time.
    time_zone: str = ""
    #: Remapped keys: binding id → keys, applied with Textual's keymaps (help shows them).
    keymap: dict[str, str] = field(default_factory=dict)
    #: Keys written by another version of the app, written back untouched.
    others: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def changed(self, **changes: Any) -> PersonalSettings:
        """A copy with `changes`, each checked (raises `SettingsError` naming the field)."""
        checked = {name: _CHECKS[name](value) for name, value in changes.items()}
        return replace(self, **checked)


def check_display_name(value: object) -> str:
    """A name that signs messages to merchants: one line of visible text, ≤ 200 characters."""
    if not isinstance(value, str):
        raise SettingsError(_("display name must be text"), "display_name")
    name = value.strip()
    if one_line(name) != name:
        raise SettingsError(_("display name must be one line of plain text (no control characters)"), "display_name")
    if len(name) > MAX_DISPLAY_NAME_CHARS:
        raise SettingsError(
            _("display name is too long ({length} characters; at most {limit})").format(
                length=len(name), limit=MAX_DISPLAY_NAME_CHARS
            ),
            "display_name",
        )
    return name


def check_undo_send_seconds(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_UNDO_SEND_SECONDS:
        raise SettingsError(
            _("undo-send delay must be a whole number of seconds from 0 (off) to {limit}").format(
                limit=MAX_UNDO_SEND_SECONDS
            ),
            "undo_send_seconds",
        )
    return value


def check_flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(_("asked_display_name must be true or false"), "asked_display_name")
    return value


def check_keymap(value: object) -> dict[str, str]:
    """`{"task.reply": "R"}`: ids like `screen.action`, keys as Textual names them."""
    if not isinstance(value, dict) or len(value) > MAX_KEYMAP_ENTRIES:
        raise SettingsError(
            _("keymap must be an object of at most {limit} entries").format(limit=MAX_KEYMAP_ENTRIES), "keymap"
        )
    for binding, keys in value.items():
        if not (isinstance(binding, str) and len(binding) <= 64 and _BINDING_ID.fullmatch(binding)):
            raise SettingsError(
                _("keymap: {name} is not a key's name (like task.reply)").format(
                    name=repr(one_line(str(binding))[:64])
                ),
                "keymap",
            )
        if not (isinstance(keys, str) and len(keys) <= 64 and _KEYS.fullmatch(keys.replace(" ", ""))):
            raise SettingsError(_("keymap: {name} needs keys like 'R' or 'ctrl+r,f5'").format(name=binding), "keymap")
    return {binding: keys.replace(" ", "") for binding, keys in value.items()}


def check_alerts(value: object) -> str:
    if value not in ALERT_MODES:
        raise SettingsError(_("alerts must be one of {modes}").format(modes=", ".join(ALERT_MODES)), "alerts")
    return str(value)


def check_alert_hours(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 71:
        raise SettingsError(_("alert_hours must be a whole number of hours from 1 to 71"), "alert_hours")
    return value


def check_language(value: object) -> str:
    if value not in ("", *LANGUAGES):
        raise SettingsError(
            _("language must be one of {languages}, or empty to follow the environment").format(
                languages=", ".join(LANGUAGES)
            ),
            "language",
        )
    return str(value)


def check_time_zone(value: object) -> str:
    if value == "":
        return ""
    name = value if isinstance(value, str) else ""
    problem = _(
        "time_zone must be an IANA zone name such as Europe/Warsaw, or empty to follow TZ (not {value})"
    ).format(value=repr(str(value)[:40]))
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise SettingsError(problem, "time_zone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SettingsError(problem, "time_zone") from None
    return name


_CHECKS = {
    "display_name": check_display_name,
    "undo_send_seconds": check_undo_send_seconds,
    "asked_display_name": check_flag,
    "keymap": check_keymap,
    "alerts": check_alerts,
    "alert_hours": check_alert_hours,
    "language": check_language,
    "time_zone": check_time_zone,
}


@dataclass
class SettingsFile:
    """The settings file and its current content. `problem` says why the file was not
    used (the defaults are in force), or is None."""

    path: Path = field(default_factory=settings_path)
    current: PersonalSettings = field(init=False)
    problem: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.reload()

    def reload(self) -> PersonalSettings:
        try:
            self.current, self.problem = read_settings(self.path), None
        except SettingsError as error:
            self.current, self.problem = PersonalSettings(), error.message
        return self.current

    def update(self, **changes: Any) -> PersonalSettings:
        """Check, write, then adopt `changes`; on any failure nothing changes (raises
        `SettingsError`)."""
        new = self.current.changed(**changes)
        write_settings(self.path, new)
        self.current, self.problem = new, None
        return new


def use_language(settings: PersonalSettings, environ: Mapping[str, str] = os.environ) -> str:
    """Speak the language `settings` chose, else the environment's (`i18n.choose_language`),
    from now on; returns it. The one way the CLI and the TUI pick their language, at start
    and again when the person changes it (no restart: every word is looked up when drawn)."""
    lang = choose_language(settings.language or None, environ)
    set_language(lang)
    return lang


def use_time_zone(settings: PersonalSettings, environ: MutableMapping[str, str] = os.environ) -> str:
    """Show times in the zone `settings` chose (the process's local time: `TZ`), else
    leave `TZ` or the system's zone as it is; returns the zone's name now in force."""
    if settings.time_zone:
        environ["TZ"] = settings.time_zone
        time.tzset()
    return time.tzname[0]


def local_zone() -> tzinfo:
    """The zone times are shown in now (`use_time_zone` put it in force): what a saved
    reply's {deadline} is written in, with its name."""
    return datetime.now().astimezone().tzinfo or UTC


def read_settings(path: Path) -> PersonalSettings:
    """The settings in `path`; the defaults when there is no file yet. Raises
    `SettingsError` for a file that is not the person's own private regular file, too
    large, not JSON, or holding a wrong value."""
    try:
        # O_NONBLOCK: a FIFO put in its place must not hang the start-up.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return PersonalSettings()
    except OSError as error:
        raise SettingsError(
            _("{path}: cannot be read ({reason}) — using the defaults").format(
                path=path, reason=error.strerror or error
            )
        ) from None
    try:
        _check_private(os.fstat(fd), path)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(MAX_SETTINGS_BYTES + 1)
    if len(raw) > MAX_SETTINGS_BYTES:
        raise SettingsError(
            _("{path}: larger than {size} KiB, not a settings file — ignored").format(
                path=path, size=MAX_SETTINGS_BYTES // 1024
            )
        )
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SettingsError(
            _("{path}: not valid JSON ({error}) — using the defaults").format(path=path, error=error)
        ) from None
    if not isinstance(data, dict):
        raise SettingsError(_("{path}: expected a JSON object — using the defaults").format(path=path))
    known = {name: data[name] for name in _CHECKS if name in data}
    others = {name: value for name, value in data.items() if name not in _CHECKS}
    try:
        return PersonalSettings(others=others).changed(**known)
    except SettingsError as error:
        raise SettingsError(
            _("{path}: {problem} — using the defaults").format(path=path, problem=error.message), error.field
        ) from None


def write_settings(path: Path, settings: PersonalSettings) -> None:
    """Replace the file atomically with `settings` (raises `SettingsError` on failure)."""
    data = {
        **settings.others,
        "display_name": settings.display_name,
        "undo_send_seconds": settings.undo_send_seconds,
        "asked_display_name": settings.asked_display_name,
    }
    if settings.keymap:
        data["keymap"] = settings.keymap
    if settings.language:
        data["language"] = settings.language
    if settings.time_zone:
        data["time_zone"] = settings.time_zone
    if settings.alerts != "off" or settings.alert_hours != DEFAULT_ALERT_HOURS:
        data |= {"alerts": settings.alerts, "alert_hours": settings.alert_hours}
    payload = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    try:
        write_private(path, payload)
    except UnsafePath as error:
        raise SettingsError(_("settings could not be saved: {reason}").format(reason=error.message)) from None
    except OSError as error:
        raise SettingsError(
            _("settings could not be saved to {path}: {reason}").format(path=path, reason=error.strerror or error)
        ) from None


def _check_private(info: os.stat_result, path: Path) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise SettingsError(_("{path}: not a regular file — ignored, using the defaults").format(path=path))
    if info.st_uid != os.getuid():
        raise SettingsError(_("{path}: belongs to another user — ignored, using the defaults").format(path=path))
    if info.st_mode & 0o077:
        mode = f"{stat.S_IMODE(info.st_mode):o}"
        raise SettingsError(
            _("{path}: readable by others (mode {mode}; run chmod 600) — ignored, using the defaults").format(
                path=path, mode=mode
            )
        )
