"""Rules for text: what may be stored, and what may reach a terminal.

Merchant text is untrusted. It is stored exactly as received, but before display it
goes through `for_display`, which removes everything a terminal would act on (escape
sequences, control characters) and makes invisible tricks visible. The UI then wraps
the result in `Text`/`Content` objects so brackets are never read as markup.
"""

from __future__ import annotations

import re
import unicodedata

from ..i18n import _
from .errors import Invalid
from .limits import MAX_TEXT_CHARS

MAX_BODY_CHARS = MAX_TEXT_CHARS

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
# Characters that reorder text or show nothing: Unicode's format characters (Cf: bidi
# controls, zero-width characters, soft hyphen, U+180E, tag characters...), line and
# paragraph separators (Zl, Zp), and letters and marks that draw nothing (U+034F, the
# Hangul and Khmer fillers, Mongolian variation selectors). Each is shown as a marker.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f]"
)
# A zero-width joiner inside an emoji sequence (👩‍💻) joins two visible pictures and
# hides nothing: it is dropped, so both pictures show side by side at a width the
# terminal agrees on. Anywhere else it is invisible and gets the marker.
_EMOJI = "\u00a9\u00ae\u203c-\u3299\ufe0f\U0001f000-\U0001faff"
_EMOJI_JOINER = re.compile(f"(?<=[{_EMOJI}])\u200d(?=[{_EMOJI}])")
INVISIBLE_MARKER = "\ufffd"
# What JSON output writes as `\uXXXX` although it is UTF-8 (SPEC 6): DEL and C1 controls
# (JSON escapes only C0 itself), lone surrogates, the zero-width joiner, and every
# character `for_display` marks as invisible — one definition, reused, not a copy.
_JSON_ESCAPED = re.compile(rf"[\x7f-\x9f\ud800-\udfff\u200d]|{_INVISIBLE.pattern}")
_MAX_COMBINING = 2
#: The most of one text `for_display` looks at: the longest text a field may hold.
#: Anything longer (a store written before the limits) is cut before any work on it,
#: so what the screen costs is bounded by what it can show, not by what was stored.
DISPLAY_MAX_CHARS = 100_000
#: The most of one text `one_line` looks at: a cell is one line, at most the longest title.
LINE_MAX_CHARS = 2_000
CUT_MARK = "…"


def check_body(text: object, what: str = "text") -> str:
    """Validate text a person writes (a reply, a note): non-blank, storable, bounded."""
    text = check_storable(text, what)
    if not text.strip():
        raise Invalid(_("{field} is empty — write something first").format(field=what), what)
    if len(text) > MAX_BODY_CHARS:
        raise Invalid(
            _("{field} is too long ({length:,} characters; at most {limit:,})").format(
                field=what, length=len(text), limit=MAX_BODY_CHARS
            ),
            what,
        )
    return text


def check_storable(text: object, what: str = "text") -> str:
    """Any stored text must be a string of valid Unicode (no lone surrogates)."""
    if not isinstance(text, str):
        raise Invalid(_("{field} must be text").format(field=what), what)
    bad = _LONE_SURROGATE.search(text)
    if bad:
        raise Invalid(
            _(
                "{field} holds an invalid character U+{code:04X} (a lone surrogate, not valid Unicode) at position"
                " {position}"
            ).format(field=what, code=ord(bad.group()), position=bad.start()),
            what,
        )
    return text


def for_display(text: str, limit: int = DISPLAY_MAX_CHARS) -> str:
    """Make untrusted text safe to hand to a terminal, keeping line breaks.

    Escape sequences are removed whole (what they would do is not text); every other
    control character, bidi control and invisible character becomes `INVISIBLE_MARKER`,
    so nothing can be hidden from the partner or reorder what they read. Text longer
    than `limit` characters is cut first and ends with a note of what was left out.
    """
    cut = len(text) - limit
    if cut > 0:
        text = text[:limit]
    text = _LONE_SURROGATE.sub(INVISIBLE_MARKER, text)
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = _CONTROL.sub(INVISIBLE_MARKER, text)
    text = _EMOJI_JOINER.sub("", text)
    text = _INVISIBLE.sub(INVISIBLE_MARKER, text)
    text = _limit_combining(text)
    if cut > 0:
        text += f"{CUT_MARK} ({cut:,} more characters not shown)"
    return text


def json_escape_hidden(encoded: str) -> str:
    """Escape, in JSON text written with `ensure_ascii=False`, every character that would
    reorder, hide or act on a terminal showing it; the decoded value is unchanged.

    These characters can only occur inside JSON strings, where `\\uXXXX` means the same
    character, so replacing them anywhere in the text is safe.
    """
    if encoded.isascii():
        return encoded
    return _JSON_ESCAPED.sub(_json_escape, encoded)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # a tag character: as JSON writes it, a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def one_line(text: str, limit: int = LINE_MAX_CHARS) -> str:
    """`for_display` for a single-line cell: runs of whitespace become one space."""
    shown = " ".join(for_display(text[:limit]).split())
    return shown + CUT_MARK if len(text) > limit else shown


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


#: A web address as a link may carry it: http(s), and none of the characters that could
#: end a link's markup or a terminal's OSC 8 sequence (quotes, brackets, backslash, spaces).
_WEB_ADDRESS = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&()*+,;=%]+")


def web_address(text: str) -> bool:
    """Whether merchant-written `text` is a plain web address, safe to offer as a link."""
    return len(text) <= LINE_MAX_CHARS and _WEB_ADDRESS.fullmatch(text) is not None


# --- words: the one tokenizer of search (the index and the query alike) ---------------------

#: A word, as both the index and the query side see it: letters and digits of any script.
WORD = re.compile(r"[^\W_]+")


class _WordChars(dict[int, str]):
    """`str.translate` table: each character to its fold, every non-word character of
    that fold to a space, so `text.translate(table).split()` are the words of `text`.

    That equals `WORD.findall(fold(text))` because folding works character by character
    and whether a character belongs to a word depends on that character alone; one
    translate and one split cost a third of a fold and a regex scan. A character is
    worked out on first sight and kept (bounded like `fold`'s own table).
    """

    def __missing__(self, code: int) -> str:
        spaced = "".join(ch if WORD.fullmatch(ch) else " " for ch in fold(chr(code)))
        if len(self) < _WORD_CHARS_MAX:
            self[code] = spaced
        return spaced


_WORD_CHARS_MAX = 65_536
WORD_TABLE = _WordChars()


def words(text: str) -> list[str]:
    """Folded words of `text` ('Żółw-i' -> ['zolw', 'i']); the one tokenizer of search."""
    return text.translate(WORD_TABLE).split()
