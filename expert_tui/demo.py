"""Realistic tasks for the demo store, the benchmarks and the tests.

A partner trying the app (`expert-tui --demo`) should see an inbox that looks like a
real Monday morning: every status, deadlines minutes away, merchants writing in
Polish and English, notes from teammates. The deadlines only mean something if they
are relative to *now*, so the demo store is rebuilt when it is older than an hour
(as a new file beside the old one, which a running app keeps using).

`generate_tasks` makes any number of varied tasks quickly (benchmarks, large-inbox
tests); `demo_tasks` is the hand-written set the demo shows. Both yield task objects in
the shape of SPEC section 5, as `export` writes them, so they go through the store's
ordinary import and its validation.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from . import paths
from .domain import Clock, Preferences, ServiceOffer, system_clock
from .domain.timefmt import format_ts, parse_ts
from .private_files import SQLITE_SIDE_FILES, UnsafePath, ensure_private_dir, open_private_lock, replace_privately
from .store import Store
from .store.sqlite import SqliteStore

#: Bump when `demo_tasks` changes, so existing demo stores are rebuilt with the new set.
DEMO_VERSION = 2
#: How long a demo store stays fresh: countdowns are meant to be live, not hours stale.
DEMO_MAX_AGE = timedelta(hours=1)

_HOUR = 3600
_WINDOW = 72 * _HOUR

# --- the people, stores and work the generated tasks are made of ---------------------------

_PARTNER_NAME = "Ola Kowalska"
_TEAM = ("ola", "marek", "zuzia")

#: (merchant name, e-mail local part, store name, domain, industry, country, plan, dropshipper)
_MERCHANTS: tuple[tuple[str, str, str, str, str, str, str, bool], ...] = (
    ("Anna Nowak", "anna", "Żółw i Spółka", "zolw.example", "Pets", "PL", "Basic", False),
    ("Paweł Wiśniewski", "pawel", "Pszczółka Miód", "pszczolka-miod.example", "Food & drink", "PL", "Grow", False),
    (
        "Małgorzata Dąbrowska",
        "gosia",
        "Łódzka Manufaktura",
        "manufaktura-lodz.example",
        "Home",
        "PL",
        "Advanced",
        False,
    ),
    ("Jędrzej Zieliński", "jedrzej", "Źródło Kawy", "zrodlokawy.example", "Coffee", "PL", "Grow", False),
    ("Agnieszka Wójcik", "aga", "Ślęża Outdoor", "sleza-outdoor.example", "Sports", "PL", "Basic", True),
    ("Krzysztof Kamiński", "krzysztof", "Gęś Pod Lasem", "gespodlasem.example", "Bedding", "PL", "Basic", False),
    ("Zofia Lewandowska", "zofia", "Kwiaciarnia Bzy", "bzy.example", "Flowers", "PL", "Starter", False),
    ("Emma Larsen", "emma", "Nordic Knits", "nordicknits.example", "Apparel", "DK", "Grow", False),
    ("James O'Connor", "james", "Bean There Coffee", "beanthere.example", "Coffee", "IE", "Advanced", False),
    ("Sofia Rossi", "sofia", "Bottega Rossi", "bottegarossi.example", "Leather goods", "IT", "Grow", False),
    ("Lukas Becker", "lukas", "Fahrradladen Becker", "becker-rad.example", "Bicycles", "DE", "Advanced", False),
    ("Marie Dubois", "marie", "Atelier Lumière", "atelier-lumiere.example", "Lighting", "FR", "Basic", False),
    ("Carlos Méndez", "carlos", "Tienda Sol", "tiendasol.example", "Cosmetics", "ES", "Basic", True),
    ("Priya Shah", "priya", "Saffron & Stone", "saffronstone.example", "Jewellery", "GB", "Plus", False),
    ("Tomasz Mazur", "tomek", "Mazur Elektronika", "mazur-elektronika.example", "Electronics", "PL", "Plus", True),
    ("Olivia Brown", "olivia", "Little Sprout Toys", "littlesprout.example", "Toys", "US", "Grow", True),
    ("Hanna Kowalczyk", "hanna", "Herbaciarnia Liść", "lisc.example", "Tea", "PL", "Starter", False),
    ("Noah Miller", "noah", "Trailhead Supply", "trailhead.example", "Outdoor", "US", "Advanced", False),
)

#: service -> (titles, requirement questions with possible answers)
_SERVICES: dict[str, tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]] = {
    "Store setup": (
        (
            "Set up our new store from scratch",
            "Move our Etsy shop to our own store",
            "Launch a store for our bakery before the holidays",
            "Configure payments, shipping and taxes",
        ),
        (
            ("How many products will you sell?", ("About 30", "Around 200", "Over 1,000", "Under 10 to start")),
            ("Do you have a logo and brand colours?", ("Yes, all ready", "Only a logo", "No, we need help")),
            ("Which payment methods do you need?", ("Cards and BLIK", "Cards, PayPal, Przelewy24", "Cards only")),
            ("When do you want to launch?", ("As soon as possible", "Before Black Friday", "In about a month")),
        ),
    ),
    "Theme customization": (
        (
            "Make our product pages faster",
            "Redesign the home page",
            "Add a size guide to product pages",
            "Fix the mobile menu on our theme",
        ),
        (
            ("What do you need?", ("Speed up the theme", "A new home page layout", "Fix layout bugs on phones")),
            ("Which theme do you use?", ("Dawn", "A custom theme from a previous agency", "Not sure")),
            ("Can you share examples you like?", ("See allbirds.com", "We will send screenshots", "No examples yet")),
        ),
    ),
    "SEO": (
        (
            "Improve our Google rankings",
            "Fix duplicate product pages in search",
            "SEO audit after our redesign",
        ),
        (
            ("Which markets matter most?", ("Poland", "Germany and Austria", "The whole EU", "US and Canada")),
            ("Have you done SEO before?", ("Never", "An agency did some in 2024", "Only product descriptions")),
            ("Monthly organic visits today?", ("About 2,000", "Under 500", "Around 40,000")),
        ),
    ),
    "Migration": (
        (
            "Migrate from WooCommerce",
            "Move 4,000 products from PrestaShop",
            "Migrate customers and order history",
        ),
        (
            ("Which platform are you on now?", ("WooCommerce", "PrestaShop", "Magento 1", "Shoper")),
            ("What must be migrated?", ("Products and customers", "Everything incl. orders", "Products only")),
            ("Can the old store go offline during the move?", ("No, not at all", "For a night, yes")),
        ),
    ),
    "Apps & integrations": (
        (
            "Connect our ERP to the store",
            "Integrate InPost parcel lockers",
            "Sync stock with our Allegro account",
        ),
        (
            ("Which system should we connect?", ("Subiekt GT", "Allegro", "InPost", "Baselinker", "Xero")),
            ("How often must data sync?", ("Every few minutes", "Once a night", "In real time")),
        ),
    ),
    "Marketing": (
        (
            "Set up e-mail flows for abandoned carts",
            "Plan our Black Friday campaign",
            "Run Google Shopping ads",
        ),
        (
            ("What is your monthly ad budget?", ("About 2,000 PLN", "Around 1,000 EUR", "Not decided")),
            ("Which channels do you use now?", ("Instagram only", "Facebook and Google", "None yet")),
        ),
    ),
    "Product photography": (
        (
            "Photos for 60 new products",
            "Lifestyle photos for our autumn collection",
        ),
        (
            ("How many products?", ("About 60", "20", "Over 150")),
            ("Can you ship samples to a studio?", ("Yes", "Only within Poland", "We prefer on site")),
        ),
    ),
    "Custom development": (
        (
            "Build a product configurator",
            "Custom checkout rule for B2B customers",
            "Subscription boxes with monthly billing",
        ),
        (
            ("Describe what you need", ("Customers pick colour, size and engraving", "B2B prices per customer group")),
            ("Is there a deadline?", ("End of the quarter", "No hard deadline", "Next month")),
        ),
    ),
}

_BUDGETS: tuple[tuple[int | None, int | None, str], ...] = (
    (500, 1500, "USD"),
    (2000, 5000, "PLN"),
    (1000, 3000, "EUR"),
    (None, 800, "USD"),
    (300, None, "EUR"),
    (5000, 12000, "PLN"),
    (200, 600, "GBP"),
)

_MERCHANT_OPENERS = (
    "Hi, we found your profile and would love your help with this. {detail}",
    "Dzień dobry, szukamy kogoś do tego projektu. {detail}",
    "Hello! We are a small team and need this done properly. {detail}",
    "Witam, czy mógłby Pan/Pani pomóc? {detail}",
)
_MERCHANT_DETAILS = (
    "Our current store loads slowly on phones.",
    "We tried ourselves but got stuck with the shipping settings.",
    "Budget is flexible for the right person.",
    "Deadline matters more to us than price.",
    "Mamy już logo i zdjęcia produktów.",
)
_PARTNER_REPLIES = (
    "Hi {first}, thanks for the details about {store}. I have done {service_lc} for similar stores "
    "and can start this week. Could we have a 20-minute call to agree on scope?",
    "Dzień dobry {first}, chętnie pomogę przy {store}. Proponuję krótką rozmowę, żeby ustalić zakres i termin.",
    "Hello {first} — {service} is exactly what we do. I attached two case studies; "
    "a first estimate is 2–3 weeks. What is your preferred start date?",
)
_MERCHANT_FOLLOW_UPS = (
    "Thanks! Could you send a quote with a rough timeline?",
    "Sounds good. Can you do Thursday at 10:00?",
    "Dziękuję, a ile to będzie kosztować?",
    "We went through your case studies — what would you need from us to start?",
    "One more question: do you also take care of the maintenance afterwards?",
)
_PARTNER_FOLLOW_UPS = (
    "Quote attached: fixed price, two milestones, 50% upfront. Happy to adjust the scope.",
    "Thursday 10:00 works. I will send a calendar invite.",
    "Wycena w załączniku — dwa etapy, płatność po każdym z nich.",
    "We need collaborator access to the store and your brand assets; nothing else.",
    "Yes, we offer a monthly maintenance plan; details in the attached PDF.",
)
_NOTES = (
    "Called them — they want it live before Black Friday.",
    "Quote sent: fixed price, 2 milestones.",
    "Similar to the Bottega job last spring; reuse that checklist.",
    "Marek can take this one if it goes ahead.",
    "Budget looks tight — check whether they'd drop the blog migration.",
    "Merchant prefers Polish on calls, English in writing.",
)
_DECLINE_COMMENTS = {
    "not_a_fit": "We focus on fashion stores.",
    "too_busy": "Fully booked until January.",
    "budget": "The scope needs at least twice the budget.",
    "timeline": "Two weeks is not enough for a migration this size.",
    "outside_expertise": "We do not build ERP integrations.",
    "other": "Merchant asked for work outside the marketplace.",
}
_MERCHANT_DECLINE_COMMENTS = ("We chose another partner.", "Project postponed until spring.", "")

# fmt: off
# Statuses by age: whether the 72-hour window is still open decides what is plausible.
_YOUNG = (("new", 30), ("opened", 18), ("responded", 20), ("awaiting_response", 15), ("declined", 9),
          ("inactive", 4), ("completed", 4))
_OLD = (("expired", 22), ("responded", 18), ("awaiting_response", 16), ("declined", 16), ("inactive", 12),
        ("completed", 16))
# fmt: on


def _ts(seconds: float) -> str:
    """Epoch seconds -> RFC 3339 UTC; faster than datetime for 100,000 tasks."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def generate_tasks(n: int, now: datetime, seed: int = 0) -> Iterator[dict[str, Any]]:
    """`n` varied task objects received over the ten days before `now`; same seed, same tasks."""
    rng = random.Random(seed)
    end = int(now.timestamp())
    young_statuses = [s for s, _ in _YOUNG]
    young_weights = [w for _, w in _YOUNG]
    old_statuses = [s for s, _ in _OLD]
    old_weights = [w for _, w in _OLD]
    services = list(_SERVICES)
    for i in range(n):
        age = rng.randrange(60, 240 * _HOUR)
        received = end - age
        if age < _WINDOW:
            status = rng.choices(young_statuses, young_weights)[0]
        else:
            status = rng.choices(old_statuses, old_weights)[0]
        roll = rng.random()
        kind = "contact" if roll < 0.03 else "direct" if roll < 0.38 else "match"
        service = rng.choice(services)
        yield _generated(rng, f"T-{i + 1}", kind, service, status, received, end)


