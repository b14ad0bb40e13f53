"""Personal settings: the person's own 0600 file, read safely, written atomically."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from expert_tui import paths
from expert_tui.settings import (
    DEFAULT_UNDO_SEND_SECONDS,
    MAX_SETTINGS_BYTES,
    PersonalSettings,
    SettingsError,
    SettingsFile,
    read_settings,
    use_time_zone,
    write_settings,
)
from expert_tui.widgets.task_details import format_time


def test_no_file_gives_the_defaults_and_creates_nothing(isolated_home: Path) -> None:
    settings = SettingsFile()
    assert settings.path == paths.config_dir() / "settings.json"
    assert settings.current == PersonalSettings(display_name="", undo_send_seconds=DEFAULT_UNDO_SEND_SECONDS)
    assert settings.problem is None
    assert not settings.path.exists()


def test_update_writes_a_private_file_in_a_private_folder_and_reads_back(isolated_home: Path) -> None:
    settings = SettingsFile()
    settings.update(display_name="  Ola Nowak ", undo_send_seconds=0)
    assert settings.current.display_name == "Ola Nowak"
    assert stat.S_IMODE(settings.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.path.parent.stat().st_mode) == 0o700
    again = SettingsFile()
    assert again.current == PersonalSettings(display_name="Ola Nowak", undo_send_seconds=0)
    assert [p.name for p in settings.path.parent.iterdir()] == ["settings.json"], "no temporary file is left"


def test_keys_of_another_version_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"display_name": "Ola", "spell_check": True}))
    path.chmod(0o600)
    settings = SettingsFile(path)
    settings.update(undo_send_seconds=5)
    assert json.loads(path.read_text()) == {
        "display_name": "Ola",
        "spell_check": True,
        "undo_send_seconds": 5,
        "asked_display_name": False,
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"display_name": "Ola\x1b[31m"}, "display_name"),
        ({"display_name": "Ola\nroot"}, "display_name"),
        ({"display_name": "x" * 201}, "display_name"),
        ({"display_name": 7}, "display_name"),
        ({"undo_send_seconds": -1}, "undo_send_seconds"),
        ({"undo_send_seconds": 61}, "undo_send_seconds"),
        ({"undo_send_seconds": True}, "undo_send_seconds"),
        ({"undo_send_seconds": "10"}, "undo_send_seconds"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"time_zone": "/etc/localtime"}, "time_zone"),
        ({"time_zone": 2}, "time_zone"),
    ],
)
def test_a_wrong_value_is_refused_and_nothing_changes(tmp_path: Path, changes: dict, field: str) -> None:
    settings = SettingsFile(tmp_path / "settings.json")
    with pytest.raises(SettingsError) as refused:
        settings.update(**changes)
    assert refused.value.field == field
    assert settings.current == PersonalSettings()
    assert not settings.path.exists()


def _file(tmp_path: Path, content: bytes, mode: int = 0o600) -> Path:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    path.chmod(mode)
    return path


@pytest.mark.parametrize(
    ("content", "mode", "said"),
    [
        (b"{not json", 0o600, "not valid JSON"),
        (b"[1, 2]", 0o600, "expected a JSON object"),
        (b'{"undo_send_seconds": 3600}', 0o600, "undo-send delay"),
        (b'{"display_name": "Ola"}', 0o644, "readable by others"),
        (b" " * (MAX_SETTINGS_BYTES + 1), 0o600, "larger than"),
        (b"\xff\xfe", 0o600, "not valid JSON"),
    ],
)
def test_a_bad_file_gives_the_defaults_and_says_why(tmp_path: Path, content: bytes, mode: int, said: str) -> None:
    settings = SettingsFile(_file(tmp_path, content, mode))
    assert settings.current == PersonalSettings()
    assert settings.problem is not None and said in settings.problem


def test_a_symlink_is_never_followed_for_reading_or_writing(tmp_path: Path) -> None:
    target = _file(tmp_path, b'{"display_name": "Mallory"}')
    link = tmp_path / "link.json"
    link.symlink_to(target)
    with pytest.raises(SettingsError):
        read_settings(link)
    # Writing replaces the link itself (rename), never writes through it.
    write_settings(link, PersonalSettings(display_name="Ola"))
    assert not link.is_symlink()
    assert json.loads(target.read_text()) == {"display_name": "Mallory"}


def test_a_folder_in_place_of_the_file_is_said(tmp_path: Path) -> None:
    (tmp_path / "settings.json").mkdir()
    settings = SettingsFile(tmp_path / "settings.json")
    assert settings.problem is not None
    with pytest.raises(SettingsError):
        settings.update(display_name="Ola")


def test_paths_names_the_settings_file(isolated_home: Path) -> None:
    assert paths.settings_path().parent == paths.config_dir()
    assert os.fspath(paths.settings_path()).startswith(os.fspath(isolated_home))


def test_a_fifo_in_place_of_the_file_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "settings.json", 0o600)
    settings = SettingsFile(tmp_path / "settings.json")
    assert settings.problem is not None and "not a regular file" in settings.problem


def test_a_keymap_is_kept_and_checked(tmp_path: Path) -> None:
    settings = SettingsFile(tmp_path / "settings.json")
    settings.update(keymap={"task.reply": "R", "task.decline": "x, f5"})
    assert SettingsFile(settings.path).current.keymap == {"task.reply": "R", "task.decline": "x,f5"}
    for wrong, words in (
        ({"reply": "R"}, "not a key's name"),
        ({"task.reply": "R\x1b[31m"}, "needs keys like"),
        ({"task.reply": 5}, "needs keys like"),
        (["task.reply"], "must be an object"),
    ):
        with pytest.raises(SettingsError) as refused:
            settings.update(keymap=wrong)
        assert refused.value.field == "keymap" and words in refused.value.message


def test_a_time_zone_is_kept_and_times_are_shown_in_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # issue 10: times in the partner's zone (TZ, or this setting), never silently UTC
    settings = SettingsFile(tmp_path / "settings.json")
    settings.update(time_zone="Europe/Warsaw")
    assert read_settings(tmp_path / "settings.json").time_zone == "Europe/Warsaw"
    environ: dict[str, str] = {}
    monkeypatch.setenv("TZ", "UTC")
    try:
        assert use_time_zone(settings.current, os.environ) == "CET"
        assert format_time(datetime(2026, 12, 24, 9, 30, tzinfo=UTC)) == "24 Dec 2026 10:30 CET"
        assert use_time_zone(PersonalSettings(), environ) == "CET" and environ == {}  # "": TZ left as it is
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
