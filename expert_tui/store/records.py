"""Reading import files: a JSON array or JSON Lines, each record with its line number.

The import report names the line of every rejected record, so parsing keeps track of
where each record starts. A record that does not parse is yielded as the exception
that says why, and the store reports it instead of stopping the whole import.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


class RecordError(ValueError):
    """Why one record of an import file could not be read."""


def read_records(stream: IO[str] | IO[bytes] | Iterable[str | bytes]) -> Iterator[tuple[int, object]]:
    """Yield `(line, record or RecordError)` from a JSON array or JSON Lines stream.

    The format is decided by the first character that is not blank: `[` starts a JSON
    array (elements get the line where they start; a syntax error ends the file, since
    nothing after it can be trusted), anything else is JSON Lines (one record a line;
    blank lines are skipped; a bad line is reported and the rest still read).
    """
    lines = _text_lines(stream)
    for number, line in lines:
        if isinstance(line, RecordError):
            yield number, line
            continue
        stripped = line.lstrip(_WHITESPACE)
        if not stripped:
            continue
        if stripped.startswith("["):
            rest = "".join(_only_text(lines))
            yield from _array(line + rest, number)
            return
        yield number, _parse_line(line, number)
        yield from _json_lines(lines)
        return


def _text_lines(stream: Iterable[str | bytes]) -> Iterator[tuple[int, str | RecordError]]:
    for number, line in enumerate(stream, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as error:
                yield number, RecordError(f"not valid UTF-8 (byte {error.start + 1} of the line)")
                continue
        if number == 1:
            line = line.removeprefix("\ufeff")
        yield number, line


def _only_text(lines: Iterator[tuple[int, str | RecordError]]) -> Iterator[str]:
    for _number, line in lines:
        # Inside a JSON array an undecodable line breaks the document; keep its place.
        yield "\ufffd\n" if isinstance(line, RecordError) else line


def _json_lines(lines: Iterator[tuple[int, str | RecordError]]) -> Iterator[tuple[int, object]]:
    for number, line in lines:
        if isinstance(line, RecordError):
            yield number, line
        elif line.strip(_WHITESPACE):
            yield number, _parse_line(line, number)


def _parse_line(line: str, number: int) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        return RecordError(f"not valid JSON: {error.msg} (column {error.colno})")
    except RecursionError:
        return RecordError("not valid JSON: nested too deeply")


def _array(text: str, first_line: int) -> Iterator[tuple[int, object]]:
    """Elements of one JSON array, each with the line it starts on."""
    pos = text.index("[") + 1
    line = first_line
    counted = 0  # `line` is the line number of offset `counted`

    def line_at(offset: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, offset)
        counted = offset
        return line

    pos = _skip(text, pos)
    if pos < len(text) and text[pos] == "]":
        return
    while True:
        start = line_at(pos)
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as error:
            yield error.lineno + first_line - 1, RecordError(f"not valid JSON: {error.msg} (column {error.colno})")
            return
        except RecursionError:
            yield start, RecordError("not valid JSON: nested too deeply")
            return
        yield start, value
        pos = _skip(text, pos)
        if pos >= len(text):
            yield line_at(pos), RecordError("not valid JSON: the array is not closed with ']'")
            return
        if text[pos] == "]":
            if text[pos + 1 :].strip(_WHITESPACE):
                yield line_at(pos), RecordError("not valid JSON: text after the closing ']'")
            return
        if text[pos] != ",":
            yield line_at(pos), RecordError("not valid JSON: expected ',' or ']' between array elements")
            return
        pos = _skip(text, pos + 1)


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos
