"""The palette finds a task by its id and opens it: `ctrl+p`, `t-1045`, `enter`.

Any capitals do (SPEC 6 Ids: an id matching no task exactly names the one task whose
id it is in other capitals, `Store.resolve_id`). The store is asked through the app's
store client, off the event loop, so a slow server never holds the palette's keys.
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING

from textual.command import Hit, Hits, Provider
from textual.content import Content

from ..domain import DomainError, Task
from ..domain.text import one_line
from ..i18n import _
from .store_client import StoreFailed

if TYPE_CHECKING:
    from ..store.base import Store
    from .store_client import StoreClient

#: What an id may be (SPEC 6): 1–64 of A–Z a–z 0–9 . _ -; a digit tells it from a word.
_LOOKS_LIKE_ID = re.compile(r"(?=.*\d)[A-Za-z0-9._-]{1,64}")


class TaskJump(Provider):
    """Offers "Open task T-1045" when what is typed is the id of a task."""

    async def search(self, query: str) -> Hits:
        text = query.strip()
        if not _LOOKS_LIKE_ID.fullmatch(text):
            return
        task = await self._find(text)
        opener = next((s for s in reversed(self.app.screen_stack) if hasattr(s, "jump_to")), None)
        if task is None or opener is None:
            return
        name = _("Open task {id} — {title}").format(id=task.id, title=one_line(task.title, 60))
        yield Hit(1.0, Content(name), partial(opener.jump_to, task), text=name, help=_("Go straight to this task"))

    async def _find(self, text: str) -> Task | None:
        client: StoreClient = self.app.client  # type: ignore[attr-defined]

        def find(store: Store) -> Task:
            return store.get_task(store.resolve_id(text))

        try:
            # Quiet: a palette being typed into is no place for a failure notice; it just offers nothing.
            return await client.run(find, quiet=True)
        except (DomainError, StoreFailed):
            return None
