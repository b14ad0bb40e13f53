"""Reading import files: records and where each one starts, streamed in bounded memory."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from expert_tui.store import records
from expert_tui.store.records import RecordError, read_records


def parsed(text: str) -> list[tuple[int, object]]:
    return list(read_records(io.StringIO(text)))


@pytest.fixture(params=[1, 2, 3, 7, 64, 1 << 20])
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every test below also runs with records cut across tiny chunks."""
    monkeypatch.setattr(records, "_CHUNK", request.param)
    return request.param


# --- the three formats -------------------------------------------------------------------------


def test_json_array_elements_get_their_index(chunk: int) -> None:
    """SPEC section 6: a record's "line" in a JSON array is its 1-based index."""
    text = json.dumps([{"id": "a"}, {"id": "b", "x": [1, 2]}, "odd"], indent=2)
    assert parsed("\n\n" + text) == [(1, {"id": "a"}), (2, {"id": "b", "x": [1, 2]}), (3, "odd")]


def test_json_array_on_one_line(chunk: int) -> None:
    assert parsed('[{"id": 1}, {"id": 2}]') == [(1, {"id": 1}), (2, {"id": 2})]
    assert parsed("[]") == []
    assert parsed("  [ ]  \n") == []


def test_documents_one_after_another_as_jq_prints_them(chunk: int) -> None:
    docs = [{"id": "T-1", "service": "SEO", "n": [1, {"a": None}]}, {"id": "T-2", "title": "x\ny"}, {"id": "T-3"}]
    text = "".join(json.dumps(d, indent=2, ensure_ascii=False) + "\n" for d in docs)
    starts = [i + 1 for i, line in enumerate(text.splitlines()) if line == "{"]
    assert parsed(text) == list(zip(starts, docs, strict=True))
    assert parsed('{"a":1}{"b":2} {"c":3}') == [(1, {"a": 1}), (1, {"b": 2}), (1, {"c": 3})]


def test_json_lines_with_bad_and_blank_lines(chunk: int) -> None:
    found = parsed('{"id": "a"}\n\n   \nnot json\n{"id": "c"}\n[1, 2]\n7\n')
    assert found[0] == (1, {"id": "a"})
    assert found[1][0] == 4 and isinstance(found[1][1], RecordError)
    assert "column 1" in str(found[1][1])
    assert found[2:] == [(5, {"id": "c"}), (6, [1, 2]), (7, 7)]


def test_a_bad_pretty_document_is_one_rejection_and_the_next_one_is_read(chunk: int) -> None:
    text = '{\n  "id": "T-1",\n  "x": oops\n}\n{\n  "id": "T-2",\n  "n": [\n    {"a": 1}\n  ]\n}\n'
    (line, error), second = parsed(text)
    assert line == 1 and isinstance(error, RecordError) and "line 3" in str(error)
    assert second == (5, {"id": "T-2", "n": [{"a": 1}]})


# --- what ends one record, never the import -------------------------------------------------------


def test_broken_json_array_reports_where_and_stops(chunk: int) -> None:
    found = parsed('[\n{"id": 1},\n{"id": 2,,\n{"id": 3}\n]')
    assert found[0] == (1, {"id": 1})
    index, error = found[1]
    assert index == 2 and isinstance(error, RecordError) and "not valid JSON" in str(error)
    assert "line 3" in str(error), "the message says where in the file"
    assert len(found) == 2


def test_unclosed_array_and_trailing_text_are_reported(chunk: int) -> None:
    *_, (_, unclosed) = parsed('[{"id": 1},\n')
    assert isinstance(unclosed, RecordError) and "not closed" in str(unclosed)
    *_, (index, trailing) = parsed('[{"id": 1}]\nextra')
    assert index == 1 and isinstance(trailing, RecordError) and "after the closing" in str(trailing)


def test_a_5000_digit_integer_is_read_as_infinity_for_validation_to_refuse(chunk: int) -> None:
    huge = "9" * 5000
    found = parsed(f'{{"id": "a", "unread": {huge}}}\n{{"id": "b", "unread": -{huge}}}\n{{"id": "c", "unread": 3}}\n')
    assert found == [(1, {"id": "a", "unread": float("inf")}), (2, {"id": "b", "unread": float("-inf")}),
                     (3, {"id": "c", "unread": 3})]  # fmt: skip
    assert parsed(f"[{huge}, 1]") == [(1, float("inf")), (2, 1)]


