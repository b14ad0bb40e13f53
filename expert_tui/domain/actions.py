"""Every action a partner takes on a task, declared once.

One row per action: the rule it is (the domain action `rules.apply` judges), its key,
its words, how the partner gives what it needs (the reply editor, a dialog, a one-key
confirmation), whether it takes the task off the partner's plate (the inbox's cursor
moves on), the store method that does it and the command line's name for it. The
screens' keys, help, the command palette and the CLI's commands are all built from
`TASK_ACTIONS`, so a new action is one row here plus its store method.

Whether an action is possible right now is never worked out here: `allows` asks
`rules.apply` itself, with the row's `probe` (a stand-in action of the right kind), so
the status rules exist once, in `rules.py`, and the reason a key is refused is the
rules' own sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from ..i18n import N_, _
from . import rules as r
from .errors import DomainError
from .model import DeclineReason, Status, Task


class Ask(StrEnum):
    """What the partner gives before the action is taken."""

    NOTHING = "nothing"  # done at once
    CONFIRM = "confirm"  # a one-key question: only `y` goes on (SPEC 6)
    EDITOR = "editor"  # the reply editor: a message
    DECLINE = "decline"  # the decline dialog: a reason and a comment (its own confirmation)
    NOTE = "note"  # the note dialog: an internal note


@dataclass(frozen=True, slots=True)
class Confirmation:
    """The one-key question before an action with no undo; `{id}` is the task's id.

    `consent` names the store method's keyword that the `y` stands for (the merchant
    agreed to give access): the answer is recorded, not only asked. `consent_words` say
    what is confirmed, for the command line's option standing for the `y`."""

    question: str
    cancelled: str
    consent: str | None = None
    consent_words: str = ""

    def words(self, task_id: str) -> tuple[str, str]:
        """The question and what a key other than `y` leaves, in the language in force."""
        return _(self.question).format(id=task_id), _(self.cancelled).format(id=task_id)


@dataclass(frozen=True, slots=True)
class TaskAction:
    """One task action; see the module's docstring. Its words are English messages
    marked for the catalogue: whoever shows one translates it then (`_()`)."""

    #: The UI's name for it (bindings' ids are `task.NAME`, `inbox.NAME`).
    name: str
    #: A stand-in of the domain action, to ask the rules whether it is possible now.
    probe: r.Action
    key: str
    #: Footer and help words ("Complete"), and the palette's ("Task: mark completed").
    label: str
    title: str
    #: One line saying what it does: the palette's help and the key's tooltip.
    help: str
    #: "No task is highlighted — nothing to VERB."
    verb: str
    #: Done: "T-1042: marked inactive" on screen and on the command line.
    done: str
    ask: Ask
    store_method: str
    #: It takes the task off the partner's plate: the inbox's cursor moves to the next task.
    moves_on: bool = False
    confirm: Confirmation | None = None
    #: Offered on the inbox's highlighted task too, and whether the footers show its key.
    inbox: bool = False
    footer: bool = True
    inbox_footer: bool = False
    #: The inbox applies it to every picked task at once (`space`/`x`), each under the rules.
    bulk: bool = False
    #: The CLI: the command, its one-line summary and (optionally) a longer description.
    command: str = ""
    summary: str = ""
    description: str = ""
    #: Refusals (their `rule`) meaning the task already is where the action leads: the
    #: command line then says `already` and exits 0, so a script may repeat itself.
    already_rules: frozenset[str] = frozenset()
    already: str = ""

    @property
    def rule(self) -> type:
        """The domain action class this row stands for."""
        return type(self.probe)

    @property
    def store_kwargs(self) -> Mapping[str, object]:
        """What the confirmation records, passed to the store method."""
        consent = self.confirm.consent if self.confirm is not None else None
        return MappingProxyType({consent: True} if consent else {})


def refusal(action: TaskAction, task: Task, now: datetime) -> DomainError | None:
    """Why the rules refuse `action` on `task` at `now`, or None when they allow it."""
    try:
        r.apply(task, action.probe, now)
    except DomainError as error:
        return error
    return None


def allows(action: TaskAction, task: Task, now: datetime) -> bool:
    return refusal(action, task, now) is None


def allowed_actions(task: Task, now: datetime) -> frozenset[type]:
    """The partner's domain actions the rules allow now; nothing at all on an expired
    task (reading it is not an action)."""
    if task.status_at(now) is Status.EXPIRED:
        return frozenset()
    return frozenset({r.Open, *(action.rule for action in TASK_ACTIONS if allows(action, task, now))})


_PROBE = "probe"

