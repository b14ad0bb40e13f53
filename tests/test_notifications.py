"""Notification e-mails (issue 14): the outbox, the sender's pace, holidays, retries,
refusals and untrusted text, against a real SMTP server on loopback (aiosmtpd).

Time is a `FrozenClock` moved by hand, and the sender's passes (`Notifier.tick`) are
run by the test: no test waits for a deadline.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import T0
from mail_server import SmtpServer, smtp_server
from store_contract import SERVICE, record

from expert_tui.cli import main
from expert_tui.domain import FrozenClock, NotDelivered, Preferences
from expert_tui.server.mail import MailSettings
from expert_tui.server.notifier import Notifier, backoff
from expert_tui.server.smtp import Relay, RelayConfig
from expert_tui.store.notify import FAILED, QUEUED, SENT, MailQueue
from expert_tui.store.sqlite import SqliteStore

ADDRESS = "ola@agency.example"
SETTINGS = MailSettings(
    sender="tasks@expert-tui.example",
    preferences_where="the Preferences screen of expert-tui (key p), or PATCH https://tasks.example/v1/preferences",
)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "server.db"


class Rig:
    """A partner's store on the server (notifying) and the sender, on one clock."""

    def __init__(self, db: Path, smtp: SmtpServer, clock: FrozenClock, settings: MailSettings = SETTINGS) -> None:
        self.db = db
        self.smtp = smtp
        self.clock = clock
        self.stores: dict[str, SqliteStore] = {}
        self.queue = MailQueue(db, clock=clock)
        relay = Relay(RelayConfig("127.0.0.1", smtp.port, "plain", timeout=5))
        self.notifier = Notifier(self.queue, relay, settings, clock=clock)

    def store(self, partner: str = "ola", **prefs: Any) -> SqliteStore:
        if partner not in self.stores:
            self.stores[partner] = SqliteStore(self.db, clock=self.clock, partner=partner, user=partner, notify=True)
            wanted = {"services": (SERVICE,), "notification_email": ADDRESS, **prefs}
            self.stores[partner].set_preferences(Preferences(**wanted))
        return self.stores[partner]

    def deliver(self, partner: str = "ola", **fields: Any) -> str:
        return self.store(partner).deliver_task(record(**fields)).id

    def tick(self) -> None:
        self.notifier.tick()

    @property
    def received(self) -> list[Any]:
        return self.smtp.mailbox.received

    def close(self) -> None:
        for store in self.stores.values():
            store.close()
        self.queue.close()


@pytest.fixture
def rig(db: Path, smtp: SmtpServer, clock: FrozenClock) -> Iterator[Rig]:
    made = Rig(db, smtp, clock)
    yield made
    made.close()


def task_ids_in(message: Any) -> list[str]:
    body = message.get_body(("plain",)).get_content()
    return re.findall(r"^(?:Match|Direct request|Contact request) (\S+) · ", body, re.MULTILINE)


# --- what is sent ---------------------------------------------------------------------------------------


def test_a_delivered_task_is_one_email_with_what_the_partner_needs(rig: Rig) -> None:
    rig.store(time_zone="Europe/Warsaw")
    task_id = rig.deliver()
    rig.tick()
    (got,) = rig.received
    assert got.rcpt_tos == (ADDRESS,) and got.mail_from == SETTINGS.sender
    message = got.message
    assert message["To"] == ADDRESS
    assert message["Subject"] == f"New task {task_id}: Theme customization — Make our product pages faster"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] is None, "only when the operator gives an unsubscribe address (SPEC 6)"
    assert message["Message-ID"].endswith("@expert-tui.example>")
    body = message.get_body(("plain",)).get_content()
    # Received 06:00 UTC on 28 Nov: the window closes 1 Dec 06:00 UTC, 07:00 in Warsaw.
    assert "Reply by: Tue 01 Dec 2026 07:00 CET (Europe/Warsaw)" in body
    for expected in (
        task_id,
        "Theme customization",
        "Grace Hopper",
        "Garden Goods (https://garden.example)",
        "500–1500",
    ):
        assert expected in body
    assert body.rstrip("\n").splitlines()[-1].endswith("PATCH https://tasks.example/v1/preferences")
    assert "Change notification preferences" in body.rstrip("\n").splitlines()[-2]
    (batch,) = rig.queue.batches()
    assert batch.state == SENT and batch.reply == "250 2.0.0 queued as test" and batch.done_at == rig.clock()


