"""How a command's JSON reaches stdout: the one encoder, `--fields`, `--jq`, and errors.

Every JSON document the command line prints goes through `JsonOut`, so each of them is
UTF-8 with terminal-active characters escaped (`domain.jsontext`), shaped by the same
options, and a failure under `--json` is a JSON document too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from ..domain.jsontext import dumps
from ..domain.text import for_display
from .exits import CliError

#: The fields of a task object (SPEC section 5), in the order `task_to_dict` writes them.
TASK_FIELDS = (
    "id",
    "kind",
    "service",
    "title",
    "requirements",
    "business",
    "priorities",
    "budget",
    "merchant",
    "received_at",
    "expires_at",
    "status",
    "first_response_at",
    "last_activity_at",
    "unread",
    "decline",
    "store_access",
    "review",
    "messages",
    "notes",
)
_NONE = object()
#: Left out of lists (`show ID` has them).
CONVERSATION_FIELDS = ("messages", "notes")


def write(text: str) -> None:
    sys.stdout.write(text)


class JsonOut:
    """The JSON side of one command: whether it was asked for, and how to shape it."""

    def __init__(self, args: argparse.Namespace, *, conversation: bool = True) -> None:
        self.fields: list[str] | None = getattr(args, "fields", None)
        expression: str | None = getattr(args, "jq", None)
        self.wanted = bool(getattr(args, "json", False) or self.fields or expression)
        if self.fields:
            known = TASK_FIELDS if conversation else TASK_FIELDS[: -len(CONVERSATION_FIELDS)]
            unknown = [name for name in self.fields if name not in known]
            if unknown:
                where = "" if conversation else " (messages and notes: use `show ID`)"
                raise CliError(
                    f"--fields: no field {unknown[0]!r}; the fields are: {', '.join(known)}{where}", field="fields"
                )
        self._jq = None if expression is None else _compile_jq(expression)

    def shape(self, value: dict[str, Any]) -> dict[str, Any]:
        if not self.fields:
            return value
        return {name: value[name] for name in self.fields}

    def document(self, value: Any) -> None:
        """One JSON document (a task, a report), on one line."""
        if self._jq is not None:
            self._filtered(value)
            return
        write(dumps(value) + "\n")

    def array(self, values: Iterable[Any]) -> int:
        """A JSON array, one element a line, streamed (a jq filter needs the whole array)."""
        if self._jq is not None:
            items = list(values)
            self._filtered(items)
            return len(items)
        items = iter(values)
        first = next(items, _NONE)  # before the "[": a failure to read prints only the error
        if first is _NONE:
            write("[]\n")
            return 0
        write("[\n" + dumps(first))
        count = 1
        for value in items:
            write(",\n" + dumps(value))
            count += 1
        write("\n]\n")
        return count

    def _filtered(self, value: Any) -> None:
        for result in _run_jq(self._jq, value):
            # Like `gh --jq`: strings bare, one a line (made safe: they may be merchant text).
            write((for_display(result) if isinstance(result, str) else dumps(result)) + "\n")


def _compile_jq(expression: str) -> Any:
    try:
        import jq  # an optional extra: pip install 'expert-tui[jq]'
    except ImportError:
        raise CliError(
            "--jq needs the jq Python package, which is not installed: pip install 'expert-tui[jq]' "
            "(or pipe --json into any jq)",
            field="jq",
        ) from None
    try:
        return jq.compile(expression)
    except ValueError as error:
        raise CliError(f"--jq: {_jq_message(error)}", field="jq") from None


def _run_jq(program: Any, value: Any) -> Iterator[Any]:
    try:
        yield from program.input_value(value)
    except ValueError as error:
        raise CliError(f"--jq: {_jq_message(error)}", field="jq") from None


def _jq_message(error: ValueError) -> str:
    return " ".join(str(error).split()) or "the expression failed"


def error_document(error_code: str, message: str, **extra: str | None) -> str:
    """`{"error": {"code", "message", ...}}` as SPEC 6 words it (`rule`, `field`)."""
    body: dict[str, str] = {"code": error_code, "message": message}
    body.update({key: value for key, value in extra.items() if value})
    return dumps({"error": body})