TASK_ACTIONS: tuple[TaskAction, ...] = (
    TaskAction(
        name="reply",
        probe=r.PartnerMessage(_PROBE, _PROBE, _PROBE),
        key="r",
        label=N_("Reply"),
        title=N_("Task: reply"),
        help=N_("Write to the merchant (a first reply can start from a template)"),
        verb=N_("reply to"),
        done=N_("reply sent"),
        ask=Ask.EDITOR,
        store_method="reply",
        moves_on=True,
        inbox=True,
        inbox_footer=True,
        command="reply",
        summary=N_("send a message to the merchant"),
        description=N_(
            "Send a message to the merchant: the text from --message, --file F, standard input ('-' or "
            "--file -), or --template NAME: one of your saved replies or a built-in first-reply template "
            "(`expert-tui templates list` names them), filled in for the task and signed with your display "
            "name (set in the TUI's Preferences)."
        ),
    ),
    TaskAction(
        name="decline",
        probe=r.PartnerDecline(DeclineReason.NOT_A_FIT),
        key="d",
        label=N_("Decline"),
        title=N_("Task: decline"),
        help=N_("Decline with a reason"),
        verb=N_("decline"),
        done=N_("declined"),
        ask=Ask.DECLINE,
        store_method="decline",
        moves_on=True,
        inbox=True,
        bulk=True,
        inbox_footer=True,
        command="decline",
        summary=N_("decline a task, with a reason (exit 0 if it already is declined)"),
        already_rules=frozenset({Status.DECLINED.value}),
        already=N_("already declined"),
    ),
    TaskAction(
        name="note",
        probe=r.AddNote(_PROBE, _PROBE, _PROBE),
        key="n",
        label=N_("Note"),
        title=N_("Task: add internal note"),
        help=N_("Never sent to the merchant"),
        verb=N_("add a note to"),
        done=N_("note added (internal, never sent to the merchant)"),
        ask=Ask.NOTE,
        store_method="add_note",
        inbox=True,
        inbox_footer=True,
        command="note",
        summary=N_("add an internal note (never sent to the merchant)"),
    ),
    TaskAction(
        name="inactive",
        probe=r.MarkInactive(),
        key="i",
        label=N_("Inactive"),
        title=N_("Task: mark inactive"),
        help=N_("Messages can still be sent"),
        verb=N_("mark inactive"),
        done=N_("marked inactive"),
        ask=Ask.CONFIRM,
        confirm=Confirmation(
            N_("Mark {id} inactive? (messages can still be sent; a reactivates it)"),
            N_("Not marked inactive — only y confirms. {id} is unchanged."),
        ),
        store_method="mark_inactive",
        moves_on=True,
        inbox=True,
        bulk=True,
        command="inactive",
        summary=N_("mark a task inactive; messages can still be sent (exit 0 if it already is)"),
        already_rules=frozenset({"already_inactive"}),
        already=N_("already inactive"),
    ),
    TaskAction(
        name="reactivate",
        probe=r.Reactivate(),
        key="a",
        label=N_("Reactivate"),
        title=N_("Task: reactivate"),
        help=N_("Back to whichever side wrote last"),
        verb=N_("reactivate"),
        done=N_("reactivated"),
        ask=Ask.NOTHING,
        store_method="reactivate",
        command="reactivate",
        summary=N_("bring an inactive task back to the side that wrote last"),
    ),
    TaskAction(
        name="complete",
        probe=r.Complete(),
        key="c",
        label=N_("Complete"),
        title=N_("Task: mark completed"),
        help=N_("Reviews can be requested once completed"),
        verb=N_("complete"),
        done=N_("completed"),
        ask=Ask.CONFIRM,
        confirm=Confirmation(
            N_("Mark {id} completed? (reviews can then be requested; it stays completed)"),
            N_("Not completed — only y confirms. {id} is unchanged."),
        ),
        store_method="complete",
        moves_on=True,
        inbox=True,
        bulk=True,
        command="complete",
        summary=N_("mark a task completed (exit 0 if it already is)"),
        already_rules=frozenset({"already_completed"}),
        already=N_("already completed"),
    ),
    TaskAction(
        name="request_review",
        probe=r.RequestReview(),
        key="v",
        label=N_("Request review"),
        title=N_("Task: request a review"),
        help=N_("Once per completed task"),
        verb=N_("request a review of"),
        done=N_("review requested"),
        ask=Ask.NOTHING,
        store_method="request_review",
        command="request-review",
        summary=N_("ask the merchant for a review of a completed task, once (exit 0 if already asked)"),
        already_rules=frozenset({"review_requested"}),
        already=N_("review already requested"),
    ),
    TaskAction(
        name="store_access",
        probe=r.RequestStoreAccess(merchant_consented=True, by=_PROBE),
        key="A",
        label=N_("Store access"),
        title=N_("Task: request store access"),
        help=N_("Collaborator access to the merchant's store, once they agreed"),
        verb=N_("request store access for"),
        done=N_("store access requested"),
        ask=Ask.CONFIRM,
        confirm=Confirmation(
            N_(
                "Has the merchant agreed to give you access to their store? y requests it for {id}, "
                "recording their consent"
            ),
            N_("Store access not requested — only y confirms the merchant agreed. {id} is unchanged."),
            consent="merchant_consented",
            consent_words=N_("the merchant agreed to give you access"),
        ),
        store_method="request_store_access",
        # 80 columns hold only so much: help and the palette list it, the task's header says its state.
        footer=False,
        command="store-access",
        summary=N_("request collaborator access to the merchant's store, once they agreed (exit 0 if already asked)"),
        description=N_(
            "Request collaborator access to the merchant's store (possible while the conversation is "
            "under way). The marketplace asks it only with the merchant's consent: say they agreed "
            "with --merchant-consented. Already requested or granted: exit 0, 'already requested'."
        ),
        already_rules=frozenset({"store_access_requested"}),
        already=N_("store access already {access}"),
    ),
)

#: The rows by name.
BY_NAME: Mapping[str, TaskAction] = MappingProxyType({action.name: action for action in TASK_ACTIONS})
