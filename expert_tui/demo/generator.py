"""Any number of varied tasks, fast: for the benchmarks and the large-inbox tests.

Same seed, same tasks. They are task objects in the shape of SPEC section 5, as `export`
writes them, so they go through the store's ordinary import and its validation.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from .people import HOUR, MERCHANTS, PARTNER_NAME, WINDOW, ts

_TEAM = ("ola", "marek", "zuzia")

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
        age = rng.randrange(60, 240 * HOUR)
        received = end - age
        if age < WINDOW:
            status = rng.choices(young_statuses, young_weights)[0]
        else:
            status = rng.choices(old_statuses, old_weights)[0]
        roll = rng.random()
        kind = "contact" if roll < 0.03 else "direct" if roll < 0.38 else "match"
        if kind == "contact" and status == "expired":
            status = "opened"  # a contact has no window and never expires (SPEC 2): seen, not yet answered
        service = rng.choice(services)
        yield _generated(rng, f"T-{i + 1}", kind, service, status, received, end)


def _generated(
    rng: random.Random, task_id: str, kind: str, service: str, status: str, received: int, end: int
) -> dict[str, Any]:
    name, local, store, domain, industry, country, plan, dropshipper = rng.choice(MERCHANTS)
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
        who = PARTNER_NAME if author == "partner" else name
        messages.append(
            {
                "id": f"{task_id}-m{len(messages) + 1}",
                "author": author,
                "author_name": who,
                "body": body,
                "sent_at": ts(at),
            }
        )
        activity = max(activity, at)

    if kind != "match" and rng.random() < 0.7:
        # Direct requests and contacts usually start with the merchant's own words.
        say("merchant", rng.choice(_MERCHANT_OPENERS).format(detail=rng.choice(_MERCHANT_DETAILS)), received)

    window_end = min(end, received + WINDOW)
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
            t = rng.randint(t + 1, min(end, t + 30 * HOUR))
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
            decline = {"by": "partner", "reason": reason, "comment": comment, "at": ts(at)}
        else:
            decline = {
                "by": "merchant",
                "reason": None,
                "comment": rng.choice(_MERCHANT_DECLINE_COMMENTS),
                "at": ts(at),
            }
        activity = at
    elif status in ("inactive", "completed"):
        activity = rng.randint(activity, max(activity, end))
        if status == "completed" and rng.random() < 0.5:
            requested = activity
            review = {"requested_at": ts(requested), "rating": None, "comment": "", "reviewed_at": None}
            if rng.random() < 0.5 and requested < end:
                review.update(
                    rating=rng.choice((4, 5, 5, 3)),
                    comment="Fast and friendly, thank you!",
                    reviewed_at=ts(rng.randint(requested + 1, end)),
                )

    if status not in ("new", "expired") and rng.random() < 0.35:
        for _ in range(rng.randint(1, 2)):
            at = rng.randint(received, end)
            notes.append(
                {
                    "id": f"{task_id}-n{len(notes) + 1}",
                    "author": rng.choice(_TEAM),
                    "body": rng.choice(_NOTES),
                    "created_at": ts(at),
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
        "received_at": ts(received),
        "expires_at": ts(received + WINDOW),
        "status": status,
        "first_response_at": None if first_response is None else ts(first_response),
        "last_activity_at": ts(activity),
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