def _generated(
    rng: random.Random, task_id: str, kind: str, service: str, status: str, received: int, end: int
) -> dict[str, Any]:
    name, local, store, domain, industry, country, plan, dropshipper = rng.choice(_MERCHANTS)
    titles, questions = _SERVICES[service]
    merchant_name = name.split()[0]
    fill = {"first": merchant_name, "store": store, "service": service, "service_lc": service.lower()}
    messages: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    unread = 0
    first_response: int | None = None
    decline: dict[str, Any] | None = None
    review: dict[str, Any] | None = None
    activity = received

    def say(author: str, body: str, at: int) -> None:
        nonlocal activity
        who = _PARTNER_NAME if author == "partner" else name
        messages.append(
            {
                "id": f"{task_id}-m{len(messages) + 1}",
                "author": author,
                "author_name": who,
                "body": body,
                "sent_at": _ts(at),
            }
        )
        activity = max(activity, at)

    if kind != "match" and rng.random() < 0.7:
        # Direct requests and contacts usually start with the merchant's own words.
        say("merchant", rng.choice(_MERCHANT_OPENERS).format(detail=rng.choice(_MERCHANT_DETAILS)), received)

    window_end = min(end, received + _WINDOW)
    answered = status in ("responded", "awaiting_response", "inactive", "completed") or (
        status == "declined" and rng.random() < 0.4
    )
    if answered:
        first_response = rng.randint(received + 60, max(received + 60, window_end - 1))
        first_response = min(first_response, end)
        say("partner", rng.choice(_PARTNER_REPLIES).format(**fill), first_response)
        t = first_response
        turns = rng.randint(0, 3)
        must_end_with = {"responded": "partner", "awaiting_response": "merchant"}.get(status)
        author = "merchant"
        for _ in range(turns * 2 + (1 if must_end_with == "merchant" else 0)):
            if t >= end:
                break
            t = rng.randint(t + 1, min(end, t + 30 * _HOUR))
            pool = _MERCHANT_FOLLOW_UPS if author == "merchant" else _PARTNER_FOLLOW_UPS
            say(author, rng.choice(pool), t)
            author = "partner" if author == "merchant" else "merchant"
        if must_end_with and messages[-1]["author"] != must_end_with:
            pool = _MERCHANT_FOLLOW_UPS if must_end_with == "merchant" else _PARTNER_FOLLOW_UPS
            say(must_end_with, rng.choice(pool), min(end, activity + 1))
        if status == "awaiting_response" and rng.random() < 0.7:
            unread = sum(1 for _ in _trailing(messages, "merchant"))
    elif status == "new":
        unread = len(messages)
    elif status == "expired" and messages:
        unread = len(messages) if rng.random() < 0.5 else 0

    if status == "declined":
        # Without a reply, a decline must come inside the window; after one, any time since.
        latest = end if first_response is not None else min(end, window_end - 1)
        at = rng.randint(activity, max(activity, latest))
        if rng.random() < 0.8:
            reason = rng.choice(tuple(_DECLINE_COMMENTS))
            comment = _DECLINE_COMMENTS[reason] if reason == "other" or rng.random() < 0.5 else ""
            decline = {"by": "partner", "reason": reason, "comment": comment, "at": _ts(at)}
        else:
            decline = {
                "by": "merchant",
                "reason": None,
                "comment": rng.choice(_MERCHANT_DECLINE_COMMENTS),
                "at": _ts(at),
            }
        activity = at
    elif status in ("inactive", "completed"):
        activity = rng.randint(activity, max(activity, end))
        if status == "completed" and rng.random() < 0.5:
            requested = activity
            review = {"requested_at": _ts(requested), "rating": None, "comment": "", "reviewed_at": None}
            if rng.random() < 0.5 and requested < end:
                review.update(
                    rating=rng.choice((4, 5, 5, 3)),
                    comment="Fast and friendly, thank you!",
                    reviewed_at=_ts(rng.randint(requested + 1, end)),
                )

    if status not in ("new", "expired") and rng.random() < 0.35:
        for _ in range(rng.randint(1, 2)):
            at = rng.randint(received, end)
            notes.append(
                {
                    "id": f"{task_id}-n{len(notes) + 1}",
                    "author": rng.choice(_TEAM),
                    "body": rng.choice(_NOTES),
                    "created_at": _ts(at),
                }
            )
        notes.sort(key=lambda note: note["created_at"])

    low, high, currency = rng.choice(_BUDGETS)
    levels = ("low", "medium", "high")
    return {
        "id": task_id,
        "kind": kind,
        "service": service,
        "title": rng.choice(titles),
        "requirements": [{"question": q, "answer": rng.choice(answers)} for q, answers in questions],
        "business": {
            "store_name": store,
            "store_url": f"https://{domain}",
            "industry": industry,
            "country": country,
            "plan": plan,
            "dropshipper": dropshipper,
        },
        "priorities": {"time": rng.choice(levels), "cost": rng.choice(levels), "quality": rng.choice(levels)},
        "budget": None if rng.random() < 0.25 else {"min": low, "max": high, "currency": currency},
        "merchant": {"name": name, "email": f"{local}@{domain}"},
        "received_at": _ts(received),
        "expires_at": _ts(received + _WINDOW),
        "status": status,
        "first_response_at": None if first_response is None else _ts(first_response),
        "last_activity_at": _ts(activity),
        "unread": unread,
        "decline": decline,
        "messages": messages,
        "notes": notes,
        "store_access": {"status": "none"},
        "review": review,
    }


