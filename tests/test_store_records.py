"""Reading import files: records and the line each one starts on."""

from __future__ import annotations

import io
import json

from expert_tui.store.records import RecordError, read_records


def parsed(text: str) -> list[tuple[int, object]]:
    return list(read_records(io.StringIO(text)))


def test_json_array_elements_get_the_line_they_start_on() -> None:
    text = json.dumps([{"id": "a"}, {"id": "b", "x": [1, 2]}, "odd"], indent=2)
    records = parsed("\n\n" + text)
    assert [r for _, r in records] == [{"id": "a"}, {"id": "b", "x": [1, 2]}, "odd"]
    lines = text.splitlines()
    starts = [i + 3 for i, line in enumerate(lines) if line in ("  {", '  "odd"')]
    assert [line for line, _ in records] == starts


def test_json_array_on_one_line() -> None:
    assert parsed('[{"id": 1}, {"id": 2}]') == [(1, {"id": 1}), (1, {"id": 2})]
    assert parsed("[]") == []
    assert parsed("  [ ]  \n") == []


def test_broken_json_array_reports_where_and_stops() -> None:
    records = parsed('[\n{"id": 1},\n{"id": 2,,\n{"id": 3}\n]')
    assert records[0] == (2, {"id": 1})
    line, error = records[1]
    assert line == 3 and isinstance(error, RecordError) and "not valid JSON" in str(error)
    assert len(records) == 2


def test_unclosed_array_and_trailing_text_are_reported() -> None:
    *_, (_, unclosed) = parsed('[{"id": 1},\n')
    assert isinstance(unclosed, RecordError)
    *_, (line, trailing) = parsed('[{"id": 1}]\nextra')
    assert line == 1 and isinstance(trailing, RecordError) and "after the closing" in str(trailing)


def test_json_lines_with_bad_and_blank_lines() -> None:
    records = parsed('{"id": "a"}\n\n   \nnot json\n{"id": "c"}\n[1, 2]\n')
    assert records[0] == (1, {"id": "a"})
    assert records[1][0] == 4 and isinstance(records[1][1], RecordError)
    assert "column 1" in str(records[1][1])
    assert records[2] == (5, {"id": "c"})
    assert records[3] == (6, [1, 2])


def test_a_json_lines_file_may_start_with_an_array_line_only_if_it_is_an_array_file() -> None:
    # A first record that is itself an array makes it a JSON array file.
    assert parsed("[1]\n") == [(1, 1)]


def test_bytes_bom_and_bad_utf8() -> None:
    stream = io.BytesIO('\ufeff{"id": "ż"}\n'.encode() + b'{"id": "\xff"}\n{"id": "ok"}\n')
    records = list(read_records(stream))
    assert records[0] == (1, {"id": "ż"})
    assert records[1][0] == 2 and "UTF-8" in str(records[1][1])
    assert records[2] == (3, {"id": "ok"})


def test_lone_surrogate_escapes_parse_and_are_left_to_validation() -> None:
    ((line, value),) = parsed('{"id": "bad \\udcff"}\n')
    assert line == 1 and value == {"id": "bad \udcff"}


def test_deep_nesting_is_a_record_error_not_a_crash() -> None:
    ((line, error),) = parsed("[" * 100_000 + "\n")
    assert line == 1 and isinstance(error, RecordError)
    ((line, error),) = parsed("\n" + '{"a":' * 100_000 + "\n")
    assert line == 2 and isinstance(error, RecordError)


def test_empty_input() -> None:
    assert parsed("") == []
    assert parsed("\n\n  \n") == []
