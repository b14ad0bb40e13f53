"""The table of task actions (`domain.actions`) as Textual keys.

Each row becomes a binding `act('NAME')` with the row's key, words and tooltip, and an
id (`task.NAME`, `inbox.NAME`) a user's keymap can rebind; a hidden second binding of
the same key, `refuse('NAME')`, is on only while the action is off, and says why. Help
and the command palette read these bindings, so they follow the table too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.binding import Binding

from ..domain.actions import TaskAction


def act(action: TaskAction) -> str:
    """The binding's action string for `action`."""
    return f"act({action.name!r})"


def action_bindings(
    screen: str, actions: Iterable[TaskAction], *, shown: Callable[[TaskAction], bool]
) -> list[Binding]:
    """One binding per action; `shown` says which the footer shows."""
    return [
        Binding(
            action.key, act(action), action.label, show=shown(action), id=f"{screen}.{action.name}", tooltip=action.help
        )
        for action in actions
    ]


def refusal_bindings(actions: Iterable[TaskAction]) -> list[Binding]:
    """The same keys, hidden, for when the action is off: the screen says why."""
    return [Binding(action.key, f"refuse({action.name!r})", show=False) for action in actions]


def keys_of(bindings: Iterable[tuple[str, Binding]], key_display: Callable[[Binding], str]) -> dict[str, str]:
    """The key shown for each binding action (remapped keys included), first binding first."""
    keys: dict[str, str] = {}
    for _key, binding in bindings:
        keys.setdefault(binding.action, key_display(binding))
    return keys
