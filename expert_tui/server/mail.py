"""Notification e-mails as messages: what they say, and why merchant text cannot escape.

Merchant names and titles are untrusted. They reach headers only through `one_line`
(no line breaks, no control characters, cut short) and the standard library's
`EmailMessage` under the SMTP policy, which encodes non-ASCII words (RFC 2047) and
refuses any header value holding CR or LF; recipients are never read from a header:
the sender hands the relay the one notification address itself. Bodies are plain text
through `for_display` (escape sequences removed, controls and invisible characters
made visible), encoded by the policy, so no body line can become a header either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from ..domain.model import Preferences, zone
from ..domain.text import for_display, one_line
from ..domain.timefmt import parse_ts
from ..store.notify import Waiting

#: The policy every notification is built and written with: SMTP line ends, and a
#: defect in a header is an error, never silently kept.
POLICY = SMTP.clone(raise_on_defect=True)
#: An address the sender will hand to a relay: a dot-atom local part and domain, ASCII
#: only. Stricter than what preferences accept: `a,b@x.example` is one address there
#: and two in a header, so it is refused here rather than sent anywhere.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_SUBJECT_CHARS = 120
_NAME_CHARS = 200
_KIND_NAMES = {"match": "Match", "direct": "Direct request", "contact": "Contact request"}


@dataclass(frozen=True, slots=True)
class MailSettings:
    """What the operator configured: who the e-mails are from, where partners change
    their preferences, and (only if given, SPEC 6) an unsubscribe address."""

    sender: str
    preferences_where: str
    unsubscribe: str | None = None


class Unsendable(ValueError):
    """A notification that no relay should be given (an address that is not one)."""


def check_address(address: str, what: str = "notification address") -> str:
    if not _ADDRESS.fullmatch(address) or len(address) > 254:
        raise Unsendable(f"the {what} {one_line(address, 80)!r} is not one this server sends to")
    return address


def compose(
    items: Sequence[Waiting],
    prefs: Preferences,
    *,
    partner: str,
    recipient: str,
    message_id: str,
    settings: MailSettings,
    now: datetime,
) -> EmailMessage:
    """One e-mail about `items` (one task, or a digest of several) for `recipient`."""
    check_address(recipient)
    message = EmailMessage(policy=POLICY)
    message["From"] = Address("expert-tui", addr_spec=settings.sender)
    message["To"] = Address(addr_spec=recipient)
    message["Subject"] = _subject(items)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    if settings.unsubscribe:
        message["List-Unsubscribe"] = f"<{settings.unsubscribe}>"
    message.set_content(_body(items, prefs, partner, settings), charset="utf-8", cte="quoted-printable")
    return message


def rendered(message: EmailMessage) -> bytes:
    """The message's bytes, checked: exactly the headers `compose` set, each once. A
    last guard, should the library ever let a value through that it should not (it did:
    an RFC 2047 word in a value was decoded to a CR LF and written raw, CVE-2024-6923)."""
    data = message.as_bytes()
    head = BytesHeaderParser(policy=POLICY).parsebytes(data, headersonly=True)
    names = [name.lower() for name in head]
    expected = [name.lower() for name in message]
    if sorted(names) != sorted(expected) or len(set(names)) != len(names):
        raise Unsendable("the e-mail's headers came out other than they were set; it was not sent")
    return data


def _header_text(text: str, limit: int = 2_000) -> str:
    """Untrusted text for a header: one line, and no `=?` that a reader (or the library
    itself) would decode as an RFC 2047 encoded word into anything at all."""
    return one_line(text, limit).replace("=?", "= ?")


def _subject(items: Sequence[Waiting]) -> str:
    if len(items) == 1:
        doc = items[0].doc
        if doc["kind"] == "contact":
            text = f"Contact request from {_header_text(doc['merchant']['name'], _NAME_CHARS)}"
        else:
            service, title = _header_text(doc["service"], _NAME_CHARS), _header_text(doc["title"])
            text = f"New task {_header_text(doc['id'])}: {service} — {title}"
    else:
        contacts = sum(1 for item in items if item.doc["kind"] == "contact")
        tasks = len(items) - contacts
        counted = ((tasks, "new task"), (contacts, "contact request"))
        parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in counted if n]
        text = " and ".join(parts)
    return text if len(text) <= _SUBJECT_CHARS else text[: _SUBJECT_CHARS - 1] + "…"


def _body(items: Sequence[Waiting], prefs: Preferences, partner: str, settings: MailSettings) -> str:
    lines: list[str] = []
    who = one_line(partner, _NAME_CHARS)
    if len(items) == 1:
        lines.append(f"Something new arrived for {who}:")
    else:
        since = _local(items[0].created_at, prefs)
        lines.append(f"{len(items)} new arrivals for {who} since {since}:")
    for item in items:
        lines += ["", *_item(item.doc, prefs)]
    lines += [
        "",
        "-- ",
        "This e-mail was sent automatically by the team's expert-tui server; replies to it are not read.",
        "Change notification preferences (address, immediate or digest, time zone, holidays):",
        f"  {settings.preferences_where}",
    ]
    return "\n".join(lines) + "\n"


def _item(doc: dict[str, Any], prefs: Preferences) -> list[str]:
    merchant = doc["merchant"]
    kind = _KIND_NAMES.get(doc["kind"], doc["kind"])
    lines = [f"{kind} {doc['id']} · {one_line(doc['service'], _NAME_CHARS)}"]
    if doc["kind"] == "contact":
        lines += [
            "A prospective merchant asks to be contacted. Their details:",
            f"  Name:   {one_line(merchant['name'], _NAME_CHARS)}",
            f"  E-mail: {one_line(merchant['email'], _NAME_CHARS) or '(none given)'}",
        ]
        lines += _store(doc)
        if doc["title"]:
            lines.append(f"  Topic:  {one_line(doc['title'])}")
        lines += _quoted(doc)
        lines.append("Contact requests have no reply window; they are in the Contacts list.")
        return lines
    lines += [
        f"Title:    {one_line(doc['title'])}",
        f"Merchant: {one_line(merchant['name'], _NAME_CHARS)}",
    ]
    lines += [line.replace("  Store:  ", "Store:    ") for line in _store(doc)]
    budget = doc.get("budget")
    if budget:
        low, high = budget.get("min"), budget.get("max")
        amount = "–".join(f"{value:g}" for value in (low, high) if value is not None)
        lines.append(f"Budget:   {amount} {one_line(budget.get('currency') or '', 8)}".rstrip())
    expires = parse_ts(doc["expires_at"], "expires_at")
    lines.append(f"Reply by: {_local(expires, prefs)} (72 hours after it arrived; then no action is possible)")
    lines += _quoted(doc)
    lines.append(f"Open it in expert-tui, or: expert-tui show {doc['id']}")
    return lines


def _store(doc: dict[str, Any]) -> list[str]:
    name, url = one_line(doc.get("store_name") or "", _NAME_CHARS), one_line(doc.get("store_url") or "", 500)
    if not name and not url:
        return []
    return [f"  Store:  {name}{f' ({url})' if url and name else url}"]


def _quoted(doc: dict[str, Any]) -> list[str]:
    """The merchant's own words: each line indented, so nothing they wrote reads as ours."""
    lines: list[str] = []
    for question, answer in doc.get("requirements") or []:
        lines.append(f"  > {one_line(question)}")
        lines += [f"  >   {line}" for line in for_display(answer, 1_000).splitlines()]
    if doc.get("message"):
        lines += [f"  > {line}" for line in for_display(doc["message"], 1_000).splitlines()]
    return lines


def _local(moment: datetime, prefs: Preferences) -> str:
    """A time as the partner reads it: their time zone, named."""
    local = moment.astimezone(zone(prefs.time_zone))
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()} ({prefs.time_zone})"
