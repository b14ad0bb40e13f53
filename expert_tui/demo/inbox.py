"""The hand-written demo inbox: about forty tasks a partner would see on a Monday morning,
every status and urgency band, merchants writing in Polish and English, notes from
teammates, deadlines relative to now."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..domain import Preferences, ServiceOffer
from ..domain.timefmt import format_ts
from .people import MERCHANTS, PARTNER_NAME, WINDOW

#: Bump when `demo_tasks` changes, so existing demo stores are rebuilt with the new set.
DEMO_VERSION = 2


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
        name, local, store, domain, industry, country, plan, dropshipper = MERCHANTS[merchant]
        received_at = self.now - received
        # Times in `talk`, `notes`, `decline`, `done`, `review` are offsets after `received_at`.
        messages = [
            {
                "id": f"{id}-m{i + 1}",
                "author": who,
                "author_name": PARTNER_NAME if who == "partner" else name,
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
                "expires_at": format_ts(received_at + timedelta(seconds=WINDOW)),
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
    return timedelta(seconds=WINDOW) - timedelta(hours=hours, minutes=minutes)


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
