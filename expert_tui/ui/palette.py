"""The command palette (`ctrl+p`): every action of the screen underneath.

A screen may list its own commands with `palette_commands()` (the task screen does,
so its actions are offered even while the reply editor has the keys); every other
binding the screen answers to right now is offered too. Each command shows its key,
so the palette also teaches the keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..i18n import _


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    name: str
    help: str
    run: Callable[[], Any]
    action: str = ""


def screen_commands(screen: Any) -> list[PaletteCommand]:
    """The screen's own commands, then one per action its bindings offer now."""
    own = getattr(screen, "palette_commands", None)
    commands: list[PaletteCommand] = list(own()) if callable(own) else []
    covered = {command.action for command in commands if command.action}
    app = screen.app
    seen: set[tuple[int, str]] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if not (active.enabled and binding.show and binding.description) or binding.action in covered:
            continue  # hidden bindings are movement keys (scrolling), not commands
        if (id(active.node), binding.action) in seen:
            continue  # one command per action, however many keys it has
        seen.add((id(active.node), binding.action))
        commands.append(
            PaletteCommand(
                with_keys(_(binding.description), [app.get_key_display(binding)]),
                _(binding.tooltip) if binding.tooltip else "",
                partial(app.run_action, binding.action, active.node),
                binding.action,
            )
        )
    return commands


def with_keys(name: str, keys: Iterable[str]) -> str:
    shown = " / ".join(keys)
    return f"{name} ({shown})" if shown else name


class ScreenCommands(Provider):
    """Palette commands for whatever screen the palette was opened on."""

    async def discover(self) -> Hits:
        for command in screen_commands(self.screen):
            yield DiscoveryHit(command.name, command.run, help=command.help or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in screen_commands(self.screen):
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), command.run, text=command.name, help=command.help)
