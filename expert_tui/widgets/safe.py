"""The only door through which untrusted text reaches a widget.

Strings handed to `Static`, `Label`, `DataTable` or `notify` are parsed as markup, so
merchant text must arrive as `Content` (or Rich `Text`) built here, after
`for_display` has removed everything a terminal would act on.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from ..domain.text import for_display, one_line


def safe_content(text: str, style: str = "") -> Content:
    """Multi-line untrusted text as inert Content."""
    return Content.styled(for_display(text), style) if style else Content(for_display(text))


def safe_line(text: str, style: str = "") -> Content:
    """Untrusted text for a single-line cell: line breaks and tabs become spaces."""
    return Content.styled(one_line(text), style) if style else Content(one_line(text))


def safe_text(text: str, style: str = "") -> Text:
    """Untrusted text as a Rich `Text`, for renderables that want Rich objects."""
    return Text(for_display(text), style=style)
