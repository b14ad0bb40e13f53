"""JSON output: UTF-8, and yet nothing in it reorders or hides text on a terminal."""

from __future__ import annotations

import json
import sys

from hypothesis import given
from hypothesis import strategies as st

from expert_tui.domain.jsontext import dumps
from expert_tui.domain.text import INVISIBLE_MARKER, for_display


def test_every_character_the_display_marks_invisible_is_escaped_in_json() -> None:
    """One definition: whatever `for_display` shows as a marker, JSON writes as an escape."""
    # (The marker itself, U+FFFD, is visible: it is the one character not to escape.)
    hidden = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF and chr(c) != INVISIBLE_MARKER]
    hidden = [ch for ch in hidden if for_display(f"a{ch}b") == f"a{INVISIBLE_MARKER}b"]
    assert "\u202e" in hidden and "\u200b" in hidden
    text = dumps({"v": "".join(hidden)})
    assert all(ch not in text for ch in hidden)
    assert json.loads(text)["v"] == "".join(hidden)


def test_letters_stay_readable_and_controls_are_escaped() -> None:
    text = dumps({"name": "Paweł Wiśniewski 東京", "c1": "\x85\x9b[2J\x7f", "zwj": "👩\u200d💻", "lone": "\udcff"})
    assert "Paweł Wiśniewski 東京" in text
    for ch in ("\x85", "\x9b", "\x7f", "\u200d", "\udcff"):
        assert ch not in text
    assert text.encode("utf-8")  # lone surrogates are escapes, so the text is encodable


@given(
    st.recursive(
        st.text() | st.integers() | st.none(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)
    )
)
def test_dumps_round_trips(value: object) -> None:
    assert json.loads(dumps(value)) == value
