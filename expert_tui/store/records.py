"""Reading import files, streamed: one JSON array, JSON Lines, or JSON documents one
after another (what `jq` writes by default), each record with where it starts.

Memory is bounded by the largest record, never by the file: text is read in 1 MiB
chunks and each record is decoded from a sliding buffer as soon as it is complete. A
record is reported by its line in the file (JSON Lines, documents) or by its 1-based
index (a JSON array, SPEC section 6). A record that cannot be read, and only that
record, is yielded as the `RecordError` saying why, and the rest is still read:

- not valid JSON, nested too deeply, or not valid UTF-8;
- longer than `MAX_RECORD_CHARS`: refused after reading that much of it, and the rest
  of it is skipped without being kept;
- integers too long to convert are read as infinity, which validation refuses with
  the field named (instead of a `ValueError` ending the whole import).

In an array a syntax error ends the file (nothing after it can be trusted); between
documents reading goes on at the next line that starts a record.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import IO

#: The longest record read: the most a server accepts in one import request (SPEC
#: section 6), so no record refused here could have been imported another way.
MAX_RECORD_CHARS = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
#: A decoding error this close to the end of what has been read may only mean the
#: record goes on in the next chunk (a number or `true` cut in two).
_NEAR_END = 32
_DIGITS_KEPT = 100

_NOT_BLANK = re.compile(r"[^ \t\n\r]")
# Bytes that are not UTF-8 arrive as lone surrogates (the `surrogateescape` handler);
# valid UTF-8 can never produce one, so finding one in a record's text is the proof.
_UNDECODABLE = re.compile(r"[\udc80-\udcff]")
_STRUCTURE = re.compile(r'["{}\[\],]')
_IN_STRING = re.compile(r'["\\]')
_RECORD_LINE = re.compile(r"\n[{\[]")


class RecordError(ValueError):
    """Why one record of an import file could not be read."""


def _bounded_int(digits: str) -> int | float:
    """JSON integers as Python ints, except absurdly long ones: infinity, which every
    number check refuses (`int()` of 5,000 digits raises, and would end the import)."""
    return int(digits) if len(digits) <= _DIGITS_KEPT else (-math.inf if digits[0] == "-" else math.inf)


_DECODER = json.JSONDecoder(parse_int=_bounded_int)


class _Unreadable(RecordError):
    """A well-formed record that cannot be used (not UTF-8); reading goes on after it."""


class _Incomplete(Exception):
    """The record goes on past what has been read."""


def read_records(stream: IO[str] | IO[bytes] | Iterable[str | bytes]) -> Iterator[tuple[int, object]]:
    """Yield `(line or index, record or RecordError)` from an import stream.

    The format is decided by the first character that is not blank: `[` starts one
    JSON array; anything else is a sequence of JSON values (JSON Lines, or pretty
    documents one after another).
    """
    text = _Text(stream)
    first = text.skip_blank()
    if first == "[":
        text.pos += 1
        text.in_array = True
        yield from _array(text)
    elif first:
        yield from _documents(text)


def _documents(text: _Text) -> Iterator[tuple[int, object]]:
    while text.skip_blank():
        line = text.line()
        pretty = text.starts_pretty_document()
        try:
            yield line, text.value()
            continue
        except _Unreadable as error:
            yield line, RecordError(str(error))
            continue
        except _Incomplete:
            yield line, RecordError(f"longer than {MAX_RECORD_CHARS // (1024 * 1024)} MiB — skipped")
        except RecordError as error:
            yield line, error
        text.skip_to_next_record(pretty)


def _array(text: _Text) -> Iterator[tuple[int, object]]:
    index = 0
    if text.skip_blank() == "]":
        text.pos += 1
        yield from _after_array(text, index)
        return
    while True:
        index += 1
        if not text.skip_blank():
            yield index, RecordError("not valid JSON: the array is not closed with ']'")
            return
        try:
            yield index, text.value()
        except _Unreadable as error:
            yield index, RecordError(str(error))
        except _Incomplete:
            yield index, RecordError(f"longer than {MAX_RECORD_CHARS // (1024 * 1024)} MiB — skipped")
            if not text.skip_value():
                yield index, RecordError("not valid JSON: the array is not closed with ']'")
                return
        except RecordError as error:
            yield index, error
            return
        after = text.skip_blank()
        if after == ",":
            text.pos += 1
        elif after == "]":
            text.pos += 1
            yield from _after_array(text, index)
            return
        elif not after:
            yield index, RecordError("not valid JSON: the array is not closed with ']'")
            return
        else:
            yield (
                index,
                RecordError(f"not valid JSON: expected ',' or ']' after this element (line {text.line()} of the file)"),
            )
            return


def _after_array(text: _Text, index: int) -> Iterator[tuple[int, object]]:
    if text.skip_blank():
        yield max(index, 1), RecordError(f"not valid JSON: text after the closing ']' (line {text.line()})")


class _Text:
    """A sliding window of decoded text over the stream, with line numbers.

    `buf[pos:]` is what has not been consumed yet; reading more first drops what has.
    """

    def __init__(self, stream: IO[str] | IO[bytes] | Iterable[str | bytes]) -> None:
        self._chunks = _chunks(stream)
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._line = 1  # the line number of `buf[_line_pos]`
        self._line_pos = 0
        self._column = 0  # the column of `buf[0]` on its line, 0-based
        self._started = False
        #: Records are numbered by their index in one JSON array, not by their line.
        self.in_array = False

    def more(self) -> bool:
        """Read the next chunk; False at the end of the stream."""
        if self.eof:
            return False
        self._line += self.buf.count("\n", self._line_pos, self.pos)
        newline = self.buf.rfind("\n", 0, self.pos)
        self._column = self.pos - newline - 1 if newline >= 0 else self._column + self.pos
        self.buf = self.buf[self.pos :]
        self._line_pos = self.pos = 0
        while True:
            chunk = next(self._chunks, None)
            if chunk is None:
                self.eof = True
                tail = self._decoder.decode(b"", final=True)
                self.buf += tail
                return bool(tail)
            piece = self._decoder.decode(chunk) if isinstance(chunk, bytes) else chunk
            if not self._started and piece:
                piece = piece.removeprefix("\ufeff")
                self._started = True
            if piece:
                self.buf += piece
                return True

    def line(self) -> int:
        """The line number of `pos`."""
        self._line += self.buf.count("\n", self._line_pos, self.pos)
        self._line_pos = self.pos
        return self._line

    def skip_blank(self) -> str:
        """Move to the next character that is not blank and return it ("" at the end)."""
        while True:
            found = _NOT_BLANK.search(self.buf, self.pos)
            if found is not None:
                self.pos = found.start()
                return found.group()
            self.pos = len(self.buf)
            if not self.more():
                return ""

    def starts_pretty_document(self) -> bool:
        """`{` alone on its line, as jq prints a document."""
        while len(self.buf) - self.pos < 2 and self.more():
            pass
        return self.buf.startswith("{\n", self.pos) or self.buf.startswith("{\r\n", self.pos)

    def value(self) -> object:
        """Decode the value at `pos` and move past it; `_Incomplete` if it is longer than
        `MAX_RECORD_CHARS`, `RecordError` if it is not valid."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as error:
                if self._may_go_on(error.pos, error.msg):
                    self._read_on()
                    continue
                raise self._invalid(f"not valid JSON: {error.msg} ({self._where(error.pos)})") from None
            except RecursionError:
                raise self._invalid("not valid JSON: nested too deeply") from None
            if end >= len(self.buf) and not self.eof:
                self._read_on()  # a number at the end of a chunk may go on
                continue
            bad = _UNDECODABLE.search(self.buf, self.pos, end)
            if bad is not None:
                offset = self._byte_offset(bad.start())
                self.pos = end
                raise _Unreadable(f"not valid UTF-8 (byte {offset} of the record)")
            self.pos = end
            return value

    def _may_go_on(self, at: int, message: str) -> bool:
        if self.eof:
            return False
        return message.startswith("Unterminated string") or len(self.buf) - at <= _NEAR_END

    def _read_on(self) -> None:
        """Read more of the record at `pos`: at least as much again as is held, so a long
        record is decoded a few times at most; `_Incomplete` past the limit."""
        held = len(self.buf) - self.pos
        if held > MAX_RECORD_CHARS:
            raise _Incomplete
        want = min(2 * held + _CHUNK, MAX_RECORD_CHARS + 1)
        while len(self.buf) - self.pos < want and self.more():
            pass

    def _where(self, at: int) -> str:
        """Where in the record `at` is, without a second line number where the report's
        one says it: a record of JSON Lines is reported by its line, so a column on it
        (or its end, when the decoder looked past it for more); an array's element by
        its index, so the file's line is named as the file's."""
        newline = self.buf.rfind("\n", 0, at)
        column = at - newline if newline >= 0 else self._column + at + 1
        lines_on = self.buf.count("\n", self.pos, at)
        if self.in_array:
            return f"line {self.line() + lines_on} of the file, column {column}"
        if lines_on == 0:
            return f"column {column}"
        if not self.buf[self.buf.find("\n", self.pos, at) : at].strip():
            return "at the end of the line"
        return f"line {self.line() + lines_on}, column {column}"

    def _invalid(self, message: str) -> RecordError:
        bad = _UNDECODABLE.search(self.buf, self.pos)
        if bad is not None and bad.start() - self.pos <= MAX_RECORD_CHARS:
            return RecordError(f"not valid UTF-8 (byte {self._byte_offset(bad.start())} of the record)")
        return RecordError(message)

    def _byte_offset(self, at: int) -> int:
        return len(self.buf[self.pos : at].encode("utf-8", "surrogateescape")) + 1

    def skip_to_next_record(self, pretty: bool) -> None:
        """After a bad record: on at the next line (JSON Lines), or at the next line that
        starts with `{` or `[` (documents as jq prints them), keeping nothing skipped."""
        while True:
            if pretty:
                found = _RECORD_LINE.search(self.buf, self.pos)
                if found is not None:
                    self.pos = found.start() + 1
                    return
            else:
                newline = self.buf.find("\n", self.pos)
                if newline >= 0:
                    self.pos = newline + 1
                    return
            self.pos = max(self.pos, len(self.buf) - 1)  # a "\n" just read stays for the next search
            if not self.more():
                self.pos = len(self.buf)
                return

    def skip_value(self) -> bool:
        """Move past the array element at `pos` without keeping it: to the `,` or `]`
        that ends it. False if the stream ends first."""
        depth = 0
        in_string = False
        while True:
            found = (_IN_STRING if in_string else _STRUCTURE).search(self.buf, self.pos)
            if found is None or (found.group() == "\\" and found.end() >= len(self.buf)):
                self.pos = len(self.buf) if found is None else found.start()
                if not self.more():
                    return False
                continue
            mark = found.group()
            self.pos = found.end()
            if in_string:
                if mark == "\\":
                    self.pos += 1  # the escaped character, whatever it is
                else:
                    in_string = False
            elif mark == '"':
                in_string = True
            elif mark in "{[":
                depth += 1
            elif depth == 0:  # `,` or `]` or `}` at the element's own level
                self.pos = found.start()
                return True
            elif mark in "}]":
                depth -= 1


def _chunks(stream: IO[str] | IO[bytes] | Iterable[str | bytes]) -> Iterator[str | bytes]:
    read = getattr(stream, "read", None)
    if read is None:
        yield from stream
        return
    while chunk := read(_CHUNK):
        yield chunk