def _trailing(messages: list[dict[str, Any]], author: str) -> Iterator[dict[str, Any]]:
    for message in reversed(messages):
        if message["author"] != author:
            return
        yield message


# --- the hand-written demo inbox -------------------------------------------------------------


def demo_tasks(now: datetime) -> list[dict[str, Any]]:
    """About forty tasks in every status and urgency band, deadlines relative to `now`."""
    now = now.replace(microsecond=0)
    build = _DemoBuilder(now)
    for spec in _DEMO:
        build.add(**spec)
    return build.tasks


class _DemoBuilder:
    """Turns the compact `_DEMO` rows into full task objects with consistent state."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.tasks: list[dict[str, Any]] = []

    def add(
        self,
        *,
        id: str,
        merchant: int,
        service: str,
        title: str,
        status: str,
        received: timedelta,
        kind: str = "match",
        talk: tuple[tuple[str, timedelta, str], ...] = (),
        notes: tuple[tuple[str, timedelta, str], ...] = (),
        requirements: tuple[tuple[str, str], ...] = (),
        decline: tuple[str, str | None, str, timedelta] | None = None,
        unread: int | None = None,
        priorities: tuple[str, str, str] = ("medium", "medium", "medium"),
        budget: tuple[int | None, int | None, str] | None = None,
        done: timedelta | None = None,
        review: tuple[timedelta, int | None, str] | None = None,
        access: str = "none",
    ) -> None:
        name, local, store, domain, industry, country, plan, dropshipper = _MERCHANTS[merchant]
        received_at = self.now - received
        # Times in `talk`, `notes`, `decline`, `done`, `review` are offsets after `received_at`.
        messages = [
            {
                "id": f"{id}-m{i + 1}",
                "author": who,
                "author_name": _PARTNER_NAME if who == "partner" else name,
                "body": body,
                "sent_at": format_ts(received_at + after),
            }
            for i, (who, after, body) in enumerate(talk)
        ]
        partner_times = [received_at + after for who, after, _ in talk if who == "partner"]
        activity = max([received_at, *(received_at + after for _, after, _ in talk)])
        decline_obj = None
        if decline is not None:
            by, reason, comment, after = decline
            decline_obj = {"by": by, "reason": reason, "comment": comment, "at": format_ts(received_at + after)}
            activity = max(activity, received_at + after)
        if done is not None:
            activity = max(activity, received_at + done)
        review_obj = None
        if review is not None:
            asked, rating, words = review
            review_obj = {
                "requested_at": format_ts(received_at + asked),
                "rating": rating,
                "comment": words,
                "reviewed_at": None if rating is None else format_ts(received_at + asked + _h(20)),
            }
        if unread is None:
            unread = 0 if status != "new" else sum(1 for who, _, _ in talk if who == "merchant")
        store_access: dict[str, Any] = {"status": access}
        if access != "none":
            store_access.update(requested_by="ola", requested_at=format_ts(partner_times[-1]))
        if access in ("granted", "denied"):
            store_access["decided_at"] = format_ts(partner_times[-1] + timedelta(hours=3))
        time_level, cost_level, quality_level = priorities
        self.tasks.append(
            {
                "id": id,
                "kind": kind,
                "service": service,
                "title": title,
                "requirements": [{"question": q, "answer": a} for q, a in requirements],
                "business": {
                    "store_name": store,
                    "store_url": f"https://{domain}",
                    "industry": industry,
                    "country": country,
                    "plan": plan,
                    "dropshipper": dropshipper,
                },
                "priorities": {"time": time_level, "cost": cost_level, "quality": quality_level},
                "budget": None if budget is None else {"min": budget[0], "max": budget[1], "currency": budget[2]},
                "merchant": {"name": name, "email": f"{local}@{domain}"},
                "received_at": format_ts(received_at),
                "expires_at": format_ts(received_at + timedelta(seconds=_WINDOW)),
                "status": status,
                "first_response_at": format_ts(min(partner_times)) if partner_times else None,
                "last_activity_at": format_ts(activity),
                "unread": unread,
                "decline": decline_obj,
                "messages": messages,
                "notes": [
                    {"id": f"{id}-n{i + 1}", "author": who, "body": body, "created_at": format_ts(received_at + after)}
                    for i, (who, after, body) in enumerate(notes)
                ],
                "store_access": store_access,
                "review": review_obj,
            }
        )


def _h(hours: float) -> timedelta:
    return timedelta(hours=hours)


def _left(hours: float = 0, minutes: float = 0) -> timedelta:
    """`received` for a task whose window closes in the given time."""
    return timedelta(seconds=_WINDOW) - timedelta(hours=hours, minutes=minutes)


# fmt: off
_SPEED = (("What do you need?", "Product pages take 6 s to load on phones; we lose customers."),
          ("Which theme do you use?", "Dawn, with a few apps on top"))
_SETUP = (("How many products will you sell?", "About 120 jars and gift sets"),
          ("Which payment methods do you need?", "BLIK, cards and Przelewy24"),
          ("When do you want to launch?", "Before 6 December (Mikołajki)"))
_MIGRATION = (("Which platform are you on now?", "WooCommerce 8 with 40 plugins"),
              ("What must be migrated?", "Products, customers and 3 years of orders"),
              ("Can the old store go offline during the move?", "Only at night, 1:00–5:00"))
_SEO = (("Which markets matter most?", "Poland first, then Germany"),
        ("Monthly organic visits today?", "About 3,500"))

# Each row is one task as a person would describe it; `_DemoBuilder.add` fills the rest.
_DEMO: tuple[dict[str, Any], ...] = (
    # new — under an hour left
    dict(id="T-1042", merchant=0, service="Theme customization", title="Make our product pages faster",
         status="new", received=_left(minutes=14), requirements=_SPEED, priorities=("high", "medium", "high"),
         budget=(500, 1500, "USD")),
    dict(id="T-1043", merchant=3, service="Store setup", title="Coffee subscription store before Christmas",
         status="new", kind="direct", received=_left(minutes=41),
         talk=(("merchant", _h(0), "Dzień dobry! Widziałem Państwa realizację dla Bean There — "
                                  "potrzebujemy czegoś podobnego, z subskrypcją co miesiąc."),),
         requirements=(("When do you want to launch?", "By 15 December"),), priorities=("high", "low", "medium"),
         budget=(4000, 9000, "PLN")),
    dict(id="T-1044", merchant=11, service="Migration", title="Move 800 lamps from PrestaShop",
         status="opened", received=_left(minutes=52), requirements=_MIGRATION, budget=(2500, 4000, "EUR")),
    # under six hours
    dict(id="T-1045", merchant=1, service="Store setup", title="Launch our honey shop with gift sets",
         status="new", received=_left(hours=2, minutes=5), requirements=_SETUP, priorities=("high", "medium", "medium"),
         budget=(3000, 6000, "PLN")),
    dict(id="T-1046", merchant=7, service="Product photography", title="Photos for 60 new sweaters",
         status="opened", received=_left(hours=4, minutes=30),
         requirements=(("How many products?", "62, in 4 colours each"), ("Can you ship samples?", "Yes, to Poland")),
         notes=(("zuzia", _h(60), "Studio free next Tuesday — could shoot all 62 in one day."),),
         budget=(1200, 2000, "EUR")),
    dict(id="T-1047", merchant=15, service="Apps & integrations", title="Sync stock with our Amazon listings",
         status="new", kind="direct", received=_left(hours=5, minutes=48),
         talk=(("merchant", _h(0), "Hi! We oversell every weekend because stock is not synced. Can you help?"),
               ("merchant", _h(30), "Just following up — is this something you do?")),
         priorities=("high", "high", "medium")),
    # under twenty-four hours
    dict(id="T-1048", merchant=9, service="Theme customization", title="Redesign the home page for the new season",
         status="new", received=_left(hours=9), budget=(800, 2000, "EUR"),
         requirements=(("Can you share examples you like?", "Aesop, Le Labo — calm, lots of white space"),)),
    dict(id="T-1049", merchant=4, service="SEO", title="Fix duplicate product pages in Google",
         status="opened", received=_left(hours=15, minutes=20), requirements=_SEO,
         notes=(("marek", _h(50), "Dropshipper — check the feed first, duplicates come from the supplier."),)),
    dict(id="T-1050", merchant=12, service="Marketing", title="Abandoned-cart e-mails in Spanish and English",
         status="new", received=_left(hours=22, minutes=10), budget=(None, 700, "EUR")),
    # more than a day left
    dict(id="T-1051", merchant=13, service="Custom development", title="Ring size configurator with engraving",
         status="new", kind="direct", received=_h(3),
         talk=(("merchant", _h(0), "We'd like customers to pick metal, stone and an engraving and see the price "
                                  "update live. Is that possible on our plan?"),),
         priorities=("medium", "low", "high"), budget=(6000, 10000, "GBP")),
    dict(id="T-1052", merchant=2, service="Store setup", title="Set up shipping zones for the EU",
         status="new", received=_h(20), requirements=(("Which countries?", "Germany, Czechia, Slovakia, Lithuania"),)),
    dict(id="T-1053", merchant=17, service="SEO", title="SEO audit after our redesign",
         status="opened", received=_h(36), requirements=(("Monthly organic visits today?", "Down from 40k to 22k"),),
         priorities=("high", "medium", "high")),
    dict(id="T-1054", merchant=6, service="Theme customization", title="Add delivery-date picker for bouquets",
         status="new", received=_h(0.5), budget=(300, 600, "PLN")),
    # responded: the partner wrote last
    dict(id="T-1030", merchant=8, service="Migration", title="Migrate from WooCommerce without downtime",
         status="responded", received=_h(30), requirements=_MIGRATION, budget=(3000, 7000, "EUR"),
         talk=(("partner", _h(2), "Hi James, thanks for the detailed brief about Bean There Coffee. We moved three "
                                 "WooCommerce stores with subscriptions this year; we copy everything to a staging "
                                 "store first, so nothing goes offline. Could we talk on Thursday?"),),
         notes=(("ola", _h(2.5), "Ask about their 40 plugins — most have built-in equivalents."),)),
    dict(id="T-1031", merchant=0, service="SEO", title="Product descriptions that rank",
         status="responded", kind="direct", received=_h(50),
         talk=(("merchant", _h(0), "Cześć, nasze opisy są skopiowane od producenta. Czy to problem?"),
               ("partner", _h(1), "Dzień dobry Anno, tak — Google traktuje je jak duplikaty. Proponuję przepisać "
                                  "50 najważniejszych opisów; wycena w załączniku."),
               ("merchant", _h(20), "Dobrze, a ile to potrwa?"),
               ("partner", _h(21), "Około dwóch tygodni, pierwsze 10 opisów do akceptacji po 3 dniach."))),
    dict(id="T-1032", merchant=10, service="Apps & integrations", title="Connect our ERP to the store",
         status="responded", received=_h(100), budget=(5000, 8000, "EUR"),
         talk=(("partner", _h(5), "Hallo Lukas, we have connected several ERPs over their REST API. Which "
                                 "version of the ERP do you run?"),)),
    dict(id="T-1033", merchant=16, service="Store setup", title="Tea shop with samples and subscriptions",
         status="responded", received=_h(12), priorities=("medium", "high", "medium"),
         talk=(("partner", _h(1), "Dzień dobry Hanno, herbaciarnia Liść wygląda pięknie. Mogę zacząć w "
                                  "poniedziałek — czy próbki mają być sprzedawane osobno?"),),
         access="requested"),
    # awaiting response: the merchant wrote last
    dict(id="T-1020", merchant=5, service="Theme customization", title="Fix the mobile menu",
         status="awaiting_response", received=_h(26), unread=2,
         talk=(("partner", _h(1), "Hi Krzysztof, I can fix the menu today. Could you tell me which phones show it?"),
               ("merchant", _h(22), "iPhones mostly. Screenshot attached."),
               ("merchant", _h(23), "Also the cart icon overlaps the logo [see photo] — pilne!"))),
    dict(id="T-1021", merchant=14, service="Apps & integrations", title="Sync stock with Allegro",
         status="awaiting_response", received=_h(60), unread=1, budget=(2000, 5000, "PLN"),
         talk=(("partner", _h(3), "Dzień dobry, integracja z Allegro to nasza specjalność. Ile macie ofert?"),
               ("merchant", _h(10), "Około 1200 ofert, 3 magazyny."),
               ("partner", _h(11), "Dziękuję — wycena w załączniku."),
               ("merchant", _h(58), "Cena OK. Kiedy możecie zacząć?")),
         notes=(("marek", _h(12), "Reuse the Baselinker connector from the Mazur job."),)),
    dict(id="T-1022", merchant=9, service="Custom development", title="B2B prices per customer group",
         status="awaiting_response", kind="direct", received=_h(130),
         talk=(("merchant", _h(0), "Buongiorno, we sell to shops and to people; shops need their own prices."),
               ("partner", _h(4), "Buongiorno Sofia, we can do that with customer tags and price lists."),
               ("merchant", _h(125), "Great, can you send a quote?"))),
    dict(id="T-1023", merchant=1, service="Marketing", title="Black Friday campaign",
         status="awaiting_response", received=_h(40), unread=1, priorities=("high", "medium", "medium"),
         talk=(("partner", _h(6), "Dzień dobry Pawle, mamy jeszcze wolny termin przed Black Friday."),
               ("merchant", _h(39), "Super! Czy możemy porozmawiać jutro rano?"))),
    # inactive
    dict(id="T-1010", merchant=7, service="Store setup", title="Second store for the Norwegian market",
         status="inactive", received=_h(200), done=_h(150),
         talk=(("partner", _h(2), "Hi Emma, a second store for Norway is a good idea — here is how we would do it."),
               ("merchant", _h(30), "Thanks, we will come back after the holidays."))),
    dict(id="T-1011", merchant=15, service="Marketing", title="Google Shopping ads",
         status="inactive", received=_h(180), done=_h(100),
         talk=(("partner", _h(10), "Hi Olivia, here is our proposal for Shopping ads."),),
         notes=(("ola", _h(101), "No answer in 3 days — parked. Ping in January."),)),
    # completed
    dict(id="T-1001", merchant=3, service="Theme customization", title="New product page layout",
         status="completed", received=_h(220), done=_h(200), review=(_h(200), 5, "Świetna robota, polecam!"),
         talk=(("partner", _h(1), "Dzień dobry Jędrzeju, zaczynamy od makiety strony produktu."),
               ("merchant", _h(50), "Makieta zatwierdzona!"),
               ("partner", _h(190), "Gotowe — nowa strona produktu jest już na żywo.")),
         access="granted"),
    dict(id="T-1002", merchant=13, service="SEO", title="Technical SEO fixes",
         status="completed", received=_h(230), done=_h(150), review=(_h(151), None, ""),
         talk=(("partner", _h(3), "Hi Priya, the audit is attached; we will fix the top 12 issues."),
               ("merchant", _h(40), "Go ahead, thank you."))),
    dict(id="T-1003", merchant=11, service="Product photography", title="Lifestyle photos for lamps",
         status="completed", received=_h(170), done=_h(140),
         talk=(("partner", _h(2), "Bonjour Marie, we can shoot in our Kraków studio next week."),)),
    # declined by the partner, and by the merchant
    dict(id="T-0990", merchant=14, service="Custom development", title="Marketplace with 40 vendors",
         status="declined", received=_h(20), decline=("partner", "outside_expertise",
                                                       "We do not build multi-vendor marketplaces.", _h(1))),
    dict(id="T-0991", merchant=4, service="Store setup", title="Dropshipping store in 48 hours",
         status="declined", received=_h(90), decline=("partner", "timeline", "", _h(5))),
    dict(id="T-0992", merchant=12, service="Marketing", title="Influencer campaign",
         status="declined", received=_h(60), decline=("partner", "budget", "Needs at least 3x the budget.", _h(7)),
         notes=(("marek", _h(6), "They want 30 influencers for 500 EUR."),)),
    dict(id="T-0993", merchant=10, service="Migration", title="Magento 1 to new store",
         status="declined", received=_h(110), decline=("merchant", None, "We chose another partner.", _h(40)),
         talk=(("partner", _h(4), "Hallo Lukas, a Magento 1 migration takes about four weeks; details attached."),),
         notes=(("ola", _h(41), "Lost on price — they went with a cheaper offer."),)),
    dict(id="T-0994", merchant=6, service="Theme customization", title="Valentine's Day theme",
         status="declined", received=_h(30), decline=("partner", "too_busy", "Fully booked until February.", _h(2))),
    # expired: nobody answered within 72 hours
    dict(id="T-0980", merchant=5, service="SEO", title="Rank for 'kołdra puchowa'",
         status="expired", received=_h(80)),
    dict(id="T-0981", merchant=16, service="Store setup", title="Tea samples shop", status="expired",
         kind="direct", received=_h(150), unread=1,
         talk=(("merchant", _h(0), "Dzień dobry, czy robią Państwo małe sklepy?"),)),
    dict(id="T-0982", merchant=17, service="Apps & integrations", title="Rental calendar for kayaks",
         status="expired", received=_h(73)),
    dict(id="T-0983", merchant=2, service="Migration", title="Move from Shoper", status="expired",
         received=_h(236)),
    # contacts: prospective merchants without a store, kept out of the inbox
    dict(id="C-201", merchant=6, service="Store setup", title="Florist wants her first online store",
         status="new", kind="contact", received=_h(5),
         talk=(("merchant", _h(0), "Dzień dobry, nie mam jeszcze sklepu. Tel. 600 100 200, najlepiej po 16."),)),
    dict(id="C-202", merchant=17, service="Store setup", title="Outdoor gear start-up", status="opened",
         kind="contact", received=_h(28),
         talk=(("merchant", _h(0), "We are launching in spring; call me on +1 555 0100."),)),
    dict(id="C-203", merchant=16, service="Marketing", title="Tea brand launch", status="responded",
         kind="contact", received=_h(60),
         talk=(("merchant", _h(0), "Szukam pomocy przy starcie marki."), ("partner", _h(3), "Chętnie pomożemy!"))),
)
# fmt: on


# --- the demo store ---------------------------------------------------------------------------


#: A partner who has set up their profile, so the Preferences screen shows what it is for.
DEMO_PREFERENCES = Preferences(
    available=True,
    dropshippers=False,
    notification_email="ola@agency.example",
    services=(
        ServiceOffer("Store setup", 1200, "PLN"),
        ServiceOffer("Theme customization", 300, "USD"),
        ServiceOffer("Migration", 900, "EUR"),
        ServiceOffer("SEO", 250, "USD"),
    ),
)


def open_demo_store(path: Path | None = None, clock: Clock = system_clock) -> Store:
    """Open the demo store, building a new one first when the current one is stale.

    Stale means: no record of when it was built, built more than `DEMO_MAX_AGE` ago
    (or in the future), or built from an older `DEMO_VERSION`. The record is a small
    sidecar JSON file (`path` + ".built.json") naming the current build, so it does not
    depend on the store's schema.

    Several processes may show the demo at once, so a build never replaces a file in
    use: each build is a new file (built in a private folder, then renamed beside
    `path`), and the stamp is then pointed at it. A process holding an older build keeps
    working on it (it holds a shared lock on it); builds nobody holds are removed. One
    lock file serialises builds, so two processes never build at the same time.
    """
    path = path or paths.demo_db_path()
    folder = ensure_private_dir(path.parent)
    stamp = _stamp_path(path)
    now = clock()
    with _locked(folder / f"{path.name}.lock", fcntl.LOCK_SH):
        current = _fresh_build(folder, stamp, now)
        if current is not None:
            return _DemoStore(current, clock)
    with _locked(folder / f"{path.name}.lock", fcntl.LOCK_EX):
        current = _fresh_build(folder, stamp, now)  # built by another process meanwhile?
        if current is None:
            current = _build(folder, path, clock)
            _write_private_json(stamp, {"version": DEMO_VERSION, "built_at": format_ts(now), "file": current.name})
        store = _DemoStore(current, clock)
        _remove_unused_builds(folder, path, keep=current)
    return store


class _DemoStore(SqliteStore):
    """A demo build, held with a shared lock until closed, so no rebuild removes it."""

    def __init__(self, build: Path, clock: Clock) -> None:
        self._hold = open_private_lock(_lock_of(build))
        try:
            fcntl.flock(self._hold, fcntl.LOCK_SH)
            super().__init__(build, clock=clock)
        except BaseException:
            os.close(self._hold)
            raise

    def close(self) -> None:
        try:
            super().close()
        finally:
            os.close(self._hold)


@contextmanager
def _locked(lock: Path, how: int) -> Iterator[None]:
    fd = open_private_lock(lock)
    try:
        fcntl.flock(fd, how)
        yield
    finally:
        os.close(fd)


def _build(folder: Path, path: Path, clock: Clock) -> Path:
    """A new demo store, built in a private folder and renamed into `folder` whole."""
    workshop = Path(tempfile.mkdtemp(prefix=f".{path.stem}-building-", dir=folder))
    try:
        built = workshop / path.name
        with SqliteStore(built, clock=clock) as store:
            store.import_tasks(enumerate(demo_tasks(clock()), start=1))
            store.set_preferences(DEMO_PREFERENCES)
        # Closing checkpointed the WAL into the file: it is complete on its own.
        final = folder / f"{path.stem}-{int(time.time() * 1000)}-{os.getpid()}{path.suffix}"
        os.rename(built, final)
        return final
    finally:
        shutil.rmtree(workshop, ignore_errors=True)


def _remove_unused_builds(folder: Path, path: Path, keep: Path) -> None:
    """Older builds that no process holds any more (a holder has a shared lock)."""
    for build in folder.glob(f"{path.stem}-*{path.suffix}"):
        if build == keep:
            continue
        try:
            fd = open_private_lock(_lock_of(build))
        except (OSError, UnsafePath):
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # still shown somewhere: removed by a later build
        try:
            for leftover in (build, *(build.with_name(build.name + s) for s in SQLITE_SIDE_FILES)):
                leftover.unlink(missing_ok=True)
            _lock_of(build).unlink(missing_ok=True)
        finally:
            os.close(fd)


def _lock_of(build: Path) -> Path:
    return build.with_name(build.name + ".lock")


def _stamp_path(db: Path) -> Path:
    return db.with_name(db.name + ".built.json")


def _fresh_build(folder: Path, stamp: Path, now: datetime) -> Path | None:
    """The build the stamp names, if it is fresh, of this version, and there."""
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
        built_at = parse_ts(data["built_at"])
        version = data["version"]
        name = data["file"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(name, str) or Path(name).name != name:
        return None
    build = folder / name
    fresh = version == DEMO_VERSION and timedelta(0) <= now - built_at < DEMO_MAX_AGE
    return build if fresh and build.is_file() else None


def _write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically through a 0600 temporary file, so a crash leaves no half stamp."""
    with replace_privately(path) as out:
        json.dump(data, out)


__all__ = ["DEMO_MAX_AGE", "DEMO_VERSION", "demo_tasks", "generate_tasks", "open_demo_store"]
