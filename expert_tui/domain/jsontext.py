"""JSON text as every output writes it (CLI, export, the HTTP API): one encoder.

UTF-8, so `grep Wiśniewski` finds what it should; but the characters that reorder or
hide text on a terminal (bidi controls, zero-width and tag characters, C1 controls)
stay `\\uXXXX` escapes, so JSON shown on a terminal never lies about what it holds.
Timestamps are already whole-second RFC 3339 strings by the time they get here
(`timefmt.format_ts`).
"""

from __future__ import annotations

import json
from typing import Any

from .text import json_escape_hidden

_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def dumps(value: Any) -> str:
    """One line of JSON: UTF-8 text with terminal-active characters escaped."""
    return json_escape_hidden(_ENCODE(value))