def test_a_contact_request_carries_the_prospective_merchants_details(rig: Rig) -> None:
    merchant = {"name": "Jan Kowalski", "email": "jan@sklep.example"}
    rig.deliver(kind="contact", merchant=merchant, title="Nowy sklep z herbatą")
    rig.tick()
    message = rig.received[0].message
    assert message["Subject"] == "Contact request from Jan Kowalski"
    body = message.get_body(("plain",)).get_content()
    assert "Name:   Jan Kowalski" in body and "E-mail: jan@sklep.example" in body
    assert "Store:  Garden Goods (https://garden.example)" in body and "Nowy sklep z herbatą" in body
    assert "Reply by" not in body, "contacts have no window"


def test_unsubscribe_header_only_when_the_operator_gives_one(db: Path, smtp: SmtpServer, clock: FrozenClock) -> None:
    settings = MailSettings(SETTINGS.sender, SETTINGS.preferences_where, unsubscribe="mailto:unsubscribe@x.example")
    made = Rig(db, smtp, clock, settings)
    try:
        made.deliver()
        made.tick()
        assert made.received[0].message["List-Unsubscribe"] == "<mailto:unsubscribe@x.example>"
    finally:
        made.close()


def test_the_outbox_row_commits_with_the_delivery_and_only_on_a_notifying_store(db: Path, clock: FrozenClock) -> None:
    def waiting() -> int:
        with sqlite3.connect(db) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM notifications").fetchone()[0])

    embedded = SqliteStore(db, clock=clock, partner="solo")
    embedded.set_preferences(Preferences(services=(SERVICE,), notification_email=ADDRESS))
    embedded.deliver_task(record())
    assert waiting() == 0, "the embedded store sends nothing"
    server = SqliteStore(db, clock=clock, partner="ola", notify=True)
    server.set_preferences(Preferences(services=(SERVICE,), available=False, notification_email=ADDRESS))
    with pytest.raises(NotDelivered):
        server.deliver_task(record())
    assert waiting() == 0, "a refused delivery queues no e-mail: same transaction"
    server.set_preferences(Preferences(services=(SERVICE,)))
    server.deliver_task(record())
    assert waiting() == 0, "no address, nothing to send"
    server.set_preferences(Preferences(services=(SERVICE,), notification_email=ADDRESS))
    server.deliver_task(record())
    assert waiting() == 1
    embedded.close()
    server.close()


# --- when ---------------------------------------------------------------------------------------------


def test_immediate_emails_come_at_most_once_a_minute_the_rest_folded_into_the_next(rig: Rig) -> None:
    first = rig.deliver()
    rig.tick()
    assert len(rig.received) == 1
    later = [rig.deliver() for _ in range(3)]
    rig.clock.advance(timedelta(seconds=59))
    rig.tick()
    assert len(rig.received) == 1, "a minute has not passed since the last e-mail"
    rig.clock.advance(timedelta(seconds=1))
    rig.tick()
    assert len(rig.received) == 2
    assert task_ids_in(rig.received[0].message) == [first]
    digest = rig.received[1].message
    assert task_ids_in(digest) == later and digest["Subject"] == "3 new tasks"
    rig.clock.advance(timedelta(minutes=5))
    rig.tick()
    assert len(rig.received) == 2, "nothing is sent twice"


def test_a_digest_every_n_minutes(rig: Rig) -> None:
    rig.store(notification_digest_minutes=30)
    ids = [rig.deliver()]
    rig.tick()
    assert rig.received == []
    rig.clock.advance(timedelta(minutes=20))
    ids += [rig.deliver(), rig.deliver(kind="contact")]
    rig.tick()
    assert rig.received == []
    rig.clock.advance(timedelta(minutes=10))
    rig.tick()
    (digest,) = rig.received
    assert task_ids_in(digest.message) == ids
    assert digest.message["Subject"] == "2 new tasks and 1 contact request"
    ids = [rig.deliver()]
    rig.clock.advance(timedelta(minutes=29))
    rig.tick()
    assert len(rig.received) == 1, "the next digest comes 30 minutes after the last"
    rig.clock.advance(timedelta(minutes=1))
    rig.tick()
    assert task_ids_in(rig.received[1].message) == ids


def test_nothing_while_unavailable_then_one_digest_after_the_holiday(rig: Rig) -> None:
    today = T0.date()
    store = rig.store()
    rig.deliver()  # before the holiday: sent at once
    rig.tick()
    assert len(rig.received) == 1
    rig.clock.advance(timedelta(minutes=5))
    holiday = (today, today + timedelta(days=2))
    store.set_preferences(
        Preferences(
            services=(SERVICE,), notification_email=ADDRESS, unavailable_from=holiday[0], unavailable_until=holiday[1]
        )
    )
    with pytest.raises(NotDelivered):
        rig.deliver()
    contacts = [rig.deliver(kind="contact")]  # contacts still arrive (SPEC 6)...
    for _ in range(2):
        rig.clock.advance(timedelta(days=1))
        contacts.append(rig.deliver(kind="contact"))
        rig.tick()
    assert len(rig.received) == 1, "...but no e-mail while the partner is away"
    rig.clock.advance(timedelta(days=1))  # the day after `until`
    rig.tick()
    rig.tick()
    assert len(rig.received) == 2
    assert task_ids_in(rig.received[1].message) == contacts
    assert rig.received[1].message["Subject"] == "3 contact requests"


