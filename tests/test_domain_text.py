"""What may reach a terminal, what may be stored, search folding, and time formats."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expert_tui.domain import Invalid
from expert_tui.domain.text import (
    CUT_MARK,
    DISPLAY_MAX_CHARS,
    LINE_MAX_CHARS,
    MAX_BODY_CHARS,
    check_body,
    check_storable,
    fold,
    for_display,
    one_line,
)
from expert_tui.domain.timefmt import countdown, format_ts, humanize_delta, parse_date, parse_ts

#: Anything a terminal acts on (ESC, C0 except newline, DEL, C1), reordering marks, and
#: everything invisible SPEC section 6 names (zero-width, tags, U+00AD, U+180E, U+034F,
#: U+2028/2029).
FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\ud800-\udfff"
    "\u00ad\u180e\u034f\u2028\u2029\u2060-\u2064\ufeff\U000e0000-\U000e007f]"
)

#: Every code point class, lone surrogates included (hypothesis leaves them out by default).
ANY_TEXT = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=200)
HOSTILE_PIECES = st.sampled_from(
    ["\x1b", "\x1b[", "\x1b]", "\x1bP", "\x9b", "\x9d", "\x90", "\x07", "\x1b\\", "\x9c", "\r", "\t", "\n", "[", "]"]
)


def assert_terminal_safe(shown: str) -> None:
    bad = FORBIDDEN.search(shown)
    assert bad is None, f"U+{ord(bad.group()):04X} reaches the terminal in {shown!r}"


def test_every_corpus_entry_is_safe_to_display(corpus: list[dict[str, str]]) -> None:
    for entry in corpus:
        shown = for_display(entry["text"])
        assert_terminal_safe(shown)
        line = one_line(entry["text"])
        assert_terminal_safe(line)
        assert "\n" not in line


@pytest.mark.parametrize(
    ("entry_id", "expected"),
    [
        ("ansi-clear-screen", "Hello fake screen"),
        ("ansi-colour", "red text"),
        ("osc8-hyperlink", "trusted link"),
        ("osc52-clipboard", "hi"),
        ("osc-title", "title"),
        ("dcs-sequence", "after"),
        ("c1-csi", "beforeafter"),
        ("bel-nul-bs", "ring\ufffd\ufffd nul\ufffd back\ufffd\ufffd\ufffdspace"),
        ("cr-overwrite", "Total: $9000\nTotal: $90"),
        ("bidi-override", "invoice \ufffdgpj.exe\ufffd ok"),
        ("rich-markup-bold", "[bold red]URGENT[/bold red] please reply"),
        ("polish", "Zażółć gęślą jaźń — sklep z żółwiami, Łódź"),
        ("rtl-arabic", "متجر إلكتروني للملابس"),
        ("surrogate-escape", "bad \ufffd surrogate"),
        ("unicode-tag-characters", "Approve" + "\ufffd" * 7 + " the refund"),
        ("soft-hyphen", "pay\ufffdpal.example/log\ufffdin"),
        ("mongolian-vowel-separator", "bank\ufffdaccount"),
        ("combining-grapheme-joiner", "admin\ufffd@shop.example"),
        ("line-paragraph-separators", "Total: 90 PLN\ufffdTotal: 9000 PLN\ufffdend"),
        ("c0-controls-mid-text", "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffdg"),
        ("bidi-isolates-and-marks", "\ufffdabc\ufffd \ufffdx\ufffd \ufffdy \ufffdz\ufffdw\ufffd"),
        ("hangul-filler", "pay\ufffdpal \ufffd\ufffd x\ufffdy"),
        ("emoji-zwj-sequence", "\U0001f469\U0001f4bb and a\ufffdb"),
        ("apc-pm-sos-strings", "abcd"),
        ("escape-string-unterminated", "visible"),
    ],
)
def test_display_keeps_the_words_and_drops_the_sequences(
    corpus: list[dict[str, str]], entry_id: str, expected: str
) -> None:
    text = next(e["text"] for e in corpus if e["id"] == entry_id)
    assert for_display(text) == expected


def test_display_makes_invisible_tricks_visible(corpus: list[dict[str, str]]) -> None:
    zero_width = next(e["text"] for e in corpus if e["id"] == "zero-width")
    assert for_display(zero_width) == "pay\ufffdpal\ufffd.com \ufffd", "never silently dropped"


def test_display_limits_stacked_combining_marks(corpus: list[dict[str, str]]) -> None:
    zalgo = next(e["text"] for e in corpus if e["id"] == "zalgo")
    shown = for_display(zalgo)
    assert shown.startswith("h\u0301\u0302") and shown.endswith("ello")
    assert len(shown) == len("hello") + 2, "at most two marks stack on one letter"


def test_every_invisible_character_is_shown_one_for_one() -> None:
    """Nothing hidden is dropped: each invisible code point becomes exactly one marker."""
    hidden = "\u00ad\u034f\u180e\u200b\u200c\u200d\u2028\u2029\u2060\ufeff\U000e0001\U000e007f\x01\x7f\x85"
    for ch in hidden:
        assert for_display(f"a{ch}b") == "a\ufffdb", f"U+{ord(ch):04X}"
        assert one_line(f"a{ch}b") == "a\ufffdb", f"U+{ord(ch):04X}"


def test_display_looks_at_a_bounded_part_of_any_text() -> None:
    """A 50 MB title stored before the limits costs what fits on screen, not 50 MB of work."""
    huge = "\x1b[31m" + "Żółw " * 10_000_000
    shown = for_display(huge)
    assert len(shown) < DISPLAY_MAX_CHARS + 60
    assert shown.endswith(f"{CUT_MARK} ({len(huge) - DISPLAY_MAX_CHARS:,} more characters not shown)")
    assert_terminal_safe(shown)
    line = one_line(huge)
    assert len(line) <= LINE_MAX_CHARS + 1 and line.endswith(CUT_MARK) and line.startswith("Żółw Żółw")


def test_tabs_become_spaces_and_one_line_collapses_whitespace() -> None:
    assert for_display("a\tb") == "a    b"
    assert one_line("  Dzień\r\ndobry \t\n świecie  ") == "Dzień dobry świecie"


@given(ANY_TEXT)
def test_no_input_gets_a_control_sequence_to_the_terminal(text: str) -> None:
    assert_terminal_safe(for_display(text))
    assert_terminal_safe(one_line(text))


@given(st.lists(st.one_of(HOSTILE_PIECES, st.text(max_size=5)), max_size=30).map("".join))
def test_escape_fragments_in_any_order_never_survive(text: str) -> None:
    shown = for_display(text)
    assert_terminal_safe(shown)
    assert for_display(shown) == shown, "display is idempotent"


@given(st.text(st.characters(categories=["L", "N", "Zs", "P", "S"], exclude_characters="\u061c")))
def test_ordinary_text_is_shown_exactly(text: str) -> None:
    assert for_display(text) == text


# --- storing --------------------------------------------------------------------------------


def test_bodies_must_hold_something_and_be_bounded() -> None:
    assert check_body("  hi  ") == "  hi  ", "kept exactly as written"
    with pytest.raises(Invalid, match="reply is empty — write something first"):
        check_body(" \n\t", "reply")
    with pytest.raises(Invalid, match="note is too long"):
        check_body("x" * (MAX_BODY_CHARS + 1), "note")
    assert len(check_body("x" * MAX_BODY_CHARS)) == MAX_BODY_CHARS


def test_storable_text_is_any_valid_unicode_string(corpus: list[dict[str, str]]) -> None:
    for entry in corpus:
        if "\udcff" in entry["text"]:
            with pytest.raises(Invalid, match="lone surrogate") as error:
                check_storable(entry["text"], "body")
            assert error.value.field == "body"
        else:
            assert check_storable(entry["text"]) == entry["text"]
    with pytest.raises(Invalid, match="title must be text"):
        check_storable(b"bytes", "title")


# --- search folding -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Żółw i Spółka", "zolw i spolka"),
        ("Łódź", "lodz"),
        ("Zażółć gęślą jaźń", "zazolc gesla jazn"),
        ("Straße", "strasse"),
        ("Ærø Øl", "aero ol"),
        ("Crème Brûlée", "creme brulee"),
        ("İstanbul", "istanbul"),
        ("ﬁle", "file"),
        ("ZOLW", "zolw"),
        ("店铺设置", "店铺设置"),
    ],
)
def test_fold_examples(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_folded_query_matches_folded_text() -> None:
    assert fold("zolw") in fold("Sklep Żółw i Spółka")
    assert fold("LODZ") in fold("Łódzka Manufaktura".replace("zka", "z"))


# --- time -----------------------------------------------------------------------------------


def test_timestamps_are_rfc3339_utc_both_ways() -> None:
    warsaw = timezone(timedelta(hours=1))
    moment = datetime(2026, 11, 28, 7, 0, 0, 250000, tzinfo=warsaw)
    assert format_ts(moment) == "2026-11-28T06:00:00Z", "whole seconds in every output (SPEC 6)"
    assert format_ts(moment.replace(microsecond=999999)) == "2026-11-28T06:00:00Z", "floored, never rounded up"
    assert parse_ts("2026-11-28T06:00:00.25Z") == moment
    assert parse_ts("2026-11-28T07:00:00+01:00") == datetime(2026, 11, 28, 6, tzinfo=UTC)
    assert parse_ts("2026-11-28t06:00:00z".replace("t", "T")).tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "words"),
    [("2026-11-28T06:00:00", "needs a time zone"), ("soon", "not a valid timestamp"), (5, "must be an RFC 3339")],
)
def test_bad_timestamps_name_the_field(raw: object, words: str) -> None:
    with pytest.raises(Invalid, match=words) as error:
        parse_ts(raw, "sent_at")
    assert error.value.field == "sent_at"


def test_dates() -> None:
    assert parse_date("2026-12-24") == date(2026, 12, 24)
    with pytest.raises(Invalid, match="YYYY-MM-DD"):
        parse_date("24/12/2026", "unavailable_until")


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=0), "0 s"),
        (timedelta(seconds=59), "59 s"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=3, minutes=59), "3 h"),
        (timedelta(hours=47), "47 h"),
        (timedelta(days=3, hours=5), "3 d"),
        (-timedelta(hours=2), "2 h"),
    ],
)
def test_humanize_delta(delta: timedelta, words: str) -> None:
    assert humanize_delta(delta) == words


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (timedelta(hours=71, minutes=59, seconds=59), "2d 23:59:59"),
        (timedelta(hours=59, minutes=59, seconds=58), "2d 11:59:58"),
        (timedelta(hours=24), "1d 00:00:00"),
        (timedelta(hours=23, minutes=59, seconds=59, microseconds=1), "1d 00:00:00"),
        (timedelta(hours=23, minutes=59, seconds=59), "23:59:59"),
        (timedelta(minutes=14, seconds=3), "00:14:03"),
        (timedelta(seconds=0.2), "00:00:01"),
        (timedelta(0), "00:00:00"),
        (-timedelta(hours=1), "00:00:00"),
    ],
)
def test_countdown(delta: timedelta, shown: str) -> None:
    assert countdown(delta) == shown
