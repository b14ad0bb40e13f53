"""`expert-tui preferences show|set`: the partner's preferences for scripts and people.

`set` changes only the fields it is given (as `PATCH /v1/preferences` does), so a script
that knows one field never wipes the others, including fields added after it was
written. Values are checked by the same code the store and the API use; a wrong one is
refused naming its field, and nothing is saved.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..domain.codec import preferences_from_dict, preferences_to_dict
from ..domain.limits import MAX_TASK_JSON_BYTES
from ..domain.text import for_display, one_line
from .backend import os_reason
from .exits import CliError
from .handlers import Context, out, print_json

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_NULL = {"", "null", "none", "-"}


def preferences_command(ctx: Context, args: argparse.Namespace) -> int:
    if args.preferences_command == "set":
        changes = _changes(args)
        current = preferences_to_dict(ctx.store.get_preferences())
        unknown = [name for name in changes if name not in current]
        if unknown:
            raise CliError(
                f"no preference {one_line(unknown[0])!r}; the preferences are: {', '.join(current)}",
                field=unknown[0],
            )
        prefs = ctx.store.set_preferences(preferences_from_dict({**current, **changes}))
    else:
        prefs = ctx.store.get_preferences()
    shown = preferences_to_dict(prefs)
    if args.json:
        print_json(shown)
        return 0
    tab = not sys.stdout.isatty()
    width = max(map(len, shown))
    for name, value in shown.items():
        text = _words(name, value)
        out(f"{name}\t{text}" if tab else f"{name:<{width}}  {text}")
    return 0


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if args.file is not None:
        changes.update(_read_object(args.file))
    for assignment in args.assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name.strip():
            raise CliError(f"{one_line(assignment)!r} is not NAME=VALUE (e.g. available=no)", field="assignments")
        changes[name.strip()] = _value(value)
    if not changes:
        raise CliError("nothing to set: give NAME=VALUE pairs (e.g. available=no) or --file F", field="assignments")
    return changes


def _value(text: str) -> Any:
    """`yes`/`no` and friends, `none` for an empty date, JSON for a list; else the text."""
    folded = text.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    if folded in _NULL:
        return None
    if text.lstrip()[:1] in ("[", "{"):
        try:
            return json.loads(text)
        except ValueError as error:
            raise CliError(f"{one_line(text)[:60]!r} is not valid JSON: {error}", field="assignments") from None
    return text


def _read_object(name: str) -> dict[str, Any]:
    """A JSON object of the fields to change, from a file or standard input ('-'), bounded."""
    try:
        raw = sys.stdin.buffer.read(MAX_TASK_JSON_BYTES + 1) if name == "-" else _read_file(name)
    except OSError as error:
        raise CliError(f"cannot read {one_line(name)}: {os_reason(error)}", field="file") from None
    if len(raw) > MAX_TASK_JSON_BYTES:
        raise CliError(f"{one_line(name)} is over {MAX_TASK_JSON_BYTES // 1024} KiB: not a preferences object")
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise CliError(f"{one_line(name)} is not JSON: {error}", field="file") from None
    if not isinstance(data, dict):
        raise CliError(f"{one_line(name)} holds no JSON object of preferences", field="file")
    return data


def _read_file(name: str) -> bytes:
    with Path(name).open("rb") as file:
        return file.read(MAX_TASK_JSON_BYTES + 1)


def _words(name: str, value: Any) -> str:
    """One line a person reads; names in it come from the partner, so made safe."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "-"
    if name == "services" and isinstance(value, list):
        offers = [f"{s['name']} from {s['starting_price']:g} {s['currency']}" for s in value]
        return for_display("; ".join(offers)) if offers else "none (no tasks are delivered until you add one)"
    return for_display(str(value))
