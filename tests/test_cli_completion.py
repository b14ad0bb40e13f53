"""Tab completion: `expert-tui completion SHELL` prints the script, and the program answers
the shell's completion requests (argcomplete's protocol) from its one grammar."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from expert_tui.domain import Status


def completions(tmp_path: Path, line: str) -> list[str]:
    """What the shell would be offered for `line` with the cursor at its end."""
    answer = tmp_path / "answer"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
    }
    done = subprocess.run([sys.executable, "-m", "expert_tui"], env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [word.strip() for word in answer.read_text().split("\v")]


def test_commands_options_and_choices_complete(tmp_path: Path) -> None:
    assert completions(tmp_path, "expert-tui li") == ["list"]
    assert set(completions(tmp_path, "expert-tui pre")) == {"preferences"}
    assert set(completions(tmp_path, "expert-tui list --status ")) == {s.value for s in Status}
    assert "--expiring-within" in completions(tmp_path, "expert-tui list --exp")
    assert {"show", "set"} <= set(completions(tmp_path, "expert-tui preferences "))


@pytest.mark.parametrize(
    ("shell", "marker"), [("bash", "complete "), ("zsh", "#compdef expert-tui"), ("fish", "complete ")]
)
def test_each_shell_gets_its_script(shell: str, marker: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "expert_tui", "completion", shell], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stderr == ""
    assert marker in done.stdout and "expert-tui" in done.stdout


def test_an_unknown_shell_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "expert_tui", "completion", "powershell"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "invalid choice" in done.stderr
