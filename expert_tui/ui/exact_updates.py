"""Partial screen updates that write only the cells asked for.

`Widget.refresh(region)` marks a few cells dirty, and Textual's compositor turns the
dirty regions into spans `(y, x1, x2)` per line. But when it writes a span to the
terminal (`ChopsUpdate.render_segments` in Textual 8.2) it crops each widget's strip
only at the span's *end*: everything from the widget's left edge onwards is written
again (the source says "TODO: crop to x extents"; upstream issue
Textualize/textual#5625). For the inbox that turned a 12-cell countdown into a whole
list line, 27 lines a second: about 11,000 bytes a second to an idle terminal.

`ExactCompositor` crops at both ends, so an idle inbox writes the countdown digits
that changed and nothing else. It never cuts a double-width character in half (the
terminal would blank its other half): a span that starts or ends inside one is
widened to the whole character.
"""

from __future__ import annotations

from rich.cells import cell_len, get_character_cell_size
from rich.console import Console
from rich.control import Control
from textual._compositor import ChopsUpdate, Compositor
from textual.screen import Screen
from textual.strip import Strip


class ExactChopsUpdate(ChopsUpdate):
    """A `ChopsUpdate` whose spans are cropped at their start as well as their end."""

    def render_segments(self, console: Console) -> str:
        sequences: list[str] = []
        append = sequences.append
        move_to = Control.move_to
        last_y = self.spans[-1][0]
        for y, x1, x2 in self.spans:
            for end, (x, strip) in zip(self.chop_ends[y], self.chops[y].items(), strict=False):
                if strip is None or x >= x2 or end <= x1:
                    continue
                start, stop = whole_characters(strip, max(x1, x) - x, min(x2, end) - x)
                append(move_to(x + start, y).segment.text)
                append(strip.crop(start, stop).render(console))
            if y != last_y:
                append("\n")
        return "".join(sequences)


def whole_characters(strip: Strip, start: int, stop: int) -> tuple[int, int]:
    """Widen the cell range `start..stop` of `strip` so no wide character is split."""
    position = 0
    for segment in strip:
        text = segment.text
        width = cell_len(text)
        if position + width <= start:
            position += width
            continue
        if position >= stop:
            break
        if width == len(text):  # one cell per character: any cut is a clean one
            position += width
            continue
        for character in text:
            size = get_character_cell_size(character)
            if position < start < position + size:
                start = position
            if position < stop < position + size:
                stop = position + size
            position += size
    return start, stop


class ExactCompositor(Compositor):
    """The screen's compositor, with partial updates cropped to what changed."""

    def render_partial_update(self) -> ChopsUpdate | None:
        update = super().render_partial_update()
        if update is None:
            return None
        return ExactChopsUpdate(update.chops, update.spans, update.chop_ends)


def use_exact_updates(screen: Screen[object]) -> None:
    """Give `screen` (from its `__init__`, before it is mounted) the exact compositor."""
    screen._compositor = ExactCompositor()
