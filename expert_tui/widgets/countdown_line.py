"""One line of `Content` that, when it changes, repaints only the cells that differ.

A countdown such as "Reply within 05:12:09" changes one or two cells a second. A
`Static` repaints its whole width for every `update`; this widget compares the new
line with the one on screen and refreshes just the changed cells, which the screen's
`ExactCompositor` then writes alone.
"""

from __future__ import annotations

from rich.cells import get_character_cell_size
from rich.style import Style
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget

Cell = tuple[str, Style | None]


class CountdownLine(Widget):
    DEFAULT_CSS = """
    CountdownLine {
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.content = Content("")
        #: The line on screen and what it was rendered from (content, width, style).
        self._strip: Strip | None = None
        self._rendered_from: tuple[object, ...] | None = None

    def show(self, content: Content) -> None:
        if content == self.content:
            return
        self.content = content
        old = self._strip
        if old is None or not self.is_mounted:
            self.refresh()
            return
        span = changed_cells(cells(old), cells(self._current_strip()))
        if span is not None:
            start, end = span
            self.refresh(Region(start, 0, end - start, 1))

    def _current_strip(self) -> Strip:
        """The line for the current content, size and style (rendered once for each)."""
        width = self.size.width
        source = (self.content, width, self.visual_style)
        if self._strip is None or source != self._rendered_from:
            strips = Visual.to_strips(self, self.content, width, 1, self.visual_style, pad=True)
            blank = Strip.blank(width, self.rich_style)
            self._strip = strips[0].adjust_cell_length(width, self.rich_style) if strips else blank
            self._rendered_from = source
        return self._strip

    def render_line(self, y: int) -> Strip:
        return self._current_strip() if y == 0 else Strip.blank(self.size.width, self.rich_style)


def cells(strip: Strip) -> list[Cell]:
    """Each terminal cell of `strip` (the second half of a wide character is empty)."""
    out: list[Cell] = []
    for segment in strip:
        for character in segment.text:
            out.append((character, segment.style))
            out.extend(("", segment.style) for _ in range(get_character_cell_size(character) - 1))
    return out


def changed_cells(old: list[Cell], new: list[Cell]) -> tuple[int, int] | None:
    """The range of cells `start..end` that differ, or None when none do."""
    if len(old) != len(new):
        return 0, max(len(old), len(new))
    differing = [index for index, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    if not differing:
        return None
    return differing[0], differing[-1] + 1
