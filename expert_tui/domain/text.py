"""Rules for text: what may be stored, and what may reach a terminal.

Merchant text is untrusted. It is stored exactly as received, but before display it
goes through `for_display`, which removes everything a terminal would act on (escape
sequences, control characters) and makes invisible tricks visible. The UI then wraps
the result in `Text`/`Content` objects so brackets are never read as markup.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import Invalid

MAX_BODY_CHARS = 100_000

_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")

# 7-bit escape sequences: CSI, OSC / DCS / SOS / PM / APC strings, then any other
# two-byte ESC sequence. String sequences end at BEL or ST, or run to the end.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?              # CSI ... final byte
  | \x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)  # OSC, DCS, SOS, PM, APC ... BEL or ST
  | \x9b[0-?]*[ -/]*[@-~]?                # 8-bit CSI
  | [\x90\x98\x9d\x9e\x9f].*?(?:\x07|\x9c|\x1b\\|$)  # 8-bit string sequences
  | \x1b[ -/]*[0-~]?                      # any other ESC sequence
    """,
    re.VERBOSE | re.DOTALL,
)
# Remaining C0 controls (tab and newline are handled separately), DEL and C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Characters that reorder or hide text: shown as a visible marker instead.
_INVISIBLE = re.compile(r"[\u200b\u200c\u200e\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069\u061c]")
INVISIBLE_MARKER = "\ufffd"
_MAX_COMBINING = 2


def check_body(text: object, what: str = "text") -> str:
    """Validate text a person writes (a reply, a note): non-blank, storable, bounded."""
    text = check_storable(text, what)
    if not text.strip():
        raise Invalid(f"{what} is empty — write something first", what)
    if len(text) > MAX_BODY_CHARS:
        raise Invalid(f"{what} is too long ({len(text):,} characters; at most {MAX_BODY_CHARS:,})", what)
    return text


def check_storable(text: object, what: str = "text") -> str:
    """Any stored text must be a string of valid Unicode (no lone surrogates)."""
    if not isinstance(text, str):
        raise Invalid(f"{what} must be text", what)
    bad = _LONE_SURROGATE.search(text)
    if bad:
        raise Invalid(
            f"{what} holds an invalid character U+{ord(bad.group()):04X} "
            f"(a lone surrogate, not valid Unicode) at position {bad.start()}",
            what,
        )
    return text


def for_display(text: str) -> str:
    """Make untrusted text safe to hand to a terminal, keeping line breaks."""
    text = _LONE_SURROGATE.sub(INVISIBLE_MARKER, text)
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = text.replace("\u200d", "")
    text = _CONTROL.sub("", text)
    text = _INVISIBLE.sub(INVISIBLE_MARKER, text)
    return _limit_combining(text)


def one_line(text: str) -> str:
    """`for_display` for a single-line cell: runs of whitespace become one space."""
    return " ".join(for_display(text).split())


def _limit_combining(text: str) -> str:
    if text.isascii():
        return text
    out: list[str] = []
    run = 0
    for ch in text:
        if unicodedata.combining(ch):
            run += 1
            if run > _MAX_COMBINING:
                continue
        else:
            run = 0
        out.append(ch)
    return "".join(out)


def fold(text: str) -> str:
    """Lower-case ASCII-ish form for diacritics-insensitive search: 'Żółw' -> 'zolw'.

    Folding works character by character (see `_fold_char`), so each character is
    folded once per process and remembered: an import folds megabytes of text, and
    most of it is ASCII, where folding is just lower-casing.
    """
    if text.isascii():
        return text.lower()
    return text.translate(_FOLDED)


def _fold_char(ch: str) -> str:
    """The reference fold of one character: extra letters, case folding, NFKD, no marks.

    Folding a string equals folding its characters one by one: the translation and
    `casefold` map single characters without context, NFKD decomposes each character
    on its own and only reorders combining marks, and every combining mark is dropped.
    """
    decomposed = unicodedata.normalize("NFKD", ch.translate(_FOLD_EXTRA).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _FoldTable(dict[int, str]):
    """`str.translate` table that folds each character on first sight and keeps it.

    Bounded: beyond `_FOLD_CACHE_MAX` distinct characters (only text written to
    exhaust it gets there) new ones are folded each time without being kept.
    """

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(self) < _FOLD_CACHE_MAX:
            self[code] = folded
        return folded


_FOLD_CACHE_MAX = 65_536
_FOLDED = _FoldTable()


# Letters whose diacritic is not a combining mark in Unicode, so NFKD keeps them.
_FOLD_EXTRA = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "ħ": "h",
        "Ħ": "H",
        "þ": "th",
        "Þ": "Th",
    }
)
