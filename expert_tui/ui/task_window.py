"""The rows of one inbox query, fetched page by page around what the screen shows.

The inbox can hold 100,000 tasks, so the list never asks the store for all of them: it
asks this window for the row at a position, gets `None` while that row's page is not
here yet, and the widget fetches the missing pages in a worker. Only a bounded number
of pages stay in memory (least recently used go first).

A page is read from its position (`TaskQuery.offset`, which the store answers from
its sort indexes, fast from either end), or from the keyset cursor the page before it
returned when that is known. So `G`, a page jump or any row far from what is loaded
costs one query, not a walk through the rows before it. A search cannot be read by
position (its size is not known up front): it pages forward by cursor, walking from
the nearest known one in large steps.

The window holds no store: it fetches only inside a call of the app's store client
(`client.run(lambda store: window.fetch_pages(store, pages))`), in the client's thread;
a lock guards the shared state.
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

    def __init__(self, query: TaskQuery, total: int | None) -> None:
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

    # --- fetching (blocking: inside a store client call) ----------------------------------
    def fetch_pages(self, store: Store, pages: list[int]) -> None:
        """Load `pages`, each run of consecutive ones in one query."""
        runs: list[list[int]] = []
        for page in sorted(set(pages)):
            if runs and page == runs[-1][-1] + 1 and len(runs[-1]) < WALK_PAGES:
                runs[-1].append(page)
            else:
                runs.append([page])
        for run in runs:
            self.fetch(store, run[0], len(run))

    def fetch(self, store: Store, page: int, count: int = 1) -> None:
        """Load pages `page .. page + count - 1` (at most `WALK_PAGES` of them)."""
        count = max(1, min(count, WALK_PAGES))
        while True:
            with self._lock:
                if not self._missing(page, count):
                    return
                if self.query.q is None and page not in self._cursors:
                    start, query = page, replace(self.query, offset=page * PAGE_SIZE, limit=count * PAGE_SIZE)
                else:
                    # Forward from the nearest known cursor (one step when it is `page`'s).
                    start = max(known for known in self._cursors if known <= page)
                    steps = min(page + count - start, WALK_PAGES)
                    query = replace(self.query, cursor=self._cursors[start], limit=steps * PAGE_SIZE)
            result = store.list_tasks(query)
            with self._lock:
                # Walking: keep only the pages near the target.
                keep_from = page + count - WALK_PAGES
                self._take(start, query.limit // PAGE_SIZE, result.items, result.next_cursor, keep_from)

    def _missing(self, page: int, count: int) -> bool:
        last = page + count - 1 if self._last_page is None else min(page + count - 1, self._last_page)
        return any(number not in self._pages for number in range(page, last + 1))

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
