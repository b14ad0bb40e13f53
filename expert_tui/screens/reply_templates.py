"""What the reply editor offers, and the text a choice puts into it.

The built-in first replies are offered on a first reply only, in both languages (the
editor starts in the app's own language; `l` switches); the partner's saved replies are
offered on every reply. An offer's id names a built-in (`introduce-pl`) or a saved reply
(`saved:NAME`), so the choice is filled in from the replies as they are when chosen.
"""

from __future__ import annotations

from ..domain import Author, Task
from ..domain.saved_replies import Filled, ReplyContext, SavedReply, fill_text, find
from ..domain.templates import built_in, built_ins, fill
from ..settings import local_zone
from ..widgets.reply_editor import TemplateOffer

SAVED = "saved:"


def is_first_reply(task: Task) -> bool:
    return not any(message.author is Author.PARTNER for message in task.messages)


def offers(
    task: Task, replies: tuple[SavedReply, ...]
) -> tuple[dict[str, tuple[TemplateOffer, ...]], tuple[TemplateOffer, ...]]:
    """The built-ins by language (empty past the first reply), and the saved replies."""
    first = is_first_reply(task)
    by_language = {
        lang: tuple(TemplateOffer(t.id, t.name, t.short) for t in built_ins(lang)) if first else ()
        for lang in ("en", "pl")
    }
    saved = tuple(TemplateOffer(SAVED + reply.name, reply.name, reply.name, saved=True) for reply in replies)
    return by_language, saved


def filled(offer_id: str, task: Task, signer: str, replies: tuple[SavedReply, ...]) -> Filled | None:
    """The text of the offer chosen, for `task`; None when it is gone (a saved reply
    deleted meanwhile). Raises `TemplateError` for a saved text that no longer parses."""
    if offer_id.startswith(SAVED):
        reply = find(replies, offer_id.removeprefix(SAVED))
        return None if reply is None else fill_text(reply.body, ReplyContext(task, signer, local_zone()))
    if built_in(offer_id) is None:
        return None
    return Filled(fill(offer_id, task, signer))
