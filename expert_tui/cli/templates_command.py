"""Templates on the command line: `reply ID --template NAME` and `templates list`.

A name is a built-in's id (`introduce`, `call`, `quote`; `-pl` for the Polish text, `-en`
accepted for the English one) or a saved reply's name in any capitals. A name that is
neither, or a saved-replies file that cannot be read, is a clear error (exit 2) that
lists what there is, never a reply sent with a hole in it.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ..domain.saved_replies import ReplyContext, TemplateError, fill_text, find
from ..domain.templates import BUILT_INS, built_in, fill
from ..domain.text import one_line
from ..i18n import _
from ..replies_file import RepliesFile
from ..settings import local_zone
from .exits import BAD_INPUT, OK, CliError
from .output import JsonOut

if TYPE_CHECKING:
    from .handlers import Context


def template_text(ctx: Context, args: argparse.Namespace) -> str:
    """The template named `--template`, filled in for the task and signed as the TUI signs:
    the person's display name, or on a shared server the name their token carries."""
    given = [name for name, value in (("--message", args.message), ("--file", args.file), ("'-'", args.stdin)) if value]
    if given:
        raise CliError(
            _("give the text one way only, not --template and {other}").format(other=given[0]), field="template"
        )
    from ..settings import SettingsFile

    name: str = args.template
    template = built_in(name)
    saved = RepliesFile()
    reply = None if template is not None else find(saved.replies, name)
    if template is None and reply is None:
        raise CliError(_not_found(name, saved), field="template")
    task = ctx.store.get_task(args.task_id)
    signer = SettingsFile().current.display_name or (ctx.store.user if ctx.store.over_network else "")
    if template is not None:
        return fill(template.id, task, signer)
    assert reply is not None
    try:
        filled = fill_text(reply.body, ReplyContext(task, signer, local_zone()))
    except TemplateError as error:  # checked when saved; a file edited by hand since
        raise CliError(f"saved reply {reply.name!r}: {error.message}", field="template") from None
    if filled.empty:
        fields = ", ".join("{" + name + "}" for name in filled.empty)
        sys.stderr.write(
            f"expert-tui: warning: {fields} empty for {one_line(task.id)} and without a fallback"
            f" (write {{{filled.empty[0]}|…}} in the saved reply to give one)\n"
        )
    return filled.text


def _not_found(name: str, saved: RepliesFile) -> str:
    built = ", ".join(t.id for t in BUILT_INS)
    own = ", ".join(repr(reply.name) for reply in saved.replies) or "none yet"
    message = f"no template named {one_line(name)!r}; the built-ins: {built}; your saved replies: {own}"
    return message + (f" ({saved.problem})" if saved.problem else "")


def templates_command(ctx: Context, args: argparse.Namespace) -> int:
    """`templates list`: the built-ins, then the person's saved replies in their order."""
    saved = RepliesFile()
    rows: list[dict[str, Any]] = [
        {"name": t.id, "kind": "built_in", "lang": t.lang, "first_reply_only": True, "title": t.name} for t in BUILT_INS
    ]
    rows += [
        {"name": r.name, "kind": "saved", "lang": None, "first_reply_only": False, "title": _first_line(r.body)}
        | {"body": r.body}
        for r in saved.replies
    ]
    as_json = JsonOut(args)
    if as_json.wanted:
        as_json.document(rows)
    else:
        width = max(len(one_line(row["name"])) for row in rows)
        for row in rows:
            kind = f"built-in, {row['lang']}" if row["kind"] == "built_in" else "saved"
            sys.stdout.write(f"{one_line(row['name']):<{width}}  {kind:<12}  {one_line(row['title'])}\n")
    if saved.problem:
        sys.stderr.write(f"expert-tui: {saved.problem} — only the built-ins are listed\n")
        return BAD_INPUT
    return OK


def _first_line(body: str) -> str:
    return next((line for line in body.splitlines() if line.strip()), "")