def test_switched_unavailable_waits_until_switched_back(rig: Rig) -> None:
    store = rig.store()
    rig.deliver()
    store.set_preferences(Preferences(services=(SERVICE,), notification_email=ADDRESS, available=False))
    rig.tick()
    assert rig.received == []
    store.set_preferences(Preferences(services=(SERVICE,), notification_email=ADDRESS))
    rig.tick()
    assert len(rig.received) == 1


# --- never lost, never twice ------------------------------------------------------------------------------


def test_relay_down_for_a_minute_then_back_everything_arrives_once(rig: Rig) -> None:
    rig.smtp.stop()
    delivered = [rig.deliver()]
    rig.tick()
    (batch,) = rig.queue.batches()
    assert batch.state == QUEUED and batch.attempts == 1 and "127.0.0.1" in (batch.reply or "")
    assert batch.next_try_at == rig.clock() + backoff(1)
    waited = timedelta(0)
    while waited < timedelta(minutes=1):
        rig.clock.advance(timedelta(seconds=10))
        waited += timedelta(seconds=10)
        delivered.append(rig.deliver())
        rig.tick()
    assert rig.received == []
    rig.smtp.start()
    for _ in range(5):
        rig.clock.advance(backoff(4))
        rig.tick()
    got = [task_id for item in rig.received for task_id in task_ids_in(item.message)]
    assert sorted(got) == sorted(delivered) and len(got) == len(set(got)), "all arrive, none twice"
    message_ids = [item.message["Message-ID"] for item in rig.received]
    assert len(message_ids) == len(set(message_ids))
    assert all(batch.state == SENT for batch in rig.queue.batches())


def test_backoff_doubles_up_to_ten_minutes() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 8)] == [15, 30, 60, 120, 240, 480, 600]


def test_a_permanent_refusal_is_recorded_and_shown_to_the_operator(
    rig: Rig, capsys: pytest.CaptureFixture[str]
) -> None:
    rig.smtp.mailbox.refused.add(ADDRESS)
    task_id = rig.deliver()
    rig.tick()
    (batch,) = rig.queue.batches()
    assert batch.state == FAILED and "550" in (batch.reply or "")
    rig.clock.advance(timedelta(hours=1))
    rig.tick()
    assert rig.received == [] and rig.queue.batches()[0].attempts == 1, "a refusal is not retried"
    rig.deliver()
    rig.smtp.mailbox.refused.clear()
    rig.tick()
    assert len(rig.received) == 1
    assert main(["--db", str(rig.db), "admin", "notifications", "--failed", "--json"]) == 0
    (failed,) = json.loads(capsys.readouterr().out)
    assert failed["tasks"] == [task_id] and failed["state"] == "failed" and failed["recipient"] == ADDRESS
    assert "550 5.1.1 no such mailbox here" in failed["relay_answer"]
    assert main(["--db", str(rig.db), "admin", "notifications", "--failed"]) == 0
    text = capsys.readouterr().out
    assert task_id in text and "550" in text and text.count("\n") == 2
    assert main(["--db", str(rig.db), "admin", "notifications", "--json"]) == 0
    assert [b["state"] for b in json.loads(capsys.readouterr().out)] == ["sent", "failed"]


