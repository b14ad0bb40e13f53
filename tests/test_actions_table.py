"""One table of task actions (`domain.actions`): the keys of both screens, help, the
palette and the CLI are the table's, so a new action is one row (plus its store method).

Each set below is compared with the table's as a whole: a row added to the table and
missing anywhere (or a key, a command, a palette entry with no row) fails here.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from task_ui import TaskApp, make_store, message, opened, task_record, terminal_output, until
from textual.actions import parse
from textual.binding import Binding

from expert_tui.cli.handlers import HANDLERS
from expert_tui.cli.parser import build_parser
from expert_tui.domain import AccessStatus, FrozenClock, Status
from expert_tui.domain.actions import BY_NAME, TASK_ACTIONS, allowed_actions, allows
from expert_tui.domain.rules import Open
from expert_tui.domain.timefmt import format_ts
from expert_tui.screens.dialogs import ConfirmKey
from expert_tui.screens.help import HelpScreen, help_groups
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.task import TaskScreen
from expert_tui.store.base import Store
from expert_tui.ui.palette import screen_commands

pytestmark = pytest.mark.anyio


def acts(bindings: list[Binding], *, shown: bool | None = None) -> dict[str, str]:
    """The task actions bound in `bindings`: name -> key."""
    found = {}
    for binding in bindings:
        _namespace, name, parameters = parse(binding.action)
        if name == "act" and (shown is None or binding.show is shown):
            found[str(parameters[0])] = binding.key
    return found


def talking(now, task_id: str = "T-1", status: str = "responded") -> dict:
    return task_record(
        task_id,
        now=now,
        status=status,
        messages=[message("m1", "partner", "Hello Anna, happy to help.", now - timedelta(hours=1), name="Ola")],
    )


def screen_text(pilot) -> list[str]:
    return terminal_output(pilot.app)[0].split()


def test_the_screens_keys_are_the_tables() -> None:
    table = {action.name: action.key for action in TASK_ACTIONS}
    task_bindings = [b for b in TaskScreen.BINDINGS if isinstance(b, Binding)]
    assert acts(task_bindings) == table
    inbox_bindings = [b for b in InboxScreen.BINDINGS if isinstance(b, Binding)]
    assert acts(inbox_bindings) == {a.name: a.key for a in TASK_ACTIONS if a.inbox}
    assert set(acts(inbox_bindings, shown=True)) == {a.name for a in TASK_ACTIONS if a.inbox and a.inbox_footer}
    # Every action key also says why when the action is off (a hidden `refuse` binding).
    refusals = {str(parse(b.action)[2][0]): b.key for b in task_bindings if parse(b.action)[1] == "refuse"}
    assert refusals == table


def test_the_commands_are_the_tables() -> None:
    commands = {a.command for a in TASK_ACTIONS}
    parser = build_parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    assert commands <= set(subcommands) and commands <= set(HANDLERS)
    for action in TASK_ACTIONS:
        assert callable(getattr(Store, action.store_method)), action.store_method
    # Store access records the consent its confirmation stands for, as an option.
    assert "--merchant-consented" in subcommands["store-access"].format_help()


def test_allowed_actions_come_from_the_rules_alone(clock: FrozenClock) -> None:
    """No second copy of the status rules: a row is allowed exactly when `apply` takes its probe."""
    from expert_tui.domain.codec import task_from_dict

    task = task_from_dict(talking(clock()), clock(), keep_state=True)
    assert allowed_actions(task, clock()) == {Open} | {a.rule for a in TASK_ACTIONS if allows(a, task, clock())}
    assert {a.name for a in TASK_ACTIONS if allows(a, task, clock())} == {
        "reply",
        "decline",
        "note",
        "inactive",
        "complete",
        "store_access",
    }


async def test_help_and_palette_list_the_tables_actions(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, talking(clock()))
    async with TaskApp(store, clock).run_test(size=(120, 60)) as pilot:
        screen = await opened(pilot)
        task = screen.current
        assert task is not None
        rows = {row.description: row for group in help_groups(screen) for row in group.rows}
        for action in TASK_ACTIONS:
            assert action.key in rows[action.label].keys, action.name
            assert rows[action.label].available == allows(action, task, clock()), action.name
        names = {command.name for command in screen_commands(screen)}
        offered = {a.name for a in TASK_ACTIONS if f"{a.title} ({a.key})" in names}
        assert offered == {a.name for a in TASK_ACTIONS if allows(a, task, clock())}


async def test_store_access_is_asked_with_the_merchants_consent(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, talking(clock()), talking(clock(), "T-2"))
    async with TaskApp(store, clock).run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await pilot.press("A")
        await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmKey), "the consent question")
        assert "Has the merchant agreed" in terminal_output(pilot.app)[0]
        await pilot.press("n")  # anything but y: nothing is asked, and that is said
        await until(pilot, lambda: isinstance(pilot.app.screen, TaskScreen), "back on the task")
        await until(
            pilot,
            lambda: any("Store access not requested" in str(n.message) for n in pilot.app._notifications),
            "the cancel said",
        )
        assert store.get_task("T-1").store_access.status is AccessStatus.NONE
        await pilot.press("A")
        await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmKey), "the consent question")
        await pilot.press("y")
        await until(pilot, lambda: store.get_task("T-1").store_access.status is AccessStatus.REQUESTED, "requested")
        access = store.get_task("T-1").store_access
        assert access.requested_at == clock() and access.requested_by
        # Asked once: the key now says why not, and the palette no longer offers it.
        screen = pilot.app.screen
        assert isinstance(screen, TaskScreen)
        await until(
            pilot, lambda: screen.current is not None and screen.current.store_access.status.value != "none", "shown"
        )
        assert not any(c.name.startswith(BY_NAME["store_access"].title) for c in screen_commands(screen))
        await pilot.press("A")
        await until(
            pilot, lambda: any("already requested" in str(n.message) for n in pilot.app._notifications), "why not"
        )
    # From the palette too.
    async with TaskApp(store, clock, "T-2").run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await pilot.press("ctrl+p", *"store access")
        await until(pilot, lambda: "Task: request store access (A)" in terminal_output(pilot.app)[0], "offered")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmKey), "the consent question")
        await pilot.press("y")
        await until(pilot, lambda: store.get_task("T-2").store_access.status is AccessStatus.REQUESTED, "requested")


async def test_help_lists_store_access_where_it_is_not_possible(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock).run_test(size=(120, 60)) as pilot:
        await opened(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
        await until(pilot, lambda: "A Store access (not available now)" in " ".join(screen_text(pilot)), "listed")
    assert store.get_task("T-1").status is Status.OPENED


async def test_the_task_shows_store_access_and_the_review(tmp_path: Path, clock: FrozenClock) -> None:
    """Issue 10 item 6: access requested/granted/denied with dates, a review with its rating and comment."""
    now = clock()
    reviewed = talking(now, "T-1", status="completed") | {
        "store_access": {
            "status": "granted",
            "requested_by": "Ola [b]Nowak[/b]",
            "requested_at": format_ts(now - timedelta(hours=3)),
            "decided_at": format_ts(now - timedelta(hours=2)),
        },
        "review": {
            "requested_at": format_ts(now - timedelta(minutes=50)),
            "rating": 4,
            "comment": "Fast and [red]careful[/red]\nwould hire again",
            "reviewed_at": format_ts(now - timedelta(minutes=30)),
        },
    }
    asked = talking(now, "T-2", status="completed") | {
        "store_access": {"status": "requested", "requested_by": "Ola", "requested_at": format_ts(now)},
        "review": {"requested_at": format_ts(now - timedelta(minutes=5))},
    }
    store = make_store(tmp_path / "t.db", clock, reviewed, asked)
    async with TaskApp(store, clock).run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        text = " ".join(screen_text(pilot))
    assert "Store access: granted 28 Nov 2026 04:00 UTC requested 28 Nov 2026 03:00 UTC by Ola [b]Nowak[/b]" in text
    assert "Review: ★★★★☆ 4/5 · 28 Nov 2026 05:30 UTC — Fast and [red]careful[/red] would hire again" in text
    async with TaskApp(store, clock, "T-2").run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        text = " ".join(screen_text(pilot))
    assert "Store access: requested 28 Nov 2026 06:00 UTC by Ola" in text
    assert "Review: requested 28 Nov 2026 05:55 UTC, not given yet" in text


def test_a_new_row_is_a_command_too(tmp_path: Path, clock: FrozenClock, capsys: pytest.CaptureFixture[str]) -> None:
    """`request-review` came with its row: done once, 'already' on a repeat, refused before completion;
    and a denied access is a refusal (exit 1), not 'already'."""
    from expert_tui.cli import main

    now = clock()
    denied = talking(now, "T-3") | {
        "store_access": {"status": "denied", "requested_at": format_ts(now), "decided_at": format_ts(now)}
    }
    make_store(tmp_path / "t.db", clock, talking(now, "T-1", status="completed"), talking(now, "T-2"), denied).close()
    db = ["--db", str(tmp_path / "t.db")]
    assert main([*db, "request-review", "T-1"]) == 0
    assert "T-1: review requested" in capsys.readouterr().out
    assert main([*db, "request-review", "T-1"]) == 0
    assert "review already requested" in capsys.readouterr().out
    assert main([*db, "request-review", "T-2"]) == 1
    assert "only once it is completed" in capsys.readouterr().err
    assert main([*db, "store-access", "T-3", "--merchant-consented"]) == 1
    assert "already denied" in capsys.readouterr().err
