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
from ..i18n import DEFAULT, _, speaking
from ..i18n.formats import money
from .backend import os_reason
from .exits import CliError
from .handlers import Context, out, print_json

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_NULL = {"", "null", "none", "-"}


def preferences_command(ctx: Context, args: argparse.Namespace) -> int:
    if args.preferences_command == "set":
        assigned = _assigned(args.assignments)
        changes = {**(_read_object(args.file) if args.file is not None else {}), **assigned}
        if not changes:
            raise CliError(
                _("nothing to set: give NAME=VALUE pairs (e.g. available=no) or --file F"), field="assignments"
            )
        current = preferences_to_dict(ctx.store.get_preferences())
        unknown = [name for name in changes if name not in current]
        if unknown:
            raise CliError(
                _("no preference {name!r}; the preferences are: {names}").format(
                    name=one_line(unknown[0]), names=", ".join(current)
                ),
                field=unknown[0],
            )
        _check_switches(assigned, current)
        prefs = ctx.store.set_preferences(preferences_from_dict({**current, **changes}))
    else:
        prefs = ctx.store.get_preferences()
    shown = preferences_to_dict(prefs)
    if args.json:
        print_json(shown)
        return 0
    if not sys.stdout.isatty():  # a pipe: the same words in every language, for scripts
        with speaking(DEFAULT):
            lines = [f"{name}\t{_words(name, value, scripts=True)}" for name, value in shown.items()]
    else:
        width = max(map(len, shown))
        lines = [f"{name:<{width}}  {_words(name, value)}" for name, value in shown.items()]
    for line in lines:
        out(line)
    return 0


def _assigned(assignments: list[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name.strip():
            raise CliError(
                _("{assignment!r} is not NAME=VALUE (e.g. available=no)").format(assignment=one_line(assignment)),
                field="assignments",
            )
        changes[name.strip()] = _value(value)
    return changes


def _check_switches(assigned: dict[str, Any], current: dict[str, Any]) -> None:
    """A switch typed as NAME=VALUE is refused in the words the command line takes (the
    domain's "must be true or false" is about JSON, and `available=maybe` is not JSON)."""
    for name, value in assigned.items():
        if isinstance(current[name], bool) and not isinstance(value, bool):
            raise CliError(_("{name} must be yes or no (or true/false, on/off, 1/0)").format(name=name), field=name)


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
            raise CliError(
                _("{text!r} is not valid JSON: {error}").format(text=one_line(text)[:60], error=error),
                field="assignments",
            ) from None
    return text


def _read_object(name: str) -> dict[str, Any]:
    """A JSON object of the fields to change, from a file or standard input ('-'), bounded."""
    try:
        raw = sys.stdin.buffer.read(MAX_TASK_JSON_BYTES + 1) if name == "-" else _read_file(name)
    except OSError as error:
        raise CliError(
            _("cannot read {file}: {reason}").format(file=one_line(name), reason=os_reason(error)), field="file"
        ) from None
    if len(raw) > MAX_TASK_JSON_BYTES:
        raise CliError(
            _("{file} is over {size} KiB: not a preferences object").format(
                file=one_line(name), size=MAX_TASK_JSON_BYTES // 1024
            )
        )
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise CliError(
            _("{file} is not JSON: {error}").format(file=one_line(name), error=error), field="file"
        ) from None
    if not isinstance(data, dict):
        raise CliError(_("{file} holds no JSON object of preferences").format(file=one_line(name)), field="file")
    return data


def _read_file(name: str) -> bytes:
    with Path(name).open("rb") as file:
        return file.read(MAX_TASK_JSON_BYTES + 1)


def _words(name: str, value: Any, *, scripts: bool = False) -> str:
    """One line a person reads (prices as the language writes them) or, for `scripts`, as
    they always were (`300 USD`); names in it come from the partner, so made safe."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or value == "":
        return "-"
    if name == "services" and isinstance(value, list):
        offers = [_("{service} from {price}").format(service=s["name"], price=_price(s, scripts)) for s in value]
        return for_display("; ".join(offers)) if offers else _("none (no tasks are delivered until you add one)")
    return for_display(str(value))


def _price(offer: dict[str, Any], scripts: bool) -> str:
    if scripts:
        return f"{offer['starting_price']:g} {offer['currency']}"
    return money(offer["starting_price"], offer["currency"])
