"""The only door through which untrusted text reaches a widget.

Strings handed to `Static`, `Label`, `DataTable` or `notify` are parsed as markup, so
merchant text must arrive as `Content` (or Rich `Text`) built here, after
`for_display` has removed everything a terminal would act on.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from ..domain.text import for_display, one_line

#: The most of one text a widget is given. Textual wraps text again at every layout, at
#: a cost that grows with its length (about 9 µs a character for one long word), so a
#: text of any size stored costs what about two full screens hold (120×40): the rest is
#: named, not drawn (`expert-tui show` prints all of it).
SCREEN_MAX_CHARS = 10_000


def safe_content(text: str, style: str = "") -> Content:
    """Multi-line untrusted text as inert Content, at most `SCREEN_MAX_CHARS` of it."""
    shown = for_display(text, SCREEN_MAX_CHARS)
    return Content.styled(shown, style) if style else Content(shown)


def safe_line(text: str, style: str = "") -> Content:
    """Untrusted text for a single-line cell: line breaks and tabs become spaces."""
    return Content.styled(one_line(text), style) if style else Content(one_line(text))


def safe_text(text: str, style: str = "") -> Text:
    """Untrusted text as a Rich `Text`, for renderables that want Rich objects."""
    return Text(for_display(text, SCREEN_MAX_CHARS), style=style)
