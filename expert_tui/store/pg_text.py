"""Text that PostgreSQL cannot hold, held anyway: NUL characters.

PostgreSQL's `text` refuses U+0000, while the store promises that whatever a merchant
sent reads back unchanged (SPEC section 5, the hostile corpus has a NUL). Every string
crossing the driver is escaped with one marker character, reversibly: the marker
itself becomes marker + "1", NUL becomes marker + "0". The marker is a noncharacter
(U+10FFFF) that no text is expected to hold, so the escape costs one `in` test per
value almost always. JSON documents need nothing: JSON already writes NUL as `\\u0000`.

Decoding is two plain replacements: every marker in an escaped string starts a
two-character token, so replacing the "0" tokens first can never meet half a token.
"""

from __future__ import annotations

from psycopg import Connection
from psycopg.types.string import StrDumperUnknown, TextLoader

MARK = "\U0010ffff"
_NUL = "\x00"


def escape(text: str) -> str:
    if _NUL in text or MARK in text:
        return text.replace(MARK, MARK + "1").replace(_NUL, MARK + "0")
    return text


def unescape(text: str) -> str:
    if MARK in text:
        return text.replace(MARK + "0", _NUL).replace(MARK + "1", MARK)
    return text


class _EscapingDumper(StrDumperUnknown):
    def dump(self, obj: str) -> bytes | bytearray | memoryview:
        return super().dump(escape(obj))


class _UnescapingLoader(TextLoader):
    def load(self, data: bytes | bytearray | memoryview) -> str:
        return unescape(super().load(data))  # type: ignore[arg-type]


def install(conn: Connection) -> None:
    """Make `conn` write and read every string through the escape."""
    conn.adapters.register_dumper(str, _EscapingDumper)
    conn.adapters.register_loader("text", _UnescapingLoader)