def test_invalid_utf8_rejects_its_record_only(chunk: int) -> None:
    lines = io.BytesIO('\ufeff{"id": "ż"}\n'.encode() + b'{"id": "\xff"}\n{"id": "ok"}\n')
    found = list(read_records(lines))
    assert found[0] == (1, {"id": "ż"})
    assert found[1][0] == 2 and str(found[1][1]) == "not valid UTF-8 (byte 9 of the record)"
    assert found[2] == (3, {"id": "ok"})
    array = io.BytesIO(b'[{"id": "a"},\n {"id": "\xc3("},\n {"id": "b"}]')
    assert [(i, str(r) if isinstance(r, RecordError) else r) for i, r in read_records(array)] == [
        (1, {"id": "a"}),
        (2, "not valid UTF-8 (byte 9 of the record)"),
        (3, {"id": "b"}),
    ]
    pretty = io.BytesIO(b'{\n  "id": "\xe2\x82"\n}\n{\n  "id": "c"\n}\n')
    found = list(read_records(pretty))
    assert found[0][0] == 1 and "UTF-8" in str(found[0][1]) and found[1] == (4, {"id": "c"})


def test_lone_surrogate_escapes_parse_and_are_left_to_validation(chunk: int) -> None:
    ((line, value),) = parsed('{"id": "bad \\udcff"}\n')
    assert line == 1 and value == {"id": "bad \udcff"}


def test_deep_nesting_is_a_record_error_not_a_crash() -> None:
    ((line, error),) = parsed("[" * 100_000 + "\n")
    assert line == 1 and isinstance(error, RecordError)
    ((line, error),) = parsed("\n" + '{"a":' * 100_000 + "\n")
    assert line == 2 and isinstance(error, RecordError)


def test_empty_input(chunk: int) -> None:
    assert parsed("") == []
    assert parsed("\n\n  \n") == []


# --- a record too long is refused without being read whole -----------------------------------------


class CountingStream(io.RawIOBase):
    """`size` bytes of `head + filler... + tail`, made as read, counting what was read."""

    def __init__(self, head: bytes, filler: bytes, size: int, tail: bytes) -> None:
        self.parts: Iterator[bytes] = iter([head, *([filler] * ((size - len(head) - len(tail)) // len(filler))), tail])
        self.read_so_far = 0
        self.pending = b""

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        while len(self.pending) < n:
            part = next(self.parts, None)
            if part is None:
                break
            self.pending += part
        out, self.pending = self.pending[:n], self.pending[n:]
        self.read_so_far += len(out)
        return out


def test_a_line_too_long_is_refused_after_the_limit_and_the_next_line_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "MAX_RECORD_CHARS", 100_000)
    monkeypatch.setattr(records, "_CHUNK", 10_000)
    stream = CountingStream(b'{"id": "a"}\n{"id": "big", "title": "', b"x" * 1000, 5_000_000, b'"}\n{"id": "b"}\n')
    found = read_records(stream)
    assert next(found) == (1, {"id": "a"})
    line, error = next(found)
    assert line == 2 and isinstance(error, RecordError) and "longer than" in str(error)
    assert stream.read_so_far < 300_000, "refused after reading about the limit, not the whole line"
    assert list(found) == [(3, {"id": "b"})]


def test_an_array_element_too_long_is_skipped_without_being_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "MAX_RECORD_CHARS", 100_000)
    monkeypatch.setattr(records, "_CHUNK", 10_000)
    head = b'[{"id": "a"}, {"id": "big", "x": ["\\"]", {"y": "}"}], "t": "'
    stream = CountingStream(head, b"y" * 1000, 3_000_000, b'"}, {"id": "b"}]\n')
    found = [(i, str(r) if isinstance(r, RecordError) else r) for i, r in read_records(stream)]
    assert found[0] == (1, {"id": "a"})
    assert found[1][0] == 2 and "longer than" in str(found[1][1])
    assert found[2:] == [(3, {"id": "b"})]