def test_admin_on_a_missing_store_and_with_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.db"
    assert main(["--db", str(db), "admin", "notifications"]) == 2
    assert "no store at" in capsys.readouterr().err and not db.exists()
    SqliteStore(db).close()
    assert main(["--db", str(db), "admin", "notifications"]) == 0
    assert capsys.readouterr().out == "No notification e-mails yet.\n"
    assert main(["--db", str(db), "admin", "notifications", "--failed", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["--db", str(db), "admin", "tokens"]) == 2


# --- untrusted text -----------------------------------------------------------------------------------

_INJECTIONS = [
    "Anna\r\nBcc: victim@evil.example",
    "Anna\nBcc: victim@evil.example\n\nbody",
    "Title\rTo: other@evil.example",
    "x\r\n\r\nFake body\r\n.\r\nMAIL FROM:<evil@evil.example>",
    "=?utf-8?q?=0D=0ABcc:_victim@evil.example?=",
    "Bcc: victim@evil.example",
    "\u2028Bcc: victim@evil.example\u0085Cc: x@evil.example",
]
_HEADERS = {
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Auto-Submitted",
    "X-Auto-Response-Suppress",
    "Content-Type",
    "Content-Transfer-Encoding",
    "MIME-Version",
}


def test_merchant_text_never_injects_a_header_or_a_recipient(rig: Rig, corpus: list[dict[str, str]]) -> None:
    texts = [entry["text"] for entry in corpus] + _INJECTIONS
    partners = {}
    for i, text in enumerate(texts):
        partner = f"p{i}"
        address = f"p{i}@agency.example"
        rig.store(partner, notification_email=address)
        name = text[:200] or "x"
        kind = "contact" if i % 2 else "match"
        if any("\ud800" <= c <= "\udfff" for c in text):
            continue  # not valid Unicode: never stored, so never in an e-mail
        rig.deliver(
            partner,
            kind=kind,
            title=text[:2000] or "x",
            service=name,
            merchant={"name": name, "email": name},
            business={"store_name": name, "store_url": name, "country": "PL", "dropshipper": False},
            requirements=[{"question": text[:2000], "answer": text}],
        )
        partners[address] = text
    rig.tick()
    assert len(rig.received) == len(partners) >= len(texts) - 2
    for got in rig.received:
        (address,) = got.rcpt_tos
        assert address in partners, "no recipient but the partner's own address"
        message = got.message
        assert set(message.keys()) == _HEADERS, f"headers for {partners[address]!r}: {message.keys()}"
        assert message["To"] == address and message["Bcc"] is None and message["Cc"] is None
        assert "\r" not in message["Subject"] and "\n" not in message["Subject"]
        header_block = got.content.split(b"\r\n\r\n", 1)[0]
        assert all(
            line[:1] in (b" ", b"\t") or line.split(b":", 1)[0].decode() in _HEADERS
            for line in header_block.split(b"\r\n")
        ), header_block
        body = message.get_body(("plain",)).get_content()
        assert body.rstrip("\n").splitlines()[-1].strip().startswith("the Preferences screen")


def test_an_address_that_would_be_two_in_a_header_is_refused_not_sent(rig: Rig) -> None:
    rig.store(notification_email="ola,victim@evil.example")
    rig.deliver()
    rig.tick()
    assert rig.received == []
    (batch,) = rig.queue.batches(FAILED)
    assert "not one this server sends to" in (batch.reply or "")


def test_a_holiday_in_the_partners_time_zone(rig: Rig) -> None:
    """Auckland is 13 hours ahead: the holiday's last day ends there at 11:00 UTC."""
    last_day = date(2026, 11, 28)
    store = rig.store(time_zone="Pacific/Auckland")
    store.set_preferences(
        Preferences(
            services=(SERVICE,),
            notification_email=ADDRESS,
            time_zone="Pacific/Auckland",
            unavailable_until=last_day,
        )
    )
    rig.deliver(kind="contact")
    rig.tick()
    assert rig.received == [], "06:00 UTC is 19:00 on the 28th in Auckland"
    rig.clock.advance(timedelta(hours=5))  # 11:00 UTC: midnight in Auckland
    rig.tick()
    assert len(rig.received) == 1


def test_sent_emails_are_forgotten_after_30_days_failed_ones_kept(rig: Rig) -> None:
    rig.deliver()
    rig.tick()
    rig.smtp.mailbox.refused.add(ADDRESS)
    rig.clock.advance(timedelta(minutes=1))
    rig.deliver()
    rig.tick()
    assert [b.state for b in rig.queue.batches()] == [FAILED, SENT]
    rig.clock.advance(timedelta(days=30))
    rig.tick()
    assert [b.state for b in rig.queue.batches()] == [FAILED]
    with sqlite3.connect(rig.db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM notifications").fetchone()[0] == 1


def test_a_long_holiday_digest_lists_at_most_200_the_rest_follow(rig: Rig) -> None:
    store = rig.store(notification_digest_minutes=60)
    store.set_preferences(
        Preferences(services=(SERVICE,), notification_email=ADDRESS, available=False, notification_digest_minutes=60)
    )
    for _ in range(205):
        rig.deliver(kind="contact")
    store.set_preferences(Preferences(services=(SERVICE,), notification_email=ADDRESS, notification_digest_minutes=60))
    rig.clock.advance(timedelta(hours=1))
    rig.tick()
    assert len(task_ids_in(rig.received[0].message)) == 200
    rig.clock.advance(timedelta(hours=1))
    rig.tick()
    assert len(task_ids_in(rig.received[1].message)) == 5
