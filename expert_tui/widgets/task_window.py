"""The rows of one inbox query, fetched page by page around what the screen shows.

The inbox can hold 100,000 tasks, so the list never asks the store for all of them: it
asks this window for the row at a position, gets `None` while that row's page is not
here yet, and the widget fetches the missing pages in a worker. Only a bounded number
of pages stay in memory (least recently used go first).

The store pages by keyset cursor, so reaching page `k` needs the cursor that page
`k - 1` returned. The window remembers every cursor it has seen (a few bytes per page)
and walks forward from the nearest known one in large steps, which keeps a jump to
the end at a couple of hundred cheap queries at 100,000 tasks, done once: afterwards
every page is one query away.

Every method here may run in a worker thread; a lock guards the shared state.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace

from ..domain import Task
from ..store.base import MAX_PAGE_SIZE, Store, TaskQuery

PAGE_SIZE = 100
#: Pages kept in memory: the screen plus generous room to scroll back and forth.
MAX_PAGES = 40
#: Pages fetched per query when walking forward to a far page.
WALK_PAGES = MAX_PAGE_SIZE // PAGE_SIZE


class TaskWindow:
    """Row index -> task for one query, cached by page."""

    def __init__(self, store: Store, query: TaskQuery, total: int | None) -> None:
        self.store = store
        self.query = replace(query, limit=PAGE_SIZE, cursor=None)
        #: Rows the query holds, when the store could count them (not for a search).
        self.total = total
        self._pages: OrderedDict[int, list[Task]] = OrderedDict()
        self._cursors: dict[int, str | None] = {0: None}
        self._last_page: int | None = None if total is None else max(0, (total - 1) // PAGE_SIZE)
        self._end_rows: int | None = total
        self._lock = threading.Lock()

    # --- reading (cheap, called while rendering) -----------------------------------------
    def task_at(self, row: int) -> Task | None:
        page, index = divmod(row, PAGE_SIZE)
        with self._lock:
            items = self._pages.get(page)
            if items is None:
                return None
            self._pages.move_to_end(page)
        return items[index] if index < len(items) else None

    @property
    def known_rows(self) -> int:
        """Rows to show: the count when known, else what has been seen plus one page."""
        if self.total is not None:
            return self.total
        with self._lock:
            if self._end_rows is not None:
                return self._end_rows
            return (max(self._cursors) + 1) * PAGE_SIZE

    @property
    def complete(self) -> bool:
        """True when the end of the query is known."""
        return self.total is not None or self._last_page is not None

    def missing_pages(self, first_row: int, last_row: int) -> list[int]:
        """Pages covering rows `first_row..last_row` that are not in memory."""
        first = max(0, first_row) // PAGE_SIZE
        last = max(0, last_row) // PAGE_SIZE
        with self._lock:
            if self._last_page is not None:
                last = min(last, self._last_page)
            return [page for page in range(first, last + 1) if page not in self._pages]

    def find(self, task_id: str, near_row: int, span: int = 2 * PAGE_SIZE) -> int | None:
        """Row of `task_id` among the loaded rows within `span` of `near_row`."""
        for row in range(max(0, near_row - span), near_row + span):
            task = self.task_at(row)
            if task is not None and task.id == task_id:
                return row
        return None

    # --- fetching (blocking: run in a worker thread) -------------------------------------
    def fetch(self, page: int) -> None:
        """Load `page`, walking forward from the nearest known cursor if needed."""
        while True:
            with self._lock:
                if page in self._pages or (self._last_page is not None and page > self._last_page):
                    return
                start = max(known for known in self._cursors if known <= page)
                cursor = self._cursors[start]
            steps = min(page - start + 1, WALK_PAGES)
            # Walking: fetch several pages at once, keep only those near the target.
            result = self.store.list_tasks(replace(self.query, cursor=cursor, limit=steps * PAGE_SIZE))
            with self._lock:
                self._take(start, steps, result.items, result.next_cursor, keep_from=page - WALK_PAGES + 1)

    def _take(self, start: int, steps: int, items: list[Task], next_cursor: str | None, keep_from: int) -> None:
        for offset in range(steps):
            number = start + offset
            chunk = items[offset * PAGE_SIZE : (offset + 1) * PAGE_SIZE]
            if number >= keep_from and (chunk or number == 0):
                self._remember(number, chunk)
            if len(chunk) < PAGE_SIZE:
                self._end(number if chunk or number == 0 else number - 1, number * PAGE_SIZE + len(chunk))
                return
        if next_cursor is None:
            self._end(start + steps - 1, (start + steps) * PAGE_SIZE)
        else:
            self._cursors[start + steps] = next_cursor

    def _end(self, last_page: int, rows: int) -> None:
        self._last_page = last_page
        self._end_rows = rows

    def _remember(self, page: int, items: list[Task]) -> None:
        self._pages[page] = items
        self._pages.move_to_end(page)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
