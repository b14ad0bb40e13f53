"""The reply editor (its draft is kept by `widgets.drafts.DraftSaver`).

Sending is `ctrl+s`, plus `alt+enter`/`ctrl+enter` where the terminal reports them;
`ctrl+j` is never a send key (it is what a pasted line feed arrives as; see `TextBox`).

Templates are a choice inside the editor, never a modal that takes the keys (SPEC 6):
the line above the editor offers them, `ctrl+t` starts choosing (a digit, or arrows and
`enter`), and any other key ends the choice and is typed as usual, so nothing typed is
lost. A first reply is offered the built-in first replies, in the language chosen with `l`
(English or Polish: the merchant's language, whatever the app's), and every reply the
partner's saved replies; `m` opens the saved replies to write or change them. A template
chosen into a draft that has text asks first: `r` replaces the draft (undo brings it
back), `i` inserts the template at the cursor on a line of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from ..domain.templates import LANGUAGE_NAMES
from ..i18n import N_, _, language
from .text_box import TextBox

#: How a template goes into the editor: the editor was empty, or the partner's answer.
Placement = Literal["fill", "replace", "insert"]


#: Templates listed at once while choosing (what fits above the editor at 80x24); the
#: arrows scroll through more, and the head line says how many there are.
_SHOWN_WHILE_CHOOSING = 4
_FILLED_IN = N_("(filled in for this task)")


@dataclass(frozen=True, slots=True)
class TemplateOffer:
    id: str
    name: str
    short: str
    #: One of the partner's saved replies (else a built-in first reply).
    saved: bool = False


class ReplyEditor(TextBox):
    """A multi-line editor whose keys send, leave, or choose a template."""

    HELP_GROUP: ClassVar[str] = N_("Reply editor")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", N_("Send"), id="reply.send"),
        Binding("alt+enter", "send", N_("Send"), show=False, id="reply.send_alt_enter"),
        Binding("ctrl+enter", "send", N_("Send"), show=False, id="reply.send_ctrl_enter"),
        Binding("escape", "leave", N_("Leave (keeps draft)"), id="reply.leave"),
        Binding("ctrl+t", "templates", N_("Templates"), id="reply.templates"),
    ]

    class SendRequested(Message):
        """The partner asked to send what is in the editor."""

    class LeaveRequested(Message):
        """The partner left the editor; the draft stays."""

    class ManageRequested(Message):
        """`m` while choosing: the partner wants to write or change their saved replies."""

    class TemplateChosen(Message):
        """A template to put into the editor, and how (see `put_template`)."""

        def __init__(self, template_id: str, placement: Placement) -> None:
            super().__init__()
            self.template_id = template_id
            self.placement = placement

    class PromptChanged(Message):
        """The line above the editor has something else to say (`prompt()`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, placeholder=_("Write your reply…"))
        #: The built-in first replies on offer, by language (none on a follow-up reply).
        self._built_ins: dict[str, tuple[TemplateOffer, ...]] = {}
        self._saved: tuple[TemplateOffer, ...] = ()
        #: The language of the built-ins on offer: the app's own at first; `l` switches it.
        self.template_language = language()
        #: While choosing: the highlighted template's index.
        self._choosing: int | None = None
        #: A template chosen into a draft with text, waiting for "replace or insert".
        self._asking: str | None = None

    def retell(self) -> None:
        """The placeholder in the language now in force (the prompt is drawn on demand)."""
        self.placeholder = _("Write your reply…")
        self.post_message(self.PromptChanged())

    # --- templates ------------------------------------------------------------------------
    def offer_templates(
        self,
        built_ins: dict[str, tuple[TemplateOffer, ...]],
        saved: tuple[TemplateOffer, ...] = (),
        language: str | None = None,
    ) -> None:
        """The templates that make sense now: the built-in first replies by language (none
        on a follow-up reply), and the partner's saved replies (always)."""
        self._built_ins = {lang: offers for lang, offers in built_ins.items() if offers}
        self._saved = saved
        if language is not None:
            self.template_language = language
        if self._built_ins and self.template_language not in self._built_ins:
            self.template_language = next(iter(self._built_ins))
        self._end_choice()

    @property
    def _offers(self) -> tuple[TemplateOffer, ...]:
        return self._built_ins.get(self.template_language, ()) + self._saved

    @property
    def choosing(self) -> bool:
        return self._choosing is not None or self._asking is not None

    def action_templates(self) -> None:
        self._asking = None
        self._choosing = 0
        self.post_message(self.PromptChanged())

    def prompt(self) -> Content | None:
        """What the line above the editor says, or None to hide it."""
        if self._asking is not None:
            return Content.assemble(
                (_("Your draft has text:") + " ", "bold"),
                ("r", "bold"),
                " " + _("replace it") + " · ",
                ("i", "bold"),
                " " + _("insert at the cursor") + " · ",
                ("esc", "bold"),
                " " + _("keep it as it is"),
            )
        if self._choosing is not None:
            return self._choice_prompt(self._choosing)
        offers = self._offers
        if not offers:
            return None
        filled_in = ("  " + _(_FILLED_IN), "dim")
        if self._built_ins:
            shorts = " · ".join(f"{n} {offer.short}" for n, offer in enumerate(offers, 1) if not offer.saved)
            saved, total = len(self._saved), len(offers)
            if saved > 1:
                more = " · " + _("{first}–{last} saved").format(first=total - saved + 1, last=total)
            else:
                more = " · " + _("{n} saved").format(n=total) if saved else ""
            return Content.assemble(
                ("ctrl+t", "bold"), " " + _("template: {offers}").format(offers=shorts + more), filled_in
            )
        shorts = " · ".join(f"{n} {offer.short}" for n, offer in enumerate(offers[:3], 1))
        more = f" · +{len(offers) - 3}" if len(offers) > 3 else ""
        return Content.assemble(
            ("ctrl+t", "bold"), " " + _("saved reply: {offers}").format(offers=shorts + more), filled_in
        )

    def _choice_prompt(self, chosen: int) -> Content:
        offers = self._offers
        head: list[Content | str | tuple[str, str]] = [(_("Template:") + " ", "bold")]
        if offers:
            if len(offers) > 1:
                head += [_("1–{last} or ↑↓ enter").format(last=min(len(offers), 9)) + " · "]
            else:
                head += [_("1 or enter") + " · "]
        if self._built_ins:
            others = [lang for lang in self._built_ins if lang != self.template_language]
            if others:
                head += [("l", "bold"), f" {LANGUAGE_NAMES.get(others[0], others[0])} · "]
        head += [("m", "bold"), " " + _("saved replies") + " · ", ("esc", "bold"), " " + _("back")]
        lines = [Content.assemble(*head)]
        if not offers:  # a follow-up reply, before any reply was saved
            lines.append(
                Content.styled("  " + _("No saved replies yet — m writes one; they are offered on every reply."), "dim")
            )
        first = max(0, min(chosen - _SHOWN_WHILE_CHOOSING + 2, len(offers) - _SHOWN_WHILE_CHOOSING))
        for index in range(first, min(len(offers), first + _SHOWN_WHILE_CHOOSING)):
            offer, picked = offers[index], index == chosen
            label = f"{index + 1}  {offer.name}" if index < 9 else f"   {offer.name}"
            lines.append(
                Content.assemble(
                    ("▶ " if picked else "  ", "bold"),
                    (label, "reverse" if picked else ""),
                    ("  " + _("saved reply") if offer.saved else "", "dim"),
                )
            )
        return Content("\n").join(lines)

    async def _on_key(self, event: events.Key) -> None:
        if self._asking is not None and self._answer(event.key):
            event.stop()
            event.prevent_default()
            return
        if self._choosing is not None and self._choose_with(event.key):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    def _choose_with(self, key: str) -> bool:
        """A key while choosing: True if it was part of the choice. Any other key ends the
        choice and then does what it always does (a letter is typed)."""
        assert self._choosing is not None
        count = len(self._offers)
        if key.isdigit() and 1 <= int(key) <= count:
            self._choose(int(key) - 1)
        elif key in ("up", "left"):
            self._choosing = max(0, self._choosing - 1)
        elif key in ("down", "right"):
            self._choosing = max(0, min(count - 1, self._choosing + 1))
        elif key == "enter" and count:
            self._choose(self._choosing)
        elif key == "l" and len(self._built_ins) > 1:
            languages = list(self._built_ins)
            self.template_language = languages[(languages.index(self.template_language) + 1) % len(languages)]
            self._choosing = 0
        elif key == "m":
            self._end_choice()
            self.post_message(self.ManageRequested())
        elif key in ("escape", "ctrl+t"):
            self._end_choice()
        else:
            self._end_choice()
            return False
        self.post_message(self.PromptChanged())
        return True

    def _choose(self, index: int) -> None:
        template_id = self._offers[index].id
        self._choosing = None
        if self.text.strip():
            self._asking = template_id
        else:
            self.post_message(self.TemplateChosen(template_id, "fill"))

    def _answer(self, key: str) -> bool:
        assert self._asking is not None
        template_id, self._asking = self._asking, None
        self.post_message(self.PromptChanged())
        if key == "r":
            self.post_message(self.TemplateChosen(template_id, "replace"))
        elif key == "i":
            self.post_message(self.TemplateChosen(template_id, "insert"))
        elif key != "escape":
            return False  # not an answer: the question goes, the key is typed
        return True

    def _end_choice(self) -> None:
        if self.choosing:
            self._choosing = self._asking = None
            self.post_message(self.PromptChanged())

    def on_blur(self) -> None:
        self._end_choice()

    def put_template(self, text: str, placement: Placement) -> None:
        """Put a filled template in: the whole text (`fill`, `replace`; undo brings the
        draft back), or at the cursor on a line of its own (`insert`)."""
        if self.read_only:
            return
        if placement == "insert":
            row, column = self.cursor_location
            line = self.document[row]
            before = "\n" if line[:column].strip() else ""
            after = "\n" if line[column:].strip() else ""
            start, end = self.selection
            self.replace(before + text + after, start, end, maintain_selection_offset=False)
            return
        self.replace(text, (0, 0), self.document.end, maintain_selection_offset=False)
        # The cursor waits at the signature; the view starts at the greeting, to read it first.
        self.call_after_refresh(self.scroll_home, animate=False)

    # --- sending and leaving --------------------------------------------------------------
    def action_send(self) -> None:
        self._end_choice()
        self.post_message(self.SendRequested())

    def action_leave(self) -> None:
        self.post_message(self.LeaveRequested())


class ReplyPrompt(Static):
    """The line above the editor: the templates on offer, the choice, or its question."""

    def show(self, prompt: Content | None) -> None:
        self.display = prompt is not None
        if prompt is not None:
            self.update(prompt)
